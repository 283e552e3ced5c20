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
pub fn links(query: &ListQuery, total_pages: u64, suffix: &str) -> String {
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

    fn query(raw: &str) -> ListQuery {
        ListQuery::parse(
            raw,
            QueryLimits {
                default_per_page: 25,
                max_per_page: 100,
            },
        )
        .unwrap()
    }

    #[test]
    fn a_middle_page_links_to_all_four_neighbours_keeping_the_filters() {
        let header = links(
            &query("page=2&per_page=10&status=active&name=CI+b%C3%B6t"),
            3,
            "",
        );
        assert_eq!(
            header,
            "</v1/tokens?page=1&per_page=10&status=active&name=CI%20b%C3%B6t>; rel=\"first\", \
             </v1/tokens?page=1&per_page=10&status=active&name=CI%20b%C3%B6t>; rel=\"prev\", \
             </v1/tokens?page=3&per_page=10&status=active&name=CI%20b%C3%B6t>; rel=\"next\", \
             </v1/tokens?page=3&per_page=10&status=active&name=CI%20b%C3%B6t>; rel=\"last\""
        );
    }

    #[test]
    fn an_empty_result_links_only_to_the_first_page() {
        assert_eq!(
            links(&query(""), 0, ""),
            "</v1/tokens?page=1&per_page=25>; rel=\"first\""
        );
    }
}
