//! Properties of the query parser, the snapshot loader and workspace isolation, checked on
//! generated input rather than on hand-picked examples.
//!
//! Each property states what must hold for *every* input of its kind: the parser and the loader
//! never panic and always explain a refusal; accepted input keeps its meaning; and a listing,
//! whatever the snapshot, clock and filters, is exactly what a naive filter over the snapshot's
//! tokens gives, restricted to the caller's workspace.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Number, Value};

use tooken_mock::domain::{
    decode_query, fold, format_timestamp, ListQuery, QueryLimits, Status, Token, WorkspaceId,
};
use tooken_mock::domain::{AuthError, Presented, SecretDigest, REQUIRED_SCOPE};
use tooken_mock::store::snapshot::Snapshot;
use tooken_mock::store::Store;

const LIMITS: QueryLimits = QueryLimits {
    default_per_page: 25,
    max_per_page: 100,
};

const KNOWN_PARAMETERS: [&str; 4] = ["page", "per_page", "status", "name"];

// ---- the query parser ----

/// Pieces that query strings are made of, good and bad, so that concatenations of them reach
/// the interesting corners (repeats, half-escapes, overflowing numbers) far more often than
/// uniformly random text would.
fn query_fragment() -> impl Strategy<Value = String> {
    let fixed = select(vec![
        "page=",
        "per_page=",
        "status=",
        "name=",
        "__code=",
        "sort=",
        "%",
        "%zz",
        "%ff",
        "%4",
        "%25",
        "%2B",
        "%C3%A9",
        "%E2%82",
        "+",
        "&",
        "&&",
        "=",
        "==",
        "active",
        "expired",
        "revoked",
        "Active",
        "0",
        "1",
        "-1",
        "1.5",
        "4294967295",
        "4294967296",
        "18446744073709551616",
        "ß",
        "ﬁ",
        "ΟΔΟΣ",
        "e\u{301}",
        "\u{0}",
        "🦀",
    ])
    .prop_map(str::to_owned);
    prop_oneof![
        4 => fixed,
        1 => "[0-9]{1,4}",
        1 => "[0-9]{10,40}",
        1 => "\\PC{1,4}",
        1 => "[aé]{250,260}",
    ]
}

fn fragment_query() -> impl Strategy<Value = String> {
    prop::collection::vec(query_fragment(), 0..24).prop_map(|parts| parts.concat())
}

/// Page size limits as a deployment might configure them.
fn limits() -> impl Strategy<Value = QueryLimits> {
    (1u32..=1000).prop_flat_map(|max| {
        (1..=max).prop_map(move |default| QueryLimits {
            default_per_page: default,
            max_per_page: max,
        })
    })
}

/// Checks what must hold of any parse result, whatever the input.
fn check_parse_outcome(raw: &str, limits: QueryLimits) -> Result<(), TestCaseError> {
    match ListQuery::parse(raw, limits) {
        Ok(query) => {
            prop_assert!(query.page >= 1);
            prop_assert!((1..=limits.max_per_page).contains(&query.per_page));
            let expected = u64::from(query.page - 1).checked_mul(u64::from(query.per_page));
            prop_assert_eq!(Some(query.offset()), expected);
            if let Some(name) = &query.name {
                prop_assert!(!name.raw.is_empty());
                prop_assert!(name.raw.chars().count() <= 256);
                prop_assert_eq!(&name.folded, &fold(&name.raw));
            }
        }
        Err(errors) => {
            prop_assert!(!errors.is_empty(), "a refusal names no parameter: {raw:?}");
            let undecodable_keys: HashSet<String> = decode_query(raw)
                .into_iter()
                .filter_map(|(key, _)| key.err())
                .collect();
            for error in &errors {
                prop_assert!(!error.parameter.is_empty(), "{raw:?}: {errors:?}");
                prop_assert!(!error.detail.is_empty(), "{raw:?}: {errors:?}");
                prop_assert!(
                    KNOWN_PARAMETERS.contains(&error.parameter.as_str())
                        || undecodable_keys.contains(&error.parameter),
                    "{raw:?} blames {:?}, which is neither known nor undecodable",
                    error.parameter
                );
            }
        }
    }
    // The same text always gets the same answer.
    prop_assert_eq!(ListQuery::parse(raw, limits), ListQuery::parse(raw, limits));
    Ok(())
}

