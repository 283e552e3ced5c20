//! The command line: `serve` (the default), `check FILE`, `generate`, `proxy`, `record`,
//! `fidelity`, `openapi`.

use std::future::Future;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::task::Poll;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::admin::Access;
use crate::api::openapi::SpecDocuments;
use crate::clock::Clock;
use crate::domain::REQUIRED_SCOPE;
use crate::generate::{generate, DemoSecret, GenerateOptions};
use crate::ready_file::{base_url, ReadyReport};
use crate::settings::{Overrides, Settings};
use crate::startup::{Application, StartupError};
use crate::store::snapshot::Snapshot;
use crate::store::source::Source;
use crate::store::DEMO_SECRET;

/// A mock server of the Tooken API's token listing endpoint, GET /v1/tokens.
///
/// With no command it serves: `tooken-mock --snapshot my.json --port 9000`.
#[derive(Debug, Parser)]
#[command(name = "tooken-mock", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default command).
    Serve(ServeArgs),
    /// Validate a snapshot file: print every problem (exit 1) or a summary (exit 0).
    Check {
        /// The snapshot file to validate.
        file: PathBuf,
    },
    /// Write a generated snapshot: the same arguments always give the same bytes.
    Generate {
        /// How many tokens.
        #[arg(long, value_name = "N")]
        tokens: u64,
        /// How many workspaces share them.
        #[arg(long, value_name = "W", default_value_t = 1)]
        workspaces: u32,
        /// Seed of the random data.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Forward /v1/tokens to a real API, checking each answer against the document.
    Proxy(ProxyArgs),
    /// Record a real API's tokens into a snapshot that serves the same pages.
    Record {
        /// The API's base URL, as in the document's servers (https://api.tooken.io/v1).
        #[arg(long, value_name = "URL")]
        from: String,
        /// The bearer secret to list with (also TOOKEN_RECORD_SECRET, kept out of `ps`).
        #[arg(
            long,
            value_name = "SECRET",
            env = "TOOKEN_RECORD_SECRET",
            hide_env_values = true
        )]
        secret: String,
        /// Write the snapshot here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Attach the secret to this token (the caller's own), so the recording can be served.
        #[arg(long, value_name = "TOKEN_ID")]
        secret_for: Option<String>,
        /// With --secret-for, write only the secret's SHA-256 digest (secret_sha256).
        #[arg(long, requires = "secret_for")]
        digest_only: bool,
        /// A TOML settings file, layered over the built-in defaults.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Replay a HAR's GET /v1/tokens exchanges against a running mock and score its answers.
    Fidelity {
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
        /// A TOML settings file, layered over the built-in defaults (upstream.* shapes the
        /// HTTP client).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// The largest HAR file read, in bytes.
        #[arg(long, value_name = "BYTES", default_value_t = 268_435_456)]
        max_har_bytes: u64,
    },
    /// Print the OpenAPI document (the one served at /openapi.json and /openapi.yaml).
    Openapi {
        /// The serialisation to print.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Print the admin API's document (served at /__admin/openapi.json) instead.
        #[arg(long)]
        admin: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Json,
    Yaml,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// A TOML settings file, layered over the built-in defaults.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1].
    #[arg(long)]
    host: Option<String>,
    /// Port to listen on; 0 picks a free one [default: 8080].
    #[arg(long)]
    port: Option<u16>,
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
    /// Log format: text or json [default: text].
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<String>,
    /// Once listening, write the URLs, pid and version here as one JSON object.
    #[arg(long, value_name = "PATH")]
    ready_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ProxyArgs {
    /// The API's base URL, as in the document's servers (https://api.tooken.io/v1).
    #[arg(long, value_name = "URL")]
    upstream: Option<String>,
    /// Answer a response that breaks a rule with a 502 problem listing the violations.
    #[arg(long)]
    strict: bool,
    /// A TOML settings file, layered over the built-in defaults.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1].
    #[arg(long)]
    host: Option<String>,
    /// Port to listen on; 0 picks a free one [default: 8080].
    #[arg(long)]
    port: Option<u16>,
    /// Log format: text or json [default: text].
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<String>,
    /// Write every exchange with the upstream to this HAR 1.2 file, credentials redacted
    /// (a whole HAR after each exchange).
    #[arg(long, value_name = "FILE")]
    har: Option<PathBuf>,
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Check { file }) => check(&file),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Generate {
            tokens,
            workspaces,
            seed,
            out,
        }) => generate_command(
            GenerateOptions {
                tokens,
                workspaces,
                seed,
            },
            out,
        ),
        Some(Command::Proxy(args)) => crate::proxy::command::run(
            Overrides {
                config_file: args.config,
                host: args.host,
                port: args.port,
                log_format: args.log_format,
                upstream: args.upstream,
                strict: args.strict,
                ..Overrides::default()
            },
            args.har,
        ),
        Some(Command::Record {
            from,
            secret,
            out,
            secret_for,
            digest_only,
            config,
        }) => crate::record::command::run(crate::record::command::RecordArgs {
            config,
            from,
            secret,
            out,
            secret_for,
            digest_only,
        }),
        Some(Command::Fidelity {
            har,
            mock,
            min,
            json,
            secrets,
            config,
            max_har_bytes,
        }) => crate::fidelity::command::run(crate::fidelity::command::FidelityArgs {
            har,
            mock,
            min,
            json,
            secrets,
            config,
            max_har_bytes,
        }),
        Some(Command::Openapi { format, admin }) => {
            let api;
            let docs = if admin {
                crate::admin::openapi::documents()
            } else {
                api = SpecDocuments::build();
                &api
            };
            match format {
                Format::Json => println!("{}", docs.json),
                Format::Yaml => print!("{}", docs.yaml),
            }
            ExitCode::SUCCESS
        }
        None => serve(cli.serve),
    }
}

