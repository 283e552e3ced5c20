//! The reference pages against what they describe: every setting of `config/default.toml`
//! has its row in `docs/settings.md`, with the default the file gives it.

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `(section.key, default as written)` of every setting in `config/default.toml`.
fn settings() -> Vec<(String, String)> {
    let mut section = String::new();
    let mut found = Vec::new();
    for line in read("config/default.toml").lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_owned();
        } else if let Some((key, value)) = line.split_once('=').filter(|_| !line.starts_with('#')) {
            found.push((
                format!("{section}.{}", key.trim()),
                value.trim().trim_matches('"').to_owned(),
            ));
        }
    }
    found
}

#[test]
fn every_setting_of_default_toml_has_its_row_and_default_in_the_settings_page() {
    // Arrange
    let page = read("docs/settings.md");
    let settings = settings();
    let mut wrong = Vec::new();

    for (key, default) in &settings {
        // Act
        let row = page
            .lines()
            .find(|l| l.starts_with(&format!("| `{key}` |")));

        // Assert (collected, so one run names every gap)
        match row {
            None => wrong.push(format!("{key}: no row")),
            Some(row) => {
                let cells: Vec<&str> = row.split('|').map(str::trim).collect();
                let shown = cells[4].trim_matches('`');
                let empty = default.is_empty() && shown == "(empty)";
                if !empty && shown != default {
                    wrong.push(format!("{key}: the page says {shown}, the file {default}"));
                }
            }
        }
    }
    assert!(settings.len() > 30, "default.toml was read: {settings:?}");
    assert!(
        wrong.is_empty(),
        "docs/settings.md drifted:\n{}",
        wrong.join("\n")
    );
}
