use chrono::{DateTime, Utc};

use super::token::{timestamp, CUTOFF, WINDOW_END, WINDOW_START};
use super::*;
use crate::domain::{format_timestamp, Status};
use crate::domain::{AuthError, Presented, SecretDigest};
use crate::store::snapshot::Snapshot;
use crate::store::Store;

fn options(tokens: u64, workspaces: u32, seed: u64) -> GenerateOptions {
    GenerateOptions {
        tokens,
        workspaces,
        seed,
    }
}

fn run(options: &GenerateOptions) -> (Vec<u8>, Vec<DemoSecret>) {
    let mut out = Vec::new();
    let secrets = generate(options, &mut out, &mut |_| {}).expect("writing to a Vec");
    (out, secrets)
}

fn snapshot(options: &GenerateOptions) -> (Snapshot, Vec<DemoSecret>) {
    let (bytes, secrets) = run(options);
    let snapshot = Snapshot::parse(&bytes).unwrap_or_else(|e| panic!("{e}"));
    (snapshot, secrets)
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).expect("in range")
}

#[test]
fn generated_snapshots_are_valid_for_several_sizes_and_seeds() {
    for (tokens, workspaces, seed) in [
        (1, 1, 0),
        (5, 5, 1),
        (10, 3, 2),
        (2000, 4, 42),
        (3001, 13, u64::MAX),
    ] {
        let (snapshot, _) = snapshot(&options(tokens, workspaces, seed));
        assert_eq!(snapshot.token_count() as u64, tokens);
        assert_eq!(snapshot.workspaces.len(), workspaces as usize);
    }
}

#[test]
fn the_same_options_give_byte_identical_output() {
    assert_eq!(run(&options(3000, 3, 9)), run(&options(3000, 3, 9)));
}

#[test]
fn a_different_seed_gives_different_output() {
    assert_ne!(run(&options(100, 2, 1)).0, run(&options(100, 2, 2)).0);
}

#[test]
fn tokens_are_divided_as_evenly_as_possible_between_workspaces() {
    let (snapshot, _) = snapshot(&options(23, 5, 3));
    let sizes: Vec<_> = snapshot.workspaces.iter().map(|w| w.tokens.len()).collect();
    assert_eq!(sizes, [5, 5, 5, 4, 4]);
    let ids: Vec<_> = snapshot.workspaces.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(
        ids,
        ["ws_gen_1", "ws_gen_2", "ws_gen_3", "ws_gen_4", "ws_gen_5"]
    );
}

#[test]
fn statuses_come_in_about_the_requested_shares() {
    let (snapshot, _) = snapshot(&options(20_000, 4, 5));
    let mut counts = [0usize; 3];
    for data in snapshot.workspaces.iter().flat_map(|w| &w.tokens) {
        counts[data.token.status.index()] += 1;
    }
    let share = |count: usize| count * 100 / 20_000;
    assert!(
        (67..=73).contains(&share(counts[Status::Active.index()])),
        "{counts:?}"
    );
    assert!(
        (13..=17).contains(&share(counts[Status::Expired.index()])),
        "{counts:?}"
    );
    assert!(
        (13..=17).contains(&share(counts[Status::Revoked.index()])),
        "{counts:?}"
    );
}

#[test]
fn timestamps_stay_in_the_fixed_window_and_agree_with_each_other() {
    let (snapshot, _) = snapshot(&options(20_000, 2, 6));
    let mut never_expire = 0;
    for token in snapshot
        .workspaces
        .iter()
        .flat_map(|w| &w.tokens)
        .map(|d| &d.token)
    {
        assert!((at(WINDOW_START)..=at(WINDOW_END)).contains(&token.created_at));
        if token.status == Status::Expired {
            let expires_at = token.expires_at.expect("an expired token has an expiry");
            assert!(token.created_at < expires_at && expires_at <= at(CUTOFF));
        }
        if token.status == Status::Active {
            // Still active when served with a clock anywhere in the window.
            assert!(token.expires_at.is_none_or(|e| e > at(WINDOW_END)));
        }
        if let Some(last_used_at) = token.last_used_at {
            let bound = token.expires_at.map_or(at(CUTOFF), |e| e.min(at(CUTOFF)));
            assert!(token.created_at <= last_used_at && last_used_at <= bound);
        }
        never_expire += usize::from(token.expires_at.is_none());
    }
    assert!(
        (35..=45).contains(&(never_expire * 100 / 20_000)),
        "{never_expire}"
    );
}

#[test]
fn most_tokens_can_list_and_every_scope_is_well_formed() {
    let (snapshot, _) = snapshot(&options(5000, 1, 7));
    let tokens: Vec<_> = snapshot.workspaces[0]
        .tokens
        .iter()
        .map(|d| &d.token)
        .collect();
    let can_list = tokens.iter().filter(|t| t.has_scope("tokens:read")).count();
    assert!(
        (80..=90).contains(&(can_list * 100 / tokens.len())),
        "{can_list}"
    );
    assert!(tokens.iter().all(|t| !t.scopes.is_empty()));
}

