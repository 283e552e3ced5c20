//! The admin API is not a cross-site target: it holds the whole state (token metadata, secret
//! digests, the journal) and can replace it, so a page the developer happens to visit must not
//! reach it. A request from a browser page carries `Origin`; unless that is the server's own
//! origin (Swagger UI at `/docs/`) or one of `admin.cors_origins`, it is refused with 403
//! `cors_refused` before anything is read or changed, preflight or not (a form or a `fetch`
//! without preflight would otherwise still change the state). Requests without `Origin`
//! (curl, test runners, a same-origin `GET`) are not from another page and pass.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::ORIGIN;
use actix_web::middleware::Next;
use actix_web::{web, Error};

use super::AdminState;
use crate::http::cors::is_same_origin;
use crate::http::ApiError;

/// Lets through requests without `Origin`, from the server's own origin, or from a listed one.
pub(crate) async fn same_origin_or_listed(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let cross_site = match req.headers().get(ORIGIN) {
        None => false,
        Some(origin) => {
            let listed = req.app_data::<web::Data<AdminState>>().is_some_and(|s| {
                s.cors_origins
                    .iter()
                    .any(|o| o.as_bytes() == origin.as_bytes())
            });
            !listed && !is_same_origin(origin.as_bytes(), &req)
        }
    };
    if cross_site {
        return Ok(req.error_response(ApiError::AdminOriginRefused));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
