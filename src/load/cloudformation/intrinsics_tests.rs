//! Unit tests of the intrinsic-function evaluator: what each function reads as, and that
//! an unknowable value becomes a `${...}` placeholder marked unresolved, never `*`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::load::cloudformation::Template;
use crate::syntax::parse_auto;

const TEMPLATE: &str = r#"
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
    Default: prod
  BucketName:
    Type: String
Mappings:
  Regions:
    us-east-1:
      Ami: ami-1
      Log: logs-east
    eu-west-1:
      Ami: ami-2
      Log: logs-west
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Jobs:
    Type: AWS::SQS::Queue
  Alerts:
    Type: AWS::SNS::Topic
  Table:
    Type: AWS::DynamoDB::Table
  Custom:
    Type: AWS::CloudFormation::WaitConditionHandle
"#;

/// Evaluate the YAML value `value` in the test template: the strings it reads as, each
/// with whether it is fully known; None when it is not string-like.
fn eval(value: &str) -> Option<Vec<(String, bool)>> {
    let template_doc = parse_auto(TEMPLATE, false).expect("template parses");
    let template = Template::new(&template_doc.roots[0], 0, TEMPLATE);
    let value_doc = parse_auto(value, false).expect("value parses");
    let mut out = Vec::new();
    template
        .strings(&value_doc.roots[0], &mut out)
        .then(|| out.into_iter().map(|v| (v.text, v.resolved)).collect())
}

fn one(value: &str) -> (String, bool) {
    let all = eval(value).unwrap_or_else(|| panic!("{value}: not string-like"));
    assert_eq!(all.len(), 1, "{value}: {all:?}");
    all.into_iter().next().unwrap()
}

fn known(text: &str) -> (String, bool) {
    (text.to_string(), true)
}

fn placeholder(text: &str) -> (String, bool) {
    (text.to_string(), false)
}

#[test]
fn scalars_are_themselves() {
    assert_eq!(one("arn:aws:s3:::b/*"), known("arn:aws:s3:::b/*"));
    assert_eq!(one("\"*\""), known("*"));
}

#[test]
fn ref_to_parameters() {
    // A default is what a plain deploy uses; without one the name stays a placeholder.
    assert_eq!(one("!Ref Stage"), known("prod"));
    assert_eq!(one("!Ref BucketName"), placeholder("${BucketName}"));
    assert_eq!(one("{Ref: BucketName}"), placeholder("${BucketName}"));
}

#[test]
fn ref_to_pseudo_parameters() {
    assert_eq!(one("!Ref AWS::Partition"), known("aws"));
    assert_eq!(one("!Ref AWS::URLSuffix"), known("amazonaws.com"));
    for name in [
        "AWS::Region",
        "AWS::AccountId",
        "AWS::StackName",
        "AWS::StackId",
        "AWS::NotificationARNs",
    ] {
        assert_eq!(
            one(&format!("!Ref {name}")),
            placeholder(&format!("${{{name}}}"))
        );
    }
}

#[test]
fn ref_to_resources() {
    // A topic's `Ref` is its ARN; a bucket's is its name, unknown offline.
    assert_eq!(
        one("!Ref Alerts"),
        placeholder("arn:aws:sns:${AWS::Region}:${AWS::AccountId}:${Alerts}")
    );
    assert_eq!(one("!Ref Uploads"), placeholder("${Uploads}"));
    assert_eq!(one("!Ref Nowhere"), placeholder("${Nowhere}"));
}

#[test]
fn get_att_in_both_forms() {
    assert_eq!(
        one("!GetAtt Uploads.Arn"),
        placeholder("arn:aws:s3:::${Uploads}")
    );
    assert_eq!(
        one("{\"Fn::GetAtt\": [Jobs, Arn]}"),
        placeholder("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Jobs}")
    );
    assert_eq!(
        one("!GetAtt Table.StreamArn"),
        placeholder(
            "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}/stream/${Table.StreamLabel}"
        )
    );
    // Unknown attributes and resource types keep their name.
    assert_eq!(
        one("!GetAtt Uploads.DomainName"),
        placeholder("${Uploads.DomainName}")
    );
    assert_eq!(one("!GetAtt Custom.Data"), placeholder("${Custom.Data}"));
    // No dot: not an attribute reference.
    assert_eq!(eval("!GetAtt Uploads"), None);
}

