//! One generated token: its random fields, kept consistent with each other, and its JSON line.
//!
//! Times are drawn in a fixed window so that the output never depends on today's date.
//! `CUTOFF` plays "now" for the data: expired tokens expired before it, nothing was used
//! after it, and active tokens that expire do so after the window, so they still read as
//! active when served with a clock in the window.

use crate::domain::Status;

use super::random::{Rng, TokenIds};
use super::vocabulary::{self, TOKENS_READ};

const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;
/// 2025-01-01T00:00:00Z, the earliest `created_at`.
pub(super) const WINDOW_START: i64 = 1_735_689_600;
/// 2026-12-31T23:59:59Z, the latest `created_at`.
pub(super) const WINDOW_END: i64 = 1_798_761_599;
/// 2026-11-01T00:00:00Z: no expiry of an expired token and no use falls after it.
pub(super) const CUTOFF: i64 = 1_793_491_200;
/// 2027-02-01T00:00:00Z: active tokens that expire do so after it.
const ACTIVE_EXPIRY_FLOOR: i64 = 1_801_440_000;
/// Typical lifetimes offered when a token is created.
const LIFETIMES: [i64; 5] = [7 * DAY, 30 * DAY, 90 * DAY, 180 * DAY, YEAR];

/// The tokens of each workspace that get a secret, in the order they are given out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Demo {
    /// Active, never expires, has `tokens:read`: lists tokens.
    Lists,
    /// Active, never expires, lacks `tokens:read`: refused with 403.
    LacksScope,
    /// Revoked, with `tokens:read`: refused with 401 for the revocation alone.
    Revoked,
    /// Expired, with `tokens:read`: refused with 401 for the expiry alone.
    Expired,
}

impl Demo {
    pub(super) const ALL: [Demo; 4] = [Demo::Lists, Demo::LacksScope, Demo::Revoked, Demo::Expired];

    /// What a request made with this secret gets.
    pub(super) fn outcome(self) -> &'static str {
        match self {
            Demo::Lists => "200: lists its workspace's tokens",
            Demo::LacksScope => "403 insufficient_scope: lacks tokens:read",
            Demo::Revoked => "401 invalid_token: revoked",
            Demo::Expired => "401 invalid_token: expired",
        }
    }
}

/// A token's fields; the name lives in a buffer the caller reuses.
pub(super) struct Drawn {
    pub(super) id: [u8; 28],
    pub(super) scopes: u16,
    pub(super) status: Status,
    created_at: i64,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    creator: &'static str,
}

/// Draws the token at `index` of the snapshot, writing its name into `name`.
pub(super) fn draw(
    rng: &mut Rng,
    ids: &TokenIds,
    index: u64,
    demo: Option<Demo>,
    name: &mut String,
) -> Drawn {
    let id = ids.id(index, rng);
    let purpose = vocabulary::draw_name(rng, name);
    let mut scopes = vocabulary::draw_scopes(rng, purpose);
    let can_list = match demo {
        None => rng.below(100) < 85,
        Some(kind) => kind != Demo::LacksScope,
    };
    if can_list {
        scopes |= TOKENS_READ;
    }
    let status = match demo {
        None => match rng.below(100) {
            0..=69 => Status::Active,
            70..=84 => Status::Expired,
            _ => Status::Revoked,
        },
        Some(Demo::Lists | Demo::LacksScope) => Status::Active,
        Some(Demo::Revoked) => Status::Revoked,
        Some(Demo::Expired) => Status::Expired,
    };
    let never_expires = matches!(demo, Some(Demo::Lists | Demo::LacksScope));
    let (created_at, expires_at, last_used_at) =
        draw_times(rng, status, never_expires, demo.is_some());
    Drawn {
        id,
        scopes,
        status,
        created_at,
        expires_at,
        last_used_at,
        creator: vocabulary::PEOPLE[rng.index(vocabulary::PEOPLE.len())],
    }
}

/// Tokens with a secret are created in the window's first quarter, so that they exist (and
/// can authenticate) at any clock after it.
const DEMO_CREATED_BEFORE: i64 = WINDOW_START + 90 * DAY;

