//! Unit tests of the policy grammar reader on plain JSON and YAML documents.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::model::PolicyKind;
use crate::syntax::parse_auto;

fn read_with(text: &str, kind: Option<PolicyKind>) -> PolicyDocument {
    let json = text.trim_start().starts_with(['{', '[']);
    let doc = parse_auto(text, json).expect("test input parses");
    read_policy(&doc.roots[0], 0, kind, &Literal)
}

fn read(text: &str) -> PolicyDocument {
    read_with(text, None)
}

/// Each problem as (message, the text its span covers).
fn problems_of(doc: &PolicyDocument, text: &str) -> Vec<(String, String)> {
    doc.problems
        .iter()
        .map(|p| (p.message.clone(), text[p.span.range()].to_string()))
        .collect()
}

fn problems(text: &str) -> Vec<(String, String)> {
    problems_of(&read(text), text)
}

/// The single problem of `text`, with the text it points at.
fn one_problem(text: &str) -> (String, String) {
    let found = problems(text);
    assert_eq!(found.len(), 1, "{found:#?}");
    found.into_iter().next().unwrap()
}

/// A condition key with its values.
type KeyValues<'a> = (&'a str, Vec<&'a str>);

fn texts(values: &[PolicyValue]) -> Vec<&str> {
    values.iter().map(|v| v.text.as_str()).collect()
}

const OK: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "Read1", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
]}"#;

#[test]
fn a_valid_policy_has_no_problems() {
    let doc = read(OK);
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    assert_eq!(doc.kind, PolicyKind::Identity);
    assert_eq!(doc.version.as_ref().unwrap().value, "2012-10-17");
    let st = &doc.statements[0];
    assert_eq!(st.sid.as_ref().unwrap().value, "Read1");
    assert_eq!(st.effect.as_ref().unwrap().value, Effect::Allow);
    let action = st.action.as_ref().unwrap();
    assert!(!action.negated);
    assert_eq!(texts(&action.values), ["s3:GetObject"]);
    assert_eq!(&OK[action.values[0].span.range()], "\"s3:GetObject\"");
    assert!(st.principal.is_none());
}

#[test]
fn string_and_list_values_read_alike() {
    let one = read(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}}"#,
    );
    let many = read(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["s3:*", "sqs:*"], "NotResource": ["a", "b"]}]}"#,
    );
    assert!(one.problems.is_empty() && many.problems.is_empty());
    assert_eq!(one.statements.len(), 1);
    assert_eq!(
        texts(&one.statements[0].action.as_ref().unwrap().values),
        ["s3:*"]
    );
    let st = &many.statements[0];
    assert_eq!(st.effect.as_ref().unwrap().value, Effect::Deny);
    assert_eq!(
        texts(&st.action.as_ref().unwrap().values),
        ["s3:*", "sqs:*"]
    );
    let resource = st.resource.as_ref().unwrap();
    assert!(resource.negated);
    assert_eq!(texts(&resource.values), ["a", "b"]);
}

#[test]
fn yaml_policies_read_like_json() {
    let text = "Version: \"2012-10-17\"\nStatement:\n  - Effect: Allow\n    Action:\n      - s3:GetObject\n    Resource: \"*\"\n";
    let doc = read(text);
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    assert_eq!(
        texts(&doc.statements[0].action.as_ref().unwrap().values),
        ["s3:GetObject"]
    );
}

