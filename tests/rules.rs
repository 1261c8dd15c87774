//! Rule tests, one trial per rule so a rule can run alone
//! (`cargo test --test rules -- wildcard-resource`):
//!
//! - `fixtures::<rule>`: every file of `fixtures/<rule>/` (or folder: a template and the code it
//!   deploys, linted as one directory) runs through the full pipeline with
//!   that rule enabled (plus the rules the file declares, see `fixtures/README.md`);
//!   `fires-*` must raise the rule, `clean-*` must not; the folder's findings are snapshotted.
//! - `docs::<rule>`: the fenced block under "Example" in `rules/<rule>.md` must raise the rule
//!   and the one under "Use instead" must not.
//! - `registry::*`: docs, fixture folders and the README table match the registry.
//!
//! Trials are built from the `fixtures/` and `rules/` folders, so a new rule needs no change here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use iamlint::lint::{self, Options, Outcome};
use iamlint::rules::{self, Rule, RULES};
use libtest_mimic::{Arguments, Failed, Trial};

const DOC_HEADINGS: &[&str] = &[
    "## What it flags",
    "## Why it matters",
    "## Example",
    "## Use instead",
    "## Fix",
    "## Options",
    "## References",
];

/// Header line by which a fixture enables rules besides its folder's (YAML comment).
const FIXTURE_ENABLE: &str = "# fixture: enable ";
/// The same for a doc example, as an HTML comment on the line before its fenced block.
const EXAMPLE_ENABLE: &str = "<!-- example: enable ";
/// Marks a doc example that is not a complete input; it is then checked for nothing.
const EXAMPLE_FRAGMENT: &str = "<!-- example: fragment -->";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The one place that calls into the library: lint `paths` with exactly `enabled` rules.
fn lint_paths(paths: &[PathBuf], enabled: &[&'static dyn Rule]) -> Outcome {
    let options = Options {
        paths: paths.to_vec(),
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: enabled.to_vec(),
        input_format: None,
    };
    lint::run(&options)
}

fn find_rule(name: &str) -> Result<&'static dyn Rule, String> {
    rules::find(name).ok_or_else(|| format!("`{name}` is no registered rule"))
}

/// Rule names listed after `prefix` on any line of `text` (comma or space separated).
fn declared_rules(text: &str, prefix: &str, suffix: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(prefix))
        .flat_map(|rest| {
            rest.trim_end()
                .trim_end_matches(suffix)
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Counts that follow the size of the embedded catalog (`grants 63 actions (63 read)`,
/// `all 15559 actions`) become `#`, so refreshing the catalog does not rewrite snapshots.
/// The access levels and the message shape stay, and a count must still be a number.
fn redact_catalog_counts(message: &str) -> String {
    let words: Vec<&str> = message.split(' ').collect();
    let mut out = Vec::with_capacity(words.len());
    let mut in_breakdown = false;
    for (i, word) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or("");
        let digits = word.trim_start_matches('(');
        let is_count = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        if is_count && (next.starts_with("action") || in_breakdown) {
            out.push(word.replace(digits, "#"));
        } else {
            out.push((*word).to_string());
        }
        if next.starts_with('(') && word.starts_with("action") {
            in_breakdown = true;
        }
        if word.ends_with(')') {
            in_breakdown = false;
        }
    }
    redact_catalog_date(&out.join(" "))
}

/// `(data of 2026-10-27)` names the catalog's release: it changes on every refresh.
fn redact_catalog_date(message: &str) -> String {
    const MARK: &str = "(data of ";
    match message.find(MARK) {
        Some(at) => {
            let rest = &message[at + MARK.len()..];
            let end = rest.find(')').unwrap_or(rest.len());
            format!("{}{MARK}<date>{}", &message[..at], &rest[end..])
        }
        None => message.to_string(),
    }
}

/// In a message such as `grants 20 actions (3 permissions management, 8 write, 7 read, 2
/// tagging)` the access levels must add up to the total: what the redacted snapshots still
/// check about the counts.
fn breakdown_adds_up(message: &str) -> Result<(), String> {
    let Some(at) = message.find(" actions (") else {
        return Ok(());
    };
    // `none of the statement's actions (`x`)` has no count: nothing to check.
    let Some(total) = message[..at]
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse::<u64>().ok())
    else {
        return Ok(());
    };
    let rest = &message[at + " actions (".len()..];
    let inner = rest.split(')').next().unwrap_or("");
    let mut sum = 0;
    for part in inner.split(", ") {
        let n: u64 = part
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("access level without a count in {message:?}"))?;
        sum += n;
    }
    if total == 0 || sum != total {
        return Err(format!(
            "access levels add up to {sum}, not {total}: {message:?}"
        ));
    }
    Ok(())
}

