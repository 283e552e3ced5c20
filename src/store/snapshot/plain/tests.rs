//! The plain reader against serde_json: on any text, it reads what serde_json reads (the same
//! token, ending at the same byte) or gives up.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{special, token};
use crate::generate::{generate, GenerateOptions};
use crate::store::snapshot::fast::FastToken;

/// What serde_json reads at `pos`: the token and where it ends, or nothing.
fn serde_reads(text: &str, pos: usize) -> Option<(FastToken<'_>, usize)> {
    let mut stream = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<FastToken>();
    let token = stream.next()?.ok()?;
    Some((token, pos + stream.byte_offset()))
}

/// The plain reader gives up on `text` or agrees with serde_json; whether it read it.
fn agrees(text: &str) -> bool {
    let plain = token(text, 0);
    if let Some(read) = &plain {
        assert_eq!(Some(read), serde_reads(text, 0).as_ref(), "on {text:?}");
    }
    plain.is_some()
}

/// Every token line of a generated document, without its trailing comma.
fn generated_tokens(seed: u64) -> Vec<String> {
    let options = GenerateOptions {
        tokens: 300,
        workspaces: 2,
        seed,
    };
    let mut bytes = Vec::new();
    generate(&options, &mut bytes, &mut |_| {}).expect("writing to a Vec");
    let doc = String::from_utf8(bytes).expect("UTF-8");
    doc.lines()
        .filter(|line| line.starts_with(r#"{"id":"tok_"#))
        .map(|line| line.trim_end_matches(',').to_owned())
        .collect()
}

const TOKEN: &str = r#"{"id":"tok_a1b2c3d4e5f6g7h8i9j0k1l2","name":"Déploiement prod","scopes":["tokens:read","deployments:read"],"status":"active","created_at":"2025-03-12T15:00:50Z","expires_at":null,"last_used_at":"2026-07-30T05:39:37Z","created_by":"dave@acme.example","secret_sha256":"4f5e0c1bd6a9b2e8c7d3f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5"}"#;

#[test]
fn every_generated_token_is_read_plainly_as_serde_json_reads_it() {
    for seed in [1, 2, 3] {
        let tokens = generated_tokens(seed);
        assert!(tokens.len() > 250, "{}", tokens.len());
        for text in &tokens {
            assert!(agrees(text), "not read plainly: {text}");
        }
    }
}

#[test]
fn the_plain_reader_ends_where_serde_json_ends_and_reads_from_any_position() {
    let doc = format!("[ {TOKEN} ,\n\t{TOKEN}]");
    let second = doc.find("\n\t").expect("two tokens") + 1;
    let (first, end) = token(&doc, 1).expect("read plainly");
    assert_eq!(Some((first, end)), serde_reads(&doc, 1));
    assert_eq!(&doc[end..end + 2], " ,");
    assert_eq!(token(&doc, second), serde_reads(&doc, second));
    assert!(token(&doc, second).is_some());
}

#[test]
fn whatever_is_not_plain_is_left_to_serde_json() {
    let escaped = TOKEN.replace("Déploiement", r#"D\u00e9ploiement"#);
    let quoted = TOKEN.replace("prod", r#"\"prod\""#);
    let unescaped = TOKEN.to_owned();
    assert!(agrees(&unescaped));
    for text in [
        &quoted,
        &escaped,
        &unescaped.replace("dave@", "dave\n@"),
        &unescaped.replace(r#""status":"active""#, r#""status":1"#),
        &unescaped.replace(r#""status":"active","#, ""),
        &unescaped.replace(r#""status""#, r#""state""#),
        &unescaped.replace(r#""expires_at":null"#, r#""expires_at":nul"#),
        &unescaped.replace(r#"{"id""#, r#"{"status":"revoked","id""#),
        &unescaped.replace(r#"["tokens:read","#, "[1,"),
        &unescaped.replace(r#"}"#, ",}"),
        &unescaped.replace(r#"{"#, "["),
    ] {
        assert!(token(text, 0).is_none(), "read plainly: {text}");
    }
}

#[test]
fn missing_and_null_optional_fields_read_as_none_as_serde_reads_them() {
    let unescaped = TOKEN.to_owned();
    for text in [
        unescaped.replace(r#""expires_at":null,"#, ""),
        unescaped.replace(
            r#""last_used_at":"2026-07-30T05:39:37Z""#,
            r#""last_used_at":null"#,
        ),
        unescaped.replace(r#""secret_sha256""#, r#""secret""#),
        unescaped.replace(
            r#""scopes":["tokens:read","deployments:read"]"#,
            r#""scopes":[ ]"#,
        ),
        unescaped.replace(',', " ,\r\n "),
    ] {
        assert!(agrees(&text), "not read plainly: {text}");
    }
}

/// Characters whose insertion anywhere changes what JSON means, or nothing.
const INSERTED: &[&str] = &[
    "\"",
    "\\",
    ",",
    ":",
    "{",
    "}",
    "[",
    "]",
    " ",
    "\n",
    "\u{1}",
    "\u{7f}",
    "é",
    "null",
    "1",
    "\"id\":\"tok_a1b2c3d4e5f6g7h8i9j0k1l2\",",
    "\"x\":\"y\",",
    "\\\"",
    "\\u0041",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The word-at-a-time search finds what a byte-at-a-time one finds, at any alignment.
    #[test]
    fn the_first_quote_backslash_or_control_byte_is_found_as_one_byte_at_a_time_finds_it(
        bytes in prop::collection::vec(prop::sample::select(vec![
            b'a', b' ', b'"', b'\\', 0x00, 0x01, 0x1f, 0x20, 0x21, 0x5b, 0x5d, 0x7f, 0x80, 0xa2,
            0xdc, 0xff,
        ]), 0..40),
    ) {
        let expected = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
        prop_assert_eq!(special(&bytes), expected);
    }

    /// Any text at all, mostly of JSON's punctuation and the fields' names.
    #[test]
    fn random_texts_are_read_as_serde_json_reads_them_or_left_to_it(
        parts in prop::collection::vec(prop::sample::select(vec![
            "{", "}", "[", "]", ",", ":", " ", "\"", "\"id\"", "\"name\"", "\"scopes\"",
            "\"status\"", "\"created_at\"", "\"expires_at\"", "\"last_used_at\"",
            "\"created_by\"", "\"secret\"", "\"secret_sha256\"", "null", "\"a\"", "\"\\n\"",
            "\"é\"", "0",
        ]), 0..60),
    ) {
        agrees(&parts.concat());
    }
}

/// Mutations of plain tokens (characters removed or inserted, a tail cut off): the plain
/// reader never reads anything serde_json reads otherwise. Many mutations leave a token that
/// is still plain (a space, or a valid key, inserted), so values are compared, not only
/// refusals.
#[test]
fn mutated_tokens_are_read_as_serde_json_reads_them_or_left_to_it() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let tokens: Vec<String> = (1..4).flat_map(generated_tokens).collect();
    let (mut read, mut refused) = (0, 0);
    for _ in 0..20_000 {
        let mut text = tokens[rng.random_range(0..tokens.len())].clone();
        for _ in 0..rng.random_range(1..4) {
            let boundaries: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            let b = rng.random_range(0..boundaries.len());
            let at = boundaries[b];
            match rng.random_range(0..INSERTED.len() + 2) {
                0 => text.truncate(at),
                1 => text.replace_range(at..*boundaries.get(b + 1).unwrap_or(&at), ""),
                i => text.insert_str(at, INSERTED[i - 2]),
            }
        }
        if agrees(&text) {
            read += 1;
        } else {
            refused += 1;
        }
    }
    assert!(
        read > 1000 && refused > 1000,
        "{read} read, {refused} refused"
    );
}
