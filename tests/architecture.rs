//! `docs/architecture.md` against the code: its module table names every module of
//! `src/lib.rs`, and a module's `crate::` imports are only the modules its row says it uses.
//! The table is what a newcomer reads first about the structure, so it must not drift.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The backticked names of a table cell, each cut to its first path segment
/// (`api::openapi` is `api`).
fn modules_named(cell: &str) -> BTreeSet<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(|name| name.split("::").next().unwrap_or(name).to_owned())
        .collect()
}

/// Module name -> the modules it may use (`None`: any, the row says "everything below").
fn table() -> BTreeMap<String, Option<BTreeSet<String>>> {
    let doc = std::fs::read_to_string(root().join("docs/architecture.md")).expect("the doc");
    let mut rows = BTreeMap::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (module_cell, uses_cell) = (cells[1], cells[3]);
        let uses = (!uses_cell.contains("everything below")).then(|| modules_named(uses_cell));
        for module in modules_named(module_cell) {
            rows.insert(module, uses.clone());
        }
    }
    rows
}

fn declared_modules() -> BTreeSet<String> {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).expect("lib.rs");
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .chain(
            lib.lines()
                .filter_map(|l| l.trim().strip_prefix("pub(crate) mod ")),
        )
        .chain(lib.lines().filter_map(|l| l.trim().strip_prefix("mod ")))
        .map(|m| m.trim_end_matches(';').to_owned())
        .collect()
}

fn sources_of(module: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let single = root().join("src").join(format!("{module}.rs"));
    if single.is_file() {
        files.push(single);
    }
    let mut dirs = vec![root().join("src").join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !is_test_code(&path) {
                files.push(path);
            }
        }
    }
    files
}

/// Unit tests (`tests.rs`, `tests/`) may reach across the layers to check them.
fn is_test_code(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == "tests") || path.ends_with("tests.rs")
}

/// The top-level modules a source file names through `crate::`, in paths and in
/// `use crate::{a, b::c}` groups alike.
fn crate_imports(source: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in source.match_indices("crate::") {
        let rest = &source[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.insert(name);
        }
    }
    found
}

#[test]
fn the_architecture_table_names_every_module_of_the_crate() {
    // Arrange
    let table = table();

    // Act
    let missing: Vec<String> = declared_modules()
        .into_iter()
        .filter(|m| !table.contains_key(m))
        .collect();

    // Assert
    assert!(table.len() >= 10, "the table was read: {table:?}");
    assert!(
        missing.is_empty(),
        "docs/architecture.md has no row for {missing:?}"
    );
}

#[test]
fn every_module_imports_only_what_the_architecture_table_says_it_uses() {
    // Arrange
    let table = table();
    let declared = declared_modules();
    let mut wrong = Vec::new();

    for (module, allowed) in &table {
        let Some(allowed) = allowed else { continue };
        // Act
        let used: BTreeSet<String> = sources_of(module)
            .iter()
            .flat_map(|file| crate_imports(&std::fs::read_to_string(file).expect("source")))
            .filter(|m| m != module && declared.contains(m))
            .collect();

        // Assert (collected, so one run names every drift)
        for m in used.difference(allowed) {
            wrong.push(format!(
                "`{module}` uses `{m}`, which its row does not list"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "docs/architecture.md drifted:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_import_reader_sees_paths_and_groups() {
    let found = crate_imports("use crate::{a::B, c};\nfn f() { crate::d::e(); }\n");
    assert_eq!(
        found,
        ["a", "c", "d"].map(str::to_owned).into_iter().collect()
    );
}
