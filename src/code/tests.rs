use super::*;

/// `service:Operation (resource)` per call, in order.
fn calls(language: Language, src: &str) -> Vec<String> {
    let table = services::services();
    let extracted = extract(language, src).expect("parses");
    extracted
        .calls
        .iter()
        .map(|c| {
            let prefix = &table.get(c.service).unwrap().prefix;
            match &c.resource {
                Some(ResourceHint::EnvVar(v)) => format!("{prefix}:{} env {v}", c.operation),
                Some(ResourceHint::Literal(v)) => format!("{prefix}:{} {v}", c.operation),
                None => format!("{prefix}:{}", c.operation),
            }
        })
        .collect()
}

fn js(src: &str) -> Vec<String> {
    calls(Language::JavaScript, src)
}

fn py(src: &str) -> Vec<String> {
    calls(Language::Python, src)
}

#[test]
fn sdk_v3_commands_sent_by_clients() {
    let src = r#"
import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBClient, PutItemCommand as Put } from "@aws-sdk/client-dynamodb";
const s3 = new S3Client({});
const ddb = new DynamoDBClient({});
const BUCKET = process.env.BUCKET_NAME;
export const handler = async () => {
  await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "k" }));
  await ddb.send(new Put({ TableName: process.env["TABLE"], Item: {} }));
};
"#;
    assert_eq!(
        js(src),
        ["s3:GetObject env BUCKET_NAME", "dynamodb:PutItem env TABLE"]
    );
}

#[test]
fn sdk_v3_require_aggregated_paginators_and_presigners() {
    let src = r#"
const { S3, paginateListObjectsV2 } = require("@aws-sdk/client-s3");
const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");
const { getSignedUrl } = require("@aws-sdk/s3-request-presigner");
const s3 = new S3({});
exports.handler = async () => {
  await s3.putObject({ Bucket: "literal-bucket", Key: "k", Body: "" });
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: "b" })) {}
  const cmd = new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL });
  return getSignedUrl(new SQSClient({}), cmd);
};
"#;
    assert_eq!(
        js(src),
        [
            "s3:PutObject literal-bucket",
            "s3:ListObjectsV2 b",
            "sqs:SendMessage env QUEUE_URL"
        ]
    );
}

#[test]
fn lib_dynamodb_document_client() {
    let src = r#"
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, QueryCommand, DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
const { TABLE_NAME } = process.env;
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const agg = DynamoDBDocument.from(new DynamoDBClient({}));
export const handler = async () => {
  await doc.send(new PutCommand({ TableName: TABLE_NAME, Item: {} }));
  await doc.send(new QueryCommand({ TableName: "t" }));
  await agg.batchWrite({ RequestItems: {} });
};
"#;
    assert_eq!(
        js(src),
        [
            "dynamodb:PutItem env TABLE_NAME",
            "dynamodb:Query t",
            "dynamodb:BatchWriteItem"
        ]
    );
}

#[test]
fn sdk_v2_clients_and_document_client() {
    let src = r#"
const AWS = require("aws-sdk");
const SNS = require("aws-sdk/clients/sns");
const s3 = new AWS.S3();
const docClient = new AWS.DynamoDB.DocumentClient();
const sns = new SNS();
exports.handler = async (event) => {
  const params = { TableName: process.env.TABLE, Key: { id: 1 } };
  await docClient.get(params).promise();
  await s3.getObject({ Bucket: process.env.BUCKET, Key: "x" }).promise();
  s3.getSignedUrl("putObject", { Bucket: "b", Key: "k" });
  await sns.publish({ TopicArn: process.env.TOPIC }).promise();
  await new AWS.Lambda().invoke({ FunctionName: "f" }).promise();
};
"#;
    assert_eq!(
        js(src),
        [
            "dynamodb:GetItem env TABLE",
            "s3:GetObject env BUCKET",
            "s3:PutObject b",
            "sns:Publish env TOPIC",
            "lambda:Invoke f"
        ]
    );
}

#[test]
fn typescript_and_dynamic_clients() {
    let src = r#"
import * as AWS from "aws-sdk";
import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
const sm: SecretsManagerClient = new SecretsManagerClient({});
export const handler = async (name: string): Promise<void> => {
  await sm.send(new GetSecretValueCommand({ SecretId: process.env.SECRET! }));
  const c = new AWS[name]();
};
"#;
    assert_eq!(
        calls(Language::TypeScript, src),
        ["secretsmanager:GetSecretValue env SECRET"]
    );
    let extracted = extract(Language::TypeScript, src).unwrap();
    assert_eq!(extracted.dynamic.len(), 1);
}

