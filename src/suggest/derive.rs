//! Derive each function's least-privilege statements from the model: its log group, the
//! SDK calls of its handler code (tied to resources through its environment), tracing,
//! VPC access; then compare them with the role's Allow statements.

use std::collections::BTreeSet;

use super::{Change, FunctionSuggestion, GrantChange, Reason, SuggestedStatement};
use crate::analysis::evidence::{BASIC_EXECUTION, LOG_WRITING};
use crate::catalog::{catalog, glob_match_ci};
use crate::load::Loaded;
use crate::model::{EnvValue, FileModel, Function, ResourceHint, SdkCall, Target, TargetUse};
use crate::source::{SourceFile, Span};

const XRAY: &[&str] = &["xray:PutTraceSegments", "xray:PutTelemetryRecords"];
/// What Lambda needs to poll an SQS queue, a DynamoDB stream or a Kinesis stream for the
/// function (as `AWSLambdaSQSQueueExecutionRole` and its siblings grant, on the source).
const SQS_SOURCE: &[&str] = &[
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
];
const DYNAMODB_STREAM: &[&str] = &[
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
];
const KINESIS_STREAM: &[&str] = &[
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
    "kinesis:SubscribeToShard",
];
const VPC_ENI: &[&str] = &[
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
];

/// The suggestion for every function of a loaded unit, in model order.
pub fn of_model(loaded: &Loaded, sources: &[SourceFile]) -> Vec<FunctionSuggestion> {
    loaded
        .model
        .functions
        .iter()
        .map(|f| of_function(&loaded.model, f, sources))
        .collect()
}

fn place(sources: &[SourceFile], file: usize, span: Span) -> String {
    match sources.get(file) {
        Some(source) => format!("{}:{}", source.display, source.line_col(span.start).line),
        None => String::new(),
    }
}

/// Statements being built: one per resource list, actions merged.
#[derive(Default)]
struct Builder {
    statements: Vec<SuggestedStatement>,
}

impl Builder {
    fn add(&mut self, sid: &str, actions: &[String], resources: Vec<String>, reason: Reason) {
        if let Some(existing) = self
            .statements
            .iter_mut()
            .find(|s| s.resources == resources && s.sid == sid)
        {
            for action in actions {
                if !existing.actions.contains(action) {
                    existing.actions.push(action.clone());
                }
            }
            if !existing.reasons.contains(&reason) {
                existing.reasons.push(reason);
            }
            return;
        }
        self.statements.push(SuggestedStatement {
            sid: sid.to_string(),
            actions: actions.to_vec(),
            resources,
            reasons: vec![reason],
        });
    }
}

