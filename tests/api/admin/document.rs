//! The admin API's own OpenAPI document, kept apart from the API's, and its place in Swagger UI.

use reqwest::StatusCode;

use super::ADMIN_ROUTES;
use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_admin_api_is_described_by_its_own_document_apart_from_the_apis() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    // Act
    let admin = app.get_json("/__admin/openapi.json").await;
    let api = app.get_json("/openapi.json").await;

    // Assert
    assert!(admin["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.")));
    for (method, path) in ADMIN_ROUTES {
        let operation = &admin["paths"][path][method.as_str().to_ascii_lowercase()];
        assert!(operation.is_object(), "{method} {path} is documented");
    }
    let api_paths: Vec<&String> = api["paths"].as_object().expect("paths").keys().collect();
    assert!(
        api_paths.iter().all(|p| !p.contains("__admin")),
        "{api_paths:?}"
    );
}

#[actix_web::test]
async fn swagger_ui_offers_the_admin_document_as_a_second_definition() {
    // Arrange
    let app = spawn_app("workspaces.json").await;

    // Act
    let response = app.get("/docs/swagger-initializer.js", None).await;

    // Assert
    assert_eq!(response.status(), StatusCode::OK);
    let script = response.text().await.expect("a script");
    let api = script
        .find("\"/openapi.json\"")
        .expect("the API's document");
    let admin = script
        .find("\"/__admin/openapi.json\"")
        .expect("the admin document");
    assert!(api < admin, "the API's document comes first:\n{script}");
}
