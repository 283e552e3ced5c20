//! The bookkeeping of one cached listing of the default session, on 1, 2 and 8 threads at
//! once: the session's selection, the journal entry, the log line, the coverage count, the
//! request metrics and the store-failure check, as the session context, the middleware and
//! the handler do them around a page found in the cache. Prints the listings per second of each thread: memory that every thread writes
//! shows as a figure per thread that falls as threads are added.
//!
//! Run: `cargo bench --bench bookkeeping 2>/dev/null` (the log lines go to standard error).
//! Each run is bounded: `ROUNDS` listings per thread.

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes};
use actix_web::{HttpMessage, HttpResponse};

use tooken_mock::domain::{Status, TokenId};
use tooken_mock::http::middleware::{RequestObserver, SentBody};
use tooken_mock::http::RequestId;
use tooken_mock::metrics::Metrics;
use tooken_mock::session::JournalRequests;
use tooken_mock::session::PageShape;
use tooken_mock::session::{with_selected, Selected, Sessions};
use tooken_mock::settings::{LogFormat, LogLevel, Settings};
use tooken_mock::store::snapshot::Snapshot;
use tooken_mock::store::{Index, DEFAULT_SNAPSHOT};
use tooken_mock::telemetry;

/// Listings per thread in each run.
const ROUNDS: u32 = 200_000;
/// The thread counts measured.
const THREADS: [usize; 3] = [1, 2, 8];

/// What every thread shares, as a server's workers do.
struct Shared {
    sessions: web::Data<Sessions>,
    metrics: Arc<Metrics>,
    observer: Arc<JournalRequests>,
}

fn main() {
    let _log = telemetry::init(LogLevel::Info, LogFormat::Text);
    let snapshot = Snapshot::parse(DEFAULT_SNAPSHOT).expect("the default snapshot loads");
    let index = Arc::new(Index::new(snapshot));
    let mut settings = Settings::defaults().session_settings();
    settings.idle_ttl_secs = 3600;
    let shared = Arc::new(Shared {
        sessions: web::Data::new(Sessions::new(index, settings)),
        metrics: Arc::new(Metrics::default()),
        observer: Arc::new(JournalRequests {
            unjournaled: vec!["/__admin"],
        }),
    });
    println!("bookkeeping of a cached listing, {ROUNDS} listings per thread");
    println!(
        "{:>8} {:>16} {:>16}",
        "threads", "per thread /s", "in all /s"
    );
    for threads in THREADS {
        let per_thread = run(&shared, threads);
        let mean = per_thread.iter().sum::<f64>() / per_thread.len() as f64;
        println!(
            "{threads:>8} {mean:>16.0} {:>16.0}",
            per_thread.iter().sum::<f64>()
        );
    }
}

/// Runs `threads` threads of [`ROUNDS`] listings each, started together; the listings per
/// second of each.
fn run(shared: &Arc<Shared>, threads: usize) -> Vec<f64> {
    let start = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|n| {
            let (shared, start) = (shared.clone(), start.clone());
            std::thread::spawn(move || {
                let res = cached_page_response(&shared, n);
                start.wait();
                let began = Instant::now();
                for _ in 0..ROUNDS {
                    bookkeeping(&shared, &res, Duration::from_micros(40));
                }
                f64::from(ROUNDS) / began.elapsed().as_secs_f64()
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("a bench thread finishes"))
        .collect()
}

/// A 200 answer to `GET /v1/tokens` of the default session, as the middleware sees it.
fn cached_page_response(shared: &Shared, n: usize) -> ServiceResponse {
    let request = actix_web::test::TestRequest::get()
        .uri("/v1/tokens?status=active&per_page=25")
        .insert_header(("authorization", "Bearer [redacted]"))
        .insert_header(("user-agent", "bench"))
        .app_data(shared.sessions.clone())
        .to_http_request();
    request
        .extensions_mut()
        .insert(RequestId::from_header(Some(format!("req_{n}").as_bytes())));
    request
        .extensions_mut()
        .insert(TokenId::parse("tok_b2c3d4e5f6g7h8i9j0k1l2m3").expect("a token id"));
    // As the session context does at the start of every request.
    tooken_mock::session::decide(&request, false);
    Selected::resolve(&request).expect("the default session");
    let body = Bytes::from(vec![b'x'; 1200]);
    let mut response = HttpResponse::build(StatusCode::OK)
        .content_type("application/json")
        .body(body.clone());
    response.extensions_mut().insert(SentBody(body));
    ServiceResponse::new(request, response)
}

/// What a cached listing records besides its answer.
fn bookkeeping(shared: &Shared, res: &ServiceResponse, elapsed: Duration) {
    let request = res.request();
    // The session context, as every request starts: the session selected (the default one
    // named, not shared again).
    tooken_mock::session::decide(request, false);
    // The handler: the failure check and the coverage of the page, on the session borrowed
    // from the request.
    with_selected(request, |selected| {
        let session = &selected.session;
        black_box(session.store.take_failure());
        session.coverage.record_page(PageShape {
            page: 1,
            per_page: 25,
            total: 2,
            shown: 2,
            status: Some(Status::Active),
            named: false,
        });
    })
    .expect("resolved before");
    // The common middleware: the log line and the metrics, then the journal.
    tracing::info!(
        request_id = "req_0",
        method = "GET",
        path = request.path(),
        status = 200u16,
        duration_us = elapsed.as_micros() as u64,
        token = "tok_b2c3d4e5f6g7h8i9j0k1l2m3",
        "request"
    );
    shared
        .metrics
        .observe_request("/v1/tokens", "200", elapsed.as_secs_f64());
    shared.observer.observe(res, elapsed);
}
