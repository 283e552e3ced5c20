//! The score of a replay, its breakdown by rule and by location, and the worst exchanges,
//! printed as text or as one JSON document.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::replay::Replayed;
use super::rule::{Difference, BY_RULE, NOT_COMPARED};

/// How many of the worst exchanges the text report shows, with their differences.
const WORST: usize = 5;
/// How many differences of one exchange the text report shows.
const SHOWN_DIFFERENCES: usize = 12;

/// What `fidelity` found.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    /// The mock's root URL.
    pub mock: String,
    /// Exchanges the mock answered exactly as the real API did (by value, or by rule).
    pub identical: usize,
    /// Exchanges replayed.
    pub replayed: usize,
    /// Entries of the HAR that are not `GET /v1/tokens`, left out.
    pub skipped: usize,
    /// `identical / replayed`, in percent.
    pub score: f64,
    /// `--min`.
    pub min: f64,
    /// Whether the score reaches `--min`.
    pub passed: bool,
    /// The fields compared by rule, not by value, and the rule each is held to.
    pub compared_by_rule: BTreeMap<&'static str, &'static str>,
    /// What is left out of the comparison.
    pub(crate) not_compared: &'static str,
    /// Differences per rule.
    pub by_rule: BTreeMap<String, usize>,
    /// Differences per rule and location, array positions as `*` (`/data/*/name`).
    pub by_location: BTreeMap<String, usize>,
    /// Every exchange with a difference, most differences first.
    pub exchanges: Vec<Replayed>,
}

impl Report {
    /// Scores `replayed` against `min` percent.
    pub(crate) fn new(mock: &str, mut replayed: Vec<Replayed>, skipped: usize, min: f64) -> Report {
        let identical = replayed.iter().filter(|r| r.differences.is_empty()).count();
        let count = replayed.len();
        let score = match count {
            0 => 0.0,
            n => identical as f64 * 100.0 / n as f64,
        };
        let mut by_rule = BTreeMap::new();
        let mut by_location = BTreeMap::new();
        for difference in replayed.iter().flat_map(|r| &r.differences) {
            *by_rule
                .entry(difference.rule.name().to_owned())
                .or_default() += 1;
            let key = format!("{} {}", difference.rule, pattern(&difference.location));
            *by_location.entry(key).or_default() += 1;
        }
        replayed.retain(|r| !r.differences.is_empty());
        // Stable: among equals, the earliest exchange first.
        replayed.sort_by_key(|r| std::cmp::Reverse(r.differences.len()));
        Report {
            mock: mock.to_owned(),
            identical,
            replayed: count,
            skipped,
            score,
            min,
            passed: count > 0 && score >= min,
            compared_by_rule: BY_RULE.into_iter().collect(),
            not_compared: NOT_COMPARED,
            by_rule,
            by_location,
            exchanges: replayed,
        }
    }

    /// The report for a terminal or a CI log.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        let verdict = if self.passed { "at or above" } else { "below" };
        let _ = writeln!(
            out,
            "fidelity against {}: {} of {} exchanges identical ({:.1}%), {verdict} --min {}",
            self.mock, self.identical, self.replayed, self.score, self.min
        );
        if self.skipped > 0 {
            let _ = writeln!(
                out,
                "  {} entries skipped: not GET /v1/tokens",
                self.skipped
            );
        }
        let _ = writeln!(out, "compared by rule, not by value:");
        for (field, rule) in &self.compared_by_rule {
            let _ = writeln!(out, "  {field}: {rule}");
        }
        let _ = writeln!(out, "not compared: {}", self.not_compared);
        if self.by_rule.is_empty() {
            return out;
        }
        let _ = writeln!(out, "differences by rule:");
        for (rule, count) in &self.by_rule {
            let _ = writeln!(out, "  {rule:<26} {count:>6}");
        }
        let _ = writeln!(out, "differences by location:");
        for (location, count) in &self.by_location {
            let _ = writeln!(out, "  {location:<50} {count:>6}");
        }
        let _ = writeln!(out, "worst exchanges (- real API, + mock):");
        for exchange in self.exchanges.iter().take(WORST) {
            let mock = exchange
                .mock_status
                .map_or("no answer".to_owned(), |s| s.to_string());
            let _ = writeln!(
                out,
                "  entry {} {} {}: real {}, mock {}, {} differences",
                exchange.entry,
                exchange.method,
                exchange.request,
                exchange.real_status,
                mock,
                exchange.differences.len()
            );
            let groups = grouped(&exchange.differences);
            for (d, count) in groups.iter().take(SHOWN_DIFFERENCES) {
                match count {
                    1 => {
                        let _ = writeln!(out, "    {} {}", d.rule, d.location);
                    }
                    n => {
                        let at = pattern(&d.location);
                        let first = &d.location;
                        let _ = writeln!(out, "    {} {at}, {n} times (first {first})", d.rule);
                    }
                }
                let _ = writeln!(out, "      - {}", d.real);
                let _ = writeln!(out, "      + {}", d.mock);
            }
            if groups.len() > SHOWN_DIFFERENCES {
                let more = groups.len() - SHOWN_DIFFERENCES;
                let _ = writeln!(out, "    ... {more} more (--json lists them all)");
            }
        }
        out
    }
}

/// The differences of one exchange, those alike but for an array position counted once
/// (in the order they were found): each with how many it stands for.
fn grouped(differences: &[Difference]) -> Vec<(&Difference, usize)> {
    let mut groups: Vec<(&Difference, usize)> = Vec::new();
    for d in differences {
        let alike = groups.iter_mut().find(|(g, _)| {
            g.rule == d.rule
                && g.real == d.real
                && g.mock == d.mock
                && pattern(&g.location) == pattern(&d.location)
        });
        match alike {
            Some((_, count)) => *count += 1,
            None => groups.push((d, 1)),
        }
    }
    groups
}

/// A location with its array positions as `*`: `/data/3/name` is `/data/*/name`.
fn pattern(location: &str) -> String {
    if !location.starts_with('/') {
        return location.to_owned();
    }
    location
        .split('/')
        .map(|part| {
            if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fidelity::rule::Rule;

    fn replayed(entry: usize, differences: Vec<Difference>) -> Replayed {
        Replayed {
            entry,
            method: "GET".into(),
            request: "/v1/tokens".into(),
            real_status: 200,
            mock_status: Some(200),
            differences,
        }
    }

    #[test]
    fn the_score_counts_identical_exchanges_and_locations_fold_positions() {
        let renamed =
            |i: usize| Difference::new(Rule::Renamed, format!("/data/{i}/name"), "title", "name");
        let report = Report::new(
            "http://127.0.0.1:1",
            vec![
                replayed(0, vec![]),
                replayed(1, vec![renamed(0)]),
                replayed(2, vec![renamed(0), renamed(1)]),
                replayed(3, vec![]),
            ],
            1,
            100.0,
        );
        assert_eq!((report.identical, report.replayed), (2, 4));
        assert_eq!(report.score, 50.0);
        assert!(!report.passed);
        assert_eq!(report.by_location["body.renamed /data/*/name"], 3);
        assert_eq!(report.exchanges[0].entry, 2, "the worst first");
        assert!(report
            .text()
            .contains("2 of 4 exchanges identical (50.0%), below --min 100"));
    }

    #[test]
    fn a_score_at_min_passes_and_nothing_replayed_fails() {
        let report = Report::new("m", vec![replayed(0, vec![])], 0, 100.0);
        assert!(report.passed);
        assert!(!Report::new("m", vec![], 3, 0.0).passed);
    }
}
