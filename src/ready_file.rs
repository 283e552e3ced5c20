//! The ready file (`--ready-file PATH`, `server.ready_file`): once the listener is bound and the
//! data loaded, `serve` writes one JSON object naming its URLs, so that launchers (the npm
//! package's `start()`, scripts, CI) learn the port chosen by `--port 0` without parsing the
//! banner.
//!
//! The file appears whole or not at all: it is written to a temporary file in the same
//! directory, then renamed over PATH. `serve` removes it again when it stops.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// What the ready file holds: `{"url", "api", "admin", "docs", "openapi", "pid", "version"}`.
#[derive(Debug, Serialize)]
pub(crate) struct ReadyReport {
    /// The base URL, `http://127.0.0.1:PORT` (an unspecified address is reported as loopback).
    pub url: String,
    /// `{url}/v1/tokens`.
    pub api: String,
    /// `{url}/__admin`, the admin API's server (its document is at `{admin}/openapi.json`).
    pub admin: String,
    /// `{url}/docs/`, Swagger UI.
    pub docs: String,
    /// `{url}/openapi.json`.
    pub openapi: String,
    /// The server's process id.
    pub pid: u32,
    /// The server's version, as `--version` prints it.
    pub version: &'static str,
}

impl ReadyReport {
    /// The report of a server listening on `address`.
    pub(crate) fn new(address: SocketAddr) -> ReadyReport {
        let url = base_url(address);
        ReadyReport {
            api: format!("{url}/v1/tokens"),
            admin: format!("{url}/__admin"),
            docs: format!("{url}/docs/"),
            openapi: format!("{url}/openapi.json"),
            pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION"),
            url,
        }
    }

    /// Writes the report to `path` atomically: a temporary file beside it, then a rename.
    ///
    /// # Errors
    /// Any I/O error creating, writing or renaming the file (the temporary file is removed).
    pub(crate) fn write(&self, path: &Path) -> io::Result<()> {
        let temporary = temporary_beside(path);
        let written = (|| {
            let mut file = std::fs::File::create(&temporary)?;
            serde_json::to_writer(&mut file, self)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            std::fs::rename(&temporary, path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }
}

/// `http://HOST:PORT` of a listening address: an unspecified address (0.0.0.0, ::) is reached
/// on 127.0.0.1, an IPv6 one is written in brackets.
pub(crate) fn base_url(address: SocketAddr) -> String {
    let ip = address.ip();
    if ip.is_unspecified() {
        format!("http://127.0.0.1:{}", address.port())
    } else {
        format!("http://{address}")
    }
}

/// `DIR/.NAME.PID.tmp` for `DIR/NAME`: same directory, so the rename cannot cross file systems.
fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "ready".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unspecified_address_is_reported_as_loopback_and_ipv6_in_brackets() {
        assert_eq!(
            base_url("0.0.0.0:9000".parse().expect("address")),
            "http://127.0.0.1:9000"
        );
        assert_eq!(
            base_url("[::1]:9000".parse().expect("address")),
            "http://[::1]:9000"
        );
        assert_eq!(
            base_url("127.0.0.1:80".parse().expect("address")),
            "http://127.0.0.1:80"
        );
    }
}