#[test]
fn the_returned_secrets_authenticate_the_tokens_they_describe() {
    let (snapshot, secrets) = snapshot(&options(40, 3, 8));
    let store = Store::new(snapshot);
    let data = store.load();
    let now = at(CUTOFF + 86_400);
    assert_eq!(secrets.len(), 12);
    for secret in &secrets {
        let presented = Presented::Secret(SecretDigest::of(secret.secret.as_bytes()));
        let result = store.authenticate(&data, presented, now, false);
        let lists = secret.scopes.iter().any(|s| s == "tokens:read");
        match secret.status {
            "active" => {
                let principal = result.expect("an active secret authenticates");
                assert_eq!(principal.token.as_str(), secret.token_id);
                let workspace = data.workspaces().nth(principal.workspace as usize);
                assert_eq!(
                    workspace.map(|(id, _)| id.as_str()),
                    Some(secret.workspace.as_str())
                );
                let expected = if lists {
                    Ok(())
                } else {
                    Err(AuthError::InsufficientScope)
                };
                assert_eq!(principal.require_list_scope(), expected);
            }
            "revoked" => assert_eq!(result, Err(AuthError::Revoked)),
            _ => assert_eq!(result, Err(AuthError::Expired)),
        }
    }
    for workspace in ["ws_gen_1", "ws_gen_2", "ws_gen_3"] {
        let kinds: Vec<_> = secrets
            .iter()
            .filter(|s| s.workspace == workspace)
            .map(|s| (s.status, s.scopes.iter().any(|s| s == "tokens:read")))
            .collect();
        let expected = [
            ("active", true),
            ("active", false),
            ("revoked", true),
            ("expired", true),
        ];
        assert_eq!(kinds, expected);
    }
}

#[test]
fn a_workspace_smaller_than_four_tokens_gets_a_secret_for_each() {
    let (_, secrets) = snapshot(&options(2, 1, 0));
    assert_eq!(secrets.len(), 2);
}

#[test]
fn names_include_the_shared_substring_and_unicode_families() {
    let (snapshot, _) = snapshot(&options(5000, 1, 10));
    let names: Vec<_> = snapshot.workspaces[0]
        .tokens
        .iter()
        .map(|d| &*d.token.name)
        .collect();
    let any = |test: &dyn Fn(&str) -> bool| names.iter().any(|n| test(n));
    for part in ["ci", "deploy", "prod"] {
        assert!(any(&|n| n.to_lowercase().contains(part)), "{part}");
        // Also as part of a longer word.
        assert!(
            any(&|n| n
                .to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w != part && w.contains(part))),
            "{part}"
        );
    }
    for name in ["Straße Sync", "ΟΔΟΣ", "日本語"] {
        assert!(names.contains(&name), "{name}");
    }
    assert!(any(&|n| n.chars().any(|c| c >= '\u{1F300}')), "an emoji");
}

#[test]
fn the_vocabulary_needs_no_escaping_in_json() {
    for word in vocabulary::all_words() {
        assert_eq!(
            serde_json::to_string(word).expect("a string"),
            format!("\"{word}\"")
        );
    }
}

#[test]
fn timestamps_are_written_as_the_api_formats_them() {
    let mut rng = Rng::new(11);
    let samples = (0..10_000).map(|_| rng.between(0, 4_102_444_800));
    for seconds in samples.chain([0, WINDOW_START, WINDOW_END, CUTOFF, 951_782_400]) {
        let ours = timestamp(seconds);
        assert_eq!(
            std::str::from_utf8(&ours).expect("ASCII"),
            format_timestamp(&at(seconds))
        );
    }
}

#[test]
fn progress_is_reported_up_to_the_total() {
    let mut reports = Vec::new();
    generate(&options(10_000, 2, 1), &mut Vec::new(), &mut |n| {
        reports.push(n)
    })
    .expect("a Vec");
    assert!(reports.len() > 1, "{reports:?}");
    assert!(reports.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(reports.last(), Some(&10_000));
}

#[test]
fn options_out_of_range_are_refused_naming_the_flag() {
    let error = |o: GenerateOptions| o.validate().expect_err("out of range");
    assert!(error(options(0, 1, 0)).starts_with("--tokens must be"));
    assert!(error(options(MAX_TOKENS + 1, 1, 0)).starts_with("--tokens must be"));
    assert!(error(options(10, 0, 0)).starts_with("--workspaces must be"));
    assert!(error(options(10, 11, 0)).starts_with("--workspaces must be"));
    assert_eq!(options(10, 10, 0).validate(), Ok(()));
    let refused = generate(&options(0, 1, 0), &mut Vec::new(), &mut |_| {});
    assert_eq!(
        refused.expect_err("refused").kind(),
        io::ErrorKind::InvalidInput
    );
}
