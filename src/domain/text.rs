//! Unicode-aware name matching: NFC, then Unicode default full case folding.
//!
//! Folding is locale-independent by design (no Turkish dotless-i rules), so every client
//! gets the same answer for the same filter.

use unicode_normalization::UnicodeNormalization;

/// Returns the form of `text` that name filters compare: NFC, then full case folding.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    fold_into(text, &mut folded);
    folded
}

/// Appends the folded form of `text` to `out`, without a string of its own for ASCII text.
pub fn fold_into(text: &str, out: &mut String) {
    // ASCII is already NFC, and its full case folding is plain lowercasing: most names take
    // this path, which is several times faster than the general one.
    if text.is_ascii() {
        out.extend(text.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    let composed: String = text.nfc().collect();
    out.push_str(&caseless::default_case_fold_str(&composed));
}

#[cfg(test)]
mod tests {
    use super::fold;

    fn matches(name: &str, filter: &str) -> bool {
        fold(name).contains(&fold(filter))
    }

    #[test]
    fn folding_follows_the_unicode_table_of_the_contract() {
        assert!(matches("ci-deploy", "ci"));
        assert!(matches("CI Pipeline Token", "ci"));
        assert!(matches("Straße", "STRASSE"));
        assert!(matches("ΟΔΟΣ", "οδοσ"));
        assert!(matches("ﬁle", "FI"));
        assert!(!matches("Deploy bot", "ci"));
    }

    #[test]
    fn ascii_text_folds_like_the_general_path() {
        let ascii = "CI Pipeline-Token_42 %*";
        let general = caseless::default_case_fold_str(ascii);
        assert_eq!(fold(ascii), general);
    }

    #[test]
    fn composed_and_decomposed_forms_match_each_other() {
        assert!(matches("Cafe\u{301} key", "café"));
        assert!(matches("Café key", "cafe\u{301}"));
    }
}
