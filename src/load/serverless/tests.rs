use super::*;
use crate::model::EnvValue;
use crate::syntax::parse_yaml;

/// Include loader over in-memory files, numbering them from 1.
struct MemIncludes(Vec<(&'static str, &'static str)>);

impl IncludeLoader for MemIncludes {
    fn include(&mut self, _from: FileId, path: &str) -> Result<IncludedFile, String> {
        self.0
            .iter()
            .position(|(p, _)| *p == path)
            .map(|i| IncludedFile {
                file: i + 1,
                text: self.0[i].1.to_string(),
            })
            .ok_or_else(|| "no such file".to_string())
    }
}

fn load_with(text: &str, includes: &mut dyn IncludeLoader) -> Loaded {
    let doc = parse_yaml(text).unwrap();
    let mut loaded = Loaded::default();
    load(&doc.roots[0], 0, text, includes, &mut loaded);
    loaded
}

fn load_text(text: &str) -> Loaded {
    load_with(text, &mut NoIncludes)
}

#[test]
fn sniffs_by_name_and_content() {
    let doc = parse_yaml("service: x\nprovider:\n  name: aws\n").unwrap();
    assert!(sniff("dir/anything.yml", &doc.roots[0]));
    let bare = parse_yaml("functions: {}\n").unwrap();
    assert!(sniff("serverless.yml", &bare.roots[0]));
    assert!(sniff("a/fires-x.serverless.yml", &bare.roots[0]));
    assert!(!sniff("template.yml", &bare.roots[0]));
    let cfn =
        parse_yaml("AWSTemplateFormatVersion: '2010-09-09'\nservice: x\nprovider: {}\n").unwrap();
    assert!(!sniff("serverless.yml", &cfn.roots[0]));
}

#[test]
fn provider_statements_and_functions() {
    let text = "service: svc\nprovider:\n  name: aws\n  runtime: python3.12\n  environment:\n    TABLE: ${self:custom.table}\n    TOKEN: ${ssm:/app/token}\n  iamRoleStatements:\n    - Effect: Allow\n      Action: dynamodb:*\n      Resource: arn:aws:dynamodb:${aws:region}:*:table/${self:custom.table}\n  iamManagedPolicies:\n    - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\ncustom:\n  table: users\nfunctions:\n  api:\n    handler: h.main\n    runtime: python3.13\n    tracing: Active\n    reservedConcurrency: 5\n    url:\n      authorizer: aws_iam\n    destinations:\n      onFailure: arn:aws:sqs:us-east-1:111122223333:dlq\n    events:\n      - sns: topic\n      - http: GET /\n";
    let loaded = load_text(text);
    let m = &loaded.model;
    assert_eq!(m.roles.len(), 1);
    assert_eq!(m.roles[0].logical_id, "IamRoleLambdaExecution");
    assert_eq!(
        m.roles[0].managed_policies[0].name,
        "AmazonS3ReadOnlyAccess"
    );
    // The user's statements plus the generated logging statement.
    assert_eq!(m.roles[0].policies.len(), 2);
    let user = &m.policies[m.roles[0].policies[0]];
    assert!(!user.synthesized);
    let st = &user.statements[0];
    let action = &st.action.as_ref().unwrap().values[0];
    assert_eq!(&text[action.span.range()], "dynamodb:*");
    let resource = &st.resource.as_ref().unwrap().values[0];
    assert!(!resource.resolved, "{resource:?}");
    assert!(resource.text.ends_with("table/users"));
    assert!(m.policies[m.roles[0].policies[1]].synthesized);

    let f = &m.functions[0];
    assert_eq!(f.logical_id, "api");
    assert_eq!(f.role, Some(0));
    assert_eq!(f.runtime.as_ref().unwrap().value, "python3.13");
    assert_eq!(f.tracing.as_ref().unwrap().value, "Active");
    assert!(f.reserved_concurrency.is_some());
    assert!(f.on_failure_destination);
    assert_eq!(f.url.as_ref().unwrap().auth_type.value, "AWS_IAM");
    assert_eq!(f.events.len(), 2);
    assert!(f.events[0].asynchronous && !f.events[1].asynchronous);
    // `${self:custom.table}` is resolved and shown where `users` is written.
    assert_eq!(f.environment[0].value, EnvValue::Literal("users".into()));
    assert_eq!(&text[f.environment[0].value_span.range()], "users");
    // An SSM parameter is fetched at deploy time: not a plaintext value.
    assert!(matches!(f.environment[1].value, EnvValue::Expression(_)));
}

