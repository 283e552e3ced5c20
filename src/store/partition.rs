//! Moving token indices between two ascending partitions in linear time.

/// Moves `moving` (indices present in `from`) from `from` to `to`, keeping both ascending.
pub(super) fn transfer(from: &mut Vec<u32>, to: &mut Vec<u32>, mut moving: Vec<u32>) {
    if moving.is_empty() {
        return;
    }
    moving.sort_unstable();
    let mut next = 0;
    from.retain(|&i| {
        while moving.get(next).is_some_and(|&m| m < i) {
            next += 1;
        }
        moving.get(next) != Some(&i)
    });
    let mut merged = Vec::with_capacity(to.len() + moving.len());
    let (mut a, mut b) = (to.iter().peekable(), moving.iter().peekable());
    while let (Some(&&x), Some(&&y)) = (a.peek(), b.peek()) {
        if x < y {
            merged.push(x);
            a.next();
        } else {
            merged.push(y);
            b.next();
        }
    }
    merged.extend(a);
    merged.extend(b);
    *to = merged;
}

#[cfg(test)]
mod tests {
    use super::transfer;

    #[test]
    fn transferring_keeps_both_sides_ascending_and_loses_nothing() {
        let mut from = vec![0, 2, 3, 5, 8, 9];
        let mut to = vec![1, 4, 6];
        transfer(&mut from, &mut to, vec![9, 2, 5]);
        assert_eq!(from, [0, 3, 8]);
        assert_eq!(to, [1, 2, 4, 5, 6, 9]);
    }
}
