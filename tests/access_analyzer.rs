//! End-to-end tests of `check --access-analyzer` against a small HTTP server on 127.0.0.1
//! that speaks IAM Access Analyzer's REST-JSON protocol (endpoint override, dummy
//! credentials): the exact requests iamlint sends, and how answers, errors, throttling and
//! pagination come out. No network, no AWS account. Response shapes follow the service's API
//! reference (ValidatePolicy, CheckAccessNotGranted, CheckNoNewAccess, error types).

#![cfg(feature = "access-analyzer")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

#[derive(Clone, Debug)]
struct Recorded {
    method: String,
    /// Path and query, e.g. `/policy/validation?nextToken=t2`.
    target: String,
    body: Value,
}

struct Reply {
    status: u16,
    error_type: Option<&'static str>,
    body: Value,
}

fn ok(body: Value) -> Reply {
    Reply {
        status: 200,
        error_type: None,
        body,
    }
}

fn error(status: u16, error_type: &'static str, message: &str) -> Reply {
    Reply {
        status,
        error_type: Some(error_type),
        body: json!({ "message": message }),
    }
}

type Handler = Box<dyn Fn(&Recorded, usize) -> Reply + Send + Sync>;

/// Answers each request with `handler(request, number of earlier requests)`.
struct Server {
    url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Server {
    fn start(handler: Handler) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let handler = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let seen = Arc::clone(&seen);
                let handler = Arc::clone(&handler);
                std::thread::spawn(move || serve(stream, &seen, &handler));
            }
        });
        Server { url, requests }
    }

    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

/// HTTP/1.1 with keep-alive: requests on one connection until the client closes it.
fn serve(stream: TcpStream, seen: &Mutex<Vec<Recorded>>, handler: &Handler) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or_default().to_string();
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let request = Recorded {
            method,
            target,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        };
        let reply = {
            let mut seen = seen.lock().unwrap();
            let reply = handler(&request, seen.len());
            seen.push(request);
            reply
        };
        let body = reply.body.to_string();
        let mut head = format!(
            "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            reply.status,
            body.len()
        );
        if let Some(kind) = reply.error_type {
            head.push_str(&format!("x-amzn-errortype: {kind}:http://internal.amazon.com/coral/com.amazonaws.accessanalyzer/\r\n"));
        }
        head.push_str("\r\n");
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(body.as_bytes()).is_err()
        {
            return;
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const ROLE: &str = "examples/lambda-s3/lambda-s3-role.json";

/// Run iamlint with a clean environment: only dummy credentials, a region, the endpoint (when
/// given) and a private cache directory, so no real AWS configuration is read.
fn iamlint(dir: &Path, endpoint: Option<&str>, credentials: bool, args: &[&str]) -> Output {
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iamlint"));
    cmd.env_clear()
        .current_dir(dir)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .args(args);
    if credentials {
        cmd.env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE").env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        );
    }
    if let Some(url) = endpoint {
        cmd.env("AWS_ENDPOINT_URL", url);
    }
    cmd.output().unwrap()
}

fn findings(output: &Output) -> Vec<Value> {
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    report["findings"].as_array().unwrap().clone()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn copy_role(dir: &Path) -> PathBuf {
    let path = dir.join("role.json");
    std::fs::copy(root().join(ROLE), &path).unwrap();
    path
}

/// The role policy as iamlint sends it (keys sorted, single values as strings).
fn role_document() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
             "Resource": ["arn:aws:s3:::my-upload-bucket", "arn:aws:s3:::my-upload-bucket/*"]},
            {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}
        ]
    })
}

fn sent_document(request: &Recorded, field: &str) -> Value {
    serde_json::from_str(request.body[field].as_str().expect("document is a string")).unwrap()
}