fn of_function(
    model: &FileModel,
    function: &Function,
    sources: &[SourceFile],
) -> FunctionSuggestion {
    let here = |span: Span| Some(place(sources, function.file, span));
    let mut builder = Builder::default();
    let mut notes = Vec::new();
    let role = model.role_of(function);
    let has_basic = role.is_some_and(|r| {
        r.managed_policies
            .iter()
            .any(|m| m.aws_managed && m.name == BASIC_EXECUTION)
    });
    if !has_basic {
        // The group the loader names (`FunctionName`, `LoggingConfig`, a Terraform
        // reference); a template's reference to the function itself would be a cycle from
        // its role's own policy, so there the stack-name pattern of generated names stays.
        let named = function
            .log_group
            .as_ref()
            .filter(|g| !g.refers_to_function || !g.text.contains("${AWS::"))
            .and_then(|g| g.text.strip_suffix(":*"));
        let group = match named {
            Some(group) => group.to_string(),
            None => format!(
                "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/${{AWS::StackName}}-{}-*",
                function.logical_id
            ),
        };
        let reason = Reason {
            text: "the function writes its own logs to its log group".into(),
            location: here(function.span),
        };
        let writes: Vec<String> = LOG_WRITING[1..].iter().map(|a| a.to_string()).collect();
        builder.add("Logs", &writes, vec![format!("{group}:*")], reason.clone());
        builder.add(
            "LogGroup",
            &[LOG_WRITING[0].to_string()],
            vec![group],
            reason,
        );
    }
    match &function.code_calls {
        Some(code) => {
            for call in &code.calls {
                add_call(&mut builder, &mut notes, function, call);
            }
            for place in &code.dynamic {
                notes.push(format!(
                    "the code picks a service or operation at run time at {place}: calls made there are not covered"
                ));
            }
        }
        None => notes.push(
            "the handler code was not found or not read: no data permissions derived, current data grants are kept as they are".into(),
        ),
    }
    if let Some(tracing) = &function.tracing {
        if tracing.value.eq_ignore_ascii_case("Active") {
            builder.add(
                "Tracing",
                &to_strings(XRAY),
                vec!["*".into()],
                Reason {
                    text: "active tracing sends segments to X-Ray (these actions take only `*`)"
                        .into(),
                    location: here(tracing.span),
                },
            );
        }
    }
    if let Some(vpc) = function.vpc_config {
        builder.add(
            "VpcAccess",
            &to_strings(VPC_ENI),
            vec!["*".into()],
            Reason {
                text: "the function runs in a VPC and manages its network interfaces (these actions take only `*`)".into(),
                location: here(vpc),
            },
        );
    }
    for target in &function.targets {
        add_target(&mut builder, &mut notes, sources, target);
    }
    let recorded = |usage: &[TargetUse]| function.targets.iter().any(|t| usage.contains(&t.usage));
    if function.kms_key.is_some() && !recorded(&[TargetUse::EnvironmentKey]) {
        notes.push(
            "the environment's KMS key could not be read: add `kms:Decrypt` on it by hand".into(),
        );
    }
    if (function.dead_letter.is_some() || function.on_failure_destination)
        && !recorded(&[TargetUse::DeadLetter, TargetUse::OnFailure])
    {
        notes.push("the dead-letter queue or destination target could not be read: add `sqs:SendMessage`/`sns:Publish` on it by hand".into());
    }
    let mut statements = builder.statements;
    let mut seen: Vec<String> = Vec::new();
    for statement in &mut statements {
        statement.actions.sort();
        // Sids must be unique in a policy: a second statement of the same kind (on other
        // resources) is numbered.
        let base = statement.sid.clone();
        let mut n = 1;
        while seen.contains(&statement.sid) {
            n += 1;
            statement.sid = format!("{base}{n}");
        }
        seen.push(statement.sid.clone());
    }
    let changes = compare(model, function, &statements, sources);
    FunctionSuggestion {
        logical_id: function.logical_id.clone(),
        location: place(sources, function.file, function.span),
        statements,
        changes,
        notes,
    }
}

/// What the function's configuration makes Lambda do with a target, on the function's
/// role: poll a queue or stream, send failed or finished events, decrypt the environment.
fn add_target(
    builder: &mut Builder,
    notes: &mut Vec<String>,
    sources: &[SourceFile],
    target: &Target,
) {
    let (sid, actions, star_only): (&str, &[&str], &[&str]) =
        match (target.usage, target.service.as_str()) {
            (TargetUse::EventSource, "sqs") => ("EventSource", SQS_SOURCE, &[]),
            (TargetUse::EventSource, "dynamodb") => {
                ("EventSource", DYNAMODB_STREAM, &["dynamodb:ListStreams"])
            }
            (TargetUse::EventSource, "kinesis") => {
                ("EventSource", KINESIS_STREAM, &["kinesis:ListStreams"])
            }
            (TargetUse::EnvironmentKey, "kms") => ("EnvironmentKey", &["kms:Decrypt"], &[]),
            (TargetUse::DeadLetter, service) => match send_action(service) {
                Some(action) => ("DeadLetter", action, &[]),
                None => return unknown_target(notes, sources, target),
            },
            (TargetUse::OnSuccess | TargetUse::OnFailure, service) => match send_action(service) {
                Some(action) => ("Destinations", action, &[]),
                None => return unknown_target(notes, sources, target),
            },
            _ => return unknown_target(notes, sources, target),
        };
    let reason = Reason {
        text: format!(
            "the function's {} is `{}`",
            target.usage.describe(),
            target.arn
        ),
        location: Some(place(sources, target.file, target.span)),
    };
    builder.add(
        sid,
        &to_strings(actions),
        vec![target.arn.clone()],
        reason.clone(),
    );
    if !star_only.is_empty() {
        builder.add(sid, &to_strings(star_only), vec!["*".into()], reason);
    }
}

