use super::*;
use crate::syntax::{parse_json, parse_yaml};

fn load_text(text: &str) -> Loaded {
    let doc = parse_json(text).unwrap();
    let mut loaded = Loaded::default();
    load(&doc.roots[0], 0, text, &mut loaded);
    loaded
}

#[test]
fn sniffs_each_command() {
    let cases = [
        (
            r#"{"RoleDetailList": [], "Policies": []}"#,
            DumpKind::AuthorizationDetails,
        ),
        (
            r#"{"Role": {"RoleName": "r", "Arn": "a"}}"#,
            DumpKind::GetRole,
        ),
        (
            r#"{"RoleName": "r", "PolicyName": "p", "PolicyDocument": {}}"#,
            DumpKind::GetRolePolicy,
        ),
        (
            r#"{"PolicyVersion": {"Document": {}, "VersionId": "v1"}}"#,
            DumpKind::GetPolicyVersion,
        ),
        (
            r#"{"Functions": [{"FunctionName": "f"}]}"#,
            DumpKind::ListFunctions,
        ),
        (
            r#"{"FunctionName": "f", "Role": "arn"}"#,
            DumpKind::FunctionConfiguration,
        ),
        (
            r#"{"Configuration": {"FunctionName": "f"}, "Code": {}}"#,
            DumpKind::FunctionConfiguration,
        ),
        (
            r#"{"FunctionUrl": "u", "FunctionArn": "a", "AuthType": "NONE"}"#,
            DumpKind::FunctionUrlConfig,
        ),
        (
            r#"{"Policy": "{}", "RevisionId": "r"}"#,
            DumpKind::LambdaPolicy,
        ),
    ];
    for (text, kind) in cases {
        let doc = parse_json(text).unwrap();
        assert_eq!(dump_kind(&doc.roots[0]), Some(kind), "{text}");
    }
    for text in [
        r#"{"Version": "2012-10-17", "Statement": []}"#,
        r#"{"Functions": 3}"#,
        "[]",
    ] {
        let doc = parse_json(text).unwrap();
        assert_eq!(dump_kind(&doc.roots[0]), None, "{text}");
    }
}

#[test]
fn authorization_details_default_versions_and_boundaries() {
    let text = r#"{
  "RoleDetailList": [{
    "RoleName": "app", "Arn": "arn:aws:iam::111122223333:role/app",
    "RolePolicyList": [],
    "AttachedManagedPolicies": [
      {"PolicyName": "mine", "PolicyArn": "arn:aws:iam::111122223333:policy/mine"},
      {"PolicyName": "ro", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
      {"PolicyName": "gone", "PolicyArn": "arn:aws:iam::111122223333:policy/gone"}
    ],
    "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/limit"}
  }],
  "Policies": [{
    "PolicyName": "mine", "Arn": "arn:aws:iam::111122223333:policy/mine", "DefaultVersionId": "v2",
    "PolicyVersionList": [
      {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
      {"VersionId": "v2", "IsDefaultVersion": true, "Document": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"}
    ]
  }]
}"#;
    let loaded = load_text(text);
    let m = &loaded.model;
    let role = &m.roles[0];
    assert_eq!(role.policies.len(), 1);
    let doc = &m.policies[role.policies[0]];
    // Only the default version, decoded from its URL encoding.
    let action = &doc.statements[0].action.as_ref().unwrap().values[0];
    assert_eq!(action.text, "s3:GetObject");
    assert_eq!(&text[action.span.range()], "%22s3%3AGetObject%22");
    assert_eq!(role.managed_policies[0].name, "ReadOnlyAccess");
    assert!(loaded
        .notes
        .iter()
        .any(|n| n.message.contains("policy/gone")));
    // The boundary is not in the dump: kept by ARN, no document, not AWS managed.
    let boundary = role.boundary.as_ref().unwrap();
    assert_eq!(boundary.text, "arn:aws:iam::111122223333:policy/limit");
    assert_eq!(
        (boundary.policy, boundary.aws_managed.as_deref()),
        (None, None)
    );
    assert_eq!(boundary.name(), "limit");
}

#[test]
fn function_configuration_fields() {
    let text = r#"{"FunctionName": "f", "Role": "arn:aws:iam::111122223333:role/elsewhere",
      "Runtime": "python3.9", "KMSKeyArn": "arn:aws:kms:us-east-1:111122223333:key/k",
      "Environment": {"Variables": {"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}},
      "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": []},
      "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:111122223333:dlq"},
      "TracingConfig": {"Mode": "Active"}}"#;
    let loaded = load_text(text);
    let f = &loaded.model.functions[0];
    assert_eq!(f.runtime.as_ref().unwrap().value, "python3.9");
    assert!(f.kms_key.is_some() && f.dead_letter.is_some());
    assert!(f.vpc_config.is_none(), "empty VpcConfig means no VPC");
    assert_eq!(f.tracing.as_ref().unwrap().value, "Active");
    assert_eq!(f.environment.len(), 1);
    assert!(f.role.is_none());
    assert!(f.external_role.is_some());
    assert_eq!(loaded.notes.len(), 1);
}

#[test]
fn lambda_policy_gives_permissions_at_the_literal() {
    let text = r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"url\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"lambda:InvokeFunctionUrl\",\"Resource\":\"arn:aws:lambda:us-east-1:111122223333:function:f\",\"Condition\":{\"StringEquals\":{\"lambda:FunctionUrlAuthType\":\"NONE\"}}}]}", "RevisionId": "r"}"#;
    let loaded = load_text(text);
    let p = &loaded.model.permissions[0];
    assert_eq!(p.principal.value, "*");
    assert_eq!(&text[p.principal.span.range()], r#"\"*\""#);
    assert_eq!(p.function_url_auth.as_deref(), Some("NONE"));
    assert!(!p.has_source_arn);
    assert_eq!(loaded.model.policies[0].kind, PolicyKind::Resource);
}

#[test]
fn yaml_output_is_read_too() {
    let text = "Role:\n  RoleName: r\n  Arn: arn:aws:iam::111122223333:role/r\n  AssumeRolePolicyDocument:\n    Version: '2012-10-17'\n    Statement:\n    - Effect: Allow\n      Principal:\n        Service: lambda.amazonaws.com\n      Action: sts:AssumeRole\n";
    let doc = parse_yaml(text).unwrap();
    let mut loaded = Loaded::default();
    load(&doc.roots[0], 0, text, &mut loaded);
    assert_eq!(loaded.model.roles[0].logical_id, "r");
    assert_eq!(loaded.model.policies[0].kind, PolicyKind::Trust);
}

#[test]
fn on_failure_destination_across_dumps() {
    let functions = r#"{"Functions": [{"FunctionName": "f", "Role": "r"}]}"#;
    let configs = r#"{"FunctionEventInvokeConfigs": [{"FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:f:$LATEST", "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:111122223333:q"}}}]}"#;
    let (a, b) = (parse_json(functions).unwrap(), parse_json(configs).unwrap());
    let files = [
        DumpFile {
            file: 0,
            text: functions,
            root: &a.roots[0],
        },
        DumpFile {
            file: 1,
            text: configs,
            root: &b.roots[0],
        },
    ];
    let mut loaded = Loaded::default();
    load_unit(&files, &mut loaded);
    assert!(loaded.model.functions[0].on_failure_destination);
}