#[test]
fn validates_the_lambda_guide_role_and_places_a_security_warning() {
    let server = Server::start(Box::new(|request, earlier| {
        if request.target.contains("nextToken=page-2") {
            return ok(json!({"findings": [{
                "findingType": "SUGGESTION",
                "issueCode": "EMPTY_ARRAY_CONDITION",
                "findingDetails": "There are no values for the condition key in the condition block.",
                "learnMoreLink": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-suggestion-empty-array-condition",
                "locations": [{"path": [{"value": "Statement"}, {"index": 0}, {"value": "Action"}, {"index": 1}],
                               "span": {"start": {"line": 1, "column": 80, "offset": 80}, "end": {"line": 1, "column": 95, "offset": 95}}}]
            }]}));
        }
        // The first attempt is throttled: iamlint must retry with backoff.
        if earlier == 0 {
            return error(429, "ThrottlingException", "Rate exceeded");
        }
        ok(json!({
            "findings": [{
                "findingType": "SECURITY_WARNING",
                "issueCode": "ALLOW_ALL_ACTIONS_OF_SERVICE",
                "findingDetails": "Granting every action of a service on all resources is overly permissive.",
                "learnMoreLink": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
                "locations": [{"path": [{"value": "Statement"}, {"index": 1}, {"value": "Resource"}],
                               "span": {"start": {"line": 1, "column": 200, "offset": 200}, "end": {"line": 1, "column": 203, "offset": 203}}}]
            }],
            "nextToken": "page-2"
        }))
    }));
    let dir = tempfile::tempdir().unwrap();
    copy_role(dir.path());
    let output = iamlint(
        dir.path(),
        Some(&server.url),
        true,
        &[
            "check",
            "role.json",
            "--format",
            "json",
            "--access-analyzer",
            "--no-cache",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    let requests = server.requests();
    assert_eq!(requests.len(), 3, "{requests:#?}");
    for request in &requests {
        assert_eq!(request.method, "POST");
        assert!(
            request.target.starts_with("/policy/validation"),
            "{}",
            request.target
        );
        assert_eq!(request.body["policyType"], "IDENTITY_POLICY");
        assert!(request.body.get("validatePolicyResourceType").is_none());
        assert_eq!(sent_document(request, "policyDocument"), role_document());
    }
    assert!(requests[2].target.contains("nextToken=page-2"));

    let findings = findings(&output);
    let online: Vec<&Value> = findings
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("access-analyzer/"))
        .collect();
    assert_eq!(online.len(), 2, "{findings:#?}");
    let warning = online
        .iter()
        .find(|f| f["code"] == "access-analyzer/ALLOW_ALL_ACTIONS_OF_SERVICE")
        .unwrap();
    // Line 15 is `"Resource": "*"` of the second statement.
    assert_eq!(
        (warning["line"].as_u64(), warning["column"].as_u64()),
        (Some(15), Some(19))
    );
    assert_eq!(warning["severity"], "high");
    assert_eq!(warning["category"], "risk");
    assert_eq!(
        warning["message"],
        "granting every action of a service on all resources is overly permissive"
    );
    let suggestion = online
        .iter()
        .find(|f| f["code"] == "access-analyzer/EMPTY_ARRAY_CONDITION")
        .unwrap();
    assert_eq!(
        (suggestion["line"].as_u64(), suggestion["column"].as_u64()),
        (Some(6), Some(34))
    );
    // The offline findings are still there.
    assert!(findings
        .iter()
        .any(|f| f["rule"] == "service-wildcard-action"));
}

#[test]
fn custom_checks_send_their_inputs_and_answers_are_cached() {
    let server = Server::start(Box::new(|request, _| match request.target.as_str() {
        "/policy/validation" => ok(json!({"findings": []})),
        "/policy/check-access-not-granted" => ok(json!({
            "result": "FAIL",
            "message": "The policy document grants access to perform one or more of the listed actions.",
            "reasons": [{"description": "One or more of the listed actions in the statement with index: 1 is granted.", "statementIndex": 1}]
        })),
        other => error(
            404,
            "ResourceNotFoundException",
            &format!("no route {other}"),
        ),
    }));
    let dir = tempfile::tempdir().unwrap();
    copy_role(dir.path());
    let args = [
        "check",
        "role.json",
        "--format",
        "json",
        "--access-analyzer",
        "--deny-actions",
        "logs:DeleteLogGroup,iam:PassRole",
    ];
    let output = iamlint(dir.path(), Some(&server.url), true, &args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let check = requests
        .iter()
        .find(|r| r.target == "/policy/check-access-not-granted")
        .unwrap();
    assert_eq!(check.body["policyType"], "IDENTITY_POLICY");
    assert_eq!(
        check.body["access"],
        // The SDK writes the optional resource list as empty.
        json!([{"actions": ["logs:DeleteLogGroup", "iam:PassRole"], "resources": []}])
    );
    assert_eq!(sent_document(check, "policyDocument"), role_document());
    let first = findings(&output);
    let denied = first
        .iter()
        .find(|f| f["code"] == "access-analyzer/CHECK_ACCESS_NOT_GRANTED")
        .unwrap();
    // Line 13 is the `Effect` of the statement with index 1.
    assert_eq!(denied["line"].as_u64(), Some(13));

    // Same policies again: answered from the cache, nothing sent.
    let again = iamlint(dir.path(), Some(&server.url), true, &args);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(findings(&again), first);
    assert!(
        stderr(&again).contains("requests sent 0, answered from cache 2"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn no_new_access_compares_with_the_policy_at_a_git_revision() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(dir.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?} {out:?}");
    };
    git(&["init", "-q"]);
    let path = dir.path().join("role.json");
    let old = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": "*"}
  ]
}"#;
    std::fs::write(&path, old).unwrap();
    git(&["add", "role.json"]);
    git(&["commit", "-q", "-m", "base"]);
    std::fs::copy(root().join(ROLE), &path).unwrap();

    let server = Server::start(Box::new(|request, _| match request.target.as_str() {
        "/policy/validation" => ok(json!({"findings": []})),
        "/policy/check-no-new-access" => ok(json!({
            "result": "FAIL",
            "message": "The modified permissions grant new access compared to your reference policy.",
            "reasons": [
                {"description": "New access in the statement with index: 0.", "statementIndex": 0},
                {"description": "New access in the statement with index: 1.", "statementIndex": 1}
            ]
        })),
        other => error(
            404,
            "ResourceNotFoundException",
            &format!("no route {other}"),
        ),
    }));
    let output = iamlint(
        dir.path(),
        Some(&server.url),
        true,
        &[
            "check",
            "role.json",
            "--format",
            "json",
            "--access-analyzer",
            "--no-new-access-since",
            "HEAD",
            "--no-cache",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let requests = server.requests();
    let check = requests
        .iter()
        .find(|r| r.target == "/policy/check-no-new-access")
        .expect("a CheckNoNewAccess request");
    assert_eq!(check.body["policyType"], "IDENTITY_POLICY");
    assert_eq!(sent_document(check, "newPolicyDocument"), role_document());
    assert_eq!(
        sent_document(check, "existingPolicyDocument"),
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": "*"}]})
    );
    let lines: Vec<u64> = findings(&output)
        .iter()
        .filter(|f| f["code"] == "access-analyzer/CHECK_NO_NEW_ACCESS")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [5, 13]);

    // A revision that does not exist is one clear error, and exit code 2.
    let output = iamlint(
        dir.path(),
        Some(&server.url),
        true,
        &[
            "check",
            "role.json",
            "--format",
            "json",
            "--access-analyzer",
            "--no-new-access-since",
            "no-such-ref",
            "--no-cache",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`no-such-ref` names no commit"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn access_denied_is_one_error_with_offline_findings_kept() {
    let server = Server::start(Box::new(|_, _| {
        error(403, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: access-analyzer:ValidatePolicy")
    }));
    let dir = tempfile::tempdir().unwrap();
    copy_role(dir.path());
    std::fs::write(dir.path().join("second.json"), r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#).unwrap();
    let output = iamlint(
        dir.path(),
        Some(&server.url),
        true,
        &[
            "check",
            ".",
            "--format",
            "json",
            "--access-analyzer",
            "--no-cache",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(err.matches("error: access analyzer:").count(), 1, "{err}");
    assert!(err.contains("IAM Access Analyzer denied access"), "{err}");
    assert!(err.contains("is not authorized to perform"), "{err}");
    assert!(findings(&output)
        .iter()
        .any(|f| f["rule"] == "service-wildcard-action"));

    // `=optional`: the same failure is reported but the exit code is the offline one.
    let output = iamlint(
        dir.path(),
        Some(&server.url),
        true,
        &[
            "check",
            ".",
            "--format",
            "json",
            "--access-analyzer=optional",
            "--no-cache",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("denied access"));
}

#[test]
fn no_credentials_is_one_clear_error_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    copy_role(dir.path());
    // No endpoint: nothing may be sent anywhere without credentials.
    let output = iamlint(
        dir.path(),
        None,
        false,
        &[
            "check",
            "role.json",
            "--format",
            "json",
            "--access-analyzer",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.contains("error: access analyzer: no AWS credentials found"),
        "{err}"
    );
    assert!(findings(&output)
        .iter()
        .any(|f| f["rule"] == "service-wildcard-action"));
}

#[test]
fn unreachable_endpoint_is_a_network_error() {
    // A port that was free a moment ago: connections are refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    copy_role(dir.path());
    let output = iamlint(
        dir.path(),
        Some(&format!("http://127.0.0.1:{port}")),
        true,
        &[
            "check",
            "role.json",
            "--format",
            "json",
            "--access-analyzer",
            "--no-cache",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("error: access analyzer: could not reach IAM Access Analyzer"),
        "{err}"
    );
    assert!(findings(&output)
        .iter()
        .any(|f| f["rule"] == "service-wildcard-action"));
}

#[test]
fn findings_land_in_sam_templates_and_comments_suppress_them() {
    let template = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
      InlineCode: "exports.handler = async () => {}"
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: logs:*
              Resource: "*"
            - Effect: Allow
              Action: sqs:SendMessage   # iamlint: ignore[access-analyzer/example-warning] reviewed
              Resource: !Sub arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}
        - SQSPollerPolicy:
            QueueName: jobs
"#;
    let server = Server::start(Box::new(|request, _| {
        let document = request.body["policyDocument"].as_str().unwrap_or_default();
        if !document.contains("logs:*") {
            return ok(json!({"findings": []}));
        }
        let at = |path: Value| {
            json!([{"path": path, "span": {
            "start": {"line": 1, "column": 1, "offset": 1}, "end": {"line": 1, "column": 2, "offset": 2}}}])
        };
        ok(json!({"findings": [
            {"findingType": "SECURITY_WARNING", "issueCode": "EXAMPLE_SECURITY_WARNING",
             "findingDetails": "Flagged resource.", "learnMoreLink": "https://docs.aws.amazon.com/x",
             "locations": at(json!([{"value": "Statement"}, {"index": 0}, {"value": "Resource"}]))},
            {"findingType": "WARNING", "issueCode": "EXAMPLE_WARNING",
             "findingDetails": "Flagged action.", "learnMoreLink": "https://docs.aws.amazon.com/x",
             "locations": at(json!([{"value": "Statement"}, {"index": 1}, {"value": "Action"}]))},
            {"findingType": "ERROR", "issueCode": "INVALID_ARN_RESOURCE",
             "findingDetails": "About the stand-in for the unresolved queue name.", "learnMoreLink": "https://docs.aws.amazon.com/x",
             "locations": at(json!([{"value": "Statement"}, {"index": 1}, {"value": "Resource"}]))}
        ]}))
    }));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("template.yaml"), template).unwrap();
    let output = iamlint(
        dir.path(),
        Some(&server.url),
        true,
        &[
            "check",
            "template.yaml",
            "--format",
            "json",
            "--access-analyzer",
            "--no-cache",
            "--show-suppressed",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let documents: Vec<Value> = server
        .requests()
        .iter()
        .map(|r| sent_document(r, "policyDocument"))
        .collect();
    // The inline policy, with a neutral stand-in for the unresolved parts of its ARN.
    assert!(
        documents.iter().any(
            |d| d["Statement"][1]["Resource"] == "arn:aws:sqs:us-east-1:123456789012:QueueName"
        ),
        "{documents:#?}"
    );
    // The SAM policy template, as expanded.
    assert!(
        documents
            .iter()
            .any(|d| d.to_string().contains("sqs:ReceiveMessage")),
        "{documents:#?}"
    );

    // The offline pass leaves `ignore[access-analyzer/...]` comments to online mode.
    assert!(!findings(&output)
        .iter()
        .any(|f| f["rule"] == "unused-suppression"));
    let online: Vec<Value> = findings(&output)
        .into_iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("access-analyzer/"))
        .collect();
    assert_eq!(online.len(), 1, "{online:#?}");
    assert_eq!(
        online[0]["code"],
        "access-analyzer/EXAMPLE_SECURITY_WARNING"
    );
    assert_eq!(
        (online[0]["line"].as_u64(), online[0]["column"].as_u64()),
        (Some(14), Some(25))
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let suppressed = report["suppressed"].as_array().unwrap();
    assert_eq!(suppressed.len(), 1, "{suppressed:#?}");
    assert_eq!(suppressed[0]["code"], "access-analyzer/EXAMPLE_WARNING");
    assert_eq!(suppressed[0]["reason"], "reviewed");
}

#[test]
fn a_finding_an_offline_rule_reports_is_merged_not_repeated() {
    let server = Server::start(Box::new(|_, _| {
        ok(json!({"findings": [{
            "findingType": "SECURITY_WARNING",
            "issueCode": "PASS_ROLE_WITH_STAR_IN_RESOURCE",
            "findingDetails": "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources.",
            "learnMoreLink": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
            "locations": [{"path": [{"value": "Statement"}, {"index": 0}, {"value": "Resource"}],
                           "span": {"start": {"line": 4, "column": 63, "offset": 100}, "end": {"line": 4, "column": 66, "offset": 103}}}]
        }]}))
    }));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pass.json"),
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
  ]
}"#,
    )
    .unwrap();
    let output = iamlint(
        dir.path(),
        Some(&server.url),
        true,
        &[
            "check",
            "pass.json",
            "--format",
            "json",
            "--access-analyzer",
            "--no-cache",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let findings = findings(&output);
    assert!(!findings
        .iter()
        .any(|f| f["code"].as_str().unwrap().starts_with("access-analyzer/")));
    let offline = findings
        .iter()
        .find(|f| f["rule"] == "pass-role-wildcard")
        .unwrap();
    assert!(offline["message"]
        .as_str()
        .unwrap()
        .ends_with("(IAM Access Analyzer agrees: `PASS_ROLE_WITH_STAR_IN_RESOURCE`)"));
    assert!(
        stderr(&output).contains("findings merged into offline ones 1"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn resource_and_trust_policies_name_their_types_and_get_the_public_access_check() {
    let template = r#"Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: my-bucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: arn:aws:s3:::my-bucket/*
"#;
    let server = Server::start(Box::new(|request, _| match request.target.as_str() {
        "/policy/check-no-public-access" if request.body["resourceType"] == "AWS::S3::Bucket" => {
            ok(json!({
                "result": "FAIL",
                "message": "The resource policy grants public access for the given resource type.",
                "reasons": [{"description": "Public access granted in the following statement with index: 0.", "statementIndex": 0}]
            }))
        }
        "/policy/check-no-public-access" => ok(
            json!({"result": "PASS", "message": "The resource policy does not grant public access for the given resource type.", "reasons": []}),
        ),
        _ => ok(json!({"findings": []})),
    }));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("template.yaml"), template).unwrap();
    let output = iamlint(
        dir.path(),
        Some(&server.url),
        true,
        &[
            "check",
            "template.yaml",
            "--format",
            "json",
            "--access-analyzer",
            "--no-cache",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let mut seen: Vec<(String, String, String, String)> = server
        .requests()
        .iter()
        .map(|r| {
            let text = |k: &str| r.body[k].as_str().unwrap_or("-").to_string();
            (
                r.target.clone(),
                text("policyType"),
                text("validatePolicyResourceType"),
                text("resourceType"),
            )
        })
        .collect();
    seen.sort();
    let row = |a: &str, b: &str, c: &str, d: &str| (a.into(), b.into(), c.into(), d.into());
    assert_eq!(
        seen,
        [
            row(
                "/policy/check-no-public-access",
                "-",
                "-",
                "AWS::IAM::AssumeRolePolicyDocument"
            ),
            row(
                "/policy/check-no-public-access",
                "-",
                "-",
                "AWS::S3::Bucket"
            ),
            row(
                "/policy/validation",
                "RESOURCE_POLICY",
                "AWS::IAM::AssumeRolePolicyDocument",
                "-"
            ),
            row(
                "/policy/validation",
                "RESOURCE_POLICY",
                "AWS::S3::Bucket",
                "-"
            ),
        ]
    );
    let public: Vec<Value> = findings(&output)
        .into_iter()
        .filter(|f| f["code"] == "access-analyzer/CHECK_NO_PUBLIC_ACCESS")
        .collect();
    assert_eq!(public.len(), 1, "{public:#?}");
    // Line 18 is the bucket policy statement's `Effect`.
    assert_eq!(public[0]["line"].as_u64(), Some(18));
}
