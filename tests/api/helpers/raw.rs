//! Raw TCP: bytes that an HTTP client would refuse to send, and what comes back.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long a raw connection may stay silent before the server is deemed to hang.
pub const RAW_TIMEOUT: Duration = Duration::from_secs(10);

/// What came back on a raw connection.
#[derive(Debug)]
pub struct RawResponse {
    /// The status of the response, or `None` if the server closed the connection without one.
    pub status: Option<u16>,
    /// Everything read, as text (invalid UTF-8 replaced).
    pub text: String,
}

/// Opens a connection to `address` and writes `bytes` exactly as given: what `reqwest`
/// refuses to send (raw bytes above 0x7f, NUL, half a request, no HTTP at all).
pub fn send_raw(address: SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(address).expect("the server accepts connections");
    stream
        .set_read_timeout(Some(RAW_TIMEOUT))
        .expect("a read timeout");
    stream
        .set_write_timeout(Some(RAW_TIMEOUT))
        .expect("a write timeout");
    // The server may refuse and close before it has read everything: that is an answer too.
    let _ = stream.write_all(bytes).and_then(|()| stream.flush());
    stream
}

/// Reads until the server closes the connection; panics if it stays silent for
/// [`RAW_TIMEOUT`]. Runs on the blocking pool, so an in-process server keeps running.
pub async fn read_until_closed(mut stream: TcpStream) -> RawResponse {
    tokio::task::spawn_blocking(move || {
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    panic!(
                        "no answer and no close within {RAW_TIMEOUT:?}; read so far: {:?}",
                        String::from_utf8_lossy(&received)
                    )
                }
                // A reset after (or instead of) a response: the connection is closed.
                Err(_) => break,
            }
        }
        let text = String::from_utf8_lossy(&received).into_owned();
        let status = text
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok());
        RawResponse { status, text }
    })
    .await
    .expect("the reading task completes")
}

/// Writes `bytes` on a fresh connection and reads until the server closes it.
pub async fn raw_exchange(address: SocketAddr, bytes: &[u8]) -> RawResponse {
    read_until_closed(send_raw(address, bytes)).await
}