#[test]
fn document_level_problems() {
    assert_eq!(
        one_problem(r#"["s3:GetObject"]"#),
        (
            "a policy document must be an object, found a list".into(),
            r#"["s3:GetObject"]"#.into()
        )
    );
    assert_eq!(
        one_problem(r#"{"Version": "2012-10-17"}"#),
        ("policy has no `Statement`".into(), "\"Version\"".into())
    );
    assert_eq!(
        one_problem(
            r#"{"Version": "2012-10-18", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}"#
        ),
        (
            "`Version` must be \"2012-10-17\", found \"2012-10-18\"".into(),
            "\"2012-10-18\"".into()
        )
    );
    assert_eq!(
        one_problem(
            r#"{"Version": "2012-10-17", "Statment": [], "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}"#
        ),
        (
            "unknown policy key `Statment`".into(),
            "\"Statment\"".into()
        )
    );
    assert_eq!(
        one_problem(r#"{"Version": "2012-10-17", "Statement": []}"#),
        (
            "`Statement` list is empty: the policy grants nothing".into(),
            "[]".into()
        )
    );
    assert_eq!(
        one_problem(r#"{"Version": "2012-10-17", "Statement": "Allow"}"#),
        (
            "`Statement` must be an object or a list of objects, found a string".into(),
            "\"Allow\"".into()
        )
    );
    assert_eq!(
        one_problem(r#"{"Version": "2012-10-17", "Statement": ["Allow"]}"#),
        (
            "a statement must be an object, found a string".into(),
            "\"Allow\"".into()
        )
    );
}

#[test]
fn the_2008_version_and_no_version_are_not_grammar_problems() {
    assert!(problems(r#"{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}"#).is_empty());
    let doc = read(r#"{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}"#);
    assert!(doc.problems.is_empty());
    assert!(doc.version.is_none());
}

#[test]
fn unknown_keys_get_a_suggestion() {
    let doc = read(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Actions": "s3:*", "Resource": "*"}}"#,
    );
    let p: Vec<_> = doc
        .problems
        .iter()
        .map(|p| (p.message.as_str(), p.help.as_str()))
        .collect();
    assert!(
        p.contains(&("unknown statement key `Actions`", "did you mean `Action`?")),
        "{p:?}"
    );
    // Without `Action` the statement also lacks one.
    assert!(
        p.iter()
            .any(|(m, _)| *m == "statement has neither `Action` nor `NotAction`"),
        "{p:?}"
    );
    let far = read(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Owner": "me"}}"#,
    );
    assert_eq!(far.problems.len(), 1);
    assert_eq!(far.problems[0].message, "unknown statement key `Owner`");
    assert!(
        far.problems[0]
            .help
            .starts_with("remove it; statement keys are Sid, Effect"),
        "{}",
        far.problems[0].help
    );
}

#[test]
fn duplicate_keys_point_at_the_second_one() {
    let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Action": "s3:PutObject", "Resource": "*"}}"#;
    let doc = read(text);
    let found = problems_of(&doc, text);
    assert_eq!(
        found,
        [(
            "duplicate key `Action` in statement: IAM silently keeps only the last one".to_string(),
            "\"Action\"".to_string()
        )]
    );
    let second = text.rfind("\"Action\"").unwrap();
    assert_eq!(doc.problems[0].span.start as usize, second);
}

#[test]
fn effect_problems() {
    assert_eq!(
        one_problem(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "allow", "Action": "s3:*", "Resource": "*"}}"#
        ),
        (
            "`Effect` must be \"Allow\" or \"Deny\", found \"allow\"".into(),
            "\"allow\"".into()
        )
    );
    assert_eq!(
        one_problem(
            r#"{"Version": "2012-10-17", "Statement": {"Action": "s3:*", "Resource": "*"}}"#
        ),
        ("statement has no `Effect`".into(), "\"Action\"".into())
    );
}

#[test]
fn action_and_resource_pairs() {
    let (m, at) = one_problem(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "NotAction": "iam:*", "Resource": "*"}}"#,
    );
    assert_eq!(
        (m.as_str(), at.as_str()),
        (
            "statement has both `Action` and `NotAction`",
            "\"NotAction\""
        )
    );
    let (m, _) = one_problem(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*"}}"#,
    );
    assert_eq!(m, "statement has neither `Resource` nor `NotResource`");
    let (m, at) = one_problem(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}}"#,
    );
    assert_eq!(
        (m.as_str(), at.as_str()),
        ("`Action` is an empty list", "[]")
    );
    // A resource policy names its resource implicitly: no `Resource` is fine there.
    let doc = read_with(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage"}}"#,
        Some(PolicyKind::Resource),
    );
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
}

#[test]
fn non_string_values() {
    let (m, at) = one_problem(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:GetObject", 42], "Resource": "*"}}"#,
    );
    assert_eq!(
        (m.as_str(), at.as_str()),
        ("`Action` values must be strings, found a number", "42")
    );
    let (m, at) = one_problem(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": {"Bucket": "b"}}}"#,
    );
    assert_eq!(
        m,
        "`Resource` must be a string or a list of strings, found an object"
    );
    assert_eq!(at, r#"{"Bucket": "b"}"#);
    let (m, _) = one_problem(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": null, "Resource": "*"}}"#,
    );
    assert!(
        m.starts_with("`Action` must be a string or a list of strings, found"),
        "{m}"
    );
    // A quoted number is a string.
    assert!(problems(r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "42"}}"#).is_empty());
}

#[test]
fn sid_problems_depend_on_the_kind() {
    let identity = r#"{"Version": "2012-10-17", "Statement": {"Sid": "read-all", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}}"#;
    let (m, at) = one_problem(identity);
    assert_eq!(
        m,
        "`Sid` \"read-all\" has characters IAM rejects: only A-Z, a-z and 0-9 are allowed"
    );
    assert_eq!(at, "\"read-all\"");
    // S3, SNS and SQS resource policies take any Sid.
    let resource = r#"{"Version": "2012-10-17", "Statement": {"Sid": "__default statement", "Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "*"}}"#;
    assert!(problems(resource).is_empty(), "{:?}", problems(resource));
    let (m, _) = one_problem(
        r#"{"Version": "2012-10-17", "Statement": {"Sid": ["a"], "Effect": "Allow", "Action": "s3:*", "Resource": "*"}}"#,
    );
    assert_eq!(m, "`Sid` must be a string, found a list");
}

#[test]
fn kind_is_inferred_from_principals_and_actions() {
    let trust = read(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}}"#,
    );
    assert_eq!(trust.kind, PolicyKind::Trust);
    assert!(trust.problems.is_empty(), "{:?}", trust.problems);
    let resource = read(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "*"}}"#,
    );
    assert_eq!(resource.kind, PolicyKind::Resource);
    // An explicit kind wins over the inference.
    let explicit = read_with(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}"#,
        Some(PolicyKind::Boundary),
    );
    assert_eq!(explicit.kind, PolicyKind::Boundary);
}

