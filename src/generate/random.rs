//! The seeded random source, and the ids and secrets drawn from it.
//!
//! Only ChaCha8's raw output is used, never `rand`'s distributions, whose algorithms may
//! change between versions: the same seed has to give the same bytes for as long as the
//! snapshot files made from it are kept around.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded source of numbers.
pub(super) struct Rng(ChaCha8Rng);

impl Rng {
    /// The stream of `seed`: its eight bytes are the key, the rest is zero.
    pub(super) fn new(seed: u64) -> Rng {
        let mut key = [0; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        Rng(ChaCha8Rng::from_seed(key))
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A number in `0..n`, by multiply-and-shift; its bias is below 2^-40 for our ranges.
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// An index into a slice of length `len`.
    pub(super) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A number in `low..high`; `high` must be greater than `low`.
    pub(super) fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below(high.abs_diff(low)) as i64
    }
}

const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const ALPHANUMERICS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Numbers below 2^62 have at most 12 digits in base 36 (36^12 > 2^62).
const MASK_62: u64 = (1 << 62) - 1;

/// Makes token ids unique without remembering the ones given out: the first half of an id
/// encodes a keyed permutation of the token's index, the second half is random.
pub(super) struct TokenIds {
    keys: [u64; 2],
}

impl TokenIds {
    /// Takes its keys from `rng`.
    pub(super) fn new(rng: &mut Rng) -> TokenIds {
        TokenIds {
            keys: [rng.next_u64(), rng.next_u64()],
        }
    }

    /// The id of the token at `index` in the whole snapshot: `tok_` and 24 of `[a-z0-9]`.
    pub(super) fn id(&self, index: u64, rng: &mut Rng) -> [u8; 28] {
        let mut id = *b"tok_000000000000000000000000";
        encode_base36(self.permute(index), &mut id[4..16]);
        encode_base36(rng.next_u64() & MASK_62, &mut id[16..28]);
        id
    }

    /// A bijection of `0..2^62` onto itself: multiplying by an odd number and xoring with a
    /// right shift are each invertible modulo a power of two, so distinct indices never meet.
    fn permute(&self, index: u64) -> u64 {
        let mut x = (index ^ self.keys[0]) & MASK_62;
        x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15) & MASK_62;
        x ^= x >> 31;
        x = (x ^ self.keys[1]) & MASK_62;
        x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9) & MASK_62;
        x ^= x >> 29;
        x = x.wrapping_mul(0x94d0_49bb_1331_11eb) & MASK_62;
        x ^ (x >> 32)
    }
}

fn encode_base36(mut value: u64, out: &mut [u8]) {
    for digit in out.iter_mut().rev() {
        *digit = DIGITS[(value % 36) as usize];
        value /= 36;
    }
}

/// A bearer secret: `tok_live_` and 32 ASCII letters or digits (190 random bits, so two
/// secrets of one snapshot do not meet in practice; validation would refuse them if they did).
pub(super) fn secret(rng: &mut Rng) -> String {
    let mut text = String::with_capacity(41);
    text.push_str("tok_live_");
    for _ in 0..32 {
        text.push(char::from(ALPHANUMERICS[rng.index(ALPHANUMERICS.len())]));
    }
    text
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn token_ids_of_distinct_indices_differ_and_are_well_formed() {
        let mut rng = Rng::new(7);
        let ids = TokenIds::new(&mut rng);
        let firsts: HashSet<_> = (0..100_000)
            .map(|i| ids.id(i, &mut rng)[..16].to_vec())
            .collect();
        assert_eq!(firsts.len(), 100_000);
        let id = ids.id(3, &mut rng);
        let text = std::str::from_utf8(&id).expect("ASCII");
        assert!(crate::domain::TokenId::parse(text).is_some(), "{text}");
    }

    #[test]
    fn the_stream_of_a_seed_does_not_change() {
        // Pinned so that a dependency update that changed the stream would show up here.
        let mut rng = Rng::new(1);
        assert_eq!(rng.next_u64(), 0x61a9_4a49_a0e9_5ecf);
    }
}
