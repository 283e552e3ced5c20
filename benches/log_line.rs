//! What one request's log line costs: the line as `telemetry::line::TextLine` writes it,
//! against tracing-subscriber's own full format writing the same text, both into a writer
//! that keeps nothing (the server hands lines to a buffer; writing them out is not measured).
//!
//! `cargo bench --bench log_line` prints the ratio first, then criterion's figures.

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use tooken_mock::telemetry::line::TextLine;
use tracing::Dispatch;

const LINES: u32 = 200_000;

/// One request line, as `http::middleware::common` writes it.
fn request_line(i: u64) {
    tracing::info!(
        request_id = "req_8wsguvdx7y3qr4mqsurvt4ml",
        method = "GET",
        path = "/v1/tokens",
        status = 200u16,
        duration_us = black_box(i % 97),
        token = "tok_5bz9wyqo2g9kip8i0d09hquq",
        "request"
    );
}

fn dispatch(ours: bool) -> Dispatch {
    let builder = tracing_subscriber::fmt()
        .with_target(false)
        .with_ansi(false)
        .with_writer(std::io::sink);
    if ours {
        Dispatch::new(builder.event_format(TextLine).finish())
    } else {
        Dispatch::new(builder.finish())
    }
}

fn lines(c: &mut Criterion) {
    let (ours, theirs) = (dispatch(true), dispatch(false));
    let timed = |dispatch: &Dispatch| {
        tracing::dispatcher::with_default(dispatch, || {
            let started = Instant::now();
            (0..u64::from(LINES)).for_each(request_line);
            started.elapsed().as_nanos() as f64 / f64::from(LINES)
        })
    };
    let (a, b) = (timed(&ours), timed(&theirs));
    println!(
        "a request's log line: {a:.0} ns written by TextLine, {b:.0} ns by the full format \
         ({:.1}x)",
        b / a.max(f64::MIN_POSITIVE)
    );
    let mut group = c.benchmark_group("log_line");
    for (name, dispatch) in [("text_line", &ours), ("full_format", &theirs)] {
        group.bench_function(name, |bench| {
            tracing::dispatcher::with_default(dispatch, || {
                let mut i = 0;
                bench.iter(|| {
                    i += 1;
                    request_line(i)
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, lines);
criterion_main!(benches);
