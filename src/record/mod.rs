//! `tooken-mock record`: pages through a real API's `GET /tokens` and writes what the caller
//! sees as a workspace snapshot, which `check` accepts and which, served, answers the same
//! pages.
//!
//! Every token must be seen exactly once: a page that repeats a token, a total that moves,
//! or a count that falls short means the data changed while it was read. The whole
//! recording is then made once more; a second change is an error, never a partial file.

pub(crate) mod fetch;

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::domain::{Secret, SecretDigest};
use crate::settings::{SettingsError, UpstreamSettings};
use crate::store::snapshot::{Snapshot, SnapshotError};
use fetch::fetch;

/// The workspace a recording is written as (the API does not name the caller's).
pub(crate) const RECORDED_WORKSPACE: &str = "ws_recorded";

/// The caller's secret and what a recording keeps of it: `record`'s `--secret`,
/// `--secret-for` and `--digest-only`, declared once here and flattened into the command.
#[derive(Clone, Debug, clap::Args)]
pub struct CallerSecret {
    /// The bearer secret to list with (also TOOKEN_RECORD_SECRET, kept out of `ps`).
    #[arg(
        long,
        value_name = "SECRET",
        env = "TOOKEN_RECORD_SECRET",
        hide_env_values = true
    )]
    pub secret: String,
    /// Attach the secret to this token (the caller's own), so the recording can be served.
    #[arg(long, value_name = "TOKEN_ID")]
    pub secret_for: Option<String>,
    /// With --secret-for, write only the secret's SHA-256 digest (secret_sha256).
    #[arg(long, requires = "secret_for")]
    pub digest_only: bool,
}

/// What to record and how.
#[derive(Clone, Debug)]
pub struct RecordOptions {
    /// The secret the pages are read with, and what is written of it.
    pub caller: CallerSecret,
    /// Where and how the upstream is read: its URL (`upstream.url`, required), timeouts,
    /// retries and size limits (`upstream.*`).
    pub upstream: UpstreamSettings,
}

/// A finished recording.
#[derive(Debug)]
pub struct Recording {
    /// The snapshot document, validated.
    pub document: Vec<u8>,
    /// How many tokens it holds.
    pub tokens: usize,
    /// How many pages were read, over every pass.
    pub pages: u64,
    /// 1, or 2 when the upstream changed during the first pass.
    pub passes: u32,
}

