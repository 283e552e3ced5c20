//! Settings read into their own types: log level and format, `clock.now`, CORS origins and
//! the fault settings.

use chrono::{TimeZone, Utc};

use super::{env, error_of, load};
use crate::domain::faults::{FaultConfig, Latency, MAX_DELAY_MS};
use crate::settings::{AllowedOrigins, LogFormat, LogLevel, Origin, Overrides, Settings};

#[test]
fn cors_origins_are_any_or_a_list() {
    let vars = [(
        "TOOKEN__CORS__ALLOWED_ORIGINS",
        "https://a.example.com, http://localhost:3000",
    )];
    let settings = Settings::load_from(&Overrides::default(), env(&vars)).unwrap();
    let AllowedOrigins::List(origins) = settings.cors.allowed_origins else {
        panic!("a list: {:?}", settings.cors.allowed_origins);
    };
    let origins: Vec<_> = origins.iter().map(Origin::as_str).collect();
    assert_eq!(origins, ["https://a.example.com", "http://localhost:3000"]);
    let any = Settings::load_from(&Overrides::default(), env(&[])).unwrap();
    assert_eq!(any.cors.allowed_origins, AllowedOrigins::Any);
}

#[test]
fn log_level_and_format_are_read_into_their_types() {
    let defaults = load(&[]);
    assert_eq!(
        (defaults.log.level, defaults.log.format),
        (LogLevel::Info, LogFormat::Text)
    );
    let set = load(&[
        ("TOOKEN__LOG__LEVEL", "off"),
        ("TOOKEN__LOG__FORMAT", "json"),
    ]);
    assert_eq!(
        (set.log.level, set.log.format),
        (LogLevel::Off, LogFormat::Json)
    );
    let flag = Overrides {
        log_format: Some("json".into()),
        ..Overrides::default()
    };
    let settings = Settings::load_from(&flag, env(&[])).unwrap();
    assert_eq!(settings.log.format, LogFormat::Json);
    for level in ["error", "warn", "info", "debug", "trace", "off"] {
        let read = load(&[("TOOKEN__LOG__LEVEL", level)]).log.level;
        assert_eq!(read.to_string(), level);
    }
}

#[test]
fn a_log_level_or_format_outside_its_names_is_refused_by_key() {
    let none = Overrides::default();
    for (var, value, key) in [
        ("TOOKEN__LOG__LEVEL", "INFO", "log.level"),
        ("TOOKEN__LOG__LEVEL", "", "log.level"),
        ("TOOKEN__LOG__FORMAT", "xml", "log.format"),
        ("TOOKEN__LOG__FORMAT", "Json", "log.format"),
    ] {
        let message = error_of(&none, &[(var, value)]);
        assert!(message.contains(key), "{var}={value}: {message}");
    }
    let flag = Overrides {
        log_format: Some("yaml".into()),
        ..Overrides::default()
    };
    assert!(error_of(&flag, &[]).contains("log.format"));
}

#[test]
fn clock_now_is_a_time_or_none_when_empty() {
    let frozen = load(&[("TOOKEN__CLOCK__NOW", "2026-05-01T12:30:00+02:00")]);
    let expected = Utc.with_ymd_and_hms(2026, 5, 1, 10, 30, 0).unwrap();
    assert_eq!(frozen.clock.now, Some(expected));
    assert_eq!(load(&[("TOOKEN__CLOCK__NOW", "")]).clock.now, None);
    let flag = Overrides {
        now: Some("2026-05-01T00:00:00Z".into()),
        ..Overrides::default()
    };
    let settings = Settings::load_from(&flag, env(&[])).unwrap();
    assert_eq!(
        settings.clock.now,
        Some(Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap())
    );
}

#[test]
fn a_clock_now_that_is_not_an_rfc_3339_time_is_refused_by_key() {
    for value in [
        "yesterday",
        "2026-05-01",
        "2026-05-01 00:00:00",
        "1746057600",
    ] {
        let message = error_of(&Overrides::default(), &[("TOOKEN__CLOCK__NOW", value)]);
        assert!(message.contains("clock.now"), "{value}: {message}");
    }
}

