//! How `server.*` shapes an actix-web server, and binds its listeners: the same for the mock and
//! the proxy.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, TcpListener};
use std::time::Duration;

use actix_http::{Request, Response};
use actix_service::IntoServiceFactory;
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, Server, Service, ServiceFactory};
use actix_web::http::KeepAlive;
use actix_web::{Error, HttpServer};

use super::ServerSettings;

impl ServerSettings {
    /// `server` with the shutdown timeout, the client request timeout, keep-alive, the
    /// connection limit and the worker count (0: one per core, actix-web's default).
    pub fn apply<F, I, S, B>(&self, server: HttpServer<F, I, S, B>) -> HttpServer<F, I, S, B>
    where
        F: Fn() -> I + Send + Clone + 'static,
        I: IntoServiceFactory<S, Request>,
        S: ServiceFactory<Request, Config = AppConfig> + 'static,
        S::Error: Into<Error> + 'static,
        S::InitError: fmt::Debug,
        S::Response: Into<Response<B>> + 'static,
        <S::Service as Service<Request>>::Future: 'static,
        S::Service: 'static,
        B: MessageBody + 'static,
    {
        let server = server
            .shutdown_timeout(self.shutdown_timeout_secs)
            .client_request_timeout(Duration::from_millis(self.client_request_timeout_ms))
            .keep_alive(match self.keep_alive_secs {
                0 => KeepAlive::Disabled,
                secs => KeepAlive::Timeout(Duration::from_secs(secs)),
            })
            .max_connections(self.max_connections)
            // A client that closes its side of the connection has left: the work on its
            // request (a name filter waiting for a scan thread) is dropped, not done for nobody.
            .h1_allow_half_closed(false);
        match self.workers {
            0 => server,
            workers => server.workers(workers),
        }
    }

    /// `server` shaped by [`ServerSettings::apply`], stopping gracefully when `shutdown`
    /// resolves (the process's signals, not actix-web's own: SIGINT then lets requests in
    /// flight finish as SIGTERM does, and servers in one process never stop each other),
    /// listening on `listeners` (from `bind_listeners`), and running.
    ///
    /// # Errors
    /// A listener actix-web cannot take.
    pub fn run<F, I, S, B>(
        &self,
        server: HttpServer<F, I, S, B>,
        shutdown: impl Future<Output = ()> + Send + 'static,
        listeners: (TcpListener, Option<TcpListener>),
    ) -> io::Result<Server>
    where
        F: Fn() -> I + Send + Clone + 'static,
        I: IntoServiceFactory<S, Request>,
        S: ServiceFactory<Request, Config = AppConfig> + 'static,
        S::Error: Into<Error> + 'static,
        S::InitError: fmt::Debug,
        S::Response: Into<Response<B>> + 'static,
        <S::Service as Service<Request>>::Future: 'static,
        S::Service: 'static,
        B: MessageBody + 'static,
    {
        let (first, also) = listeners;
        let mut server = self.apply(server).shutdown_signal(shutdown).listen(first)?;
        if let Some(second) = also {
            server = server.listen(second)?;
        }
        Ok(server.run())
    }
}

/// Binds `host:port`. On the loopback default (`127.0.0.1`, or `localhost`), `[::1]` is bound
/// too, on the same port, so a client that resolves `localhost` to `::1` is served; when the
/// machine has no `::1` (IPv6 off), that is logged and `127.0.0.1` serves alone. The mock and
/// the proxy bind alike. Returns the first listener and the `[::1]` one, if any.
pub(crate) fn bind_listeners(
    host: &str,
    port: u16,
) -> io::Result<(TcpListener, Option<TcpListener>)> {
    if host != "127.0.0.1" && host != "localhost" {
        return Ok((TcpListener::bind(format!("{host}:{port}"))?, None));
    }
    let ipv4 = TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
    let port = ipv4.local_addr()?.port();
    match TcpListener::bind((Ipv6Addr::LOCALHOST, port)) {
        Ok(ipv6) => Ok((ipv4, Some(ipv6))),
        Err(error) => {
            tracing::warn!(
                port,
                error = %error,
                "cannot listen on [::1]; serving on 127.0.0.1 only"
            );
            Ok((ipv4, None))
        }
    }
}
