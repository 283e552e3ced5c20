//! `--watch`: reloads the snapshot file when its content changes.
//!
//! The file's directory is watched through the operating system's file events (`notify`), so
//! that a file written in place and one replaced by renaming a new file over it (as many
//! editors and deploy tools save) are both seen; where the system gives no events (inotify's
//! limits reached, say) the file is polled instead. Whether the data changed is decided on
//! content, a SHA-256 digest of the bytes, never on the modification time: a rewrite of the
//! same length with the old time restored (`cp -p`, `rsync -a`, `tar -x`, filesystems with
//! coarse timestamps) is a change, and saving the same bytes again costs a read but no reload.
//! A file that does not validate is refused with its problems (in the log and in `/readyz`);
//! the data already served stays.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{Config, Event, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use super::index::Index;
use super::snapshot::Snapshot;
use super::source::{LoadError, Source};

/// What to do with each new version of the file: install its index, or record why it was
/// refused.
pub(crate) type OnChange = Box<dyn Fn(Result<Index, LoadError>) + 'static>;

/// What tells one version of a file from the next: the SHA-256 digest of its bytes.
pub(crate) type Fingerprint = [u8; 32];

/// The fingerprint of the file at `path`, if it is a regular file of at most `max_bytes`.
pub(crate) fn fingerprint(path: &Path, max_bytes: u64) -> Option<Fingerprint> {
    let bytes = super::regular::read(path, max_bytes).ok()?;
    Some(Sha256::digest(&bytes).into())
}

/// Starts watching `path` on the current actix system. `loaded` is the file's fingerprint
/// taken before the data being served was read from it, so that a change made while it was
/// loading is seen as a change. `interval_ms` is how long a burst of file events is let
/// settle before the file is read, and how often it is polled where there are no events.
pub(crate) fn start(
    path: PathBuf,
    max_bytes: u64,
    interval_ms: u64,
    loaded: Option<Fingerprint>,
    on_change: OnChange,
) {
    if is_mount_point(&path) {
        tracing::warn!(
            path = %path.display(),
            "the snapshot file is a mount point of its own (a single-file bind mount): a save \
             that writes a new file and renames it over this one is not seen here; mount its \
             directory instead"
        );
    }
    let interval = Duration::from_millis(interval_ms);
    let changed = Arc::new(Notify::new());
    let watcher = subscribe(&path, interval, changed.clone());
    actix_web::rt::spawn(async move {
        // Held by the task: the watch lasts as long as the server runs.
        let _watcher = watcher;
        let mut seen = loaded;
        let mut gone = false;
        let mut refused: Option<String> = None;
        loop {
            let file = path.clone();
            // Reading, hashing, parsing and indexing a large file takes time: keep it off the
            // server's threads.
            let read =
                actix_web::rt::task::spawn_blocking(move || read(&file, max_bytes, seen)).await;
            match read {
                Ok(Read::Unchanged) => gone = false,
                Ok(Read::Refused(error)) => {
                    // Reported once while the same refusal stands, not at every poll.
                    let text = error.to_string();
                    if refused.as_ref() != Some(&text) {
                        on_change(Err(error));
                    }
                    (refused, seen, gone) = (Some(text), None, false);
                }
                Ok(Read::Gone) => {
                    if !gone {
                        tracing::warn!(path = %path.display(), "snapshot file is gone; the current data stays");
                    }
                    gone = true;
                }
                Ok(Read::Changed(digest, loaded)) => {
                    (seen, gone, refused) = (Some(digest), false, None);
                    on_change(*loaded);
                }
                Err(error) => tracing::error!(%error, "snapshot reload failed"),
            }
            changed.notified().await;
            actix_web::rt::time::sleep(interval).await;
        }
    });
}

/// What one look at the file found.
enum Read {
    Unchanged,
    Gone,
    /// Not a regular file, or too large: refused without reading it whole.
    Refused(LoadError),
    /// New bytes: their digest and what loading them gave, indexed.
    Changed(Fingerprint, Box<Result<Index, LoadError>>),
}

/// Whether `path` is a mount point: its device differs from its directory's, or
/// `/proc/self/mountinfo` lists it. A single-file bind mount keeps the inode it was made with,
/// so an editor's rename-save on the host never reaches it.
pub(crate) fn is_mount_point(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(path) = path.canonicalize() else {
        return false;
    };
    let device = |p: &Path| std::fs::metadata(p).map(|m| m.dev()).ok();
    let parent = path.parent().and_then(device);
    if parent.is_some() && device(&path) != parent {
        return true;
    }
    std::fs::read_to_string("/proc/self/mountinfo")
        .is_ok_and(|table| mount_points(&table).any(|point| Path::new(&point) == path))
}