/// Form-encodes a value the way a browser or an HTTP client might: everything but letters
/// and digits escaped, spaces either as `%20` or as `+`.
fn form_encode(text: &str, plus_for_space: bool) -> String {
    if plus_for_space {
        text.split(' ')
            .map(|piece| utf8_percent_encode(piece, NON_ALPHANUMERIC).to_string())
            .collect::<Vec<_>>()
            .join("+")
    } else {
        utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
    }
}

/// Values a valid request may carry; `None` leaves the parameter out.
#[derive(Clone, Debug)]
struct ValidRequest {
    limits: QueryLimits,
    page: Option<u32>,
    per_page: Option<u32>,
    status: Option<Status>,
    name: Option<String>,
    plus_for_space: bool,
}

fn status() -> impl Strategy<Value = Status> {
    select(Status::ALL.to_vec())
}

fn name_filter_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<char>(), 1..=256).prop_map(String::from_iter),
        "[ a-zA-Z0-9%_*+&=ßﬁΟΔΟΣé\u{301}-]{1,40}",
    ]
}

fn valid_request() -> impl Strategy<Value = ValidRequest> {
    limits().prop_flat_map(|limits| {
        (
            prop::option::of(prop_oneof![1..=u32::MAX, 1u32..=20]),
            prop::option::of(1..=limits.max_per_page),
            prop::option::of(status()),
            prop::option::of(name_filter_text()),
            any::<bool>(),
        )
            .prop_map(
                move |(page, per_page, status, name, plus_for_space)| ValidRequest {
                    limits,
                    page,
                    per_page,
                    status,
                    name,
                    plus_for_space,
                },
            )
    })
}

/// The request as a query string, its parameters in a random order among unknown ones.
fn encoded(request: ValidRequest) -> impl Strategy<Value = (ValidRequest, String)> {
    let mut parts = vec![
        "sort=created_at".to_owned(),
        "x=%ff".to_owned(),
        "__delay=0".to_owned(),
        String::new(),
    ];
    parts.extend(request.page.map(|v| format!("page={v}")));
    parts.extend(request.per_page.map(|v| format!("per_page={v}")));
    parts.extend(request.status.map(|v| format!("status={v}")));
    parts.extend(
        request
            .name
            .as_deref()
            .map(|v| format!("name={}", form_encode(v, request.plus_for_space))),
    );
    Just(parts)
        .prop_shuffle()
        .prop_map(move |parts| (request.clone(), parts.join("&")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_query_parser_never_panics_and_explains_every_refusal_of_arbitrary_text(
        raw in any::<String>(),
        limits in limits(),
    ) {
        check_parse_outcome(&raw, limits)?;
    }

    #[test]
    fn the_query_parser_never_panics_and_explains_every_refusal_of_query_like_text(
        raw in fragment_query(),
        limits in limits(),
    ) {
        check_parse_outcome(&raw, limits)?;
    }

    #[test]
    fn decoding_a_query_never_panics_and_keeps_one_pair_per_non_empty_part(
        raw in prop_oneof![any::<String>(), fragment_query()],
    ) {
        let pairs = decode_query(&raw);
        prop_assert_eq!(pairs.len(), raw.split('&').filter(|p| !p.is_empty()).count());
    }

    #[test]
    fn a_valid_query_parses_back_to_the_values_it_was_encoded_from(
        (request, raw) in valid_request().prop_flat_map(encoded),
    ) {
        let query = ListQuery::parse(&raw, request.limits);
        prop_assert!(query.is_ok(), "{raw:?} was refused: {query:?}");
        let query = query.unwrap();
        prop_assert_eq!(query.page, request.page.unwrap_or(1));
        prop_assert_eq!(
            query.per_page,
            request.per_page.unwrap_or(request.limits.default_per_page)
        );
        prop_assert_eq!(query.status, request.status);
        let name = query.name.map(|n| (n.raw, n.folded));
        let expected = request.name.map(|text| {
            let folded = fold(&text);
            (text, folded)
        });
        prop_assert_eq!(name, expected);
    }

    #[test]
    fn a_name_longer_than_256_characters_is_refused_naming_only_name(
        text in prop::collection::vec(any::<char>(), 257..300).prop_map(String::from_iter),
        plus_for_space in any::<bool>(),
    ) {
        let raw = format!("page=2&name={}", form_encode(&text, plus_for_space));
        let errors = ListQuery::parse(&raw, LIMITS).expect_err("an over-long name is refused");
        let parameters: Vec<_> = errors.iter().map(|e| e.parameter.as_str()).collect();
        prop_assert_eq!(parameters, ["name"]);
    }
}

// ---- valid snapshots, generated ----

/// The start of the generated timeline; creation times and clocks are hours after it.
fn epoch() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z"
        .parse()
        .expect("the epoch is a valid timestamp")
}

fn hours(n: u32) -> DateTime<Utc> {
    epoch() + Duration::hours(i64::from(n))
}

/// Names that fold into each other, so name filters match across case and normal forms, and
/// recur across workspaces.
const NAMES: [&str; 12] = [
    "CI Deploy",
    "ci-bot",
    "Straße sync",
    "STRASSE",
    "ΟΔΟΣ",
    "οδοσ reader",
    "ﬁle export",
    "Café key",
    "Cafe\u{301} key",
    "deploy",
    "100% _literal_*",
    "Read-Only Audit",
];

/// Filters that hit some of the names above and miss others.
const FILTERS: [&str; 12] = [
    "ci", "CI", "STRASSE", "straße", "οδοσ", "FI", "café", "e\u{301}", "%", "_", "deploy", "zzz",
];

/// One token of a generated snapshot. Ids and secrets are made unique by its position.
#[derive(Clone, Debug)]
struct TokenSpec {
    /// Leads the id, so that id order and creation order are unrelated.
    id_lead: u32,
    /// Hours after the epoch; a small range, so creation times often tie.
    created: u32,
    /// Hours after creation, when the token expires.
    expires_after: Option<u32>,
    last_used_after: Option<u32>,
    status: Status,
    name: String,
    can_list: bool,
    has_secret: bool,
}

fn token_spec() -> impl Strategy<Value = TokenSpec> {
    let name = prop_oneof![
        3 => select(NAMES.to_vec()).prop_map(str::to_owned),
        1 => (select(NAMES.to_vec()), "[a-z0-9 ]{0,6}")
            .prop_map(|(name, suffix)| format!("{name}{suffix}")),
        1 => "\\PC{1,12}",
    ];
    (
        any::<u32>(),
        0u32..24,
        prop::option::of(1u32..200),
        prop::option::of(0u32..300),
        status(),
        name,
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.5),
    )
        .prop_map(
            |(
                id_lead,
                created,
                expires_after,
                last_used_after,
                status,
                name,
                can_list,
                has_secret,
            )| {
                TokenSpec {
                    id_lead,
                    created,
                    expires_after,
                    last_used_after,
                    status,
                    name,
                    can_list,
                    has_secret,
                }
            },
        )
}

