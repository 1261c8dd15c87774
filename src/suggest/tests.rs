use super::*;
use crate::lint::{run_with, Options, Settings};

fn suggest(path: &str) -> Vec<FunctionSuggestion> {
    let options = Options {
        paths: vec![std::path::PathBuf::from(path)],
        excludes: Vec::new(),
        max_file_size: crate::lint::DEFAULT_MAX_FILE_SIZE,
        rules: Vec::new(),
        input_format: None,
    };
    let settings = Settings {
        suggest: true,
        ..Settings::default()
    };
    let outcome = run_with(&options, &settings);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome.suggestions
}

fn statement<'a>(s: &'a FunctionSuggestion, action: &str) -> &'a SuggestedStatement {
    s.statements
        .iter()
        .find(|st| st.actions.iter().any(|a| a == action))
        .unwrap_or_else(|| panic!("no statement with {action}: {:?}", s.statements))
}

fn change<'a>(s: &'a FunctionSuggestion, action: &str) -> &'a GrantChange {
    s.changes
        .iter()
        .find(|c| c.action == action)
        .unwrap_or_else(|| panic!("no change for {action}: {:?}", s.changes))
}

fn assert_code_evidence(s: &FunctionSuggestion, code_file: &str) {
    let get = statement(s, "s3:GetObject");
    assert_eq!(get.actions, ["s3:GetObject"]);
    assert_eq!(get.resources, ["arn:${AWS::Partition}:s3:::${Photos}/*"]);
    let put = statement(s, "dynamodb:PutItem");
    assert_eq!(put.actions, ["dynamodb:PutItem"]);
    assert_eq!(
        put.resources,
        ["arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}"]
    );
    let location = get.reasons[0].location.as_deref().unwrap_or_default();
    assert!(location.contains(code_file), "{location}");
    // The role has AWSLambdaBasicExecutionRole: no log statement is added.
    assert!(s.statements.iter().all(|st| st.sid != "Logs"));
    assert_eq!(s.statements.len(), 2);
    for broad in ["s3:*", "dynamodb:*"] {
        assert_eq!(change(s, broad).change, Change::Narrowed);
    }
    assert!(s.notes.is_empty(), "{:?}", s.notes);
}

#[test]
fn node_sdk_v3_calls_give_exact_actions_on_env_resources() {
    let all = suggest("fixtures/unused-permission/fires-node-sdk-v3-service-wildcards");
    assert_eq!(all.len(), 1);
    assert_code_evidence(&all[0], "app.mjs");
}

#[test]
fn python_boto3_calls_give_exact_actions_on_env_resources() {
    let all = suggest("fixtures/unused-permission/fires-python-boto3-service-wildcards");
    assert_eq!(all.len(), 1);
    assert_code_evidence(&all[0], "app.py");
}

#[test]
fn bundled_example_drops_grants_the_code_never_uses() {
    let all = suggest("examples/lambda-s3/template.yaml");
    let upload = all
        .iter()
        .find(|s| s.logical_id == "ProcessUploadedFile")
        .expect("ProcessUploadedFile");
    // The explicit role has no basic execution policy: the function's own log group,
    // named by its `FunctionName`. The code makes no SDK call.
    let logs = statement(upload, "logs:PutLogEvents");
    assert_eq!(
        logs.resources,
        ["arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/processUploadedFile:*"]
    );
    assert_eq!(upload.statements.len(), 2, "{:?}", upload.statements);
    assert_eq!(change(upload, "logs:*").change, Change::Narrowed);
    assert_eq!(change(upload, "s3:GetObject").change, Change::Removed);
    assert!(all.iter().any(|s| s.logical_id == "ProcessOrderFunction"));
}

#[test]
fn event_source_dead_letter_destinations_and_key_from_the_configuration() {
    let all = suggest("tests/data/suggest/targets.sam.yaml");
    let worker = &all[0];
    let source = statement(worker, "sqs:ReceiveMessage");
    assert_eq!(
        source.actions,
        [
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ReceiveMessage"
        ]
    );
    assert_eq!(source.resources, ["${Jobs.Arn}"]);
    assert!(source.reasons[0]
        .location
        .as_deref()
        .is_some_and(|l| l.ends_with("targets.sam.yaml:38")));
    assert_eq!(statement(worker, "sns:Publish").resources, ["${Failures}"]);
    assert_eq!(
        statement(worker, "sqs:SendMessage").resources,
        ["${Retries.Arn}"]
    );
    assert_eq!(
        statement(worker, "events:PutEvents").resources,
        ["arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"]
    );
    assert_eq!(
        statement(worker, "kms:Decrypt").resources,
        ["${EnvKey.Arn}"]
    );
    assert!(worker.notes.is_empty(), "{:?}", worker.notes);
}

const TRACED_IN_VPC: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt WorkerRole.Arn
      Code:
        ZipFile: |
          def handler(event, context):
              return event
      TracingConfig:
        Mode: Active
      VpcConfig:
        SubnetIds: [subnet-1]
        SecurityGroupIds: [sg-1]
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: Everything
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
"#;

