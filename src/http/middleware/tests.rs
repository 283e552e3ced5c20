//! The common layer borrows the application's shared data: a request writes no reference
//! count of the observer or the context, which every worker shares.

use std::sync::{Arc, Mutex, OnceLock, Weak};

use actix_web::middleware::from_fn;
use actix_web::test::{call_service, init_service, TestRequest};
use actix_web::{web, App, HttpResponse};

use super::*;

/// Notes how many owners it has while it is called.
#[derive(Default)]
struct Counting {
    me: OnceLock<Weak<Counting>>,
    owners: Mutex<Vec<usize>>,
}

impl Counting {
    fn shared() -> Arc<Counting> {
        let counting = Arc::new(Counting::default());
        let _ = counting.me.set(Arc::downgrade(&counting));
        counting
    }

    fn note(&self) {
        let owners = self.me.get().map_or(0, Weak::strong_count);
        self.owners.lock().expect("not poisoned").push(owners);
    }

    fn noted(&self) -> Vec<usize> {
        self.owners.lock().expect("not poisoned").clone()
    }
}

impl RequestObserver for Counting {
    fn observe(&self, _: &ServiceResponse<BoxBody>, _: Duration) {
        self.note();
    }
}

impl RequestContext for Counting {
    fn decide(&self, _: &ServiceRequest) {
        self.note();
    }
}

#[actix_web::test]
async fn the_observer_and_the_context_are_borrowed_not_shared_again() {
    // Arrange: one observer and one context, mounted as the server mounts them.
    let (observer, context) = (Counting::shared(), Counting::shared());
    let observer_data: Arc<dyn RequestObserver> = observer.clone();
    let context_data: Arc<dyn RequestContext> = context.clone();
    let app = init_service(
        App::new()
            .app_data(web::Data::from(observer_data))
            .app_data(web::Data::from(context_data))
            .wrap(from_fn(common))
            .route("/v1/tokens", web::get().to(HttpResponse::Ok)),
    )
    .await;
    let owners = (Arc::strong_count(&observer), Arc::strong_count(&context));

    // Act
    for _ in 0..3 {
        let res = call_service(&app, TestRequest::get().uri("/v1/tokens").to_request()).await;
        assert_eq!(res.status(), 200);
    }

    // Assert: while each was called, it had the owners it has at rest.
    assert_eq!(observer.noted(), vec![owners.0; 3]);
    assert_eq!(context.noted(), vec![owners.1; 3]);
}
