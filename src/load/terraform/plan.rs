//! Terraform plan JSON (`terraform show -json plan.out`): the planned values of every
//! resource, in the same shape the HCL front end builds. Values unknown until apply (a role's
//! ARN) are absent there; the plan's `configuration` section still names what they refer to,
//! which becomes a `${reference}` placeholder so functions find their roles.

use crate::load::{LoadError, LoadNote};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::{parse_json, Entry, Node, NodeKind, ScalarStyle};

use super::build::Builder;
use super::eval::scalar;
use super::{Resource, Unit, READ_TYPES};

/// A plan (or state) rendered by `terraform show -json`.
pub fn sniff_plan(text: &str) -> bool {
    let head = text.get(..text.len().min(4096)).unwrap_or(text);
    head.trim_start().starts_with('{')
        && head.contains("\"format_version\"")
        && (text.contains("\"planned_values\"") || head.contains("\"terraform_version\""))
}

/// Load the planned values of a plan. Locations point at each resource's address string;
/// values inside a policy string point at that string.
pub fn load_plan(file: FileId, source: &SourceFile) -> Result<Unit, LoadError> {
    let document = parse_json(&source.text).map_err(|err| LoadError {
        message: format!("invalid Terraform plan JSON: {}", err.message),
        span: Some(Span::empty(err.offset)),
    })?;
    let Some(root) = document.roots.first() else {
        return Ok(Unit::default());
    };
    let mut resources = Vec::new();
    let planned = root
        .get("planned_values")
        .or_else(|| root.get("values"))
        .and_then(|v| v.get("root_module"));
    let Some(planned) = planned else {
        return Err(LoadError {
            message: "Terraform plan JSON has no `planned_values.root_module`".into(),
            span: Some(Span::empty(root.span.start as usize)),
        });
    };
    collect(planned, file, "", &mut resources);
    // Data sources read at plan time live in the prior state.
    if let Some(prior) = root
        .get("prior_state")
        .and_then(|p| p.get("values"))
        .and_then(|v| v.get("root_module"))
    {
        let mut data = Vec::new();
        collect(prior, file, "", &mut data);
        for r in data {
            if r.data && !resources.iter().any(|x| x.address() == r.address()) {
                resources.push(r);
            }
        }
    }
    if let Some(config) = root.get("configuration").and_then(|c| c.get("root_module")) {
        fill_references(config, "", &mut resources);
    }
    let mut unit = Unit::default();
    for r in &resources {
        unit.resources.push((file, r.span));
    }
    let texts = [(file, source.text.as_str())];
    let read_file = |_: FileId, _: Span| None;
    let sensitive = |_: &str| false;
    let mut builder = Builder::new(&resources, &texts, &read_file, &sensitive);
    builder.json_escapes = true;
    builder.run();
    unit.model = builder.model;
    unit.notes = builder.notes;
    if resources.is_empty() {
        unit.notes.push((
            file,
            LoadNote {
                file,
                span: planned.span,
                message: "the plan has no IAM or Lambda resources".into(),
            },
        ));
    }
    Ok(unit)
}

fn collect(module: &Node, file: FileId, path: &str, out: &mut Vec<Resource>) {
    for r in module
        .get("resources")
        .map(Node::one_or_many)
        .unwrap_or_default()
    {
        let text = |key: &str| r.get(key).and_then(Node::as_str).unwrap_or("");
        let kind = text("type");
        if !READ_TYPES.contains(&kind) {
            continue;
        }
        let address = r.get("address");
        let header = address.map_or(r.span, |a| a.span);
        let body = r.get("values").cloned().unwrap_or(Node {
            span: r.span,
            kind: NodeKind::Map(Vec::new()),
        });
        out.push(Resource {
            kind: kind.to_string(),
            name: text("name").to_string(),
            data: text("mode") == "data",
            module: path.to_string(),
            file,
            header,
            span: r.span,
            body,
            repeated: false,
            followed: false,
            lambda_copy: false,
        });
    }
    for child in module
        .get("child_modules")
        .map(Node::one_or_many)
        .unwrap_or_default()
    {
        let address = child.get("address").and_then(Node::as_str).unwrap_or("");
        if address.is_empty() || path.len() > 4096 {
            continue;
        }
        collect(child, file, &format!("{address}."), out);
    }
}

/// For attributes absent or null in the planned values, the first reference the
/// configuration gives (`aws_iam_role.lambda.arn`) as a placeholder.
fn fill_references(config: &Node, path: &str, resources: &mut [Resource]) {
    for c in config
        .get("resources")
        .map(Node::one_or_many)
        .unwrap_or_default()
    {
        let Some(address) = c.get("address").and_then(Node::as_str) else {
            continue;
        };
        let Some(expressions) = c.get("expressions").and_then(Node::as_map) else {
            continue;
        };
        let full = format!("{path}{address}");
        for r in resources.iter_mut().filter(|r| r.address() == full) {
            for expr in expressions {
                let Some(reference) = expr
                    .value
                    .get("references")
                    .and_then(|refs| refs.one_or_many().first())
                else {
                    continue;
                };
                let Some(text) = reference.as_str() else {
                    continue;
                };
                let known = r.body.get(&expr.key.value).is_some_and(|v| !v.is_null());
                if known {
                    continue;
                }
                if let NodeKind::Map(entries) = &mut r.body.kind {
                    entries.retain(|e| e.key.value != expr.key.value);
                    entries.push(Entry {
                        key: expr.key.clone(),
                        value: scalar(format!("${{{text}}}"), ScalarStyle::Plain, reference.span),
                    });
                }
            }
        }
    }
    if let Some(calls) = config.get("module_calls").and_then(Node::as_map) {
        if path.len() > 4096 {
            return;
        }
        for call in calls {
            if let Some(module) = call.value.get("module") {
                fill_references(
                    module,
                    &format!("{path}module.{}.", call.key.value),
                    resources,
                );
            }
        }
    }
}
