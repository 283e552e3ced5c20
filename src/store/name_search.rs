//! Which folded names contain a needle, 64 bytes at a time.
//!
//! The folded names of a workspace lie back to back, each followed by the separator 0xFF
//! (see [`super::index`]). A search reads them in blocks of 64 bytes and makes two masks of
//! each, one bit a byte: where the needle may start (its first byte there, its second one
//! byte further on, its last byte the needle's length less one further on: exactly where it
//! starts for a needle of up to three bytes, the other bytes of a longer one compared at each
//! such place), and where the separators are.
//!
//! Why not a substring search restarted after each match (memchr's memmem): a fifth of the
//! names holding `ci` makes a match every hundred bytes or so, and each restart, its set-up
//! and the search for the matched name's end cost more than the bytes between matches.
//! Here a match costs nothing of its own. Which names hold one is bit arithmetic: the
//! complement of the separators has a run of ones for each name; adding the matches to it
//! carries each match up to its name's separator and no further (the separator's bit is 0, so
//! the carry sets it and stops), however many matches the name holds. The separators that
//! end a matching name are the sum's bits that are separators, and a carry out of the block
//! says that the name running into the next block already holds a match.
//!
//! A matching name is named by the position of its separator, which is enough to find its
//! token ([`super::index::Workspace::token_at`]). The masks are made of 16-byte vectors with
//! the `wide` crate: SSE2 on x86-64 (which every such processor has), NEON on 64-bit ARM, plain
//! arrays elsewhere, and no unsafe code here.
//!
//! Where matches are rare, reading every block costs more than memchr's substring search
//! skipping to the next match: a chunk (4 KiB of names) that found matches in few of its
//! blocks makes the next chunk jump, when no name is open with a match, straight to the block
//! of the next match that memmem finds; a chunk that found many reads every block.

use memchr::memmem::Finder;
use wide::u8x16;

/// Bytes a block: one bit of a `u64` each.
const BLOCK: usize = 64;

/// Blocks a chunk: the masks are made a chunk at a time, and a [`Tally`] keeps the count of
/// matching names before each chunk (4 KiB of names), where a later search may start again.
const CHUNK_BLOCKS: usize = 64;

/// Bytes a chunk.
const CHUNK: usize = BLOCK * CHUNK_BLOCKS;

/// A chunk with a match in more than this many of its blocks makes the next chunk read every
/// block rather than jump from match to match (a jump costs a search's start, about as much
/// as the masks of a few blocks).
const DENSE_BLOCKS: usize = 8;

/// What follows every folded name; no needle holds it (it is never part of UTF-8).
const SEPARATOR: u8 = 0xFF;

/// The masks of one block of names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Block {
    /// Where the block starts in the names.
    at: usize,
    /// The separators (bit `i`: byte `i` of the block) that end a name holding the needle.
    hits: u64,
    /// Every separator of the block.
    seps: u64,
    /// The separators between the block before (or the start) and this one, in the blocks
    /// jumped over; counted only by a search that numbers the names.
    gap: usize,
}

/// A needle to search folded names for: folded text, so without the separator.
#[derive(Clone, Debug)]
pub(super) struct Needle<'a> {
    bytes: &'a [u8],
    /// The first, second and last bytes (the first for a missing second).
    ends: [u8; 3],
    finder: Finder<'a>,
}

