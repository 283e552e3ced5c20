//! The RFC 8288 `Link` header of a listing: relative references, so they keep working behind
//! a frontend dev server's proxy.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::domain::ListQuery;

/// Characters kept as they are in a query value; everything else is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The RFC 8288 `Link` header: relative references that keep `per_page`, `status`, `name`,
/// then `suffix` (already encoded, such as `&__session=worker-1`).
pub(crate) fn links(query: &ListQuery, total_pages: u64, suffix: &str) -> String {
    let mut kept = format!("&per_page={}", query.per_page);
    if let Some(status) = query.status {
        kept.push_str(&format!("&status={status}"));
    }
    if let Some(name) = &query.name {
        kept.push_str(&format!(
            "&name={}",
            utf8_percent_encode(&name.raw, QUERY_VALUE)
        ));
    }
    kept.push_str(suffix);
    let link = |page: u64, rel: &str| format!("</v1/tokens?page={page}{kept}>; rel=\"{rel}\"");
    let page = u64::from(query.page);
    let mut parts = vec![link(1, "first")];
    if page > 1 {
        parts.push(link(page - 1, "prev"));
    }
    if page < total_pages {
        parts.push(link(page + 1, "next"));
    }
    if total_pages >= 1 {
        parts.push(link(total_pages, "last"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::links;
    use crate::domain::{ListQuery, QueryLimits};

    /// One call of [`links`] and the header it must write: every link is
    /// `</v1/tokens?page=N{kept}>; rel="REL"`, in the order given.
    struct Case {
        query: &'static str,
        total_pages: u64,
        suffix: &'static str,
        kept: &'static str,
        relations: &'static [(&'static str, u64)],
    }

    const CASES: [Case; 7] = [
        // A middle page keeps every filter, the name percent-encoded as UTF-8.
        Case {
            query: "page=2&per_page=10&status=active&name=CI+b%C3%B6t",
            total_pages: 3,
            suffix: "",
            kept: "&per_page=10&status=active&name=CI%20b%C3%B6t",
            relations: &[("first", 1), ("prev", 1), ("next", 3), ("last", 3)],
        },
        // An empty result links only to the first page, with the default per_page.
        Case {
            query: "",
            total_pages: 0,
            suffix: "",
            kept: "&per_page=25",
            relations: &[("first", 1)],
        },
        Case {
            query: "per_page=3",
            total_pages: 3,
            suffix: "",
            kept: "&per_page=3",
            relations: &[("first", 1), ("next", 2), ("last", 3)],
        },
        Case {
            query: "page=3&per_page=3",
            total_pages: 3,
            suffix: "",
            kept: "&per_page=3",
            relations: &[("first", 1), ("prev", 2), ("last", 3)],
        },
        // Past the end: prev is the page before the one asked for, and there is no next.
        Case {
            query: "page=4294967295&per_page=3",
            total_pages: 3,
            suffix: "",
            kept: "&per_page=3",
            relations: &[("first", 1), ("prev", 4_294_967_294), ("last", 3)],
        },
        // A single page is both first and last.
        Case {
            query: "status=revoked",
            total_pages: 1,
            suffix: "",
            kept: "&per_page=25&status=revoked",
            relations: &[("first", 1), ("last", 1)],
        },
        // The suffix comes last, as given.
        Case {
            query: "page=2&name=-._~",
            total_pages: 2,
            suffix: "&__session=worker-1",
            kept: "&per_page=25&name=-._~&__session=worker-1",
            relations: &[("first", 1), ("prev", 1), ("last", 2)],
        },
    ];

    #[test]
    fn each_page_links_to_first_prev_next_and_last_as_they_exist() {
        for case in CASES {
            let query = ListQuery::parse(
                case.query,
                QueryLimits {
                    default_per_page: 25,
                    max_per_page: 100,
                },
            )
            .unwrap();
            let expected: Vec<String> = case
                .relations
                .iter()
                .map(|(rel, page)| format!("</v1/tokens?page={page}{}>; rel=\"{rel}\"", case.kept))
                .collect();
            assert_eq!(
                links(&query, case.total_pages, case.suffix),
                expected.join(", "),
                "{:?}",
                case.query
            );
        }
    }
}
