//! `tooken-mock generate`: writes a generated snapshot, the same bytes for the same arguments.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::generate::{generate, DemoSecret, GenerateOptions};

/// Writes the snapshot to `out` (standard output without one) and lists its secrets on
/// standard error; exit 2 for bad options, 1 when it cannot be written.
pub(super) fn run(options: GenerateOptions, out: Option<PathBuf>) -> ExitCode {
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

/// Lists generated secrets on standard error, with what each one is answered.
pub(super) fn print_secrets(secrets: &[DemoSecret]) {
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