#[test]
fn iam_role_by_arn_is_external_with_a_note() {
    let text = "service: s\nprovider:\n  name: aws\n  iam:\n    role: arn:aws:iam::111122223333:role/shared\nfunctions:\n  a:\n    handler: h\n";
    let loaded = load_text(text);
    assert!(loaded.model.roles.is_empty());
    let f = &loaded.model.functions[0];
    assert_eq!(
        f.external_role.as_ref().unwrap().value,
        "arn:aws:iam::111122223333:role/shared"
    );
    assert!(loaded
        .notes
        .iter()
        .any(|n| n.message.contains("cannot be checked offline")));
}

#[test]
fn role_from_resources_and_per_function_statements() {
    let text = "service: s\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: h\n    role: MyRole\n  b:\n    handler: h\n    iamRoleStatements:\n      - Effect: Allow\n        Action: s3:*\n        Resource: !GetAtt Bucket.Arn\nresources:\n  Resources:\n    Bucket:\n      Type: AWS::S3::Bucket\n    MyRole:\n      Type: AWS::IAM::Role\n      Properties:\n        Policies:\n          - PolicyName: p\n            PolicyDocument:\n              Version: '2012-10-17'\n              Statement:\n                - Effect: Allow\n                  Action: '*'\n                  Resource: '*'\n";
    let loaded = load_text(text);
    let m = &loaded.model;
    let a = &m.functions[0];
    assert_eq!(m.roles[a.role.unwrap()].logical_id, "MyRole");
    let b = &m.functions[1];
    let role_b = &m.roles[b.role.unwrap()];
    assert_eq!(role_b.logical_id, "BIamRoleLambdaExecution");
    let doc = &m.policies[role_b.policies[0]];
    let resource = &doc.statements[0].resource.as_ref().unwrap().values[0];
    assert_eq!(resource.text, "arn:aws:s3:::${Bucket}");
    // The CloudFormation resource spans are kept for suppressions.
    assert_eq!(
        loaded
            .files
            .iter()
            .map(|f| f.resources.len())
            .sum::<usize>(),
        2
    );
}

#[test]
fn other_providers_are_skipped_with_a_note() {
    let loaded =
        load_text("service: s\nprovider:\n  name: azure\nfunctions:\n  a:\n    handler: h\n");
    assert!(loaded.model.functions.is_empty());
    assert!(loaded.notes[0].message.contains("azure"));
}

#[test]
fn unresolved_variables_are_never_star() {
    let text = "service: s\nprovider:\n  name: aws\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: ${opt:action}\n          Resource: ${env:RESOURCE, '*'}\n";
    let loaded = load_text(text);
    let st = &loaded.model.policies[0].statements[0];
    for list in [st.action.as_ref().unwrap(), st.resource.as_ref().unwrap()] {
        assert!(list.values.iter().all(|v| !v.is_star()), "{list:?}");
        assert!(list.has_unknown);
    }
}

#[test]
fn includes_resolve_with_their_own_file_id() {
    let text = "service: s\nprovider:\n  name: aws\n  iam:\n    role:\n      statements:\n        - ${file(./iam/s3.yml)}\n        - Effect: Allow\n          Action: sqs:SendMessage\n          Resource: '*'\nfunctions: ${file(./functions.yml)}\ncustom:\n  bucket: b1\n";
    let iam = "Effect: Allow\nAction: s3:*\nResource: arn:aws:s3:::${self:custom.bucket}/*\n";
    let functions = "worker:\n  handler: w.main\n  environment:\n    PASSWORD: hunter2hunter2\n  events:\n    - schedule: rate(1 hour)\n";
    let mut includes = MemIncludes(vec![("./iam/s3.yml", iam), ("./functions.yml", functions)]);
    let loaded = load_with(text, &mut includes);
    let m = &loaded.model;
    let role = &m.roles[0];
    // One document per file the statements are written in, plus the logging statement.
    assert_eq!(role.policies.len(), 3);
    let included = &m.policies[role.policies[0]];
    assert_eq!(included.file, 1);
    let action = &included.statements[0].action.as_ref().unwrap().values[0];
    assert_eq!(&iam[action.span.range()], "s3:*");
    let resource = &included.statements[0].resource.as_ref().unwrap().values[0];
    assert_eq!(resource.text, "arn:aws:s3:::b1/*");
    assert!(resource.resolved);
    assert_eq!(m.policies[role.policies[1]].file, 0);
    let f = &m.functions[0];
    assert_eq!((f.file, f.logical_id.as_str()), (2, "worker"));
    assert_eq!(
        &functions[f.environment[0].value_span.range()],
        "hunter2hunter2"
    );
    assert!(f.events[0].asynchronous);
}