fn render(outcome: &Outcome) -> String {
    let mut text = String::new();
    let mut line = |f: &iamlint::finding::Finding, tag: &str| {
        let at = outcome.sources[f.file].line_col(f.span.start);
        text.push_str(&format!(
            "  {}{}:{} {} {} {}\n",
            tag,
            at.line,
            at.column,
            f.rule.code,
            f.severity,
            redact_catalog_counts(&f.message)
        ));
    };
    for f in &outcome.findings {
        line(f, "");
    }
    for s in &outcome.suppressed {
        line(&s.finding, "suppressed ");
    }
    text
}

/// A fixture's text, for its header lines: the file, or for a fixture folder (a template
/// with the code it deploys) its top-level template files, in name order.
fn fixture_text(path: &std::path::Path) -> std::io::Result<String> {
    if !path.is_dir() {
        return fs::read_to_string(path);
    }
    let mut templates: Vec<PathBuf> = fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    templates.sort();
    let mut text = String::new();
    for template in templates {
        text.push_str(&fs::read_to_string(template)?);
    }
    Ok(text)
}

/// Whether the text carries an inline or metadata suppression.
fn has_suppression(text: &str) -> bool {
    text.contains("iamlint: ignore[") || text.lines().any(|l| l.trim() == "iamlint:")
}

fn fixture_folder(name: &str) -> Result<(), Failed> {
    let rule =
        find_rule(name).map_err(|_| format!("fixtures/{name}/ belongs to no registered rule"))?;
    let code = rule.meta().code;
    let dir = root().join("fixtures").join(name);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();

    let mut failures = Vec::new();
    let mut report = String::new();
    let (mut fires, mut cleans) = (0, 0);
    for path in &files {
        let file_name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = fixture_text(path).map_err(|e| format!("{file_name}: {e}"))?;
        let extra = declared_rules(&text, FIXTURE_ENABLE, "");
        let mut enabled = vec![rule];
        for other in &extra {
            enabled.push(find_rule(other).map_err(|e| format!("{file_name}: {e}"))?);
        }
        let outcome = lint_paths(std::slice::from_ref(path), &enabled);
        if !outcome.errors.is_empty() {
            failures.push(format!("{file_name}: load errors {:?}", outcome.errors));
        }
        // A file no loader took would be clean for want of input.
        if outcome.files_linted != 1 {
            failures.push(format!("{file_name}: not read as an input"));
        }
        let own = outcome
            .findings
            .iter()
            .filter(|f| f.rule.code == code)
            .count();
        for f in &outcome.findings {
            if let Err(e) = breakdown_adds_up(&f.message) {
                failures.push(format!("{file_name}: {e}"));
            }
        }
        let rendered = render(&outcome);
        if file_name.starts_with("fires-") {
            fires += 1;
            if own == 0 {
                failures.push(format!("{file_name}: expected a finding, got none"));
            }
        } else if file_name.starts_with("clean-") {
            cleans += 1;
            if own > 0 {
                failures.push(format!("{file_name}: expected no finding, got\n{rendered}"));
            }
            // A suppression of a rule that is not enabled is ignored, so such a fixture
            // would stay clean whatever the suppression code did.
            if has_suppression(&text) && extra.is_empty() {
                failures.push(format!(
                    "{file_name}: suppresses a rule but does not enable it (`{FIXTURE_ENABLE}<rule>`)"
                ));
            }
        } else {
            failures.push(format!(
                "{file_name}: fixture names start with fires- or clean-"
            ));
        }
        // In a clean file, a declared rule that raises nothing, even suppressed, proves
        // nothing. (A fires- file may enable a rule precisely to show it raises nothing.)
        for other in extra.iter().filter(|_| file_name.starts_with("clean-")) {
            let raised = outcome
                .findings
                .iter()
                .chain(outcome.suppressed.iter().map(|s| &s.finding))
                .any(|f| f.rule.name == other || f.rule.code == other);
            if !raised {
                failures.push(format!(
                    "{file_name}: enables `{other}`, which raised nothing (not even suppressed)"
                ));
            }
        }
        report.push_str(&format!("{file_name}\n{rendered}"));
    }
    if fires == 0 || cleans == 0 {
        failures.push("needs at least one fires- and one clean- fixture".to_string());
    }
    if !failures.is_empty() {
        return Err(failures.join("\n").into());
    }
    insta::assert_snapshot!(format!("fixtures__{name}"), report);
    Ok(())
}