/// `check FILE`: reads the file as the server would (a regular file within
/// `snapshot.max_file_bytes`) and lists its first `snapshot.max_problems` problems and their
/// count; exit 1 when it is refused, 2 when a setting is bad.
fn check(file: &std::path::Path) -> ExitCode {
    let settings = match Settings::load(&Overrides::default()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let bytes = match crate::store::regular::read(file, settings.snapshot.max_file_bytes) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("cannot read {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    match Snapshot::parse(&bytes) {
        Err(e) => {
            eprintln!(
                "{}: {}",
                file.display(),
                e.listing(settings.snapshot.max_problems)
            );
            ExitCode::FAILURE
        }
        Ok(snapshot) => {
            println!(
                "{}: valid, {} tokens",
                file.display(),
                snapshot.token_count()
            );
            println!(
                "{:<24} {:>8} {:>8} {:>8}",
                "workspace", "active", "expired", "revoked"
            );
            for (workspace, [active, expired, revoked]) in snapshot.summary(Clock::real().now()) {
                println!("{workspace:<24} {active:>8} {expired:>8} {revoked:>8}");
            }
            ExitCode::SUCCESS
        }
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    let overrides = Overrides {
        config_file: args.config,
        host: args.host,
        port: args.port,
        snapshot: args.snapshot,
        now: args.now,
        watch: args.watch,
        generate: args.generate,
        seed: args.seed,
        log_format: args.log_format,
        ready_file: args.ready_file,
        ..Overrides::default()
    };
    let settings = match Settings::load(&overrides) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("tooken-mock: {e}");
            return ExitCode::from(2);
        }
    };
    let _log_writer = crate::telemetry::init(settings.log.level, settings.log.format);
    // Before the data loads: a signal during start-up ends it (rule 35).
    let signals = match crate::signals::Signals::listen() {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("tooken-mock: cannot handle signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = actix_web::rt::System::new().block_on(async {
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
            eprintln!("tooken-mock: {e}");
            ExitCode::FAILURE
        }
    }
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

fn print_secrets(secrets: &[DemoSecret]) {
    eprintln!("secrets ({}):", secrets.len());
    for s in secrets {
        eprintln!(
            "  {}  {}  {} {:?} [{}]  -> {}",
            s.secret,
            s.workspace,
            s.status,
            s.name,
            s.scopes.join(" "),
            s.outcome
        );
    }
}

fn generate_command(options: GenerateOptions, out: Option<PathBuf>) -> ExitCode {
    if let Err(message) = options.validate() {
        eprintln!("tooken-mock generate: {message}");
        return ExitCode::from(2);
    }
    let show_progress = std::io::stderr().is_terminal();
    let total = options.tokens;
    let mut progress = |written: u64| {
        if show_progress {
            eprint!(
                "\rgenerating: {written}/{total} tokens ({}%)",
                written * 100 / total
            );
        }
    };
    let result = match &out {
        Some(path) => std::fs::File::create(path)
            .and_then(|file| generate(&options, &mut std::io::BufWriter::new(file), &mut progress)),
        None => generate(&options, &mut std::io::stdout().lock(), &mut progress),
    };
    if show_progress {
        eprintln!();
    }
    match result {
        Ok(secrets) => {
            if let Some(path) = out {
                eprintln!("wrote {total} tokens to {}", path.display());
            }
            print_secrets(&secrets);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tooken-mock generate: {e}");
            ExitCode::FAILURE
        }
    }
}