#[test]
fn each_allowed_origin_is_written_as_browsers_send_it() {
    let vars = [(
        "TOOKEN__CORS__ALLOWED_ORIGINS",
        "https://App.Example.com:443,http://[::1]:8080/,http://127.0.0.1",
    )];
    let AllowedOrigins::List(origins) = load(&vars).cors.allowed_origins else {
        panic!("a list");
    };
    let origins: Vec<_> = origins.iter().map(Origin::as_str).collect();
    assert_eq!(
        origins,
        [
            "https://app.example.com",
            "http://[::1]:8080",
            "http://127.0.0.1"
        ]
    );
}

#[test]
fn an_allowed_origin_that_is_not_scheme_host_and_port_is_refused_by_key() {
    let refused = [
        "",
        "app.example.com",
        "ftp://app.example.com",
        "https://",
        "https://*.example.com",
        "https://app.example.com/path",
        "https://app.example.com?x=1",
        "https://user@app.example.com",
        "https://app.example.com:99999",
        "https://a.example.com,",
        "*, https://a.example.com",
        "null",
    ];
    for value in refused {
        let message = error_of(
            &Overrides::default(),
            &[("TOOKEN__CORS__ALLOWED_ORIGINS", value)],
        );
        assert!(
            message.contains("cors.allowed_origins"),
            "{value:?}: {message}"
        );
    }
}

#[test]
fn fault_settings_are_read_into_the_admin_apis_shape() {
    let vars = [
        ("TOOKEN__FAULTS__LATENCY_FIXED_MS", "15"),
        ("TOOKEN__FAULTS__LATENCY_JITTER_MS", "250"),
        ("TOOKEN__FAULTS__ERROR_RATE", "0.25"),
        ("TOOKEN__FAULTS__ERROR_STATUS", "503"),
    ];
    let expected = FaultConfig {
        latency_ms: Latency {
            fixed: 15,
            jitter: 250,
        },
        error_rate: 0.25,
        error_status: 503,
    };
    assert_eq!(load(&vars).faults, expected);
}

#[test]
fn each_fault_setting_is_checked_at_its_edges_by_key() {
    let max = MAX_DELAY_MS.to_string();
    let over = (MAX_DELAY_MS + 1).to_string();
    let accepted = [
        ("TOOKEN__FAULTS__LATENCY_FIXED_MS", max.as_str()),
        ("TOOKEN__FAULTS__LATENCY_JITTER_MS", max.as_str()),
        ("TOOKEN__FAULTS__ERROR_RATE", "1.0"),
        ("TOOKEN__FAULTS__ERROR_STATUS", "503"),
    ];
    load(&accepted);
    let refused = [
        (
            "TOOKEN__FAULTS__LATENCY_FIXED_MS",
            over.as_str(),
            "faults.latency_fixed_ms",
        ),
        (
            "TOOKEN__FAULTS__LATENCY_JITTER_MS",
            over.as_str(),
            "faults.latency_jitter_ms",
        ),
        ("TOOKEN__FAULTS__ERROR_RATE", "-0.1", "faults.error_rate"),
        ("TOOKEN__FAULTS__ERROR_STATUS", "404", "faults.error_status"),
        ("TOOKEN__FAULTS__LATENCY_MS", "1", "latency_ms"),
    ];
    for (var, value, key) in refused {
        let message = error_of(&Overrides::default(), &[(var, value)]);
        assert!(message.contains(key), "{var}={value}: {message}");
    }
    let message = error_of(
        &Overrides::default(),
        &[("TOOKEN__FAULTS__LATENCY_FIXED_MS", &over)],
    );
    assert!(
        message.contains(&format!("between 0 and {MAX_DELAY_MS}")),
        "{message}"
    );
}
