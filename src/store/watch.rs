//! `--watch`: reloads the snapshot file when it changes.
//!
//! The file is polled (modification time and length) rather than watched through OS events:
//! editors that replace files, half-written files and files that vanish for a moment all end
//! up as "changed", and each change is simply loaded again. A file that does not validate is
//! refused with its problems (in the log and in `/readyz`); the data already served stays.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::snapshot::Snapshot;
use super::source::{LoadError, Source};

/// What to do with each new version of the file: install it, or record why it was refused.
pub type OnChange = Box<dyn Fn(Result<Snapshot, LoadError>) + 'static>;

/// Starts polling `path` every `interval_ms` on the current actix system. `loaded` is the
/// file's fingerprint taken before the data being served was read from it, so that a change
/// made while it was loading is seen as a change.
pub fn start(path: PathBuf, interval_ms: u64, loaded: Option<Fingerprint>, on_change: OnChange) {
    actix_web::rt::spawn(async move {
        let mut ticker = actix_web::rt::time::interval(Duration::from_millis(interval_ms));
        let mut seen = loaded;
        loop {
            ticker.tick().await;
            let current = fingerprint(&path);
            if current == seen {
                continue;
            }
            seen = current;
            if seen.is_none() {
                tracing::warn!(path = %path.display(), "snapshot file is gone; the current data stays");
                continue;
            }
            let source = Source::File(path.clone());
            // Parsing a large file takes time: keep it off the thread that runs the store.
            match actix_web::rt::task::spawn_blocking(move || source.load()).await {
                Ok(loaded) => on_change(loaded),
                Err(error) => tracing::error!(%error, "snapshot reload failed"),
            }
        }
    });
}

/// What tells one version of a file from the next: modification time and length.
pub type Fingerprint = (SystemTime, u64);

/// The fingerprint of the file at `path`, if it exists.
pub fn fingerprint(path: &Path) -> Option<Fingerprint> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}