/// The JSON of the `serial`-th token of a snapshot.
fn token_json(spec: &TokenSpec, serial: usize) -> Value {
    let created_at = hours(spec.created);
    let mut scopes = vec!["workspaces:read"];
    if spec.can_list {
        scopes.insert(0, REQUIRED_SCOPE);
    }
    let mut token = json!({
        "id": format!("tok_{:010}{:014}", spec.id_lead, serial),
        "name": spec.name,
        "scopes": scopes,
        "status": spec.status.as_str(),
        "created_at": format_timestamp(&created_at),
        "expires_at": spec.expires_after.map(|h| format_timestamp(&(created_at + Duration::hours(i64::from(h))))),
        "last_used_at": spec.last_used_after.map(|h| format_timestamp(&(created_at + Duration::hours(i64::from(h))))),
        "created_by": format!("dev{}@example.com", serial % 7),
    });
    if spec.has_secret {
        token["secret"] = json!(format!("tok_live_Secret{serial:024}"));
    }
    token
}

/// The three document shapes a snapshot may take.
#[derive(Clone, Copy, Debug)]
enum Shape {
    Workspaces,
    Data,
    Bare,
}

fn shape() -> impl Strategy<Value = Shape> {
    select(vec![Shape::Workspaces, Shape::Data, Shape::Bare])
}

/// A snapshot document and where each of its tokens sits in it.
#[derive(Clone, Debug)]
struct Document {
    shape: Shape,
    value: Value,
}

