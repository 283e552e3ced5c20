//! `tooken-mock check FILE`: validates a snapshot file as the server reads it.

use std::process::ExitCode;

use crate::clock::Clock;
use crate::settings::{Overrides, Settings};
use crate::store::snapshot::Snapshot;

/// `check FILE`: reads the file as the server would (a regular file within
/// `snapshot.max_file_bytes`) and lists its first `snapshot.max_problems` problems and their
/// count; exit 1 when it is refused, 2 when a setting is bad.
pub(super) fn run(file: &std::path::Path) -> ExitCode {
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