impl<'a> Needle<'a> {
    /// A needle of folded text.
    pub(super) fn new(needle: &'a str) -> Needle<'a> {
        Needle::of_bytes(needle.as_bytes())
    }

    /// A needle of any bytes but the separator.
    fn of_bytes(bytes: &'a [u8]) -> Needle<'a> {
        debug_assert!(
            !bytes.contains(&SEPARATOR),
            "a needle without the separator"
        );
        let first = bytes.first().copied().unwrap_or(SEPARATOR);
        let second = bytes.get(1).copied().unwrap_or(first);
        let last = bytes.last().copied().unwrap_or(SEPARATOR);
        Needle {
            bytes,
            ends: [first, second, last],
            finder: Finder::new(bytes),
        }
    }

    /// Where the needle (at least one byte) starts in the first 64 bytes of `block`, and where
    /// the separators are; bit `i` for byte `i`. `block` holds those 64 bytes and the needle's
    /// length less one more (else nothing is found); `SECOND`: the needle has at least three
    /// bytes.
    #[inline(always)]
    fn masks<const SECOND: bool>(&self, block: &[u8]) -> (u64, u64) {
        let bytes = self.bytes;
        let offset = bytes.len().saturating_sub(1);
        let (mut found, seps) = masks::<SECOND>(block, self.ends, offset);
        if bytes.len() > 3 {
            // First, second and last bytes compared: the others, at each candidate.
            let middle = &bytes[2..offset];
            let mut candidates = found;
            while candidates != 0 {
                let i = candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                if !block[i + 2..i + offset].iter().eq(middle) {
                    found &= !(1 << i);
                }
            }
        }
        (found, seps)
    }

    /// Counts the names of `names` (folded names, each followed by the separator; empty, or
    /// starting where a name starts) that hold the needle, keeping the count before every
    /// chunk so that [`Needle::hits_from`] can start near any of them.
    pub(super) fn tally(&self, names: &[u8]) -> Tally {
        let mut tally = Tally {
            total: 0,
            chunks: Vec::with_capacity(names.len().div_ceil(CHUNK)),
        };
        let mut cursor = Cursor::new(0, false, false);
        while cursor.at < names.len() {
            tally.chunks.push((tally.total, cursor.carry));
            let total = &mut tally.total;
            cursor.fill(self, names, &mut |block| {
                *total += u64::from(block.hits.count_ones());
            });
        }
        tally
    }

    /// The matching names of `names` from the `skip`th one on (counted from 0), ascending;
    /// `tally` is `names`' own. Only their positions ([`Hit::at`]) tell where they are.
    pub(super) fn hits_from(&self, names: &'a [u8], tally: &Tally, skip: u64) -> Hits<'a> {
        // The last chunk with at most `skip` matching names before it.
        let chunk = tally.chunks.partition_point(|&(before, _)| before <= skip);
        let (before, carry) = chunk.checked_sub(1).map_or((0, false), |c| tally.chunks[c]);
        let at = chunk.saturating_sub(1) * CHUNK;
        let mut hits = Hits::new(self.clone(), names, Cursor::new(at, carry, false));
        for _ in before..skip {
            if hits.next().is_none() {
                break;
            }
        }
        hits
    }

    /// Every matching name of `names`, from the first, numbered ([`Hit::name`]).
    pub(super) fn hits(self, names: &'a [u8]) -> Hits<'a> {
        Hits::new(self, names, Cursor::new(0, false, true))
    }
}

/// What [`Needle::tally`] found in a range of names: how many hold the needle, and how many
/// before each chunk of [`CHUNK`] bytes.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// The names that hold the needle.
    pub(super) total: u64,
    /// For each chunk: the matching names before it, and whether the name running into it
    /// holds the needle before it starts.
    chunks: Vec<(u64, bool)>,
}

/// Where a search is in the names.
struct Cursor {
    /// The next block to read (a multiple of [`BLOCK`]).
    at: usize,
    /// Whether the name running into that block holds the needle before it.
    carry: bool,
    /// Whether to read every block of the current chunk (else jump to the next match).
    dense: bool,
    /// Where the next match starts (the names' length for none), once looked for; stale
    /// when before `at`.
    next_match: Option<usize>,
    /// Whether to count the separators of the blocks jumped over ([`Block::gap`]), and
    /// from where.
    count_gaps: bool,
    gap_from: usize,
}

impl Cursor {
    fn new(at: usize, carry: bool, count_gaps: bool) -> Cursor {
        Cursor {
            at,
            carry,
            dense: false,
            next_match: None,
            count_gaps,
            gap_from: at,
        }
    }

    /// Reads the current chunk of `names` (from `at`, the start of a chunk, to the chunk's
    /// end), handing the masks of each block read to `take`, in order. Blocks jumped over
    /// hold no match, and no name with one runs through them.
    fn fill(&mut self, needle: &Needle<'_>, names: &[u8], take: &mut impl FnMut(Block)) {
        match needle.bytes.len() {
            0 => self.fill_empty(names, take),
            1 | 2 => self.fill_with::<false>(needle, names, take),
            _ => self.fill_with::<true>(needle, names, take),
        }
    }

    /// [`Cursor::fill`] for a needle of at least one byte; `SECOND`: of at least three.
    #[inline(always)]
    fn fill_with<const SECOND: bool>(
        &mut self,
        needle: &Needle<'_>,
        names: &[u8],
        take: &mut impl FnMut(Block),
    ) {
        let end = names.len().min((self.at / CHUNK + 1) * CHUNK);
        // The bytes a block's masks read: the block and the rest of a needle starting in it.
        let span = BLOCK + needle.bytes.len() - 1;
        // Blocks before this one are read in place; from it on, through a copy.
        let in_place = (names.len() + 1).saturating_sub(span).min(end);
        let mut matched = 0;
        while self.at < end {
            if self.dense && self.at < in_place {
                // Every block, in a loop of its own (the blocks jumped over end here).
                let (mut at, mut carry) = (self.at, self.carry);
                let mut gap = self.gap(names);
                while at < in_place {
                    let (found, seps) = needle.masks::<SECOND>(&names[at..at + span]);
                    let hits = carried(found, seps, &mut carry);
                    take(Block {
                        at,
                        hits,
                        seps,
                        gap,
                    });
                    gap = 0;
                    matched += usize::from(found != 0);
                    at += BLOCK;
                }
                (self.at, self.carry, self.gap_from) = (at, carry, at);
                continue;
            }
            if !self.carry && !self.dense {
                let next = match self.next_match {
                    Some(next) if next >= self.at => next,
                    _ => {
                        let next = needle
                            .finder
                            .find(&names[self.at..])
                            .map_or(names.len(), |n| self.at + n);
                        self.next_match = Some(next);
                        next
                    }
                };
                if next >= end {
                    self.at = end;
                    break;
                }
                self.at = next - next % BLOCK;
            }
            let (found, seps) = match names.get(self.at..self.at + span) {
                Some(block) => needle.masks::<SECOND>(block),
                None => {
                    // The last blocks: past the names, separators, which no needle holds.
                    let mut tail = names[self.at..].to_vec();
                    tail.resize(span, SEPARATOR);
                    needle.masks::<SECOND>(&tail)
                }
            };
            let hits = carried(found, seps, &mut self.carry);
            take(Block {
                at: self.at,
                hits,
                seps,
                gap: self.gap(names),
            });
            matched += usize::from(found != 0);
            self.at += BLOCK;
            self.gap_from = self.at;
        }
        self.dense = matched > DENSE_BLOCKS;
    }

    /// The separators of `names` from the end of the last block read to `at`, when counted.
    fn gap(&self, names: &[u8]) -> usize {
        match self.count_gaps && self.gap_from < self.at {
            true => memchr::memchr_iter(SEPARATOR, &names[self.gap_from..self.at]).count(),
            false => 0,
        }
    }

    /// [`Cursor::fill`] for the empty needle, which every name holds: every separator is a
    /// hit, and every block is read.
    fn fill_empty(&mut self, names: &[u8], take: &mut impl FnMut(Block)) {
        let end = names.len().min((self.at / CHUNK + 1) * CHUNK);
        while self.at < end {
            let block = &names[self.at..names.len().min(self.at + BLOCK)];
            let seps = block
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == SEPARATOR)
                .fold(0u64, |mask, (i, _)| mask | 1 << i);
            take(Block {
                at: self.at,
                hits: seps,
                seps,
                gap: 0,
            });
            self.at += BLOCK;
        }
    }
}

/// The separators of a block that end a name holding the needle, from where the needle
/// starts (`found`) and where the separators are (`seps`); `carry` says whether the name
/// running into the block holds it, and then whether the name running out of it does.
#[inline(always)]
fn carried(found: u64, seps: u64, carry: &mut bool) -> u64 {
    // Each name is a run of ones in `!seps`; a match carries up to its separator.
    let (sum, over) = (!seps).overflowing_add(found);
    let (sum, over_again) = sum.overflowing_add(u64::from(*carry));
    *carry = over | over_again;
    sum & seps
}
/// Where a needle of bytes `[first, second, .., last]` may start in the first 64 bytes of
/// `block` (exactly where it does for a needle of at most 3 bytes; `SECOND` says whether to
/// compare the second byte, which a needle of 1 or 2 bytes does not need), and where the
/// separators are; bit `i` for byte `i`. `block` holds at least `64 + offset` bytes, `offset`
/// being the needle's length less one (none set otherwise).
#[inline(always)]
fn masks<const SECOND: bool>(
    block: &[u8],
    [first, second, last]: [u8; 3],
    offset: usize,
) -> (u64, u64) {
    let (Some(here), Some(next), Some(later)) = (
        block.first_chunk::<BLOCK>(),
        block[1.min(offset)..].first_chunk::<BLOCK>(),
        block[offset..].first_chunk::<BLOCK>(),
    ) else {
        return (0, 0);
    };
    let (first, second, last) = (
        u8x16::splat(first),
        u8x16::splat(second),
        u8x16::splat(last),
    );
    let separator = u8x16::splat(SEPARATOR);
    let (here, next, later) = (
        here.as_chunks::<16>().0,
        next.as_chunks::<16>().0,
        later.as_chunks::<16>().0,
    );
    let (mut found, mut seps) = (0, 0);
    for k in 0..BLOCK / 16 {
        let lane = u8x16::from(here[k]);
        let mut starts = lane.cmp_eq(first) & u8x16::from(later[k]).cmp_eq(last);
        if SECOND {
            starts &= u8x16::from(next[k]).cmp_eq(second);
        }
        found |= u64::from(starts.move_mask() as u16) << (16 * k);
        seps |= u64::from(lane.cmp_eq(separator).move_mask() as u16) << (16 * k);
    }
    (found, seps)
}

/// The names that hold a needle, ascending; made a chunk of masks at a time.
pub(super) struct Hits<'a> {
    needle: Needle<'a>,
    names: &'a [u8],
    cursor: Cursor,
    blocks: Box<[Block; CHUNK_BLOCKS]>,
    /// The blocks of `blocks` made, and the next one to read.
    filled: usize,
    read: usize,
    /// Where the current block starts in `names`, its hits not yet handed out and its
    /// separators.
    block_at: usize,
    hits: u64,
    seps: u64,
    /// The separators before the current block, from where the search started (counted
    /// only by [`Needle::hits`]).
    ends: usize,
}

impl<'a> Hits<'a> {
    fn new(needle: Needle<'a>, names: &'a [u8], cursor: Cursor) -> Hits<'a> {
        Hits {
            needle,
            names,
            cursor,
            blocks: Box::new([Block::default(); CHUNK_BLOCKS]),
            filled: 0,
            read: 0,
            block_at: 0,
            hits: 0,
            seps: 0,
            ends: 0,
        }
    }
}

