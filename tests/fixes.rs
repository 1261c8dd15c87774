//! Every fix the fixtures and the bundled example produce is applied; the fixed text must
//! load, must not add a CloudFormation dependency cycle, and must lint with fewer findings.

use std::path::{Path, PathBuf};

use iamlint::lint::{self, Options};
use iamlint::rules::RULES;

fn lint(paths: &[PathBuf]) -> lint::Outcome {
    lint::run(&Options {
        paths: paths.to_vec(),
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: RULES.to_vec(),
        input_format: None,
    })
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable folder")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else if !path.to_string_lossy().ends_with(".snap") {
            out.push(path);
        }
    }
}

/// Apply every fix (unsafe ones too) to a copy of `file` and check the result.
fn check_fixes_of(file: &Path) -> usize {
    let outcome = lint(&[file.to_path_buf()]);
    let planned = iamlint::fix::plan(&outcome, true);
    for p in &planned {
        let source = &outcome.sources[p.file];
        let dir = tempfile::tempdir().expect("temp dir");
        let copy = dir.path().join(source.path.file_name().expect("file name"));
        std::fs::write(&copy, &p.text).expect("write copy");
        let again = lint(std::slice::from_ref(&copy));
        assert!(
            again.errors.is_empty(),
            "{}: fixed text fails to load: {:?}",
            source.display,
            again.errors
        );
        iamlint::load::check_fixed(&source.display, &source.text, &p.text)
            .unwrap_or_else(|e| panic!("{}: {e}", source.display));
        let before = outcome.findings.iter().filter(|f| f.file == p.file).count();
        assert!(
            again.findings.len() < before,
            "{}: {} findings before the fix, {} after",
            source.display,
            before,
            again.findings.len()
        );
    }
    planned.len()
}

#[test]
fn every_fixture_fix_loads_deploys_and_lints_cleaner() {
    let mut files = Vec::new();
    files_under(Path::new("fixtures"), &mut files);
    let fixed: usize = files.iter().map(|f| check_fixes_of(f)).sum();
    // Fixtures with fixes exist (redundant actions, `logs:*`): the test is not vacuous.
    assert!(fixed >= 3, "only {fixed} fixture files had fixes");
}

#[test]
fn the_bundled_example_fixes_to_a_deployable_template_without_over_privilege() {
    let template = Path::new("examples/lambda-s3/template.yaml");
    assert_eq!(check_fixes_of(template), 1);
    let outcome = lint(&[template.to_path_buf()]);
    let planned = iamlint::fix::plan(&outcome, true);
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("template.yaml");
    std::fs::write(&copy, &planned[0].text).expect("write copy");
    let again = lint(&[copy]);
    let over_privilege: Vec<String> = again
        .findings
        .iter()
        .filter(|f| {
            f.rule.category.as_str() == "over-privilege" || f.rule.category.as_str() == "risk"
        })
        .map(|f| format!("{} {}", f.rule.name, f.message))
        .collect();
    assert!(over_privilege.is_empty(), "{over_privilege:#?}");
}

#[test]
fn a_fix_that_would_add_a_dependency_cycle_is_refused() {
    let original = "Resources:\n  Uploads:\n    Type: AWS::S3::Bucket\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Policies:\n        - S3ReadPolicy: {BucketName: !Ref Name}\n      Events:\n        Up: {Type: S3, Properties: {Bucket: !Ref Uploads, Events: 's3:ObjectCreated:*'}}\n";
    let cyclic = original.replace("!Ref Name", "!Ref Uploads");
    let err = iamlint::load::check_fixed("t.yaml", original, &cyclic).expect_err("cycle");
    assert!(err.contains("dependency cycle"), "{err}");
    assert!(iamlint::load::check_fixed("t.yaml", original, original).is_ok());
    assert!(iamlint::load::check_fixed("t.yaml", original, "a: [").is_err());
}
