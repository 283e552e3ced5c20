//! Sorted runs joined in one pass: each parse thread sorts its own piece of a token array (by
//! the index's order, and the hashes that duplicate checks compare), so that what one thread
//! would sort alone afterwards is sorted on every core while the pieces are read, and only a
//! linear merge is left.

use std::cmp::Ordering;

use super::TokenData;

/// The order the index keeps a workspace's tokens in: `(created_at, id)`, ascending. Ids are
/// unique in a valid snapshot, so no two tokens are equal in it.
pub(super) fn by_listing(a: &TokenData, b: &TokenData) -> Ordering {
    (a.token.created_at, &a.token.id).cmp(&(b.token.created_at, &b.token.id))
}

/// Sorts a piece's tokens by [`by_listing`], computing each token's key once: moving tokens
/// (about 150 bytes each) O(log n) times costs more than one permutation.
pub(super) fn sort_for_listing(tokens: &mut [TokenData]) {
    if !tokens.is_sorted_by(|a, b| by_listing(a, b).is_le()) {
        tokens.sort_by_cached_key(|t| (t.token.created_at, t.token.id.clone()));
    }
}

/// Joins `runs`, each ascending by `order`, into one ascending vector in one pass; of equal
/// elements, those of an earlier run come first. Meant for a few runs (one per core): each
/// element is chosen among the runs' heads by a linear look.
pub(super) fn merge<T>(runs: Vec<Vec<T>>, order: impl Fn(&T, &T) -> Ordering) -> Vec<T> {
    if runs.len() <= 1 {
        return runs.into_iter().next().unwrap_or_default();
    }
    let mut merged = Vec::with_capacity(runs.iter().map(Vec::len).sum());
    merge_each(runs, order, |element| merged.push(element));
    merged
}

/// Hands the elements of `runs`, each ascending by `order`, to `each` in ascending order, as
/// [`merge`] lists them, without holding the merged list.
pub(super) fn merge_each<T>(
    runs: Vec<Vec<T>>,
    order: impl Fn(&T, &T) -> Ordering,
    mut each: impl FnMut(T),
) {
    let mut runs: Vec<std::vec::IntoIter<T>> = runs.into_iter().map(Vec::into_iter).collect();
    loop {
        let mut least: Option<(usize, &T)> = None;
        for (r, run) in runs.iter().enumerate() {
            if let Some(head) = run.as_slice().first() {
                if least.is_none_or(|(_, least)| order(head, least).is_lt()) {
                    least = Some((r, head));
                }
            }
        }
        let Some((r, _)) = least else {
            return;
        };
        if let Some(element) = runs[r].next() {
            each(element);
        }
    }
}

/// Whether no two elements of ascending `runs` are equal, checked while merging them.
pub(super) fn all_different(runs: Vec<Vec<u64>>) -> bool {
    merge(runs, Ord::cmp)
        .windows(2)
        .all(|pair| pair[0] != pair[1])
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// Random runs of random lengths (some empty), each sorted.
    fn random_runs(rng: &mut ChaCha8Rng) -> Vec<Vec<(u8, usize)>> {
        let count = rng.random_range(1..=9);
        (0..count)
            .map(|r| {
                let len = rng.random_range(0..=40);
                // Few distinct keys, so runs share many; the second field says where an
                // element came from, to check that equal keys keep their runs' order.
                let mut run: Vec<(u8, usize)> = (0..len)
                    .map(|i| (rng.random_range(0..8), r * 100 + i))
                    .collect();
                run.sort();
                run
            })
            .collect()
    }

    #[test]
    fn merged_runs_list_what_one_stable_sort_of_their_concatenation_lists() {
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        for _ in 0..2000 {
            let runs = random_runs(&mut rng);
            let mut expected: Vec<(u8, usize)> = runs.concat();
            expected.sort_by_key(|&(key, _)| key);
            let merged = merge(runs, |a, b| a.0.cmp(&b.0));
            assert_eq!(merged, expected);
        }
    }

    #[test]
    fn runs_are_all_different_exactly_when_their_concatenation_has_no_repeat() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let (mut with_repeat, mut without) = (0, 0);
        for _ in 0..2000 {
            // Keys from a range wide enough that about half the cases have no repeat.
            let runs: Vec<Vec<u64>> = (0..rng.random_range(1..=4))
                .map(|_| {
                    let mut run: Vec<u64> = (0..rng.random_range(0..=8))
                        .map(|_| rng.random_range(0..400))
                        .collect();
                    run.sort_unstable();
                    run
                })
                .collect();
            let mut all = runs.concat();
            all.sort_unstable();
            let unique = all.windows(2).all(|pair| pair[0] != pair[1]);
            assert_eq!(all_different(runs), unique);
            if unique {
                without += 1;
            } else {
                with_repeat += 1;
            }
        }
        assert!(
            with_repeat > 100 && without > 100,
            "{with_repeat} {without}"
        );
    }
}
