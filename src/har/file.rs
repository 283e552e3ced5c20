//! A HAR file written as exchanges happen: after each one the file is a whole HAR document,
//! so a process stopped at any moment leaves a file that opens.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use super::{Entry, Har, Log};

/// What closes the document after the last entry.
const CLOSING: &[u8] = b"\n]}}\n";

/// A HAR file open for appending entries.
pub(crate) struct HarFile {
    inner: Mutex<Writer>,
}

struct Writer {
    file: File,
    /// Where the closing bytes start: the next entry is written there.
    end: u64,
    entries: u64,
}

impl HarFile {
    /// Creates (or empties) the file at `path` and writes an empty log to it.
    pub(crate) fn create(path: &Path) -> io::Result<HarFile> {
        let mut file = File::create(path)?;
        let empty = serde_json::to_string(&Har { log: Log::new() }).map_err(io::Error::other)?;
        // `{"log":{...,"entries":[]}}`: cut before `]}}` to leave the array open.
        let open = empty
            .strip_suffix("]}}")
            .ok_or_else(|| io::Error::other("the empty log ends with its entries"))?;
        file.write_all(open.as_bytes())?;
        let end = open.len() as u64;
        file.write_all(CLOSING)?;
        file.flush()?;
        Ok(HarFile {
            inner: Mutex::new(Writer {
                file,
                end,
                entries: 0,
            }),
        })
    }

    /// Appends `entry` and closes the document again, flushed to the file.
    pub(crate) fn append(&self, entry: &Entry) -> io::Result<()> {
        let json = serde_json::to_vec(entry).map_err(io::Error::other)?;
        let mut writer = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Writer { file, end, entries } = &mut *writer;
        file.seek(SeekFrom::Start(*end))?;
        let separator: &[u8] = if *entries == 0 { b"\n" } else { b",\n" };
        file.write_all(separator)?;
        file.write_all(&json)?;
        let new_end = *end + (separator.len() + json.len()) as u64;
        file.write_all(CLOSING)?;
        file.flush()?;
        *end = new_end;
        *entries += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::har::NameValue;

    #[test]
    fn the_file_is_a_whole_har_after_each_entry() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("out.har");
        let file = HarFile::create(&path).expect("created");
        let read = || -> Har {
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("a HAR")
        };
        assert!(read().log.entries.is_empty());
        let headers: [NameValue; 0] = [];
        let exchange = crate::har::Exchange {
            started: chrono::Utc::now(),
            elapsed_ms: 1.0,
            method: "GET",
            url: "http://127.0.0.1/v1/tokens",
            http_version: "HTTP/1.1",
            request_headers: &headers,
            request_body: b"",
            status: 200,
            response_headers: &headers,
            response_body: b"{}",
            response_size: 2,
            limit_setting: "",
        };
        for _ in 0..3 {
            file.append(&exchange.entry()).expect("appended");
        }
        let har = read();
        assert_eq!(har.log.entries.len(), 3);
        assert_eq!(har.log.version, "1.2");
    }
}