#[test]
fn principal_forms() {
    let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "444455556666"], "Service": "lambda.amazonaws.com", "Federated": "cognito-identity.amazonaws.com", "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "Action": "s3:GetObject", "Resource": "*"}}"#;
    let doc = read(text);
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    let principal = doc.statements[0].principal.as_ref().unwrap();
    assert!(!principal.negated);
    let kinds: Vec<(&str, Vec<&str>)> = principal
        .entries
        .iter()
        .map(|e| (e.kind.value.as_str(), texts(&e.values)))
        .collect();
    assert_eq!(
        kinds[0],
        (
            "AWS",
            vec!["arn:aws:iam::111122223333:root", "444455556666"]
        )
    );
    assert_eq!(kinds[1], ("Service", vec!["lambda.amazonaws.com"]));
    assert_eq!(kinds[2].0, "Federated");
    assert_eq!(kinds[3].0, "CanonicalUser");

    let star = read(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}}"#,
    );
    assert!(star.problems.is_empty());
    let entry = &star.statements[0].principal.as_ref().unwrap().entries[0];
    assert_eq!(
        (entry.kind.value.as_str(), texts(&entry.values)),
        ("*", vec!["*"])
    );

    let not = read(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "*"}}"#,
    );
    assert!(not.problems.is_empty(), "{:?}", not.problems);
    assert!(not.statements[0].principal.as_ref().unwrap().negated);
}

#[test]
fn principal_problems() {
    let (m, at) = one_problem(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "111122223333", "Action": "s3:GetObject", "Resource": "*"}}"#,
    );
    assert_eq!(
        (m.as_str(), at.as_str()),
        (
            "a bare principal must be \"*\", found \"111122223333\"",
            "\"111122223333\""
        )
    );
    let (m, at) = one_problem(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Account": "111122223333"}, "Action": "s3:GetObject", "Resource": "*"}}"#,
    );
    assert_eq!(
        (m.as_str(), at.as_str()),
        ("unknown principal type `Account`", "\"Account\"")
    );
    let found = problems(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "NotPrincipal": "*", "Action": "s3:GetObject", "Resource": "*"}}"#,
    );
    assert_eq!(
        found,
        [(
            "statement has both `Principal` and `NotPrincipal`".to_string(),
            "\"NotPrincipal\"".to_string()
        )]
    );
    let doc = read_with(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}}"#,
        Some(PolicyKind::Identity),
    );
    let messages: Vec<_> = doc.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        ["`Principal` in a policy attached to a role, user or group: identity policies cannot name a principal"]
    );
}

