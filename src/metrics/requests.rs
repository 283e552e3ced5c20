//! `tooken_http_requests_total`, `tooken_http_request_duration_seconds` and
//! `tooken_http_requests_in_flight`: counted per thread, each thread in memory of its own
//! (behind a lock only a scrape also takes, or in counters only that thread writes), and
//! merged when scraped, so that counting a request writes nothing another worker writes (a
//! labelled series in a shared registry costs every request a shared lock and shared atomics).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ahash::HashMap;
use crossbeam_utils::CachePadded;
use thread_local::ThreadLocal;

use super::escaped;

/// The latency buckets' upper bounds, in seconds.
const BUCKETS: [f64; 11] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1.0, 5.0,
];

/// One route's requests, as one thread counted them.
#[derive(Clone, Debug, Default)]
struct Route {
    /// Requests by status code, in the order first seen.
    by_status: Vec<(Box<str>, u64)>,
    /// Requests by the first bucket their time fits in (none past the last bound).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    /// Seconds spent answering.
    sum: f64,
}

impl Route {
    fn add(&mut self, other: &Route) {
        for (status, count) in &other.by_status {
            *self.status(status) += count;
        }
        for (mine, theirs) in self.buckets.iter_mut().zip(other.buckets) {
            *mine += theirs;
        }
        self.count += other.count;
        self.sum += other.sum;
    }

    fn status(&mut self, status: &str) -> &mut u64 {
        let at = match self.by_status.iter().position(|(s, _)| &**s == status) {
            Some(at) => at,
            None => {
                self.by_status.push((status.into(), 0));
                self.by_status.len() - 1
            }
        };
        &mut self.by_status[at].1
    }
}

/// One thread's counts, by route.
type Shard = CachePadded<Mutex<HashMap<Box<str>, Route>>>;

/// One thread's requests begun and ended: only that thread writes them (a request is served
/// on the thread it began on), a scrape reads them.
#[derive(Debug, Default)]
struct Flight {
    begun: AtomicU64,
    ended: AtomicU64,
}

/// A request being served: counted in flight from [`Requests::begin`] until dropped, whether
/// the request is answered, fails or is abandoned by its client.
#[derive(Debug)]
pub(crate) struct InFlight(Arc<CachePadded<Flight>>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.ended.fetch_add(1, Ordering::Relaxed);
    }
}

/// Requests by route and status, their latency by route, and those being served.
#[derive(Debug, Default)]
pub(super) struct Requests {
    shards: ThreadLocal<Shard>,
    flights: ThreadLocal<Arc<CachePadded<Flight>>>,
}

impl Requests {
    /// Counts a request in flight until the guard is dropped. The guard holds this thread's
    /// counters, so neither counting nor dropping writes memory another thread writes.
    pub(super) fn begin(&self) -> InFlight {
        let flight = self.flights.get_or(Default::default).clone();
        flight.begun.fetch_add(1, Ordering::Relaxed);
        InFlight(flight)
    }

    /// Requests begun and not yet ended, on every thread.
    fn in_flight(&self) -> u64 {
        let (begun, ended) = self.flights.iter().fold((0u64, 0u64), |(b, e), f| {
            (
                b.wrapping_add(f.begun.load(Ordering::Relaxed)),
                e.wrapping_add(f.ended.load(Ordering::Relaxed)),
            )
        });
        // A scrape may read a thread's `ended` after a request it did not see begin.
        begun.saturating_sub(ended)
    }

    /// Counts one request answered in `seconds`.
    pub(super) fn observe(&self, route: &str, status: &str, seconds: f64) {
        let mut routes = self
            .shards
            .get_or(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if !routes.contains_key(route) {
            routes.insert(route.into(), Route::default());
        }
        let Some(counts) = routes.get_mut(route) else {
            return;
        };
        *counts.status(status) += 1;
        if let Some(bucket) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            counts.buckets[bucket] += 1;
        }
        counts.count += 1;
        counts.sum += seconds;
    }

    /// Every thread's counts, by route.
    fn merged(&self) -> BTreeMap<Box<str>, Route> {
        let mut merged: BTreeMap<Box<str>, Route> = BTreeMap::new();
        for shard in self.shards.iter() {
            let routes = shard.lock().unwrap_or_else(|e| e.into_inner());
            for (route, counts) in routes.iter() {
                merged.entry(route.clone()).or_default().add(counts);
            }
        }
        merged
    }

