//! What one client's volume costs every other: prints figures, asserts nothing.
//!
//! - new sessions a second once `sessions.max` (100,000) are kept, so each one drops the
//!   least recently used;
//! - the time to create one token in a session over 1,000,000 tokens, early and after
//!   thousands of creates (a quadratic store shows the second far above the first);
//! - rate-limit checks a second with more than 10,000 secrets tracked;
//! - a `/metrics` rendering of 50,000 workspaces.
//!
//! `cargo bench --bench bounds` (BOUNDS_TOKENS=100000 for a quicker run).

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::json;
use tooken_mock::domain::SecretDigest;
use tooken_mock::generate::{generate, GenerateOptions};
use tooken_mock::metrics::Metrics;
use tooken_mock::session::{RateLimiter, SessionName, SessionSettings, Sessions};
use tooken_mock::settings::Settings;
use tooken_mock::store::snapshot::Snapshot;
use tooken_mock::store::{Index, Store};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 time")
}

fn indexed(tokens: u64, workspaces: u32) -> Arc<Index> {
    let options = GenerateOptions {
        tokens,
        workspaces,
        seed: 1,
    };
    let mut bytes = Vec::new();
    generate(&options, &mut bytes, &mut |_| {}).expect("generated");
    Arc::new(Index::new(Snapshot::parse(&bytes).expect("valid")))
}

fn settings(max: usize) -> SessionSettings {
    let mut settings = Settings::defaults().session_settings();
    settings.configured_now = Some(at("2026-05-01T00:00:00Z"));
    settings.journal.body_bytes = 0;
    settings.idle_ttl_secs = 3600;
    settings.max = max;
    settings
}

fn sessions_per_second() {
    let max = 100_000;
    let sessions = Sessions::new(indexed(1_000, 1), settings(max));
    let name = |n: usize| SessionName::parse(&format!("s{n}")).expect("a valid name");
    let started = Instant::now();
    for n in 0..max {
        sessions.get(Some(&name(n)), true).expect("created");
    }
    let filling = max as f64 / started.elapsed().as_secs_f64();
    let more = 50_000;
    let started = Instant::now();
    for n in max..max + more {
        sessions.get(Some(&name(n)), true).expect("created");
    }
    let evicting = more as f64 / started.elapsed().as_secs_f64();
    println!(
        "sessions: {filling:.0} new/s up to sessions.max={max}; {evicting:.0} new/s past it \
         (each drops the least recently used); {} kept",
        sessions.count()
    );
}

fn token_creates(tokens: u64) {
    let store = Store::fork(&indexed(tokens, 1));
    let workspace = store.counts(at("2026-05-01T00:00:00Z"))[0].0.clone();
    let fields = json!({"workspace": workspace, "name": "bench", "scopes": ["tokens:read"]});
    let fields = fields.as_object().expect("an object").clone();
    let now = at("2026-05-01T00:00:00Z");
    let mut per_create = Vec::new();
    for round in 0..4 {
        let count = 2_500;
        let started = Instant::now();
        for _ in 0..count {
            store.create(&fields, now).expect("created");
        }
        let micros = started.elapsed().as_secs_f64() * 1e6 / f64::from(count);
        per_create.push(format!("{:.1} µs after {} creates", micros, round * count));
    }
    println!(
        "token creates in a session over {tokens} tokens: {}",
        per_create.join(", ")
    );
}

fn rate_limit_checks() {
    let limiter = RateLimiter::new(1_000_000, 100_000);
    let secrets: Vec<SecretDigest> = (0..20_000u32)
        .map(|n| SecretDigest::of(&n.to_le_bytes()))
        .collect();
    for secret in &secrets {
        limiter.check(*secret);
    }
    let checks = 1_000_000;
    let started = Instant::now();
    for n in 0..checks {
        limiter.check(secrets[n % secrets.len()]);
    }
    let per_second = checks as f64 / started.elapsed().as_secs_f64();
    println!(
        "rate limiter: {per_second:.0} checks/s with {} secrets tracked",
        limiter.tracked()
    );
}

fn metrics_render() {
    let workspaces = 50_000;
    let store = Store::fork(&indexed(100_000, workspaces));
    let metrics = Metrics::new(1000);
    let now = at("2026-05-01T00:00:00Z");
    let started = Instant::now();
    let counts = store.counts(now);
    let counting = started.elapsed();
    let started = Instant::now();
    let text = metrics.render(&counts);
    let rendering = started.elapsed();
    println!(
        "/metrics of {workspaces} workspaces: counting {:.1} ms, rendering {:.1} ms, {} bytes",
        counting.as_secs_f64() * 1e3,
        rendering.as_secs_f64() * 1e3,
        text.len()
    );
}

fn main() {
    // `cargo test --benches` runs this binary with --bench absent: stay quick there.
    let tokens = std::env::var("BOUNDS_TOKENS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    sessions_per_second();
    token_creates(tokens);
    rate_limit_checks();
    metrics_render();
}