#[test]
fn unrelated_code_has_no_calls() {
    assert!(js("const s3 = { getObject() {} }; s3.getObject({ Bucket: 'b' });").is_empty());
    assert!(py("class S3:\n  def get_object(self): pass\nS3().get_object()\n").is_empty());
    assert!(extract(Language::JavaScript, "}{ not javascript (").is_some());
}

#[test]
fn boto3_clients_resources_and_env() {
    let src = r#"
import os
import boto3

s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
BUCKET = os.getenv("BUCKET")

def handler(event, context):
    s3.get_object(Bucket=BUCKET, Key="k")
    table.put_item(Item={"id": "1"})
    paginator = s3.get_paginator("list_objects_v2")
    s3.get_waiter("object_exists")
    boto3.client("sqs").send_message(QueueUrl=os.environ.get("QUEUE"), MessageBody="x")
    s3.upload_file("/tmp/f", "literal-bucket", "k")
"#;
    assert_eq!(
        py(src),
        [
            "s3:GetObject env BUCKET",
            "dynamodb:PutItem env TABLE_NAME",
            "s3:ListObjectsV2",
            "s3:HeadObject",
            "sqs:SendMessage env QUEUE",
            "s3:PutObject"
        ]
    );
}

#[test]
fn boto3_sessions_batch_writer_and_dynamic() {
    let src = r#"
import boto3
from boto3.session import Session

session = boto3.session.Session()
sfn = session.client("stepfunctions")
other = Session().client("events")

class Repo:
    def __init__(self):
        self.table = boto3.resource("dynamodb").Table("orders")

    def save(self, items):
        with self.table.batch_writer() as batch:
            for item in items:
                batch.put_item(Item=item)

def handler(event, context):
    sfn.start_execution(stateMachineArn="arn")
    other.put_events(Entries=[])
    c = boto3.client(event["service"])
    getattr(sfn, event["op"])()
"#;
    assert_eq!(
        py(src),
        [
            "dynamodb:BatchWriteItem orders",
            "states:StartExecution",
            "events:PutEvents"
        ]
    );
    assert_eq!(extract(Language::Python, src).unwrap().dynamic.len(), 2);
}

#[test]
fn operations_map_to_iam_actions() {
    let table = services::services();
    let s3 = table.get(table.by_boto("s3").unwrap()).unwrap();
    assert_eq!(
        table.actions(s3, "HeadObject"),
        vec![vec!["s3:GetObject".to_string()]]
    );
    assert_eq!(
        table.actions(s3, "CopyObject"),
        vec![
            vec!["s3:GetObject".to_string()],
            vec!["s3:PutObject".to_string()]
        ]
    );
}

#[test]
fn reader_follows_relative_imports_and_reports_missing_code() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("src");
    std::fs::create_dir_all(code.join("lib")).unwrap();
    std::fs::write(
        code.join("app.mjs"),
        "import { save } from './lib/db.js';\nexport const handler = () => save();\n",
    )
    .unwrap();
    std::fs::write(
        code.join("lib/db.ts"),
        "import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';\nconst c = new DynamoDBClient({});\nexport const save = () => c.send(new PutItemCommand({ TableName: 't' }));\n",
    )
    .unwrap();
    let template = dir.path().join("template.yaml");
    let mut reader = CodeReader::new(&template, "proj/template.yaml");
    let location = CodeLocation {
        base_dir: Some("src/".into()),
        handler: Some("app.handler".into()),
        runtime: Some("nodejs20.x".into()),
        inline: None,
    };
    let found = reader.read(&location, "Fn").unwrap();
    assert_eq!(found.files, ["proj/src/app.mjs", "proj/src/lib/db.ts"]);
    assert_eq!(found.calls.len(), 1);
    assert_eq!(found.calls[0].location(), "proj/src/lib/db.ts:3:34");
    assert_eq!(
        found.calls[0].actions,
        vec![vec!["dynamodb:PutItem".to_string()]]
    );

    let missing = CodeLocation {
        base_dir: Some("nowhere/".into()),
        ..location
    };
    assert!(reader
        .read(&missing, "Fn")
        .unwrap_err()
        .contains("not found"));
}

#[test]
fn inline_code_language_is_guessed_only_when_clear() {
    assert_eq!(
        guess_language("import boto3\ndef handler(e, c):\n    pass\n"),
        Some(Language::Python)
    );
    assert_eq!(
        guess_language("const AWS = require('aws-sdk');\nexports.handler = async () => {};\n"),
        Some(Language::JavaScript)
    );
    assert_eq!(guess_language("echo hello"), None);
}
