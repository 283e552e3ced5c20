//! The command line: `serve` (the default), `check FILE`, `generate`, `proxy`, `record`,
//! `fidelity`, `openapi`, one module each. The flags several commands share are declared
//! once here and flattened into theirs; so is the path every command that needs settings
//! takes: settings, then (for a server) the log and the signal handlers, then the runtime.

mod check;
mod fidelity;
mod generate;
mod proxy;
mod record;
mod serve;

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::api::openapi::SpecDocuments;
use crate::generate::GenerateOptions;
use crate::settings::{Overrides, Settings};
use crate::signals::Signals;
use fidelity::FidelityArgs;
use proxy::ProxyArgs;
use record::RecordArgs;
use serve::ServeArgs;

/// How messages of the serving command start.
const PROGRAM: &str = "tooken-mock";

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
    Record(RecordArgs),
    /// Replay a HAR's GET /v1/tokens exchanges against a running mock and score its answers.
    ///
    /// The settings' upstream.* (from --config) shape its HTTP client.
    Fidelity(FidelityArgs),
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

/// `--config`, which every command that reads settings takes.
#[derive(Debug, Args)]
struct ConfigArg {
    /// A TOML settings file, layered over the built-in defaults.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// The flags of a command that serves (`serve`, `proxy`).
#[derive(Debug, Args)]
struct ListenArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Address to listen on [default: 127.0.0.1].
    #[arg(long)]
    host: Option<String>,
    /// Port to listen on; 0 picks a free one [default: 8080].
    #[arg(long)]
    port: Option<u16>,
    /// Log format: text or json [default: text].
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<String>,
}

impl ListenArgs {
    /// The settings these flags override.
    fn overrides(self) -> Overrides {
        Overrides {
            config_file: self.config.config,
            host: self.host,
            port: self.port,
            log_format: self.log_format,
            ..Overrides::default()
        }
    }
}

/// Loads the settings; a bad one is reported, prefixed with `program`, as exit code 2.
fn load_settings(program: &str, overrides: &Overrides) -> Result<Settings, ExitCode> {
    Settings::load(overrides).map_err(|e| {
        eprintln!("{program}: {e}");
        ExitCode::from(2)
    })
}

/// The path of a serving command (`serve`, `proxy`): settings, then the log, then the signal
/// handlers, before the data loads, so that a signal during start-up ends it (rule 35); then
/// `command`, with the log kept until it returns. Errors are reported prefixed with `program`.
fn serving(
    program: &str,
    overrides: &Overrides,
    command: impl FnOnce(Settings, Signals) -> ExitCode,
) -> ExitCode {
    let settings = match load_settings(program, overrides) {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    let _log_writer = crate::telemetry::init(settings.log.level, settings.log.format);
    match Signals::listen() {
        Ok(signals) => command(settings, signals),
        Err(e) => {
            eprintln!("{program}: cannot handle signals: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `future` to its end on an actix system of its own.
fn block_on<F: Future>(future: F) -> F::Output {
    actix_web::rt::System::new().block_on(future)
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Check { file }) => check::run(&file),
        Some(Command::Serve(args)) => serve::run(args),
        Some(Command::Generate {
            tokens,
            workspaces,
            seed,
            out,
        }) => generate::run(
            GenerateOptions {
                tokens,
                workspaces,
                seed,
            },
            out,
        ),
        Some(Command::Proxy(args)) => proxy::run(args),
        Some(Command::Record(args)) => record::run(args),
        Some(Command::Fidelity(args)) => fidelity::run(args),
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
        None => serve::run(cli.serve),
    }
}
