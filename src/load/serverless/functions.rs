//! `functions:` of a Serverless configuration, with provider-level defaults.

use super::iam::{self, DefaultRole};
use super::{text_of, vars, Ctx, Located, SlsResolver};
use crate::load::policy_reader::Resolver;
use crate::model::{
    EnvValue, EnvVar, EventSource, FileModel, Function, FunctionUrl, Role, Target, TargetUse,
};
use crate::source::{FileId, Spanned};
use crate::syntax::Node;

/// Event types whose invocations are asynchronous: failures need a DLQ or destination.
const ASYNC_EVENTS: &[&str] = &[
    "s3",
    "sns",
    "schedule",
    "eventBridge",
    "cloudwatchEvent",
    "cloudwatchLog",
    "iot",
];

pub fn load(
    cx: &mut Ctx<'_>,
    root: &Node,
    resolver: &SlsResolver<'_>,
    default_role: iam::DefaultRole,
    model: &mut FileModel,
) {
    let Some(functions) = root.get("functions") else {
        return;
    };
    // A map of functions, or (v1) a list of maps, each possibly an include.
    let parts = cx.open_list(cx.file, functions);
    let defs: Vec<(FileId, &crate::syntax::Entry)> = parts
        .iter()
        .flat_map(|part| {
            part.node
                .as_map()
                .unwrap_or_default()
                .iter()
                .map(move |entry| (part.file, entry))
        })
        .collect();
    let provider = root.get("provider");
    let inherit_default = root
        .get("custom")
        .and_then(|c| c.get("serverless-iam-roles-per-function"))
        .and_then(|c| c.get("defaultInherit"))
        .and_then(text_of)
        == Some("true");
    let default_index = match &default_role {
        DefaultRole::Index(i) => Some(*i),
        _ => None,
    };
    for (file, entry) in defs {
        let def = cx.open(file, &entry.value);
        let (file, def) = (def.file, def.node);
        if def.as_map().is_none() {
            continue;
        }
        let props_span = def.span;
        let mut function = Function::new(file, entry.key.value.clone(), entry.key.span, props_span);
        // Provider defaults apply only where their spans are in the function's file.
        let get = |key: &str| {
            def.get(key).map(|n| (file, n)).or_else(|| {
                provider
                    .and_then(|p| p.get(key))
                    .filter(|_| file == cx.file)
                    .map(|n| (cx.file, n))
            })
        };
        function.runtime = get("runtime")
            .and_then(|(_, n)| text_of(n).map(|t| Spanned::new(t.to_string(), n.span)));
        function.package_image = def.get("image").is_some();
        // The handler (`src/handler.hello`) is a path relative to the service folder, which
        // the Framework packages whole unless a function points at a prebuilt artifact.
        let artifact = def.get("package").and_then(|p| p.get("artifact")).is_some();
        if let (Some(handler), false, false) = (
            def.get("handler").and_then(text_of),
            artifact,
            function.package_image,
        ) {
            function.code = Some(crate::model::CodeLocation {
                base_dir: Some(".".into()),
                handler: Some(handler.to_string()),
                runtime: function.runtime.as_ref().map(|r| r.value.clone()),
                inline: None,
            });
        }
        function.kms_key = get("kmsKeyArn")
            .filter(|(_, n)| !n.is_null())
            .map(|(_, n)| n.span);
        function.vpc_config = get("vpc")
            .filter(|(_, n)| n.as_map().is_some_and(|m| !m.is_empty()) || n.as_str().is_some())
            .map(|(_, n)| n.span);
        function.reserved_concurrency = def
            .get("reservedConcurrency")
            .filter(|n| !n.is_null())
            .map(|n| n.span);
        function.dead_letter = def.get("onError").filter(|n| !n.is_null()).map(|n| n.span);
        function.on_failure_destination = def
            .get("destinations")
            .and_then(|d| d.get("onFailure"))
            .is_some_and(|n| !n.is_null());
        function.targets.extend(
            get("kmsKeyArn").and_then(|(f, n)| sls_target(f, n, TargetUse::EnvironmentKey, None)),
        );
        function.targets.extend(
            def.get("onError")
                .and_then(|n| sls_target(file, n, TargetUse::DeadLetter, None)),
        );
        for (key, usage) in [
            ("onSuccess", TargetUse::OnSuccess),
            ("onFailure", TargetUse::OnFailure),
        ] {
            let destination = def.get("destinations").and_then(|d| d.get(key));
            function.targets.extend(destination.and_then(|n| {
                // `{type: sqs, arn: ...}` or the ARN itself.
                let kind = n.get("type").and_then(text_of).map(|t| match t {
                    "eventBus" => "events",
                    other => other,
                });
                sls_target(file, n.get("arn").unwrap_or(n), usage, kind)
            }));
        }
        function.tracing = tracing(&def, provider, file == cx.file);
        function.url = url(&def);
        read_environment(cx, &def, provider, file, resolver, &mut function);
        read_events(cx, &def, file, &mut function);

        // Own role: `role:`, or the per-function roles plugin's statements.
        if let Some(role) = def.get("role") {
            match iam::named_role(cx, role, resolver, model) {
                DefaultRole::Index(i) => function.role = Some(i),
                DefaultRole::External(e) => function.external_role = Some(e),
                DefaultRole::None => {}
            }
        } else if let Some(statements) = def.get_entry("iamRoleStatements") {
            let name = format!("{}IamRoleLambdaExecution", capitalize(&entry.key.value));
            let label = format!(
                "role `{name}` (generated for function `{}`)",
                entry.key.value
            );
            let mut policies =
                iam::statement_policies(cx, &statements.value, resolver, model, &label);
            let inherit = def
                .get("iamRoleStatementsInherit")
                .and_then(text_of)
                .map_or(inherit_default, |v| v == "true");
            if inherit {
                if let Some(i) = default_index {
                    let inherited: Vec<usize> = model.roles[i]
                        .policies
                        .iter()
                        .copied()
                        .filter(|&p| !model.policies[p].synthesized)
                        .collect();
                    policies.extend(inherited);
                }
            }
            policies.push(iam::logs_policy(
                root,
                file,
                statements.key.span,
                &label,
                resolver,
                model,
            ));
            // The plugin copies the provider's managed policies to every role it makes.
            let managed_policies = default_index
                .filter(|_| file == cx.file)
                .map(|i| {
                    model.roles[i]
                        .managed_policies
                        .iter()
                        .filter(|m| m.name != "AWSLambdaVPCAccessExecutionRole")
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            model.roles.push(Role {
                file,
                logical_id: name,
                span: statements.key.span,
                policies,
                managed_policies,
                trust: None,
                boundary: None,
                origin: crate::model::Origin::new(&crate::load::serverless::SERVERLESS),
            });
            function.role = Some(model.roles.len() - 1);
        } else {
            match &default_role {
                DefaultRole::Index(i) => function.role = Some(*i),
                DefaultRole::External(e) => function.external_role = Some(e.clone()),
                DefaultRole::None => {}
            }
        }
        model.functions.push(function);
    }
}

/// `MyFunc` for `myFunc`, as the Framework names generated resources.
fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `tracing: Active` on a function, or `provider.tracing.lambda: true|Active`.
fn tracing(def: &Node, provider: Option<&Node>, same_file: bool) -> Option<Spanned<String>> {
    let node = def.get("tracing").or_else(|| {
        provider
            .and_then(|p| p.get("tracing"))
            .and_then(|t| t.get("lambda"))
            .filter(|_| same_file)
    })?;
    let text = text_of(node)?;
    let mode = match text {
        "true" => "Active",
        "false" => "PassThrough",
        other => other,
    };
    Some(Spanned::new(mode.to_string(), node.span))
}

/// `url: true` is a public URL; `url: {authorizer: aws_iam}` is IAM-authenticated.
fn url(def: &Node) -> Option<FunctionUrl> {
    let url = def.get("url")?;
    if let Some(text) = text_of(url) {
        return (text == "true").then(|| FunctionUrl {
            auth_type: Spanned::new("NONE".into(), url.span),
        });
    }
    url.as_map()?;
    Some(FunctionUrl {
        auth_type: match url.get("authorizer") {
            Some(a) if text_of(a).is_some_and(|t| t.eq_ignore_ascii_case("aws_iam")) => {
                Spanned::new("AWS_IAM".into(), a.span)
            }
            Some(a) => Spanned::new(text_of(a).unwrap_or("NONE").to_string(), a.span),
            None => Spanned::new("NONE".into(), url.span),
        },
    })
}

/// Provider and function `environment`, the function's values overriding the provider's.
fn read_environment(
    cx: &mut Ctx<'_>,
    def: &Node,
    provider: Option<&Node>,
    file: FileId,
    resolver: &SlsResolver<'_>,
    function: &mut Function,
) {
    let mut vars_out: Vec<EnvVar> = Vec::new();
    let mut spans = Vec::new();
    let sources = [
        provider
            .and_then(|p| p.get("environment"))
            .map(|e| (cx.file, e)),
        def.get("environment").map(|e| (file, e)),
    ];
    for (source_file, node) in sources.into_iter().flatten() {
        let Located {
            file: env_file,
            node,
        } = cx.open(source_file, node);
        if env_file != file {
            // Variable spans are read in the function's file; keep the report honest.
            cx.note(
                env_file,
                node.span,
                format!(
                    "environment of function `{}` written in another file is not checked",
                    function.logical_id
                ),
            );
            continue;
        }
        let Some(entries) = node.as_map() else {
            continue;
        };
        spans.push(node.span);
        for entry in entries {
            vars_out.retain(|v| v.name.value != entry.key.value);
            vars_out.push(EnvVar {
                name: entry.key.clone(),
                value: env_value(&entry.value, resolver),
                value_span: entry.value.span,
            });
        }
    }
    function.environment_span = spans.last().copied();
    function.environment = vars_out;
}

fn env_value(node: &Node, resolver: &SlsResolver<'_>) -> EnvValue {
    let text = match node.scalar_text() {
        Some(t) => t.to_string(),
        None => {
            let mut values = Vec::new();
            resolver.strings(node, &mut values);
            let text = values.first().map_or_else(String::new, |v| v.text.clone());
            return if text.contains("{{resolve:") {
                EnvValue::DynamicReference(text)
            } else {
                EnvValue::Expression(text)
            };
        }
    };
    if text.contains("{{resolve:") {
        EnvValue::DynamicReference(text)
    } else if vars::has_unresolved(&text) {
        // `${ssm:...}`, `${env:...}`: fetched at deploy time, not written in the file.
        EnvValue::Expression(text)
    } else {
        EnvValue::Literal(text)
    }
}

fn read_events(cx: &mut Ctx<'_>, def: &Node, file: FileId, function: &mut Function) {
    let Some(events) = def.get("events") else {
        return;
    };
    for item in cx.open_list(file, events) {
        if item.file != file {
            continue;
        }
        let Some(first) = item.node.as_map().and_then(|m| m.first()) else {
            continue;
        };
        let kind = first.key.value.as_str();
        let asynchronous = ASYNC_EVENTS.contains(&kind);
        function.events.push(EventSource {
            kind: kind.to_string(),
            span: first.key.span,
            asynchronous,
        });
    }
}

/// A resource the function's configuration names: a literal ARN, or `Fn::GetAtt`/`Ref` of
/// a resource of the `resources:` section (as `${Name.Arn}`/`${Name}`) when `kind` says
/// which service it is.
fn sls_target(file: FileId, node: &Node, usage: TargetUse, kind: Option<&str>) -> Option<Target> {
    let (arn, service) = match crate::load::cloudformation::intrinsics::single_key(node) {
        _ if text_of(node).is_some() => {
            let text = text_of(node)?;
            let service = crate::model::arn_service(text).or(kind)?;
            (text.to_string(), service)
        }
        Some(("Fn::GetAtt", arg)) => {
            let name = match arg.as_seq() {
                Some([r, a]) => format!("{}.{}", r.scalar_text()?, a.scalar_text()?),
                _ => arg.scalar_text()?.to_string(),
            };
            (format!("${{{name}}}"), kind?)
        }
        Some(("Ref", arg)) => (format!("${{{}}}", arg.scalar_text()?), kind?),
        _ => return None,
    };
    Some(Target {
        usage,
        file,
        service: service.to_string(),
        arn,
        span: node.span,
    })
}