#[test]
fn conditions_are_read_with_operators_keys_and_values() {
    let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {
      "StringEquals": {"aws:PrincipalOrgID": "o-abc", "s3:prefix": ["home/", "public/"]},
      "Bool": {"aws:SecureTransport": true},
      "NumericLessThan": {"s3:max-keys": 10}
    }}}"#;
    let doc = read(text);
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    let st = &doc.statements[0];
    assert!(text[st.condition_span.unwrap().range()].starts_with("\"Condition\""));
    let clauses: Vec<(&str, Vec<KeyValues>)> = st
        .condition
        .iter()
        .map(|c| {
            (
                c.operator.value.as_str(),
                c.entries
                    .iter()
                    .map(|e| (e.key.value.as_str(), texts(&e.values)))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        clauses,
        [
            (
                "StringEquals",
                vec![
                    ("aws:PrincipalOrgID", vec!["o-abc"]),
                    ("s3:prefix", vec!["home/", "public/"])
                ]
            ),
            ("Bool", vec![("aws:SecureTransport", vec!["true"])]),
            ("NumericLessThan", vec![("s3:max-keys", vec!["10"])]),
        ]
    );
}

#[test]
fn condition_problems() {
    let (m, at) = one_problem(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": ["x"]}}"#,
    );
    assert_eq!(
        (m.as_str(), at.as_str()),
        ("`Condition` must be an object, found a list", "[\"x\"]")
    );
    let (m, at) = one_problem(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": "x"}}}"#,
    );
    assert_eq!(
        (m.as_str(), at.as_str()),
        (
            "condition operator `StringEquals` must map keys to values, found a string",
            "\"x\""
        )
    );
    let (m, at) = one_problem(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceAccount": {"a": "b"}}}}}"#,
    );
    assert_eq!(
        m,
        "condition values must be strings, numbers or booleans, found an object"
    );
    assert_eq!(at, r#"{"a": "b"}"#);
}

#[test]
fn duplicate_condition_operators_and_keys() {
    let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {
      "StringEquals": {"aws:SourceAccount": "111122223333", "aws:SourceAccount": "444455556666"},
      "StringEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}
    }}}"#;
    let found = problems(text);
    assert_eq!(
        found,
        [
            (
                "duplicate condition key `aws:SourceAccount`: IAM silently keeps only the last one"
                    .to_string(),
                "\"aws:SourceAccount\"".to_string()
            ),
            (
                "duplicate condition operator `StringEquals`: IAM silently keeps only the last one"
                    .to_string(),
                "\"StringEquals\"".to_string()
            ),
        ]
    );
}

#[test]
fn statement_indices_follow_the_document_order() {
    let doc = read(
        r#"{"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
      "oops",
      {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
    ]}"#,
    );
    assert_eq!(doc.problems.len(), 1);
    let indices: Vec<usize> = doc.statements.iter().map(|s| s.index).collect();
    assert_eq!(indices, [0, 1]);
}

#[test]
fn unquoted_yaml_version_is_a_string() {
    // No YAML 1.1 coercion: an unquoted date stays the text it is.
    let doc = read("Version: 2012-10-17\nStatement:\n  Effect: Allow\n  Action: s3:GetObject\n  Resource: '*'\n");
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    assert_eq!(doc.version.unwrap().value, "2012-10-17");
}

#[test]
fn duplicate_principal_types_are_reported() {
    let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root", "AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "*"}}"#;
    let found = problems(text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].0.starts_with("duplicate"), "{found:?}");
    assert_eq!(found[0].1, "\"AWS\"");
}

#[test]
fn unknown_operators_null_if_exists_and_partitions_are_problems() {
    let doc = read_with(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws-foo:s3:::b/*", "arn:${AWS::Partition}:s3:::c/*", "arn:aws-us-gov:s3:::d/*"], "Condition": {"StringEqual": {"s3:prefix": "a"}, "NullIfExists": {"aws:TagKeys": "true"}, "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "t*"}}}}"#,
        Some(PolicyKind::Identity),
    );
    let messages: Vec<_> = doc.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`Resource` ARN \"arn:aws-foo:s3:::b/*\" has unknown partition `aws-foo`",
            "unknown condition operator `StringEqual`",
            "condition operator `NullIfExists` is invalid: `Null` takes neither `IfExists` nor `ForAllValues:`/`ForAnyValue:`",
        ]
    );
}
