#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::*;
use crate::model::{PolicyDocument, PolicyValue};

fn source(path: &str, text: &str) -> SourceFile {
    SourceFile::new(PathBuf::from(path), path.to_string(), text.to_string())
}

fn at(sources: &[&SourceFile], file: FileId, span: Span) -> String {
    let lc = sources[file].line_col(span.start);
    format!("{}:{}:{}", sources[file].display, lc.line, lc.column)
}

fn value(sources: &[&SourceFile], file: FileId, v: &PolicyValue) -> String {
    let mark = if v.resolved { "" } else { " (unresolved)" };
    format!("{}{mark} @{}", v.text, at(sources, file, v.span))
}

fn doc(out: &mut String, sources: &[&SourceFile], i: usize, p: &PolicyDocument) {
    let label = p.label.clone().unwrap_or_default();
    writeln!(
        out,
        "policy {i} {:?} {label} @{}",
        p.kind,
        at(sources, p.file, p.span)
    )
    .unwrap();
    for s in &p.statements {
        let effect = s.effect.as_ref().map(|e| format!("{:?}", e.value));
        writeln!(
            out,
            "  statement {} sid={:?} effect={effect:?}",
            s.index,
            s.sid.as_ref().map(|s| &s.value)
        )
        .unwrap();
        for (name, list) in [("action", &s.action), ("resource", &s.resource)] {
            if let Some(list) = list {
                let neg = if list.negated { "not_" } else { "" };
                for v in &list.values {
                    writeln!(out, "    {neg}{name} {}", value(sources, p.file, v)).unwrap();
                }
            }
        }
        if let Some(pr) = &s.principal {
            for e in &pr.entries {
                for v in &e.values {
                    writeln!(
                        out,
                        "    principal {} {}",
                        e.kind.value,
                        value(sources, p.file, v)
                    )
                    .unwrap();
                }
            }
        }
        for c in &s.condition {
            for e in &c.entries {
                let values: Vec<&str> = e.values.iter().map(|v| v.text.as_str()).collect();
                writeln!(
                    out,
                    "    condition {} {} {values:?}",
                    c.operator.value, e.key.value
                )
                .unwrap();
            }
        }
    }
    for problem in &p.problems {
        writeln!(
            out,
            "  problem {} @{}",
            problem.message,
            at(sources, p.file, problem.span)
        )
        .unwrap();
    }
}

/// A compact, stable rendering of a unit for snapshots.
fn render(unit: &Unit, sources: &[&SourceFile]) -> String {
    let mut out = String::new();
    let model = &unit.model;
    for (i, p) in model.policies.iter().enumerate() {
        doc(&mut out, sources, i, p);
    }
    for r in &model.roles {
        let managed: Vec<&str> = r.managed_policies.iter().map(|m| m.name.as_str()).collect();
        writeln!(
            out,
            "role {} policies={:?} managed={managed:?} @{}",
            r.logical_id,
            r.policies,
            at(sources, r.file, r.span)
        )
        .unwrap();
    }
    for f in &model.functions {
        let env: Vec<String> = f
            .environment
            .iter()
            .map(|e| format!("{}={:?}", e.name.value, e.value))
            .collect();
        writeln!(
            out,
            "function {} role={:?} external_role={:?} runtime={:?} tracing={:?} kms={} vpc={} reserved={} dlq={} url={:?} env={env:?} events={:?} @{}",
            f.logical_id,
            f.role,
            f.external_role.as_ref().map(|r| &r.value),
            f.runtime.as_ref().map(|r| &r.value),
            f.tracing.as_ref().map(|r| &r.value),
            f.kms_key.is_some(),
            f.vpc_config.is_some(),
            f.reserved_concurrency.is_some(),
            f.dead_letter.is_some(),
            f.url.as_ref().map(|u| &u.auth_type.value),
            f.events.iter().map(|e| (&e.kind, e.asynchronous)).collect::<Vec<_>>(),
            at(sources, f.file, f.span),
        )
        .unwrap();
    }
    for p in &model.permissions {
        writeln!(
            out,
            "permission {} principal={} function={:?} source_arn={}",
            p.logical_id, p.principal.value, p.function, p.has_source_arn
        )
        .unwrap();
    }
    for (file, note) in &unit.notes {
        writeln!(
            out,
            "note {} @{}",
            note.message,
            at(sources, *file, note.span)
        )
        .unwrap();
    }
    out
}

const MAIN: &str = r#"data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "app" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.narrow.json]

  statement {
    sid       = "Write"
    actions   = ["dynamodb:PutItem"]
    resources = [local.table_arn, aws_dynamodb_table.t.arn]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [var.region]
    }
  }
}

data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Read"
    actions   = ["dynamodb:*"]
    resources = ["*"]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:PutLogEvents", "logs:CreateLogStream"]
    resources = ["arn:aws:logs:*:*:*"]
  }
}

