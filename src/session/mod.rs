//! Sessions: isolated worlds for parallel clients. A request names its session with
//! `X-Mock-Session: <name>` or `?__session=<name>`; without one it uses the default session.
//! Each session owns its data (forked from the configured snapshot, copy on write), clock,
//! faults, journal, rate-limit windows, `last_used_at` values and coverage.

pub(crate) mod context;
pub(crate) mod coverage;
pub mod faults;
pub(crate) mod journal;
pub(crate) mod rate_limit;
pub(crate) mod registry;
mod selector;

use std::sync::atomic::{AtomicI64, Ordering::Relaxed};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::store::{Index, Store};
pub(crate) use context::SessionContext;
pub use coverage::{Coverage, PageShape};
pub use faults::FaultConfig;
pub(crate) use faults::Faults;
pub(crate) use journal::{Journal, JournalBudget};
pub use journal::{JournalLimits, JournalRequests};
pub use rate_limit::RateLimiter;
pub(crate) use registry::{LoadStatus, SessionInfo, SessionRefused};
pub use registry::{SessionSettings, Sessions};
pub use selector::{Selected, SessionName};
pub(crate) use selector::{SESSION_HEADER, SESSION_PARAMETER};

/// One isolated world.
pub struct Session {
    /// `None` for the default session.
    pub name: Option<SessionName>,
    /// The session's tokens.
    pub store: Arc<Store>,
    /// The session's clock, frozen or running.
    pub clock: Arc<Clock>,
    pub(crate) faults: Faults,
    /// The session's last requests, for the admin API.
    pub journal: Journal,
    /// Requests per minute per secret; `None` when rate limiting is off.
    pub(crate) rate_limiter: Option<RateLimiter>,
    /// Which pages, filters and statuses the session's listings have shown.
    pub coverage: Coverage,
    created_at: DateTime<Utc>,
    /// Real time of the last request, in Unix nanoseconds, for idle expiry, eviction order
    /// and the listing.
    last_seen: AtomicI64,
}

impl Session {
    fn new(
        name: Option<SessionName>,
        index: &Arc<Index>,
        settings: &SessionSettings,
        journals: &Arc<JournalBudget>,
    ) -> Session {
        let now = Utc::now();
        Session {
            store: Arc::new(Store::fork(index)),
            clock: Arc::new(
                settings
                    .configured_now
                    .map_or_else(Clock::real, Clock::frozen),
            ),
            faults: Faults::new(settings.configured_faults),
            // The default session is journaled by every worker at once; a named one serves
            // one test, and takes no budget ahead that it may not use.
            journal: match name {
                None => Journal::batched(journals.clone()),
                Some(_) => Journal::new(journals.clone()),
            },
            rate_limiter: match settings.requests_per_minute {
                0 => None,
                limit => Some(RateLimiter::new(limit, settings.rate_limit_max_tracked)),
            },
            coverage: Coverage::default(),
            name,
            created_at: now,
            last_seen: AtomicI64::new(nanos(now)),
        }
    }

    /// Back to the configured state: data (over `index`), clock, faults, journal, coverage and
    /// any pending store failure.
    pub fn reset(&self, index: &Arc<Index>, settings: &SessionSettings) {
        self.store.replace(index);
        match settings.configured_now {
            Some(at) => self.clock.freeze(at),
            None => self.clock.release(),
        }
        self.faults.set(settings.configured_faults);
        self.journal.clear();
        self.coverage.clear();
    }

    fn last_seen(&self) -> i64 {
        self.last_seen.load(Relaxed)
    }
}

/// Calls `f` with the session the request selected, borrowed from its extensions where it
/// was decided at its start, or from the [`Sessions`] for the default one (no reference
/// count of the session is written); a request no context decided is decided now. `Err` is
/// the 400 of a bad selector, as for [`Selected`].
///
/// `f` runs while the request's extensions are borrowed: it must not insert into them.
pub fn with_selected<R>(
    req: &actix_web::HttpRequest,
    f: impl FnOnce(&Selected) -> R,
) -> Result<R, crate::http::ApiError> {
    use actix_web::HttpMessage;
    use selector::Selection;
    let extensions = req.extensions();
    match extensions.get::<Selection>() {
        Some(Selection::Named(selected)) => Ok(f(selected)),
        Some(Selection::Default) => Ok(f(selector::sessions(req)?.default_selected())),
        Some(Selection::Refused(error)) => {
            Err(crate::http::ApiError::InvalidParameters(
                vec![error.clone()],
            ))
        }
        None => {
            drop(extensions);
            Selected::resolve(req).map(|selected| f(&selected))
        }
    }
}

/// Decides the session of a request and keeps it in its extensions, where [`with_selected`]
/// and [`Selected::resolve`] find it: what the session context does as every request starts
/// (a request may create the session it names when `may_create`).
pub fn decide(req: &actix_web::HttpRequest, may_create: bool) {
    use actix_web::HttpMessage;
    if let Ok(selection) = selector::Selection::decide(req, may_create) {
        req.extensions_mut().insert(selection);
    }
}

/// Unix nanoseconds (representable until 2262).
fn nanos(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(i64::MAX)
}
