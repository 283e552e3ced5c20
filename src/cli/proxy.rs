//! `tooken-mock proxy --upstream URL`: loads the settings, serves, and prints the summary
//! of the violations found when stopped.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{block_on, serving, ListenArgs};
use crate::har::HarFile;
use crate::proxy::Proxy;
use crate::settings::Overrides;

/// How the proxy's messages start.
const PROGRAM: &str = "tooken-mock proxy";

/// The flags of `proxy`.
#[derive(Debug, Args)]
pub(super) struct ProxyArgs {
    /// The API's base URL, as in the document's servers (https://api.tooken.io/v1).
    #[arg(long, value_name = "URL")]
    upstream: Option<String>,
    /// Answer a response that breaks a rule with a 502 problem listing the violations.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    listen: ListenArgs,
    /// Write every exchange with the upstream to this HAR 1.2 file, credentials redacted
    /// (a whole HAR after each exchange).
    #[arg(long, value_name = "FILE")]
    har: Option<PathBuf>,
}

/// Runs the proxy until SIGINT or SIGTERM; exit 0 after a clean stop, 2 for bad settings or
/// a HAR file (`--har`) that cannot be created.
pub(super) fn run(args: ProxyArgs) -> ExitCode {
    let overrides = Overrides {
        upstream: args.upstream,
        strict: args.strict,
        ..args.listen.overrides()
    };
    serving(PROGRAM, &overrides, |settings, signals| {
        // A bad setting, not a failure to serve: refused before anything else is built.
        if let Err(e) = settings.upstream.required_base_url("--upstream") {
            eprintln!("{PROGRAM}: {e}");
            return ExitCode::from(2);
        }
        let har = match args
            .har
            .map(|path| HarFile::create(&path).map_err(|e| (path, e)))
        {
            None => None,
            Some(Ok(file)) => Some(file),
            Some(Err((path, e))) => {
                eprintln!("{PROGRAM}: cannot write --har {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        let outcome = block_on(async {
            let proxy = Proxy::build_with_har(&settings, har).map_err(|e| e.to_string())?;
            let hangup =
                Box::new(|| tracing::info!("nothing to reload: the proxy serves no snapshot"));
            signals.serving(proxy.stop(), hangup);
            print_banner(&proxy, settings.proxy.strict);
            proxy.run_until_stopped().await.map_err(|e| e.to_string())
        });
        match outcome {
            Ok(summary) => {
                print!("{summary}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{PROGRAM}: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

fn print_banner(proxy: &Proxy, strict: bool) {
    let address = proxy.address();
    let host = match address.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
        ip if ip.is_ipv6() => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    let base = format!("http://{host}:{}", address.port());
    let mode = if strict {
        "strict: a violating answer becomes a 502"
    } else {
        "answers pass unchanged"
    };
    println!(
        "tooken-mock proxy forwards to {} ({mode})",
        proxy.upstream()
    );
    println!("  API         {base}/v1/tokens");
    println!("  Violations  {base}/__admin/violations");
    println!("  Metrics     {base}/metrics");
    println!("  OpenAPI     {base}/openapi.json  (Swagger UI {base}/docs/)");
    println!("  Try it      curl -H 'Authorization: Bearer <a secret of the upstream>' '{base}/v1/tokens'");
}
