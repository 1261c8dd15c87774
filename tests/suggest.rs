//! `iamlint suggest`: the three output formats, `--function`, and exit codes.

use std::process::{Command, Output};

const NODE: &str = "fixtures/unused-permission/fires-node-sdk-v3-service-wildcards";

fn iamlint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamlint"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("suggest")
        .args(args)
        .output()
        .expect("run iamlint")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn policy_format_is_a_commented_iam_policy_per_function() {
    let output = iamlint(&[NODE]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.starts_with("// ProcessFunction ("), "{text}");
    let json: String = text
        .lines()
        .filter(|l| !l.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let policy: serde_json::Value = serde_json::from_str(&json).expect("policy JSON");
    assert_eq!(policy["Version"], "2012-10-17");
    let statements = policy["Statement"].as_array().expect("statements");
    assert_eq!(statements.len(), 2);
    assert!(text.contains("// narrowed `s3:*`"), "{text}");
}

#[test]
fn json_format_carries_reasons_with_code_locations_and_the_diff() {
    let output = iamlint(&[NODE, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(value["version"], 1);
    let function = &value["functions"][0];
    assert_eq!(function["function"], "ProcessFunction");
    let statement = &function["statements"][0];
    assert_eq!(statement["actions"][0], "s3:GetObject");
    assert_eq!(
        statement["resources"][0],
        "arn:${AWS::Partition}:s3:::${Photos}/*"
    );
    let location = statement["reasons"][0]["location"]
        .as_str()
        .expect("location");
    assert!(location.ends_with("src/app.mjs:9:5"), "{location}");
    let changes = function["changes"].as_array().expect("changes");
    assert!(changes
        .iter()
        .any(|c| c["action"] == "dynamodb:*" && c["change"] == "narrowed"));
}

#[test]
fn yaml_format_is_a_sam_policies_entry_with_sub() {
    let output = iamlint(&[NODE, "--format", "yaml"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.contains("- Version: \"2012-10-17\"\n  Statement:\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "        - !Sub \"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}\""
        ),
        "{text}"
    );
}

#[test]
fn function_selects_one_and_an_unknown_name_is_exit_2() {
    let output = iamlint(&[
        "examples/lambda-s3/template.yaml",
        "--function",
        "ProcessOrderFunction",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("// ProcessOrderFunction ("), "{text}");
    assert!(!text.contains("ProcessUploadedFile"), "{text}");

    let output = iamlint(&["examples/lambda-s3/template.yaml", "--function", "Nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no function named `Nope`"));
}

#[test]
fn a_missing_path_is_exit_2() {
    let output = iamlint(&["does/not/exist.yaml"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn terraform_format_is_a_policy_document_data_block() {
    let output = iamlint(&["tests/data/suggest/targets.tf", "--format", "terraform"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.contains("data \"aws_iam_policy_document\" \"worker\" {\n"),
        "{text}"
    );
    assert!(
        text.contains("    resources = [\"${aws_sqs_queue.jobs.arn}\"]\n"),
        "{text}"
    );
}
