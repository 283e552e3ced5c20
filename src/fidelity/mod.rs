//! `tooken-mock fidelity`: is the mock still right? Each `GET /v1/tokens` exchange of a HAR
//! (what the real API answered, captured by `proxy --har` or a browser's DevTools) is asked
//! again of a running mock, and the two answers are compared: status, the documented headers
//! (`Content-Type`, `Cache-Control`, `Link`, `WWW-Authenticate`), and the body member by
//! member and in order ([`rule::Rule`]). Fields that change by themselves are compared by rule
//! ([`rule::BY_RULE`]). The score is the share of exchanges answered identically. The
//! command line (`--har`, `--mock`, `--min`) is `cli::fidelity`'s.

mod answer;
mod body;
pub(crate) mod replay;
pub(crate) mod report;
pub(crate) mod rule;

pub(crate) use report::Report;

use url::Url;

use crate::har::Har;

/// What a replay needs besides the HAR.
pub(crate) struct FidelityOptions {
    /// The mock's root URL (`http://127.0.0.1:8080`).
    pub mock: Url,
    /// Secrets whose fingerprints the HAR holds in their place.
    pub secrets: Vec<String>,
    /// `--min`, in percent.
    pub min: f64,
    /// The largest body of the mock read, in bytes.
    pub max_body_bytes: usize,
}

/// Replays every `GET /v1/tokens` exchange of `har` in order and scores the mock's answers.
pub(crate) async fn run(har: &Har, client: &reqwest::Client, options: &FidelityOptions) -> Report {
    let mut replayed = Vec::new();
    let mut skipped = 0;
    for (index, entry) in har.log.entries.iter().enumerate() {
        let Some(url) = replay::replayable(entry) else {
            skipped += 1;
            continue;
        };
        replayed.push(
            replay::replay(
                client,
                &options.mock,
                index,
                entry,
                &url,
                &options.secrets,
                options.max_body_bytes,
            )
            .await,
        );
    }
    Report::new(options.mock.as_str(), replayed, skipped, options.min)
}
