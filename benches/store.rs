//! Benchmarks of the store: listing pages, moving expired tokens, and loading a snapshot.
//!
//! Each size is one workspace of generated tokens (seed 1, the data `tooken-mock generate`
//! writes). A size's data is built the first time one of its benchmarks runs and dropped
//! before the next size, so a filtered run (`cargo bench --bench store -- 10k`) builds only
//! what it measures and the 1M store is never held next to the others.
//!
//! Benchmark ids are `list/SIZE/CASE`, `expiry/SIZE/CASE`, `sessions/SIZE/CASE` and
//! `load/SIZE/parse_and_index`.

use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode};

use tooken_mock::domain::{
    fold_into, format_timestamp, parse_timestamp, ListQuery, QueryLimits, Status, Timestamp, Token,
    TokenId, WorkspaceId,
};
use tooken_mock::generate::{generate, GenerateOptions};
use tooken_mock::session::{SessionName, Sessions};
use tooken_mock::settings::Settings;
use tooken_mock::store::snapshot::Snapshot;
use tooken_mock::store::{Index, Store};

const LIMITS: QueryLimits = QueryLimits {
    default_per_page: 25,
    max_per_page: 100,
};

/// The clock of every listing but the expiry one: before any active token's expiry.
const NOW: &str = "2026-05-01T00:00:00Z";

/// A needle of one numbered name: the generator draws it for about 1 name in 40,000, so it
/// matches a handful of tokens at 100k. No name is rarer, since every name comes from a fixed
/// vocabulary: at 10k it may match none, at 1M a few dozen.
const RARE: &str = "rotation-sandbox-37";

/// How many tokens one step of the expiry benchmark moves between partitions.
const MIGRATION: usize = 10_000;

struct Size {
    label: &'static str,
    tokens: u64,
    /// Whether the expiry and load benchmarks run at this size. 10k tokens hold only about
    /// 3,700 active tokens with an expiry, too few to move 10k at once.
    large: bool,
}

const SIZES: [Size; 3] = [
    Size {
        label: "10k",
        tokens: 10_000,
        large: false,
    },
    Size {
        label: "100k",
        tokens: 100_000,
        large: true,
    },
    Size {
        label: "1M",
        tokens: 1_000_000,
        large: true,
    },
];

/// A size's data, each part built when first needed.
struct Fixture {
    size: &'static Size,
    bytes: Option<Vec<u8>>,
    indexed: Option<Indexed>,
}

/// A store, and clocks each about `MIGRATION` expiries after the one before.
struct Indexed {
    store: Store,
    workspace: WorkspaceId,
    before: DateTime<Utc>,
    after: DateTime<Utc>,
    steps: Vec<DateTime<Utc>>,
}

impl Fixture {
    fn new(size: &'static Size) -> Fixture {
        Fixture {
            size,
            bytes: None,
            indexed: None,
        }
    }

    fn bytes(&mut self) -> &[u8] {
        let tokens = self.size.tokens;
        self.bytes.get_or_insert_with(|| {
            let options = GenerateOptions {
                tokens,
                workspaces: 1,
                seed: 1,
            };
            let mut bytes = Vec::new();
            generate(&options, &mut bytes, &mut |_| {}).expect("the options are in range");
            bytes
        })
    }

    fn indexed(&mut self) -> &mut Indexed {
        if self.indexed.is_none() {
            let snapshot = Snapshot::parse(self.bytes()).expect("generated data is valid");
            let (before, after) = migration_clocks(&snapshot);
            let steps = migration_steps(&snapshot);
            let workspace = snapshot.workspaces[0].id.clone();
            let mut indexed = Indexed {
                store: Store::new(snapshot),
                workspace,
                before,
                after,
                steps,
            };
            indexed.describe(self.size.label);
            self.indexed = Some(indexed);
        }
        self.indexed.as_mut().expect("built above")
    }
}

