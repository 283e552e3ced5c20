//! `tooken-mock proxy`: a validation proxy in front of a real Tooken API.
//!
//! Each `/v1/tokens` request is forwarded to the upstream with its headers and the answer
//! is returned unchanged, while request and response are checked against the OpenAPI
//! document this crate generates and against the rules a response shows (`rule::Rule`).
//! Violations are logged, counted in `/metrics`, listed at `GET /__admin/violations` and
//! summarised when the proxy stops; `proxy.strict` answers them with a 502 problem instead.
//!
//! Its routes run on the mock's HTTP shell (`http::middleware::common`): the same request
//! id, `Host` check, admin access rule, problems and log line; a forwarded answer is marked
//! `http::middleware::Relayed` so that it goes out as the upstream gave it.

mod admin;
pub(crate) mod coding;
pub(crate) mod contract;
mod errors;
mod forward;
pub(crate) mod links;
pub(crate) mod page;
pub(crate) mod request;
mod routes;
pub(crate) mod rule;
pub(crate) mod rules;
pub(crate) mod violations;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};

use crate::api::openapi::{swagger_ui, SpecDocuments};
use crate::har::HarFile;
use crate::http;
use crate::http::access::AdminAccess;
use crate::http::keep_alive::KeepAliveTimeout;
use crate::settings::{Settings, SettingsError, UpstreamSettings};
use crate::signals::Stop;
use contract::{Contract, ContractError};
use forward::ProxyState;
use violations::Violations;

/// Why the proxy did not start.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// No upstream URL was given (`upstream.url`).
    #[error(transparent)]
    NoUpstream(SettingsError),
    /// The OpenAPI document the answers are checked against could not be read.
    #[error(transparent)]
    Contract(#[from] ContractError),
    /// The HTTP client to the upstream could not be built (TLS set-up).
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    /// The proxy's listening address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The `host:port` asked for.
        address: String,
        /// Why it could not be bound.
        source: io::Error,
    },
}

/// A bound, not yet running, proxy.
pub struct Proxy {
    server: Server,
    address: SocketAddr,
    state: web::Data<ProxyState>,
    stop: Stop,
}

/// The HTTP client towards the upstream, with the configured timeouts and pool. Redirects
/// are returned to the caller, not followed, so the answer stays the upstream's own.
pub(crate) fn client(settings: &UpstreamSettings) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(settings.timeout())
        .connect_timeout(settings.connect_timeout())
        .pool_max_idle_per_host(settings.max_idle_connections)
        .pool_idle_timeout(Duration::from_secs(settings.idle_timeout_secs))
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

impl Proxy {
    /// Compiles the document, builds the client and binds the listener. Must run inside an
    /// actix system.
    pub fn build(settings: &Settings) -> Result<Proxy, ProxyError> {
        Proxy::build_with_har(settings, None)
    }

    /// As [`Proxy::build`], appending every exchange with the upstream to `har` (`--har`).
    pub(crate) fn build_with_har(
        settings: &Settings,
        har: Option<HarFile>,
    ) -> Result<Proxy, ProxyError> {
        let base = settings
            .upstream
            .required_base_url("--upstream")
            .map_err(ProxyError::NoUpstream)?;
        let checked_client = client(&settings.upstream)?;
        let state = web::Data::new(ProxyState {
            base: base.to_owned(),
            contract: Contract::generated()?,
            violations: Violations::new(settings.proxy.violations_capacity),
            strict: settings.proxy.strict,
            max_response_bytes: settings.upstream.max_response_bytes,
            har,
        });
        let access = web::Data::new(AdminAccess::new(
            settings.listens_on_loopback(),
            settings.admin.token.as_deref(),
        ));
        let docs = web::Data::new(SpecDocuments::build());
        let host_policy = web::Data::new(settings.host_policy());
        let keep_alive = web::Data::new(KeepAliveTimeout::new(settings.server.keep_alive_secs));
        let upstream = settings.upstream.clone();
        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let bind_error = |source| ProxyError::Bind {
            address: address.clone(),
            source,
        };
        let (listener, also) =
            crate::settings::server::bind_listeners(&settings.server.host, settings.server.port)
                .map_err(bind_error)?;
        let local = listener.local_addr().map_err(bind_error)?;
        let shared = state.clone();
        let server = HttpServer::new(move || {
            // One client per worker: its pooled connections are driven by this worker's
            // runtime, which lives as long as the worker.
            let client = client(&upstream).unwrap_or_else(|_| checked_client.clone());
            App::new()
                .app_data(shared.clone())
                .app_data(access.clone())
                .app_data(docs.clone())
                .app_data(web::Data::new(client))
                .app_data(host_policy.clone())
                .app_data(keep_alive.clone())
                // The mock's shell: request id, `Host` check, problems, one log line.
                .wrap(from_fn(http::middleware::common))
                .service(web::resource("/v1/tokens").route(web::route().to(forward::forward)))
                .configure(routes::mount)
                .service(swagger_ui(false))
                .default_service(web::to(http::not_found))
        });
        // SIGTERM and SIGINT are the process's (crate::signals), which stops through `stop`.
        let stop = Stop::default();
        let server = settings
            .server
            .run(server, stop.requested(), (listener, also))
            .map_err(bind_error)?;
        Ok(Proxy {
            server,
            address: local,
            state,
            stop,
        })
    }

    /// What stops the proxy gracefully (SIGTERM and SIGINT, through crate::signals).
    pub(crate) fn stop(&self) -> Stop {
        self.stop.clone()
    }

    /// The address the proxy listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The upstream's base URL.
    pub fn upstream(&self) -> &str {
        &self.state.base
    }

    /// Serves until SIGINT or SIGTERM, letting requests in flight finish; returns the
    /// summary table of the violations found.
    pub async fn run_until_stopped(self) -> io::Result<String> {
        self.server.await?;
        Ok(self.state.violations.summary())
    }
}

#[cfg(test)]
mod tests;
