//! Where the served data comes from: the embedded demo data, a file, or generated tokens.
//! Start-up, `POST /__admin/reset` and the file watcher all load through here.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::snapshot::{Snapshot, SnapshotError};
use super::DEFAULT_SNAPSHOT;
use crate::generate::{generate, DemoSecret, GenerateOptions};

/// The configured source of data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The demo data compiled into the binary.
    Embedded,
    /// A snapshot file, read only when it is a regular file of at most this many bytes
    /// (`snapshot.max_file_bytes`).
    File(PathBuf, u64),
    /// Generated tokens.
    Generated(GenerateOptions),
}

/// Why a source could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read snapshot {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("snapshot {origin} is invalid; {source}")]
    Invalid {
        origin: String,
        source: SnapshotError,
    },
    #[error("cannot generate data: {0}")]
    Generate(io::Error),
}

/// Reads a snapshot file of at most `max_bytes` bytes, without waiting on what is not a
/// regular file: a FIFO, a device such as `/dev/zero`, a directory or a socket is refused at
/// once (it is opened without blocking and checked before any byte is read), and a file
/// larger than the limit is refused, however it grows while being read.
pub fn read_file(path: &Path, max_bytes: u64) -> io::Result<Vec<u8>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading waits for a writer unless asked not to; a regular file
        // reads the same either way.
        options.custom_flags(O_NONBLOCK);
    }
    let file = options.open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is not a regular file (a FIFO, a device, a directory or a socket)",
        ));
    }
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("is larger than snapshot.max_file_bytes ({max_bytes} bytes)"),
        )
    };
    if metadata.len() > max_bytes {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

/// `O_NONBLOCK` of Linux and the BSDs alike is not one number: Linux's.
#[cfg(all(unix, any(target_os = "linux", target_os = "android")))]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
const O_NONBLOCK: i32 = 0x0004;

impl LoadError {
    /// The error as text, listing at most `listed` problems of an invalid snapshot.
    pub fn listing(&self, listed: usize) -> String {
        match self {
            LoadError::Invalid { origin, source } => {
                format!("snapshot {origin} is invalid; {}", source.listing(listed))
            }
            other => other.to_string(),
        }
    }
}

impl Source {
    /// Reads and validates the data.
    pub fn load(&self) -> Result<Snapshot, LoadError> {
        self.load_with_secrets().map(|(snapshot, _)| snapshot)
    }

    /// Reads and validates the data; generated data also gives the secrets it handed out.
    pub fn load_with_secrets(&self) -> Result<(Snapshot, Vec<DemoSecret>), LoadError> {
        let invalid = |source| LoadError::Invalid {
            origin: self.to_string(),
            source,
        };
        match self {
            Source::Embedded => Ok((
                Snapshot::parse(DEFAULT_SNAPSHOT).map_err(invalid)?,
                Vec::new(),
            )),
            Source::File(path, max_bytes) => {
                let started = Instant::now();
                let bytes = read_file(path, *max_bytes).map_err(|source| LoadError::Read {
                    path: path.clone(),
                    source,
                })?;
                let read = started.elapsed();
                let snapshot = Snapshot::parse(&bytes).map_err(invalid)?;
                tracing::info!(
                    path = %path.display(),
                    bytes = bytes.len(),
                    read_ms = read.as_millis() as u64,
                    parse_ms = (started.elapsed() - read).as_millis() as u64,
                    "snapshot read and validated"
                );
                Ok((snapshot, Vec::new()))
            }
            Source::Generated(options) => {
                // About 270 bytes a token: reserving it up front saves most of the time.
                let mut bytes =
                    Vec::with_capacity(usize::try_from(options.tokens).unwrap_or(0) * 270);
                let secrets =
                    generate(options, &mut bytes, &mut |_| {}).map_err(LoadError::Generate)?;
                Ok((Snapshot::parse(&bytes).map_err(invalid)?, secrets))
            }
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Embedded => f.write_str("embedded demo data"),
            Source::File(path, _) => write!(f, "{}", path.display()),
            Source::Generated(o) => write!(f, "{} generated tokens, seed {}", o.tokens, o.seed),
        }
    }
}