impl Document {
    /// Lays out workspaces of tokens; the `data` and bare shapes hold only the first workspace.
    fn new(shape: Shape, workspaces: &[Vec<TokenSpec>]) -> Document {
        let mut serial = 0;
        let mut tokens_of = |specs: &[TokenSpec]| -> Vec<Value> {
            specs
                .iter()
                .map(|spec| {
                    serial += 1;
                    token_json(spec, serial)
                })
                .collect()
        };
        let first = workspaces.first().map(Vec::as_slice).unwrap_or_default();
        let value = match shape {
            Shape::Workspaces => json!({
                "workspaces": workspaces
                    .iter()
                    .enumerate()
                    .map(|(w, specs)| json!({
                        "id": format!("ws_{w}"),
                        "name": format!("Workspace {w}"),
                        "tokens": tokens_of(specs),
                    }))
                    .collect::<Vec<_>>()
            }),
            Shape::Data => json!({
                "data": tokens_of(first),
                "meta": {"page": 1, "per_page": 25, "total": first.len()},
            }),
            Shape::Bare => Value::Array(tokens_of(first)),
        };
        Document { shape, value }
    }

    /// Every token object, with the location the loader reports problems of it under.
    fn tokens_mut(&mut self) -> Vec<(String, &mut Value)> {
        match (self.shape, &mut self.value) {
            (Shape::Workspaces, value) => value["workspaces"]
                .as_array_mut()
                .into_iter()
                .flatten()
                .enumerate()
                .flat_map(|(w, workspace)| {
                    workspace["tokens"]
                        .as_array_mut()
                        .into_iter()
                        .flatten()
                        .enumerate()
                        .map(move |(t, token)| (format!("workspaces[{w}].tokens[{t}]"), token))
                })
                .collect(),
            (Shape::Data, value) => value["data"]
                .as_array_mut()
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(t, token)| (format!("data[{t}]"), token))
                .collect(),
            (Shape::Bare, Value::Array(items)) => items
                .iter_mut()
                .enumerate()
                .map(|(t, token)| (format!("[{t}]"), token))
                .collect(),
            (Shape::Bare, _) => Vec::new(),
        }
    }

    fn token_count(&mut self) -> usize {
        self.tokens_mut().len()
    }

    fn bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.value).expect("a JSON value serialises")
    }
}

