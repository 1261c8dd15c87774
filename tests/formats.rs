//! The lambda-s3 example's upload processor written as SAM (examples/lambda-s3), as a
//! Serverless Framework configuration and as AWS CLI dumps of the deployed account: each
//! gives the same rule names, at the lines of its own file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use iamlint::lint::{self, Options};
use iamlint::load::aws_cli::{self, DumpFile};
use iamlint::load::Loaded;
use iamlint::rules::{self, RULES};
use iamlint::source::SourceFile;
use iamlint::syntax::parse_json;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Rule names of the findings about `ProcessUploadedFile` (or its role and policies), and
/// the (line, column) of each `service-wildcard-action` finding.
fn lint_file(path: &Path) -> (BTreeSet<String>, Vec<(usize, usize)>) {
    let outcome = lint::run(&Options {
        paths: vec![path.to_path_buf()],
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: RULES.to_vec(),
        input_format: None,
    });
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let mut names = BTreeSet::new();
    let mut at = Vec::new();
    for f in &outcome.findings {
        if f.message.contains("ProcessOrderFunction") {
            continue;
        }
        names.insert(f.rule.name.to_string());
        if f.rule.name == "service-wildcard-action" {
            let lc = outcome.sources[f.file].line_col(f.span.start);
            at.push((lc.line, lc.column));
        }
    }
    (names, at)
}

#[test]
fn sam_serverless_and_account_dump_agree() {
    let (mut sam, sam_at) = lint_file(&root().join("examples/lambda-s3/template.yaml"));
    assert_eq!(sam_at, vec![(51, 25)]);
    // Only the template's function has its code next to it (`CodeUri: src/`), so only
    // there can the code rules say the S3 reads go unused.
    assert!(sam.remove("unused-permission"), "{sam:?}");
    let (sls, sls_at) = lint_file(&root().join("tests/data/lambda-s3-formats/serverless.yml"));
    assert_eq!(sls, sam);
    // `Action: logs:*` in the configuration.
    assert_eq!(sls_at, vec![(17, 19)]);

    // The three dumps of the account form one unit: the function is tied to its role by ARN
    // and the resource policy's S3 principal makes it asynchronously invoked.
    let dir = root().join("tests/data/lambda-s3-formats/aws-dump");
    let sources: Vec<SourceFile> = [
        "authorization-details.json",
        "list-functions.json",
        "get-policy.json",
    ]
    .iter()
    .map(|name| {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        SourceFile::new(path, name.to_string(), text)
    })
    .collect();
    let docs: Vec<_> = sources
        .iter()
        .map(|s| parse_json(&s.text).unwrap())
        .collect();
    let files: Vec<DumpFile<'_>> = sources
        .iter()
        .zip(&docs)
        .enumerate()
        .map(|(file, (s, d))| DumpFile {
            file,
            text: &s.text,
            root: &d.roots[0],
        })
        .collect();
    let mut loaded = Loaded::default();
    aws_cli::load_unit(&files, &mut loaded);
    assert_eq!(loaded.model.functions.len(), 1);
    assert!(loaded.model.functions[0].role.is_some());
    let mut findings = Vec::new();
    rules::check_model(&loaded.model, RULES, &Default::default(), &mut findings);
    let dump: BTreeSet<String> = findings.iter().map(|f| f.rule.name.to_string()).collect();
    assert_eq!(dump, sam);
    let wildcard: Vec<(usize, String, usize, usize)> = findings
        .iter()
        .filter(|f| f.rule.name == "service-wildcard-action")
        .map(|f| {
            let lc = sources[f.file].line_col(f.span.start);
            (
                f.file,
                sources[f.file].slice(f.span).to_string(),
                lc.line,
                lc.column,
            )
        })
        .collect();
    assert_eq!(wildcard, vec![(0, "\"logs:*\"".to_string(), 32, 43)]);
    // The DLQ finding names the function in list-functions.json.
    let dlq = findings
        .iter()
        .find(|f| f.rule.name == "lambda-no-dlq")
        .unwrap();
    assert_eq!(dlq.file, 1);
}
