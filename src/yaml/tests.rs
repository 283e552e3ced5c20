use serde_json::{json, Value};

use super::to_string;

/// Strings a YAML 1.1 loader resolves to another type when they are plain, by kind:
/// timestamps, booleans, null, integers (decimal, octal, hex, binary, base 60, with `_`),
/// floats (with and without exponent, base 60, `.inf`, `.nan`), merge and value keys.
const TYPED_IN_YAML_1_1: &[&str] = &[
    "2026-04-27T14:32:00Z",
    "2026-04-27t14:32:00.123+02:00",
    "2026-04-27 14:32:00",
    "2026-4-7 1:02:03 -5",
    "2026-04-27",
    "yes",
    "Yes",
    "YES",
    "no",
    "No",
    "NO",
    "y",
    "Y",
    "n",
    "N",
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "on",
    "On",
    "ON",
    "off",
    "Off",
    "OFF",
    "null",
    "Null",
    "NULL",
    "~",
    "",
    "0",
    "8",
    "-3",
    "+1",
    "1_000",
    "0777",
    "0o17",
    "0x1F",
    "-0x_1f",
    "0b1010",
    "1:20",
    "190:20:30",
    "-1:00",
    "0.5",
    ".5",
    "-.5e+3",
    "1.",
    "1e3",
    "1E+3",
    "6.8523015e+5",
    "685_230.15",
    "190:20:30.15",
    ".inf",
    ".Inf",
    "-.INF",
    "+.inf",
    ".nan",
    ".NaN",
    ".NAN",
    "<<",
    "=",
];

/// Strings that are plain text to every loader only when quoted: indicators, comments,
/// surrounding spaces, and characters that are line breaks or not printable in YAML 1.1.
const SYNTAX_IN_YAML: &[&str] = &[
    "- item",
    "? key",
    ": value",
    "#comment",
    "&anchor",
    "*alias",
    "!tag",
    "|",
    ">",
    "'",
    "\"",
    "%directive",
    "@reserved",
    "`reserved",
    "[a]",
    "{a: 1}",
    ",",
    "a: b",
    "a #b",
    "ends:",
    " leading",
    "trailing ",
    "tab\there",
    "nul\u{0}",
    "del\u{7F}",
    "nel\u{85}",
    "line\u{2028}separator",
    "paragraph\u{2029}separator",
    "\u{FEFF}bom",
    "---",
    "...",
];

fn emitted_value(s: &str) -> String {
    let yaml = to_string(&json!({ "k": s }));
    yaml.strip_prefix("k: ")
        .and_then(|rest| rest.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("one line for {s:?}: {yaml:?}"))
        .to_owned()
}

fn reads_back(value: &Value) {
    let yaml = to_string(value);
    let back: Value = serde_norway::from_str(&yaml).unwrap_or_else(|e| panic!("{e}:\n{yaml}"));
    assert_eq!(&back, value, "{yaml}");
}

#[test]
fn every_string_a_yaml_1_1_loader_would_type_is_double_quoted_and_reads_back() {
    for s in TYPED_IN_YAML_1_1.iter().chain(SYNTAX_IN_YAML) {
        let emitted = emitted_value(s);
        assert!(
            emitted.starts_with('"') && emitted.ends_with('"'),
            "{s:?} is written {emitted}"
        );
        reads_back(&json!({ "k": s, *s: "as a key" }));
    }
}

#[test]
fn plain_words_paths_and_media_types_stay_plain() {
    for s in [
        "string",
        "Tokens",
        "/v1/tokens",
        "application/problem+json",
        "tok_live_…",
        "Lists the API tokens of a workspace.",
        "Straße",
        "a:b",
        "yess",
        "nullable",
        "back\\slash",
        "quote\"inside",
    ] {
        assert_eq!(emitted_value(s), s);
        reads_back(&json!({ s: s }));
    }
}

#[test]
fn floats_carry_a_point_and_a_signed_exponent() {
    let cases = [
        (json!(0.5), "0.5"),
        (json!(1.0), "1.0"),
        (json!(-2.5), "-2.5"),
        (json!(1e300), "1.0e+300"),
        (json!(1.5e-7), "1.5e-7"),
        (json!(8363), "8363"),
        (
            json!(-9_223_372_036_854_775_808_i64),
            "-9223372036854775808",
        ),
    ];
    for (value, written) in cases {
        let yaml = to_string(&json!({ "k": value }));
        assert_eq!(yaml, format!("k: {written}\n"));
        reads_back(&json!({ "k": value }));
    }
}

#[test]
fn text_of_several_lines_is_a_literal_block_unless_it_cannot_be_one() {
    let text = "First line.\n\nSecond paragraph: `code`.";
    assert_eq!(
        to_string(&json!({ "d": text })),
        "d: |-\n  First line.\n\n  Second paragraph: `code`.\n"
    );
    for s in [
        text,
        "ends with a break\n",
        "\n  first text indented",
        "trailing space \nnext",
        "tab\tinside\nnext",
        "carriage\r\nreturn",
        "\n",
        "yes\nno",
    ] {
        reads_back(&json!({ "d": s, "list": [s, [s], { "k": s }] }));
    }
}

#[test]
fn nesting_and_empty_collections_read_back() {
    reads_back(&json!({
        "openapi": "3.1.0",
        "empty_map": {},
        "empty_list": [],
        "list": [[1, [2, []]], { "a": { "b": [true, null] }, "c": "2026-04-27" }, {}],
        "200": { "description": "OK" },
    }));
}

#[test]
fn both_openapi_documents_read_back_from_their_yaml() {
    for json in [
        crate::api::openapi::SpecDocuments::build().json,
        crate::admin::openapi::documents().json.clone(),
    ] {
        let value: Value = serde_json::from_str(&json).expect("JSON");
        reads_back(&value);
    }
}
