//! Builds the application from settings: loads the data, starts the actors, binds the
//! listener (port 0 picks a free one, which tests rely on) and returns a server to run.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use actix::Supervisor;
use actix_web::dev::Server;
use actix_web::{middleware::from_fn, web, App, HttpServer};
use serde_json::Value;

use crate::admin::{self, Access, AdminState};
use crate::api::openapi::{swagger_ui, SpecDocuments};
use crate::api::{self, ApiSettings};
use crate::clock::Clock;
use crate::generate::DemoSecret;
use crate::http::keep_alive::KeepAliveTimeout;
use crate::http::middleware::{RequestContext, RequestObserver};
use crate::http::{self, RequestLimits};
use crate::metrics::{LoadKind, Metrics};
use crate::mock::forced::ForcedResponses;
use crate::session::journal::JournalRequests;
use crate::session::{JournalLimits, SessionContext, SessionSettings, Sessions};
use crate::settings::server::bind_listeners;
use crate::settings::Settings;
use crate::signals::{Hangup, Stop};
use crate::store::actor::{start_scans, StoreActor};
use crate::store::source::{LoadError, Source};
use crate::store::{watch, Index};

/// Why the application did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("cannot listen on {address}: {source}")]
    Bind { address: String, source: io::Error },
    #[error("cannot write server.ready_file {}: {source}", path.display())]
    ReadyFile {
        path: std::path::PathBuf,
        source: io::Error,
    },
    #[error("the server stopped with an error: {0}")]
    Serve(io::Error),
}

/// A bound, not yet running, server.
pub struct Application {
    server: Server,
    address: SocketAddr,
    sessions: web::Data<Sessions>,
    admin_access: Access,
    demo_secrets: Vec<DemoSecret>,
    stop: Stop,
    source: Source,
    metrics: web::Data<Metrics>,
    /// `snapshot.max_problems`: how many problems a refused reload lists.
    max_problems: usize,
}

