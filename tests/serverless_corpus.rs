//! Real Serverless Framework projects (serverless/examples, in the shared corpus when it is
//! present): every configuration loads without a panic or an error, includes are followed,
//! and each wildcard action is reported at the value as written.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use iamlint::lint::{self, Options};
use iamlint::load::serverless::{self, DiskIncludes};
use iamlint::load::Loaded;
use iamlint::rules::{self, RULES};
use iamlint::syntax::parse_yaml;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("IAMLINT_SERVERLESS_CORPUS").map_or_else(
        || PathBuf::from("/work/shared/corpus/serverless__examples"),
        PathBuf::from,
    );
    dir.is_dir().then_some(dir)
}

fn configurations(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            configurations(&path, out);
        } else if path
            .file_name()
            .is_some_and(|n| n == "serverless.yml" || n == "serverless.yaml")
        {
            out.push(path);
        }
    }
}

#[test]
fn corpus_loads_and_reports_wildcards_where_written() {
    let Some(dir) = corpus() else {
        eprintln!("serverless corpus not found; set IAMLINT_SERVERLESS_CORPUS");
        return;
    };
    let outcome = lint::run(&Options {
        paths: vec![dir.clone()],
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: RULES.to_vec(),
        input_format: None,
    });
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let mut wildcards = 0;
    for f in &outcome.findings {
        if matches!(f.rule.name, "wildcard-action" | "service-wildcard-action") {
            let written = outcome.sources[f.file].slice(f.span);
            assert!(
                written.trim_matches(['"', '\'']).ends_with('*'),
                "{written:?} at {f:?}"
            );
            wildcards += 1;
        }
    }
    assert!(wildcards >= 8, "only {wildcards} wildcard findings");

    // With includes read from disk, every configuration still loads, and the included
    // `LambdaRole` of aws-node-graphql-and-rds becomes the functions' role.
    let mut paths = Vec::new();
    configurations(&dir, &mut paths);
    assert!(paths.len() > 100, "{}", paths.len());
    let mut linked = false;
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(doc) = parse_yaml(&text) else { continue };
        let Some(root) = doc.roots.first() else {
            continue;
        };
        let mut includes = DiskIncludes {
            dir: path.parent().unwrap().to_path_buf(),
            next_id: 1,
            max_size: lint::DEFAULT_MAX_FILE_SIZE,
            read: Vec::new(),
        };
        let mut loaded = Loaded::default();
        serverless::load(root, 0, &text, &mut includes, &mut loaded);
        let mut findings = Vec::new();
        rules::check_model(&loaded.model, RULES, &Default::default(), &mut findings);
        for finding in &findings {
            let source = if finding.file == 0 {
                text.as_str()
            } else {
                &includes
                    .read
                    .iter()
                    .find(|(id, _, _)| *id == finding.file)
                    .unwrap()
                    .2
            };
            assert!(
                source.get(finding.span.range()).is_some(),
                "{path:?}: {finding:?}"
            );
        }
        if path.ends_with("aws-node-graphql-and-rds/serverless.yml") {
            let m = &loaded.model;
            let role = m.functions.iter().find_map(|f| f.role).map(|r| &m.roles[r]);
            linked = role.is_some_and(|r| r.logical_id == "LambdaRole" && r.file > 0);
        }
    }
    assert!(
        linked,
        "graphql-and-rds functions are not tied to the included role"
    );
}
