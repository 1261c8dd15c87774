//! SAM policy templates (`S3ReadPolicy`, `DynamoDBCrudPolicy`, ...), embedded from
//! `data/sam/policy_templates.json` (aws-sam-translator), and their expansion into policy
//! statements the way SAM does it.
//!
//! SAM expands a template by replacing each `{"Ref": "<Parameter>"}` in its definition with
//! the value the user gave for that parameter, and nothing else: `${Name}` inside a
//! `Fn::Sub` string is left for CloudFormation. Every definition passes parameters to
//! `Fn::Sub` through its variable map (`{"Fn::Sub": ["arn:...:${bucketName}",
//! {"bucketName": {"Ref": "BucketName"}}]}`), so the expansion keeps the `Fn::Sub` and puts
//! the user's node in the map, for the template loader's intrinsic evaluator.

use std::sync::OnceLock;

use crate::source::{Span, Spanned};
use crate::syntax::{self, Entry, Node, NodeKind};

static TEMPLATES_JSON: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/sam/policy_templates.json"
));

struct Template {
    name: String,
    /// Parameter names, all required.
    parameters: Vec<String>,
    /// `Definition.Statement`, with the spans of the embedded JSON file.
    statement: Node,
}

/// The templates, sorted by name; parsed on first use.
fn templates() -> &'static [Template] {
    static TEMPLATES: OnceLock<Vec<Template>> = OnceLock::new();
    TEMPLATES.get_or_init(|| parse_templates(TEMPLATES_JSON))
}

fn parse_templates(json: &str) -> Vec<Template> {
    let Ok(document) = syntax::parse_json(json) else {
        return Vec::new();
    };
    let Some(entries) = document
        .roots
        .first()
        .and_then(|root| root.get("Templates"))
        .and_then(Node::as_map)
    else {
        return Vec::new();
    };
    let mut templates: Vec<Template> = entries
        .iter()
        .filter_map(|entry| {
            let statement = entry.value.get("Definition")?.get("Statement")?.clone();
            let parameters = entry
                .value
                .get("Parameters")
                .and_then(Node::as_map)
                .unwrap_or_default()
                .iter()
                .map(|p| p.key.value.clone())
                .collect();
            Some(Template {
                name: entry.key.value.clone(),
                parameters,
                statement,
            })
        })
        .collect();
    templates.sort_by(|a, b| a.name.cmp(&b.name));
    templates
}

fn find(name: &str) -> Option<&'static Template> {
    let all = templates();
    all.binary_search_by(|t| t.name.as_str().cmp(name))
        .ok()
        .map(|i| &all[i])
}

/// Whether `name` is a SAM policy template (exact case, as SAM matches it).
pub fn is_template(name: &str) -> bool {
    find(name).is_some()
}

/// Every template name, sorted.
pub fn template_names() -> impl Iterator<Item = &'static str> {
    templates().iter().map(|t| t.name.as_str())
}

/// The parameter names of a template (all required), in the data file's order.
pub fn parameters(name: &str) -> Option<impl Iterator<Item = &'static str>> {
    find(name).map(|t| t.parameters.iter().map(String::as_str))
}

/// Expand a use of a SAM policy template into its statements: a list of statement maps
/// that `read_policy` reads inside `{"Version": "2012-10-17", "Statement": <that>}`.
///
/// `params` is the user's node for the template's parameters (`{BucketName: !Ref B}`, with
/// short tags already in long form). In the result, the definition's own nodes and keys
/// carry the span `at` (the template key in the user's file), and each parameter value is
/// the user's node itself, with its spans. Parameters the template does not declare are
/// ignored, as SAM ignores them.
///
/// Errors, as SAM reports them: an unknown template, parameters that are not a map
/// (`{}` for a template without parameters), a missing parameter; also a parameter
/// without a value, which CloudFormation rejects once SAM has passed it through.
pub fn expand(name: &str, params: &Node, at: Span) -> Result<Node, String> {
    let template = find(name).ok_or_else(|| format!("unknown SAM policy template `{name}`"))?;
    if params.as_map().is_none() {
        return Err(format!(
            "parameters must be a map of parameter names to values, found {}{}",
            params.type_name(),
            if template.parameters.is_empty() {
                " (write `{}` for a template without parameters)"
            } else {
                ""
            }
        ));
    }
    let missing: Vec<&str> = template
        .parameters
        .iter()
        .map(String::as_str)
        .filter(|p| params.get(p).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "missing parameter{} {}",
            if missing.len() == 1 { "" } else { "s" },
            quoted_list(&missing)
        ));
    }
    let empty: Vec<&str> = template
        .parameters
        .iter()
        .map(String::as_str)
        .filter(|p| params.get(p).is_some_and(Node::is_null))
        .collect();
    if !empty.is_empty() {
        return Err(format!(
            "parameter{} {} ha{} no value",
            if empty.len() == 1 { "" } else { "s" },
            quoted_list(&empty),
            if empty.len() == 1 { "s" } else { "ve" }
        ));
    }
    let mut out = substitute(&template.statement, template, params, at);
    // A single statement object still reads as a list of one.
    if !matches!(out.kind, NodeKind::Seq(_)) {
        out = Node {
            span: at,
            kind: NodeKind::Seq(vec![out]),
        };
    }
    Ok(out)
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Copy a definition node with the span `at`, replacing `{"Ref": "<Parameter>"}` by the
/// user's value. The user's nodes are not walked: a `Ref` inside them names the user's
/// own template parameter, even when a template parameter has the same name.
fn substitute(node: &Node, template: &Template, params: &Node, at: Span) -> Node {
    let kind = match &node.kind {
        NodeKind::Scalar(scalar) => NodeKind::Scalar(scalar.clone()),
        NodeKind::Seq(items) => NodeKind::Seq(
            items
                .iter()
                .map(|item| substitute(item, template, params, at))
                .collect(),
        ),
        NodeKind::Map(entries) => {
            if let [entry] = entries.as_slice() {
                if entry.key.value == "Ref" {
                    let value = entry
                        .value
                        .as_str()
                        .filter(|p| template.parameters.iter().any(|q| q == p))
                        .and_then(|p| params.get(p));
                    if let Some(value) = value {
                        return value.clone();
                    }
                }
            }
            NodeKind::Map(
                entries
                    .iter()
                    .map(|entry| Entry {
                        key: Spanned::new(entry.key.value.clone(), at),
                        value: substitute(&entry.value, template, params, at),
                    })
                    .collect(),
            )
        }
    };
    Node { span: at, kind }
}

#[cfg(test)]
mod tests;
