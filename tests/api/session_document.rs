//! Rules 36-39 in the admin document: every session-aware operation documents the selector
//! and its 400; the token bodies document exactly the fields the server takes; the coverage
//! states are the ones the server reports.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app};
use crate::sessions::SESSION_AWARE_ROUTES;

/// The documented path of a route (`/__admin/tokens/tok_...` is `/__admin/tokens/{id}`).
fn documented_path(path: &str) -> String {
    match path.strip_prefix("/__admin/tokens/") {
        Some(_) => "/__admin/tokens/{id}".to_owned(),
        None => path.to_owned(),
    }
}

#[actix_web::test]
async fn every_session_aware_operation_documents_the_selector_and_its_400() {
    // Arrange
    let app = spawn_app("auth.json").await;

    // Act
    let document = app.get_json("/__admin/openapi.json").await;

    // Assert
    let admin_routes = SESSION_AWARE_ROUTES
        .iter()
        .filter(|(_, path)| path.starts_with("/__admin/"));
    for (method, path) in admin_routes {
        let path = documented_path(path);
        let operation = &document["paths"][&path][method.as_str().to_ascii_lowercase()];
        let parameters = operation["parameters"].as_array().expect("parameters");
        for (name, place) in [("X-Mock-Session", "header"), ("__session", "query")] {
            let parameter = parameters
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("{method} {path} documents {name}"));
            assert_eq!(parameter["in"], place, "{method} {path}");
            let schema = &parameter["schema"];
            assert_eq!(
                schema["pattern"], "^[A-Za-z0-9._-]{1,64}$",
                "{method} {path}"
            );
            assert_eq!(schema["maxLength"], 64, "{method} {path}");
        }
        let bad = operation["responses"]["400"]["description"].as_str();
        assert!(
            bad.is_some_and(|d| d.contains("X-Mock-Session")),
            "{method} {path}"
        );
    }
    for (path, method) in [
        ("/__admin/sessions", "get"),
        ("/__admin/sessions/{name}", "delete"),
    ] {
        assert!(
            document["paths"][path][method].is_object(),
            "{method} {path}"
        );
    }
}

#[actix_web::test]
async fn the_coverage_states_documented_are_those_the_server_reports() {
    // Arrange
    let app = spawn_app("auth.json").await;

    // Act
    let document = app.get_json("/__admin/openapi.json").await;
    let report = app.get_json("/__admin/coverage").await;

    // Assert
    let documented =
        &document["components"]["schemas"]["StateReport"]["properties"]["state"]["enum"];
    let reported: Vec<&Value> = report["states"]
        .as_array()
        .expect("states")
        .iter()
        .map(|s| &s["state"])
        .collect();
    assert_eq!(
        documented
            .as_array()
            .expect("an enum")
            .iter()
            .collect::<Vec<_>>(),
        reported
    );
}

/// The properties a body schema documents.
fn properties(document: &Value, schema: &str) -> Vec<String> {
    document["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{schema} has properties"))
        .keys()
        .cloned()
        .collect()
}

#[actix_web::test]
async fn the_token_bodies_document_exactly_the_fields_the_server_takes() {
    // Arrange
    let app = spawn_app("auth.json").await;
    let document = app.get_json("/__admin/openapi.json").await;
    let cases = [
        (Method::POST, "/__admin/tokens", "NewTokenBody"),
        (
            Method::PATCH,
            "/__admin/tokens/tok_authreader00000000000000",
            "TokenPatch",
        ),
    ];

    for (method, path, schema) in cases {
        let mut fields = properties(&document, schema);
        fields.push("undocumented".to_owned());
        for field in fields {
            // Act: a value no field accepts, so that the answer is a 422 either way.
            let body = json!({ &field: {"not": "a value"} });
            let response = app.send_json(method.clone(), path, &body).await;

            // Assert: each documented field is known, the undocumented one is not.
            let problem = assert_problem(
                response,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_token_change",
            )
            .await;
            let unknown = problem["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .any(|e| e["parameter"] == field.as_str() && e["detail"] == "unknown field");
            assert_eq!(
                unknown,
                field == "undocumented",
                "{method} {path} {field}: {problem}"
            );
        }
    }
}
