use std::collections::HashMap;

use config::Environment;

use super::{Overrides, Settings};

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

#[test]
fn the_built_in_defaults_serve_the_demo_on_loopback() {
    let settings = Settings::load_from(&Overrides::default(), env(&[])).unwrap();
    assert_eq!(
        (settings.server.host.as_str(), settings.server.port),
        ("127.0.0.1", 8080)
    );
    assert_eq!(settings.snapshot_path(), None);
    assert_eq!(settings.clock_now(), None);
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
fn cors_origins_are_any_or_a_list() {
    let vars = [(
        "TOOKEN__CORS__ALLOWED_ORIGINS",
        "https://a.example.com, http://localhost:3000",
    )];
    let settings = Settings::load_from(&Overrides::default(), env(&vars)).unwrap();
    let origins = settings.allowed_origins().unwrap();
    assert_eq!(origins, ["https://a.example.com", "http://localhost:3000"]);
    let any = Settings::load_from(&Overrides::default(), env(&[])).unwrap();
    assert_eq!(any.allowed_origins(), None);
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
    assert_eq!(settings.upstream.base_url(), "https://api.tooken.io/v1");
    assert!(settings.proxy.strict);
}