/// A fenced code block of a rule doc, with the section it sits in.
struct DocBlock {
    section: String,
    lang: String,
    body: String,
    /// HTML comment lines right above the fence.
    markers: String,
}

fn doc_blocks(doc: &str) -> Vec<DocBlock> {
    let mut blocks = Vec::new();
    let mut section = String::new();
    let mut markers = String::new();
    let mut open: Option<(String, String)> = None;
    for line in doc.lines() {
        if let Some((lang, body)) = open.as_mut() {
            if line.trim_start().starts_with("```") {
                blocks.push(DocBlock {
                    section: section.clone(),
                    lang: std::mem::take(lang),
                    body: std::mem::take(body),
                    markers: std::mem::take(&mut markers),
                });
                open = None;
            } else {
                body.push_str(line);
                body.push('\n');
            }
        } else if let Some(lang) = line.trim_start().strip_prefix("```") {
            open = Some((lang.trim().to_string(), String::new()));
        } else if let Some(heading) = line.strip_prefix("## ") {
            section = heading.trim().to_string();
            markers.clear();
        } else if line.trim_start().starts_with("<!--") {
            markers.push_str(line.trim());
            markers.push('\n');
        } else if !line.trim().is_empty() {
            markers.clear();
        }
    }
    blocks
}

/// File name for a doc example, from its language tag and content.
fn example_file_name(block: &DocBlock) -> Option<&'static str> {
    let template = block.body.contains("Resources");
    match (block.lang.as_str(), template) {
        ("json", false) => Some("example.iam.json"),
        ("json", true) => Some("example.cfn.json"),
        ("yaml" | "yml", false) => Some("example.iam.yaml"),
        ("yaml" | "yml", true) => Some("example.cfn.yaml"),
        _ => None,
    }
}

fn doc_examples(name: &str) -> Result<(), Failed> {
    let rule = find_rule(name)?;
    let code = rule.meta().code;
    let doc = rule.meta().doc;
    let mut failures = Vec::new();
    let mut checked = BTreeSet::new();
    for block in doc_blocks(doc) {
        let expect_finding = match block.section.as_str() {
            "Example" => true,
            "Use instead" => false,
            _ => continue,
        };
        if block.markers.contains(EXAMPLE_FRAGMENT) {
            continue;
        }
        let Some(file_name) = example_file_name(&block) else {
            failures.push(format!(
                "{}: a ```{} block is no input iamlint reads; mark it `{EXAMPLE_FRAGMENT}`",
                block.section, block.lang
            ));
            continue;
        };
        let mut enabled = vec![rule];
        for other in declared_rules(&block.markers, EXAMPLE_ENABLE, "-->") {
            enabled.push(find_rule(&other)?);
        }
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(file_name);
        fs::write(&path, &block.body)?;
        let outcome = lint_paths(std::slice::from_ref(&path), &enabled);
        if !outcome.errors.is_empty() {
            failures.push(format!(
                "{}: does not load: {:?}",
                block.section, outcome.errors
            ));
        }
        if outcome.files_linted != 1 {
            failures.push(format!(
                "{}: not read as an input ({file_name})",
                block.section
            ));
        }
        let own = outcome.findings.iter().any(|f| f.rule.code == code);
        if !expect_finding && has_suppression(&block.body) && enabled.len() == 1 {
            failures.push(format!(
                "{}: suppresses a rule but does not enable it (`{EXAMPLE_ENABLE}<rule> -->`)",
                block.section
            ));
        }
        if !expect_finding && enabled.len() > 1 && outcome.suppressed.is_empty() {
            failures.push(format!(
                "{}: enables other rules but suppresses nothing",
                block.section
            ));
        }
        if own != expect_finding {
            failures.push(format!(
                "{}: expected {}, got:\n{}",
                block.section,
                if expect_finding {
                    "a finding"
                } else {
                    "no finding"
                },
                render(&outcome)
            ));
        }
        checked.insert(block.section);
    }
    for section in ["Example", "Use instead"] {
        if !checked.contains(section) && !doc.contains(EXAMPLE_FRAGMENT) {
            failures.push(format!("`## {section}` has no checked code block"));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("rules/{name}.md\n{}", failures.join("\n")).into())
    }
}

