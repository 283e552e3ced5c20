//! Builds the application from settings in two steps: `Resources::build` (settings ->
//! resources: the data loaded, the actors and watcher started, what the routes read) and
//! [`Application::run`] (resources -> a server on bound listeners). [`Application::build`]
//! does both and binds the listener (port 0 picks a free one, which tests rely on).

mod resources;

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix::Supervisor;
use actix_web::dev::Server;
use actix_web::{middleware::from_fn, web, App, HttpServer};

use crate::admin::{self, Access};
use crate::api;
use crate::api::openapi::swagger_ui;
use crate::clock::Clock;
use crate::generate::DemoSecret;
use crate::http;
use crate::metrics::Metrics;
use crate::session::Sessions;
use crate::settings::server::bind_listeners;
use crate::settings::{ServerSettings, Settings};
use crate::signals::{Hangup, Stop};
use crate::store::actor::StoreActor;
use crate::store::source::{LoadError, Source};
use crate::store::Index;

use resources::install_reload;
pub(crate) use resources::Resources;

/// Why the application did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The snapshot could not be read or is not valid.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The listening address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The `host:port` asked for.
        address: String,
        /// Why it could not be bound.
        source: io::Error,
    },
    /// `server.ready_file` could not be written.
    #[error("cannot write server.ready_file {}: {source}", path.display())]
    ReadyFile {
        /// The file's path.
        path: std::path::PathBuf,
        /// Why it could not be written.
        source: io::Error,
    },
    /// A scan thread could not be started.
    #[error("cannot start the scan threads (store.scan_threads): {0}")]
    Scans(io::Error),
    /// The running server failed.
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

impl Application {
    /// Builds the resources, binds the listener and returns the server, not yet running.
    /// Must run inside an actix system.
    pub fn build(settings: &Settings) -> Result<Application, StartupError> {
        let resources = Resources::build(settings)?;
        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let listeners = bind_listeners(&settings.server.host, settings.server.port)
            .map_err(|source| StartupError::Bind { address, source })?;
        Application::run(resources, &settings.server, listeners)
    }

    /// Serves `resources` on `listeners` (with the second, `::1` beside `127.0.0.1`, when
    /// there is one), shaped by `server.*`; the server starts accepting once awaited.
    pub fn run(
        resources: Resources,
        server: &ServerSettings,
        listeners: (TcpListener, Option<TcpListener>),
    ) -> Result<Application, StartupError> {
        let address = format!("{}:{}", server.host, server.port);
        let bind_error = |source| StartupError::Bind {
            address: address.clone(),
            source,
        };
        let local = listeners.0.local_addr().map_err(bind_error)?;
        let (scans, shared) = (resources.scans.clone(), resources.shared.clone());
        let http_server = HttpServer::new(move || {
            // One store actor per worker, on the worker's own thread. A panic while listing
            // is caught around that listing (store::actor); the supervisor restarts the actor
            // should it ever stop.
            let scans = scans.clone();
            let default = shared.sessions.default_session().store.clone();
            let store = Supervisor::start(move |_| StoreActor::new(scans.clone(), default.clone()));
            let shared = shared.clone();
            App::new()
                .app_data(web::Data::new(store))
                .configure(|cfg| shared.register(cfg))
                .wrap(from_fn(http::middleware::common))
                .configure(|cfg| admin::configure(cfg, &shared.admin_access, &shared.admin_origins))
                .service(
                    web::scope("")
                        .wrap(from_fn(http::middleware::limits))
                        .wrap(http::cors::api(
                            shared.api_origins.as_deref(),
                            shared.api_headers.as_deref(),
                        ))
                        .wrap(from_fn(http::cors::public_without_credentials))
                        .configure(api::configure)
                        .service(swagger_ui(shared.admin_access != Access::Off))
                        .default_service(web::to(http::not_found)),
                )
        });
        // SIGTERM and SIGINT are the process's (crate::signals), which stops through `stop`.
        let stop = Stop::default();
        let http_server = server
            .run(http_server, stop.requested(), listeners)
            .map_err(bind_error)?;
        Ok(Application {
            server: http_server,
            address: local,
            sessions: resources.sessions,
            admin_access: resources.admin_access,
            demo_secrets: resources.demo_secrets,
            stop,
            source: resources.source,
            metrics: resources.metrics,
            max_problems: resources.max_problems,
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
    pub(crate) fn admin_access(&self) -> &Access {
        &self.admin_access
    }

    /// The secrets of generated data (empty for other sources).
    pub fn demo_secrets(&self) -> &[DemoSecret] {
        &self.demo_secrets
    }

    /// What stops the server gracefully (SIGTERM and SIGINT, through crate::signals).
    pub(crate) fn stop(&self) -> Stop {
        self.stop.clone()
    }

    /// What SIGHUP does: reloads a snapshot file as `--watch` would; with no file to reload,
    /// logs that there is none.
    pub(crate) fn hangup(&self) -> Hangup {
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

    /// Serves until stopped (`Application::stop`), letting requests in flight finish.
    pub async fn run_until_stopped(self) -> io::Result<()> {
        self.server.await
    }
}
