//! Prometheus metrics, served as text at `/metrics`: requests by route and status, latency,
//! tokens by workspace and status, and snapshot loads by outcome.

use std::fmt::Write;

use prometheus::{Encoder, IntCounterVec, Opts, Registry, TextEncoder};

use crate::domain::Status;

mod requests;

pub(crate) use requests::InFlight;

/// One registry per application, so that several servers in one process stay apart.
pub struct Metrics {
    registry: Registry,
    /// Counted per worker and merged when scraped: every request counts.
    requests: requests::Requests,
    loads: IntCounterVec,
    /// Workspaces given a `tooken_tokens` series each (`metrics.max_workspaces`).
    max_workspaces: usize,
}

/// Why data was loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoadKind {
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
    /// Registers every metric, with a `tooken_tokens` series for each of the first
    /// `max_workspaces` workspaces. The names and labels are constants, so this cannot fail.
    pub fn new(max_workspaces: usize) -> Metrics {
        let registry = Registry::new();
        let loads = IntCounterVec::new(
            Opts::new(
                "tooken_snapshot_loads_total",
                "Snapshot loads and reloads, by kind and outcome.",
            ),
            &["kind", "outcome"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(loads.clone()))
            .expect("metric names are unique");
        Metrics {
            registry,
            requests: requests::Requests::default(),
            loads,
            max_workspaces,
        }
    }

    /// Serves a collector kept elsewhere (the scan threads' series) with the others. Its
    /// names must differ from every other's.
    pub(crate) fn register(&self, collector: Box<dyn prometheus::core::Collector>) {
        self.registry
            .register(collector)
            .expect("metric names are unique");
    }

    /// Counts one answered request. `route` is the matched pattern, never the raw path, so
    /// the label set stays small whatever clients send.
    pub fn observe_request(&self, route: &str, status: &str, seconds: f64) {
        self.requests.observe(route, status, seconds);
    }

    /// Counts a request in flight (`tooken_http_requests_in_flight`) until the guard drops.
    pub(crate) fn begin_request(&self) -> InFlight {
        self.requests.begin()
    }

    /// Counts a load of data.
    pub(crate) fn record_load(&self, kind: LoadKind, accepted: bool) {
        let outcome = if accepted { "ok" } else { "refused" };
        self.loads
            .with_label_values(&[kind.as_str(), outcome])
            .inc();
    }

    /// The text exposition, with the token gauges from `counts`.
    ///
    /// Design constraint: a scrape of 50,000 workspaces must stay cheap and small. The token
    /// gauges are written straight into the text (a labelled gauge per workspace and status
    /// in the registry cost a hash and an allocation each, at every scrape); at most
    /// `max_workspaces` workspaces get series of their own, and `tooken_tokens_served` counts
    /// every workspace by status.
    pub fn render(&self, counts: &[(String, [usize; 3])]) -> String {
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .expect("encoding gathered metric families into a Vec cannot fail");
        let mut text = String::new();
        self.requests.write(&mut text);
        text.push_str(std::str::from_utf8(&buffer).expect("the Prometheus text format is UTF-8"));
        let listed = counts.len().min(self.max_workspaces);
        text.push_str(
            "# HELP tooken_tokens Tokens served, by workspace and current status \
             (the first metrics.max_workspaces workspaces).\n# TYPE tooken_tokens gauge\n",
        );
        let mut served = [0usize; 3];
        for (n, (workspace, by_status)) in counts.iter().enumerate() {
            for status in Status::ALL {
                let count = by_status[status.index()];
                served[status.index()] = served[status.index()].saturating_add(count);
                if n < listed {
                    let _ = writeln!(
                        text,
                        "tooken_tokens{{status=\"{}\",workspace=\"{}\"}} {count}",
                        status.as_str(),
                        escaped(workspace)
                    );
                }
            }
        }
        text.push_str(
            "# HELP tooken_tokens_served Tokens served in every workspace, by current status.\n\
             # TYPE tooken_tokens_served gauge\n",
        );
        for status in Status::ALL {
            let _ = writeln!(
                text,
                "tooken_tokens_served{{status=\"{}\"}} {}",
                status.as_str(),
                served[status.index()]
            );
        }
        let _ = write!(
            text,
            "# HELP tooken_workspaces_unlisted Workspaces past metrics.max_workspaces, \
             without tooken_tokens series.\n# TYPE tooken_workspaces_unlisted gauge\n\
             tooken_workspaces_unlisted {}\n",
            counts.len() - listed
        );
        text
    }
}

/// A label value as the text format writes it: `\\`, `\"` and `\n` escaped.
fn escaped(value: &str) -> std::borrow::Cow<'_, str> {
    if !value.contains(['\\', '"', '\n']) {
        return value.into();
    }
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .into()
}

impl Default for Metrics {
    /// A thousand workspaces with series of their own, as `metrics.max_workspaces` defaults.
    fn default() -> Metrics {
        Metrics::new(1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_holds_requests_loads_and_tokens() {
        let metrics = Metrics::new(1);
        metrics.observe_request("/v1/tokens", "200", 0.0002);
        metrics.record_load(LoadKind::Reload, false);
        let text = metrics.render(&[
            ("ws_acme".to_owned(), [3, 1, 0]),
            ("ws_more".to_owned(), [1, 0, 2]),
        ]);
        assert!(text.contains(r#"tooken_http_requests_total{route="/v1/tokens",status="200"} 1"#));
        assert!(text.contains(r#"tooken_snapshot_loads_total{kind="reload",outcome="refused"} 1"#));
        assert!(text.contains(r#"tooken_tokens{status="expired",workspace="ws_acme"} 1"#));
        assert!(text.contains("tooken_http_request_duration_seconds_bucket"));
        assert!(!text.contains("ws_more"), "past metrics.max_workspaces");
        assert!(text.contains(r#"tooken_tokens_served{status="revoked"} 2"#));
        assert!(text.contains("tooken_workspaces_unlisted 1"));
    }
}
