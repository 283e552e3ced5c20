//! The parallel reader: a large token array is cut into pieces that threads read and check at
//! once, each token on its own, and each thread sorts what it read (tokens in the index's
//! order, the hashes of ids and secrets); the sorted pieces are then merged in one pass, and
//! ids and secrets checked for duplicates while their hashes are merged.
//!
//! It takes only a snapshot without a single problem, and gives up (`None`) at the first one
//! it meets, or at anything it does not expect: the typed reader then reads the document
//! again from the start, and the locating one after it when needed, so that every problem is
//! reported as before. What it accepts, the typed reader accepts too, with the same result.
//!
//! # Where a token array is cut
//! Only at a comma between a `}` and a `{"id":"tok_`, with whitespace around. In valid JSON
//! that comma cannot lie inside a string (the `"` after the `{` would have to be escaped), but
//! nothing relies on it: the first piece must end exactly on the comma, the next one starts
//! after it, and each reads `token (, token)*`, so pieces that are read whole join into a
//! valid array whatever the document holds.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::num::NonZeroUsize;

use memchr::memmem;
use serde::de::IgnoredAny;
use serde::Deserialize;

use super::fast::FastToken;
use super::plain;
use super::runs;
use super::validate::{standalone, Shared, Validator};
use super::{Shape, Snapshot, TokenData, WorkspaceData, DEFAULT_WORKSPACE};
use crate::store::index::{id_hash, small};

/// How a large token array is cut into pieces.
#[derive(Clone, Copy, Debug)]
pub(super) struct Pieces {
    /// At most this many pieces, each read on its own thread.
    pub(super) threads: usize,
    /// Pieces smaller than this are not worth a thread.
    pub(super) min_bytes: usize,
}

impl Pieces {
    /// One piece a core, up to 8, of at least 1 MiB.
    pub(super) fn for_this_machine() -> Pieces {
        let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        Pieces {
            threads: cores.min(8),
            min_bytes: 1 << 20,
        }
    }
}
/// A `meta` value with this many opening brackets might nest deeper than the typed reader's
/// recursion limit allows inside the document; such a document is left to it.
const META_MAX_OPENINGS: usize = 64;

/// Reads and checks a document that has no problem; `None` for anything else.
pub(super) fn parse(bytes: &[u8], pieces: Pieces) -> Option<Snapshot> {
    let mut reader = Reader {
        pieces,
        cursor: Cursor { doc: bytes, pos: 0 },
        validator: Validator::default(),
        ids: Vec::new(),
        secrets: Vec::new(),
    };
    let workspaces = match reader.cursor.peek()? {
        b'[' => {
            reader.validator.shape = Shape::Bare;
            let tokens = reader.tokens()?;
            reader.default_workspace(tokens)
        }
        b'{' => reader.top()?,
        _ => return None,
    };
    if reader.cursor.peek().is_some() {
        return None;
    }
    let (ids, secrets) = (reader.ids, reader.secrets);
    let unique = std::thread::scope(|scope| {
        let secrets = scope.spawn(|| runs::all_different(secrets));
        runs::all_different(ids) && secrets.join().unwrap_or(false)
    });
    if !unique {
        return None;
    }
    // The pieces' sorted runs merged: every workspace's tokens are in the index's order.
    reader.validator.finish_ordered(workspaces).ok()
}

struct Reader<'a> {
    pieces: Pieces,
    cursor: Cursor<'a>,
    validator: Validator,
    /// The hashes of every token id read so far, one ascending run a piece.
    ids: Vec<Vec<u64>>,
    /// The hashes of every secret digest read so far, one ascending run a piece.
    secrets: Vec<Vec<u64>>,
}

