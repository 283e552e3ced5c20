//! Where the served data comes from: the embedded demo data, a file, or generated tokens.
//! Start-up, `POST /__admin/reset` and the file watcher all load through here.

use std::io;
use std::path::PathBuf;
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
    pub(crate) fn load_with_secrets(&self) -> Result<(Snapshot, Vec<DemoSecret>), LoadError> {
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
                let bytes =
                    super::regular::read(path, *max_bytes).map_err(|source| LoadError::Read {
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
