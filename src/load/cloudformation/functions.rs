//! Lambda functions, permissions, URLs and invoke configs of plain CloudFormation.

use super::intrinsics::single_key;
use super::{entry_type, Template};
use crate::load::policy_reader::Resolver;
use crate::model::arn_service;
use crate::model::{
    CodeLocation, EnvValue, EnvVar, EventSource, FileModel, Function, FunctionUrl, InlineCode,
    LambdaPermission, LogGroupRef, Target, TargetUse, VpcStore,
};
use crate::source::Spanned;
use crate::syntax::{Entry, Node};

/// Service principals that invoke functions asynchronously.
const ASYNC_PRINCIPALS: &[&str] = &[
    "s3.amazonaws.com",
    "sns.amazonaws.com",
    "events.amazonaws.com",
    "logs.amazonaws.com",
    "iot.amazonaws.com",
    "ses.amazonaws.com",
    "scheduler.amazonaws.com",
];

pub fn load(template: &Template<'_>, model: &mut FileModel) {
    for resource in &template.resources {
        if entry_type(resource) == Some("AWS::Lambda::Function") {
            let props = resource.value.get("Properties");
            let lookup = |key: &str| props.and_then(|p| p.get(key));
            let mut function = read_common(template, resource, &lookup, false);
            if let Some(role) = lookup("Role") {
                link_role(template, model, &mut function, role);
            }
            function.dead_letter = lookup("DeadLetterConfig")
                .filter(|d| d.get("TargetArn").is_some())
                .map(|d| d.span);
            function.targets.extend(
                lookup("DeadLetterConfig")
                    .and_then(|d| d.get("TargetArn"))
                    .and_then(|t| target(template, t, TargetUse::DeadLetter, None)),
            );
            function.tracing = lookup("TracingConfig")
                .and_then(|t| t.get("Mode"))
                .and_then(|m| {
                    m.scalar_text()
                        .map(|text| Spanned::new(text.to_string(), m.span))
                });
            model.functions.push(function);
        }
    }
    for resource in &template.resources {
        let props = resource.value.get("Properties");
        match entry_type(resource) {
            Some("AWS::Lambda::Permission") => load_permission(template, resource, model),
            Some("AWS::Lambda::Url") => {
                let target = props.and_then(|p| p.get("TargetFunctionArn"));
                let auth = props.and_then(|p| p.get("AuthType"));
                if let (Some(function), Some(auth)) = (
                    target.and_then(|t| function_index(template, model, t)),
                    auth,
                ) {
                    model.functions[function].url = Some(FunctionUrl {
                        auth_type: Spanned::new(
                            auth.scalar_text().unwrap_or("").to_string(),
                            auth.span,
                        ),
                    });
                }
            }
            Some("AWS::Lambda::EventInvokeConfig") => {
                let target = props.and_then(|p| p.get("FunctionName"));
                let destinations = destinations(
                    template,
                    props.and_then(|p| p.get("DestinationConfig")),
                    None,
                );
                if let Some(function) = target.and_then(|t| function_index(template, model, t)) {
                    model.functions[function].targets.extend(destinations);
                }
                let on_failure = props
                    .and_then(|p| p.get("DestinationConfig"))
                    .and_then(|d| d.get("OnFailure"))
                    .is_some();
                if let (Some(function), true) = (
                    target.and_then(|t| function_index(template, model, t)),
                    on_failure,
                ) {
                    model.functions[function].on_failure_destination = true;
                }
            }
            Some("AWS::Lambda::EventSourceMapping") => {
                let function = props
                    .and_then(|p| p.get("FunctionName"))
                    .and_then(|t| function_index(template, model, t));
                let source = props
                    .and_then(|p| p.get("EventSourceArn"))
                    .and_then(|s| target(template, s, TargetUse::EventSource, None));
                if let (Some(function), Some(source)) = (function, source) {
                    model.functions[function].targets.push(source);
                }
            }
            Some(kind) => {
                // A search domain lives in a VPC only when it has `VPCOptions`.
                let in_vpc = !kind.ends_with("::Domain")
                    || props.and_then(|p| p.get("VPCOptions")).is_some();
                if let Some((_, what)) = VPC_STORES.iter().find(|(t, _)| *t == kind) {
                    if in_vpc {
                        model.vpc_stores.push(VpcStore {
                            file: template.file,
                            logical_id: resource.key.value.clone(),
                            kind: what,
                            span: resource.key.span,
                        });
                    }
                }
            }
            None => {}
        }
    }
}

