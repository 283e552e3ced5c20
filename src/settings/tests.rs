//! Layering of the sources, and the ranges and cross-checks of `validate`.

use std::collections::HashMap;

use config::Environment;

use super::validate::{IDLE_TTL_SECS, MAX_PER_PAGE, SESSIONS_MAX};
use super::{Overrides, Settings};
use crate::domain::faults::{ERROR_RATE, ERROR_STATUSES, MAX_DELAY_MS};

mod security;
mod values;

fn env(vars: &[(&str, &str)]) -> Environment {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Environment::with_prefix("TOOKEN").source(Some(map))
}

fn error_of(overrides: &Overrides, vars: &[(&str, &str)]) -> String {
    Settings::load_from(overrides, env(vars))
        .unwrap_err()
        .to_string()
}

fn load(vars: &[(&str, &str)]) -> Settings {
    Settings::load_from(&Overrides::default(), env(vars)).unwrap()
}

#[test]
fn the_built_in_defaults_serve_the_demo_on_loopback() {
    let settings = Settings::load_from(&Overrides::default(), env(&[])).unwrap();
    assert_eq!(
        (settings.server.host.as_str(), settings.server.port),
        ("127.0.0.1", 8080)
    );
    assert_eq!(settings.snapshot_path(), None);
    assert_eq!(settings.clock.now, None);
    assert_eq!(settings.query_limits().default_per_page, 25);
}

#[test]
fn environment_variables_override_defaults_and_flags_override_both() {
    let vars = [
        ("TOOKEN__SERVER__PORT", "9000"),
        ("TOOKEN__SERVER__HOST", "0.0.0.0"),
    ];
    let settings = Settings::load_from(&Overrides::default(), env(&vars)).unwrap();
    assert_eq!(
        (settings.server.host.as_str(), settings.server.port),
        ("0.0.0.0", 9000)
    );
    let flags = Overrides {
        port: Some(9100),
        ..Overrides::default()
    };
    assert_eq!(
        Settings::load_from(&flags, env(&vars)).unwrap().server.port,
        9100
    );
}

#[test]
fn a_bad_value_is_refused_with_the_name_of_its_setting() {
    let none = Overrides::default();
    assert!(error_of(&none, &[("TOOKEN__SERVER__PORT", "abc")]).contains("server.port"));
    assert!(error_of(&none, &[("TOOKEN__SERVER__PORT", "70000")]).contains("server.port"));
    assert!(
        error_of(&none, &[("TOOKEN__PAGINATION__MAX_PER_PAGE", "101")])
            .contains("pagination.max_per_page")
    );
    assert!(
        error_of(&none, &[("TOOKEN__PAGINATION__DEFAULT_PER_PAGE", "0")])
            .contains("pagination.default_per_page")
    );
    assert!(error_of(&none, &[("TOOKEN__LOG__LEVEL", "loud")]).contains("log.level"));
    assert!(error_of(&none, &[("TOOKEN__SERVER__HOST", "my host")]).contains("server.host"));
    let now = Overrides {
        now: Some("yesterday".into()),
        ..Overrides::default()
    };
    assert!(error_of(&now, &[]).contains("clock.now"));
}

#[test]
fn an_unknown_setting_is_refused_by_name() {
    assert!(error_of(&Overrides::default(), &[("TOOKEN__SERVER__PROT", "1")]).contains("prot"));
}

#[test]
fn mock_control_settings_are_checked_by_name() {
    let none = Overrides::default();
    let cases = [
        ("TOOKEN__FAULTS__ERROR_RATE", "1.5", "faults.error_rate"),
        ("TOOKEN__FAULTS__ERROR_STATUS", "502", "faults.error_status"),
        (
            "TOOKEN__FAULTS__LATENCY_FIXED_MS",
            "30001",
            "faults.latency_fixed_ms",
        ),
        (
            "TOOKEN__CORS__ALLOWED_ORIGINS",
            "app.example.com",
            "cors.allowed_origins",
        ),
        ("TOOKEN__ADMIN__TOKEN", "short", "admin.token"),
        ("TOOKEN__SNAPSHOT__WATCH", "true", "snapshot.watch"),
    ];
    for (var, value, key) in cases {
        let message = error_of(&none, &[(var, value)]);
        assert!(message.contains(key), "{var}={value}: {message}");
    }
}