data "aws_iam_policy_document" "narrow" {
  statement {
    sid       = "Read"
    actions   = ["dynamodb:GetItem"]
    resources = [local.table_arn]
  }
}

resource "aws_iam_role" "fn" {
  name                = "fn"
  assume_role_policy  = data.aws_iam_policy_document.assume.json
  managed_policy_arns = ["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"]
}

resource "aws_iam_role_policy" "app" {
  role   = aws_iam_role.fn.id
  policy = data.aws_iam_policy_document.app.json
}

resource "aws_lambda_function" "fn" {
  count         = 2
  function_name = "fn"
  role          = aws_iam_role.fn.arn
  runtime       = "python3.12"
  kms_key_arn   = var.kms
  environment {
    variables = {
      TABLE  = local.table_arn
      SECRET = var.secret
    }
  }
  tracing_config {
    mode = "Active"
  }
  dead_letter_config {
    target_arn = "arn:aws:sqs:us-east-1:111122223333:dlq"
  }
}

resource "aws_lambda_event_source_mapping" "q" {
  function_name    = aws_lambda_function.fn[0].arn
  event_source_arn = "arn:aws:sqs:us-east-1:111122223333:jobs"
}

module "other" {
  source = "./modules/other"
}
"#;

const LOCALS: &str = r#"locals {
  table_arn = "arn:aws:dynamodb:us-east-1:111122223333:table/${var.table}"
}

variable "table" {
  default = "orders"
}

variable "region" {}

variable "secret" {
  sensitive = true
}
"#;

#[test]
fn module_model_snapshot() {
    let main = source("mod/main.tf", MAIN);
    let locals = source("mod/locals.tf", LOCALS);
    let unit = load_module(&[(0, &main), (1, &locals)], Readers::default()).unwrap();
    insta::assert_snapshot!(render(&unit, &[&main, &locals]));
}

#[test]
fn placeholders_are_never_wildcards() {
    let main = source(
        "main.tf",
        r#"resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "${var.arn}" }]
  })
}
"#,
    );
    let unit = load_module(&[(0, &main)], Readers::default()).unwrap();
    let st = &unit.model.policies[0].statements[0];
    let action = &st.action.as_ref().unwrap().values[0];
    assert_eq!(
        (action.text.as_str(), action.resolved),
        ("${var.actions}", false)
    );
    let resource = &st.resource.as_ref().unwrap().values[0];
    assert!(!resource.resolved && !resource.is_star(), "{resource:?}");
    assert_eq!(&main.text[resource.span.range()], "\"${var.arn}\"");
}