/// The action that delivers an event to a destination of this service.
fn send_action(service: &str) -> Option<&'static [&'static str]> {
    Some(match service {
        "sqs" => &["sqs:SendMessage"],
        "sns" => &["sns:Publish"],
        "lambda" => &["lambda:InvokeFunction"],
        "events" => &["events:PutEvents"],
        _ => return None,
    })
}

fn unknown_target(notes: &mut Vec<String>, sources: &[SourceFile], target: &Target) {
    notes.push(format!(
        "the {} `{}` at {} (`{}`) needs permissions this suggestion does not derive: add them by hand",
        target.usage.describe(),
        target.arn,
        place(sources, target.file, target.span),
        target.service
    ));
}

fn to_strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

fn add_call(builder: &mut Builder, notes: &mut Vec<String>, function: &Function, call: &SdkCall) {
    // Each entry is a choice of actions; the first is the one the operation names.
    let actions: Vec<String> = call
        .actions
        .iter()
        .filter_map(|c| c.first().cloned())
        .collect();
    if actions.is_empty() {
        return;
    }
    let reason = Reason {
        text: format!("the handler calls `{}` {}", call.service, call.operation),
        location: Some(call.location()),
    };
    let sid = sid_of(&call.service);
    let name = call
        .resource
        .as_ref()
        .and_then(|hint| resource_name(function, hint));
    let Some(name) = name else {
        notes.push(format!(
            "`{}` at {}: the resource could not be tied to the template, so it is `*`",
            actions.join("`, `"),
            call.location()
        ));
        builder.add(&sid, &actions, vec!["*".into()], reason);
        return;
    };
    for action in &actions {
        let arn = arn_for(action, &name);
        let resources = match arn {
            Some(arn) => vec![arn],
            None => {
                notes.push(format!(
                    "`{action}` at {}: the catalog gives no resource type to scope it, so it is `*`",
                    call.location()
                ));
                vec!["*".into()]
            }
        };
        builder.add(
            &sid,
            std::slice::from_ref(action),
            resources,
            reason.clone(),
        );
    }
}

/// `s3` → `S3`, `dynamodb` → `Dynamodb`: a statement id per service.
fn sid_of(service: &str) -> String {
    let mut chars = service.chars().filter(char::is_ascii_alphanumeric);
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + &chars.collect::<String>(),
        None => "Calls".into(),
    }
}

/// The resource name a call's argument stands for: a literal, or the value of the
/// environment variable it reads when that is a literal, a parameter or a `!Ref` of a
/// template resource. None when it cannot be tied.
fn resource_name(function: &Function, hint: &ResourceHint) -> Option<String> {
    match hint {
        ResourceHint::Literal(text) => Some(text.clone()),
        ResourceHint::EnvVar(name) => {
            let var = function
                .environment
                .iter()
                .find(|v| v.name.value == *name)?;
            match &var.value {
                EnvValue::Literal(text) if !text.is_empty() => Some(text.clone()),
                EnvValue::Parameter { name, .. } => Some(format!("${{{name}}}")),
                EnvValue::Expression(text) if is_plain_ref(text) => Some(text.clone()),
                _ => None,
            }
        }
    }
}

