//! Name filters, listed off the workers' threads.
//!
//! A name filter reads up to every name of a workspace, so its page is listed on a pool of
//! scan threads (`store.scan_threads`; 0: one per core) while the workers go on answering.
//! The pool is fed by one bounded queue of `store.scan_queue` scans waiting for a thread:
//! when it is full, the listing is refused at once ([`Refusal::Busy`], answered 503
//! `scans_busy` with `Retry-After`) instead of waiting without bound. A scan whose request is
//! gone by the time a thread takes it (the client closed its connection, see [`Waiting`]) is
//! skipped: nobody would read its page. A scan already running finishes.
//!
//! `/metrics` shows the pool: `tooken_scans_total{outcome="scanned"|"skipped"|"busy"}`,
//! `tooken_scans_queued` (scans waiting for a thread) and `tooken_scans_running`.

use std::future::Future;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{bounded, Receiver, Sender, TrySendError};
use prometheus::core::Collector;
use prometheus::{IntCounterVec, IntGauge, Opts};
use tokio::sync::oneshot;

use super::actor::{ListPage, Listed, Refusal};

/// How the pool is sized and fed: the `store.scan_*` settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ScanLimits {
    /// Scan threads; 0 starts one per core (`std::thread::available_parallelism`).
    pub threads: usize,
    /// Scans that may wait for a thread; one more is refused with [`Refusal::Busy`].
    pub queue: usize,
    /// Time every scan takes at least, on its thread, before it lists (a slow search backend
    /// to build a loading state against); zero for none.
    pub delay: Duration,
}

impl ScanLimits {
    /// The number of threads `threads` stands for: itself, or the cores when 0 (1 when the
    /// system cannot tell).
    pub(crate) fn thread_count(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

/// The scan pool: a handle on its queue, cloned into every store actor. The threads stop
/// once every handle is dropped and the queue is empty.
#[derive(Clone)]
pub(crate) struct Scans {
    queue: Sender<Job>,
    counters: Counters,
}

/// The pool's series at `/metrics`.
#[derive(Clone)]
struct Counters {
    outcomes: IntCounterVec,
    queued: IntGauge,
    running: IntGauge,
}

/// A scan waiting for a thread.
struct Job {
    listing: ListPage,
    client: Presence,
    reply: oneshot::Sender<Result<Listed, Refusal>>,
}

impl Scans {
    /// Starts the scan threads. Fails only when the system refuses a thread.
    pub(crate) fn start(limits: ScanLimits) -> io::Result<Scans> {
        let (queue, jobs) = bounded(limits.queue);
        let counters = Counters::new();
        let threads = limits.thread_count();
        tracing::info!(threads, queue = limits.queue, "scan threads started");
        for n in 0..threads {
            let (jobs, counters) = (jobs.clone(), counters.clone());
            std::thread::Builder::new()
                .name(format!("tooken-scan-{n}"))
                .spawn(move || serve(&jobs, &counters, limits.delay, threads))?;
        }
        Ok(Scans { queue, counters })
    }

    /// The pool's metrics, to register with the application's registry.
    pub(crate) fn collectors(&self) -> Vec<Box<dyn Collector>> {
        let c = &self.counters;
        vec![
            Box::new(c.outcomes.clone()),
            Box::new(c.queued.clone()),
            Box::new(c.running.clone()),
        ]
    }

    /// Queues `listing` for a scan thread, for the request that `client` watches; the page
    /// comes through the future returned. Refuses at once with [`Refusal::Busy`] when the
    /// queue is full.
    pub(crate) fn submit(
        &self,
        listing: ListPage,
        client: Presence,
    ) -> Result<impl Future<Output = Result<Listed, Refusal>>, Refusal> {
        let (reply, page) = oneshot::channel();
        // Counted before it is queued, so that a thread taking it at once never counts below 0.
        self.counters.queued.inc();
        let job = Job {
            listing,
            client,
            reply,
        };
        match self.queue.try_send(job) {
            Ok(()) => Ok(async move { page.await.unwrap_or(Err(Refusal::Failed)) }),
            Err(full_or_gone) => {
                self.counters.queued.dec();
                match full_or_gone {
                    TrySendError::Full(_) => {
                        self.counters.outcome("busy").inc();
                        Err(Refusal::Busy)
                    }
                    TrySendError::Disconnected(_) => Err(Refusal::Failed),
                }
            }
        }
    }
}

/// One scan thread of `threads`: takes scans until every handle on the queue is dropped. A
/// scan taken while other threads are idle is split across as many threads as are idle, so
/// that one filter alone uses every core, and many at once one core each.
fn serve(jobs: &Receiver<Job>, counters: &Counters, delay: Duration, threads: usize) {
    while let Ok(job) = jobs.recv() {
        counters.queued.dec();
        if job.client.is_gone() || job.reply.is_closed() {
            counters.outcome("skipped").inc();
            continue;
        }
        counters.running.inc();
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let busy = usize::try_from(counters.running.get()).unwrap_or(threads);
        let parts = match jobs.is_empty() {
            true => threads.saturating_sub(busy) + 1,
            false => 1,
        };
        // A panic fails this scan only: the thread goes on scanning for every other request.
        let outcome = catch_unwind(AssertUnwindSafe(|| job.listing.run_on(parts)));
        counters.running.dec();
        counters.outcome("scanned").inc();
        // The request may have gone meanwhile; then nobody reads the page.
        let _ = job.reply.send(outcome.map_err(|_| Refusal::Failed));
    }
}

impl Counters {
    fn new() -> Counters {
        let outcomes = IntCounterVec::new(
            Opts::new(
                "tooken_scans_total",
                "Name-filter scans by outcome: scanned, skipped (the client had gone before \
                 a thread took it), busy (refused 503, the queue was full).",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        for outcome in ["scanned", "skipped", "busy"] {
            outcomes.with_label_values(&[outcome]);
        }
        let queued = IntGauge::new(
            "tooken_scans_queued",
            "Name-filter scans waiting for a scan thread (at most store.scan_queue).",
        )
        .expect("valid metric");
        let running = IntGauge::new(
            "tooken_scans_running",
            "Name-filter scans running on a scan thread.",
        )
        .expect("valid metric");
        Counters {
            outcomes,
            queued,
            running,
        }
    }

    fn outcome(&self, outcome: &str) -> prometheus::IntCounter {
        self.outcomes.with_label_values(&[outcome])
    }
}

/// Held by the request that asked for a page: when the request is dropped (its client
/// closed the connection), it tells the scan threads that nobody waits for the page.
#[derive(Debug, Default)]
pub(crate) struct Waiting(Arc<AtomicBool>);

impl Waiting {
    /// What the scan threads look at.
    pub(crate) fn presence(&self) -> Presence {
        Presence(self.0.clone())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// Whether the request behind a scan is still there. The default is a request that never
/// leaves.
#[derive(Clone, Debug, Default)]
pub(crate) struct Presence(Arc<AtomicBool>);

impl Presence {
    /// Whether the request was dropped.
    pub(crate) fn is_gone(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_gone_once_its_waiting_guard_is_dropped() {
        let waiting = Waiting::default();
        let presence = waiting.presence();
        assert!(!presence.is_gone());
        drop(waiting);
        assert!(presence.is_gone());
    }

    #[test]
    fn zero_threads_stands_for_the_cores() {
        let limits = |threads| ScanLimits {
            threads,
            queue: 1,
            delay: Duration::ZERO,
        };
        assert_eq!(limits(3).thread_count(), 3);
        assert!(limits(0).thread_count() >= 1);
    }
}
