//! Logging: one line per event on standard error, readable text or JSON, at the configured
//! level.
//!
//! Lines are appended to a buffer of the logging thread's own that a background thread writes
//! out every few milliseconds, so that a request never waits for standard error (a terminal or
//! a pipe can be slow) and logging a request costs a short copy under a lock no other worker
//! takes: handing each line to a writer thread cost a wake-up of that thread per line, about a
//! fifth of the CPU a cached page took (`benches/load.sh` prints the page's throughput with
//! and without its line), and one buffer for all workers was a lock every worker wrote
//! (`benches/bookkeeping.rs`). Each write-out takes every thread's lines, thread by thread:
//! lines of one thread keep their order, and lines of different threads within one write-out
//! (`FLUSH_EVERY`) are ordered by their timestamps, not by their place in the output. Under
//! a flood larger than a thread's buffer, lines are dropped and counted rather than slow the
//! server down.
//!
//! Standard error that nobody reads (a pipe whose reader stopped) never holds the process: the
//! buffer stays bounded as above, and at exit the last lines get `EXIT_WAIT` to be written
//! before the process leaves without them. A panic is one log line (`panic`, with the message
//! and where it happened), never a multi-line report or backtrace in the middle of the log.

use std::io::{IsTerminal, Write};
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;
use thread_local::ThreadLocal;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, LogLevel};

pub mod line;

/// How often the buffered lines are written out.
const FLUSH_EVERY: Duration = Duration::from_millis(20);
/// Lines of one thread waiting beyond this many bytes are dropped (and counted) until the next
/// write-out.
const MAX_PENDING_BYTES: usize = 8 * 1024 * 1024;
/// How long the process waits at exit for the last lines to be written out.
pub(crate) const EXIT_WAIT: Duration = Duration::from_secs(1);

struct Shared {
    /// Each thread's lines waiting to be written out.
    pending: ThreadLocal<CachePadded<Mutex<Vec<u8>>>>,
    dropped: AtomicU64,
    stopping: AtomicBool,
    /// How many write-outs have finished.
    written: AtomicU64,
}

/// The log of the process, once [`init`] installed it.
static INSTALLED: OnceLock<Arc<Shared>> = OnceLock::new();

/// Waits until the lines logged before this call are written out, for at most `timeout`:
/// for a process about to leave without unwinding (`std::process::exit`).
pub(crate) fn flush(timeout: Duration) {
    let Some(shared) = INSTALLED.get() else {
        return;
    };
    // The write-out running now may have taken its lines before ours: wait for the next one.
    let target = shared.written.load(Relaxed) + 2;
    let deadline = Instant::now() + timeout;
    while shared.written.load(Relaxed) < target && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Hands each formatted line to the shared buffer.
struct BatchedStderr(Arc<Shared>);

/// The writer of one line.
struct Pending<'a>(&'a Shared);