/// Why a recording failed; nothing is written then.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The upstream could not be reached, or its answer not read.
    #[error("cannot reach the upstream: {0}")]
    Http(#[source] reqwest::Error),
    /// The upstream answered with an error status other than a retried 429.
    #[error("the upstream answered {status} ({detail})")]
    Refused {
        /// The HTTP status code.
        status: u16,
        /// What the answer says of the error.
        detail: String,
    },
    /// The upstream still answered 429 after this many retries.
    #[error("still 429 Too Many Requests after {0} retries (upstream.max_retries)")]
    TooManyRetries(u32),
    /// The upstream's `Retry-After`, in seconds, is longer than allowed.
    #[error("the upstream asks to wait {0} s, more than upstream.max_retry_after_secs")]
    RetryTooLong(u64),
    /// An answer is not a page of tokens; the text says what is wrong with it.
    #[error("the upstream's answer is not a page of tokens: {0}")]
    NotAPage(String),
    /// A page's body is larger than allowed.
    #[error("page {page} is larger than upstream.max_response_bytes ({limit} bytes)")]
    PageTooLarge {
        /// The page number (from 1).
        page: u64,
        /// `upstream.max_response_bytes`, in bytes.
        limit: usize,
    },
    /// The upstream holds more tokens than allowed.
    #[error("the upstream counts {total} tokens, more than upstream.max_record_tokens ({limit})")]
    TooManyTokens {
        /// The total the upstream announces.
        total: u64,
        /// `upstream.max_record_tokens`.
        limit: u64,
    },
    /// The upstream changed during both passes; the text names the change.
    #[error("the upstream changed while recording, twice: {0}")]
    Changed(String),
    /// `--secret-for` names a token id the recording does not hold.
    #[error("--secret-for {0}: no recorded token has this id")]
    NoSuchToken(String),
    /// The secret given with `--secret-for` does not have the form of a Tooken secret.
    #[error("--secret-for: the secret must be tok_live_ and 24 or more letters or digits (or use --digest-only)")]
    SecretForm,
    /// The recorded document does not pass the snapshot's validation.
    #[error("the recording is not a valid snapshot: {0}")]
    Invalid(#[from] SnapshotError),
    /// No upstream is set (`upstream.url`).
    #[error(transparent)]
    NoUpstream(#[from] SettingsError),
}

/// Where a recording reports how it goes.
pub trait Progress {
    /// Page `page` of `total_pages` was read in pass `pass`.
    fn page(&mut self, pass: u32, page: u64, total_pages: u64);
    /// Page `page` was answered 429; waiting `seconds`.
    fn waiting(&mut self, page: u64, seconds: u64);
    /// The first pass saw the data change; starting again.
    fn restarting(&mut self, reason: &str);
}

/// Records the caller's tokens.
pub async fn record(
    options: &RecordOptions,
    progress: &mut dyn Progress,
) -> Result<Recording, RecordError> {
    let base = options.upstream.required_base_url("--from")?;
    let client = crate::proxy::client(&options.upstream).map_err(RecordError::Http)?;
    let mut passes = 1;
    let (tokens, pages) = loop {
        match pass(&client, base, options, passes, progress).await {
            Err(PassError::Changed(reason)) if passes == 1 => {
                progress.restarting(&reason);
                passes += 1;
            }
            Err(PassError::Changed(reason)) => return Err(RecordError::Changed(reason)),
            Err(PassError::Failed(error)) => return Err(error),
            Ok(read) => break read,
        }
    };
    let count = tokens.len();
    let document = snapshot(base, &options.caller, tokens)?;
    Ok(Recording {
        document,
        tokens: count,
        pages,
        passes,
    })
}

enum PassError {
    Changed(String),
    Failed(RecordError),
}

impl From<RecordError> for PassError {
    fn from(error: RecordError) -> PassError {
        PassError::Failed(error)
    }
}

/// Reads every page once; the tokens, in order, and the number of pages.
async fn pass(
    client: &reqwest::Client,
    base: &str,
    options: &RecordOptions,
    pass: u32,
    progress: &mut dyn Progress,
) -> Result<(Vec<Value>, u64), PassError> {
    let secret = options.caller.secret.as_str();
    let first = fetch(client, base, secret, 1, &options.upstream, progress).await?;
    let limit = options.upstream.max_record_tokens;
    if first.total > limit {
        return Err(RecordError::TooManyTokens {
            total: first.total,
            limit,
        }
        .into());
    }
    progress.page(pass, 1, first.total_pages);
    let mut seen: HashSet<String> = HashSet::new();
    let mut tokens = Vec::new();
    let mut take = |page_tokens: Vec<Value>, page: u64| -> Result<(), PassError> {
        for token in page_tokens {
            let id = token["id"].as_str().unwrap_or_default().to_owned();
            if !seen.insert(id.clone()) {
                return Err(PassError::Changed(format!(
                    "{id} was listed again on page {page}"
                )));
            }
            tokens.push(token);
        }
        Ok(())
    };
    take(first.tokens, 1)?;
    for page in 2..=first.total_pages {
        let next = fetch(client, base, secret, page, &options.upstream, progress).await?;
        if (next.total, next.per_page) != (first.total, first.per_page) {
            return Err(PassError::Changed(format!(
                "page {page} counts {} tokens at {} per page, page 1 counted {} at {}",
                next.total, next.per_page, first.total, first.per_page
            )));
        }
        take(next.tokens, page)?;
        progress.page(pass, page, first.total_pages);
    }
    let total = usize::try_from(first.total).unwrap_or(usize::MAX);
    if tokens.len() != total {
        return Err(PassError::Changed(format!(
            "{} tokens were listed, the total says {total}",
            tokens.len()
        )));
    }
    Ok((tokens, first.total_pages))
}

/// The snapshot document of `tokens` read from `base`, with the secret attached as asked,
/// validated by the same reader that serves snapshots.
fn snapshot(
    base: &str,
    options: &CallerSecret,
    mut tokens: Vec<Value>,
) -> Result<Vec<u8>, RecordError> {
    if let Some(id) = &options.secret_for {
        let token = tokens
            .iter_mut()
            .find(|t| t["id"] == id.as_str())
            .ok_or_else(|| RecordError::NoSuchToken(id.clone()))?;
        let (name, value) = if options.digest_only {
            let digest = SecretDigest::of(options.secret.as_bytes());
            ("secret_sha256", digest.to_hex())
        } else {
            Secret::parse(&options.secret).ok_or(RecordError::SecretForm)?;
            ("secret", options.secret.clone())
        };
        if let Some(object) = token.as_object_mut() {
            object.insert(name.to_owned(), Value::String(value));
        }
    }
    let document = json!({"workspaces": [{
        "id": RECORDED_WORKSPACE,
        "name": format!("Recorded from {base}"),
        "tokens": tokens,
    }]});
    // A tree of strings and numbers always serialises.
    let mut bytes = serde_json::to_vec_pretty(&document).unwrap_or_default();
    bytes.push(b'\n');
    Snapshot::parse(&bytes)?;
    Ok(bytes)
}