fn docs_have_the_fixed_headings() -> Result<(), Failed> {
    let names: BTreeSet<&str> = RULES.iter().map(|r| r.meta().name).collect();
    for rule in RULES {
        let m = rule.meta();
        let title = format!("# {} ({})", m.name, m.code);
        if !m.doc.starts_with(&title) {
            return Err(format!("rules/{}.md must start with `{title}`", m.name).into());
        }
        let mut last = 0;
        for heading in DOC_HEADINGS {
            let at = m
                .doc
                .find(&format!("\n{heading}\n"))
                .ok_or_else(|| format!("rules/{}.md lacks `{heading}`", m.name))?;
            if at <= last {
                return Err(format!("rules/{}.md: `{heading}` is out of order", m.name).into());
            }
            last = at;
        }
    }
    for stem in folder_names("rules", false) {
        if !names.contains(stem.as_str()) {
            return Err(format!("rules/{stem}.md documents no registered rule").into());
        }
    }
    for rule in RULES {
        let name = rule.meta().name;
        if !root().join("fixtures").join(name).is_dir() {
            return Err(format!("rule `{name}` has no fixtures/{name}/ folder").into());
        }
    }
    Ok(())
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

fn readme_rule_table_is_current() -> Result<(), Failed> {
    let readme = fs::read_to_string(root().join("README.md"))?;
    let start = readme
        .find("<!-- rules:start -->\n")
        .ok_or("README lacks <!-- rules:start -->")?
        + "<!-- rules:start -->\n".len();
    let end = readme
        .find("<!-- rules:end -->")
        .ok_or("README lacks <!-- rules:end -->")?;
    let expected = rule_table();
    if readme[start..end] != expected {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{}{}", &readme[..start], expected, &readme[end..]);
            fs::write(root().join("README.md"), updated)?;
        } else {
            return Err(format!("README rule table is stale; run `UPDATE_README=1 cargo test --test rules readme` and commit:\n{expected}").into());
        }
    }
    Ok(())
}

/// Sub-folders (`dirs`) or `.md` file stems of a top-level folder, sorted.
fn folder_names(folder: &str, dirs: bool) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join(folder))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    if dirs {
                        p.is_dir()
                    } else {
                        p.extension().is_some_and(|e| e == "md")
                    }
                })
                .filter_map(|p| Some(p.file_stem()?.to_string_lossy().to_string()))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = vec![
        Trial::test("registry::docs_have_the_fixed_headings", || {
            docs_have_the_fixed_headings()
        }),
        Trial::test("registry::readme_rule_table_is_current", || {
            readme_rule_table_is_current()
        }),
        Trial::test("registry::catalog_counts_are_redacted", || {
            let cases = [
                (
                    "action `s3:Get*` grants 63 actions (63 read)",
                    "action `s3:Get*` grants # actions (# read)",
                ),
                (
                    "action `*` grants every action of every AWS service: 22321 actions (422 permissions management, 11485 write)",
                    "action `*` grants every action of every AWS service: # actions (# permissions management, # write)",
                ),
                (
                    "resource `*` covers all 15559 actions of `*` that can be scoped to resource ARNs",
                    "resource `*` covers all # actions of `*` that can be scoped to resource ARNs",
                ),
                ("statement 2 of 3 repeats sid `A1`", "statement 2 of 3 repeats sid `A1`"),
                (
                    "applies to none of the statement's actions (`s3:GetObject`) in the IAM catalog (data of 2026-10-27)",
                    "applies to none of the statement's actions (`s3:GetObject`) in the IAM catalog (data of <date>)",
                ),
            ];
            breakdown_adds_up("action `sqs:*` grants 20 actions (3 permissions management, 8 write, 7 read, 2 tagging)")?;
            if breakdown_adds_up("action `s3:Get*` grants 63 actions (62 read)").is_ok() {
                return Err("a breakdown that does not add up was accepted".into());
            }
            for (input, expected) in cases {
                let got = redact_catalog_counts(input);
                if got != expected {
                    return Err(format!("{input:?} became {got:?}").into());
                }
            }
            Ok(())
        }),
    ];
    for name in folder_names("fixtures", true) {
        let n = name.clone();
        trials.push(Trial::test(format!("fixtures::{name}"), move || {
            fixture_folder(&n)
        }));
    }
    for name in folder_names("rules", false) {
        let n = name.clone();
        trials.push(Trial::test(format!("docs::{name}"), move || {
            doc_examples(&n)
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}
