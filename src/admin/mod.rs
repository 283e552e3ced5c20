//! The admin API under `/__admin/`: mock controls for the people developing against the mock,
//! kept apart from the vendor's API and described by a document of its own.
//!
//! On loopback it is open. Beyond loopback it needs `Authorization: Bearer <admin.token>`, and
//! without a token it is not mounted at all (404), so a shared network never gets a way in.

mod clock;
mod controls;
mod data;
pub mod openapi;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, Error, HttpMessage, HttpRequest};
use chrono::{DateTime, Utc};
use subtle::ConstantTimeEq;

use crate::api::error::ApiError;
use crate::api::request_id::RequestId;
use crate::auth::AuthError;
use crate::mock::faults::FaultConfig;
use crate::store::source::Source;

/// Who may use the admin API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// Listening on loopback: anyone on this machine.
    Open,
    /// Listening beyond loopback: only with this bearer token.
    Token(String),
    /// Listening beyond loopback without a token: not mounted.
    Off,
}

/// What the admin API restores on reset, and how it is guarded.
pub struct AdminState {
    pub source: Source,
    pub configured_now: Option<DateTime<Utc>>,
    pub configured_faults: FaultConfig,
    pub access: Access,
    pub max_body_bytes: usize,
    pub journal_capacity: usize,
}

/// Mounts the admin routes (nothing when access is off).
pub fn configure(cfg: &mut web::ServiceConfig, access: &Access) {
    if *access == Access::Off {
        return;
    }
    cfg.route("/__admin/openapi.json", web::get().to(openapi::json))
        .service(
            web::scope("/__admin")
                .wrap(from_fn(guard))
                .route("/reset", web::post().to(data::reset))
                .route("/snapshot", web::get().to(data::export))
                .route("/snapshot", web::put().to(data::replace))
                .route("/clock", web::get().to(clock::read))
                .route("/clock", web::put().to(clock::freeze))
                .route("/clock", web::delete().to(clock::release))
                .route("/clock/advance", web::post().to(clock::advance))
                .route("/requests", web::get().to(controls::requests))
                .route("/requests", web::delete().to(controls::clear_requests))
                .route("/faults", web::get().to(controls::faults))
                .route("/faults", web::put().to(controls::set_faults))
                .route(
                    "/faults/store-failure",
                    web::post().to(controls::fail_store),
                ),
        );
}

/// Lets a request through when the access rule allows it.
async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, Error> {
    let allowed = match req.app_data::<web::Data<AdminState>>().map(|s| &s.access) {
        Some(Access::Open) => Ok(()),
        Some(Access::Token(token)) => check_token(req.request(), token),
        _ => Err(AuthError::Unknown),
    };
    match allowed {
        Ok(()) => Ok(next.call(req).await?.map_into_boxed_body()),
        Err(error) => {
            let id = req
                .extensions()
                .get::<RequestId>()
                .cloned()
                .unwrap_or_else(RequestId::generate);
            let response = ApiError::Auth(error).into_response(&id);
            Ok(req.into_response(response))
        }
    }
}

fn check_token(req: &HttpRequest, token: &str) -> Result<(), AuthError> {
    let presented = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, secret)| secret.trim_start())
        .ok_or(AuthError::Missing)?;
    if bool::from(presented.as_bytes().ct_eq(token.as_bytes())) {
        Ok(())
    } else {
        Err(AuthError::Unknown)
    }
}

/// Turns a JSON body error into a 400 problem that names the body.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().error_handler(|error, req| {
        let id = req
            .extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(RequestId::generate);
        let problem = ApiError::InvalidParameters(vec![crate::domain::ParamError {
            parameter: "body".to_owned(),
            detail: error.to_string(),
        }]);
        actix_web::error::InternalError::from_response(error, problem.into_response(&id)).into()
    })
}
