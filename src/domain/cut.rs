//! Client-given text cut to a bound, saying how much was left out: what the journal and the
//! log keep of a path or a query.

/// What follows a value cut short.
pub(crate) const CUT_MARKER: char = '…';

/// The longest prefix of `text` of at most `bytes` bytes that ends on a character boundary,
/// and how many bytes were left out.
pub(crate) fn cut_to(text: &str, bytes: usize) -> (&str, usize) {
    if text.len() <= bytes {
        return (text, 0);
    }
    let mut end = bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], text.len() - end)
}

/// `kept`, followed by `…[N more bytes]` when `cut` bytes were left out.
pub(crate) fn marked(kept: &str, cut: usize) -> String {
    if cut == 0 {
        kept.to_owned()
    } else {
        format!("{kept}{CUT_MARKER}[{cut} more bytes]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_keeps_whole_characters_and_counts_what_it_left_out() {
        assert_eq!(cut_to("abc", 5), ("abc", 0));
        assert_eq!(cut_to("abcdef", 4), ("abcd", 2));
        // 'é' is two bytes: a cut inside it keeps the character out.
        assert_eq!(cut_to("aé", 2), ("a", 2));
        assert_eq!(marked("/v1", 7), "/v1…[7 more bytes]");
        assert_eq!(marked("/v1", 0), "/v1");
    }
}
