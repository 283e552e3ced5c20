//! Prometheus metrics, served as text at `/metrics`: requests by route and status, latency,
//! tokens by workspace and status, and snapshot loads by outcome.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::domain::Status;

/// One registry per application, so that several servers in one process stay apart.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    loads: IntCounterVec,
    tokens: IntGaugeVec,
}

/// Why data was loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadKind {
    Startup,
    Reload,
    Admin,
}

impl LoadKind {
    fn as_str(self) -> &'static str {
        match self {
            LoadKind::Startup => "startup",
            LoadKind::Reload => "reload",
            LoadKind::Admin => "admin",
        }
    }
}

impl Metrics {
    /// Registers every metric. The names and labels are constants, so this cannot fail.
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "tooken_http_requests_total",
                "HTTP requests answered, by route and status.",
            ),
            &["route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "tooken_http_request_duration_seconds",
                "Time to answer, by route.",
            )
            .buckets(vec![
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1.0, 5.0,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let loads = IntCounterVec::new(
            Opts::new(
                "tooken_snapshot_loads_total",
                "Snapshot loads and reloads, by kind and outcome.",
            ),
            &["kind", "outcome"],
        )
        .expect("valid metric");
        let tokens = IntGaugeVec::new(
            Opts::new(
                "tooken_tokens",
                "Tokens served, by workspace and current status.",
            ),
            &["workspace", "status"],
        )
        .expect("valid metric");
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(loads.clone()),
            Box::new(tokens.clone()),
        ] {
            registry.register(metric).expect("metric names are unique");
        }
        Metrics {
            registry,
            requests,
            latency,
            loads,
            tokens,
        }
    }

    /// Counts one answered request. `route` is the matched pattern, never the raw path, so
    /// the label set stays small whatever clients send.
    pub fn observe_request(&self, route: &str, status: &str, seconds: f64) {
        self.requests.with_label_values(&[route, status]).inc();
        self.latency.with_label_values(&[route]).observe(seconds);
    }

    /// Counts a load of data.
    pub fn record_load(&self, kind: LoadKind, accepted: bool) {
        let outcome = if accepted { "ok" } else { "refused" };
        self.loads
            .with_label_values(&[kind.as_str(), outcome])
            .inc();
    }

    /// The text exposition, with the token gauges set from `counts`.
    pub fn render(&self, counts: &[(String, [usize; 3])]) -> String {
        self.tokens.reset();
        for (workspace, by_status) in counts {
            for status in Status::ALL {
                let count = i64::try_from(by_status[status.index()]).unwrap_or(i64::MAX);
                self.tokens
                    .with_label_values(&[workspace, status.as_str()])
                    .set(count);
            }
        }
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .expect("encoding gathered metric families into a Vec cannot fail");
        String::from_utf8(buffer).expect("the Prometheus text format is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_holds_requests_loads_and_tokens() {
        let metrics = Metrics::new();
        metrics.observe_request("/v1/tokens", "200", 0.0002);
        metrics.record_load(LoadKind::Reload, false);
        let text = metrics.render(&[("ws_acme".to_owned(), [3, 1, 0])]);
        assert!(text.contains(r#"tooken_http_requests_total{route="/v1/tokens",status="200"} 1"#));
        assert!(text.contains(r#"tooken_snapshot_loads_total{kind="reload",outcome="refused"} 1"#));
        assert!(text.contains(r#"tooken_tokens{status="expired",workspace="ws_acme"} 1"#));
        assert!(text.contains("tooken_http_request_duration_seconds_bucket"));
    }
}
