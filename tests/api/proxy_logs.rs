//! The proxy's log: one line per proxied request, in both `--log-format`s, carrying what the
//! shell's request line carries (method, path, status, duration, the client's request id)
//! and what the proxy learnt of the upstream's answer (its status, duration and request id,
//! and the count of contract violations). A violation adds its own warning line.

use serde_json::Value;

use crate::helpers::Binary;
use crate::proxy::CONTRACT_READER;
use crate::proxy_drift::spawn_drifting_upstream;

/// The fields of one text line: its level, its message (the words before the first
/// `name=value`) and each plain `name=value` (a quoted value unquoted, a number as one).
fn text_fields(line: &str) -> Value {
    let mut fields = serde_json::Map::new();
    let mut words = line.split_whitespace().skip(1);
    fields.insert("level".into(), words.next().unwrap_or_default().into());
    let mut message = Vec::new();
    for word in words {
        match word.split_once('=') {
            Some((name, value)) => {
                let value = value.trim_matches('"');
                let value = value
                    .parse::<u64>()
                    .map_or_else(|_| Value::from(value), Value::from);
                fields.insert(name.to_owned(), value);
            }
            // Words of a quoted value with spaces come after the first field.
            None if fields.len() == 1 => message.push(word),
            None => {}
        }
    }
    fields.insert("message".into(), message.join(" ").into());
    Value::Object(fields)
}

/// Every line of standard error, as JSON objects whatever the format.
fn lines(format: &str, stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| match format {
            "json" => {
                let mut object: Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}"));
                // The JSON format nests the event's fields.
                if let Some(fields) = object.get("fields").cloned() {
                    object = fields;
                }
                object
            }
            _ => text_fields(line),
        })
        .collect()
}

#[actix_web::test]
async fn a_proxied_request_is_one_log_line_with_the_upstreams_facts_in_both_formats() {
    // Arrange: an upstream that answers with its own request id, drifting when asked.
    let upstream = spawn_drifting_upstream().await;
    for format in ["text", "json"] {
        let mut binary = Binary::start(
            &[
                "proxy",
                "--upstream",
                &upstream,
                "--port",
                "0",
                "--log-format",
                format,
            ],
            &[],
        );
        let base = binary.wait_for_banner().await;
        let client = reqwest::Client::new();

        // Act: one conforming answer, then one that breaks a rule.
        for (id, drift) in [("clean-1", "none"), ("drifted-1", "total_pages")] {
            let response = client
                .get(format!("{base}/v1/tokens?drift={drift}"))
                .bearer_auth(CONTRACT_READER)
                .header("X-Request-Id", format!("{format}-{id}"))
                .send()
                .await
                .expect("answered");
            assert_eq!(response.status(), 200, "{format} {drift}");
        }
        // The request's line is its last.
        let stderr = binary.wait_for_stderr(&format!("{format}-drifted-1")).await;

        // Assert
        let all = lines(format, &stderr);
        let requests: Vec<&Value> = all
            .iter()
            .filter(|l| l["message"] != "contract violation")
            .filter(|l| l.get("request_id").is_some())
            .collect();
        assert_eq!(
            requests.len(),
            2,
            "one line a request ({format}):\n{stderr}"
        );
        for (line, (id, violations)) in requests.iter().zip([("clean-1", 0), ("drifted-1", 1)]) {
            let what = format!("{format} {id}: {line}");
            assert_eq!(line["message"], "request", "{what}");
            assert_eq!(line["request_id"], format!("{format}-{id}"), "{what}");
            assert_eq!(line["method"], "GET", "{what}");
            assert_eq!(line["path"], "/v1/tokens", "{what}");
            assert_eq!(line["status"], 200, "{what}");
            assert!(line["duration_us"].as_u64().is_some(), "{what}");
            assert_eq!(line["upstream_status"], 200, "{what}");
            assert!(line["upstream_duration_us"].as_u64().is_some(), "{what}");
            assert!(
                line["upstream_duration_us"].as_u64() <= line["duration_us"].as_u64(),
                "{what}"
            );
            assert_eq!(line["upstream_request_id"], "drift-id", "{what}");
            assert_eq!(line["violations"], violations, "{what}");
        }
        let warnings: Vec<&Value> = all
            .iter()
            .filter(|l| l["message"] == "contract violation")
            .collect();
        assert_eq!(warnings.len(), 1, "{format}:\n{stderr}");
        assert_eq!(warnings[0]["rule"], "meta.total_pages", "{format}");
        assert!(
            !stderr.contains("forwarded") && !stderr.contains(CONTRACT_READER),
            "{format}:\n{stderr}"
        );
    }
}
