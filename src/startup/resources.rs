//! Settings -> resources: the data loaded and indexed, the sessions, the metrics, the file
//! watcher, the documents and everything the routes read, before any socket is bound.

use std::sync::Arc;

use actix_web::web;
use serde_json::Value;

use crate::admin::{self, Access, AdminState};
use crate::api::openapi::SpecDocuments;
use crate::api::ApiSettings;
use crate::generate::DemoSecret;
use crate::http::host::HostPolicy;
use crate::http::keep_alive::KeepAliveTimeout;
use crate::http::middleware::{RequestContext, RequestObserver};
use crate::http::RequestLimits;
use crate::metrics::{LoadKind, Metrics};
use crate::mock::forced::ForcedResponses;
use crate::session::journal::JournalRequests;
use crate::session::{SessionContext, Sessions};
use crate::settings::Settings;
use crate::store::scan::Scans;
use crate::store::source::{LoadError, Source};
use crate::store::{watch, Index};

use super::StartupError;

/// What the server is made of: built once from the settings, shared by every worker.
pub struct Resources {
    pub(super) source: Source,
    pub(super) demo_secrets: Vec<DemoSecret>,
    pub(super) sessions: web::Data<Sessions>,
    pub(super) metrics: web::Data<Metrics>,
    pub(super) admin_access: Access,
    /// `snapshot.max_problems`: how many problems a refused reload lists.
    pub(super) max_problems: usize,
    /// The queue of name-filter scans the store actors hand over.
    pub(super) scans: Scans,
    /// What every worker's routes read, cloned into each.
    pub(super) shared: Shared,
}

/// The application data and route settings each worker is given (cheap clones of `Arc`s).
#[derive(Clone)]
pub(super) struct Shared {
    pub(super) sessions: web::Data<Sessions>,
    pub(super) metrics: web::Data<Metrics>,
    pub(super) api_settings: web::Data<ApiSettings>,
    pub(super) request_limits: web::Data<RequestLimits>,
    pub(super) docs: web::Data<SpecDocuments>,
    pub(super) forced: web::Data<ForcedResponses>,
    pub(super) admin_state: web::Data<AdminState>,
    pub(super) journal: web::Data<dyn RequestObserver>,
    /// Decides each request's session once, at its start.
    pub(super) context: web::Data<dyn RequestContext>,
    pub(super) host_policy: web::Data<HostPolicy>,
    pub(super) keep_alive: web::Data<KeepAliveTimeout>,
    pub(super) admin_access: Access,
    /// `cors.allowed_origins`, `cors.allowed_headers` and `admin.cors_origins`.
    pub(super) api_origins: Option<Vec<String>>,
    pub(super) api_headers: Option<Vec<String>>,
    pub(super) admin_origins: Vec<String>,
}

impl Shared {
    /// Gives a worker's application every piece of data its routes read.
    pub(super) fn register(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(self.sessions.clone())
            .app_data(self.api_settings.clone())
            .app_data(self.request_limits.clone())
            .app_data(self.docs.clone())
            .app_data(self.forced.clone())
            .app_data(self.admin_state.clone())
            .app_data(self.metrics.clone())
            .app_data(admin::json_config())
            .app_data(self.journal.clone())
            .app_data(self.context.clone())
            .app_data(self.host_policy.clone())
            .app_data(self.keep_alive.clone());
    }
}

