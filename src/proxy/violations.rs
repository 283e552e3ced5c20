//! What the proxy found: a bounded ring of recent violations (newest first, for
//! `GET /__admin/violations`), counts by rule that are never dropped, Prometheus counters,
//! and the summary table printed when the proxy stops.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};
use serde::Serialize;

use super::rule::{Rule, Violation};

/// One violation as listed by the admin API.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Entry {
    /// When the response was checked, RFC 3339 UTC.
    pub at: String,
    /// The response's `X-Request-Id` (the caller's own, or the upstream's).
    pub request_id: String,
    pub method: String,
    /// The path and query of the request (never its headers).
    pub request: String,
    /// The upstream's status.
    pub status: u16,
    #[serde(flatten)]
    pub violation: Violation,
}

/// Per rule: how often it was broken and the last location.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Tally {
    pub count: u64,
    pub(crate) last_location: String,
}

#[derive(Default)]
struct Inner {
    recent: VecDeque<Entry>,
    by_rule: BTreeMap<Rule, Tally>,
    exchanges: u64,
    violating: u64,
}

/// The violations found, shared by every worker.
pub(crate) struct Violations {
    capacity: usize,
    inner: Mutex<Inner>,
    registry: Registry,
    counter: IntCounterVec,
    exchanges: IntCounterVec,
    latency: HistogramVec,
}

/// What `GET /__admin/violations` answers.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    /// Responses checked since the proxy started.
    pub responses: u64,
    /// Responses that broke at least one rule.
    pub(crate) violating_responses: u64,
    /// Every rule broken since start, with its count (not bounded by the ring).
    pub by_rule: BTreeMap<Rule, Tally>,
    /// The most recent violations, newest first, at most the configured capacity.
    pub violations: Vec<Entry>,
}

impl Violations {
    /// Keeps at most `capacity` recent entries.
    pub(crate) fn new(capacity: usize) -> Violations {
        let registry = Registry::new();
        // Names and labels are constants: registering cannot fail.
        let counter = IntCounterVec::new(
            Opts::new(
                "tooken_proxy_violations_total",
                "Rules broken by upstream responses, by rule.",
            ),
            &["rule"],
        )
        .expect("valid metric");
        let exchanges = IntCounterVec::new(
            Opts::new(
                "tooken_proxy_responses_total",
                "Requests forwarded, by upstream status (or 502/504 when it failed) and verdict.",
            ),
            &["status", "verdict"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "tooken_proxy_upstream_duration_seconds",
                "Time the upstream took to answer.",
            )
            .buckets(vec![
                0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &[],
        )
        .expect("valid metric");
        for metric in [
            Box::new(counter.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(exchanges.clone()),
            Box::new(latency.clone()),
        ] {
            registry.register(metric).expect("metric names are unique");
        }
        // Every rule shows in the exposition from the start, at 0.
        for rule in Rule::ALL {
            counter.with_label_values(&[rule.as_str()]);
        }
        Violations {
            capacity,
            inner: Mutex::new(Inner::default()),
            registry,
            counter,
            exchanges,
            latency,
        }
    }

    /// Records the outcome of one forwarded request; `entries` may be empty.
    pub(crate) fn record(&self, status: &str, seconds: Option<f64>, entries: Vec<Entry>) {
        let verdict = if entries.is_empty() {
            "ok"
        } else {
            "violating"
        };
        self.exchanges.with_label_values(&[status, verdict]).inc();
        if let Some(seconds) = seconds {
            self.latency.with_label_values(&[]).observe(seconds);
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.exchanges += 1;
        if !entries.is_empty() {
            inner.violating += 1;
        }
        for entry in entries {
            let rule = entry.violation.rule;
            self.counter.with_label_values(&[rule.as_str()]).inc();
            let tally = inner.by_rule.entry(rule).or_default();
            tally.count += 1;
            tally.last_location.clone_from(&entry.violation.location);
            if inner.recent.len() == self.capacity {
                inner.recent.pop_back();
            }
            inner.recent.push_front(entry);
        }
    }

    /// Counts, and the recent entries newest first.
    pub(crate) fn report(&self) -> Report {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        Report {
            responses: inner.exchanges,
            violating_responses: inner.violating,
            by_rule: inner.by_rule.clone(),
            violations: inner.recent.iter().cloned().collect(),
        }
    }

    /// The Prometheus text exposition.
    pub(crate) fn render(&self) -> String {
        let mut buffer = Vec::new();
        // Encoding gathered metric families into a Vec cannot fail.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buffer);
        String::from_utf8(buffer).unwrap_or_default()
    }

    /// The table printed when the proxy stops: one line per broken rule.
    pub(crate) fn summary(&self) -> String {
        let report = self.report();
        let mut text = format!(
            "tooken-mock proxy: {} responses checked, {} broke at least one rule\n",
            report.responses, report.violating_responses
        );
        if report.by_rule.is_empty() {
            text.push_str("no violations\n");
            return text;
        }
        text.push_str(&format!(
            "{:<20} {:>8}  {}\n",
            "rule", "count", "last location"
        ));
        for (rule, tally) in &report.by_rule {
            text.push_str(&format!(
                "{:<20} {:>8}  {}\n",
                rule.as_str(),
                tally.count,
                tally.last_location
            ));
        }
        text
    }
}
