//! AWS SAM: `Globals`, `AWS::Serverless::Function` policies in all their forms, the role SAM
//! generates for them, events and function URLs; `AWS::Serverless::StateMachine` policies.

use super::entry_type;
use super::functions::{
    destinations, link_role, read_common, read_variables, sam_type_service, target,
};
use super::iam::managed_policy_ref;
use super::Template;
use crate::load::policy_reader::{read_policy, Resolver};
use crate::load::LoadNote;
use crate::model::{
    EventSource, FileModel, FunctionUrl, ManagedPolicyRef, PolicyKind, Related, Role, TargetUse,
};
use crate::source::{Span, Spanned};
use crate::syntax::{Entry, Node, NodeKind};

/// SAM event types that invoke the function asynchronously.
const ASYNC_EVENTS: &[&str] = &[
    "S3",
    "SNS",
    "EventBridgeRule",
    "CloudWatchEvent",
    "Schedule",
    "ScheduleV2",
    "CloudWatchLogs",
    "IoTRule",
];

pub fn load(template: &Template<'_>, model: &mut FileModel, notes: &mut Vec<LoadNote>) {
    if !template.sam {
        return;
    }
    let globals = template.globals.and_then(|g| g.get("Function"));
    for resource in &template.resources {
        match entry_type(resource) {
            Some("AWS::Serverless::Function") => {
                load_function(template, resource, globals, model, notes)
            }
            Some("AWS::Serverless::StateMachine") => {
                let props = resource.value.get("Properties");
                if props.and_then(|p| p.get("Role")).is_none() {
                    if let Some(policies) = props.and_then(|p| p.get("Policies")) {
                        let mut role =
                            generated_role(template, resource, policies, model, notes, &[]);
                        role.boundary = props
                            .and_then(|p| p.get("PermissionsBoundary"))
                            .and_then(|b| super::iam::read_boundary(template, b));
                        model.roles.push(role);
                    }
                }
            }
            _ => {}
        }
    }
}

fn load_function(
    template: &Template<'_>,
    resource: &Entry,
    globals: Option<&Node>,
    model: &mut FileModel,
    notes: &mut Vec<LoadNote>,
) {
    let props = resource.value.get("Properties");
    let lookup = |key: &str| {
        props
            .and_then(|p| p.get(key))
            .or_else(|| globals.and_then(|g| g.get(key)))
    };
    let mut function = read_common(template, resource, &lookup, true);
    // Globals' variables are merged with the function's, the function winning.
    let global_vars = globals
        .and_then(|g| g.get("Environment"))
        .and_then(|e| e.get("Variables"));
    let own_vars = props
        .and_then(|p| p.get("Environment"))
        .and_then(|e| e.get("Variables"));
    if let (Some(global_vars), Some(own_vars)) = (global_vars, own_vars) {
        let mut merged = read_variables(template, global_vars);
        let own = read_variables(template, own_vars);
        merged.retain(|g| !own.iter().any(|o| o.name.value == g.name.value));
        merged.extend(own);
        function.environment = merged;
        function.environment_span = Some(own_vars.span);
    }
    function.dead_letter = lookup("DeadLetterQueue")
        .filter(|d| !d.is_null())
        .map(|d| d.span);
    if let Some(dlq) = lookup("DeadLetterQueue").filter(|d| !d.is_null()) {
        let hint = dlq
            .get("Type")
            .and_then(Node::scalar_text)
            .and_then(sam_type_service);
        function.targets.extend(
            dlq.get("TargetArn")
                .and_then(|t| target(template, t, TargetUse::DeadLetter, hint)),
        );
    }
    function.targets.extend(destinations(
        template,
        lookup("EventInvokeConfig").and_then(|c| c.get("DestinationConfig")),
        Some("Type"),
    ));
    function.tracing = lookup("Tracing").and_then(|t| {
        t.scalar_text()
            .map(|text| Spanned::new(text.to_string(), t.span))
    });
    if let Some(auth) = lookup("FunctionUrlConfig").and_then(|u| u.get("AuthType")) {
        function.url = Some(FunctionUrl {
            auth_type: Spanned::new(auth.scalar_text().unwrap_or("").to_string(), auth.span),
        });
    }
    function.on_failure_destination = lookup("EventInvokeConfig")
        .and_then(|c| c.get("DestinationConfig"))
        .and_then(|d| d.get("OnFailure"))
        .is_some();
    for event in props
        .and_then(|p| p.get("Events"))
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        let kind = event
            .value
            .get("Type")
            .and_then(Node::scalar_text)
            .unwrap_or("")
            .to_string();
        // Polled sources: the queue, stream or broker the event names.
        let source = match kind.as_str() {
            "SQS" => Some(("Queue", "sqs")),
            "DynamoDB" => Some(("Stream", "dynamodb")),
            "Kinesis" => Some(("Stream", "kinesis")),
            "MSK" => Some(("Stream", "kafka")),
            "MQ" => Some(("Broker", "mq")),
            _ => None,
        };
        if let Some((key, service)) = source {
            function.targets.extend(
                event
                    .value
                    .get("Properties")
                    .and_then(|p| p.get(key))
                    .and_then(|n| target(template, n, TargetUse::EventSource, Some(service))),
            );
        }
        function.events.push(EventSource {
            asynchronous: ASYNC_EVENTS.contains(&kind.as_str()),
            kind,
            span: event.key.span,
        });
    }
    match lookup("Role") {
        Some(role) => link_role(template, model, &mut function, role),
        None => {
            // SAM generates `<Function>Role` with the basic execution policy plus `Policies`.
            let mut implicit = vec!["AWSLambdaBasicExecutionRole"];
            if function
                .tracing
                .as_ref()
                .is_some_and(|t| t.value == "Active")
            {
                implicit.push("AWSXrayWriteOnlyAccess");
            }
            let empty = Node {
                span: resource.key.span,
                kind: NodeKind::Seq(Vec::new()),
            };
            let policies = props.and_then(|p| p.get("Policies")).unwrap_or(&empty);
            let mut role = generated_role(template, resource, policies, model, notes, &implicit);
            // SAM gives the generated role the function's (or `Globals`') boundary.
            role.boundary =
                lookup("PermissionsBoundary").and_then(|b| super::iam::read_boundary(template, b));
            model.roles.push(role);
            function.role = Some(model.roles.len() - 1);
        }
    }
    model.functions.push(function);
}

