//! Opening the snapshot file: a regular file only, never anything else that stands at its
//! path. A FIFO's open waits for a writer and a device (`/dev/zero`) never ends: either would
//! hold start-up, a reload (`--watch`, SIGHUP) and, through it, the shutdown that waits for
//! the reload to finish.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;

/// Opens `path` for reading if it is a regular file (a symbolic link to one will do).
///
/// The open itself never waits: it is non-blocking (`O_NONBLOCK`, which changes nothing for
/// a regular file's reads), and the type is checked on what was opened, so a FIFO put in the
/// file's place between a check and the open is refused all the same.
///
/// # Errors
/// The open's error, or `InvalidInput` naming the kind of file found.
pub(crate) fn open(path: &Path) -> io::Result<File> {
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

/// Reads the whole regular file at `path` (see [`open`]), of at most `max_bytes`
/// (`snapshot.max_file_bytes`): a larger file is refused by its size before a byte is read,
/// and one that grows past it while read is refused when it does.
///
/// # Errors
/// As [`open`], the read's error, or `InvalidData` naming the setting.
pub(crate) fn read(path: &Path, max_bytes: u64) -> io::Result<Vec<u8>> {
    let file = open(path)?;
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("is larger than snapshot.max_file_bytes ({max_bytes} bytes)"),
        )
    };
    let length = file.metadata()?.len();
    if length > max_bytes {
        return Err(too_large());
    }
    if let Some(bytes) = read_in_parts(&file, length) {
        return Ok(bytes);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Reads a large file of `length` bytes in parts, one thread each, into one buffer of exactly
/// its size: the copy out of the page cache and the faults of fresh memory are most of a
/// read, and they divide. `None` when the file is small, or its length changed while read
/// (then [`read`] reads it again in one go, which sees the change).
fn read_in_parts(file: &File, length: u64) -> Option<Vec<u8>> {
    const MIN_PART_BYTES: usize = 16 << 20;
    let length = usize::try_from(length).ok()?;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let parts = cores.min(4).min(length / MIN_PART_BYTES);
    if parts < 2 {
        return None;
    }
    let mut bytes = vec![0u8; length];
    let part = length.div_ceil(parts);
    let read = std::thread::scope(|scope| {
        let readers: Vec<_> = bytes
            .chunks_mut(part)
            .enumerate()
            .map(|(i, chunk)| scope.spawn(move || file.read_exact_at(chunk, (i * part) as u64)))
            .collect();
        readers
            .into_iter()
            .all(|reader| reader.join().is_ok_and(|read| read.is_ok()))
    });
    // One byte more would mean the file grew while it was read.
    let ended = file
        .read_at(&mut [0u8], length as u64)
        .is_ok_and(|n| n == 0);
    (read && ended).then_some(bytes)
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

        assert_eq!(read(&file, 1 << 20).expect("read"), b"{}");
        for refused in [fifo.as_path(), dir.path(), Path::new("/dev/zero")] {
            let error = read(refused, 1 << 20).expect_err("refused");
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{refused:?}");
        }
    }

    #[test]
    fn a_large_file_read_in_parts_is_read_byte_for_byte() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let file = dir.path().join("large.json");
        let written: Vec<u8> = (0..(40u32 << 20) + 7).map(|i| (i % 251) as u8).collect();
        std::fs::write(&file, &written).expect("written");
        let opened = open(&file).expect("opened");
        let parts = read_in_parts(&opened, written.len() as u64);
        if std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
            assert!(parts.as_ref().is_some_and(|read| *read == written));
        }
        assert!(read(&file, 1 << 30).expect("read") == written);
        let too_large = read(&file, (40 << 20) - 1).expect_err("refused");
        assert_eq!(too_large.kind(), io::ErrorKind::InvalidData);
    }
}
