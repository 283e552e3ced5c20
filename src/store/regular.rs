//! Opening the snapshot file: a regular file only, never anything else that stands at its
//! path. A FIFO's open waits for a writer and a device (`/dev/zero`) never ends: either would
//! hold start-up, a reload (`--watch`, SIGHUP) and, through it, the shutdown that waits for
//! the reload to finish.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Opens `path` for reading if it is a regular file (a symbolic link to one will do).
///
/// The open itself never waits: it is non-blocking (`O_NONBLOCK`, which changes nothing for
/// a regular file's reads), and the type is checked on what was opened, so a FIFO put in the
/// file's place between a check and the open is refused all the same.
///
/// # Errors
/// The open's error, or `InvalidInput` naming the kind of file found.
pub fn open(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let kind = file.metadata()?.file_type();
    if kind.is_file() {
        return Ok(file);
    }
    let found = if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file (a FIFO, socket or device)"
    };
    Err(io::Error::new(io::ErrorKind::InvalidInput, found))
}

/// Reads the whole regular file at `path` (see [`open`]).
///
/// # Errors
/// As [`open`], or the read's error.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = open(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_and_anything_else_is_refused_without_waiting() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let file = dir.path().join("snapshot.json");
        std::fs::write(&file, b"{}").expect("written");
        let fifo = dir.path().join("fifo.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");

        assert_eq!(read(&file).expect("read"), b"{}");
        for refused in [fifo.as_path(), dir.path(), Path::new("/dev/zero")] {
            let error = read(refused).expect_err("refused");
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{refused:?}");
        }
    }
}
