//! Rule 11: `name` matches by substring after NFC and Unicode default full case folding,
//! with `%`, `_`, `*` literal, `+` a space, no trimming and no locale rules.

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use crate::helpers::{names, spawn_app, TestApp, NAMES_OBSERVER};

const FIXTURE: &str = "names.json";

/// The names that `name=<filter>` returns, in listing order.
async fn matching(app: &TestApp, filter_query: &str) -> Vec<String> {
    let body = app
        .list(
            &format!("/v1/tokens?per_page=100&name={filter_query}"),
            NAMES_OBSERVER,
        )
        .await;
    assert_eq!(body["meta"]["total"], names(&body).len(), "{body}");
    names(&body)
}

#[actix_web::test]
async fn the_vendor_example_ci_matches_ci_deploy_and_ci_pipeline_token() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let found = matching(&app, "ci").await;

    // Assert
    assert_eq!(
        found,
        ["ci-deploy", "CI Pipeline Token", "CI Bot", "ci+bot"]
    );
}

#[actix_web::test]
async fn the_unicode_table_of_the_contract_holds_over_http() {
    // Arrange: filter as typed -> names it must return. Values are sent URL-encoded.
    let app = spawn_app(FIXTURE).await;
    let table: [(&str, &[&str]); 8] = [
        ("STRASSE", &["Straße Sync"]),
        ("straße", &["Straße Sync"]),
        ("οδοσ", &["ΟΔΟΣ Mapper"]),
        ("οδος", &["ΟΔΟΣ Mapper"]),
        ("ΟΔΟΣ", &["ΟΔΟΣ Mapper"]),
        ("FI", &["\u{fb01}le uploader"]),
        ("\u{fb01}le", &["\u{fb01}le uploader"]),
        // Composed é matches the decomposed e + U+0301 of the snapshot (NFC first).
        ("café", &["Cafe\u{301} key"]),
    ];

    for (filter, expected) in table {
        // Act
        let found = matching(
            &app,
            &utf8_percent_encode(filter, NON_ALPHANUMERIC).to_string(),
        )
        .await;

        // Assert
        assert_eq!(found, expected, "filter {filter:?}");
    }
}

#[actix_web::test]
async fn percent_underscore_and_star_are_literal_characters() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let percent = matching(&app, "%25").await;
    let underscore = matching(&app, "_").await;
    let star = matching(&app, "%2A").await;

    // Assert
    assert_eq!(percent, ["100% uptime"]);
    assert_eq!(underscore, ["snake_case exporter"]);
    assert_eq!(star, ["wildcard * reader"]);
}

#[actix_web::test]
async fn a_plus_in_the_query_is_a_space_and_an_encoded_plus_is_a_plus() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let spaced = matching(&app, "ci+bot").await;
    let plus = matching(&app, "ci%2Bbot").await;

    // Assert
    assert_eq!(spaced, ["CI Bot"]);
    assert_eq!(plus, ["ci+bot"]);
}

#[actix_web::test]
async fn the_filter_is_not_trimmed() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let bare = matching(&app, "bot").await;
    let leading_space = matching(&app, "+bot").await;
    let trailing_space = matching(&app, "bot+").await;

    // Assert
    assert_eq!(bare, ["Deploy bot", "CI Bot", "ci+bot"]);
    assert_eq!(leading_space, ["Deploy bot", "CI Bot"]);
    assert!(trailing_space.is_empty(), "{trailing_space:?}");
}

/// Turkish casing is not applied: `İ` (U+0130) folds to `i` + U+0307 and `ı` (U+0131)
/// folds to itself, so `izmir` does not find "İzmir branch" and `KIRMIZI` does not find
/// "Kırmızı alarm", as they would under Turkish rules; each is found by its own letters.
#[actix_web::test]
async fn turkish_dotted_and_dotless_i_get_no_locale_specific_folding() {
    // Arrange
    let app = spawn_app(FIXTURE).await;

    // Act
    let izmir = matching(&app, "izmir").await;
    let dotted_izmir = matching(
        &app,
        &utf8_percent_encode("İzmir", NON_ALPHANUMERIC).to_string(),
    )
    .await;
    let upper_kirmizi = matching(&app, "KIRMIZI").await;
    let dotless_kirmizi = matching(
        &app,
        &utf8_percent_encode("kırmızı", NON_ALPHANUMERIC).to_string(),
    )
    .await;

    // Assert
    assert_eq!(izmir, ["Izmir backup"]);
    assert_eq!(dotted_izmir, ["İzmir branch"]);
    assert!(upper_kirmizi.is_empty(), "{upper_kirmizi:?}");
    assert_eq!(dotless_kirmizi, ["Kırmızı alarm"]);
}
