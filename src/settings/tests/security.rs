//! The settings that decide who may call: `server.allowed_hosts`, `cors.allowed_headers` and
//! `admin.cors_origins`, each refused by key when malformed.

use super::{error_of, load};
use crate::http::host::HostPolicy;
use crate::settings::{AllowedHeaders, Overrides};

#[test]
fn security_settings_are_checked_by_name() {
    let none = Overrides::default();
    let cases = [
        (
            "TOOKEN__SERVER__ALLOWED_HOSTS",
            "mock.internal:8080",
            "server.allowed_hosts",
        ),
        (
            "TOOKEN__SERVER__ALLOWED_HOSTS",
            "http://mock.internal",
            "server.allowed_hosts",
        ),
        (
            "TOOKEN__SERVER__ALLOWED_HOSTS",
            "a.example,",
            "server.allowed_hosts",
        ),
        ("TOOKEN__ADMIN__CORS_ORIGINS", "*", "admin.cors_origins"),
        (
            "TOOKEN__ADMIN__CORS_ORIGINS",
            "http://a.example, *",
            "admin.cors_origins",
        ),
        (
            "TOOKEN__ADMIN__CORS_ORIGINS",
            "localhost:5173",
            "admin.cors_origins",
        ),
        (
            "TOOKEN__CORS__ALLOWED_HEADERS",
            "x header",
            "cors.allowed_headers",
        ),
        (
            "TOOKEN__CORS__ALLOWED_HEADERS",
            "prefer,,",
            "cors.allowed_headers",
        ),
    ];
    for (var, value, key) in cases {
        let message = error_of(&none, &[(var, value)]);
        assert!(message.contains(key), "{var}={value}: {message}");
    }
}

#[test]
fn security_settings_default_to_loopback_hosts_own_origin_admin_and_any_header() {
    let defaults = load(&[]);
    assert_eq!(defaults.host_policy(), HostPolicy::Only(Vec::new()));
    assert_eq!(defaults.cors.allowed_headers, AllowedHeaders::Any);
    assert_eq!(defaults.api_cors_headers(), None);
    assert!(defaults.admin.cors_origins.as_strings().is_empty());

    let beyond = load(&[("TOOKEN__SERVER__HOST", "0.0.0.0")]);
    assert_eq!(beyond.host_policy(), HostPolicy::Any);

    let set = load(&[
        ("TOOKEN__CORS__ALLOWED_HEADERS", "Authorization, prefer"),
        (
            "TOOKEN__ADMIN__CORS_ORIGINS",
            "http://LOCALHOST:5173, https://a.example:443",
        ),
    ]);
    assert_eq!(
        set.api_cors_headers().unwrap_or_default(),
        ["authorization", "prefer"]
    );
    // Written the way browsers send them, so that they compare equal to `Origin`.
    assert_eq!(
        set.admin.cors_origins.as_strings(),
        ["http://localhost:5173", "https://a.example"]
    );
}
