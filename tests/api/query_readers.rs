//! The three readers of a listing's query (the session selector, the mock controls and the
//! filters) read every spelling alike: one table of spellings, each sent to every reader,
//! and what each reader saw compared with what the spelling decodes to. A reader that decoded
//! on its own (`+` kept, `%37` not decoded, a repeated key counted once) disagrees here.

use reqwest::{header::HeaderMap, StatusCode};
use serde_json::Value;

use crate::helpers::{auth, header, spawn_app, TestApp};

/// What one spelling of a parameter's value must come to, for every reader.
#[derive(Clone, Copy, Debug)]
enum Meant {
    /// It decodes to this text, which each reader then takes or refuses by its own rule.
    Text(&'static str),
    /// It is refused, naming the parameter, with this detail, by every reader.
    Refused(&'static str),
}

const UNDECODABLE: &str = "must be valid percent-encoded UTF-8";
const REPEATED: &str = "must be given at most once";

/// `{k}` is the parameter's name, `{K}` its name with the first character percent-encoded.
const SPELLINGS: [(&str, Meant); 14] = [
    ("{k}=7", Meant::Text("7")),
    ("{k}=%37", Meant::Text("7")),
    ("{K}=7", Meant::Text("7")),
    ("{K}=%34%32", Meant::Text("42")),
    ("{k}=4%32", Meant::Text("42")),
    ("{k}=4+2", Meant::Text("4 2")),
    ("{k}=4%2B2", Meant::Text("4+2")),
    ("{k}=%ff", Meant::Refused(UNDECODABLE)),
    ("{k}=%C3%28", Meant::Refused(UNDECODABLE)),
    ("{k}=%zz", Meant::Refused(UNDECODABLE)),
    ("{k}=%4", Meant::Refused(UNDECODABLE)),
    ("{k}=7&{k}=7", Meant::Refused(REPEATED)),
    ("{k}=7&{K}=8", Meant::Refused(REPEATED)),
    ("{K}=%ff&{k}=7", Meant::Refused(REPEATED)),
];

/// One reader of the query: the parameter it reads, what its own rule makes of a decoded
/// text, and where its reading shows in a response.
struct Reader {
    parameter: &'static str,
    /// Whether its rule takes this decoded text.
    takes: fn(&str) -> bool,
    /// The text it read, from a 200's headers.
    seen: fn(&HeaderMap) -> Option<String>,
}

const READERS: [Reader; 3] = [
    // The session selector: the name it selected comes back in `X-Mock-Session`.
    Reader {
        parameter: "__session",
        takes: |text| {
            !text.is_empty()
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b))
        },
        seen: |headers| headers.get("x-mock-session").map(text_of),
    },
    // The mock controls: the delay they applied comes back in `Preference-Applied`.
    Reader {
        parameter: "__delay",
        takes: |text| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()),
        seen: |headers| {
            let applied = headers.get("preference-applied").map(text_of)?;
            applied
                .split(", ")
                .find_map(|p| p.strip_prefix("delay="))
                .map(str::to_owned)
        },
    },
    // The filters: the name filter comes back, encoded again, in the `Link` header.
    Reader {
        parameter: "name",
        takes: |_| true,
        seen: |headers| {
            let link = header(headers, "link");
            let target = link.split('>').next()?;
            let value = target.split('&').find_map(|p| p.strip_prefix("name="))?;
            percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .ok()
                .map(|text| text.into_owned())
        },
    },
];

fn text_of(value: &reqwest::header::HeaderValue) -> String {
    value.to_str().expect("an ASCII header").to_owned()
}

/// `spelling` with `{k}` and `{K}` replaced for `parameter`.
fn spelled(spelling: &str, parameter: &str) -> String {
    let first = parameter.as_bytes()[0];
    let encoded = format!("%{first:02X}{}", &parameter[1..]);
    spelling.replace("{k}", parameter).replace("{K}", &encoded)
}

/// What the reader made of the query: `Ok(text)` it read, or `Err((parameter, detail))` of
/// the one refusal.
async fn reading(app: &TestApp, reader: &Reader, query: &str) -> Result<String, (String, String)> {
    let response = app
        .get(&format!("/v1/tokens?{query}"), Some(auth::READER))
        .await;
    let status = response.status();
    let headers = response.headers().clone();
    if status == StatusCode::OK {
        return Ok((reader.seen)(&headers).unwrap_or_else(|| panic!("{query}: {headers:?}")));
    }
    assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
    let body: Value = response.json().await.expect("a problem");
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{query}: {body}");
    let text = |key: &str| errors[0][key].as_str().expect("a string").to_owned();
    Err((text("parameter"), text("detail")))
}

#[actix_web::test]
async fn the_session_selector_the_controls_and_the_filters_read_every_spelling_alike() {
    // Arrange
    let app = spawn_app("auth.json").await;

    for (spelling, meant) in SPELLINGS {
        for reader in &READERS {
            let query = spelled(spelling, reader.parameter);

            // Act
            let read = reading(&app, reader, &query).await;

            // Assert
            match meant {
                Meant::Text(text) if (reader.takes)(text) => {
                    assert_eq!(read, Ok(text.to_owned()), "{query}");
                }
                Meant::Text(text) => {
                    // Refused by the reader's own rule, never as a spelling.
                    let (parameter, detail) = read.expect_err(&query);
                    assert_eq!(parameter, reader.parameter, "{query}");
                    assert!(
                        ![UNDECODABLE, REPEATED].contains(&detail.as_str()),
                        "{query}: {text}"
                    );
                }
                Meant::Refused(detail) => {
                    let expected = (reader.parameter.to_owned(), detail.to_owned());
                    assert_eq!(read, Err(expected), "{query}");
                }
            }
        }
    }
}

#[actix_web::test]
async fn one_request_spelling_all_three_the_same_way_is_read_the_same_by_each() {
    // Arrange
    let app = spawn_app("auth.json").await;

    for (spelling, meant) in SPELLINGS {
        let Meant::Text(text) = meant else { continue };
        if !READERS.iter().all(|reader| (reader.takes)(text)) {
            continue;
        }
        let query: Vec<String> = READERS
            .iter()
            .map(|reader| spelled(spelling, reader.parameter))
            .collect();
        let query = query.join("&");

        // Act
        let response = app
            .get(&format!("/v1/tokens?{query}"), Some(auth::READER))
            .await;

        // Assert
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        for reader in &READERS {
            let seen = (reader.seen)(response.headers());
            assert_eq!(seen.as_deref(), Some(text), "{query}: {}", reader.parameter);
        }
    }
}
