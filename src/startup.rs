//! Builds the application from settings: loads the data, starts the actors, binds the
//! listener (port 0 picks a free one, which tests rely on) and returns a server to run.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix::Supervisor;
use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::{header, KeepAlive};
use actix_web::{middleware::from_fn, web, App, HttpServer};
use arc_swap::ArcSwap;
use serde_json::Value;

use crate::admin::{self, Access, AdminState};
use crate::api::openapi::{swagger_ui, SpecDocuments};
use crate::api::{self, AppState, RequestLimits};
use crate::clock::Clock;
use crate::generate::DemoSecret;
use crate::metrics::Metrics;
use crate::mock::journal::Journal;
use crate::mock::{Faults, ForcedResponses, MockState, RateLimiter};
use crate::settings::{AllowedOrigins, Settings};
use crate::store::actor::{LoadStatus, StoreActor};
use crate::store::source::{LoadError, Source};
use crate::store::watch;

/// Why the application did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("cannot listen on {address}: {source}")]
    Bind { address: String, source: io::Error },
    #[error("the server stopped with an error: {0}")]
    Serve(io::Error),
}

/// A bound, not yet running, server.
pub struct Application {
    server: Server,
    address: SocketAddr,
    status: Arc<ArcSwap<LoadStatus>>,
    clock: Arc<Clock>,
    admin_access: Access,
    demo_secrets: Vec<DemoSecret>,
}

impl Application {
    /// Loads the data and binds the listener. Must run inside an actix system.
    pub fn build(settings: &Settings) -> Result<Application, StartupError> {
        let source = Source::from_settings(settings);
        let loaded_file = match (&source, settings.snapshot.watch) {
            (Source::File(path), true) => watch::fingerprint(path),
            _ => None,
        };
        let (snapshot, demo_secrets) = source.load_with_secrets()?;
        let configured_now = settings.clock.now;
        let clock = Arc::new(configured_now.map_or_else(Clock::real, Clock::frozen));
        let credentials = Arc::new(ArcSwap::from_pointee(Default::default()));
        let status = Arc::new(ArcSwap::from_pointee(LoadStatus::default()));
        let metrics = Arc::new(Metrics::new());
        let actor = StoreActor::new(
            snapshot,
            credentials.clone(),
            status.clone(),
            metrics.clone(),
        );
        // Supervised: if handling a message fails, the actor restarts instead of vanishing.
        let store = Supervisor::start(move |_| actor);
        if settings.snapshot.watch {
            if let Source::File(path) = &source {
                let interval = settings.snapshot.watch_interval_ms;
                watch::start(path.clone(), interval, loaded_file, store.clone());
            }
        }

        let docs = SpecDocuments::build();
        let document: Value = serde_json::from_str(&docs.json).unwrap_or_default();
        let configured_faults = settings.faults;
        let mock = web::Data::new(MockState {
            faults: Faults::new(configured_faults),
            forced: ForcedResponses::from_document(&document),
            rate_limiter: match settings.rate_limit.requests_per_minute {
                0 => None,
                limit => Some(RateLimiter::new(limit)),
            },
            journal: Journal::new(settings.admin.journal_capacity),
        });
        let admin_access = match (
            settings.listens_on_loopback(),
            settings.admin.token.as_str(),
        ) {
            (true, _) => Access::Open,
            (false, "") => Access::Off,
            (false, token) => Access::Token(token.to_owned()),
        };
        let admin_state = web::Data::new(AdminState {
            source,
            configured_now,
            configured_faults,
            access: admin_access.clone(),
            max_body_bytes: settings.admin.max_body_bytes,
            journal_capacity: settings.admin.journal_capacity,
        });
        let state = web::Data::new(AppState {
            store,
            credentials,
            status: status.clone(),
            clock: clock.clone(),
            limits: settings.query_limits(),
            track_last_used: settings.auth.track_last_used,
            metrics,
            request_limits: RequestLimits {
                max_query_bytes: settings.server.max_query_bytes,
                max_header_bytes: settings.server.max_header_bytes,
            },
        });
        let docs = web::Data::new(docs);
        let origins = settings.cors.allowed_origins.clone();
        let access = admin_access.clone();

        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let bind_error = |source| StartupError::Bind {
            address: address.clone(),
            source,
        };
        let listener = TcpListener::bind(&address).map_err(bind_error)?;
        let local = listener.local_addr().map_err(bind_error)?;
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(docs.clone())
                .app_data(mock.clone())
                .app_data(admin_state.clone())
                .app_data(admin::json_config())
                .wrap(from_fn(api::limits_middleware))
                .wrap(cors(&origins))
                .wrap(from_fn(api::common_middleware))
                .configure(api::configure)
                .configure(|cfg| admin::configure(cfg, &access))
                .service(swagger_ui(access != Access::Off))
                .default_service(web::to(api::not_found))
        })
        .shutdown_timeout(settings.server.shutdown_timeout_secs)
        .client_request_timeout(Duration::from_millis(
            settings.server.client_request_timeout_ms,
        ))
        .keep_alive(match settings.server.keep_alive_secs {
            0 => KeepAlive::Disabled,
            secs => KeepAlive::Timeout(Duration::from_secs(secs)),
        })
        .max_connections(settings.server.max_connections);
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        let server = server.listen(listener).map_err(bind_error)?.run();
        Ok(Application {
            server,
            address: local,
            status,
            clock,
            admin_access,
            demo_secrets,
        })
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The clock every request reads; tests move it.
    pub fn clock(&self) -> Arc<Clock> {
        self.clock.clone()
    }

    /// How many tokens and workspaces are served.
    pub fn counts(&self) -> (usize, usize) {
        let status = self.status.load();
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

    /// Serves until SIGINT or SIGTERM, letting requests in flight finish.
    pub async fn run_until_stopped(self) -> io::Result<()> {
        self.server.await
    }
}

/// CORS for browsers on other origins: any origin (reflected, with credentials) or a list.
fn cors(origins: &AllowedOrigins) -> Cors {
    let cors = match origins {
        AllowedOrigins::Any => Cors::default().allowed_origin_fn(|_, _| true),
        AllowedOrigins::List(list) => list.iter().fold(Cors::default(), |cors, origin| {
            cors.allowed_origin(origin.as_str())
        }),
    };
    cors.supports_credentials()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("prefer"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::LINK,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
            header::HeaderName::from_static("preference-applied"),
        ])
        .block_on_origin_mismatch(false)
        .max_age(600)
}