/// Resource types that live inside a VPC, with what messages call them.
const VPC_STORES: &[(&str, &str)] = &[
    ("AWS::RDS::DBInstance", "RDS DB instance"),
    ("AWS::RDS::DBCluster", "RDS/Aurora DB cluster"),
    ("AWS::RDS::DBProxy", "RDS Proxy"),
    ("AWS::ElastiCache::CacheCluster", "ElastiCache cluster"),
    (
        "AWS::ElastiCache::ReplicationGroup",
        "ElastiCache replication group",
    ),
    (
        "AWS::ElastiCache::ServerlessCache",
        "ElastiCache serverless cache",
    ),
    ("AWS::Redshift::Cluster", "Redshift cluster"),
    (
        "AWS::RedshiftServerless::Workgroup",
        "Redshift Serverless workgroup",
    ),
    ("AWS::DocDB::DBCluster", "DocumentDB cluster"),
    ("AWS::DocDB::DBInstance", "DocumentDB instance"),
    ("AWS::DocDBElastic::Cluster", "DocumentDB elastic cluster"),
    ("AWS::Neptune::DBCluster", "Neptune cluster"),
    ("AWS::Neptune::DBInstance", "Neptune instance"),
    ("AWS::MemoryDB::Cluster", "MemoryDB cluster"),
    ("AWS::EFS::FileSystem", "EFS file system"),
    ("AWS::EFS::AccessPoint", "EFS access point"),
    (
        "AWS::OpenSearchService::Domain",
        "VPC-only OpenSearch domain",
    ),
    ("AWS::Elasticsearch::Domain", "VPC-only OpenSearch domain"),
];

/// The `OnSuccess`/`OnFailure` destinations of a `DestinationConfig`; `type_key` is SAM's
/// `Type` beside `Destination`.
pub fn destinations(
    template: &Template<'_>,
    config: Option<&Node>,
    type_key: Option<&str>,
) -> Vec<Target> {
    let mut out = Vec::new();
    for (key, usage) in [
        ("OnSuccess", TargetUse::OnSuccess),
        ("OnFailure", TargetUse::OnFailure),
    ] {
        let Some(destination) = config.and_then(|c| c.get(key)) else {
            continue;
        };
        let hint = type_key
            .and_then(|k| destination.get(k))
            .and_then(Node::scalar_text)
            .and_then(sam_type_service);
        if let Some(arn) = destination.get("Destination") {
            out.extend(target(template, arn, usage, hint));
        }
    }
    out
}

/// The function of this template a `FunctionName`/`TargetFunctionArn` value refers to.
fn function_index(template: &Template<'_>, model: &FileModel, node: &Node) -> Option<usize> {
    let name = template.referenced_resource(node)?;
    model.functions.iter().position(|f| f.logical_id == name)
}

/// Properties shared by `AWS::Lambda::Function` and `AWS::Serverless::Function`.
pub fn read_common<'n>(
    template: &Template<'_>,
    resource: &Entry,
    lookup: &dyn Fn(&str) -> Option<&'n Node>,
    sam: bool,
) -> Function {
    let spanned = |node: &Node| {
        node.scalar_text()
            .map(|t| Spanned::new(t.to_string(), node.span))
    };
    let properties_span = resource
        .value
        .get("Properties")
        .map_or(resource.key.span, |p| p.span);
    let mut function = Function {
        origin: super::origin(sam, resource),
        runtime: lookup("Runtime").and_then(spanned),
        package_image: lookup("PackageType").and_then(Node::scalar_text) == Some("Image"),
        kms_key: lookup("KmsKeyArn")
            .filter(|k| !is_empty_value(k))
            .map(|k| k.span),
        vpc_config: lookup("VpcConfig")
            .filter(|v| !is_empty_value(v))
            .map(|v| v.span),
        reserved_concurrency: lookup("ReservedConcurrentExecutions").map(|r| r.span),
        ..Function::new(
            template.file,
            resource.key.value.clone(),
            resource.key.span,
            properties_span,
        )
    };
    if let Some(variables) = lookup("Environment").and_then(|e| e.get("Variables")) {
        function.environment_span = Some(variables.span);
        function.environment = read_variables(template, variables);
    }
    function.code = code_location(lookup).or_else(|| cdk_asset(resource, lookup));
    function.log_group = log_group(template, resource, lookup);
    function.targets.extend(
        lookup("KmsKeyArn")
            .filter(|k| !is_empty_value(k))
            .and_then(|k| target(template, k, TargetUse::EnvironmentKey, Some("kms"))),
    );
    function
}

