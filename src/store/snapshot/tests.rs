//! The parallel reader against the typed one: the same snapshot for every document it takes,
//! and nothing for a document with a problem, wherever the pieces are cut.

use super::parallel::{self, Pieces};
use super::{fast, slow, Snapshot};
use crate::domain::Token;
use crate::generate::{generate, GenerateOptions};

/// Workspaces with their tokens and secret digests, comparable.
type Contents = Vec<(String, String, Vec<(Token, Option<String>)>)>;

fn contents(snapshot: &Snapshot) -> Contents {
    snapshot
        .workspaces
        .iter()
        .map(|w| {
            let tokens = w.tokens.iter().map(|t| {
                let secret = t.secret.as_ref().map(|d| d.to_hex());
                (t.token.clone(), secret)
            });
            (w.id.as_str().to_owned(), w.name.clone(), tokens.collect())
        })
        .collect()
}

fn generated(tokens: u64, workspaces: u32) -> Vec<u8> {
    let options = GenerateOptions {
        tokens,
        workspaces,
        seed: 7,
    };
    let mut bytes = Vec::new();
    generate(&options, &mut bytes, &mut |_| {}).expect("writing to a Vec");
    bytes
}

/// Cut into as many pieces of at least `min_bytes` as fit, up to `threads`.
fn pieces(threads: usize, min_bytes: usize) -> Pieces {
    Pieces { threads, min_bytes }
}

/// The parallel reader takes `doc` exactly when the typed reader finds no problem, and then
/// gives the same snapshot.
fn assert_agrees(doc: &[u8], pieces: Pieces) {
    let typed = match fast::parse(doc) {
        Ok(Ok(snapshot)) => Some(contents(&snapshot)),
        _ => None,
    };
    let parallel = parallel::parse(doc, pieces).map(|s| contents(&s));
    assert_eq!(
        parallel,
        typed,
        "{pieces:?} on {}",
        String::from_utf8_lossy(doc)
    );
}

