//! End-to-end tests of the `iamlint` binary: exit codes, config files, suppressions,
//! baselines and standard input, each in a throw-away directory.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const WILDCARD_ACTION: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::example-bucket/*"}
  ]
}
"#;

/// Only a medium finding: a partial service wildcard.
const MEDIUM_ONLY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Save", "Effect": "Allow", "Action": "s3:Put*", "Resource": "arn:aws:s3:::example-bucket/*"}
  ]
}
"#;

const CLEAN: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}
  ]
}
"#;

/// A temporary project: a directory with an empty `.git`, so config discovery stops there.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iamlint"));
    cmd.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .stdin(Stdio::null());
    cmd
}

fn iamlint(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().unwrap()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(output), stderr(output)))
}

/// `(rule, line)` of every finding in a JSON report, in report order.
fn findings(report: &Value, key: &str) -> Vec<(String, u64)> {
    report[key]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap().to_string(),
                        f["line"].as_u64().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn exit_codes_are_0_clean_1_findings_2_bad_input() {
    let dir = project(&[("clean.json", CLEAN), ("admin.json", WILDCARD_ACTION)]);
    let clean = iamlint(dir.path(), &["check", "clean.json"]);
    assert_eq!(code(&clean), 0, "{}", stderr(&clean));
    assert!(stderr(&clean).contains("no findings in 1 file"));

    let dirty = iamlint(dir.path(), &["check", "admin.json"]);
    assert_eq!(code(&dirty), 1);
    assert!(stdout(&dirty).contains("wildcard-action(IAM001)"));

    let missing = iamlint(dir.path(), &["check", "nope.json"]);
    assert_eq!(code(&missing), 2);
    let usage = iamlint(dir.path(), &["check", "--fail-on", "severe"]);
    assert_eq!(code(&usage), 2);
    let unknown_rule = iamlint(dir.path(), &["check", "--select", "wildcard-actoin"]);
    assert_eq!(code(&unknown_rule), 2);
    assert!(stderr(&unknown_rule).contains("did you mean `wildcard-action`?"));
}

#[test]
fn fail_on_sets_the_threshold() {
    // Only IAM002 runs, so rules added later do not change the outcome.
    let dir = project(&[("read.json", MEDIUM_ONLY)]);
    let high = iamlint(
        dir.path(),
        &[
            "check",
            "--select",
            "IAM002",
            "--fail-on",
            "high",
            "read.json",
        ],
    );
    assert_eq!(code(&high), 0);
    assert!(stdout(&high).contains("service-wildcard-action"));
    let medium = iamlint(
        dir.path(),
        &[
            "check",
            "--select",
            "IAM002",
            "--fail-on",
            "medium",
            "read.json",
        ],
    );
    assert_eq!(code(&medium), 1);

    // From the config; the flag wins over it.
    write(
        dir.path(),
        "iamlint.toml",
        "select = [\"IAM002\"]\nfail-on = \"high\"\n",
    );
    assert_eq!(code(&iamlint(dir.path(), &["check", "read.json"])), 0);
    let flag = iamlint(dir.path(), &["check", "--fail-on", "medium", "read.json"]);
    assert_eq!(code(&flag), 1);
}

#[test]
fn a_bad_file_is_an_error_with_position_and_the_good_file_is_still_linted() {
    let bad = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\",, \"Action\": \"*\"}\n  ]\n}\n";
    let dir = project(&[("bad.json", bad), ("good.json", MEDIUM_ONLY)]);
    let out = iamlint(dir.path(), &["check", "bad.json", "good.json"]);
    assert_eq!(code(&out), 2);
    assert!(
        stdout(&out).contains("error: bad.json:4:24: invalid JSON"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("good.json:4:50"));

    let report = json(&iamlint(
        dir.path(),
        &[
            "check",
            "--select",
            "IAM002",
            "--format",
            "json",
            "bad.json",
            "good.json",
        ],
    ));
    assert_eq!(
        findings(&report, "findings"),
        [("service-wildcard-action".into(), 4)]
    );
    assert_eq!(report["errors"][0]["file"], "bad.json");
    assert_eq!(report["errors"][0]["line"], 4);
    assert_eq!(report["errors"][0]["column"], 24);
}

#[test]
fn config_errors_name_file_line_and_column() {
    let dir = project(&[
        ("admin.json", WILDCARD_ACTION),
        (
            "iamlint.toml",
            "select = [\"over-privilege\"]\n\n[severity]\nwildcard-action = \"high\"\nbogus = \"low\"\n",
        ),
    ]);
    let out = iamlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("iamlint.toml:5:1: unknown rule `bogus`"),
        "{}",
        stderr(&out)
    );

    write(
        dir.path(),
        "iamlint.toml",
        "select = []\nfail_on = \"high\"\n",
    );
    let out = iamlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("iamlint.toml:2:1: unknown field `fail_on`"),
        "{}",
        stderr(&out)
    );
    // `--no-config` skips the broken file.
    assert_eq!(code(&iamlint(dir.path(), &["check", "--no-config"])), 1);
}

#[test]
fn config_is_found_in_a_parent_directory_and_flags_override_it() {
    let dir = project(&[
        ("policies/admin.json", WILDCARD_ACTION),
        ("policies/read.json", MEDIUM_ONLY),
        (
            ".iamlint.toml",
            "select = [\"IAM001\", \"IAM002\"]\nignore = [\"wildcard-action\"]\n[severity]\nservice-wildcard-action = \"info\"\n",
        ),
    ]);
    let sub = dir.path().join("policies");
    let report = json(&iamlint(&sub, &["check", "--format", "json"]));
    assert_eq!(
        findings(&report, "findings"),
        [("service-wildcard-action".into(), 4)]
    );
    assert_eq!(report["findings"][0]["severity"], "info");
    // `--select` replaces the config's selection; `ignore` still applies.
    let report = json(&iamlint(
        &sub,
        &["check", "--format", "json", "--select", "IAM001,IAM002"],
    ));
    assert_eq!(findings(&report, "findings").len(), 1);
    // An explicit `--config`.
    write(dir.path(), "other.toml", "select = [\"wildcard-action\"]\n");
    let report = json(&iamlint(
        &sub,
        &["check", "--format", "json", "--config", "../other.toml"],
    ));
    assert_eq!(
        findings(&report, "findings"),
        [("wildcard-action".into(), 4)]
    );
}

#[test]
fn config_exclude_and_path_suppressions_with_sid() {
    let two_statements = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AdminBreakGlass", "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::example-bucket/*"},
    {"Sid": "Other", "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::example-bucket/*"}
  ]
}
"#;
    let config = r#"exclude = ["legacy/"]
select = ["wildcard-action", "unused-suppression"]

[[suppress]]
path = "policies/admin.json"
rule = "wildcard-action"
sid = "AdminBreakGlass"
reason = "break-glass role"

[[suppress]]
path = "policies/admin.json"
rule = "IAM001"
sid = "Gone"
reason = "statement was removed"
"#;
    let dir = project(&[
        ("policies/admin.json", two_statements),
        ("legacy/old.json", WILDCARD_ACTION),
        ("iamlint.toml", config),
    ]);
    let out = iamlint(
        dir.path(),
        &["check", "--format", "json", "--show-suppressed"],
    );
    let report = json(&out);
    let mut found = findings(&report, "findings");
    found.sort();
    assert_eq!(
        found,
        [
            ("unused-suppression".to_string(), 12),
            ("wildcard-action".to_string(), 5)
        ]
    );
    let stale = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "unused-suppression")
        .unwrap();
    assert_eq!(stale["file"], "iamlint.toml");
    assert_eq!(
        findings(&report, "suppressed"),
        [("wildcard-action".into(), 4)]
    );
    assert_eq!(report["suppressed"][0]["reason"], "break-glass role");
    assert_eq!(report["suppressed"][0]["suppressed_by"], "config");
    // Without --show-suppressed there is no list; the summary counts them.
    let out = iamlint(dir.path(), &["check"]);
    assert!(stderr(&out).contains(", 1 suppressed"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("suppressed findings"));
}

/// The files that have findings in a JSON report, sorted.
fn files_with_findings(report: &Value) -> Vec<String> {
    let mut files: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    files.dedup();
    files
}

#[test]
fn cli_and_config_exclude_share_gitignore_like_patterns() {
    let tree = [
        "legacy/a.json",
        "stacks/legacy/b.json",
        "legacy-new/c.json",
        "tests/fixtures/d.json",
        "tests/fixtures/sub/e.json",
        "policies/old/f.json",
        "app/policies/old/g.json",
        "keep.json",
    ];
    let files: Vec<(&str, &str)> = tree.iter().map(|p| (*p, WILDCARD_ACTION)).collect();
    let dir = project(&files);
    let patterns = ["legacy", "**/fixtures/*.json", "policies/old/"];
    let kept = [
        "app/policies/old/g.json",
        "keep.json",
        "legacy-new/c.json",
        "tests/fixtures/sub/e.json",
    ];

    let mut args = vec!["check", "--format", "json"];
    for pattern in patterns {
        args.extend(["--exclude", pattern]);
    }
    let report = json(&iamlint(dir.path(), &args));
    assert_eq!(files_with_findings(&report), kept, "--exclude");

    let config = format!(
        "exclude = [{}]\n",
        patterns.map(|p| format!("\"{p}\"")).join(", ")
    );
    write(dir.path(), "iamlint.toml", &config);
    let report = json(&iamlint(dir.path(), &["check", "--format", "json"]));
    assert_eq!(files_with_findings(&report), kept, "config exclude");
    fs::remove_file(dir.path().join("iamlint.toml")).unwrap();

    // A pattern with a slash is anchored to the current directory for `--exclude`.
    let app = dir.path().join("app");
    let report = json(&iamlint(
        &app,
        &["check", "--format", "json", "--exclude", "policies/old/"],
    ));
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    let report = json(&iamlint(
        dir.path(),
        &[
            "check",
            "app",
            "--format",
            "json",
            "--exclude",
            "policies/old/",
        ],
    ));
    assert_eq!(files_with_findings(&report), ["app/policies/old/g.json"]);

    // Bad patterns are input errors, from either place.
    let out = iamlint(dir.path(), &["check", "--exclude", "a/[b"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("invalid path pattern `a/[b`"),
        "{}",
        stderr(&out)
    );
    write(dir.path(), "iamlint.toml", "exclude = [\"a/[b\"]\n");
    let out = iamlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("invalid path pattern `a/[b`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn allowed_actions_accepts_listed_wildcards() {
    let dir = project(&[
        ("read.json", MEDIUM_ONLY),
        (
            "iamlint.toml",
            "select = [\"IAM002\"]\n[rules.service-wildcard-action]\nallowed-actions = [\"S3:PUT*\"]\n",
        ),
    ]);
    let out = iamlint(dir.path(), &["check", "--show-suppressed"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("[rule-option: `s3:Put*` is in `allowed-actions`"));
}

#[test]
fn suppression_comments_silence_their_rule_on_their_line_only() {
    let policy = r#"Version: "2012-10-17"
Statement:
  - Effect: Allow
    Action: "s3:*"
    Resource: "*" # iamlint: ignore[wildcard-resource] lists every bucket, see TICKET-1
  - Effect: Allow
    # iamlint: ignore[wildcard-action] stale exception
    Action: "s3:ListAllMyBuckets"
    Resource: "*"
  - Effect: Allow
    Action: "s3:GetObject"
    Resource: "*" # iamlint: ignore[wildcard-resource]
"#;
    let dir = project(&[("policy.yaml", policy)]);
    let out = iamlint(
        dir.path(),
        &["check", "--format", "json", "--show-suppressed"],
    );
    assert_eq!(code(&out), 1);
    let report = json(&out);
    let found = findings(&report, "findings");
    // Line 4: the wildcard action on the suppressed line is still reported.
    assert!(
        found.contains(&("service-wildcard-action".into(), 4)),
        "{found:?}"
    );
    assert!(!found.contains(&("wildcard-resource".into(), 5)));
    // The stale suppression and the one without a reason.
    assert!(
        found.contains(&("unused-suppression".into(), 7)),
        "{found:?}"
    );
    assert!(
        found.contains(&("unused-suppression".into(), 12)),
        "{found:?}"
    );
    // A suppression without a reason does not suppress.
    assert!(
        found.contains(&("wildcard-resource".into(), 12)),
        "{found:?}"
    );
    assert_eq!(
        findings(&report, "suppressed"),
        [("wildcard-resource".into(), 5)]
    );
    assert_eq!(
        report["suppressed"][0]["reason"],
        "lists every bucket, see TICKET-1"
    );
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(messages.contains(&"suppression of `wildcard-action` silences no finding"));
    assert!(messages.contains(&"suppression of `wildcard-resource` has no reason"));

    // Human output lists suppressed findings in a section.
    let out = iamlint(dir.path(), &["check", "--show-suppressed"]);
    assert!(stdout(&out)
        .contains("suppressed findings:\n  policy.yaml:5:15: medium wildcard-resource(IAM003)"));
}

#[test]
fn baseline_hides_known_findings_even_when_lines_move() {
    let before = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Old", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket/*"},
    {"Sid": "Fixed", "Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:us-east-1:111122223333:jobs"}
  ]
}
"#;
    let dir = project(&[("policies/app.json", before)]);
    let out = iamlint(
        dir.path(),
        &[
            "check",
            "--select",
            "IAM002",
            "--write-baseline",
            "iamlint-baseline.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("wrote 2 findings to iamlint-baseline.json"));
    let baseline: Value = serde_json::from_str(
        &fs::read_to_string(dir.path().join("iamlint-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(baseline["version"], 2);
    assert_eq!(baseline["entries"][0]["rule"], "service-wildcard-action");
    assert_eq!(baseline["entries"][0]["file"], "policies/app.json");
    assert!(baseline["entries"][0]["fingerprint"].is_string());

    // Lines inserted above, the old finding moved, one fixed, one new wildcard.
    let after = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Clean", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"},
    {"Sid": "New", "Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Orders"},
    {
      "Sid": "Old",
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::example-bucket/*"
    }
  ]
}
"#;
    write(dir.path(), "policies/app.json", after);
    let out = iamlint(
        dir.path(),
        &[
            "check",
            "--select",
            "IAM002",
            "--baseline",
            "iamlint-baseline.json",
            "--format",
            "json",
            "--output",
            "report.json",
        ],
    );
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("; 1 finding in baseline, 1 fixed since"),
        "{}",
        stderr(&out)
    );
    let report: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(
        findings(&report, "findings"),
        [("service-wildcard-action".into(), 5)]
    );
    assert!(report["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("dynamodb:*"));

    // A second identical wildcard is new too; the first stays baselined.
    let twice = after.replace(
        "    {\n      \"Sid\": \"Old\"",
        "    {\"Sid\": \"Copy\", \"Effect\": \"Allow\", \"Action\": \"dynamodb:*\", \"Resource\": \"*\"},\n    {\n      \"Sid\": \"Old\"",
    );
    write(dir.path(), "policies/app.json", &twice);
    let report = json(&iamlint(
        dir.path(),
        &[
            "check",
            "--baseline",
            "iamlint-baseline.json",
            "--format",
            "json",
            "--select",
            "IAM002",
        ],
    ));
    assert_eq!(findings(&report, "findings").len(), 2);

    let missing = iamlint(dir.path(), &["check", "--baseline", "nope.json"]);
    assert_eq!(code(&missing), 2);
}

/// The sorted `fingerprint`s of a JSON report's findings.
fn json_fingerprints(report: &Value) -> Vec<String> {
    let mut prints: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    prints.sort();
    prints
}

#[test]
fn baseline_sarif_and_json_agree_on_fingerprints() {
    let two = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Sid": "B", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
  ]
}
"#;
    let dir = project(&[("policies/app.json", two), ("other.json", WILDCARD_ACTION)]);
    let out = iamlint(dir.path(), &["check", "--write-baseline", "base.json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let baseline: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("base.json")).unwrap()).unwrap();
    let mut from_baseline: Vec<String> = baseline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap().to_string())
        .collect();
    from_baseline.sort();
    assert!(from_baseline.len() >= 4, "{baseline}");

    // The baseline records every finding, those the default output folds into another on
    // the same value included, so switching persona brings nothing new: compare with the
    // auditor's full list.
    let report = json(&iamlint(
        dir.path(),
        &["check", "--format", "json", "--persona", "auditor"],
    ));
    let from_json = json_fingerprints(&report);
    assert_eq!(from_json, from_baseline);
    let unique: std::collections::BTreeSet<&String> = from_json.iter().collect();
    assert_eq!(unique.len(), from_json.len(), "duplicates are told apart");

    let sarif = json(&iamlint(
        dir.path(),
        &["check", "--format", "sarif", "--persona", "auditor"],
    ));
    let mut from_sarif: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["iamlint/v2"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    from_sarif.sort();
    assert_eq!(from_sarif, from_baseline);

    // Lines added above every finding change no fingerprint.
    write(
        dir.path(),
        "policies/app.json",
        &two.replacen("{\n", "{\n\n  \"Id\": \"padding\",\n\n", 1),
    );
    let moved = json(&iamlint(
        dir.path(),
        &["check", "--format", "json", "--persona", "auditor"],
    ));
    assert_eq!(json_fingerprints(&moved), from_json);
    let lines: Vec<u64> = moved["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == "policies/app.json")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert!(
        lines.iter().all(|&l| l >= 7),
        "findings moved down: {lines:?}"
    );
}

/// 64-bit FNV-1a, as version 1 baselines hashed the flagged text.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn version_1_baselines_still_match_and_ask_to_be_rewritten() {
    let dir = project(&[("policies/app.json", WILDCARD_ACTION)]);
    let legacy = serde_json::json!({
        "version": 1,
        "entries": [{
            "rule": "wildcard-action",
            "file": "policies/app.json",
            "fingerprint": format!("{:016x}-0", fnv1a(b"\"*\"")),
            "message": "written by iamlint 0.1"
        }]
    });
    write(dir.path(), "old-baseline.json", &legacy.to_string());
    let args = [
        "check",
        "--select",
        "wildcard-action",
        "--baseline",
        "old-baseline.json",
    ];
    let out = iamlint(dir.path(), &args);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("uses baseline format 1; it still works")
            && stderr(&out).contains("--write-baseline old-baseline.json"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("1 finding in baseline"),
        "{}",
        stderr(&out)
    );

    // Rewriting upgrades it to the current format, which matches just the same.
    let out = iamlint(
        dir.path(),
        &[
            "check",
            "--select",
            "wildcard-action",
            "--write-baseline",
            "old-baseline.json",
        ],
    );
    assert_eq!(code(&out), 0);
    let out = iamlint(dir.path(), &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));

    // A format this version does not know is a clear error.
    write(
        dir.path(),
        "future.json",
        r#"{"version": 99, "entries": []}"#,
    );
    let out = iamlint(dir.path(), &["check", "--baseline", "future.json"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("version 99 is not supported"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn stdin_is_linted_as_the_named_file() {
    let dir = project(&[(
        "iamlint.toml",
        "select = [\"IAM002\"]\n[[suppress]]\npath = \"policies/read.json\"\nrule = \"IAM002\"\nreason = \"reviewed\"\n",
    )]);
    let run = |args: &[&str]| {
        let mut child = command(dir.path(), args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A write error (the child already gone) shows up in the exit code and stderr below.
        let _ = child
            .stdin
            .take()
            .unwrap()
            .write_all(MEDIUM_ONLY.as_bytes());
        child.wait_with_output().unwrap()
    };
    let out = run(&[
        "check",
        "--stdin",
        "--stdin-filename",
        "policies/admin.json",
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["findings"][0]["file"], "policies/admin.json");
    assert_eq!(report["findings"][0]["line"], 4);
    // The config's path suppression applies to the name given.
    let out = run(&["check", "--stdin", "--stdin-filename", "policies/read.json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    // Without a name the content decides the format.
    assert_eq!(code(&run(&["check", "--stdin"])), 1);
    // Paths and --stdin do not mix.
    assert_eq!(code(&run(&["check", "--stdin", "a.json"])), 2);
}

#[test]
fn init_writes_a_config_that_parses_and_never_overwrites() {
    let dir = project(&[("clean.json", CLEAN)]);
    let out = iamlint(dir.path(), &["init"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = fs::read_to_string(dir.path().join("iamlint.toml")).unwrap();
    assert!(text.contains("# [[suppress]]"));
    assert_eq!(code(&iamlint(dir.path(), &["check"])), 0);
    let again = iamlint(dir.path(), &["init"]);
    assert_eq!(code(&again), 2);
    assert!(stderr(&again).contains("already exists"));
}

#[test]
fn completions_and_man_page() {
    let dir = project(&[]);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = iamlint(dir.path(), &["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}");
        assert!(stdout(&out).contains("iamlint"), "{shell}");
    }
    let man = iamlint(dir.path(), &["man"]);
    assert_eq!(code(&man), 0);
    assert!(stdout(&man).starts_with(".ie") || stdout(&man).contains(".TH iamlint"));
    let check = iamlint(dir.path(), &["man", "check"]);
    assert!(
        stdout(&check).contains("\\-\\-baseline"),
        "{}",
        stdout(&check)
    );
}

#[test]
fn no_progress_line_when_stderr_is_not_a_terminal() {
    let files: Vec<(String, &str)> = (0..250)
        .map(|i| (format!("p/{i:03}.json"), CLEAN))
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let dir = project(&refs);
    let out = iamlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 0);
    assert!(!stderr(&out).contains("linting"));
    assert!(!stderr(&out).contains('\r'));
    assert!(stderr(&out).contains("no findings in 250 files"));
}

#[test]
fn extra_secret_names_widen_lambda_env_secret() {
    let template = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          CARD_PIN: "4921"
"#;
    let dir = project(&[("template.yaml", template)]);
    let args = [
        "check",
        "--select",
        "lambda-env-secret",
        "--format",
        "json",
        "template.yaml",
    ];
    let without = json(&iamlint(dir.path(), &args));
    assert!(findings(&without, "findings").is_empty(), "{without}");
    write(
        dir.path(),
        "iamlint.toml",
        "[rules.lambda-env-secret]\nextra-secret-names = [\"pin\"]\n",
    );
    let output = iamlint(dir.path(), &args);
    let with = json(&output);
    assert_eq!(
        findings(&with, "findings"),
        vec![("lambda-env-secret".to_string(), 11)],
        "{with}"
    );
    assert!(
        !stdout(&output).contains("4921"),
        "the secret must be redacted"
    );
}

#[test]
fn fix_removes_redundant_actions_and_the_result_lints_clean() {
    let policy = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadUploads",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:Get*", "s3:GetObjectVersion"],
      "Resource": "arn:aws:s3:::my-upload-bucket/*"
    }
  ]
}
"#;
    let dir = project(&[("policy.json", policy)]);
    let args = [
        "check",
        "--select",
        "redundant-action",
        "--format",
        "json",
        "policy.json",
    ];
    assert_eq!(
        findings(&json(&iamlint(dir.path(), &args)), "findings").len(),
        2
    );
    let fixed = iamlint(
        dir.path(),
        &[
            "check",
            "--select",
            "redundant-action",
            "--fix",
            "policy.json",
        ],
    );
    assert_eq!(code(&fixed), 0, "{}", stderr(&fixed));
    assert!(
        stderr(&fixed).contains("fixed 2 findings in 1 file"),
        "{}",
        stderr(&fixed)
    );
    let text = fs::read_to_string(dir.path().join("policy.json")).unwrap();
    assert!(text.contains(r#""Action": ["s3:Get*"]"#), "{text}");
    serde_json::from_str::<Value>(&text).unwrap();
    // Nothing left to fix: a second run changes nothing.
    let again = iamlint(
        dir.path(),
        &[
            "check",
            "--select",
            "redundant-action",
            "--fix",
            "policy.json",
        ],
    );
    assert_eq!(code(&again), 0);
    assert_eq!(
        fs::read_to_string(dir.path().join("policy.json")).unwrap(),
        text
    );
}

#[test]
fn unsafe_fix_narrows_logs_star_to_what_a_function_needs() {
    let dir = project(&[(
        "role.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}"#,
    )]);
    let args = [
        "check",
        "--select",
        "service-wildcard-action",
        "--fix",
        "role.json",
    ];
    // Narrowing is unsafe: plain --fix leaves it alone.
    assert_eq!(code(&iamlint(dir.path(), &args)), 1);
    let fixed = iamlint(
        dir.path(),
        &[
            "check",
            "--select",
            "service-wildcard-action",
            "--fix",
            "--unsafe-fixes",
            "role.json",
        ],
    );
    assert_eq!(code(&fixed), 0, "{}", stderr(&fixed));
    let text = fs::read_to_string(dir.path().join("role.json")).unwrap();
    assert!(
        text.contains(
            r#""Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]"#
        ),
        "{text}"
    );
}

#[test]
fn bad_inputs_each_get_a_one_line_error_and_the_run_goes_on() {
    let dir = project(&[("good.json", WILDCARD_ACTION), ("empty.json", "")]);
    fs::write(dir.path().join("binary.json"), b"{\"a\": \0\0\0\x01}").unwrap();
    fs::write(
        dir.path().join("latin1.json"),
        b"{\"Statement\": \"caf\xe9\"}",
    )
    .unwrap();
    fs::write(
        dir.path().join("big.json"),
        format!("{{\"Statement\": [{}]}}", "{}, ".repeat(400) + "{}"),
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("loop"), dir.path().join("loop/back")).unwrap();
    let output = iamlint(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--max-file-size",
            "1000",
            "good.json",
            "empty.json",
            "binary.json",
            "latin1.json",
            "big.json",
            "missing.json",
            "loop",
        ],
    );
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let report = json(&output);
    let errors: Vec<(String, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let message_of = |file: &str| {
        errors
            .iter()
            .find(|(f, _)| f.contains(file))
            .map(|(_, m)| m.clone())
            .unwrap_or_else(|| panic!("no error for {file}: {errors:?}"))
    };
    assert!(message_of("empty.json").contains("empty"));
    assert!(message_of("binary.json").contains("binary"));
    assert!(message_of("latin1.json").contains("UTF-8"));
    assert!(message_of("big.json").contains("limit"));
    assert!(message_of("missing.json").contains("no such file"));
    assert!(message_of("loop").contains("loop"), "{errors:?}");
    for (_, message) in &errors {
        assert!(!message.contains('\n'), "one line each: {message}");
    }
    // The good file is still linted.
    assert_eq!(
        findings(&report, "findings").first().map(|f| f.0.as_str()),
        Some("wildcard-action")
    );
}

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let policy = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:Get*"],
      "Resource": "arn:aws:s3:::my-upload-bucket/*"
    },
    {
      "Effect": "Allow",
      "Action": "logs:*",
      "Resource": "*"
    }
  ]
}
"#;
    let dir = project(&[("policy.json", policy)]);
    // Safe fixes only: the redundant `s3:GetObject` goes, `logs:*` stays.
    let safe = iamlint(dir.path(), &["check", "--diff", "policy.json"]);
    assert_eq!(code(&safe), 1, "{}", stderr(&safe));
    let text = stdout(&safe);
    assert!(
        text.starts_with("--- a/policy.json\n+++ b/policy.json\n@@ "),
        "{text}"
    );
    assert!(
        text.contains("-      \"Action\": [\"s3:GetObject\", \"s3:Get*\"],\n"),
        "{text}"
    );
    assert!(!text.contains("logs:CreateLogStream"), "{text}");
    assert!(stderr(&safe).contains("1 fix would be applied, nothing was written"));
    // With unsafe fixes the log actions are named too.
    let all = iamlint(
        dir.path(),
        &["check", "--diff", "--unsafe-fixes", "policy.json"],
    );
    assert!(stdout(&all).contains("+      \"Action\": [\"logs:CreateLogGroup\""));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("policy.json")).unwrap(),
        policy,
        "--diff must not write"
    );
    // --unsafe-fixes alone is a usage error.
    assert_eq!(
        code(&iamlint(
            dir.path(),
            &["check", "--unsafe-fixes", "policy.json"]
        )),
        2
    );
}

#[test]
fn json_output_carries_fix_edits() {
    let dir = project(&[(
        "policy.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}"#,
    )]);
    let report = json(&iamlint(
        dir.path(),
        &["check", "--format", "json", "policy.json"],
    ));
    let fixes: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.get("fix"))
        .collect();
    // The action fix `--fix --unsafe-fixes` applies, and the scoped version with
    // placeholders (no function is known) for a person to finish.
    assert_eq!(fixes.len(), 2, "{report}");
    assert_eq!(fixes[0]["applicability"], "unsafe");
    assert_eq!(fixes[1]["applicability"], "display-only");
    assert!(fixes[1]["edits"][1]["replacement"]
        .as_str()
        .unwrap()
        .contains("<function-name>"));
    let edit = &fixes[0]["edits"][0];
    assert_eq!(edit["line"], 1);
    assert_eq!(
        edit["start_offset"].as_u64().unwrap() + 8,
        edit["end_offset"].as_u64().unwrap()
    );
}

const ADVICE_ONLY_TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
"#;

/// No `Version`, but nothing the 2008 language would read differently.
const NO_VERSION_PLAIN: &str = r#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
"#;

/// No `Version` and a policy variable, which the 2008 language leaves as literal text.
const NO_VERSION_VARIABLE: &str = r#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}
"#;

fn rules_of(report: &Value) -> Vec<String> {
    findings(report, "findings")
        .into_iter()
        .map(|(rule, _)| rule)
        .collect()
}

#[test]
fn personas_hide_advice_by_default_and_hidden_findings_never_fail_the_run() {
    let dir = project(&[
        ("template.yaml", ADVICE_ONLY_TEMPLATE),
        ("plain.json", NO_VERSION_PLAIN),
    ]);
    // Default: advice is hidden, said so on the summary line, and does not fail the run
    // even at the lowest threshold.
    let regular = iamlint(dir.path(), &["check", "--fail-on", "info"]);
    assert_eq!(code(&regular), 0, "{}", stdout(&regular));
    assert!(!stdout(&regular).contains("lambda-no-tracing"));
    assert!(
        stderr(&regular).contains("; 3 advice findings hidden; --persona pedantic shows them"),
        "{}",
        stderr(&regular)
    );
    // JSON and SARIF follow the same selection.
    let report = json(&iamlint(dir.path(), &["check", "--format", "json"]));
    assert!(rules_of(&report).is_empty(), "{report}");
    let sarif = json(&iamlint(dir.path(), &["check", "--format", "sarif"]));
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(0)
    );

    let pedantic = iamlint(
        dir.path(),
        &[
            "check",
            "--persona",
            "pedantic",
            "--fail-on",
            "info",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&pedantic), 1);
    assert_eq!(
        rules_of(&json(&pedantic)),
        [
            "missing-version",
            "lambda-no-reserved-concurrency",
            "lambda-no-tracing"
        ]
    );
    // A rule named in --select is shown whatever the persona.
    let named = json(&iamlint(
        dir.path(),
        &["check", "--select", "LMB006", "--format", "json"],
    ));
    assert_eq!(rules_of(&named), ["lambda-no-tracing"]);
    let bad = iamlint(dir.path(), &["check", "--persona", "admin"]);
    assert_eq!(code(&bad), 2);
}

#[test]
fn missing_version_is_shown_by_default_only_where_policy_variables_change_meaning() {
    let dir = project(&[
        ("plain.json", NO_VERSION_PLAIN),
        ("vars.json", NO_VERSION_VARIABLE),
    ]);
    let report = json(&iamlint(dir.path(), &["check", "--format", "json"]));
    assert_eq!(
        findings(&report, "findings"),
        [("missing-version".to_string(), 1)]
    );
    assert_eq!(report["findings"][0]["file"], "vars.json");
}

#[test]
fn persona_from_the_config_and_auditor_lists_suppressed_findings() {
    let dir = project(&[
        ("template.yaml", ADVICE_ONLY_TEMPLATE),
        ("vars.json", NO_VERSION_VARIABLE),
        (
            "iamlint.toml",
            "persona = \"pedantic\"\n[[suppress]]\npath = \"vars.json\"\nrule = \"missing-version\"\nreason = \"legacy\"\n",
        ),
    ]);
    let pedantic = json(&iamlint(dir.path(), &["check", "--format", "json"]));
    assert_eq!(
        rules_of(&pedantic),
        ["lambda-no-reserved-concurrency", "lambda-no-tracing"]
    );
    assert!(pedantic
        .get("suppressed")
        .is_none_or(|s| s.as_array().is_some_and(Vec::is_empty)));
    // The flag overrides the config.
    let regular = json(&iamlint(
        dir.path(),
        &["check", "--persona", "regular", "--format", "json"],
    ));
    assert!(rules_of(&regular).is_empty());
    let auditor = json(&iamlint(
        dir.path(),
        &["check", "--persona", "auditor", "--format", "json"],
    ));
    assert_eq!(findings(&auditor, "suppressed").len(), 1, "{auditor}");
}

#[test]
fn html_report_shows_functions_and_links_sources_from_its_folder() {
    let template = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: s3:*
              Resource: "*"
"#;
    let dir = project(&[("app/template.yaml", template)]);
    fs::create_dir(dir.path().join("reports")).unwrap();
    let out = iamlint(
        dir.path(),
        &[
            "check",
            "app",
            "--format",
            "html",
            "--output",
            "reports/r.html",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let html = fs::read_to_string(dir.path().join("reports/r.html")).unwrap();
    assert!(html.contains("<h3>Worker <span class=\"runtime\">python3.12</span></h3>"));
    assert!(html.contains("data-service=\"s3\""));
    assert!(html.contains("href=\"../app/template.yaml\">app/template.yaml:3:3</a>"));
}

#[test]
fn default_output_folds_findings_on_one_value_and_auditor_lists_them() {
    let policy = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
}
"#;
    let dir = project(&[("app.json", policy)]);
    let all = json(&iamlint(
        dir.path(),
        &["check", "--format", "json", "--persona", "auditor"],
    ));
    let folded = json(&iamlint(dir.path(), &["check", "--format", "json"]));
    let on_action = |report: &Value| -> Vec<Value> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["line"] == 3 && f["rule"] != "wildcard-resource")
            .cloned()
            .collect()
    };
    let (all, folded) = (on_action(&all), on_action(&folded));
    assert!(all.len() >= 2, "{all:?}");
    assert_eq!(folded.len(), 1, "{folded:?}");
    assert_eq!(folded[0]["rule"], "service-wildcard-action");
    let notes: Vec<&str> = folded[0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["label"].as_str())
        .filter(|l| l.starts_with("also `"))
        .collect();
    assert_eq!(notes.len(), all.len() - 1, "{notes:?}");
}