/// A resource the function's configuration names, with its ARN as `Fn::Sub` text. The
/// service comes from `hint` (SAM's `Type: SQS`), else from the ARN's shape.
pub fn target(
    template: &Template<'_>,
    node: &Node,
    usage: TargetUse,
    hint: Option<&str>,
) -> Option<Target> {
    let arn = match single_key(node) {
        _ if node.scalar_text().is_some() => node.scalar_text()?.to_string(),
        Some(("Ref", arg)) => format!("${{{}}}", arg.scalar_text()?),
        Some(("Fn::GetAtt", arg)) => match arg.as_seq() {
            Some([r, a]) => format!("${{{}.{}}}", r.scalar_text()?, a.scalar_text()?),
            _ => format!("${{{}}}", arg.scalar_text()?),
        },
        Some(("Fn::Sub", arg)) => arg.scalar_text()?.to_string(),
        _ => return None,
    };
    let service = match hint {
        Some(service) => service.to_string(),
        None => {
            let mut values = Vec::new();
            template.strings(node, &mut values);
            values
                .iter()
                .find_map(|v| arn_service(&v.text))?
                .to_string()
        }
    };
    Some(Target {
        usage,
        file: template.file,
        service,
        arn,
        span: node.span,
    })
}

/// SAM's destination and dead-letter `Type` values as service prefixes.
pub fn sam_type_service(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "SQS" => "sqs",
        "SNS" => "sns",
        "Lambda" => "lambda",
        "EventBridge" => "events",
        "S3" => "s3",
        _ => return None,
    })
}

/// The function's log group as a `Fn::Sub` ARN in the template's syntax: its
/// `LoggingConfig.LogGroup`, else `/aws/lambda/` and its `FunctionName`, else its generated
/// name through `${LogicalId}` (which refers to the function itself).
fn log_group<'n>(
    template: &Template<'_>,
    resource: &Entry,
    lookup: &dyn Fn(&str) -> Option<&'n Node>,
) -> Option<LogGroupRef> {
    let custom = lookup("LoggingConfig").and_then(|l| l.get("LogGroup"));
    let named = lookup("FunctionName");
    let (group, refers_to_function) = match (custom, named) {
        (Some(group), _) => (sub_text(template, group)?, false),
        (None, Some(name)) => (format!("/aws/lambda/{}", sub_text(template, name)?), false),
        (None, None) => (format!("/aws/lambda/${{{}}}", resource.key.value), true),
    };
    let arn = format!(
        "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}:*"
    );
    let quoted = format!("\"{}\"", arn.replace('\\', "\\\\").replace('"', "\\\""));
    let json = template.text.trim_start().starts_with('{');
    Some(LogGroupRef {
        arn: if json {
            format!("{{\"Fn::Sub\": {quoted}}}")
        } else {
            format!("!Sub {quoted}")
        },
        text: arn,
        refers_to_function,
    })
}

/// A name as text inside a `Fn::Sub` string: a literal, `${Param}` for `!Ref Param`, or
/// the text of a `!Sub` without variables. Anything else cannot be written there.
fn sub_text(template: &Template<'_>, node: &Node) -> Option<String> {
    if let Some(text) = node.scalar_text() {
        // A literal `${` would be read as a reference once inside `Fn::Sub`.
        return Some(text.replace("${", "${!"));
    }
    match single_key(node)? {
        ("Ref", arg) => {
            let name = arg.scalar_text()?;
            (template.parameters.contains_key(name) || name.starts_with("AWS::"))
                .then(|| format!("${{{name}}}"))
        }
        ("Fn::Sub", arg) => arg.scalar_text().map(str::to_string),
        _ => None,
    }
}

/// `CodeUri`/`Handler` (SAM), `Code.ZipFile`/`InlineCode` (inline code). A code location in
/// S3 (`CodeUri: s3://...`, `Code.S3Bucket`) or a container image is not on disk: `None`.
fn code_location<'n>(lookup: &dyn Fn(&str) -> Option<&'n Node>) -> Option<CodeLocation> {
    let text = |key: &str| lookup(key).and_then(Node::scalar_text).map(str::to_string);
    let inline = lookup("InlineCode")
        .or_else(|| lookup("Code").and_then(|c| c.get("ZipFile")))
        .and_then(|node| {
            node.scalar_text().map(|t| InlineCode {
                text: t.to_string(),
                span: node.span,
            })
        });
    let base_dir = text("CodeUri").filter(|uri| !uri.starts_with("s3://"));
    if inline.is_none() && base_dir.is_none() {
        return None;
    }
    Some(CodeLocation {
        base_dir,
        handler: text("Handler"),
        runtime: text("Runtime"),
        inline,
    })
}