/// The mount points of a `mountinfo` table (proc(5): the fifth field, octal escapes decoded).
fn mount_points(table: &str) -> impl Iterator<Item = String> + '_ {
    table
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(unescape_octal)
}

fn unescape_octal(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match escaped.and_then(|d| u8::from_str_radix(std::str::from_utf8(d).ok()?, 8).ok()) {
            Some(byte) => {
                out.push(byte);
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn read(path: &Path, max_bytes: u64, seen: Option<Fingerprint>) -> Read {
    let bytes = match super::regular::read(path, max_bytes) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Read::Gone,
        Err(source) => {
            return Read::Refused(LoadError::Read {
                path: path.to_owned(),
                source,
            })
        }
    };
    let digest: Fingerprint = Sha256::digest(&bytes).into();
    if seen == Some(digest) {
        return Read::Unchanged;
    }
    let loaded = Snapshot::parse(&bytes)
        .map(Index::new)
        .map_err(|source| LoadError::Invalid {
            origin: Source::File(path.to_owned(), max_bytes).to_string(),
            source,
        });
    Read::Changed(digest, Box::new(loaded))
}

/// Subscribes to the events that may mean `path` changed, falling back to polling it; none
/// when neither can be set up (logged: the data served then stays as loaded).
fn subscribe(path: &Path, interval: Duration, changed: Arc<Notify>) -> Option<Box<dyn Watcher>> {
    let name = path.file_name().map(OsString::from).unwrap_or_default();
    // Through a symbolic link (a Kubernetes ConfigMap, a `current` link) the change is a
    // new link target, an event that names another entry of the directory.
    let any_entry = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let signal = changed.clone();
    let on_event = move |event: notify::Result<Event>| {
        if event.is_err() || event.is_ok_and(|e| concerns(&e, &name, any_entry)) {
            signal.notify_one();
        }
    };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let events = RecommendedWatcher::new(on_event, Config::default())
        .and_then(|mut w| w.watch(directory, RecursiveMode::NonRecursive).map(|()| w));
    match events {
        Ok(watcher) => return Some(Box::new(watcher)),
        Err(error) => {
            tracing::warn!(path = %directory.display(), %error, "no file events; polling the snapshot file")
        }
    }
    let config = Config::default()
        .with_poll_interval(interval)
        .with_compare_contents(true);
    let polled = PollWatcher::new(move |_| changed.notify_one(), config)
        .and_then(|mut w| w.watch(path, RecursiveMode::NonRecursive).map(|()| w));
    match polled {
        Ok(watcher) => Some(Box::new(watcher)),
        Err(error) => {
            tracing::error!(path = %path.display(), %error, "cannot watch the snapshot file; it will not be reloaded");
            None
        }
    }
}

/// Whether `event` may have changed the watched file named `name`. Opening and reading do
/// not (the watcher's own reads among them); a finished write does.
fn concerns(event: &Event, name: &OsString, any_entry: bool) -> bool {
    let may_change = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    let names_it = || event.paths.iter().any(|p| p.file_name() == Some(name));
    event.need_rescan() || (may_change && (any_entry || names_it()))
}

#[cfg(test)]
mod mount_tests {
    use super::{is_mount_point, mount_points};
    use std::path::Path;

    #[test]
    fn mount_points_are_the_fifth_field_with_octal_escapes_decoded() {
        let table = "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n\
            41 22 8:1 /srv/data/tokens.json /data/tokens.json rw - ext4 /dev/sda1 rw\n\
            42 22 8:1 /x /data/my\\040file.json rw - ext4 /dev/sda1 rw\n";
        let points: Vec<String> = mount_points(table).collect();
        assert_eq!(points, ["/", "/data/tokens.json", "/data/my file.json"]);
    }

    #[test]
    fn an_ordinary_file_is_no_mount_point_and_a_mounted_one_is() {
        let dir = tempfile::tempdir().expect("a directory");
        let file = dir.path().join("tokens.json");
        std::fs::write(&file, b"[]").expect("a file");
        assert!(!is_mount_point(&file));
        assert!(!is_mount_point(Path::new("/no/such/file")));
        // `/proc` is a file system of its own, mounted on a directory of `/`.
        assert!(is_mount_point(Path::new("/proc")));
    }
}
