//! Whatever the API and the admin API can produce loads again (rule 31): after any sequence of
//! authentications with every demo secret (and the secrets of tokens made on the way), listings,
//! clock moves both ways (to the first and last writable seconds too), replacements, store
//! failures and single-token creations, changes and deletions, the export is accepted by
//! `Snapshot::parse` (what `check`, `--snapshot` and `PUT /__admin/snapshot` run) and a store
//! loaded from it exports the same bytes.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use proptest::sample::{select, Index as Pick};
use serde_json::{Map, Value};
use tooken_mock::domain::{ListQuery, Presented, QueryLimits, SecretDigest, WorkspaceId};
use tooken_mock::store::snapshot::Snapshot;
use tooken_mock::store::{Index, Store, DEFAULT_SNAPSHOT};

const LIMITS: QueryLimits = QueryLimits {
    default_per_page: 25,
    max_per_page: 100,
};
const WORKSPACES: [&str; 4] = ["ws_acme", "ws_globex", "ws_initech", "ws_nobody"];
const EARLIEST: &str = "0000-01-01T00:00:00Z";
const LATEST: &str = "9999-12-31T23:59:59Z";

/// An instant of the demo data's timeline (2024 to 2028, by the hour), or one of the ends of
/// the clock's range.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let start: DateTime<Utc> = "2024-01-01T00:00:00Z".parse().expect("a time");
    prop_oneof![
        8 => (0i64..5 * 366 * 24).prop_map(move |h| start + Duration::hours(h)),
        1 => Just(EARLIEST.parse().expect("a time")),
        1 => Just(LATEST.parse().expect("a time")),
    ]
}