impl Resources {
    /// Loads and indexes the data, starts the file watcher (`snapshot.watch`) and the scan
    /// thread, and prepares what the routes read. Must run inside an actix system.
    pub fn build(settings: &Settings) -> Result<Resources, StartupError> {
        let source = settings.source();
        tracing::info!(%source, "loading the data");
        let loaded_file = match (&source, settings.snapshot.watch) {
            (Source::File(path, max_bytes), true) => watch::fingerprint(path, *max_bytes),
            _ => None,
        };
        let (snapshot, demo_secrets) = source.load_with_secrets()?;
        let metrics = web::Data::new(Metrics::new(settings.metrics.max_workspaces));
        let started = std::time::Instant::now();
        let index = Arc::new(Index::new(snapshot));
        tracing::info!(
            index_ms = started.elapsed().as_millis() as u64,
            "snapshot indexed"
        );
        metrics.record_load(LoadKind::Startup, true);
        let sessions = web::Data::new(Sessions::new(index, settings.session_settings()));
        if settings.snapshot.watch {
            if let Source::File(path, max_bytes) = &source {
                let interval = settings.snapshot.watch_interval_ms;
                let (sessions, metrics) = (sessions.clone(), metrics.clone());
                let max_problems = settings.snapshot.max_problems;
                let on_change = Box::new(move |loaded: Result<_, LoadError>| {
                    install_reload(&sessions, &metrics, max_problems, loaded)
                });
                watch::start(path.clone(), *max_bytes, interval, loaded_file, on_change);
            }
        }
        let admin_access = Access::new(
            settings.listens_on_loopback(),
            settings.admin.token.as_deref(),
        );
        let shared = shared(settings, &source, &sessions, &metrics, &admin_access);
        // Name filters scan on threads of their own, so listings never wait behind them.
        let scans = Scans::start(settings.scan_limits()).map_err(StartupError::Scans)?;
        for collector in scans.collectors() {
            metrics.register(collector);
        }
        Ok(Resources {
            source,
            demo_secrets,
            sessions,
            metrics,
            admin_access,
            max_problems: settings.snapshot.max_problems,
            scans,
            shared,
        })
    }
}

fn shared(
    settings: &Settings,
    source: &Source,
    sessions: &web::Data<Sessions>,
    metrics: &web::Data<Metrics>,
    admin_access: &Access,
) -> Shared {
    let limits = settings.query_limits();
    let docs = SpecDocuments::build_for(limits);
    let document: Value = serde_json::from_str(&docs.json).expect("the generated document is JSON");
    // Every request ends up in its session's journal, except the admin API's own calls.
    let journal: Arc<dyn RequestObserver> = Arc::new(JournalRequests {
        unjournaled: vec![admin::PREFIX],
    });
    // Each request's session is decided once, at its start.
    let context: Arc<dyn RequestContext> = Arc::new(SessionContext {
        admin_prefix: admin::PREFIX,
        access: admin_access.clone(),
    });
    Shared {
        context: web::Data::from(context),
        sessions: sessions.clone(),
        metrics: metrics.clone(),
        api_settings: web::Data::new(ApiSettings {
            limits,
            track_last_used: settings.auth.track_last_used,
        }),
        request_limits: web::Data::new(RequestLimits {
            max_query_bytes: settings.server.max_query_bytes,
            max_header_bytes: settings.server.max_header_bytes,
            body_timeout: std::time::Duration::from_millis(settings.server.body_timeout_ms),
            max_logged_bytes: settings.log.max_field_bytes,
        }),
        forced: web::Data::new(ForcedResponses::from_document(&document)),
        docs: web::Data::new(docs),
        admin_state: web::Data::new(AdminState {
            source: source.clone(),
            access: admin_access.clone(),
            max_body_bytes: settings.admin.max_body_bytes,
            max_control_body_bytes: settings.admin.max_control_body_bytes,
            max_problems: settings.snapshot.max_problems,
            cors_origins: settings.admin.cors_origins.as_strings(),
        }),
        journal: web::Data::from(journal),
        host_policy: web::Data::new(settings.host_policy()),
        keep_alive: web::Data::new(KeepAliveTimeout::new(settings.server.keep_alive_secs)),
        admin_access: admin_access.clone(),
        api_origins: settings.api_cors_origins(),
        api_headers: settings.api_cors_headers(),
        admin_origins: settings.admin.cors_origins.as_strings(),
    }
}

/// Installs a reloaded snapshot file, or records why it was refused (the data served stays).
pub(super) fn install_reload(
    sessions: &Sessions,
    metrics: &Metrics,
    max_problems: usize,
    loaded: Result<Index, LoadError>,
) {
    match loaded {
        Ok(index) => {
            let status = sessions.replace_configured(Arc::new(index));
            metrics.record_load(LoadKind::Reload, true);
            tracing::info!(tokens = status.tokens, "snapshot reloaded");
        }
        Err(error) => {
            let error = error.listing(max_problems);
            tracing::warn!(%error, "snapshot reload refused; the current data stays");
            metrics.record_load(LoadKind::Reload, false);
            sessions.reload_refused(error);
        }
    }
}
