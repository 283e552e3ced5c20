//! Coverage: which states of `GET /v1/tokens` a session's client has been served, so a team
//! sees which states its UI tests never exercised (`GET /__admin/coverage`).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crossbeam_utils::CachePadded;
use serde::Serialize;
use thread_local::ThreadLocal;

use crate::domain::{AuthError, ParamError, Status};

macro_rules! states {
    ($($variant:ident = $name:literal: $description:literal,)*) => {
        /// A state of the API that a client may have to render.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum State { $($variant,)* }

        impl State {
            /// Every state, in the order the report lists them.
            pub const ALL: &'static [State] = &[$(State::$variant,)*];

            /// The state's stable name in the report.
            pub fn name(self) -> &'static str {
                match self { $(State::$variant => $name,)* }
            }

            /// What the state is, in a few words.
            pub fn description(self) -> &'static str {
                match self { $(State::$variant => $description,)* }
            }
        }
    };
}

states! {
    NonEmptyPage = "page.non_empty": "200 with at least one token",
    EmptyList = "page.empty_list": "200 where nothing matches (total 0)",
    PastTheEnd = "page.past_the_end": "200 with data [] for a page after the last",
    LastPage = "page.last": "200 for the last page of several (page = total_pages > 1)",
    StatusActive = "filter.status.active": "200 filtered by status=active",
    StatusExpired = "filter.status.expired": "200 filtered by status=expired",
    StatusRevoked = "filter.status.revoked": "200 filtered by status=revoked",
    NameMatches = "filter.name.matches": "200 with a name filter that matches tokens",
    NameNoMatches = "filter.name.no_matches": "200 with a name filter that matches nothing",
    BadPage = "400.page": "400 naming page",
    BadPerPage = "400.per_page": "400 naming per_page",
    BadStatus = "400.status": "400 naming status",
    BadName = "400.name": "400 naming name",
    MissingToken = "401.missing_token": "401 without bearer credentials",
    InvalidToken = "401.invalid_token": "401 for a secret no token has",
    Revoked = "401.revoked": "401 for a revoked token",
    Expired = "401.expired": "401 for an expired token",
    NotValidYet = "401.not_valid_yet": "401 for a token created after the clock",
    InsufficientScope = "403.insufficient_scope": "403 for a token without tokens:read",
    RateLimited = "429.rate_limited": "429 with Retry-After",
    Internal = "500.internal": "500 internal error",
    Unavailable = "503.unavailable": "503 unavailable, with Retry-After",
    Delayed = "delayed": "a response delayed by latency or Prefer: delay",
}

/// How often each state was served.
///
/// Counted per thread (each worker's counts on cache lines of its own) and summed when the
/// report is read: every worker counts every response, and a count all of them wrote to would
/// be a cache line passed between cores on each one.
#[derive(Debug, Default)]
pub struct Coverage {
    shards: ThreadLocal<CachePadded<Counts>>,
}

/// One thread's counts, by the position of the state in [`State::ALL`].
#[derive(Debug)]
struct Counts([AtomicU64; STATES]);

/// How many states there are.
const STATES: usize = State::ALL.len();

impl Counts {
    fn new() -> CachePadded<Counts> {
        CachePadded::new(Counts(std::array::from_fn(|_| AtomicU64::new(0))))
    }
}

/// One line of the report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StateReport {
    /// The state's stable name, such as `401.expired`.
    #[schema(example = "page.past_the_end")]
    pub state: &'static str,
    #[schema(example = "200 with data [] for a page after the last")]
    pub description: &'static str,
    /// Whether it was served at least once.
    pub served: bool,
    /// How many responses showed it.
    #[schema(example = 2)]
    pub count: u64,
}

/// The coverage report of a session.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CoverageReport {
    /// How many states were served at least once.
    #[schema(example = 9)]
    pub covered: usize,
    /// How many states there are.
    #[schema(example = 23)]
    pub total: usize,
    pub states: Vec<StateReport>,
}

impl Coverage {
    /// Counts one response showing `state`.
    pub fn record(&self, state: State) {
        // `State::ALL` lists the variants in their declared order.
        self.shards.get_or(Counts::new).0[state as usize].fetch_add(1, Relaxed);
    }

    /// Counts a page of a listing.
    pub fn record_page(&self, page: PageShape) {
        let total_pages = page.total.div_ceil(u64::from(page.per_page.max(1)));
        if page.shown > 0 {
            self.record(State::NonEmptyPage);
        }
        if page.total == 0 {
            self.record(State::EmptyList);
        } else if u64::from(page.page) > total_pages {
            self.record(State::PastTheEnd);
        } else if u64::from(page.page) == total_pages && total_pages > 1 {
            self.record(State::LastPage);
        }
        match page.status {
            Some(Status::Active) => self.record(State::StatusActive),
            Some(Status::Expired) => self.record(State::StatusExpired),
            Some(Status::Revoked) => self.record(State::StatusRevoked),
            None => {}
        }
        match (page.named, page.total) {
            (true, 0) => self.record(State::NameNoMatches),
            (true, _) => self.record(State::NameMatches),
            (false, _) => {}
        }
    }

    /// Counts a refusal for credentials.
    pub(crate) fn record_auth(&self, error: AuthError) {
        self.record(match error {
            AuthError::Missing => State::MissingToken,
            AuthError::Unknown => State::InvalidToken,
            AuthError::Revoked => State::Revoked,
            AuthError::Expired => State::Expired,
            AuthError::NotValidYet => State::NotValidYet,
            AuthError::InsufficientScope => State::InsufficientScope,
        });
    }

    /// Counts a 400, once per named API parameter.
    pub(crate) fn record_bad_parameters(&self, errors: &[ParamError]) {
        for error in errors {
            match error.parameter.as_str() {
                "page" => self.record(State::BadPage),
                "per_page" => self.record(State::BadPerPage),
                "status" => self.record(State::BadStatus),
                "name" => self.record(State::BadName),
                _ => {}
            }
        }
    }

    /// The report, every state in a fixed order.
    pub fn report(&self) -> CoverageReport {
        let mut counts = [0u64; STATES];
        for shard in self.shards.iter() {
            for (total, count) in counts.iter_mut().zip(&shard.0) {
                *total = total.saturating_add(count.load(Relaxed));
            }
        }
        let states: Vec<StateReport> = State::ALL
            .iter()
            .zip(counts)
            .map(|(state, count)| StateReport {
                state: state.name(),
                description: state.description(),
                served: count > 0,
                count,
            })
            .collect();
        CoverageReport {
            covered: states.iter().filter(|s| s.served).count(),
            total: states.len(),
            states,
        }
    }

    /// Forgets every count.
    pub fn clear(&self) {
        for shard in self.shards.iter() {
            for count in &shard.0 {
                count.store(0, Relaxed);
            }
        }
    }
}

/// What a page showed, for [`Coverage::record_page`].
#[derive(Clone, Copy, Debug)]
pub struct PageShape {
    /// The page number (from 1).
    pub page: u32,
    /// The page size asked for.
    pub per_page: u32,
    /// How many tokens match the query, over every page.
    pub total: u64,
    /// How many tokens the page shows.
    pub shown: usize,
    /// The `status` filter, when the query gives one.
    pub status: Option<Status>,
    /// Whether the query filters by `name`.
    pub named: bool,
}
