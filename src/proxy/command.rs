//! `tooken-mock proxy --upstream URL`: loads the settings, serves, and prints the summary
//! of the violations found when stopped.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Proxy;
use crate::har::HarFile;
use crate::settings::{Overrides, Settings};

/// Runs the proxy until SIGINT or SIGTERM; exit 0 after a clean stop, 2 for bad settings or
/// a HAR file (`har`) that cannot be created.
pub fn run(overrides: Overrides, har: Option<PathBuf>) -> ExitCode {
    let settings = match Settings::load(&overrides) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("tooken-mock proxy: {e}");
            return ExitCode::from(2);
        }
    };
    let har = match har.map(|path| HarFile::create(&path).map_err(|e| (path, e))) {
        None => None,
        Some(Ok(file)) => Some(file),
        Some(Err((path, e))) => {
            eprintln!(
                "tooken-mock proxy: cannot write --har {}: {e}",
                path.display()
            );
            return ExitCode::from(2);
        }
    };
    let _log_writer = crate::telemetry::init(settings.log.level, settings.log.format);
    let signals = match crate::signals::Signals::listen() {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("tooken-mock proxy: cannot handle signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = actix_web::rt::System::new().block_on(async {
        let proxy = Proxy::build_with_har(&settings, har).map_err(|e| e.to_string())?;
        let hangup = Box::new(|| tracing::info!("nothing to reload: the proxy serves no snapshot"));
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
            eprintln!("tooken-mock proxy: {e}");
            ExitCode::FAILURE
        }
    }
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