impl Write for Pending<'_> {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        // A panic while holding the lock leaves whole lines behind: the buffer stays usable.
        let mut pending = self
            .0
            .pending
            .get_or(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if pending.len() + line.len() > MAX_PENDING_BYTES {
            self.0.dropped.fetch_add(1, Relaxed);
        } else {
            pending.extend_from_slice(line);
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchedStderr {
    type Writer = Pending<'a>;

    fn make_writer(&'a self) -> Pending<'a> {
        Pending(&self.0)
    }
}

/// Writes the last lines out when dropped: keep it until the process ends.
pub struct LogGuard {
    shared: Arc<Shared>,
    writer: Option<JoinHandle<()>>,
}

impl Drop for LogGuard {
    /// Waits at most `EXIT_WAIT`: a writer blocked on a full pipe is left behind.
    fn drop(&mut self) {
        self.shared.stopping.store(true, Relaxed);
        let deadline = Instant::now() + EXIT_WAIT;
        if let Some(writer) = self.writer.take() {
            while !writer.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
            if writer.is_finished() {
                let _ = writer.join();
            }
        }
    }
}

/// Writes out the lines pending, and how many were dropped since the last time.
fn write_out(shared: &Shared, spare: &mut Vec<u8>) {
    let mut stderr = std::io::stderr().lock();
    for pending in shared.pending.iter() {
        {
            let mut pending = pending.lock().unwrap_or_else(|e| e.into_inner());
            if pending.is_empty() {
                continue;
            }
            std::mem::swap(&mut *pending, spare);
        }
        // Standard error that cannot be written to has nowhere to report it.
        let _ = stderr.write_all(spare);
        spare.clear();
    }
    let dropped = shared.dropped.swap(0, Relaxed);
    if dropped > 0 {
        let _ = writeln!(stderr, "(log: {dropped} lines dropped under load)");
    }
    let _ = stderr.flush();
    shared.written.fetch_add(1, Relaxed);
}

/// Logs a panic as one line at ERROR: its message, where it happened and on which thread.
fn log_panic(info: &PanicHookInfo<'_>) {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_default();
    let thread = std::thread::current();
    tracing::error!(
        panic.message = message,
        panic.location = location,
        thread = thread.name().unwrap_or("unnamed"),
        "panic"
    );
}

/// Installs the global subscriber; a second call (tests) is a no-op. Keep the returned guard
/// until the process ends: dropping it writes the lines still waiting.
pub fn init(level: LogLevel, format: LogFormat) -> LogGuard {
    let filter = EnvFilter::try_new(filter_directives(level))
        .expect("a level's name and fixed directives always make a valid filter");
    let shared = Arc::new(Shared {
        pending: ThreadLocal::new(),
        dropped: AtomicU64::new(0),
        stopping: AtomicBool::new(false),
        written: AtomicU64::new(0),
    });
    let writer_shared = shared.clone();
    let writer = std::thread::Builder::new()
        .name("log-writer".to_owned())
        .spawn(move || {
            let mut spare = Vec::with_capacity(64 * 1024);
            while !writer_shared.stopping.load(Relaxed) {
                std::thread::sleep(FLUSH_EVERY);
                write_out(&writer_shared, &mut spare);
            }
            write_out(&writer_shared, &mut spare);
        })
        .expect("the log writer thread starts");
    // The target (module path) says nothing a reader needs about a request line, and writing
    // it is a share of each line's cost.
    let builder = tracing_subscriber::fmt()
        .with_target(false)
        .with_env_filter(filter)
        .with_writer(BatchedStderr(shared.clone()));
    let installed = if format == LogFormat::Json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .event_format(line::TextLine)
            .try_init()
    };
    if installed.is_ok() {
        let _ = INSTALLED.set(shared.clone());
        std::panic::set_hook(Box::new(log_panic));
    }
    LogGuard {
        shared,
        writer: Some(writer),
    }
}

/// The filter for `level`.
///
/// actix-http answers a request its parser refuses (raw non-ASCII bytes in the URI, HTTP/1.1
/// without `Host`, more than 96 headers) with a bare 400 or 431 that nothing can shape, and
/// logs each at ERROR as `stream error`: a client's mistake, not the server's. The
/// dispatcher's few other lines above TRACE concern one connection as well (a client gone
/// mid-write, a failed upgrade), so its lines are shown at `debug` and `trace` only.
pub(crate) fn filter_directives(level: LogLevel) -> String {
    let dispatcher = match level {
        LogLevel::Debug | LogLevel::Trace => level.as_str(),
        _ => "off",
    };
    format!("{level},actix_server=warn,actix_http::h1::dispatcher={dispatcher}")
}

#[cfg(test)]
mod tests {
    use super::filter_directives;
    use crate::settings::LogLevel;
    use tracing::level_filters::LevelFilter;
    use tracing_subscriber::EnvFilter;

    #[test]
    fn every_level_is_a_valid_filter_that_shows_parser_refusals_only_when_debugging() {
        for (level, shown) in [
            (LogLevel::Off, false),
            (LogLevel::Error, false),
            (LogLevel::Warn, false),
            (LogLevel::Info, false),
            (LogLevel::Debug, true),
            (LogLevel::Trace, true),
        ] {
            let directives = filter_directives(level);
            let filter = EnvFilter::try_new(&directives).expect("a valid filter");
            assert_eq!(
                directives.contains("actix_http::h1::dispatcher=off"),
                !shown,
                "{directives}"
            );
            assert_ne!(filter.max_level_hint(), None, "{directives}");
        }
        assert_eq!(
            EnvFilter::new(filter_directives(LogLevel::Info)).max_level_hint(),
            Some(LevelFilter::INFO)
        );
    }
}