/// Installs a reloaded snapshot file, or records why it was refused (the data served stays).
fn install_reload(
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

impl Application {
    /// Loads the data and binds the listener. Must run inside an actix system.
    pub fn build(settings: &Settings) -> Result<Application, StartupError> {
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
        let sessions = web::Data::new(Sessions::new(
            index,
            SessionSettings {
                configured_now: settings.clock.now,
                configured_faults: settings.faults,
                requests_per_minute: settings.rate_limit.requests_per_minute,
                rate_limit_max_tracked: settings.rate_limit.max_tracked_secrets,
                journal: JournalLimits {
                    entries: settings.admin.journal_capacity,
                    target_bytes: settings.admin.journal_max_target_bytes,
                    session_bytes: settings.admin.journal_max_bytes,
                    total_bytes: settings.admin.journal_total_bytes,
                    body_bytes: settings.admin.journal_body_bytes,
                },
                idle_ttl_secs: settings.sessions.idle_ttl_secs,
                max: settings.sessions.max,
                create_on_first_use: settings.listens_on_loopback()
                    || settings.admin.token.is_empty(),
            },
        ));
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

        let limits = settings.query_limits();
        let docs = SpecDocuments::build_for(limits);
        let document: Value =
            serde_json::from_str(&docs.json).expect("the generated document is JSON");
        let forced = web::Data::new(ForcedResponses::from_document(&document));
        let admin_access = Access::new(settings.listens_on_loopback(), &settings.admin.token);
        let admin_state = web::Data::new(AdminState {
            source: source.clone(),
            access: admin_access.clone(),
            max_body_bytes: settings.admin.max_body_bytes,
            max_control_body_bytes: settings.admin.max_control_body_bytes,
            max_problems: settings.snapshot.max_problems,
            cors_origins: settings.admin.cors_origins.as_strings(),
        });
        let api_settings = web::Data::new(ApiSettings {
            limits,
            track_last_used: settings.auth.track_last_used,
        });
        let request_limits = web::Data::new(RequestLimits {
            max_query_bytes: settings.server.max_query_bytes,
            max_header_bytes: settings.server.max_header_bytes,
            body_timeout: std::time::Duration::from_millis(settings.server.body_timeout_ms),
            max_logged_bytes: settings.log.max_field_bytes,
        });
        let docs = web::Data::new(docs);
        let origins = settings.api_cors_origins();
        let allowed_headers = settings.api_cors_headers();
        let admin_origins = settings.admin.cors_origins.as_strings();
        let host_policy = web::Data::new(settings.host_policy());
        let access = admin_access.clone();
        // Name filters scan on a thread of their own, so listings never wait behind them.
        let scans = start_scans(1);
        let app_sessions = sessions.clone();
        let app_metrics = metrics.clone();
        // Every request ends up in its session's journal, except the admin API's own calls.
        let journal: Arc<dyn RequestObserver> = Arc::new(JournalRequests {
            unjournaled: vec![admin::PREFIX],
        });
        let journal = web::Data::from(journal);
        // Each request's session is decided once, at its start.
        let context: Arc<dyn RequestContext> = Arc::new(SessionContext {
            admin_prefix: admin::PREFIX,
            access: admin_access.clone(),
        });
        let context = web::Data::from(context);

        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let bind_error = |source| StartupError::Bind {
            address: address.clone(),
            source,
        };
        let (listener, also) =
            bind_listeners(&settings.server.host, settings.server.port).map_err(bind_error)?;
        let keep_alive = web::Data::new(KeepAliveTimeout::new(settings.server.keep_alive_secs));
        let local = listener.local_addr().map_err(bind_error)?;
        let server = HttpServer::new(move || {
            // One store actor per worker, on the worker's own thread. A panic while listing
            // is caught around that listing (store::actor); the supervisor restarts the actor
            // should it ever stop.
            let scans = scans.clone();
            let store = Supervisor::start(move |_| StoreActor::new(scans));
            App::new()
                .app_data(web::Data::new(store))
                .app_data(app_sessions.clone())
                .app_data(api_settings.clone())
                .app_data(request_limits.clone())
                .app_data(docs.clone())
                .app_data(forced.clone())
                .app_data(admin_state.clone())
                .app_data(app_metrics.clone())
                .app_data(admin::json_config())
                .app_data(journal.clone())
                .app_data(context.clone())
                .app_data(host_policy.clone())
                .app_data(keep_alive.clone())
                .wrap(from_fn(http::middleware::common))
                .configure(|cfg| admin::configure(cfg, &access, &admin_origins))
                .service(
                    web::scope("")
                        .wrap(from_fn(http::middleware::limits))
                        .wrap(http::cors::api(
                            origins.as_deref(),
                            allowed_headers.as_deref(),
                        ))
                        .wrap(from_fn(http::cors::public_without_credentials))
                        .configure(api::configure)
                        .service(swagger_ui(access != Access::Off))
                        .default_service(web::to(http::not_found)),
                )
        });
        // SIGTERM and SIGINT are the process's (crate::signals), which stops through `stop`.
        let stop = Stop::default();
        let server = settings
            .server
            .run(server, stop.requested(), (listener, also))
            .map_err(bind_error)?;
        Ok(Application {
            server,
            address: local,
            sessions,
            admin_access,
            demo_secrets,
            stop,
            source,
            metrics,
            max_problems: settings.snapshot.max_problems,
        })
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The default session's clock; tests move it.
    pub fn clock(&self) -> Arc<Clock> {
        self.sessions.default_session().clock.clone()
    }

    /// How many tokens and workspaces are configured.
    pub fn counts(&self) -> (usize, usize) {
        let status = self.sessions.load_status();
        (status.tokens, status.workspaces)
    }

    /// Who may use the admin API.
    pub fn admin_access(&self) -> &Access {
        &self.admin_access
    }

    /// The secrets of generated data (empty for other sources).
    pub fn demo_secrets(&self) -> &[DemoSecret] {
        &self.demo_secrets
    }

    /// What stops the server gracefully (SIGTERM and SIGINT, through crate::signals).
    pub fn stop(&self) -> Stop {
        self.stop.clone()
    }

    /// What SIGHUP does: reloads a snapshot file as `--watch` would; with no file to reload,
    /// logs that there is none.
    pub fn hangup(&self) -> Hangup {
        let (source, sessions, metrics, max_problems) = (
            self.source.clone(),
            self.sessions.clone(),
            self.metrics.clone(),
            self.max_problems,
        );
        Box::new(move || match &source {
            Source::File(..) => {
                let loaded = source.load().map(Index::new);
                install_reload(&sessions, &metrics, max_problems, loaded);
            }
            _ => tracing::info!(%source, "nothing to reload: the data is not from a file"),
        })
    }

    /// Serves until stopped ([`Application::stop`]), letting requests in flight finish.
    pub async fn run_until_stopped(self) -> io::Result<()> {
        self.server.await
    }
}
