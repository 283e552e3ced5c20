//! Content codings (RFC 9110 §8.4): what an upstream compressed is decoded to be read (the
//! proxy's checks, `record`), never to be passed on; the proxy forwards the bytes as they came.
//!
//! Decoding is bounded: a body that decodes to more than the given limit is refused, so a
//! small compressed answer cannot make the process hold gigabytes.

use std::borrow::Cow;
use std::io::{self, Read};

/// Why a body could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// A coding other than `gzip`, `x-gzip`, `deflate`, `br`, `zstd` and `identity`.
    #[error("the content coding {0:?} is not one of gzip, deflate, br, zstd, identity")]
    Unsupported(String),
    /// The bytes are not what their coding says.
    #[error("the body is not valid {coding}: {error}")]
    Corrupt { coding: String, error: String },
    /// The decoded body is larger than the limit (bytes).
    #[error("the decoded body is larger than {0} bytes")]
    TooLarge(usize),
}

/// The codings named by every `Content-Encoding` value, in the order they were applied.
pub(crate) fn codings<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    values
        .into_iter()
        .flat_map(|value| value.split(','))
        .map(|coding| coding.trim().to_ascii_lowercase())
        .filter(|coding| !coding.is_empty() && coding != "identity")
        .collect()
}

/// Decodes `body`, to which `codings` were applied in this order, into at most `limit`
/// bytes. Without codings, or without bytes, the body comes back borrowed.
pub(crate) fn decode<'a>(
    codings: &[String],
    body: &'a [u8],
    limit: usize,
) -> Result<Cow<'a, [u8]>, DecodeError> {
    let mut current = Cow::Borrowed(body);
    // No bytes (HEAD, 204, 304) have nothing to decode, whatever the coding says.
    if body.is_empty() {
        return Ok(current);
    }
    // The last coding applied is the first to undo.
    for coding in codings.iter().rev() {
        current = Cow::Owned(decode_one(coding, &current, limit)?);
    }
    Ok(current)
}

fn decode_one(coding: &str, body: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    let result = match coding {
        "gzip" | "x-gzip" => read_bounded(flate2::read::MultiGzDecoder::new(body), limit),
        // RFC 9110 §8.4.1.2: `deflate` is the zlib format; some servers send raw deflate.
        "deflate" => {
            read_bounded(flate2::read::ZlibDecoder::new(body), limit).or_else(|e| match e {
                Bounded::Io(_) => read_bounded(flate2::read::DeflateDecoder::new(body), limit),
                too_large => Err(too_large),
            })
        }
        "br" => read_bounded(brotli::Decompressor::new(body, 4096), limit),
        "zstd" => match zstd::stream::read::Decoder::new(body) {
            Ok(decoder) => read_bounded(decoder, limit),
            Err(error) => Err(Bounded::Io(error)),
        },
        other => return Err(DecodeError::Unsupported(other.to_owned())),
    };
    result.map_err(|e| match e {
        Bounded::TooLarge => DecodeError::TooLarge(limit),
        Bounded::Io(error) => DecodeError::Corrupt {
            coding: coding.to_owned(),
            error: error.to_string(),
        },
    })
}

enum Bounded {
    TooLarge,
    Io(io::Error),
}

fn read_bounded(reader: impl Read, limit: usize) -> Result<Vec<u8>, Bounded> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(cap)
        .read_to_end(&mut out)
        .map_err(Bounded::Io)?;
    if out.len() > limit {
        return Err(Bounded::TooLarge);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const TEXT: &[u8] = br#"{"data":[],"meta":{"page":1,"per_page":25,"total":0,"total_pages":0}}"#;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).expect("in memory");
        encoder.finish().expect("in memory")
    }

    fn encoded(coding: &str, bytes: &[u8]) -> Vec<u8> {
        match coding {
            "gzip" => gzip(bytes),
            "deflate" => {
                let mut e =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(bytes).expect("in memory");
                e.finish().expect("in memory")
            }
            "br" => {
                let mut out = Vec::new();
                let mut e = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                e.write_all(bytes).expect("in memory");
                drop(e);
                out
            }
            "zstd" => zstd::encode_all(bytes, 3).expect("in memory"),
            _ => bytes.to_vec(),
        }
    }

    #[test]
    fn every_supported_coding_decodes_to_the_original() {
        for coding in ["gzip", "deflate", "br", "zstd"] {
            let body = encoded(coding, TEXT);
            let decoded = decode(&codings([coding]), &body, 1 << 20).expect(coding);
            assert_eq!(&*decoded, TEXT, "{coding}");
        }
    }

    #[test]
    fn raw_deflate_is_read_as_deflate_too() {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(TEXT).expect("in memory");
        let body = e.finish().expect("in memory");
        assert_eq!(
            &*decode(&codings(["deflate"]), &body, 1 << 20).expect("raw"),
            TEXT
        );
    }

    #[test]
    fn stacked_codings_are_undone_last_first() {
        let body = encoded("br", &gzip(TEXT));
        let decoded = decode(&codings(["gzip, br"]), &body, 1 << 20).expect("stacked");
        assert_eq!(&*decoded, TEXT);
    }

    #[test]
    fn an_empty_body_is_empty_whatever_its_coding() {
        for coding in ["gzip", "deflate", "br", "zstd", "compress"] {
            assert_eq!(&*decode(&codings([coding]), b"", 10).expect(coding), b"");
        }
    }

    #[test]
    fn identity_and_no_coding_borrow_the_body() {
        for values in [vec![], vec!["identity"], vec![" Identity "]] {
            let decoded = decode(&codings(values), TEXT, 10).expect("as is");
            assert!(matches!(decoded, Cow::Borrowed(_)));
        }
    }

    #[test]
    fn a_body_that_decodes_past_the_limit_is_refused() {
        let bomb = gzip(&vec![b' '; 1 << 20]);
        assert!(
            bomb.len() * 64 < 1 << 20,
            "a small body that decodes to 1 MiB"
        );
        let error = decode(&codings(["gzip"]), &bomb, 1 << 16).expect_err("too large");
        assert_eq!(error, DecodeError::TooLarge(1 << 16));
    }

    #[test]
    fn unknown_codings_and_corrupt_bodies_are_errors_naming_the_coding() {
        let unknown = decode(&codings(["compress"]), TEXT, 1 << 20).expect_err("unknown");
        assert_eq!(unknown, DecodeError::Unsupported("compress".to_owned()));
        for coding in ["gzip", "deflate", "br", "zstd"] {
            let error = decode(&codings([coding]), TEXT, 1 << 20).expect_err(coding);
            assert!(
                matches!(&error, DecodeError::Corrupt { coding: c, .. } if c == coding),
                "{coding}: {error:?}"
            );
        }
    }
}
