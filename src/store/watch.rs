//! `--watch`: reloads the snapshot file when it changes.
//!
//! The file is polled (modification time and length) rather than watched through OS events:
//! editors that replace files, half-written files and files that vanish for a moment all end
//! up as "changed", and each change is simply loaded again. A file that does not validate is
//! refused with its problems (in the log and in `/readyz`); the data already served stays.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use actix::Addr;

use super::actor::{ReloadRefused, Replace, StoreActor};
use super::source::Source;
use crate::metrics::LoadKind;

/// Starts polling `path` every `interval_ms` on the current actix system. `loaded` is the
/// file's fingerprint taken before the data being served was read from it, so that a change
/// made while it was loading is seen as a change.
pub fn start(
    path: PathBuf,
    interval_ms: u64,
    loaded: Option<Fingerprint>,
    store: Addr<StoreActor>,
) {
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
                Ok(Ok(snapshot)) => {
                    if let Ok(status) = store.send(Replace(snapshot, LoadKind::Reload)).await {
                        tracing::info!(path = %path.display(), tokens = status.tokens, "snapshot reloaded");
                    }
                }
                Ok(Err(error)) => {
                    tracing::warn!(path = %path.display(), %error, "snapshot reload refused; the current data stays");
                    store.do_send(ReloadRefused(error.to_string()));
                }
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