/// Two clocks between which `MIGRATION` active tokens expire (or all of them, if fewer),
/// taken from the middle of the expiry order so that neither partition is near empty.
fn migration_clocks(snapshot: &Snapshot) -> (DateTime<Utc>, DateTime<Utc>) {
    let mut expiries: Vec<DateTime<Utc>> = snapshot.workspaces[0]
        .tokens
        .iter()
        .filter(|t| t.token.status == Status::Active)
        .filter_map(|t| t.token.expires_at)
        .collect();
    expiries.sort_unstable();
    let first = expiries.len().saturating_sub(MIGRATION) / 2;
    let last = (first + MIGRATION).min(expiries.len().saturating_sub(1));
    (expiries[first], expiries[last])
}

/// Clocks each about `MIGRATION` expiries after the one before: more of them than a
/// workspace keeps status views, so that every step computes a view anew.
fn migration_steps(snapshot: &Snapshot) -> Vec<DateTime<Utc>> {
    let mut expiries: Vec<DateTime<Utc>> = snapshot.workspaces[0]
        .tokens
        .iter()
        .filter(|t| t.token.status == Status::Active)
        .filter_map(|t| t.token.expires_at)
        .collect();
    expiries.sort_unstable();
    expiries.iter().step_by(MIGRATION).copied().collect()
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a valid RFC 3339 time")
}

fn query(raw: &str) -> ListQuery {
    ListQuery::parse(raw, LIMITS).expect("a valid query")
}

impl Indexed {
    fn total(&mut self, raw: &str, now: DateTime<Utc>) -> u64 {
        self.store.list(&self.workspace, &query(raw), now).total
    }

    /// One line on the data, to read the figures by: how much each filter matches, and how
    /// many tokens the expiry step really moves (ties in expiry times can add a few).
    fn describe(&mut self, label: &str) {
        let now = at(NOW);
        let all = self.total("per_page=1", now);
        let active = self.total("status=active&per_page=1", now);
        let ci = self.total("name=ci&per_page=1", now);
        let ci_active = self.total("name=ci&status=active&per_page=1", now);
        let rare = self.total(&format!("name={RARE}&per_page=1"), now);
        let before = self.total("status=expired&per_page=1", self.before);
        let after = self.total("status=expired&per_page=1", self.after);
        self.total("per_page=1", now);
        println!(
            "{label}: {all} tokens, {active} active; name=ci matches {ci} ({ci_active} active), \
             name={RARE} matches {rare}; the expiry step moves {} tokens",
            after - before
        );
    }
}

/// Each case's query; `{last}` and `{last_active}` become the last page of the unfiltered
/// list (100 a page) and of the active list (25 a page), `{rare}` becomes [`RARE`].
const LIST_CASES: [(&str, &str); 8] = [
    ("status_page", "status=active&per_page=25&page=3"),
    ("unfiltered_page", "per_page=100"),
    ("deep_page_unfiltered", "per_page=100&page={last}"),
    (
        "deep_page_active",
        "status=active&per_page=25&page={last_active}",
    ),
    ("name_ci_all", "name=ci&per_page=25"),
    ("name_ci_active", "name=ci&status=active&per_page=25"),
    ("name_rare_all", "name={rare}&per_page=25"),
    ("name_rare_active", "name={rare}&status=active&per_page=25"),
];

fn list_benches(c: &mut Criterion, fixture: &mut Fixture) {
    let label = fixture.size.label;
    let mut group = c.benchmark_group(format!("list/{label}"));
    group.sample_size(50);
    for (case, raw) in LIST_CASES {
        // A name filter visits every match: from 100k on a call takes milliseconds, too long
        // for the growing batches of linear sampling to fit in the measurement time.
        group.sampling_mode(if case.starts_with("name") {
            SamplingMode::Flat
        } else {
            SamplingMode::Auto
        });
        group.bench_function(case, |b| {
            let data = fixture.indexed();
            let now = at(NOW);
            let last = data.total("per_page=1", now).div_ceil(100);
            let last_active = data.total("status=active&per_page=1", now).div_ceil(25);
            let raw = raw
                .replace("{last_active}", &last_active.to_string())
                .replace("{last}", &last.to_string())
                .replace("{rare}", RARE);
            let query = query(&raw);
            b.iter(|| {
                data.store
                    .list(&data.workspace, black_box(&query), black_box(now))
            });
        });
    }
    group.finish();
}

