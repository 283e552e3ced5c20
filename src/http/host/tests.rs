//! Which `Host` values each policy answers, and which settings are refused.

use super::{AllowedHosts, HostPolicy};

fn listed(text: &str) -> Result<AllowedHosts, String> {
    AllowedHosts::try_from(text.to_owned())
}

fn loopback_with(text: &str) -> HostPolicy {
    HostPolicy::new(&listed(text).unwrap(), true)
}

#[test]
fn on_loopback_only_loopback_names_are_allowed_with_any_port() {
    let policy = loopback_with("");
    for host in [
        "localhost",
        "localhost:8080",
        "LocalHost:1",
        "localhost.",
        "app.localhost:5173",
        "a.b.localhost",
        "127.0.0.1",
        "127.0.0.1:65535",
        "127.1.2.3:80",
        "[::1]",
        "[::1]:8080",
    ] {
        assert!(policy.allows(host.as_bytes()), "{host}");
    }
    for host in [
        "rebind.evil.example:8080",
        "localhost.evil.example",
        "evillocalhost",
        "127.0.0.1.evil.example",
        "0.0.0.0:8080",
        "10.0.0.5",
        "[::2]:80",
        "localhost:port",
        "localhost:",
        "localhost:123456",
        "[::1",
        "[::1]x",
        "",
        "héllo.localhost",
    ] {
        assert!(!policy.allows(host.as_bytes()), "{host}");
    }
}

#[test]
fn listed_hosts_and_domains_are_allowed_besides_loopback() {
    let policy = loopback_with("mock.internal, .example.test, 10.0.0.5, [fd00::5]");
    for host in [
        "mock.internal:8080",
        "MOCK.internal",
        "example.test",
        "api.example.test:443",
        "a.b.example.test",
        "10.0.0.5:8080",
        "[fd00::5]:1",
        "localhost:8080",
    ] {
        assert!(policy.allows(host.as_bytes()), "{host}");
    }
    for host in [
        "mock.internal.evil",
        "badexample.test",
        "10.0.0.6",
        "internal",
    ] {
        assert!(!policy.allows(host.as_bytes()), "{host}");
    }
}

#[test]
fn beyond_loopback_the_check_is_off_unless_hosts_are_listed() {
    assert_eq!(
        HostPolicy::new(&listed("").unwrap(), false),
        HostPolicy::Any
    );
    assert_eq!(
        HostPolicy::new(&listed("*").unwrap(), true),
        HostPolicy::Any
    );
    let named = HostPolicy::new(&listed("mock.internal").unwrap(), false);
    assert!(named.allows(b"mock.internal:80") && named.allows(b"localhost"));
    assert!(!named.allows(b"10.1.2.3:8080"));
}

#[test]
fn an_entry_that_is_not_a_host_name_is_refused_and_named() {
    for text in [
        "mock.internal:8080",
        "http://mock.internal",
        "a b",
        ",",
        "mock..internal",
        "-a.example",
        ".[::1]",
        "[nope]",
        "*.example.test",
    ] {
        let message = listed(text).unwrap_err();
        assert!(message.contains("is not a host name"), "{text}: {message}");
    }
    assert!(listed("ok.example, bad:1")
        .unwrap_err()
        .starts_with("\"bad:1\""));
}
