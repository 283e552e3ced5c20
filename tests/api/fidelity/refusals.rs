//! What `fidelity` and `proxy --har` refuse: a HAR that cannot be used, a bad `--mock` or
//! `--min`, a HAR file that cannot be created; each stops with exit 2, naming why.

use crate::helpers::run_binary;

#[actix_web::test]
async fn a_har_that_cannot_be_used_stops_fidelity_with_exit_2_naming_why() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let bad = dir.path().join("bad.har");
    std::fs::write(
        &bad,
        r#"{"log": {"version": "1.2", "creator": {"name": "x", "version": "1"}, "entries": [
            {"startedDateTime": "2026-05-01T00:00:00Z", "request": {"method": "GET", "url": "http://x/v1/tokens"},
             "response": {"status": "ok"}}]}}"#,
    )
    .expect("written");
    let bad_arg = bad.to_string_lossy().into_owned();
    let empty = dir.path().join("empty.har");
    std::fs::write(
        &empty,
        r#"{"log": {"version": "1.2", "creator": {"name": "x", "version": "1"}, "entries": []}}"#,
    )
    .expect("written");
    let empty_arg = empty.to_string_lossy().into_owned();
    let mock = "http://127.0.0.1:9";
    let cases: [(&[&str], &str); 5] = [
        (
            &["--har", &bad_arg, "--mock", mock],
            "log.entries[0].response.status",
        ),
        (
            &["--har", &bad_arg, "--mock", mock, "--max-har-bytes", "10"],
            "--max-har-bytes (10)",
        ),
        (
            &["--har", &empty_arg, "--mock", mock],
            "no GET /v1/tokens exchange",
        ),
        (
            &["--har", &empty_arg, "--mock", "127.0.0.1:9"],
            "--mock 127.0.0.1:9",
        ),
        (
            &["--har", &empty_arg, "--mock", mock, "--min", "101"],
            "--min",
        ),
    ];

    for (args, named) in cases {
        // Act
        let mut all = vec!["fidelity"];
        all.extend_from_slice(args);
        let (status, _, stderr) = run_binary(&all, &[]).await;

        // Assert
        assert_eq!(status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
}

#[actix_web::test]
async fn a_har_file_that_cannot_be_created_stops_the_proxy_naming_it() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temporary directory");
    let har = dir.path().join("no-such-dir").join("out.har");
    let har_arg = har.to_string_lossy().into_owned();

    // Act
    let (status, _, stderr) = run_binary(
        &[
            "proxy",
            "--upstream",
            "http://127.0.0.1:9/v1",
            "--port",
            "0",
            "--har",
            &har_arg,
        ],
        &[],
    )
    .await;

    // Assert
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--har") && stderr.contains("out.har"),
        "{stderr}"
    );
}
