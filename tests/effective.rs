//! Effective access (issue #12): what the boundary, Denies and organization policies leave
//! of a role's grants decides which risk findings are reported. Inputs in `tests/effective/`
//! and in the rules' fixture folders.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use iamlint::finding::Severity;
use iamlint::lint::{self, Options, Settings};
use iamlint::rules;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (rule name, severity, message) of every finding of `rules` for `path`, under the
/// organization policies of `org` (a folder of `tests/effective/`).
fn findings(path: &str, rule_names: &[&str], org: Option<&str>) -> Vec<(String, Severity, String)> {
    let options = Options {
        paths: vec![root().join(path)],
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: rule_names.iter().map(|n| rules::find(n).unwrap()).collect(),
        input_format: None,
    };
    let settings = Settings {
        org: org.map(|dir| {
            iamlint::load::org::read_dir(&root().join("tests/effective").join(dir)).unwrap()
        }),
        ..Settings::default()
    };
    let outcome = lint::run_with(&options, &settings);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome
        .findings
        .iter()
        .map(|f| (f.rule.name.to_string(), f.severity, f.message.clone()))
        .collect()
}

fn count(found: &[(String, Severity, String)], rule: &str, text: &str) -> usize {
    found
        .iter()
        .filter(|(r, _, m)| r == rule && m.contains(text))
        .count()
}

const RISKS: &[&str] = &["data-exfiltration", "resource-exposure"];
const STYLE: &[&str] = &["service-wildcard-action", "wildcard-resource"];

#[test]
fn a_one_bucket_boundary_removes_the_risks_and_lowers_the_wildcards() {
    for path in [
        "fixtures/data-exfiltration/clean-boundary-one-bucket.cfn.yaml",
        "fixtures/data-exfiltration/clean-boundary-in-globals.sam.yaml",
    ] {
        let risks = findings(path, RISKS, None);
        assert!(risks.is_empty(), "{path}: {risks:?}");
        let style = findings(path, STYLE, None);
        assert_eq!(style.len(), 2, "{path}: {style:?}");
        for (rule, severity, message) in &style {
            assert_eq!(*severity, Severity::Low, "{rule}");
            assert!(message.contains("the permissions boundary `"), "{message}");
            assert!(message.ends_with("limits it"), "{message}");
        }
    }
}

#[test]
fn without_a_limiting_boundary_the_findings_stay() {
    let path = "fixtures/data-exfiltration/fires-boundary-allows-all-s3.cfn.yaml";
    let risks = findings(path, RISKS, None);
    assert_eq!(count(&risks, "data-exfiltration", "s3:GetObject"), 1);
    assert_eq!(count(&risks, "resource-exposure", "s3:PutBucketPolicy"), 1);
    let style = findings(path, STYLE, None);
    assert!(style
        .iter()
        .all(|(_, s, m)| *s > Severity::Low && !m.contains("boundary")));
}

#[test]
fn an_unresolved_boundary_leaves_access_unknown() {
    let found = findings(
        "fixtures/data-exfiltration/fires-boundary-not-in-input.cfn.yaml",
        RISKS,
        None,
    );
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|(_, _, m)| m.contains(
        "effective access not known: the boundary `arn:aws:iam::111122223333:policy/elsewhere` is not in the input"
    )));
}

#[test]
fn an_scp_denying_iam_outside_a_role_path_removes_the_user_escalations() {
    let path = "tests/effective/escalation.cfn.yaml";
    let rules = &["privilege-escalation"];
    let before = findings(path, rules, None);
    assert_eq!(
        count(&before, "privilege-escalation", "iam:CreateAccessKey"),
        1
    );
    assert_eq!(
        count(&before, "privilege-escalation", "iam:UpdateLoginProfile"),
        1
    );
    let after = findings(path, rules, Some("scp-path"));
    // No user is under `role/admin/`: the user paths are gone. Roles under it can still
    // be written, which is an escalation to them.
    assert_eq!(
        count(&after, "privilege-escalation", "iam:CreateAccessKey"),
        0
    );
    assert_eq!(
        count(&after, "privilege-escalation", "iam:UpdateLoginProfile"),
        0
    );
    assert_eq!(
        count(&after, "privilege-escalation", "iam:PutRolePolicy"),
        1
    );
    assert_eq!(
        count(
            &after,
            "privilege-escalation",
            "the SCP `deny-iam-outside-admin-path` leaves it only resources matching a pattern"
        ),
        1
    );
}

#[test]
fn an_scp_allow_list_acts_like_a_boundary() {
    let path = "tests/effective/escalation.cfn.yaml";
    let found = findings(
        path,
        &["privilege-escalation", "data-exfiltration"],
        Some("scp-allow-list"),
    );
    assert_eq!(count(&found, "privilege-escalation", ""), 0, "{found:?}");
    assert_eq!(count(&found, "data-exfiltration", "s3:GetObject"), 1);
}