#[test]
fn ranged_settings_are_refused_past_their_edges_by_key() {
    let accepted = [
        ("TOOKEN__SERVER__WORKERS", "256"),
        ("TOOKEN__SESSIONS__MAX", "100000"),
        ("TOOKEN__SESSIONS__IDLE_TTL_SECS", "2592000"),
        ("TOOKEN__PAGINATION__MAX_PER_PAGE", "1"),
        ("TOOKEN__PAGINATION__DEFAULT_PER_PAGE", "1"),
        ("TOOKEN__SNAPSHOT__GENERATE", "10000000"),
        ("TOOKEN__SERVER__KEEP_ALIVE_SECS", "3600"),
        ("TOOKEN__ADMIN__JOURNAL_CAPACITY", "100000"),
        ("TOOKEN__STORE__SCAN_THREADS", "256"),
        ("TOOKEN__STORE__SCAN_QUEUE", "65536"),
        ("TOOKEN__STORE__SCAN_DELAY_MS", "30000"),
    ];
    load(&accepted);
    load(&[
        ("TOOKEN__STORE__SCAN_THREADS", "0"),
        ("TOOKEN__STORE__SCAN_QUEUE", "1"),
    ]);
    let refused = [
        ("TOOKEN__SERVER__WORKERS", "257", "server.workers"),
        ("TOOKEN__STORE__SCAN_THREADS", "257", "store.scan_threads"),
        ("TOOKEN__STORE__SCAN_THREADS", "-1", "store.scan_threads"),
        ("TOOKEN__STORE__SCAN_QUEUE", "0", "store.scan_queue"),
        ("TOOKEN__STORE__SCAN_QUEUE", "65537", "store.scan_queue"),
        (
            "TOOKEN__STORE__SCAN_DELAY_MS",
            "30001",
            "store.scan_delay_ms",
        ),
        ("TOOKEN__SESSIONS__MAX", "0", "sessions.max"),
        ("TOOKEN__SESSIONS__MAX", "100001", "sessions.max"),
        (
            "TOOKEN__SESSIONS__IDLE_TTL_SECS",
            "0",
            "sessions.idle_ttl_secs",
        ),
        (
            "TOOKEN__SESSIONS__IDLE_TTL_SECS",
            "2592001",
            "sessions.idle_ttl_secs",
        ),
        (
            "TOOKEN__SNAPSHOT__GENERATE",
            "10000001",
            "snapshot.generate",
        ),
        (
            "TOOKEN__SNAPSHOT__WATCH_INTERVAL_MS",
            "49",
            "snapshot.watch_interval_ms",
        ),
        (
            "TOOKEN__SERVER__KEEP_ALIVE_SECS",
            "3601",
            "server.keep_alive_secs",
        ),
        (
            "TOOKEN__SERVER__MAX_CONNECTIONS",
            "0",
            "server.max_connections",
        ),
        (
            "TOOKEN__SERVER__MAX_QUERY_BYTES",
            "255",
            "server.max_query_bytes",
        ),
        (
            "TOOKEN__SERVER__MAX_HEADER_BYTES",
            "32769",
            "server.max_header_bytes",
        ),
        (
            "TOOKEN__SERVER__CLIENT_REQUEST_TIMEOUT_MS",
            "99",
            "server.client_request_timeout_ms",
        ),
        (
            "TOOKEN__ADMIN__JOURNAL_CAPACITY",
            "0",
            "admin.journal_capacity",
        ),
        (
            "TOOKEN__ADMIN__JOURNAL_BODY_BYTES",
            "1048577",
            "admin.journal_body_bytes",
        ),
        (
            "TOOKEN__ADMIN__MAX_BODY_BYTES",
            "1023",
            "admin.max_body_bytes",
        ),
        (
            "TOOKEN__ADMIN__MAX_CONTROL_BODY_BYTES",
            "1023",
            "admin.max_control_body_bytes",
        ),
        (
            "TOOKEN__ADMIN__JOURNAL_MAX_BYTES",
            "100",
            "admin.journal_max_bytes",
        ),
        (
            "TOOKEN__ADMIN__JOURNAL_TOTAL_BYTES",
            "100",
            "admin.journal_total_bytes",
        ),
        (
            "TOOKEN__ADMIN__JOURNAL_MAX_TARGET_BYTES",
            "63",
            "admin.journal_max_target_bytes",
        ),
        (
            "TOOKEN__SNAPSHOT__MAX_PROBLEMS",
            "0",
            "snapshot.max_problems",
        ),
        (
            "TOOKEN__RATE_LIMIT__MAX_TRACKED_SECRETS",
            "0",
            "rate_limit.max_tracked_secrets",
        ),
    ];
    for (var, value, key) in refused {
        let message = error_of(&Overrides::default(), &[(var, value)]);
        assert!(message.contains(key), "{var}={value}: {message}");
    }
    let message = error_of(
        &Overrides::default(),
        &[("TOOKEN__SERVER__MAX_QUERY_BYTES", "255")],
    );
    assert!(message.contains("between 256 and 1048576"), "{message}");
}