fn expiry_bench(c: &mut Criterion, fixture: &mut Fixture) {
    let mut group = c.benchmark_group(format!("expiry/{}", fixture.size.label));
    // At 1M a step takes milliseconds (see `list_benches`).
    group.sample_size(50).sampling_mode(SamplingMode::Flat);
    group.bench_function("migration", |b| {
        let data = fixture.indexed();
        let query = query("status=active&per_page=25");
        // Each iteration moves the clock to the next of a cycle of clocks about 10k expiries
        // apart, more than a workspace keeps views of, so each one computes the statuses
        // anew from the nearest view kept (moving about 10k tokens) and lists the first
        // active page. Compare with `list/SIZE/status_page` for the cost of the page alone.
        let steps = data.steps.clone();
        let mut next = 0;
        b.iter(|| {
            let now = steps[next % steps.len()];
            next += 1;
            data.store.list(&data.workspace, black_box(&query), now)
        });
    });
    group.bench_function("clock_back_and_forth", |b| {
        let data = fixture.indexed();
        let query = query("status=active&per_page=25");
        let (before, after) = (data.before, data.after);
        // Two sessions whose clocks differ by about 10k expiries, listing in turn: each
        // finds the view of its clock kept, so nothing moves.
        let mut forwards = true;
        b.iter(|| {
            let now = if forwards { after } else { before };
            forwards = !forwards;
            data.store.list(&data.workspace, black_box(&query), now)
        });
    });
    group.finish();
}

/// What a session costs: forking one over the data, and one that changes a token.
fn session_benches(c: &mut Criterion, fixture: &mut Fixture) {
    let mut group = c.benchmark_group(format!("sessions/{}", fixture.size.label));
    group.sample_size(50);
    let data = fixture.indexed();
    let index = data.store.load().index.clone();
    let mut settings = Settings::defaults().session_settings();
    settings.configured_now = Some(at(NOW));
    settings.journal.body_bytes = 0;
    settings.idle_ttl_secs = 3600;
    // Past `max`, each new session scans the others for the least recently used one;
    // that is not what forking costs, so the bench never reaches it.
    settings.max = usize::MAX;
    let sessions = Sessions::new(index, settings);
    let mut n = 0u64;
    group.bench_function("fork", |b| {
        b.iter(|| {
            n += 1;
            let name = SessionName::parse(&format!("s{n}")).expect("a valid name");
            sessions.get(Some(&name), true).expect("created")
        });
    });
    let workspace = data.workspace.as_str().to_owned();
    group.bench_function("fork_and_create_a_token", |b| {
        b.iter(|| {
            n += 1;
            let name = SessionName::parse(&format!("s{n}")).expect("a valid name");
            let session = sessions.get(Some(&name), true).expect("created");
            let fields = serde_json::json!({
                "workspace": workspace, "name": "bench", "scopes": ["tokens:read"]
            });
            let fields = fields.as_object().expect("an object").clone();
            session
                .store
                .create(&fields, at(NOW))
                .expect("a valid token")
        });
    });
    group.finish();
}

fn load_bench(c: &mut Criterion, fixture: &mut Fixture) {
    let label = fixture.size.label;
    let mut group = c.benchmark_group(format!("load/{label}"));
    // A 1M load takes seconds: ten samples of two loads each fit in 40 s while a load takes
    // under 4 s (criterion warns beyond that); 100k needs a fraction of it.
    let seconds = if fixture.size.tokens >= 1_000_000 {
        40
    } else {
        5
    };
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(seconds));
    group.bench_function("parse_and_index", |b| {
        let bytes = fixture.bytes();
        // The old store's drop is not part of loading, so it happens outside the timing.
        b.iter_with_large_drop(|| {
            Store::new(Snapshot::parse(black_box(bytes)).expect("generated data is valid"))
        });
    });
    group.finish();
}

