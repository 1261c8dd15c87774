//! Fixture-driven rule tests. `fixtures/<rule-name>/fires-*` must raise the rule and
//! `clean-*` must not; the compact findings of each folder are snapshotted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use iamlint::lint::{self, Options};
use iamlint::rules::{self, RULES};

const DOC_HEADINGS: &[&str] = &[
    "## What it flags",
    "## Why it matters",
    "## Example",
    "## Use instead",
    "## Fix",
    "## Options",
    "## References",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_files(rule: &str) -> Vec<PathBuf> {
    let dir = root().join("fixtures").join(rule);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("rule `{rule}` has no fixture folder {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn lint_one(path: &Path, rule: &str) -> (String, usize) {
    let options = Options {
        paths: vec![path.to_path_buf()],
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: vec![rules::find(rule).unwrap()],
    };
    let outcome = lint::run(&options);
    assert!(
        outcome.errors.is_empty(),
        "{}: load errors {:?}",
        path.display(),
        outcome.errors
    );
    let mut text = String::new();
    for f in &outcome.findings {
        let at = outcome.sources[f.file].line_col(f.span.start);
        text.push_str(&format!(
            "  {}:{} {} {} {}\n",
            at.line, at.column, f.rule.code, f.severity, f.message
        ));
    }
    (text, outcome.findings.len())
}

#[test]
fn every_fixture_fires_or_stays_clean_as_named() {
    let mut failures = Vec::new();
    let mut reports = Vec::new();
    for rule in RULES {
        let name = rule.meta().name;
        let mut report = String::new();
        let (mut fires, mut cleans) = (0, 0);
        for path in fixture_files(name) {
            let file_name = path.file_name().unwrap().to_string_lossy().to_string();
            if file_name == "README.md" {
                continue;
            }
            let (text, count) = lint_one(&path, name);
            if file_name.starts_with("fires-") {
                fires += 1;
                if count == 0 {
                    failures.push(format!("{name}/{file_name}: expected a finding, got none"));
                }
            } else if file_name.starts_with("clean-") {
                cleans += 1;
                if count > 0 {
                    failures.push(format!(
                        "{name}/{file_name}: expected no finding, got\n{text}"
                    ));
                }
            } else {
                failures.push(format!(
                    "{name}/{file_name}: fixture names start with fires- or clean-"
                ));
            }
            report.push_str(&format!("{file_name}\n{text}"));
        }
        if fires == 0 || cleans == 0 {
            failures.push(format!(
                "{name}: needs at least one fires- and one clean- fixture"
            ));
        }
        reports.push((name, report));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for (name, report) in reports {
        insta::assert_snapshot!(format!("fixtures__{name}"), report);
    }
}

#[test]
fn every_rule_has_a_doc_with_the_fixed_headings_and_every_doc_a_rule() {
    let names: BTreeSet<&str> = RULES.iter().map(|r| r.meta().name).collect();
    for rule in RULES {
        let m = rule.meta();
        let title = format!("# {} ({})", m.name, m.code);
        assert!(
            m.doc.starts_with(&title),
            "rules/{}.md must start with `{title}`",
            m.name
        );
        let mut last = 0;
        for heading in DOC_HEADINGS {
            let at = m
                .doc
                .find(&format!("\n{heading}\n"))
                .unwrap_or_else(|| panic!("rules/{}.md lacks `{heading}`", m.name));
            assert!(
                at > last,
                "rules/{}.md: `{heading}` is out of order",
                m.name
            );
            last = at;
        }
    }
    for entry in fs::read_dir(root().join("rules")).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        assert!(
            names.contains(stem.as_str()),
            "rules/{stem}.md documents no registered rule"
        );
    }
    for entry in fs::read_dir(root().join("fixtures")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                names.contains(name.as_str()),
                "fixtures/{name}/ belongs to no registered rule"
            );
        }
    }
}

/// The README's rule table, as generated from the registry.
fn rule_table() -> String {
    let mut table = String::from(
        "| code | name | category | default severity | flags |\n|---|---|---|---|---|\n",
    );
    for rule in RULES {
        let m = rule.meta();
        table.push_str(&format!(
            "| {} | [`{}`](rules/{}.md) | {} | {} | {} |\n",
            m.code,
            m.name,
            m.name,
            m.category.as_str(),
            m.severity,
            m.summary.replace('|', "\\|")
        ));
    }
    table
}

#[test]
fn readme_rule_table_is_current() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- rules:start -->\n")
        .expect("README lacks <!-- rules:start -->")
        + "<!-- rules:start -->\n".len();
    let end = readme
        .find("<!-- rules:end -->")
        .expect("README lacks <!-- rules:end -->");
    let expected = rule_table();
    if readme[start..end] != expected {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{}{}", &readme[..start], expected, &readme[end..]);
            fs::write(root().join("README.md"), updated).unwrap();
        } else {
            panic!("README rule table is stale; run `UPDATE_README=1 cargo test --test rules readme` and commit:\n{expected}");
        }
    }
}
