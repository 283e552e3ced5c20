//! Every kernel finds exactly the names that a name-by-name search finds.

use proptest::prelude::*;

use super::*;

/// `names` back to back, each followed by the separator.
fn joined(names: &[Vec<u8>]) -> Vec<u8> {
    let mut joined = Vec::new();
    for name in names {
        joined.extend_from_slice(name);
        joined.push(SEPARATOR);
    }
    joined
}

/// The names that hold `needle`, found one by one.
fn naive(names: &[Vec<u8>], needle: &[u8]) -> Vec<Hit> {
    let mut at = 0;
    let mut hits = Vec::new();
    for (name, bytes) in names.iter().enumerate() {
        at += bytes.len();
        if needle.is_empty() || bytes.windows(needle.len()).any(|w| w == needle) {
            hits.push(Hit { at, name });
        }
        at += 1;
    }
    hits
}

/// Checks the hits, the count and every later start against the name-by-name search.
fn check(names: &[Vec<u8>], needle: &[u8]) -> Result<(), TestCaseError> {
    let haystack = joined(names);
    let expected = naive(names, needle);
    let needle = Needle::of_bytes(needle);
    let found: Vec<Hit> = needle.clone().hits(&haystack).collect();
    prop_assert_eq!(&found, &expected);
    let tally = needle.tally(&haystack);
    prop_assert_eq!(tally.total, expected.len() as u64);
    let skips = (0..=expected.len()).step_by(1 + expected.len() / 40);
    for skip in skips.chain([expected.len(), expected.len() + 3]) {
        let from: Vec<usize> = needle
            .hits_from(&haystack, &tally, skip as u64)
            .map(|hit| hit.at)
            .collect();
        let wanted: Vec<usize> = expected.iter().skip(skip).map(|hit| hit.at).collect();
        prop_assert_eq!(from, wanted, "from {}", skip);
    }
    Ok(())
}

/// Bytes that make matches, near-misses and bytes next to the separator frequent: a few
/// letters, UTF-8 lead and continuation bytes, 0xFE and 0x00.
fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => prop::sample::select(vec![b'c', b'i', b'a', b' ']),
        1 => prop::sample::select(vec![0x00, 0x7F, 0x80, 0xC3, 0xA9, 0xEF, 0xF4, 0xFE]),
        1 => any::<u8>().prop_filter("not the separator", |&b| b != SEPARATOR),
    ]
}

fn names(most: usize, longest: usize) -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(prop::collection::vec(byte(), 0..longest), 0..most)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_search_finds_the_names_a_name_by_name_search_finds(
        names in names(300, 24),
        needle in prop::collection::vec(byte(), 1..=8),
    ) {
        check(&names, &needle)?;
    }

    #[test]
    fn names_longer_than_blocks_and_chunks_are_found_once(
        names in names(12, 700),
        needle in prop::collection::vec(byte(), 1..=8),
    ) {
        check(&names, &needle)?;
    }
}

#[test]
fn many_chunks_of_names_are_counted_and_entered_anywhere() {
    // Tens of chunks; names holding `ci` at every distance from a block's and a chunk's end,
    // some of them running across a chunk's end.
    let names: Vec<Vec<u8>> = (0..9000)
        .map(|i: usize| {
            let mut name = vec![b'a'; i % 97];
            if i.is_multiple_of(3) {
                name.splice(i % (name.len() + 1)..i % (name.len() + 1), *b"ci");
            }
            name
        })
        .collect();
    for needle in [&b"ci"[..], b"c", b"aci", b"ciaa", b"zz"] {
        check(&names, needle).expect("as found name by name");
    }
    assert!(joined(&names).len() > 40 * CHUNK);
}

#[test]
fn chunks_that_jump_and_chunks_that_read_every_block_find_the_same_names() {
    // Stretches of names where the needle is rare (each chunk jumps from match to match),
    // everywhere (each chunk reads every block), or nowhere, one after the other, and names
    // holding it at a stretch's edge: the search changes its way at chunk ends.
    let stretches: [(usize, usize); 6] = [
        (3000, 0),
        (2000, 1),
        (4000, 150),
        (1500, 2),
        (50, 0),
        (3000, 37),
    ];
    let mut names = Vec::new();
    for (count, every) in stretches {
        for i in 0..count {
            let mut name = format!("name {i:05} ").into_bytes();
            if every > 0 && i.is_multiple_of(every) {
                name.extend_from_slice(b"xci");
            }
            names.push(name);
        }
    }
    for needle in [&b"ci"[..], b"xci", b"i", b"05 x", b"name", b"e 0"] {
        check(&names, needle).expect("as found name by name");
    }
}

#[test]
fn the_empty_needle_is_in_every_name_and_nothing_is_in_no_names() {
    let names: Vec<Vec<u8>> = ["", "a", "", "ci", ""]
        .map(|n| n.as_bytes().to_vec())
        .into();
    check(&names, b"").expect("every name");
    check(&[], b"ci").expect("no name");
    check(&[], b"").expect("no name");
}

#[test]
fn a_needle_longer_than_every_name_matches_none() {
    let names: Vec<Vec<u8>> = ["ci", "cic", "c"].map(|n| n.as_bytes().to_vec()).into();
    check(&names, b"cicic").expect("no name");
    check(&names, &[b'x'; 200]).expect("no name");
}

#[test]
fn a_mask_has_the_bit_of_each_equal_byte() {
    let block: [u8; BLOCK] = std::array::from_fn(|i| (i * 37 % 256) as u8);
    let mask = |byte: u8| masks::<false>(&block, [byte; 3], 0).0;
    // Each byte of the block differs from the others: one bit for each, none for a byte
    // that is not there.
    for at in [0, 1, 15, 16, 31, 32, 47, 48, 63] {
        assert_eq!(mask(block[at]), 1 << at, "byte {at}");
    }
    let absent = (0..=255)
        .find(|b| !block.contains(b))
        .expect("64 of 256 bytes");
    assert_eq!(mask(absent), 0);
    let mut repeated = block;
    repeated[40] = repeated[3];
    repeated[63] = SEPARATOR;
    assert_eq!(
        masks::<true>(&repeated, [block[3]; 3], 0),
        (1 << 3 | 1 << 40, 1 << 63)
    );
}