impl<'a> Reader<'a> {
    /// `{"workspaces": [...]}` or `{"data": [...], "meta": {...}}`, as the typed reader takes
    /// them.
    fn top(&mut self) -> Option<Vec<WorkspaceData>> {
        self.cursor.expect(b'{')?;
        let mut found = None;
        if self.cursor.eat(b'}') {
            return None;
        }
        loop {
            let key: Cow<'a, str> = self.cursor.value()?;
            self.cursor.expect(b':')?;
            match key.as_ref() {
                "workspaces" if found.is_none() => {
                    self.validator.shape = Shape::Workspaces;
                    found = Some(self.workspaces()?);
                }
                "data" if found.is_none() => {
                    self.validator.shape = Shape::Data;
                    let tokens = self.tokens()?;
                    found = Some(self.default_workspace(tokens));
                }
                "meta" => {
                    self.cursor.skip_ws();
                    let start = self.cursor.pos;
                    self.cursor.value::<IgnoredAny>()?;
                    let span = &self.cursor.doc[start..self.cursor.pos];
                    let openings = span.iter().filter(|&&b| b == b'[' || b == b'{').count();
                    if openings >= META_MAX_OPENINGS {
                        return None;
                    }
                }
                _ => return None,
            }
            if !self.cursor.eat(b',') {
                self.cursor.expect(b'}')?;
                return found;
            }
        }
    }

    fn default_workspace(&mut self, tokens: Vec<TokenData>) -> Vec<WorkspaceData> {
        let name = Some("Default workspace".to_owned());
        let workspace = self
            .validator
            .workspace(0, Some(DEFAULT_WORKSPACE), name, tokens);
        workspace.into_iter().collect()
    }

    /// An array of `{"id": ..., "name": ..., "tokens": [...]}`, keys in any order.
    fn workspaces(&mut self) -> Option<Vec<WorkspaceData>> {
        self.cursor.expect(b'[')?;
        let mut workspaces = Vec::new();
        if self.cursor.eat(b']') {
            return Some(workspaces);
        }
        for w in 0.. {
            self.cursor.expect(b'{')?;
            let (mut id, mut name, mut tokens) = (None, None, None);
            if self.cursor.eat(b'}') {
                return None;
            }
            loop {
                let key: Cow<'a, str> = self.cursor.value()?;
                self.cursor.expect(b':')?;
                match key.as_ref() {
                    "id" if id.is_none() => id = Some(self.cursor.value::<Cow<'a, str>>()?),
                    "name" if name.is_none() => name = Some(self.cursor.value::<String>()?),
                    "tokens" if tokens.is_none() => tokens = Some(self.tokens()?),
                    _ => return None,
                }
                if !self.cursor.eat(b',') {
                    self.cursor.expect(b'}')?;
                    break;
                }
            }
            let (Some(id), Some(name), Some(tokens)) = (id, name, tokens) else {
                return None;
            };
            workspaces.extend(self.validator.workspace(w, Some(&id), Some(name), tokens));
            if !self.cursor.eat(b',') {
                self.cursor.expect(b']')?;
                break;
            }
        }
        Some(workspaces)
    }

    /// An array of tokens, read in pieces on several threads when it is large, in the
    /// index's order (`created_at`, then `id`).
    fn tokens(&mut self) -> Option<Vec<TokenData>> {
        self.cursor.expect(b'[')?;
        if self.cursor.eat(b']') {
            return Some(Vec::new());
        }
        let doc = self.cursor.doc;
        let start = self.cursor.pos;
        let cuts = cuts(doc, start, self.pieces);
        // Piece i runs from after cut i - 1 to cut i; the last one to the array's end.
        let bounds: Vec<(usize, Option<usize>)> = std::iter::once(start)
            .chain(cuts.iter().map(|&cut| cut + 1))
            .zip(cuts.iter().map(|&cut| Some(cut)).chain([None]))
            .collect();
        let pieces: Vec<Option<Piece>> = std::thread::scope(|scope| {
            let others: Vec<_> = bounds[1..]
                .iter()
                .map(|&(from, until)| scope.spawn(move || piece(doc, from, until)))
                .collect();
            let first = piece(doc, bounds[0].0, bounds[0].1);
            std::iter::once(first)
                .chain(others.into_iter().map(|h| h.join().ok().flatten()))
                .collect()
        });
        let mut read = Vec::new();
        for piece in pieces {
            let piece = piece?;
            self.ids.push(piece.ids);
            self.secrets.push(piece.secrets);
            read.push(piece.tokens);
            if let Some(end) = piece.array_end {
                // The array ended in this piece: any later one read past it, into what
                // follows, and is not used.
                self.cursor.pos = end;
                return Some(runs::merge(read, runs::by_listing));
            }
        }
        None
    }
}

/// What a thread read: its tokens in the index's order, and the hashes of their ids and
/// secrets, sorted.
struct Piece {
    tokens: Vec<TokenData>,
    ids: Vec<u64>,
    secrets: Vec<u64>,
    /// Just after the array's `]` when the array ended in this piece.
    array_end: Option<usize>,
}

/// Reads `token (, token)*` from `from`, up to the comma at `until` or the array's end; `None`
/// at the first problem, or when it passes `until` without ending on it.
fn piece(doc: &[u8], from: usize, until: Option<usize>) -> Option<Piece> {
    // About 250 bytes of JSON a token.
    let expected = until.unwrap_or(doc.len()).saturating_sub(from) / 240;
    let mut piece = Piece {
        tokens: Vec::new(),
        ids: Vec::with_capacity(expected),
        secrets: Vec::with_capacity(expected),
        array_end: None,
    };
    let digests = ahash::RandomState::with_seeds(1, 2, 3, 4);
    let mut cursor = Cursor { doc, pos: from };
    let mut shared = Shared::default();
    let mut problems = Vec::new();
    // Each token as read (until it is moved to its place) and its key: its creation time,
    // whole seconds, and where it was read.
    let mut read: Vec<Option<TokenData>> = Vec::with_capacity(expected);
    let mut order: Vec<(i64, u32)> = Vec::with_capacity(expected);
    let mut window = Window::default();
    loop {
        let plain = window
            .around(doc, cursor.pos, until)
            .and_then(|text| plain::token(text, cursor.pos - window.start));
        let raw: FastToken<'_> = match plain {
            Some((raw, end)) => {
                cursor.pos = window.start + end;
                raw
            }
            None => cursor.value()?,
        };
        let data = standalone(raw.into(), &mut shared, &mut problems)?;
        piece.ids.push(id_hash(&data.token.id));
        if let Some(digest) = &data.secret {
            piece.secrets.push(digests.hash_one(digest));
        }
        order.push((data.token.created_at.timestamp(), small(read.len())));
        read.push(Some(data));
        match cursor.peek()? {
            b',' if Some(cursor.pos) == until => return Some(sorted(piece, read, order)),
            b',' if until.is_none_or(|until| cursor.pos < until) => cursor.pos += 1,
            b']' => {
                piece.array_end = Some(cursor.pos + 1);
                return Some(sorted(piece, read, order));
            }
            _ => return None,
        }
    }
}

