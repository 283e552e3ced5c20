//! The `Host` check against DNS rebinding: a web page whose own domain is made to resolve to
//! 127.0.0.1 reaches a server on loopback as a same-origin page, CORS and all, and only the
//! `Host` header it sends (its own domain) gives it away. A server on loopback therefore
//! answers only requests whose `Host` names loopback or a host of `server.allowed_hosts`
//! (403 `forbidden_host` otherwise); beyond loopback the check is off unless that setting is
//! given. The idea and the rules follow webpack-dev-server's and Vite's `allowedHosts`.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HOST;
use actix_web::web;
use serde::Deserialize;

use super::ApiError;

/// The paths answered whatever the `Host`: the probes, which hold nothing but liveness and
/// counts, and which orchestrators call with the pod's address as `Host`.
const UNCHECKED_PATHS: [&str; 2] = ["/healthz", "/readyz"];

/// One entry of `server.allowed_hosts`, lowercase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// `mock.internal`, `10.0.0.5`, `[fd00::5]`: this host only.
    Exact(String),
    /// `.example.test`: `example.test` and every name under it.
    Domain(String),
}

/// `server.allowed_hosts`: the hosts answered besides loopback, as the setting gives them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum AllowedHosts {
    /// `*`: every host, wherever the server listens.
    Any,
    /// These hosts (none when the setting is empty).
    Listed(Vec<Pattern>),
}

impl TryFrom<String> for AllowedHosts {
    type Error = String;

    /// Empty, `*`, or comma-separated host names without a port.
    fn try_from(text: String) -> Result<AllowedHosts, String> {
        match text.trim() {
            "*" => Ok(AllowedHosts::Any),
            "" => Ok(AllowedHosts::Listed(Vec::new())),
            listed => listed
                .split(',')
                .map(|entry| {
                    parse_pattern(entry.trim())
                        .ok_or_else(|| format!("{:?} {ALLOWED_HOSTS_RULE}", entry.trim()))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(AllowedHosts::Listed),
        }
    }
}

/// Which `Host` values the server answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HostPolicy {
    /// Any `Host`: beyond loopback without `server.allowed_hosts`, or with it set to `*`.
    Any,
    /// Loopback names (`localhost`, `*.localhost`, `127.0.0.1`, `[::1]`) and these.
    Only(Vec<Pattern>),
}

/// What an entry of `server.allowed_hosts` must look like, for the error message.
const ALLOWED_HOSTS_RULE: &str = "is not a host name: give empty, * or comma-separated host \
     names without a port, such as mock.internal, 10.0.0.5 or .example.test (that domain and \
     every name under it)";

impl HostPolicy {
    /// The policy of a server that listens on loopback or beyond it: on loopback, loopback
    /// names and the listed hosts; beyond it, every host unless some are listed.
    pub(crate) fn new(allowed: &AllowedHosts, on_loopback: bool) -> HostPolicy {
        match allowed {
            AllowedHosts::Any => HostPolicy::Any,
            AllowedHosts::Listed(hosts) if hosts.is_empty() && !on_loopback => HostPolicy::Any,
            AllowedHosts::Listed(hosts) => HostPolicy::Only(hosts.clone()),
        }
    }

    /// Whether a request with this `Host` header value (`name[:port]`) is answered.
    pub(crate) fn allows(&self, host: &[u8]) -> bool {
        let patterns = match self {
            HostPolicy::Any => return true,
            HostPolicy::Only(patterns) => patterns,
        };
        let Some(name) = host_name(host) else {
            return false;
        };
        is_loopback(&name)
            || patterns.iter().any(|pattern| match pattern {
                Pattern::Exact(allowed) => *allowed == name,
                Pattern::Domain(domain) => {
                    name == *domain
                        || name
                            .strip_suffix(domain.as_str())
                            .is_some_and(|rest| rest.ends_with('.'))
                }
            })
    }
}

/// An entry of the setting: a host name, an IPv4 address or a bracketed IPv6 address, with
/// an optional leading `.` for a whole domain; never a port.
fn parse_pattern(entry: &str) -> Option<Pattern> {
    let entry = entry.to_ascii_lowercase();
    let (domain, name) = match entry.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, entry.as_str()),
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    let well_formed = if let Some(inner) = name.strip_prefix('[') {
        !domain && inner.strip_suffix(']')?.parse::<Ipv6Addr>().is_ok()
    } else {
        !name.is_empty()
            && name.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    };
    match (well_formed, domain) {
        (false, _) => None,
        (true, true) => Some(Pattern::Domain(name.to_owned())),
        (true, false) => Some(Pattern::Exact(name.to_owned())),
    }
}

/// The host of a `Host` header value, lowercase, without its port or a trailing dot; `None`
/// when the value is not `name[:port]` or `[v6][:port]`.
fn host_name(value: &[u8]) -> Option<Cow<'_, str>> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let (name, port) = if text.starts_with('[') {
        let end = text.find(']')?;
        let rest = &text[end + 1..];
        let port = match rest {
            "" => None,
            _ => Some(rest.strip_prefix(':')?),
        };
        (&text[..=end], port)
    } else {
        match text.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (text, None),
        }
    };
    if let Some(port) = port {
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || !name.is_ascii() {
        return None;
    }
    Some(match name.bytes().any(|b| b.is_ascii_uppercase()) {
        true => Cow::Owned(name.to_ascii_lowercase()),
        false => Cow::Borrowed(name),
    })
}

/// `localhost`, a name under it (RFC 6761 §6.3 keeps them on loopback), or a loopback address.
fn is_loopback(name: &str) -> bool {
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(v6) => v6.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback()),
        None => name.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback()),
    }
}

/// 403 `forbidden_host` for a request whose `Host` the [`HostPolicy`] of the app does not
/// allow; `None` lets it through. A request without `Host` (HTTP/1.0) is let through.
/// Applied to every request by [`super::middleware::common`].
pub(crate) fn refusal(req: &ServiceRequest) -> Option<ApiError> {
    let refused = match req.app_data::<web::Data<HostPolicy>>() {
        Some(policy) if !UNCHECKED_PATHS.contains(&req.path()) => req
            .headers()
            .get_all(HOST)
            .any(|value| !policy.allows(value.as_bytes())),
        _ => false,
    };
    refused.then_some(ApiError::ForbiddenHost)
}

#[cfg(test)]
mod tests;