#[test]
fn conditioned_denies_keep_the_finding_and_say_they_may_apply() {
    let path = "tests/effective/escalation.cfn.yaml";
    // Real SCPs: one denies with conditions on the caller, one without any.
    let found = findings(path, &["privilege-escalation"], Some("corpus-scp"));
    assert_eq!(
        count(
            &found,
            "privilege-escalation",
            "a deny with a condition in the SCP `Deny-critical-IAM-user-actions` may apply"
        ),
        2,
        "{found:?}"
    );
    let found = findings(path, &["data-exfiltration"], Some("rcp"));
    assert_eq!(
        count(
            &found,
            "data-exfiltration",
            "in the RCP `deny-outside-org` may apply"
        ),
        1
    );
    let found = findings(
        "fixtures/data-exfiltration/fires-conditioned-deny-may-apply.cfn.yaml",
        &["data-exfiltration"],
        None,
    );
    assert_eq!(count(&found, "data-exfiltration", "policy `guard`"), 1);
}

#[test]
fn org_policy_files_are_read_in_every_form() {
    let dir = root().join("tests/effective");
    let all = iamlint::load::org::read_dir(&dir).unwrap();
    let names: Vec<&str> = all.policies.iter().map(|p| p.name.as_str()).collect();
    assert!(names.contains(&"AllowS3AndLogs"), "{names:?}");
    assert!(names.contains(&"deny-creating-any-service-specific-credentials"));
    assert!(iamlint::load::org::read_dir(Path::new("/no/such/folder")).is_err());
}

/// `iamlint access` data: what is left, and what took the rest away.
fn access(path: &str, org: Option<&str>) -> Vec<iamlint::access::RoleAccess> {
    let options = Options {
        paths: vec![root().join(path)],
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: Vec::new(),
        input_format: None,
    };
    let settings = Settings {
        access: true,
        org: org.map(|dir| {
            iamlint::load::org::read_dir(&root().join("tests/effective").join(dir)).unwrap()
        }),
        ..Settings::default()
    };
    lint::run_with(&options, &settings).access
}

#[test]
fn access_shows_what_is_left_and_what_took_the_rest() {
    let roles = access(
        "fixtures/data-exfiltration/clean-boundary-one-bucket.cfn.yaml",
        None,
    );
    assert_eq!(roles.len(), 1);
    let role = &roles[0];
    assert_eq!(role.functions, ["ReportFunction"]);
    assert_eq!(role.boundary.as_deref(), Some("reports-boundary"));
    let left: Vec<&str> = role
        .services
        .iter()
        .flat_map(|s| s.levels.iter().flat_map(|l| l.actions.iter()))
        .map(|a| a.action.as_str())
        .collect();
    assert_eq!(left, ["s3:GetObject"]);
    assert!(role.removed[0].by.contains("reports-boundary"));
    assert!(role.removed[0]
        .actions
        .iter()
        .any(|a| a == "s3:PutBucketPolicy"));
    assert_eq!(role.narrowed[0].to, "resources matching a pattern");

    let roles = access("tests/effective/escalation.cfn.yaml", Some("scp-path"));
    let removed: Vec<&str> = roles[0]
        .removed
        .iter()
        .flat_map(|r| r.actions.iter().map(String::as_str))
        .collect();
    assert_eq!(removed, ["iam:CreateAccessKey", "iam:UpdateLoginProfile"]);

    let mut json = Vec::new();
    iamlint::access::render(&roles, iamlint::access::AccessFormat::Json, &mut json).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(value["version"], 1);
    assert_eq!(value["roles"][0]["role"], "Role");
}

#[test]
fn every_loader_reads_the_boundary() {
    use iamlint::model::PolicyKind;
    // (fixture, the boundary's document is in the input, AWS managed name)
    let cases = [
        ("clean-boundary-one-bucket.cfn.yaml", true, None),
        ("clean-boundary-in-globals.sam.yaml", true, None),
        ("clean-boundary-on-function.sam.yaml", true, None),
        ("clean-boundary-one-bucket.tf", true, None),
        ("clean-boundary-in-resources.serverless.yml", true, None),
        ("clean-boundary-in-dump.aws.json", true, None),
        (
            "clean-aws-managed-boundary.serverless.yml",
            false,
            Some("AWSLambdaBasicExecutionRole"),
        ),
        (
            "clean-aws-managed-boundary.tfplan.json",
            false,
            Some("AWSLambdaBasicExecutionRole"),
        ),
    ];
    for (name, in_input, managed) in cases {
        let path = root().join("fixtures/data-exfiltration").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let source = iamlint::source::SourceFile::new(path.clone(), name.into(), text);
        let loaded = iamlint::load::load(0, &source, true).unwrap();
        let model = &loaded.model;
        let boundary = model
            .roles
            .iter()
            .find_map(|r| r.boundary.as_ref())
            .unwrap_or_else(|| panic!("{name}: no boundary"));
        assert_eq!(boundary.policy.is_some(), in_input, "{name}: {boundary:?}");
        assert_eq!(boundary.aws_managed.as_deref(), managed, "{name}");
        if let Some(i) = boundary.policy {
            // It limits; it grants nothing of its own.
            assert_eq!(model.policies[i].kind, PolicyKind::Boundary, "{name}");
        }
        assert!(
            !loaded
                .notes
                .iter()
                .any(|n| n.message.contains("judged without")),
            "{name}"
        );
    }
}