/// Why the hand-written or borrowed parts stay: each against the plain alternative, on the
/// 100k data. Criterion reports both; the line printed first says the ratio at a glance.
fn justification_benches(c: &mut Criterion, fixture: &mut Fixture) {
    let mut group = c.benchmark_group(format!("justify/{}", fixture.size.label));
    group.sample_size(20).sampling_mode(SamplingMode::Flat);
    let bytes = fixture.bytes().to_vec();
    let snapshot = Snapshot::parse(&bytes).expect("generated data is valid");
    let tokens: Vec<Token> = snapshot.workspaces[0]
        .tokens
        .iter()
        .map(|t| t.token.clone())
        .collect();
    let ids: Vec<TokenId> = tokens.iter().map(|t| t.id.clone()).collect();
    let times: Vec<DateTime<Utc>> = tokens.iter().map(|t| t.created_at).collect();
    let texts: Vec<String> = times.iter().map(format_timestamp).collect();

    let timed = |f: &mut dyn FnMut()| {
        let started = Instant::now();
        f();
        started.elapsed().as_secs_f64()
    };
    let ratio = |a: f64, b: f64| if a > 0.0 { b / a } else { 0.0 };
    let ours = timed(&mut || {
        black_box(
            times
                .iter()
                .map(|t| Timestamp::new(t).as_str().len())
                .sum::<usize>(),
        );
    });
    let chrono = timed(&mut || {
        black_box(
            times
                .iter()
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true).len())
                .sum::<usize>(),
        );
    });
    let parse_ours = timed(&mut || {
        black_box(texts.iter().filter_map(|t| parse_timestamp(t)).count());
    });
    let parse_chrono = timed(&mut || {
        black_box(
            texts
                .iter()
                .filter_map(|t| DateTime::parse_from_rfc3339(t).ok())
                .count(),
        );
    });
    let a_hash = timed(&mut || {
        let mut map: ahash::HashMap<TokenId, u32> = Default::default();
        map.reserve(ids.len());
        ids.iter().for_each(|id| {
            map.insert(id.clone(), 0);
        });
        black_box(map.len());
    });
    let sip_hash = timed(&mut || {
        let mut map: std::collections::HashMap<TokenId, u32> = Default::default();
        map.reserve(ids.len());
        ids.iter().for_each(|id| {
            map.insert(id.clone(), 0);
        });
        black_box(map.len());
    });
    let folding = timed(&mut || {
        let mut out = String::new();
        tokens.iter().for_each(|t| fold_into(&t.name, &mut out));
        black_box(out.len());
    });
    let parsed = Snapshot::parse(&bytes).expect("generated data is valid");
    let started = Instant::now();
    let index = black_box(Index::new(parsed));
    let whole_index = started.elapsed().as_secs_f64();
    drop(index);
    println!(
        "{}: writing timestamps by hand is {:.1}x chrono's formatter, reading them {:.1}x \
         chrono's parser; ahash claims ids {:.1}x faster than SipHash; folding the names on one \
         thread takes {:.0}% of the time indexing takes with them folded on a second thread",
        fixture.size.label,
        ratio(ours, chrono),
        ratio(parse_ours, parse_chrono),
        ratio(a_hash, sip_hash),
        100.0 * folding / whole_index.max(f64::MIN_POSITIVE),
    );
    group.bench_function("timestamps_by_hand", |b| {
        b.iter(|| {
            times
                .iter()
                .map(|t| Timestamp::new(t).as_str().len())
                .sum::<usize>()
        })
    });
    group.bench_function("timestamps_by_chrono", |b| {
        b.iter(|| {
            times
                .iter()
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true).len())
                .sum::<usize>()
        })
    });
    group.bench_function("ids_in_ahash", |b| {
        b.iter(|| {
            let mut map: ahash::HashMap<TokenId, u32> = Default::default();
            map.reserve(ids.len());
            ids.iter().for_each(|id| {
                map.insert(id.clone(), 0);
            });
            map.len()
        })
    });
    group.bench_function("ids_in_siphash", |b| {
        b.iter(|| {
            let mut map: std::collections::HashMap<TokenId, u32> = Default::default();
            map.reserve(ids.len());
            ids.iter().for_each(|id| {
                map.insert(id.clone(), 0);
            });
            map.len()
        })
    });
    group.finish();
}

fn store(c: &mut Criterion) {
    for size in &SIZES {
        let mut fixture = Fixture::new(size);
        list_benches(c, &mut fixture);
        if size.tokens == 100_000 {
            justification_benches(c, &mut fixture);
        }
        if size.large {
            expiry_bench(c, &mut fixture);
            session_benches(c, &mut fixture);
            load_bench(c, &mut fixture);
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    targets = store
}
criterion_main!(benches);
