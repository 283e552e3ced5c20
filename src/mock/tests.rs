//! A request of the default session, through the session context and the mock controls,
//! writes no reference count of the session: it is borrowed from the sessions at each step.

use std::sync::Arc;

use actix_web::middleware::from_fn;
use actix_web::test::{call_and_read_body, init_service, TestRequest};
use actix_web::{web, App, HttpRequest, HttpResponse};

use super::*;
use crate::http::access::AdminAccess;
use crate::http::middleware::{common, RequestContext};
use crate::session::{SessionContext, Sessions};
use crate::settings::Settings;
use crate::store::snapshot::Snapshot;
use crate::store::{Index, DEFAULT_SNAPSHOT};

/// Answers the owners of the default session's `Arc` while the request is being answered.
async fn owners(req: HttpRequest) -> HttpResponse {
    let sessions = req
        .app_data::<web::Data<Sessions>>()
        .expect("sessions are mounted");
    HttpResponse::Ok().body(Arc::strong_count(sessions.default_session()).to_string())
}

#[actix_web::test]
async fn the_default_session_is_borrowed_by_the_context_and_the_controls() {
    // Arrange: the session context and the mock controls around a handler.
    let snapshot = Snapshot::parse(DEFAULT_SNAPSHOT).expect("the default snapshot loads");
    let sessions = web::Data::new(Sessions::new(
        Arc::new(Index::new(snapshot)),
        Settings::defaults().session_settings(),
    ));
    let context: Arc<dyn RequestContext> = Arc::new(SessionContext {
        admin_prefix: "/__admin",
        access: AdminAccess::new(true, None),
    });
    let app = init_service(
        App::new()
            .app_data(sessions.clone())
            .app_data(web::Data::new(ForcedResponses::default()))
            .app_data(web::Data::from(context))
            .wrap(from_fn(common))
            .service(
                web::resource("/v1/tokens")
                    .wrap(from_fn(controls))
                    .to(owners),
            ),
    )
    .await;
    let at_rest = Arc::strong_count(sessions.default_session());

    // Act: a plain request and one the controls delay (the session used after the wait).
    let plain = call_and_read_body(&app, TestRequest::get().uri("/v1/tokens").to_request()).await;
    let delayed = TestRequest::get().uri("/v1/tokens?__delay=1").to_request();
    let delayed = call_and_read_body(&app, delayed).await;

    // Assert: while the handler ran, the session had only the owners it has at rest.
    assert_eq!(plain, at_rest.to_string());
    assert_eq!(delayed, at_rest.to_string());
}
