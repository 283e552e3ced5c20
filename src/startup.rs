//! Builds the application from settings: loads the data, starts the store actor, binds the
//! listener (port 0 picks a free one, which tests rely on) and returns a server to run.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

use actix::Actor;
use actix_web::dev::Server;
use actix_web::{middleware::from_fn, web, App, HttpServer};

use crate::api::openapi::SpecDocuments;
use crate::api::{self, AppState};
use crate::auth::Credentials;
use crate::clock::Clock;
use crate::settings::Settings;
use crate::store::actor::StoreActor;
use crate::store::snapshot::{Snapshot, SnapshotError};
use crate::store::{Store, DEFAULT_SNAPSHOT};

/// Why the application did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot read snapshot {path}: {source}")]
    ReadSnapshot { path: PathBuf, source: io::Error },
    #[error("snapshot {path} is invalid; {source}")]
    InvalidSnapshot { path: String, source: SnapshotError },
    #[error("cannot listen on {address}: {source}")]
    Bind { address: String, source: io::Error },
    #[error("the server stopped with an error: {0}")]
    Serve(io::Error),
}

/// Reads and validates the configured snapshot, or the embedded default.
pub fn load_snapshot(settings: &Settings) -> Result<Snapshot, StartupError> {
    match settings.snapshot_path() {
        None => Snapshot::parse(DEFAULT_SNAPSHOT).map_err(|source| StartupError::InvalidSnapshot {
            path: "(embedded default)".to_owned(),
            source,
        }),
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|source| StartupError::ReadSnapshot {
                path: path.to_owned(),
                source,
            })?;
            Snapshot::parse(&bytes).map_err(|source| StartupError::InvalidSnapshot {
                path: path.display().to_string(),
                source,
            })
        }
    }
}

/// A bound, not yet running, server.
pub struct Application {
    server: Server,
    address: SocketAddr,
    token_count: usize,
    workspace_count: usize,
    clock: Arc<Clock>,
}

impl Application {
    /// Loads the data and binds the listener. Must run inside an actix system.
    pub fn build(settings: &Settings) -> Result<Application, StartupError> {
        let snapshot = load_snapshot(settings)?;
        let clock = Arc::new(match settings.clock_now() {
            Ok(Some(at)) => Clock::frozen(at),
            _ => Clock::real(),
        });
        let credentials = Arc::new(Credentials::new(&snapshot));
        let token_count = snapshot.token_count();
        let workspace_count = snapshot.workspaces.len();
        let store = StoreActor::new(Store::new(snapshot)).start();
        let docs = web::Data::new(SpecDocuments::build());
        let state = web::Data::new(AppState {
            store,
            credentials,
            clock: clock.clone(),
            limits: settings.query_limits(),
            track_last_used: settings.auth.track_last_used,
            token_count,
        });

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
                .wrap(from_fn(api::common_middleware))
                .configure(api::configure)
        })
        .shutdown_timeout(settings.server.shutdown_timeout_secs);
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        let server = server.listen(listener).map_err(bind_error)?.run();
        Ok(Application {
            server,
            address: local,
            token_count,
            workspace_count,
            clock,
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
        (self.token_count, self.workspace_count)
    }

    /// Serves until SIGINT or SIGTERM, letting requests in flight finish.
    pub async fn run_until_stopped(self) -> io::Result<()> {
        self.server.await
    }
}