/// The role SAM generates from a resource's `Policies` property.
fn generated_role(
    template: &Template<'_>,
    resource: &Entry,
    policies: &Node,
    model: &mut FileModel,
    notes: &mut Vec<LoadNote>,
    implicit: &[&str],
) -> Role {
    let mut role = Role {
        file: template.file,
        logical_id: format!("{}Role", resource.key.value),
        span: resource.key.span,
        policies: Vec::new(),
        managed_policies: implicit
            .iter()
            .map(|name| ManagedPolicyRef {
                name: (*name).to_string(),
                span: resource.key.span,
                aws_managed: true,
            })
            .collect(),
        trust: None,
        boundary: None,
        origin: super::generated_by_sam(),
    };
    let owner = format!("function `{}`", resource.key.value);
    for alt in template.alternatives(policies) {
        for item in alt.one_or_many() {
            for item in template.alternatives(item) {
                read_policy_item(template, resource, item, &owner, &mut role, model, notes);
            }
        }
    }
    role
}

fn read_policy_item(
    template: &Template<'_>,
    resource: &Entry,
    item: &Node,
    owner: &str,
    role: &mut Role,
    model: &mut FileModel,
    notes: &mut Vec<LoadNote>,
) {
    let related = Related {
        label: owner.to_string(),
        file: template.file,
        span: resource.key.span,
    };
    match &item.kind {
        NodeKind::Scalar(_) => role.managed_policies.extend(managed_policy_ref(template, item)),
        NodeKind::Map(_) if item.get("Statement").is_some() => {
            let mut policy = read_policy(item, template.file, Some(PolicyKind::Identity), template);
            policy.label = Some(format!("inline policy of {owner}"));
            policy.removal = crate::syntax::edit::list_item_removal(template.text, item.span);
            policy.related.push(related);
            model.policies.push(policy);
            role.policies.push(model.policies.len() - 1);
        }
        NodeKind::Map(entries) => match entries.as_slice() {
            [entry] if crate::sam_templates::is_template(&entry.key.value) => {
                match crate::sam_templates::expand(&entry.key.value, &entry.value, entry.key.span) {
                    Ok(statements) => {
                        let document = Node {
                            span: entry.key.span,
                            kind: NodeKind::Map(vec![
                                Entry {
                                    key: Spanned::new("Version".into(), entry.key.span),
                                    value: scalar("2012-10-17", entry.key.span),
                                },
                                Entry {
                                    key: Spanned::new("Statement".into(), entry.key.span),
                                    value: statements,
                                },
                            ]),
                        };
                        let mut policy = read_policy(&document, template.file, Some(PolicyKind::Identity), template);
                        policy.synthesized = true;
                        policy.label = Some(format!("SAM policy template `{}` of {owner}", entry.key.value));
                        policy.related.push(related);
                        model.policies.push(policy);
                        role.policies.push(model.policies.len() - 1);
                    }
                    Err(message) => notes.push(LoadNote {
                        file: template.file,
                        span: entry.key.span,
                        message: format!("SAM policy template `{}`: {message}", entry.key.value),
                    }),
                }
            }
            // `!Ref`, `!Sub` or `!GetAtt` giving a managed policy ARN.
            [entry] if entry.key.value == "Ref" || entry.key.value.starts_with("Fn::") => {
                role.managed_policies.extend(managed_policy_ref(template, item));
            }
            _ => notes.push(LoadNote {
                file: template.file,
                span: item.span,
                message: "unrecognised entry in `Policies`: not a managed policy, policy document or SAM policy template".into(),
            }),
        },
        NodeKind::Seq(_) => {}
    }
}

fn scalar(text: &str, span: Span) -> Node {
    Node {
        span,
        kind: NodeKind::Scalar(crate::syntax::Scalar {
            text: text.to_string(),
            style: crate::syntax::ScalarStyle::Quoted,
        }),
    }
}
