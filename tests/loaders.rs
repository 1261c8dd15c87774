//! Loader behaviour seen through the public pipeline: findings land on the template's own
//! lines, name the function and role, and template values are never mistaken for `*`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use iamlint::lint::{self, Options, Outcome};
use iamlint::rules::RULES;

fn lint(paths: &[&Path]) -> Outcome {
    lint::run(&Options {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: RULES.to_vec(),
        input_format: None,
    })
}

/// (rule, line, column) of every finding, plus related labels.
fn findings(outcome: &Outcome) -> Vec<(String, usize, usize, Vec<String>)> {
    outcome
        .findings
        .iter()
        .map(|f| {
            let at = outcome.sources[f.file].line_col(f.span.start);
            (
                f.rule.name.to_string(),
                at.line,
                at.column,
                f.related.iter().map(|r| r.label.clone()).collect(),
            )
        })
        .collect()
}

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/lambda-s3")
        .join(name)
}

#[test]
fn guide_policy_reports_logs_wildcard_at_its_value() {
    let outcome = lint(&[&example("lambda-s3-role.json")]);
    let found = findings(&outcome);
    assert!(
        found
            .iter()
            .any(|f| f.0 == "service-wildcard-action" && (f.1, f.2) == (14, 17)),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.0 == "wildcard-resource" && (f.1, f.2) == (15, 19)),
        "{found:?}"
    );
}

#[test]
fn sam_template_reports_inline_statement_with_function_context() {
    let path = example("template.yaml");
    let text = fs::read_to_string(&path).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let outcome = lint(&[&path]);
    let found = findings(&outcome);
    let logs = found
        .iter()
        .find(|f| f.0 == "service-wildcard-action")
        .expect("logs:* reported");
    assert_eq!(logs.1, line_of("Action: logs:*"));
    assert!(
        logs.3
            .iter()
            .any(|l| l.starts_with("function `ProcessUploadedFile`")),
        "{logs:?}"
    );
    // The explicit role that mirrors the guide's `lambda-s3-role`.
    let role = "role `LambdaS3Role`";
    assert!(logs.3.iter().any(|l| l == role), "{logs:?}");
    // The S3 statement names the bucket and its objects: nothing about its resources.
    for needle in ["${UploadBucketName}\"", "${UploadBucketName}/*"] {
        let s3_line = line_of(needle);
        assert!(!found.iter().any(|f| f.1 == s3_line), "{found:?}");
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn intrinsic_arns_are_placeholders_not_wildcards() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "t.yaml",
        r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage: {Type: String, Default: prod}
Resources:
  Bucket: {Type: AWS::S3::Bucket}
  Table: {Type: AWS::DynamoDB::Table}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: data
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub arn:${AWS::Partition}:s3:::${Bucket}/${Stage}/*
              - Effect: Allow
                Action: [dynamodb:GetItem, dynamodb:PutItem]
                Resource: !GetAtt Table.Arn
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: !ImportValue shared-queue-arn
"#,
    );
    let outcome = lint(&[&path]);
    let found = findings(&outcome);
    let over: Vec<_> = found
        .iter()
        .filter(|f| f.0.contains("wildcard") || f.0 == "resource-mismatch")
        .collect();
    assert!(over.is_empty(), "{over:?}");
    assert!(outcome.errors.is_empty());
}

#[test]
fn cdk_output_is_walked_and_names_the_construct() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "cdk.out/AppStack.template.json",
        r#"{
  "Resources": {
    "HandlerServiceRoleFCDC14AE": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}]
      },
      "Metadata": {"aws:cdk:path": "AppStack/Handler/ServiceRole/Resource"}
    },
    "Handler886CB40B": {
      "Type": "AWS::Lambda::Function",
      "Properties": {"Runtime": "python3.13", "Handler": "index.handler", "Role": {"Fn::GetAtt": ["HandlerServiceRoleFCDC14AE", "Arn"]}},
      "Metadata": {"aws:cdk:path": "AppStack/Handler/Resource"}
    }
  }
}
"#,
    );
    let outcome = lint(&[dir.path()]);
    let found = findings(&outcome);
    let wildcard = found
        .iter()
        .find(|f| f.0 == "service-wildcard-action")
        .expect("s3:* in cdk.out reported");
    assert!(
        wildcard
            .3
            .iter()
            .any(|l| l.contains("AppStack/Handler/ServiceRole/Resource")),
        "{wildcard:?}"
    );
    assert!(
        wildcard
            .3
            .iter()
            .any(|l| l.contains("AppStack/Handler/Resource")),
        "{wildcard:?}"
    );
}

#[test]
fn globals_are_merged_into_each_function() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "template.yaml",
        r#"Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.13
    Tracing: Active
    Environment:
      Variables:
        DB_PASSWORD: hunter2-is-not-a-password
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.handler
      CodeUri: src/
  B:
    Type: AWS::Serverless::Function
    Properties:
      Handler: b.handler
      CodeUri: src/
      Tracing: PassThrough
"#,
    );
    let outcome = lint(&[&path]);
    let found = findings(&outcome);
    assert!(
        found.iter().any(|f| f.0 == "lambda-env-secret"),
        "{found:?}"
    );
    let tracing: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "lambda-no-tracing")
        .collect();
    assert_eq!(tracing.len(), 1, "only B overrides tracing: {tracing:?}");
    assert!(
        !found.iter().any(|f| f.0 == "lambda-role-missing-logs"),
        "SAM adds the basic execution role"
    );
}

#[test]
fn serverless_includes_are_read_from_disk_when_only_the_configuration_is_linted() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/serverless-include");
    let outcome = lint(&[&dir.join("serverless.yml")]);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_eq!(outcome.files_linted, 1);
    let wildcard: Vec<(String, usize, usize)> = outcome
        .findings
        .iter()
        .filter(|f| f.rule.name == "service-wildcard-action")
        .map(|f| {
            let source = &outcome.sources[f.file];
            let at = source.line_col(f.span.start);
            (
                source.display.rsplit('/').next().unwrap().to_string(),
                at.line,
                at.column,
            )
        })
        .collect();
    // `Action: 'dynamodb:*'` as written in the included file.
    assert_eq!(wildcard, [("iam.yml".to_string(), 4, 13)]);
}