    /// Writes both families in the text format, as the registry's encoder would (nothing for a
    /// family without samples).
    pub(super) fn write(&self, text: &mut String) {
        let flying = "tooken_http_requests_in_flight";
        let _ = writeln!(
            text,
            "# HELP {flying} HTTP requests being served, the scrape included.\n\
             # TYPE {flying} gauge\n{flying} {}",
            self.in_flight()
        );
        let routes = self.merged();
        if routes.is_empty() {
            return;
        }
        let latency = "tooken_http_request_duration_seconds";
        let _ = writeln!(
            text,
            "# HELP {latency} Time to answer, by route.\n# TYPE {latency} histogram"
        );
        for (route, counts) in &routes {
            let route = escaped(route);
            let mut below = 0;
            for (bound, count) in BUCKETS.iter().zip(counts.buckets) {
                below += count;
                let _ = writeln!(
                    text,
                    "{latency}_bucket{{route=\"{route}\",le=\"{bound}\"}} {below}"
                );
            }
            let _ = writeln!(
                text,
                "{latency}_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}\n\
                 {latency}_sum{{route=\"{route}\"}} {sum}\n\
                 {latency}_count{{route=\"{route}\"}} {count}",
                count = counts.count,
                sum = counts.sum
            );
        }
        let requests = "tooken_http_requests_total";
        let _ = writeln!(
            text,
            "# HELP {requests} HTTP requests answered, by route and status.\n\
             # TYPE {requests} counter"
        );
        for (route, counts) in &routes {
            let route = escaped(route);
            let mut by_status = counts.by_status.clone();
            by_status.sort();
            for (status, count) in by_status {
                let _ = writeln!(
                    text,
                    "{requests}{{route=\"{route}\",status=\"{}\"}} {count}",
                    escaped(&status)
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_of_every_thread_are_merged_when_written() {
        let requests = std::sync::Arc::new(Requests::default());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let requests = requests.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        requests.observe("/v1/tokens", "200", 0.0002);
                    }
                    requests.observe("/v1/tokens", "401", 2.0);
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let mut text = String::new();
        requests.write(&mut text);
        for line in [
            r#"tooken_http_requests_total{route="/v1/tokens",status="200"} 4000"#,
            r#"tooken_http_requests_total{route="/v1/tokens",status="401"} 4"#,
            r#"tooken_http_request_duration_seconds_bucket{route="/v1/tokens",le="0.0001"} 0"#,
            r#"tooken_http_request_duration_seconds_bucket{route="/v1/tokens",le="0.00025"} 4000"#,
            r#"tooken_http_request_duration_seconds_bucket{route="/v1/tokens",le="5"} 4004"#,
            r#"tooken_http_request_duration_seconds_bucket{route="/v1/tokens",le="+Inf"} 4004"#,
            r#"tooken_http_request_duration_seconds_count{route="/v1/tokens"} 4004"#,
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }

    #[test]
    fn before_a_request_only_the_in_flight_gauge_is_written_at_zero() {
        let mut text = String::new();
        Requests::default().write(&mut text);
        assert_eq!(
            text.lines().last(),
            Some("tooken_http_requests_in_flight 0")
        );
        assert!(!text.contains("tooken_http_requests_total"), "{text}");
    }

    #[test]
    fn requests_are_in_flight_until_their_guard_drops_on_whichever_thread() {
        let requests = std::sync::Arc::new(Requests::default());
        let gauge = |requests: &Requests| {
            let mut text = String::new();
            requests.write(&mut text);
            text.lines()
                .find_map(|l| l.strip_prefix("tooken_http_requests_in_flight "))
                .map(str::to_owned)
        };
        let here = [requests.begin(), requests.begin()];
        let there = {
            let requests = requests.clone();
            std::thread::spawn(move || [requests.begin(), requests.begin(), requests.begin()])
                .join()
                .unwrap()
        };
        assert_eq!(gauge(&requests).as_deref(), Some("5"));
        drop(there);
        assert_eq!(gauge(&requests).as_deref(), Some("2"));
        drop(here);
        assert_eq!(gauge(&requests).as_deref(), Some("0"));
    }
}