fn workspaces_of_tokens(
    workspaces: std::ops::RangeInclusive<usize>,
    tokens: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Vec<TokenSpec>>> {
    prop::collection::vec(prop::collection::vec(token_spec(), tokens), workspaces)
}

// ---- the snapshot loader ----

const TOKEN_FIELDS: [&str; 10] = [
    "id",
    "name",
    "scopes",
    "status",
    "created_at",
    "expires_at",
    "last_used_at",
    "created_by",
    "secret",
    "secret_sha256",
];

const REQUIRED_TOKEN_FIELDS: [&str; 6] =
    ["id", "name", "scopes", "status", "created_at", "created_by"];

/// Strings that are valid somewhere in a snapshot, mixed with arbitrary text.
fn json_string() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "tok_a1b2c3d4e5f6g7h8i9j0k1l2",
            "ws_default",
            "active",
            "expired",
            "revoked",
            "tokens:read",
            "2026-01-15T09:00:00Z",
            "2026-01-15T09:00:00+02:00",
            "a@example.com",
            "tok_live_abcdefghijklmnopqrstuvwx",
            "",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,16}",
    ]
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        select(TOKEN_FIELDS.to_vec()).prop_map(str::to_owned),
        select(vec!["workspaces", "data", "meta", "tokens"]).prop_map(str::to_owned),
        "\\PC{0,8}",
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("JSON has no NaN or infinity", |f| {
            Number::from_f64(f).map(Value::Number)
        }),
        json_string().prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((json_key(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Arbitrary JSON as a whole document, or in the place of a workspace or of a token, so that
/// the loader's inner levels see it too.
fn json_document() -> impl Strategy<Value = Value> {
    prop_oneof![
        json_value(),
        json_value().prop_map(|v| json!({ "workspaces": [v] })),
        json_value()
            .prop_map(|v| json!({ "workspaces": [{ "id": "ws_a", "name": "A", "tokens": [v] }] })),
        json_value().prop_map(|v| json!({ "data": [v], "meta": {} })),
        json_value().prop_map(|v| json!([v])),
    ]
}

/// A value of a type that no token field accepts (`null` and strings are accepted by some).
fn wrong_type() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        Just(json!({})),
        Just(json!({"id": "tok_a1b2c3d4e5f6g7h8i9j0k1l2"})),
    ]
}

/// One change to one token of a valid document.
#[derive(Clone, Debug)]
enum Mutation {
    Drop(&'static str),
    WrongType(&'static str, Value),
    SetString(&'static str, String),
    SetValue(&'static str, Value),
    AddField(String, Value),
    CopyFromOther(&'static str, prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let field = || select(TOKEN_FIELDS.to_vec());
    prop_oneof![
        field().prop_map(Mutation::Drop),
        (field(), wrong_type()).prop_map(|(f, v)| Mutation::WrongType(f, v)),
        (field(), json_string()).prop_map(|(f, s)| Mutation::SetString(f, s)),
        (field(), json_value()).prop_map(|(f, v)| Mutation::SetValue(f, v)),
        (json_key(), json_value()).prop_map(|(k, v)| Mutation::AddField(k, v)),
        (select(vec!["id", "secret"]), any::<prop::sample::Index>())
            .prop_map(|(f, i)| Mutation::CopyFromOther(f, i)),
    ]
}

fn apply(document: &mut Document, target: prop::sample::Index, mutation: &Mutation) {
    let mut tokens = document.tokens_mut();
    if tokens.is_empty() {
        return;
    }
    let source = match mutation {
        Mutation::CopyFromOther(field, other) => {
            tokens[other.index(tokens.len())].1[*field].clone()
        }
        _ => Value::Null,
    };
    let target = target.index(tokens.len());
    let (_, token) = &mut tokens[target];
    let Some(object) = token.as_object_mut() else {
        return;
    };
    match mutation {
        Mutation::Drop(field) => {
            object.remove(*field);
        }
        Mutation::WrongType(field, value) | Mutation::SetValue(field, value) => {
            object.insert((*field).to_owned(), value.clone());
        }
        Mutation::SetString(field, text) => {
            object.insert((*field).to_owned(), Value::String(text.clone()));
        }
        Mutation::AddField(key, value) => {
            object.insert(key.clone(), value.clone());
        }
        Mutation::CopyFromOther(field, _) => {
            object.insert((*field).to_owned(), source);
        }
    }
}

/// Locations that must be reported, read off the final document: missing required fields,
/// fields of a type no token field has, and unknown fields.
fn certain_problems(document: &mut Document) -> Vec<String> {
    let mut expected = Vec::new();
    for (at, token) in document.tokens_mut() {
        let Some(object) = token.as_object() else {
            expected.push(at);
            continue;
        };
        for field in REQUIRED_TOKEN_FIELDS {
            if !object.contains_key(field) {
                expected.push(format!("{at}.{field}"));
            }
        }
        for (key, value) in object {
            let known = TOKEN_FIELDS.contains(&key.as_str());
            let wrong = matches!(value, Value::Bool(_) | Value::Number(_) | Value::Object(_));
            if !known || wrong {
                expected.push(member(&at, key));
            }
        }
    }
    expected
}

/// The location of member `key` of the token at `at`: `at.key` for a name of letters, digits
/// and underscores, else the name quoted as JSON, `at["key"]`, so that no location is empty or
/// ambiguous.
fn member(at: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if plain {
        format!("{at}.{key}")
    } else {
        format!("{at}[{}]", Value::from(key))
    }
}

/// What must hold of any load, whatever the bytes: a refusal lists located problems; an
/// accepted snapshot loads the same way again, and survives an export and reload unchanged.
fn check_load_outcome(bytes: &[u8]) -> Result<Option<Snapshot>, TestCaseError> {
    match Snapshot::parse(bytes) {
        Err(error) => {
            prop_assert!(!error.0.is_empty(), "a refusal without problems");
            for problem in &error.0 {
                prop_assert!(!problem.location.is_empty(), "{problem:?}");
                prop_assert!(!problem.message.is_empty(), "{problem:?}");
            }
            // The same bytes are refused for the same reasons.
            let again = Snapshot::parse(bytes).map(|_| ()).map_err(|e| e.0);
            prop_assert_eq!(again, Err(error.0));
            Ok(None)
        }
        Ok(snapshot) => {
            let now = hours(100);
            let again = Snapshot::parse(bytes).map_err(|e| {
                TestCaseError::fail(format!("accepted once, refused the second time: {e}"))
            })?;
            prop_assert_eq!(again.token_count(), snapshot.token_count());
            prop_assert_eq!(again.summary(now), snapshot.summary(now));

            let exported = Store::new(again).export();
            let reloaded = Snapshot::parse(&exported).map_err(|e| {
                TestCaseError::fail(format!("an export of an accepted snapshot is refused: {e}"))
            })?;
            prop_assert_eq!(reloaded.token_count(), snapshot.token_count());
            prop_assert_eq!(reloaded.summary(now), snapshot.summary(now));
            prop_assert_eq!(tokens_by_id(&reloaded), tokens_by_id(&snapshot));
            Ok(Some(snapshot))
        }
    }
}

fn tokens_by_id(snapshot: &Snapshot) -> BTreeMap<String, (String, Token, bool)> {
    snapshot
        .workspaces
        .iter()
        .flat_map(|w| {
            w.tokens.iter().map(|t| {
                (
                    t.token.id.as_str().to_owned(),
                    (
                        w.id.as_str().to_owned(),
                        t.token.clone(),
                        t.secret.is_some(),
                    ),
                )
            })
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_snapshot_loader_never_panics_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        check_load_outcome(&bytes)?;
    }

    #[test]
    fn the_snapshot_loader_never_panics_on_arbitrary_json(value in json_document()) {
        let bytes = serde_json::to_vec(&value).expect("a JSON value serialises");
        check_load_outcome(&bytes)?;
    }

    #[test]
    fn a_generated_valid_snapshot_is_accepted_with_every_token_in_every_shape(
        shape in shape(),
        workspaces in workspaces_of_tokens(1..=3, 0..8),
    ) {
        let mut document = Document::new(shape, &workspaces);
        let snapshot = check_load_outcome(&document.bytes())?;
        prop_assert!(snapshot.is_some(), "{}", document.value);
        prop_assert_eq!(
            snapshot.map(|s| s.token_count()),
            Some(document.token_count())
        );
    }

    #[test]
    fn a_mutated_snapshot_never_panics_and_reports_every_certain_problem_where_it_is(
        shape in shape(),
        workspaces in workspaces_of_tokens(1..=2, 1..5),
        mutations in prop::collection::vec(
            (any::<prop::sample::Index>(), mutation()),
            1..4,
        ),
    ) {
        let mut document = Document::new(shape, &workspaces);
        for (target, mutation) in &mutations {
            apply(&mut document, *target, mutation);
        }
        let expected = certain_problems(&mut document);
        let bytes = document.bytes();
        match check_load_outcome(&bytes)? {
            Some(snapshot) => {
                prop_assert!(expected.is_empty(), "accepted despite {expected:?}");
                // An accepted document loads all of its tokens, never silently fewer.
                prop_assert_eq!(snapshot.token_count(), document.token_count());
            }
            None => {
                let found: HashSet<String> = Snapshot::parse(&bytes)
                    .err()
                    .into_iter()
                    .flat_map(|e| e.0)
                    .map(|p| p.location)
                    .collect();
                for location in expected {
                    prop_assert!(
                        found.contains(&location),
                        "{location} is not reported; found {found:?}"
                    );
                }
            }
        }
    }
}

// ---- workspace isolation ----

/// One listing request: the clock it is made at and the filters it carries.
#[derive(Clone, Debug)]
struct Request {
    now: u32,
    status: Option<Status>,
    name: Option<String>,
    page: u32,
    per_page: u32,
}

fn request() -> impl Strategy<Value = Request> {
    let name = prop_oneof![
        select(FILTERS.to_vec()).prop_map(str::to_owned),
        "\\PC{1,3}",
    ];
    (
        0u32..240,
        prop::option::of(status()),
        prop::option::of(name),
        1u32..=5,
        1u32..=10,
    )
        .prop_map(|(now, status, name, page, per_page)| Request {
            now,
            status,
            name,
            page,
            per_page,
        })
}

impl Request {
    fn query(&self) -> ListQuery {
        let mut raw = format!("page={}&per_page={}", self.page, self.per_page);
        if let Some(status) = self.status {
            raw.push_str(&format!("&status={status}"));
        }
        if let Some(name) = &self.name {
            raw.push_str(&format!("&name={}", form_encode(name, false)));
        }
        ListQuery::parse(&raw, LIMITS).expect("generated requests are valid")
    }
}

/// A workspace's tokens, filtered, ordered and sliced the slow and obvious way.
fn naive_listing(
    tokens: &[(WorkspaceId, Token)],
    workspace: &WorkspaceId,
    request: &Request,
) -> (Vec<Token>, u64) {
    let now = hours(request.now);
    let filter = request.name.as_deref().map(fold);
    let mut matching: Vec<Token> = tokens
        .iter()
        .filter(|(w, _)| w == workspace)
        .map(|(_, token)| Token {
            status: token.status_at(now),
            ..token.clone()
        })
        .filter(|t| request.status.is_none_or(|s| t.status == s))
        .filter(|t| {
            filter
                .as_deref()
                .is_none_or(|needle| fold(&t.name).contains(needle))
        })
        .collect();
    matching.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let total = matching.len() as u64;
    let offset = ((request.page - 1) * request.per_page) as usize;
    let page = matching
        .into_iter()
        .skip(offset)
        .take(request.per_page as usize)
        .collect();
    (page, total)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_secret_sees_counts_and_pages_exactly_its_own_workspaces_matching_tokens(
        workspaces in workspaces_of_tokens(1..=4, 0..14),
        requests in prop::collection::vec(request(), 1..8),
    ) {
        let document = Document::new(Shape::Workspaces, &workspaces);
        let bytes = document.bytes();
        let snapshot = Snapshot::parse(&bytes);
        prop_assert!(snapshot.is_ok(), "a generated snapshot is refused: {:?}", snapshot.err());
        let snapshot = snapshot.unwrap();

        let tokens: Vec<(WorkspaceId, Token)> = snapshot
            .workspaces
            .iter()
            .flat_map(|w| w.tokens.iter().map(|t| (w.id.clone(), t.token.clone())))
            .collect();
        let own_ids: HashMap<WorkspaceId, HashSet<String>> = snapshot
            .workspaces
            .iter()
            .map(|w| {
                let ids = w.tokens.iter().map(|t| t.token.id.as_str().to_owned()).collect();
                (w.id.clone(), ids)
            })
            .collect();
        // The secrets, read back from the document, with the token each belongs to.
        let secrets: Vec<(String, String)> = document.value["workspaces"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|w| w["tokens"].as_array().into_iter().flatten())
            .filter_map(|t| Some((t["secret"].as_str()?.to_owned(), t["id"].as_str()?.to_owned())))
            .collect();
        let store = Store::new(snapshot);
        let data = store.load();

        // Requests run in the generated order, so the store's clock moves back and forth.
        for request in &requests {
            let now = hours(request.now);
            let query = request.query();
            for (secret, token_id) in &secrets {
                let (workspace, token) = tokens
                    .iter()
                    .find(|(_, t)| t.id.as_str() == token_id)
                    .expect("every secret's token is loaded");
                let presented = Presented::Secret(SecretDigest::of(secret.as_bytes()));
                let outcome = store.authenticate(&data, presented, now, false);
                let principal = match token.status_at(now) {
                    Status::Revoked => {
                        prop_assert_eq!(outcome, Err(AuthError::Revoked));
                        continue;
                    }
                    Status::Expired => {
                        prop_assert_eq!(outcome, Err(AuthError::Expired));
                        continue;
                    }
                    Status::Active if token.created_at > now => {
                        prop_assert_eq!(outcome, Err(AuthError::NotValidYet));
                        continue;
                    }
                    Status::Active => {
                        prop_assert!(outcome.is_ok(), "{token_id} at {now}: {outcome:?}");
                        outcome.unwrap()
                    }
                };
                let listed_workspace = data.workspaces().nth(principal.workspace as usize);
                prop_assert_eq!(listed_workspace.map(|(id, _)| id), Some(workspace));
                prop_assert_eq!(principal.token.as_str(), token_id.as_str());
                prop_assert_eq!(
                    principal.require_list_scope().is_ok(),
                    token.has_scope(REQUIRED_SCOPE)
                );

                let page = store.list(workspace, &query, now);
                for listed in &page.tokens {
                    prop_assert!(
                        own_ids[workspace].contains(listed.id.as_str()),
                        "{} of another workspace listed for {workspace:?}",
                        listed.id.as_str()
                    );
                }
                let (expected, total) = naive_listing(&tokens, workspace, request);
                prop_assert_eq!(page.total, total, "total for {:?}", request);
                prop_assert_eq!(page.tokens, expected, "page for {:?}", request);
            }
        }

        let unknown = WorkspaceId::parse("ws_nobody").expect("a well-formed workspace id");
        let page = store.list(&unknown, &ListQuery::parse("", LIMITS).expect("defaults"), hours(0));
        prop_assert!(page.tokens.is_empty() && page.total == 0);
    }
}