#[test]
fn the_ranges_that_default_toml_states_are_the_enforced_ones() {
    let defaults = include_str!("../../config/default.toml");
    let delay = format!("(0 to {MAX_DELAY_MS})");
    let stated =
        |start: &dyn std::fmt::Display, end: &dyn std::fmt::Display| format!("({start} to {end})");
    let per_page = stated(MAX_PER_PAGE.start(), MAX_PER_PAGE.end());
    let sessions = stated(SESSIONS_MAX.start(), SESSIONS_MAX.end());
    let idle = stated(IDLE_TTL_SECS.start(), IDLE_TTL_SECS.end());
    let rate = format!("({:?} to {:?})", ERROR_RATE.start(), ERROR_RATE.end());
    let [first, second] = ERROR_STATUSES;
    let statuses = format!("{first} or {second}");
    for (key, stated) in [
        ("max_per_page", &per_page),
        ("max", &sessions),
        ("idle_ttl_secs", &idle),
        ("latency_fixed_ms", &delay),
        ("latency_jitter_ms", &delay),
        ("error_rate", &rate),
        ("error_status", &statuses),
    ] {
        let at = defaults
            .find(&format!("\n{key} ="))
            .unwrap_or_else(|| panic!("{key} in default.toml"));
        let comment = defaults[..at].lines().last().unwrap_or_default();
        assert!(comment.contains(stated.as_str()), "{key}: {comment}");
    }
}

#[test]
fn upstream_and_proxy_settings_are_checked_by_name() {
    let cases = [
        (
            "TOOKEN__UPSTREAM__URL",
            "ftp://api.example.com",
            "upstream.url",
        ),
        (
            "TOOKEN__UPSTREAM__URL",
            "https://api.example.com/v1?x=1",
            "upstream.url",
        ),
        ("TOOKEN__UPSTREAM__TIMEOUT_MS", "50", "upstream.timeout_ms"),
        (
            "TOOKEN__UPSTREAM__CONNECT_TIMEOUT_MS",
            "0",
            "upstream.connect_timeout_ms",
        ),
        (
            "TOOKEN__UPSTREAM__MAX_IDLE_CONNECTIONS",
            "5000",
            "upstream.max_idle_connections",
        ),
        (
            "TOOKEN__UPSTREAM__MAX_RESPONSE_BYTES",
            "10",
            "upstream.max_response_bytes",
        ),
        (
            "TOOKEN__UPSTREAM__MAX_RETRIES",
            "101",
            "upstream.max_retries",
        ),
        (
            "TOOKEN__PROXY__VIOLATIONS_CAPACITY",
            "0",
            "proxy.violations_capacity",
        ),
    ];
    for (key, value, setting) in cases {
        let message = error_of(&Overrides::default(), &[(key, value)]);
        assert!(message.contains(setting), "{key}={value}: {message}");
    }
    let overrides = Overrides {
        upstream: Some("https://api.tooken.io/v1/".into()),
        strict: true,
        ..Overrides::default()
    };
    let settings = Settings::load_from(&overrides, env(&[])).unwrap();
    assert_eq!(
        settings.upstream.base_url(),
        Some("https://api.tooken.io/v1")
    );
    assert!(settings.proxy.strict);
}

#[test]
fn an_empty_ready_file_snapshot_path_admin_token_or_upstream_url_means_none_and_a_value_means_that_value(
) {
    // Arrange: the defaults write each as "", as users do in files and variables.
    let defaults = load(&[]);
    let empty = load(&[
        ("TOOKEN__SERVER__READY_FILE", ""),
        ("TOOKEN__SNAPSHOT__PATH", ""),
        ("TOOKEN__ADMIN__TOKEN", ""),
        ("TOOKEN__UPSTREAM__URL", ""),
    ]);
    let given = load(&[
        ("TOOKEN__SERVER__READY_FILE", "/tmp/ready.json"),
        ("TOOKEN__SNAPSHOT__PATH", "data/tokens.json"),
        ("TOOKEN__ADMIN__TOKEN", "12345678"),
        ("TOOKEN__UPSTREAM__URL", "https://api.tooken.io/v1/"),
    ]);

    // Assert
    for settings in [&defaults, &empty] {
        assert_eq!(settings.server.ready_file, None);
        assert_eq!(settings.snapshot.path, None);
        assert_eq!(settings.admin.token, None);
        assert_eq!(settings.upstream.url, None);
        let refused = settings.upstream.required_base_url("--from").unwrap_err();
        let message = refused.to_string();
        assert!(
            message.contains("upstream.url") && message.contains("--from URL"),
            "{message}"
        );
    }
    assert_eq!(
        given.ready_file(),
        Some(std::path::Path::new("/tmp/ready.json"))
    );
    assert_eq!(
        given.snapshot_path(),
        Some(std::path::Path::new("data/tokens.json"))
    );
    // A token of digits stays text, though the variable parses as a number.
    assert_eq!(given.admin.token.as_deref(), Some("12345678"));
    assert_eq!(
        given.upstream.required_base_url("--upstream").ok(),
        Some("https://api.tooken.io/v1")
    );
}