#[test]
fn file_policies_are_read_through_the_caller() {
    let main = source(
        "mod/main.tf",
        r#"resource "aws_iam_policy" "p" {
  policy = templatefile("${path.module}/policy.json.tpl", { bucket = "b" })
}
resource "aws_iam_policy" "q" {
  policy = file("missing.json")
}
"#,
    );
    let json = source(
        "mod/policy.json.tpl",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::${bucket}/*"}]}"#,
    );
    let read = |path: &Path| (path == Path::new("mod/./policy.json.tpl")).then_some((7, &json));
    let unit = load_module(
        &[(0, &main)],
        Readers {
            file: Some(&read),
            module: None,
        },
    )
    .unwrap();
    let policy = &unit.model.policies[0];
    assert_eq!(policy.file, 7);
    let resource = &policy.statements[0].resource.as_ref().unwrap().values[0];
    assert!(!resource.resolved, "template variables stay symbolic");
    assert_eq!(
        &json.text[resource.span.range()],
        "\"arn:aws:s3:::${bucket}/*\""
    );
    assert!(unit
        .notes
        .iter()
        .any(|(_, n)| n.message.contains("missing.json")));
}

#[test]
fn syntax_errors_name_the_format_and_offset() {
    let bad = source("bad.tf", "resource \"aws_iam_role\" \"x\" {\n  name = \n");
    let err = load_module(&[(0, &bad)], Readers::default()).unwrap_err();
    assert!(
        err.message.starts_with("invalid Terraform HCL"),
        "{}",
        err.message
    );
    assert!(err.span.is_some());
    // One broken file of a module does not stop the others.
    let good = source("good.tf", "resource \"aws_iam_role\" \"y\" {}\n");
    let unit = load_module(&[(0, &bad), (1, &good)], Readers::default()).unwrap();
    assert_eq!(unit.errors.len(), 1);
    assert_eq!(unit.model.roles.len(), 1);
}

#[test]
fn reference_cycles_end() {
    let main = source(
        "main.tf",
        r#"locals {
  a = local.b
  b = [local.a, local.a]
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Version = "2012-10-17", Statement = local.a })
}
"#,
    );
    let unit = load_module(&[(0, &main)], Readers::default()).unwrap();
    assert_eq!(unit.model.policies.len(), 1);
}

#[test]
fn sniffs_terraform_and_plans() {
    assert!(sniff(Path::new("main.tf"), ""));
    assert!(!sniff(Path::new("vars.tfvars"), "a = 1"));
    assert!(sniff_plan(
        r#"{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{}}"#
    ));
    assert!(!sniff_plan(r#"{"Version":"2012-10-17","Statement":[]}"#));
}

const PLAN: &str = r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.5",
  "planned_values": {"root_module": {"child_modules": [{
    "address": "module.app",
    "resources": [
      {"address": "module.app.aws_iam_role.fn", "mode": "managed", "type": "aws_iam_role", "name": "fn",
       "values": {"name": "app-fn", "assume_role_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"}}]}"}},
      {"address": "module.app.aws_lambda_function.fn", "mode": "managed", "type": "aws_lambda_function", "name": "fn",
       "values": {"function_name": "app", "runtime": "nodejs20.x", "environment": [{"variables": {"MODE": "prod"}}]}}
    ]
  }]}},
  "configuration": {"root_module": {"module_calls": {"app": {"module": {"resources": [
    {"address": "aws_lambda_function.fn", "expressions": {"role": {"references": ["aws_iam_role.fn.arn", "aws_iam_role.fn"]}}}
  ]}}}}}
}"#;

#[test]
fn plan_links_functions_to_roles_through_the_configuration() {
    let plan = source("plan.json", PLAN);
    let unit = load_plan(0, &plan).unwrap();
    insta::assert_snapshot!(render(&unit, &[&plan]));
}

#[test]
fn managed_policies_named_through_data_sources_and_partitions() {
    let main = source(
        "main.tf",
        r#"data "aws_iam_policy" "admin" {
  name = "AdministratorAccess"
}
resource "aws_iam_role" "r" {
  managed_policy_arns = [
    data.aws_iam_policy.admin.arn,
    "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    var.unknown,
  ]
}
"#,
    );
    let unit = load_module(&[(0, &main)], Readers::default()).unwrap();
    let names: Vec<(&str, bool, &str)> = unit.model.roles[0]
        .managed_policies
        .iter()
        .map(|m| (m.name.as_str(), m.aws_managed, &main.text[m.span.range()]))
        .collect();
    assert_eq!(
        names,
        [
            ("AdministratorAccess", true, "data.aws_iam_policy.admin.arn"),
            (
                "AWSLambdaBasicExecutionRole",
                true,
                "\"arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\""
            ),
        ]
    );
}

#[test]
fn local_modules_are_followed_with_their_inputs() {
    let root = source(
        "app/main.tf",
        r#"module "worker" {
  source  = "./modules/worker"
  actions = ["s3:*"]
}
module "shared" {
  source = "../shared"
}
"#,
    );
    let child = source(
        "app/modules/worker/main.tf",
        r#"variable "actions" {
  default = ["s3:GetObject"]
}
data "aws_iam_policy_document" "this" {
  statement {
    actions   = var.actions
    resources = ["arn:aws:s3:::reports/*"]
  }
}
resource "aws_iam_role" "this" {
  name = "worker"
}
resource "aws_iam_role_policy" "this" {
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
resource "aws_lambda_function" "this" {
  function_name = "worker"
  role          = aws_iam_role.this.arn
  runtime       = "python3.12"
}
"#,
    );
    let read = |dir: &Path| {
        if dir == Path::new("app/./modules/worker") {
            vec![(1, &child)]
        } else {
            Vec::new()
        }
    };
    let readers = Readers {
        file: None,
        module: Some(&read),
    };
    let unit = load_module(&[(0, &root)], readers).unwrap();
    let policy = &unit.model.policies[0];
    assert_eq!(policy.file, 1);
    let action = &policy.statements[0].action.as_ref().unwrap().values[0];
    assert_eq!(action.text, "s3:*", "the input wins over the default");
    // The value is the caller's: its stand-in span leads back to the call's argument.
    let (file, span) = crate::load::relocate(&unit.relocations, policy.file, action.span).unwrap();
    assert_eq!(file, 0);
    assert_eq!(&root.text[span.range()], "\"s3:*\"");
    let function = &unit.model.functions[0];
    assert_eq!(
        function.logical_id,
        "module.worker.aws_lambda_function.this"
    );
    assert_eq!(function.file, 1);
    let role = &unit.model.roles[function.role.unwrap()];
    assert_eq!(role.policies, [0]);
    // The module that could not be read is noted; the followed one is not.
    let notes: Vec<&str> = unit.notes.iter().map(|(_, n)| n.message.as_str()).collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("../shared"));
    assert!(unit.comments.iter().any(|(id, _)| *id == 1));
}

#[test]
fn expression_built_statements_are_not_grammar_errors() {
    let main = source(
        "main.tf",
        r#"resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:GetObject", Resource = "*", Condition = var.conditions },
      [for s in var.extra : s],
    ]
  })
}
"#,
    );
    let unit = load_module(&[(0, &main)], Readers::default()).unwrap();
    let policy = &unit.model.policies[0];
    assert!(policy.problems.is_empty(), "{:?}", policy.problems);
    assert_eq!(policy.statements.len(), 1);
    assert!(unit
        .notes
        .iter()
        .any(|(_, n)| n.message.contains("built by an expression")));
}

#[test]
fn functions_find_roles_named_inside_interpolated_arns() {
    let main = source(
        "main.tf",
        r#"resource "aws_iam_role" "r" {
  name = "worker"
}
resource "aws_lambda_function" "f" {
  role = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/${aws_iam_role.r.name}"
}
resource "aws_lambda_function" "g" {
  role = "arn:aws:iam::111122223333:role/worker"
}
resource "aws_lambda_function" "h" {
  role = "arn:aws:iam::111122223333:role/elsewhere"
}
"#,
    );
    let unit = load_module(&[(0, &main)], Readers::default()).unwrap();
    let roles: Vec<Option<usize>> = unit.model.functions.iter().map(|f| f.role).collect();
    assert_eq!(roles, [Some(0), Some(0), None]);
    let external = unit.model.functions[2].external_role.as_ref().unwrap();
    assert_eq!(external.value, "arn:aws:iam::111122223333:role/elsewhere");
}

#[test]
fn plan_policy_values_are_located_through_json_escapes() {
    let text = r#"{"format_version":"1.2","terraform_version":"1.9.5","planned_values":{"root_module":{"resources":[
{"address":"aws_iam_policy.p","mode":"managed","type":"aws_iam_policy","name":"p","values":{"policy":"{\"Statement\":[{\"Sid\":\"Caf\u00e9\ud83d\ude00\",\"Action\":\"s3:*\",\"Effect\":\"Allow\",\"Resource\":\"arn:aws:s3:::a\\/b\"}]}"}}]}}}"#;
    let plan = source("plan.json", text);
    let unit = load_plan(0, &plan).unwrap();
    let st = &unit.model.policies[0].statements[0];
    let action = &st.action.as_ref().unwrap().values[0];
    assert_eq!(&text[action.span.range()], r#"\"s3:*\""#);
    let resource = &st.resource.as_ref().unwrap().values[0];
    assert_eq!(resource.text, "arn:aws:s3:::a/b");
    assert_eq!(&text[resource.span.range()], r#"\"arn:aws:s3:::a\\/b\""#);
}

#[test]
fn a_followed_module_skips_what_its_count_turns_off_and_passes_whole_policies_back() {
    let root = source(
        "app/main.tf",
        r#"module "m" {
  source       = "./m"
  attach_extra = false
  policy       = data.aws_iam_policy_document.caller.json
}
data "aws_iam_policy_document" "caller" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
"#,
    );
    let child = source(
        "app/m/main.tf",
        r#"variable "attach_extra" {
  default = true
}
variable "policy" {}
resource "aws_iam_role" "r" {
  name = "r"
}
resource "aws_iam_role_policy" "extra" {
  count  = var.attach_extra ? 1 : 0
  role   = aws_iam_role.r.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
resource "aws_iam_role_policy" "given" {
  role   = aws_iam_role.r.id
  policy = var.policy
}
"#,
    );
    let read = |dir: &Path| {
        if crate::config::normalize(dir) == Path::new("app/m") {
            vec![(1, &child)]
        } else {
            Vec::new()
        }
    };
    let readers = Readers {
        file: None,
        module: Some(&read),
    };
    let unit = load_module(&[(0, &root)], readers).unwrap();
    let role = unit
        .model
        .roles
        .iter()
        .find(|r| r.logical_id == "module.m.aws_iam_role.r")
        .unwrap();
    // `extra` is not created; `given` is the caller's document, read where it is written.
    assert_eq!(role.policies.len(), 1);
    let policy = &unit.model.policies[role.policies[0]];
    assert_eq!(policy.file, 0);
    let action = &policy.statements[0].action.as_ref().unwrap().values[0];
    assert_eq!(&root.text[action.span.range()], "\"s3:GetObject\"");
    // Linted on its own, the module keeps the resource its default turns on or off.
    let alone = load_module(&[(1, &child)], Readers::default()).unwrap();
    assert!(alone.model.roles[0].policies.len() == 1);
    let alone_policy = &alone.model.policies[alone.model.roles[0].policies[0]];
    assert_eq!(
        alone_policy.statements[0].action.as_ref().unwrap().values[0].text,
        "*"
    );
}