/// The part of a piece the plain reader reads from: text checked as UTF-8 once, a window at a
/// time. A piece that reaches the document's end (the last of an array) would otherwise check
/// all that follows its array, once for every array; a token that crosses a window's end, or
/// a window that is not UTF-8, is left to serde_json, which reads it or says where it fails.
#[derive(Default)]
struct Window<'a> {
    start: usize,
    text: Option<&'a str>,
    end: usize,
}

impl<'a> Window<'a> {
    /// Bytes checked at once: the first window of a piece is small (an array may be), the
    /// others larger.
    const FIRST: usize = 64 << 10;
    const NEXT: usize = 1 << 20;
    /// A window is moved on when fewer bytes than this are left in it: more than any plain
    /// token takes (four 256-character names' worth).
    const MARGIN: usize = 4 << 10;

    /// The text from `pos` on, up to the piece's end `until` (the document's end when it has
    /// none), in a window that holds at least [`Window::MARGIN`] bytes after `pos` when the
    /// piece does.
    fn around(&mut self, doc: &'a [u8], pos: usize, until: Option<usize>) -> Option<&'a str> {
        let limit = until.unwrap_or(doc.len()).min(doc.len());
        if pos < self.start || (pos + Self::MARGIN > self.end && self.end < limit) {
            let size = if self.end == 0 {
                Self::FIRST
            } else {
                Self::NEXT
            };
            let mut end = pos.saturating_add(size).min(limit);
            // End between characters: not on a UTF-8 continuation byte.
            while end > pos && end < limit && doc[end] & 0xC0 == 0x80 {
                end -= 1;
            }
            self.start = pos;
            self.end = end.max(pos);
            self.text = doc
                .get(pos..self.end)
                .and_then(|bytes| std::str::from_utf8(bytes).ok());
        }
        self.text
    }
}

/// The piece with its tokens and its hashes sorted, on the thread that read it. Tokens are
/// large (about 150 bytes each): their keys are sorted, and each token is then moved once,
/// to its place.
fn sorted(mut piece: Piece, mut read: Vec<Option<TokenData>>, mut order: Vec<(i64, u32)>) -> Piece {
    piece.ids.sort_unstable();
    piece.secrets.sort_unstable();
    // Creation times are whole seconds: one number orders nearly all tokens, and the few of
    // the same second are ordered by their whole key.
    let by_key = |a: &(i64, u32), b: &(i64, u32)| {
        a.0.cmp(&b.0)
            .then_with(|| match (&read[a.1 as usize], &read[b.1 as usize]) {
                (Some(a), Some(b)) => runs::by_listing(a, b),
                _ => Ordering::Equal,
            })
    };
    if order.is_sorted_by(|a, b| by_key(a, b).is_le()) {
        // A file written in the index's order (an export) stays as it is.
        piece.tokens = read.into_iter().flatten().collect();
        return piece;
    }
    order.sort_unstable_by(by_key);
    piece.tokens = (order.iter())
        .filter_map(|&(_, i)| read.get_mut(i as usize).and_then(Option::take))
        .collect();
    piece
}

/// Where to cut the array that starts at `start` (just after its `[`): commas, ascending,
/// about evenly spread over the rest of the document.
fn cuts(doc: &[u8], start: usize, pieces: Pieces) -> Vec<usize> {
    let rest = doc.len() - start;
    let pieces = pieces.threads.min(rest / pieces.min_bytes.max(1)).max(1);
    let finder = memmem::Finder::new(br#"{"id":"tok_"#);
    let mut cuts: Vec<usize> = Vec::with_capacity(pieces);
    for i in 1..pieces {
        let mut from = (start + rest / pieces * i).max(cuts.last().map_or(start, |&c| c + 1));
        // A few tries: a name may hold the pattern, escaped.
        for _ in 0..16 {
            let Some(found) = finder.find(&doc[from..]).map(|at| from + at) else {
                break;
            };
            if let Some(comma) = comma_before(doc, found) {
                cuts.push(comma);
                break;
            }
            from = found + 1;
        }
    }
    cuts
}

/// The comma of `}`, `,` and `{` at `open`, whitespace allowed between them.
fn comma_before(doc: &[u8], open: usize) -> Option<usize> {
    let before = |end: usize| doc[..end].iter().rposition(|b| !is_ws(*b));
    let comma = before(open).filter(|&at| doc[at] == b',')?;
    before(comma).filter(|&at| doc[at] == b'}').map(|_| comma)
}

/// The whitespace JSON allows between tokens.
fn is_ws(byte: u8) -> bool {
    matches!(byte, b' ' | b'\n' | b'\t' | b'\r')
}

/// A position in the document, moved over punctuation by hand and over values by serde_json.
struct Cursor<'a> {
    doc: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn skip_ws(&mut self) {
        while self.doc.get(self.pos).is_some_and(|&b| is_ws(b)) {
            self.pos += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.doc.get(self.pos).copied()
    }

    /// Consumes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    /// The next JSON value, borrowing from the document where it can.
    fn value<T: Deserialize<'a>>(&mut self) -> Option<T> {
        let doc: &'a [u8] = self.doc;
        let mut stream = serde_json::Deserializer::from_slice(&doc[self.pos..]).into_iter::<T>();
        let value = stream.next()?.ok()?;
        self.pos += stream.byte_offset();
        Some(value)
    }
}