#[test]
fn logs_tracing_and_vpc_from_the_configuration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, TRACED_IN_VPC).expect("write");
    let all = suggest(&path.to_string_lossy());
    let function = &all[0];
    let logs = statement(function, "logs:PutLogEvents");
    assert_eq!(logs.actions, ["logs:CreateLogStream", "logs:PutLogEvents"]);
    assert_eq!(
        logs.resources,
        ["arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${AWS::StackName}-Worker-*:*"]
    );
    let group = statement(function, "logs:CreateLogGroup");
    assert_eq!(
        group.resources,
        ["arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${AWS::StackName}-Worker-*"]
    );
    assert_eq!(
        statement(function, "xray:PutTraceSegments").resources,
        ["*"]
    );
    let vpc = statement(function, "ec2:CreateNetworkInterface");
    assert_eq!(vpc.actions.len(), 3);
    assert!(vpc.reasons[0]
        .location
        .as_deref()
        .is_some_and(|l| l.contains("template.yaml:1")));
    assert_eq!(change(function, "*").change, Change::Narrowed);
}

fn rendered(suggestions: &[FunctionSuggestion], format: SuggestFormat) -> String {
    let mut out = Vec::new();
    render(suggestions, format, &mut out).expect("render");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn terraform_targets_keep_their_references() {
    let all = suggest("tests/data/suggest/targets.tf");
    let worker = &all[0];
    assert_eq!(
        statement(worker, "sqs:ReceiveMessage").resources,
        ["${aws_sqs_queue.jobs.arn}"]
    );
    assert_eq!(
        statement(worker, "sns:Publish").resources,
        ["${aws_sns_topic.failures.arn}"]
    );
    assert_eq!(
        statement(worker, "sqs:SendMessage").resources,
        ["${aws_sqs_queue.retries.arn}"]
    );
    assert_eq!(
        statement(worker, "kms:Decrypt").resources,
        ["${aws_kms_key.env.arn}"]
    );
    assert_eq!(
        statement(worker, "logs:PutLogEvents").resources,
        ["arn:aws:logs:*:*:log-group:/aws/lambda/${aws_lambda_function.worker.function_name}:*"]
    );
    insta::assert_snapshot!(
        "terraform_format_of_terraform_evidence",
        rendered(&all, SuggestFormat::Terraform)
    );
}

#[test]
fn terraform_format_of_a_template_uses_data_sources_and_placeholders() {
    let all = suggest("tests/data/suggest/targets.sam.yaml");
    let text = rendered(&all, SuggestFormat::Terraform);
    assert!(
        text.starts_with("data \"aws_partition\" \"current\" {}\n"),
        "{text}"
    );
    assert!(text.contains("resources = [\"<Jobs.Arn>\"]"), "{text}");
    insta::assert_snapshot!("terraform_format_of_a_template", text);
}

const SERVERLESS_TARGETS: &str = r#"service: worker
provider:
  name: aws
  runtime: python3.12
  kmsKeyArn: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
functions:
  work:
    handler: app.handler
    onError: arn:aws:sns:us-east-1:111122223333:failures
    destinations:
      onSuccess: arn:aws:lambda:us-east-1:111122223333:function:next
      onFailure:
        type: sqs
        arn:
          Fn::GetAtt: [Retries, Arn]
"#;

#[test]
fn serverless_dead_letter_destinations_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("serverless.yml");
    std::fs::write(&path, SERVERLESS_TARGETS).expect("write");
    let all = suggest(&path.to_string_lossy());
    let work = &all[0];
    assert_eq!(
        statement(work, "sns:Publish").resources,
        ["arn:aws:sns:us-east-1:111122223333:failures"]
    );
    assert_eq!(
        statement(work, "lambda:InvokeFunction").resources,
        ["arn:aws:lambda:us-east-1:111122223333:function:next"]
    );
    assert_eq!(
        statement(work, "sqs:SendMessage").resources,
        ["${Retries.Arn}"]
    );
    assert_eq!(
        statement(work, "kms:Decrypt").resources,
        ["arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    );
}

const CLOUDFORMATION_TARGETS: &str = r#"Resources:
  Orders:
    Type: AWS::DynamoDB::Table
  Failures:
    Type: AWS::SQS::Queue
  Notify:
    Type: AWS::SNS::Topic
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: i.h
      Role: arn:aws:iam::111122223333:role/r
      Code: {ZipFile: x}
      DeadLetterConfig:
        TargetArn: !GetAtt Failures.Arn
  Config:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Fn
      Qualifier: $LATEST
      DestinationConfig:
        OnSuccess: {Destination: !Ref Notify}
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Fn
      EventSourceArn: !GetAtt Orders.StreamArn
"#;

#[test]
fn cloudformation_dead_letter_destination_and_stream_mapping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, CLOUDFORMATION_TARGETS).expect("write");
    let all = suggest(&path.to_string_lossy());
    let function = &all[0];
    assert_eq!(
        statement(function, "sqs:SendMessage").resources,
        ["${Failures.Arn}"]
    );
    assert_eq!(statement(function, "sns:Publish").resources, ["${Notify}"]);
    let stream = statement(function, "dynamodb:GetRecords");
    assert_eq!(stream.resources, ["${Orders.StreamArn}"]);
    assert_eq!(statement(function, "dynamodb:ListStreams").resources, ["*"]);
}