#[test]
fn sub_without_variables_map() {
    assert_eq!(
        one("!Sub arn:${AWS::Partition}:s3:::${Uploads}/${Stage}/*"),
        placeholder("arn:aws:s3:::${Uploads}/prod/*")
    );
    assert_eq!(
        one("!Sub arn:${AWS::Partition}:s3:::${Stage}-logs"),
        known("arn:aws:s3:::prod-logs")
    );
    assert_eq!(
        one("!Sub ${Jobs.Arn}"),
        placeholder("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Jobs}")
    );
    // `${!Name}` is a literal `${Name}`, which is known text.
    assert_eq!(
        one("!Sub arn:aws:s3:::${!Bucket}"),
        known("arn:aws:s3:::${Bucket}")
    );
    // An unterminated variable stays as written.
    assert_eq!(
        one("!Sub arn:aws:s3:::${Bucket"),
        known("arn:aws:s3:::${Bucket")
    );
}

#[test]
fn sub_with_variables_map() {
    let value = "!Sub\n  - arn:aws:s3:::${Name}/${Stage}/${Free}\n  - Name: !Ref BucketName\n    Stage: dev\n";
    // Map entries win over parameters; names in neither are references.
    assert_eq!(
        one(value),
        placeholder("arn:aws:s3:::${BucketName}/dev/${Free}")
    );
    let literal = "!Sub\n  - arn:aws:s3:::${Name}\n  - Name: reports\n";
    assert_eq!(one(literal), known("arn:aws:s3:::reports"));
    assert_eq!(one("!Sub [arn:aws:s3:::x]"), known("arn:aws:s3:::x"));
}

#[test]
fn join() {
    assert_eq!(
        one("!Join ['', ['arn:', !Ref AWS::Partition, ':s3:::', !Ref Stage, '/*']]"),
        known("arn:aws:s3:::prod/*")
    );
    assert_eq!(
        one("!Join [':', [arn, aws, sqs, !Ref AWS::Region]]"),
        placeholder("arn:aws:sqs:${AWS::Region}")
    );
    // A list that is not literal (a `Ref` to a list) cannot be joined offline.
    assert_eq!(
        one("!Join [',', !Ref BucketName]"),
        placeholder("${Fn::Join}")
    );
    // `AWS::NoValue` items are dropped with their delimiter.
    assert_eq!(one("!Join ['-', [a, !Ref AWS::NoValue, b]]"), known("a-b"));
}

#[test]
fn if_yields_both_branches() {
    assert_eq!(
        eval("!If [IsProd, arn:aws:s3:::prod/*, arn:aws:s3:::dev/*]"),
        Some(vec![
            known("arn:aws:s3:::prod/*"),
            known("arn:aws:s3:::dev/*")
        ])
    );
    assert_eq!(
        eval("!If [IsProd, !Ref BucketName, !Ref AWS::NoValue]"),
        Some(vec![placeholder("${BucketName}")])
    );
    // Inside a Join the branches multiply.
    assert_eq!(
        eval("!Join ['', ['arn:aws:s3:::', !If [IsProd, a, b], '/', !If [IsProd, c, d]]]"),
        Some(vec![
            known("arn:aws:s3:::a/c"),
            known("arn:aws:s3:::a/d"),
            known("arn:aws:s3:::b/c"),
            known("arn:aws:s3:::b/d"),
        ])
    );
}

