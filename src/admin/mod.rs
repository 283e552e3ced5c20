//! The admin API under `/__admin/`: mock controls for the people developing against the mock,
//! kept apart from the vendor's API and described by a document of its own. Every call acts
//! on the session the request names (`X-Mock-Session` or `__session`), the default one
//! otherwise.
//!
//! On loopback it is open. Beyond loopback it needs `Authorization: Bearer <admin.token>`, and
//! without a token it is off: every path under `/__admin` answers a 403 `admin_off` problem
//! naming `admin.token`, so a shared network never gets a way in and a newcomer learns why.
//! `GET /__admin/` lists the routes of its document.
//! Pages on other origins never reach it unless `admin.cors_origins` lists them ([`origin`]).

mod body;
mod clock;
mod controls;
mod data;
pub(crate) mod openapi;
pub(crate) mod origin;
pub(crate) mod routes;
mod sessions;
pub(crate) mod snapshot_schema;
mod tokens;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Condition, Next};
use actix_web::{web, Error, HttpResponse};

use crate::http::{cors, middleware, ApiError};
use crate::store::source::Source;

pub(crate) use body::json_config;

/// Where the admin API lives.
pub(crate) const PREFIX: &str = "/__admin";

/// Who may use the admin API: the rule the proxy's admin view follows too.
pub(crate) use crate::http::access::AdminAccess as Access;

/// What the admin API reloads on reset, and how it is guarded.
pub(crate) struct AdminState {
    pub source: Source,
    pub access: Access,
    /// The largest body accepted (`PUT /__admin/snapshot`), in bytes.
    pub max_body_bytes: usize,
    /// The largest body of every other admin call, in bytes.
    pub max_control_body_bytes: usize,
    /// Problems listed when a snapshot is refused; the rest are counted.
    pub max_problems: usize,
    /// The origins besides its own whose pages may call it (`admin.cors_origins`).
    pub cors_origins: Vec<String>,
}

/// Mounts the admin routes; pages on `cors_origins` may call them. When access is off, every
/// path under the prefix answers a 403 `admin_off` problem naming the setting that turns it on.
pub(crate) fn configure(cfg: &mut web::ServiceConfig, access: &Access, cors_origins: &[String]) {
    if *access == Access::Off {
        cfg.service(web::scope(PREFIX).default_service(web::to(|| async {
            Err::<HttpResponse, _>(ApiError::AdminOff)
        })));
        return;
    }
    cfg.service(
        web::scope(PREFIX)
            .wrap(from_fn(middleware::limits))
            .wrap(Condition::new(
                !cors_origins.is_empty(),
                cors::listed(cors_origins),
            ))
            .wrap(from_fn(origin::same_origin_or_listed))
            .configure(routes::mount_open)
            .service(
                web::scope("")
                    .wrap(from_fn(guard))
                    .configure(routes::mount)
                    .default_service(web::to(crate::http::not_found)),
            ),
    );
}

/// Lets a request through when the access rule allows it.
async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let allowed = match req.app_data::<web::Data<AdminState>>() {
        Some(state) => state.access.check(req.headers()),
        None => Err(ApiError::Internal("no admin state".to_owned())),
    };
    match allowed {
        Ok(()) => Ok(next.call(req).await?.map_into_boxed_body()),
        Err(error) => Ok(req.error_response(error)),
    }
}