#[test]
fn missing_includes_stay_unread_with_a_note() {
    let text =
        "service: s\nprovider:\n  name: aws\n  iamRoleStatements: ${file(./nope.yml):statements}\n";
    let loaded = load_text(text);
    assert!(loaded.notes.iter().any(|n| n.message.contains("nope.yml")));
    assert!(loaded
        .model
        .policies
        .iter()
        .all(|p| p.synthesized || p.statements.is_empty()));
}

/// A compact, line-numbered view of a model, for snapshots.
fn describe(model: &crate::model::FileModel, text: &str) -> String {
    let source = crate::source::SourceFile::new("s".into(), "s".into(), text.to_string());
    let at = |span: Span| {
        let lc = source.line_col(span.start);
        format!("{}:{}", lc.line, lc.column)
    };
    let mut out = String::new();
    for (i, p) in model.policies.iter().enumerate() {
        out.push_str(&format!(
            "policy {i} {:?} synthesized={} {}\n",
            p.kind,
            p.synthesized,
            p.label.as_deref().unwrap_or("")
        ));
        for s in &p.statements {
            for list in [&s.action, &s.resource].into_iter().flatten() {
                for v in &list.values {
                    out.push_str(&format!(
                        "  {} {:?} resolved={}\n",
                        at(v.span),
                        v.text,
                        v.resolved
                    ));
                }
            }
        }
    }
    for r in &model.roles {
        let managed: Vec<&str> = r.managed_policies.iter().map(|m| m.name.as_str()).collect();
        out.push_str(&format!(
            "role {} at {} policies={:?} managed={managed:?}\n",
            r.logical_id,
            at(r.span),
            r.policies
        ));
    }
    for f in &model.functions {
        out.push_str(&format!(
            "function {} at {} runtime={:?} role={:?} external={:?} kms={} vpc={} reserved={} dlq={} on_failure={} tracing={:?} url={:?}\n",
            f.logical_id,
            at(f.span),
            f.runtime.as_ref().map(|r| &r.value),
            f.role,
            f.external_role.as_ref().map(|r| &r.value),
            f.kms_key.is_some(),
            f.vpc_config.is_some(),
            f.reserved_concurrency.is_some(),
            f.dead_letter.is_some(),
            f.on_failure_destination,
            f.tracing.as_ref().map(|t| &t.value),
            f.url.as_ref().map(|u| &u.auth_type.value),
        ));
        for e in &f.environment {
            out.push_str(&format!(
                "  env {} at {} {:?}\n",
                e.name.value,
                at(e.value_span),
                e.value
            ));
        }
        for e in &f.events {
            out.push_str(&format!(
                "  event {} at {} async={}\n",
                e.kind,
                at(e.span),
                e.asynchronous
            ));
        }
    }
    out
}

#[test]
fn model_snapshot() {
    let text = r#"service: orders
frameworkVersion: "4"
custom:
  table: orders-${sls:stage}
  serverless-iam-roles-per-function:
    defaultInherit: true
provider:
  name: aws
  runtime: nodejs22.x
  tracing:
    lambda: true
  kmsKeyArn: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
  vpc:
    securityGroupIds: [sg-0123456789abcdef0]
    subnetIds: [subnet-0123456789abcdef0]
  environment:
    TABLE: ${self:custom.table}
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:GetItem, dynamodb:PutItem]
          Resource:
            Fn::GetAtt: [OrdersTable, Arn]
      managedPolicies:
        - "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
functions:
  create:
    handler: src/create.handler
    reservedConcurrency: 10
    environment:
      STRIPE_KEY: ${ssm:/orders/stripe-key}
    events:
      - httpApi: POST /orders
  notify:
    handler: src/notify.handler
    onError: arn:aws:sns:us-east-1:111122223333:notify-dlq
    iamRoleStatements:
      - Effect: Allow
        Action: ses:SendEmail
        Resource: "*"
    events:
      - eventBridge:
          pattern:
            source: [orders]
resources:
  Resources:
    OrdersTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${self:custom.table}
"#;
    let loaded = load_text(text);
    insta::assert_snapshot!(describe(&loaded.model, text));
}