/// A name that holds the needle: where its separator is in the names searched, and how many
/// separators lie between where the search started and it (for a search from the first
/// name, the name's place among them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Hit {
    pub(super) at: usize,
    pub(super) name: usize,
}

impl Iterator for Hits<'_> {
    type Item = Hit;

    fn next(&mut self) -> Option<Hit> {
        while self.hits == 0 {
            if self.read == self.filled {
                if self.cursor.at >= self.names.len() {
                    return None;
                }
                let (blocks, filled) = (&mut self.blocks, &mut self.filled);
                *filled = 0;
                self.cursor.fill(&self.needle, self.names, &mut |block| {
                    blocks[*filled] = block;
                    *filled += 1;
                });
                self.read = 0;
                continue;
            }
            let block = self.blocks[self.read];
            self.read += 1;
            self.ends += self.seps.count_ones() as usize + block.gap;
            (self.block_at, self.hits, self.seps) = (block.at, block.hits, block.seps);
        }
        let i = self.hits.trailing_zeros() as usize;
        self.hits &= self.hits - 1;
        let before = (self.seps & ((1 << i) - 1)).count_ones() as usize;
        Some(Hit {
            at: self.block_at + i,
            name: self.ends + before,
        })
    }
}

#[cfg(test)]
#[path = "name_search_tests.rs"]
mod tests;