/// `${Orders}`: a whole value that is one reference to a resource's name.
fn is_plain_ref(text: &str) -> bool {
    text.strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .is_some_and(|inner| {
            !inner.is_empty()
                && !inner.contains("AWS::")
                && inner.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// The ARN an action takes for the named resource, from the catalog's ARN format of the
/// action's first required resource type (access point types last): `${Partition}`, `${Region}` and `${Account}`
/// become pseudo parameters, the first other placeholder the name, the rest `*`.
fn arn_for(action: &str, name: &str) -> Option<String> {
    if name.starts_with("arn:") {
        return Some(name.to_string());
    }
    let found = catalog().action(action)?;
    let mut types: Vec<_> = found
        .resource_types()
        .filter(|r| !r.arn_format.is_empty())
        .collect();
    // Required types first; access points are a second way to the same data, not the
    // resource the template names.
    types.sort_by_key(|r| (r.name.contains("accesspoint"), !r.required));
    let format = types.first()?.arn_format;
    let mut out = String::new();
    let mut rest = format;
    let mut named = false;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let placeholder = &after[..end];
        match placeholder {
            "Partition" => out.push_str("${AWS::Partition}"),
            "Region" => out.push_str("${AWS::Region}"),
            "Account" => out.push_str("${AWS::AccountId}"),
            _ if !named => {
                out.push_str(name);
                named = true;
            }
            _ => out.push('*'),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    named.then_some(out)
}

/// Each action pattern of the role's Allow statements, and what the suggestion does to it.
fn compare(
    model: &FileModel,
    function: &Function,
    statements: &[SuggestedStatement],
    sources: &[SourceFile],
) -> Vec<GrantChange> {
    let code_read = function.code_calls.is_some();
    let mut changes = Vec::new();
    for policy in model.function_policies(function) {
        for statement in &policy.statements {
            let (true, Some(actions)) = (statement.is_allow(), &statement.action) else {
                continue;
            };
            let resources: Vec<String> = statement
                .resource
                .as_ref()
                .map(|r| r.values.iter().map(|v| v.text.clone()).collect())
                .unwrap_or_default();
            for value in &actions.values {
                let pattern = &value.text;
                let covered: BTreeSet<&str> = statements
                    .iter()
                    .flat_map(|s| s.actions.iter())
                    .filter(|a| !actions.negated && glob_match_ci(pattern, a))
                    .map(String::as_str)
                    .collect();
                let suggested_resources: BTreeSet<&str> = statements
                    .iter()
                    .filter(|s| s.actions.iter().any(|a| covered.contains(a.as_str())))
                    .flat_map(|s| s.resources.iter().map(String::as_str))
                    .collect();
                let is_log = pattern.to_ascii_lowercase().starts_with("logs:");
                let is_data = !is_log
                    && !pattern.to_ascii_lowercase().starts_with("xray:")
                    && !pattern.to_ascii_lowercase().starts_with("ec2:");
                let (change, detail) = if covered.is_empty() {
                    if is_data && !code_read {
                        (Change::Kept, "the handler code was not read".to_string())
                    } else if is_log && statements.iter().all(|s| s.sid != "Logs") {
                        (
                            Change::Removed,
                            format!(
                                "the role's `{BASIC_EXECUTION}` already covers the function's logs"
                            ),
                        )
                    } else {
                        (
                            Change::Removed,
                            "nothing the function does needs it".to_string(),
                        )
                    }
                } else if covered.len() == 1
                    && covered.iter().all(|a| a.eq_ignore_ascii_case(pattern))
                    && resources
                        .iter()
                        .all(|r| suggested_resources.contains(r.as_str()))
                    && !actions.negated
                    && statement.resource.as_ref().is_some_and(|r| !r.negated)
                {
                    (Change::Kept, "the function needs it as granted".to_string())
                } else {
                    let list: Vec<&str> = covered.iter().copied().collect();
                    (
                        Change::Narrowed,
                        format!(
                            "to `{}` on {}",
                            list.join("`, `"),
                            suggested_resources
                                .iter()
                                .map(|r| format!("`{r}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                };
                changes.push(GrantChange {
                    action: pattern.clone(),
                    resources: resources.clone(),
                    location: place(sources, policy.file, value.span),
                    change,
                    detail,
                });
            }
        }
    }
    changes
}
