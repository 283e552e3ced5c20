//! `tooken-mock serve` (the default command): serves the API, the admin API and the
//! documents until stopped, with a banner and, when asked, a ready file.

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;
use std::task::Poll;

use clap::Args;

use super::generate::print_secrets;
use super::{block_on, serving, ListenArgs, PROGRAM};
use crate::admin::Access;
use crate::domain::REQUIRED_SCOPE;
use crate::ready_file::{base_url, ReadyReport};
use crate::settings::{Overrides, Settings};
use crate::startup::{Application, StartupError};
use crate::store::source::Source;
use crate::store::DEMO_SECRET;

/// The flags of `serve`, also taken with no command.
#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    #[command(flatten)]
    listen: ListenArgs,
    /// JSON snapshot to serve instead of the embedded demo data.
    #[arg(long, value_name = "FILE")]
    snapshot: Option<PathBuf>,
    /// Freeze the clock at this RFC 3339 time (2026-05-01T00:00:00Z).
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    /// Reload the snapshot file when it changes; an invalid file is refused, the old data stays.
    #[arg(long)]
    watch: bool,
    /// Serve N generated tokens instead of a snapshot file.
    #[arg(long, value_name = "N")]
    generate: Option<u64>,
    /// Seed of the generated data [default: 1].
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Once listening, write the URLs, pid and version here as one JSON object.
    #[arg(long, value_name = "PATH")]
    ready_file: Option<PathBuf>,
}

/// Serves until SIGINT or SIGTERM; exit 0 after a clean stop, 1 when start-up fails, 2 for
/// bad settings.
pub(super) fn run(args: ServeArgs) -> ExitCode {
    let overrides = Overrides {
        snapshot: args.snapshot,
        now: args.now,
        watch: args.watch,
        generate: args.generate,
        seed: args.seed,
        ready_file: args.ready_file,
        ..args.listen.overrides()
    };
    serving(PROGRAM, &overrides, |settings, signals| {
        let outcome = block_on(async {
            let app = Application::build(&settings)?;
            signals.serving(app.stop(), app.hangup());
            print_banner(&app, &settings);
            let Some(path) = settings.ready_file() else {
                return app.run_until_stopped().await.map_err(StartupError::Serve);
            };
            let report = ReadyReport::new(app.address());
            let mut server = std::pin::pin!(app.run_until_stopped());
            // The first poll starts the accept loop: only then may a launcher that read the file
            // stop the server gracefully.
            if let Poll::Ready(stopped) =
                std::future::poll_fn(|cx| Poll::Ready(server.as_mut().poll(cx))).await
            {
                return stopped.map_err(StartupError::Serve);
            }
            report
                .write(path)
                .map_err(|source| StartupError::ReadyFile {
                    path: path.to_owned(),
                    source,
                })?;
            let served = server.await.map_err(StartupError::Serve);
            let _ = std::fs::remove_file(path);
            served
        });
        match outcome {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{PROGRAM}: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

fn print_banner(app: &Application, settings: &Settings) {
    let base = base_url(app.address());
    let (tokens, workspaces) = app.counts();
    let source = settings.source();
    let secret = match &source {
        Source::Embedded => DEMO_SECRET,
        Source::File(..) => "<a secret from your snapshot>",
        Source::Generated(_) => app
            .demo_secrets()
            .iter()
            .find(|s| s.status == "active" && s.scopes.iter().any(|scope| scope == REQUIRED_SCOPE))
            .map_or("<no secret>", |s| s.secret.as_str()),
    };
    println!("tooken-mock is serving {tokens} tokens in {workspaces} workspaces ({source})");
    println!("  API         {base}/v1/tokens");
    println!("  Swagger UI  {base}/docs/");
    println!("  OpenAPI     {base}/openapi.json  {base}/openapi.yaml");
    println!(
        "  Try it      curl -H 'Authorization: Bearer {secret}' '{base}/v1/tokens?status=active'"
    );
    // Beyond loopback (always, in a container) the remedy is one variable: the banner names it
    // at any log.level, the warning puts it in the log.
    match app.admin_access() {
        Access::Off => {
            println!("  Admin API   off: set TOOKEN__ADMIN__TOKEN (admin.token, 8+ characters)");
            tracing::warn!(
                "the admin API is off: the server listens beyond loopback and admin.token \
                 (TOOKEN__ADMIN__TOKEN) is not set"
            );
        }
        _ => println!("  Admin API   {base}/__admin/  (document: {base}/__admin/openapi.json)"),
    }
    if let Source::Generated(_) = source {
        print_secrets(app.demo_secrets());
    }
}