#[test]
fn every_shape_reads_alike_in_any_number_of_pieces() {
    let workspaces = generated(300, 3);
    let one = generated(200, 1);
    let text = String::from_utf8(one.clone()).expect("UTF-8");
    let start = text.find(r#""tokens":"#).expect("a token array") + r#""tokens":"#.len();
    let array = &text[start..text.rfind(']').expect("the end")];
    let array = array[..array.rfind(']').expect("the array's end") + 1].to_owned();
    let data = format!(r#"{{"meta":{{"page":1,"next":[{{}}]}},"data":{array}}}"#);
    for threads in 1..=5 {
        for min_bytes in [1, 3000, 1 << 20] {
            for doc in [&workspaces, &one, array.as_bytes(), data.as_bytes()] {
                assert!(parallel::parse(doc, pieces(threads, min_bytes)).is_some());
                assert_agrees(doc, pieces(threads, min_bytes));
            }
        }
    }
}

#[test]
fn a_problem_in_any_piece_leaves_the_document_to_the_locating_readers() {
    let doc = String::from_utf8(generated(60, 2)).expect("UTF-8");
    let lines: Vec<&str> = doc.lines().collect();
    let tokens: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with(r#"{"id":"tok_"#) && lines[i].contains("tok_live_"))
        .collect();
    let (first, last) = (tokens[1], tokens[tokens.len() - 2]);
    let id = |line: &str| line[7..35].to_owned();
    let secret = |line: &str| {
        let at = line.find("tok_live_").expect("a secret");
        line[at..at + 41].to_owned()
    };
    let changed = |line: usize, from: &str, to: &str| {
        let mut lines = lines.clone();
        let replaced = lines[line].replacen(from, to, 1);
        lines[line] = &replaced;
        lines.join("\n")
    };
    let broken = [
        changed(last, &id(lines[last]), &id(lines[first])),
        changed(last, &secret(lines[last]), &secret(lines[first])),
        changed(last, r#""status":""#, r#""status":"x"#),
        changed(last, r#""name":""#, r#""nam":""#),
        changed(last, "},", "},,"),
        changed(first, r#""id":"tok_"#, r#""id":"tak_"#),
        format!("{doc}x"),
        doc[..doc.len() - 3].to_owned(),
    ];
    for doc in &broken {
        for threads in 1..=4 {
            assert!(parallel::parse(doc.as_bytes(), pieces(threads, 1)).is_none());
        }
        let report = Snapshot::parse(doc.as_bytes()).expect_err("a problem");
        let expected = match fast::parse(doc.as_bytes()) {
            Ok(Ok(_)) => panic!("the typed reader took a broken document"),
            Ok(Err(problems)) => problems,
            Err(_) => slow::parse(doc.as_bytes()).expect_err("a problem").0,
        };
        assert_eq!(report.0, expected, "the same problems, in the same places");
    }
}

#[test]
fn a_byte_removed_or_added_anywhere_is_read_as_the_typed_reader_reads_it() {
    let doc = generated(4, 2);
    for at in 0..doc.len() {
        let mut removed = doc.clone();
        removed.remove(at);
        assert_agrees(&removed, pieces(4, 1));
        for byte in [b'"', b',', b'}', b'\\'] {
            let mut added = doc.clone();
            added.insert(at, byte);
            assert_agrees(&added, pieces(3, 1));
        }
    }
}

#[test]
fn both_readers_hand_over_tokens_in_listing_order_however_the_pieces_are_cut() {
    let doc = generated(700, 2);
    let in_listing_order = |snapshot: &Snapshot| {
        snapshot.workspaces.iter().all(|w| {
            w.tokens.windows(2).all(|pair| {
                let key = |t: &super::TokenData| (t.token.created_at, t.token.id.clone());
                key(&pair[0]) < key(&pair[1])
            })
        })
    };
    let typed = fast::parse(&doc).expect("typed").expect("valid");
    assert!(in_listing_order(&typed));
    assert_eq!(typed.token_count(), 700);
    for threads in 1..=7 {
        let parallel = parallel::parse(&doc, pieces(threads, 1)).expect("valid");
        assert!(in_listing_order(&parallel), "{threads} pieces");
        assert_eq!(contents(&parallel), contents(&typed), "{threads} pieces");
    }
}

#[test]
fn tokens_of_the_same_name_share_one_copy_of_it() {
    let doc = generated(2000, 1);
    for snapshot in [
        fast::parse(&doc).expect("typed").expect("valid"),
        parallel::parse(&doc, pieces(1, 1)).expect("valid"),
    ] {
        let tokens = &snapshot.workspaces[0].tokens;
        let mut first: std::collections::HashMap<&str, &std::sync::Arc<str>> = Default::default();
        let mut repeated = 0;
        for data in tokens {
            let name = &data.token.name;
            let seen = *first.entry(name).or_insert(name);
            if !std::ptr::eq(seen, name) {
                assert!(std::sync::Arc::ptr_eq(seen, name), "{name}");
                repeated += 1;
            }
        }
        assert!(repeated > 1000, "{repeated} repeated names");
    }
}

#[test]
fn tokens_of_the_same_second_in_any_order_are_read_in_listing_order_as_the_typed_reader_reads_them()
{
    // Every token created in one of three seconds: the order within a second is the ids'.
    let doc = String::from_utf8(generated(400, 1)).expect("UTF-8");
    let key = r#""created_at":""#;
    let mut lines: Vec<String> = doc.lines().map(str::to_owned).collect();
    let tokens: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with(r#"{"id":"tok_"#))
        .collect();
    for (n, &i) in tokens.iter().enumerate() {
        let at = lines[i].find(key).expect("a creation time") + key.len();
        let second = format!("2000-01-01T00:00:0{}Z", n % 3);
        lines[i].replace_range(at..at + 20, &second);
    }
    let last = *tokens.last().expect("tokens");
    let without_comma = |line: &str| line.trim_end_matches(',').to_owned();
    let mut token_lines: Vec<String> = tokens.iter().map(|&i| without_comma(&lines[i])).collect();
    let document = |token_lines: &[String]| {
        let mut all = lines[..tokens[0]].to_vec();
        all.push(token_lines.join(",\n"));
        all.extend_from_slice(&lines[last + 1..]);
        all.join("\n").into_bytes()
    };
    let shuffled = document(&token_lines);
    let typed = fast::parse(&shuffled).expect("typed").expect("valid");
    let listed: Vec<String> = (typed.workspaces[0].tokens.iter())
        .map(|t| t.token.id.as_str().to_owned())
        .collect();
    token_lines.sort_by_key(|line| {
        let id = listed.iter().position(|id| line.contains(id.as_str()));
        id.expect("every token listed")
    });
    let sorted = document(&token_lines);
    token_lines.reverse();
    let reversed = document(&token_lines);
    for doc in [&shuffled, &sorted, &reversed] {
        for threads in 1..=4 {
            let parallel = parallel::parse(doc, pieces(threads, 1)).expect("valid");
            assert_eq!(contents(&parallel), contents(&typed), "{threads} pieces");
        }
    }
}
