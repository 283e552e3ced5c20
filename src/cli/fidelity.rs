//! `tooken-mock fidelity --har FILE --mock URL`: reads the HAR, replays it, prints the
//! report; exit 0 at or above `--min`, 1 below it, 2 when it cannot run.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use url::Url;

use super::{block_on, ConfigArg};
use crate::fidelity::{run as replay_all, FidelityOptions};
use crate::har::Har;
use crate::settings::{Overrides, Settings};

/// The flags of `fidelity`.
#[derive(Debug, Args)]
pub(super) struct FidelityArgs {
    /// The HAR file: what the real API answered (`proxy --har`, a browser's DevTools).
    #[arg(long, value_name = "FILE")]
    har: PathBuf,
    /// The mock's root URL (http://127.0.0.1:8080).
    #[arg(long, value_name = "URL")]
    mock: String,
    /// The lowest score, in percent of identical exchanges, that exits 0.
    #[arg(long, value_name = "PERCENT", default_value_t = 100.0)]
    min: f64,
    /// Print the report as one JSON document.
    #[arg(long)]
    json: bool,
    /// A secret the HAR holds redacted (repeatable; also TOOKEN_FIDELITY_SECRETS,
    /// comma-separated, kept out of `ps`).
    #[arg(
        long = "secret",
        value_name = "SECRET",
        env = "TOOKEN_FIDELITY_SECRETS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    secrets: Vec<String>,
    #[command(flatten)]
    config: ConfigArg,
    /// The largest HAR file read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 268_435_456)]
    max_har_bytes: u64,
}

/// Runs the command.
pub(super) fn run(args: FidelityArgs) -> ExitCode {
    match prepare(&args) {
        Ok((har, options, settings)) => {
            let outcome = block_on(async {
                let client = crate::proxy::client(&settings.upstream)
                    .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
                Ok::<_, String>(replay_all(&har, &client, &options).await)
            });
            match outcome {
                Ok(report) => {
                    if args.json {
                        match serde_json::to_string_pretty(&report) {
                            Ok(json) => println!("{json}"),
                            Err(e) => return fail(&e.to_string()),
                        }
                    } else {
                        print!("{}", report.text());
                    }
                    if report.replayed == 0 {
                        eprintln!("tooken-mock fidelity: the HAR holds no GET /v1/tokens exchange");
                        return ExitCode::from(2);
                    }
                    if report.passed {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    }
                }
                Err(e) => fail(&e),
            }
        }
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("tooken-mock fidelity: {message}");
    ExitCode::from(2)
}

/// Reads the settings (the HTTP client's `upstream.*`), the mock's URL and the HAR.
fn prepare(args: &FidelityArgs) -> Result<(Har, FidelityOptions, Settings), String> {
    let settings = Settings::load(&Overrides {
        config_file: args.config.config.clone(),
        ..Overrides::default()
    })
    .map_err(|e| e.to_string())?;
    if !(0.0..=100.0).contains(&args.min) {
        return Err(format!(
            "--min must be a percentage from 0 to 100, not {}",
            args.min
        ));
    }
    let mock = mock_root(&args.mock)?;
    let har = read_har(&args.har, args.max_har_bytes)?;
    let options = FidelityOptions {
        mock,
        secrets: args.secrets.clone(),
        min: args.min,
        max_body_bytes: settings.upstream.max_response_bytes,
    };
    Ok((har, options, settings))
}

/// The mock's root URL: `http(s)://host:port`, a trailing `/` or `/v1` left off.
fn mock_root(given: &str) -> Result<Url, String> {
    let trimmed = given.trim_end_matches('/');
    let trimmed = trimmed.strip_suffix("/v1").unwrap_or(trimmed);
    let url = Url::parse(trimmed).map_err(|e| format!("--mock {given}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("--mock {given}: not an http(s) URL with a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "--mock {given}: a root URL has no query or fragment"
        ));
    }
    Ok(url)
}

/// Reads and parses the HAR, refusing a file larger than `limit` bytes; a parse error names
/// its location in the document (`log.entries[3].response.status`).
fn read_har(path: &PathBuf, limit: u64) -> Result<Har, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "{} is larger than --max-har-bytes ({limit})",
            path.display()
        ));
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        format!(
            "{} is not a HAR: at {}: {}",
            path.display(),
            e.path(),
            e.inner()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mock_is_named_by_its_root_url() {
        for given in [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/",
            "http://127.0.0.1:8080/v1/",
        ] {
            assert_eq!(
                mock_root(given).map(|u| u.to_string()),
                Ok("http://127.0.0.1:8080/".to_owned()),
                "{given}"
            );
        }
        for bad in ["127.0.0.1:8080", "ftp://x", "http://x/?a=1", ""] {
            assert!(mock_root(bad).is_err(), "{bad}");
        }
    }
}
