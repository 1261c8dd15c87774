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

/// The Lambda guide's S3-processing role (`lambda-s3-role`, used by `processUploadedFile`)
/// as the bundled template declares it.
#[test]
fn the_bundled_example_fixes_to_a_deployable_template_without_over_privilege() {
    let template = Path::new("examples/lambda-s3/template.yaml");
    let original = std::fs::read_to_string(template).expect("example");
    assert_eq!(check_fixes_of(template), 1);
    let outcome = lint(&[template.to_path_buf()]);
    // `--diff` shows the change and writes nothing.
    let mut diff = Vec::new();
    let shown = iamlint::fix::write_diff(&mut diff, &outcome, true).expect("diff");
    let diff = String::from_utf8(diff).expect("utf-8");
    assert_eq!(shown, 1, "{diff}");
    assert!(diff.contains("-                Action: logs:*"), "{diff}");
    assert!(
        diff.contains("log-group:/aws/lambda/processUploadedFile:*"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(template).expect("example"),
        original
    );
    // `--fix --unsafe-fixes`: loads, no dependency cycle, logs scoped to the function's group.
    let planned = iamlint::fix::plan(&outcome, true);
    let fixed = &planned[0].text;
    iamlint::load::check_fixed("template.yaml", &original, fixed).expect("deployable");
    assert!(fixed.contains("Resource: !Sub \"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/processUploadedFile:*\""), "{fixed}");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("src")).expect("code folder");
    std::fs::copy(
        "examples/lambda-s3/src/index.js",
        dir.path().join("src/index.js"),
    )
    .expect("copy code");
    let copy = dir.path().join("template.yaml");
    std::fs::write(&copy, fixed).expect("write copy");
    let again = lint(&[copy]);
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    let over_privilege: Vec<&iamlint::finding::Finding> = again
        .findings
        .iter()
        .filter(|f| {
            f.rule.category.as_str() == "over-privilege" || f.rule.category.as_str() == "risk"
        })
        .collect();
    // What remains is advice the fix cannot decide: the guide's handler reads only the
    // event, never the object, so the code rule notes the S3 read actions as unused.
    let unexpected: Vec<String> = over_privilege
        .iter()
        .filter(|f| {
            f.severity != iamlint::finding::Severity::Info
                || f.rule.name != "unused-permission"
                || !f.message.contains("`s3:")
        })
        .map(|f| format!("{} {}", f.rule.name, f.message))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
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

/// Lint `text` as a template of the given name and plan every fix.
fn planned_text(name: &str, text: &str) -> (lint::Outcome, Option<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write template");
    let outcome = lint(&[path]);
    let planned = iamlint::fix::plan(&outcome, true);
    let text = planned.first().map(|p| p.text.clone());
    (outcome, text)
}

#[test]
fn log_statements_of_explicit_roles_are_scoped_to_the_functions_log_groups() {
    let fixture = "fixtures/service-wildcard-action/fires-logs-star-named-function-role.cfn.yaml";
    let original = std::fs::read_to_string(fixture).expect("fixture");
    let (_, fixed) = planned_text("t.cfn.yaml", &original);
    let fixed = fixed.expect("a fix");
    assert!(
        fixed.contains("Resource: !Sub \"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${ProcessorName}:*\""),
        "{fixed}"
    );
    let (again, _) = planned_text("t.cfn.yaml", &fixed);
    let left: Vec<&str> = again.findings.iter().map(|f| f.rule.name).collect();
    for rule in [
        "service-wildcard-action",
        "wildcard-resource",
        "data-exfiltration",
    ] {
        assert!(!left.contains(&rule), "{rule} still fires: {left:?}");
    }
}

#[test]
fn a_function_without_a_name_gets_only_the_action_fix_from_its_roles_own_policy() {
    let fixture = "fixtures/service-wildcard-action/fires-logs-star-unnamed-function-role.cfn.yaml";
    let original = std::fs::read_to_string(fixture).expect("fixture");
    let (outcome, fixed) = planned_text("t.cfn.yaml", &original);
    let fixed = fixed.expect("the action fix");
    assert!(!fixed.contains("${Processor}"), "{fixed}");
    assert!(fixed.contains("Resource: \"*\""), "{fixed}");
    // The scoped version is offered for a person to finish.
    assert!(outcome
        .findings
        .iter()
        .any(|f| f.fix.as_ref().is_some_and(|x| x.applicability
            == iamlint::finding::Applicability::DisplayOnly
            && x.edits
                .iter()
                .any(|e| e.replacement.contains("${Processor}")))));
}

#[test]
fn a_fix_that_would_add_a_cycle_is_left_out_and_the_others_still_apply() {
    // The managed policy is attached through the role's `ManagedPolicyArns` (Role ->
    // Policy), so naming the function from it closes Role -> Policy -> Function -> Role;
    // the named function's inline policy is scoped as usual.
    let text = r#"Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns: [!Ref Logs]
  Logs:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Action: logs:*, Resource: "*"}]
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.12, Handler: i.h, Role: !GetAtt Role.Arn, Code: {ZipFile: x}}
  NamedRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: logs
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Action: logs:*, Resource: "*"}]
  Named:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: named, Runtime: python3.12, Handler: i.h, Role: !GetAtt NamedRole.Arn, Code: {ZipFile: x}}
"#;
    let (outcome, fixed) = planned_text("t.cfn.yaml", text);
    assert!(outcome
        .findings
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .any(|f| f.edits.iter().any(|e| e.replacement.contains("${Fn}"))));
    let fixed = fixed.expect("the other fix");
    assert!(!fixed.contains("${Fn}"), "{fixed}");
    assert!(fixed.contains("log-group:/aws/lambda/named:*"), "{fixed}");
    iamlint::load::check_fixed("t.cfn.yaml", text, &fixed).expect("deployable");
}