fn draw_times(
    rng: &mut Rng,
    status: Status,
    never_expires: bool,
    has_secret: bool,
) -> (i64, Option<i64>, Option<i64>) {
    let created_at = match status {
        _ if has_secret => rng.between(WINDOW_START, DEMO_CREATED_BEFORE),
        // Room for at least a day of life before the cutoff.
        Status::Expired => rng.between(WINDOW_START, CUTOFF - DAY),
        _ => rng.between(WINDOW_START, WINDOW_END + 1),
    };
    let lifetime =
        |rng: &mut Rng| LIFETIMES[rng.index(LIFETIMES.len())] + rng.below(DAY as u64) as i64;
    let expires_at = match status {
        Status::Expired => Some((created_at + lifetime(rng)).min(CUTOFF)),
        // 47% of the others, so that about 40% of all tokens never expire.
        _ if never_expires || rng.below(100) < 47 => None,
        Status::Active => Some(created_at.max(ACTIVE_EXPIRY_FLOOR) + lifetime(rng)),
        Status::Revoked => Some(created_at + lifetime(rng)),
    };
    let used_until = expires_at.unwrap_or(CUTOFF).min(CUTOFF);
    let last_used_at = if created_at < used_until && rng.below(100) < 80 {
        // The later of two draws: recent use is more common than old use.
        let a = rng.between(created_at, used_until);
        let b = rng.between(created_at, used_until);
        Some(a.max(b))
    } else {
        None
    };
    (created_at, expires_at, last_used_at)
}

/// Appends the token as one compact JSON object (no newline).
pub(super) fn write_json(
    buf: &mut Vec<u8>,
    token: &Drawn,
    name: &str,
    email_domain: &str,
    secret: Option<&str>,
) {
    buf.extend_from_slice(b"{\"id\":\"");
    buf.extend_from_slice(&token.id);
    // The vocabulary needs no escaping, so names are copied as they are.
    buf.extend_from_slice(b"\",\"name\":\"");
    buf.extend_from_slice(name.as_bytes());
    buf.extend_from_slice(b"\",\"scopes\":[");
    for (i, scope) in vocabulary::scope_names(token.scopes).enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        buf.push(b'"');
        buf.extend_from_slice(scope.as_bytes());
        buf.push(b'"');
    }
    buf.extend_from_slice(b"],\"status\":\"");
    buf.extend_from_slice(token.status.as_str().as_bytes());
    buf.extend_from_slice(b"\",\"created_at\":");
    write_time(buf, Some(token.created_at));
    buf.extend_from_slice(b",\"expires_at\":");
    write_time(buf, token.expires_at);
    buf.extend_from_slice(b",\"last_used_at\":");
    write_time(buf, token.last_used_at);
    buf.extend_from_slice(b",\"created_by\":\"");
    buf.extend_from_slice(token.creator.as_bytes());
    buf.push(b'@');
    buf.extend_from_slice(email_domain.as_bytes());
    buf.push(b'"');
    if let Some(secret) = secret {
        buf.extend_from_slice(b",\"secret\":\"");
        buf.extend_from_slice(secret.as_bytes());
        buf.push(b'"');
    }
    buf.push(b'}');
}

fn write_time(buf: &mut Vec<u8>, at: Option<i64>) {
    match at {
        Some(seconds) => {
            buf.push(b'"');
            buf.extend_from_slice(&timestamp(seconds));
            buf.push(b'"');
        }
        None => buf.extend_from_slice(b"null"),
    }
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`, as `format_timestamp` writes them, without
/// chrono's allocation per call (this runs three times per token). The date arithmetic is
/// Howard Hinnant's `civil_from_days`.
pub(super) fn timestamp(seconds: i64) -> [u8; 20] {
    let days = seconds.div_euclid(DAY);
    let second_of_day = seconds.rem_euclid(DAY);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);

    let mut out = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, width: usize, mut value: i64| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, month);
    put(8, 2, day);
    put(11, 2, second_of_day / 3600);
    put(14, 2, second_of_day / 60 % 60);
    put(17, 2, second_of_day % 60);
    out
}