#[test]
fn alternatives_follow_if_and_drop_no_value() {
    let template_doc = parse_auto(TEMPLATE, false).unwrap();
    let template = Template::new(&template_doc.roots[0], 0, TEMPLATE);
    let doc = parse_auto("!If [IsProd, [a, b], !Ref AWS::NoValue]", false).unwrap();
    let alts = template.alternatives(&doc.roots[0]);
    assert_eq!(alts.len(), 1);
    assert_eq!(alts[0].as_seq().map(<[_]>::len), Some(2));
    let none = parse_auto("!Ref AWS::NoValue", false).unwrap();
    assert!(template.alternatives(&none.roots[0]).is_empty());
    let plain = parse_auto("x", false).unwrap();
    assert_eq!(template.alternatives(&plain.roots[0]).len(), 1);
}

#[test]
fn select() {
    assert_eq!(one("!Select [1, [a, b, c]]"), known("b"));
    assert_eq!(
        one("!Select [1, [a, !Ref BucketName]]"),
        placeholder("${BucketName}")
    );
    // Out of range, or a list only known at deploy time.
    assert_eq!(one("!Select [5, [a, b]]"), placeholder("${Fn::Select}"));
    assert_eq!(one("!Select [0, !GetAZs '']"), placeholder("${Fn::Select}"));
}

#[test]
fn import_value() {
    assert_eq!(
        one("!ImportValue shared-bucket-arn"),
        placeholder("${ImportValue:shared-bucket-arn}")
    );
    assert_eq!(
        one("!ImportValue {\"Fn::Sub\": \"${Stage}-bucket\"}"),
        placeholder("${ImportValue:prod-bucket}")
    );
}

#[test]
fn find_in_map() {
    assert_eq!(
        one("!FindInMap [Regions, us-east-1, Log]"),
        known("logs-east")
    );
    // A key known only at deploy time: every value the map holds for the second key.
    assert_eq!(
        eval("!FindInMap [Regions, !Ref AWS::Region, Log]"),
        Some(vec![known("logs-east"), known("logs-west")])
    );
    assert_eq!(
        one("!FindInMap [Nope, us-east-1, Log]"),
        placeholder("${Fn::FindInMap}")
    );
    assert_eq!(
        one("!FindInMap [Regions, us-east-1, Nope]"),
        placeholder("${Fn::FindInMap}")
    );
}

#[test]
fn functions_with_no_offline_value_are_placeholders() {
    for f in ["Base64", "Split", "Cidr", "GetAZs"] {
        let (text, resolved) = one(&format!("{{\"Fn::{f}\": x}}"));
        assert_eq!(
            (text.as_str(), resolved),
            (format!("${{Fn::{f}}}").as_str(), false)
        );
    }
}

#[test]
fn not_string_like() {
    assert_eq!(eval("{Bucket: b}"), None);
    assert_eq!(eval("{\"Fn::NotAFunction\": x}"), None);
    assert_eq!(eval("!If [IsProd, a]"), None);
}

#[test]
fn unresolvable_values_are_never_a_wildcard() {
    let cases = [
        "!Ref BucketName",
        "!Ref AWS::AccountId",
        "!GetAtt Custom.Data",
        "!Sub ${Unknown}",
        "!Join ['', !Ref BucketName]",
        "!Select [9, []]",
        "!ImportValue x",
        "!FindInMap [Nope, a, b]",
        "{\"Fn::Base64\": x}",
    ];
    for value in cases {
        for (text, resolved) in eval(value).unwrap() {
            assert!(!resolved, "{value} read as known {text:?}");
            assert!(!text.contains('*'), "{value} read as {text:?}");
            assert!(
                text.contains("${"),
                "{value} read as {text:?} without a placeholder"
            );
        }
    }
}

#[test]
fn deep_nesting_is_bounded() {
    let mut value = "x".to_string();
    for _ in 0..40 {
        value = format!("{{\"Fn::Join\": [\"\", [{value}]]}}");
    }
    let all = eval(&value).unwrap();
    assert_eq!(all.len(), 1);
    assert!(
        !all[0].1,
        "a value cut at the depth limit is not known: {all:?}"
    );
}

#[test]
fn join_drops_a_leading_no_value_without_its_delimiter() {
    assert_eq!(one("!Join ['-', [!Ref AWS::NoValue, a, b]]"), known("a-b"));
}