fn timestamp(at: &DateTime<Utc>) -> Value {
    Value::from(at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// One thing the API or the admin API can do to a session's store.
#[derive(Clone, Debug)]
enum Op {
    Authenticate(Pick, DateTime<Utc>),
    List(&'static str, u32, u32, DateTime<Utc>),
    ReplaceWithExport,
    ReplaceWithDefault,
    FailNextList,
    Create(Map<String, Value>, DateTime<Utc>),
    Patch(Pick, Map<String, Value>),
    Delete(Pick),
}

fn create_fields() -> impl Strategy<Value = Map<String, Value>> {
    (
        select(&WORKSPACES[..]),
        select(vec!["Round trip", "Ünïcode ﬁle", "x"]),
        select(vec![vec!["tokens:read"], vec!["deployments:write"], vec![]]),
        prop::option::of(select(vec!["active", "expired", "revoked"])),
        prop::option::of(instant()),
        prop::option::of(instant()),
    )
        .prop_map(|(workspace, name, scopes, status, created, expires)| {
            let mut fields = Map::new();
            fields.insert("workspace".into(), workspace.into());
            fields.insert("name".into(), name.into());
            fields.insert("scopes".into(), scopes.into());
            if let Some(status) = status {
                fields.insert("status".into(), status.into());
            }
            if let Some(at) = created {
                fields.insert("created_at".into(), timestamp(&at));
            }
            if let Some(at) = expires {
                fields.insert("expires_at".into(), timestamp(&at));
            }
            fields
        })
}

fn patch_fields() -> impl Strategy<Value = Map<String, Value>> {
    let time = || prop::option::of(prop::option::of(instant()));
    (
        prop::option::of(select(vec!["Renamed", "ΟΔΟΣ"])),
        any::<bool>(),
        time(),
        time(),
    )
        .prop_map(|(name, revoke, expires, used)| {
            let mut fields = Map::new();
            if let Some(name) = name {
                fields.insert("name".into(), name.into());
            }
            if revoke {
                fields.insert("status".into(), "revoked".into());
            }
            for (key, value) in [("expires_at", expires), ("last_used_at", used)] {
                if let Some(value) = value {
                    fields.insert(key.into(), value.as_ref().map_or(Value::Null, timestamp));
                }
            }
            fields
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (any::<Pick>(), instant()).prop_map(|(s, at)| Op::Authenticate(s, at)),
        2 => (select(&WORKSPACES[..]), 1u32..4, 1u32..30, instant())
            .prop_map(|(w, page, per_page, at)| Op::List(w, page, per_page, at)),
        1 => Just(Op::ReplaceWithExport),
        1 => Just(Op::ReplaceWithDefault),
        1 => Just(Op::FailNextList),
        2 => (create_fields(), instant()).prop_map(|(f, at)| Op::Create(f, at)),
        2 => (any::<Pick>(), patch_fields()).prop_map(|(t, f)| Op::Patch(t, f)),
        1 => any::<Pick>().prop_map(Op::Delete),
    ]
}

/// The secrets of the embedded demo data.
fn demo_secrets() -> Vec<String> {
    let document: Value = serde_json::from_slice(DEFAULT_SNAPSHOT).expect("JSON");
    document["workspaces"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|w| w["tokens"].as_array().into_iter().flatten())
        .filter_map(|t| t["secret"].as_str().map(str::to_owned))
        .collect()
}

/// The ids of the tokens an export holds.
fn token_ids(export: &[u8]) -> Vec<String> {
    let document: Value = serde_json::from_slice(export).expect("an export is JSON");
    document["workspaces"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|w| w["tokens"].as_array().into_iter().flatten())
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .collect()
}

fn index_of(bytes: &[u8]) -> Result<Arc<Index>, TestCaseError> {
    let snapshot = Snapshot::parse(bytes)
        .map_err(|e| TestCaseError::fail(format!("an export is refused: {e}")))?;
    Ok(Arc::new(Index::new(snapshot)))
}

fn apply(store: &Store, op: &Op, secrets: &mut Vec<String>) -> Result<(), TestCaseError> {
    match op {
        Op::Authenticate(pick, at) => {
            let secret = pick.get(secrets);
            let presented = Presented::Secret(SecretDigest::of(secret.as_bytes()));
            let _ = store.authenticate(&store.load(), presented, *at, true);
        }
        Op::List(workspace, page, per_page, at) => {
            let query = ListQuery::parse(&format!("page={page}&per_page={per_page}"), LIMITS)
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            // As the store actor does: a pending failure is taken by the next listing.
            if !store.take_failure() {
                let id = WorkspaceId::parse(workspace).expect("a workspace id");
                store.list(&id, &query, *at);
            }
        }
        Op::ReplaceWithExport => store.replace(&index_of(&store.export())?),
        Op::ReplaceWithDefault => store.replace(&index_of(DEFAULT_SNAPSHOT)?),
        Op::FailNextList => store.fail_next_list(),
        Op::Create(fields, at) => {
            if let Ok(created) = store.create(fields, *at) {
                secrets.push(created.secret);
            }
        }
        Op::Patch(pick, fields) => {
            let ids = token_ids(&store.export());
            if !ids.is_empty() {
                let _ = store.patch(pick.get::<String>(&ids), fields);
            }
        }
        Op::Delete(pick) => {
            let ids = token_ids(&store.export());
            if !ids.is_empty() {
                let _ = store.delete(pick.get::<String>(&ids));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn an_export_after_any_sequence_loads_back_and_exports_the_same_bytes(
        ops in prop::collection::vec(op(), 1..40),
    ) {
        let store = Store::new(Snapshot::parse(DEFAULT_SNAPSHOT).expect("the demo data"));
        let mut secrets = demo_secrets();
        prop_assert!(secrets.len() >= 7);

        for op in &ops {
            apply(&store, op, &mut secrets)?;
        }

        let exported = store.export();
        let reloaded = Store::fork(&index_of(&exported)?);
        let again = reloaded.export();
        prop_assert!(
            again == exported,
            "the export of the reloaded store differs:\n{}\n---\n{}",
            String::from_utf8_lossy(&exported),
            String::from_utf8_lossy(&again)
        );
    }
}
