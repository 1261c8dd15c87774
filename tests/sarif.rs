//! `check --format sarif` over the fixtures: the output validates against the SARIF 2.1.0
//! schema and carries what GitHub code scanning reads (security-severity, fingerprints, help).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary from the crate root so artifact URIs are `fixtures/...`.
fn iamlint(args: &[&str]) -> (Option<i32>, String) {
    iamlint_in(manifest_dir(), args)
}

fn iamlint_in(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_iamlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run iamlint");
    let stdout = String::from_utf8(output.stdout).expect("utf-8 stdout");
    (output.status.code(), stdout)
}

fn sarif_over_fixtures() -> (String, Value) {
    let (code, stdout) = iamlint(&["check", "--format", "sarif", "fixtures"]);
    assert!(matches!(code, Some(0..=2)), "unexpected exit code {code:?}");
    let log = serde_json::from_str(&stdout).expect("SARIF output is JSON");
    (stdout, log)
}

fn schema_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(manifest_dir().join("tests/data/sarif-schema-2.1.0.json"))
        .expect("read schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn output_validates_against_the_sarif_schema() {
    let (_, log) = sarif_over_fixtures();
    let validator = schema_validator();
    let errors = schema_errors(&validator, &log);
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));

    // The validator does reject a broken log, so a pass above means something.
    let mut broken = log.clone();
    broken["version"] = Value::from("2.0.0");
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(schema_errors(&validator, &broken).len() >= 2);
}

#[test]
fn rules_carry_github_properties_and_help() {
    let (_, log) = sarif_over_fixtures();
    let (_, listed) = iamlint(&["rules", "--format", "json"]);
    let listed: Value = serde_json::from_str(&listed).expect("rules JSON");
    let listed = listed.as_array().expect("rule list");

    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("%SRCROOT%");
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "iamlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), listed.len(), "every registered rule is listed");
    for (rule, entry) in rules.iter().zip(listed) {
        let id = rule["id"].as_str().expect("id");
        assert_eq!(id, entry["name"]);
        assert_eq!(rule["properties"]["code"], entry["code"]);
        assert_eq!(rule["properties"]["category"], entry["category"]);
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: security-severity is a string"))
            .parse()
            .unwrap_or_else(|_| panic!("{id}: security-severity is a number"));
        assert!((0.0..=10.0).contains(&score), "{id}: {score}");
        let tags = rule["properties"]["tags"].as_array().expect("tags");
        assert!(tags.contains(&Value::from("security")), "{id}: tags");
        for key in ["text", "markdown"] {
            let help = rule["help"][key].as_str().unwrap_or("");
            assert!(help.contains("## What it flags"), "{id}: help.{key}");
        }
        assert!(rule["shortDescription"]["text"].is_string(), "{id}");
        assert!(rule["fullDescription"]["text"].is_string(), "{id}");
        assert_eq!(
            rule["helpUri"],
            format!("https://github.com/iamlint/iamlint/blob/main/rules/{id}.md")
        );
        let level = rule["defaultConfiguration"]["level"]
            .as_str()
            .expect("level");
        assert!(
            ["error", "warning", "note"].contains(&level),
            "{id}: {level}"
        );
    }
}

#[test]
fn results_carry_locations_and_fingerprints() {
    let (_, log) = sarif_over_fixtures();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty(), "the fixtures fire rules");

    let mut fingerprints = std::collections::HashSet::new();
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let fingerprint = result["partialFingerprints"]["iamlint/v2"]
            .as_str()
            .expect("fingerprint");
        assert!(
            fingerprint.len() == 16 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
            "{fingerprint}"
        );
        assert!(
            fingerprints.insert(fingerprint.to_string()),
            "unique fingerprints"
        );
        assert!(!result["message"]["text"].as_str().unwrap_or("").is_empty());
        assert!(result["properties"]["severity"].is_string());

        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(uri.starts_with("fixtures/"), "{uri}");
        let region = &location["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[key].as_u64().is_some_and(|n| n >= 1), "{key}");
        }
        assert!(region["snippet"]["text"].is_string());
    }
}

#[test]
fn output_is_deterministic() {
    let (first, _) = sarif_over_fixtures();
    let (second, _) = sarif_over_fixtures();
    assert_eq!(first, second);
}

const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

#[test]
fn secrets_never_reach_the_output() {
    let (_, listed) = iamlint(&["rules", "--format", "json"]);
    if !listed.contains("\"lambda-env-secret\"") {
        // Nothing marks values as sensitive without this rule.
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let template = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\n\
         Transform: AWS::Serverless-2016-10-31\n\
         Resources:\n  \
           Uploader:\n    \
             Type: AWS::Serverless::Function\n    \
             Properties:\n      \
               Runtime: python3.13\n      \
               Handler: app.handler\n      \
               Environment:\n        \
                 Variables:\n          \
                   KEY_ID: {KEY_ID}\n          \
                   KEY: {SECRET_KEY}\n"
    );
    std::fs::write(dir.path().join("template.yaml"), template).expect("write template");
    for format in ["sarif", "junit", "github", "html"] {
        let (_, out) = iamlint_in(dir.path(), &["check", "--format", format, "."]);
        assert!(!out.contains(KEY_ID), "{format} shows the key id:\n{out}");
        assert!(
            !out.contains(SECRET_KEY),
            "{format} shows the secret:\n{out}"
        );
        assert!(
            out.contains("lambda-env-secret"),
            "{format}: rule fired\n{out}"
        );
    }
    let (_, out) = iamlint_in(dir.path(), &["check", "--format", "sarif", "."]);
    let log: Value = serde_json::from_str(&out).expect("SARIF is JSON");
    let snippets: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["ruleId"] == "lambda-env-secret")
        .filter_map(|r| r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"].as_str())
        .collect();
    assert!(snippets.contains(&"AKIA****************"), "{snippets:?}");
}

#[test]
fn suppressed_findings_are_dismissed_results_and_loader_notes_are_notifications() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("policy.yaml"),
        "Version: \"2012-10-17\"\nStatement:\n  - Effect: Allow\n    Action: \"s3:*\"  # iamlint: ignore[service-wildcard-action] bucket admin tool\n    Resource: \"arn:aws:s3:::b/*\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("template.yaml"),
        "Transform: [AWS::Serverless-2016-10-31, MyMacro]\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n",
    )
    .unwrap();
    let (_, out) = iamlint_in(
        dir.path(),
        &["check", "--format", "sarif", "--show-suppressed", "."],
    );
    let log: Value = serde_json::from_str(&out).unwrap();
    assert!(
        schema_errors(&schema_validator(), &log).is_empty(),
        "{:?}",
        schema_errors(&schema_validator(), &log)
    );
    let results = log["runs"][0]["results"].as_array().unwrap();
    let dismissed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(dismissed.len(), 1, "{results:?}");
    assert_eq!(
        dismissed[0]["suppressions"][0]["justification"],
        "bucket admin tool"
    );
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["level"] == "note"
                && n["message"]["text"].as_str().unwrap().contains("MyMacro")),
        "{notes:?}"
    );
}