/// A CDK-synthesized function's code: `cdk.out` keeps it in an asset folder next to the
/// template, named by the resource's `aws:asset:path` metadata.
fn cdk_asset<'n>(
    resource: &Entry,
    lookup: &dyn Fn(&str) -> Option<&'n Node>,
) -> Option<CodeLocation> {
    let metadata = resource.value.get("Metadata")?;
    if metadata
        .get("aws:asset:property")
        .and_then(Node::scalar_text)
        != Some("Code")
    {
        return None;
    }
    let path = metadata.get("aws:asset:path").and_then(Node::scalar_text)?;
    let text = |key: &str| lookup(key).and_then(Node::scalar_text).map(str::to_string);
    Some(CodeLocation {
        base_dir: Some(path.to_string()),
        handler: text("Handler"),
        runtime: text("Runtime"),
        inline: None,
    })
}

fn is_empty_value(node: &Node) -> bool {
    node.is_null()
        || super::intrinsics::is_no_value(node)
        || node.as_map().is_some_and(<[Entry]>::is_empty)
}

pub fn read_variables(template: &Template<'_>, variables: &Node) -> Vec<EnvVar> {
    variables
        .as_map()
        .unwrap_or_default()
        .iter()
        .map(|entry| EnvVar {
            name: entry.key.clone(),
            value: env_value(template, &entry.value),
            value_span: entry.value.span,
        })
        .collect()
}

fn env_value(template: &Template<'_>, node: &Node) -> EnvValue {
    if let Some(text) = node.scalar_text() {
        return if text.contains("{{resolve:") {
            EnvValue::DynamicReference(text.to_string())
        } else {
            EnvValue::Literal(text.to_string())
        };
    }
    if let Some(("Ref", arg)) = single_key(node) {
        if let Some(name) = arg.scalar_text() {
            if let Some(param) = template.parameters.get(name) {
                return EnvValue::Parameter {
                    name: name.to_string(),
                    no_echo: param.no_echo,
                };
            }
        }
    }
    let mut values = Vec::new();
    template.strings(node, &mut values);
    let text = values.first().map_or_else(String::new, |v| v.text.clone());
    if text.contains("{{resolve:") {
        EnvValue::DynamicReference(text)
    } else {
        EnvValue::Expression(text)
    }
}

/// Point a function at its role when the role is one of the template's.
pub fn link_role(template: &Template<'_>, model: &FileModel, function: &mut Function, role: &Node) {
    match template.referenced_resource(role) {
        Some(name) => function.role = model.roles.iter().position(|r| r.logical_id == name),
        None => {
            let mut values = Vec::new();
            template.strings(role, &mut values);
            function.external_role = Some(Spanned::new(
                values.first().map_or_else(String::new, |v| v.text.clone()),
                role.span,
            ));
        }
    }
}

fn load_permission(template: &Template<'_>, resource: &Entry, model: &mut FileModel) {
    let props = resource.value.get("Properties");
    let lookup = |key: &str| props.and_then(|p| p.get(key));
    let Some(principal_node) = lookup("Principal") else {
        return;
    };
    let mut values = Vec::new();
    template.strings(principal_node, &mut values);
    let principal = values.first().map_or_else(String::new, |v| v.text.clone());
    let permission = LambdaPermission {
        file: template.file,
        span: principal_node.span,
        principal: Spanned::new(principal.clone(), principal_node.span),
        has_source_arn: lookup("SourceArn").is_some(),
        has_source_account: lookup("SourceAccount").is_some(),
        has_principal_org_id: lookup("PrincipalOrgID").is_some(),
        function: lookup("FunctionName").and_then(|f| function_index(template, model, f)),
        function_url_auth: lookup("FunctionUrlAuthType")
            .and_then(Node::scalar_text)
            .map(str::to_string),
        via_function_url: lookup("InvokedViaFunctionUrl")
            .and_then(Node::scalar_text)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
        logical_id: resource.key.value.clone(),
    };
    if let Some(function) = permission.function {
        if ASYNC_PRINCIPALS.contains(&principal.as_str()) {
            model.functions[function].events.push(EventSource {
                kind: principal.clone(),
                span: resource.key.span,
                asynchronous: true,
            });
        }
    }
    model.permissions.push(permission);
}
