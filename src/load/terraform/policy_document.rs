//! Reads Terraform's own spelling of a policy, the `aws_iam_policy_document` data source
//! (`statement` blocks with `actions`, `resources`, `principals`, `condition`), into the same
//! model the IAM JSON reader produces. The `terraform-aws-modules` `policy_statements` input
//! uses the same keys, so it is read here too.

use crate::model::{
    ConditionClause, ConditionEntry, Effect, GrammarProblem, PolicyDocument, PolicyKind,
    PolicyValue, Principal, PrincipalEntry, Statement, ValueList,
};
use crate::source::{FileId, Span, Spanned};
use crate::syntax::{Entry, Node};

use super::TfResolver;
use crate::load::policy_reader::{operator_problem, partition_problem, Resolver};

/// An empty document of the given kind, to fill with statements.
pub(crate) fn empty(file: FileId, span: Span, kind: PolicyKind) -> PolicyDocument {
    PolicyDocument {
        file,
        span,
        kind,
        label: None,
        version: None,
        statements: Vec::new(),
        problems: Vec::new(),
        related: Vec::new(),
        synthesized: false,
        removal: None,
    }
}

/// Read the statements of a data-source body (or a list of statement objects).
pub(crate) fn read_statements(statements: &[&Node], kind: PolicyKind, doc: &mut PolicyDocument) {
    for node in statements {
        let index = doc.statements.len();
        if let Some(st) = statement(node, kind, index, &mut doc.problems) {
            doc.statements.push(st);
        }
    }
}

/// Kind of a document judged by its statements, when nothing attaches it.
pub(crate) fn infer_kind(statements: &[&Node]) -> PolicyKind {
    let principals = statements
        .iter()
        .any(|s| s.get("principals").is_some() || s.get("not_principals").is_some());
    if !principals {
        return PolicyKind::Identity;
    }
    let assumes = statements.iter().all(|s| {
        s.get("actions").is_some_and(|a| {
            a.one_or_many().iter().all(|v| {
                v.scalar_text()
                    .is_some_and(|t| t.to_ascii_lowercase().starts_with("sts:"))
            })
        })
    });
    if assumes {
        PolicyKind::Trust
    } else {
        PolicyKind::Resource
    }
}

fn problem(problems: &mut Vec<GrammarProblem>, span: Span, message: String, help: &str) {
    problems.push(GrammarProblem {
        span,
        message,
        help: help.to_string(),
    });
}

fn statement(
    node: &Node,
    kind: PolicyKind,
    index: usize,
    problems: &mut Vec<GrammarProblem>,
) -> Option<Statement> {
    if node.as_map().is_none() {
        problem(
            problems,
            node.span,
            format!(
                "a statement must be a block or object, found {}",
                node.type_name()
            ),
            "write `statement { actions = [...] resources = [...] }`",
        );
        return None;
    }
    let mut st = Statement::new(index, node.span);
    if let Some(sid) = node.get("sid").filter(|s| !s.is_null()) {
        if let Some(text) = sid.scalar_text() {
            st.sid = Some(Spanned::new(text.to_string(), sid.span));
        }
    }
    // Terraform's default effect is Allow; the statement's start stands for the missing key.
    st.effect = match node.get("effect") {
        None => Some(Spanned::new(
            Effect::Allow,
            Span::empty(node.span.start as usize),
        )),
        Some(e) if TfResolver::unresolved(e) => None,
        Some(e) => match e.scalar_text() {
            Some("Allow") => Some(Spanned::new(Effect::Allow, e.span)),
            Some("Deny") => Some(Spanned::new(Effect::Deny, e.span)),
            _ => {
                problem(
                    problems,
                    e.span,
                    format!(
                        "`effect` must be \"Allow\" or \"Deny\", found `{}`",
                        e.scalar_text().unwrap_or(e.type_name())
                    ),
                    "use \"Allow\" or \"Deny\" exactly (the value is case-sensitive)",
                );
                None
            }
        },
    };
    st.action = pair(node, "actions", "not_actions", true, problems);
    st.resource = pair(
        node,
        "resources",
        "not_resources",
        kind == PolicyKind::Identity,
        problems,
    );
    st.principal = principal(node, kind, problems);
    if let Some(conditions) = node.get_entry("condition") {
        st.condition_span = Some(conditions.key.span.cover(conditions.value.span));
        st.condition = condition(&conditions.value, problems);
    }
    Some(st)
}

/// The first present, non-null entry of the keys.
fn entry<'n>(node: &'n Node, key: &str) -> Option<&'n Entry> {
    node.get_entry(key).filter(|e| !e.value.is_null())
}

fn pair(
    node: &Node,
    key: &str,
    not_key: &str,
    required: bool,
    problems: &mut Vec<GrammarProblem>,
) -> Option<ValueList> {
    let (plain, negated) = (entry(node, key), entry(node, not_key));
    // A placeholder (`statement.value.not_actions` of a dynamic block) may well be null.
    let maybe_null = |e: Option<&Entry>| e.is_some_and(|e| TfResolver::unresolved(&e.value));
    if let (Some(_), Some(n), false) = (plain, negated, maybe_null(plain) || maybe_null(negated)) {
        problem(
            problems,
            n.key.span,
            format!("statement has both `{key}` and `{not_key}`"),
            &format!("keep only `{key}`"),
        );
    }
    let (entry, is_negated) = match (plain, negated) {
        (Some(e), _) => (e, false),
        (None, Some(e)) => (e, true),
        (None, None) => {
            if required {
                problem(
                    problems,
                    Span::empty(node.span.start as usize),
                    format!("statement has neither `{key}` nor `{not_key}`"),
                    &format!("add `{key}` with the exact values the statement is for"),
                );
            }
            return None;
        }
    };
    let mut values = Vec::new();
    strings(&entry.value, &mut values);
    if key == "resources" {
        let name = if is_negated { not_key } else { key };
        for v in &values {
            if let Some((message, help)) = partition_problem(name, v) {
                problem(problems, v.span, message, help);
            }
        }
    }
    if entry.value.as_seq().is_some_and(<[Node]>::is_empty) {
        let name = if is_negated { not_key } else { key };
        problem(
            problems,
            entry.value.span,
            format!("`{name}` is an empty list"),
            &format!("list at least one value in `{name}`"),
        );
    }
    Some(ValueList {
        negated: is_negated,
        key_span: entry.key.span,
        span: entry.value.span,
        has_unknown: values.iter().any(|v| !v.resolved),
        values,
        alternatives: false,
    })
}

fn strings(node: &Node, out: &mut Vec<PolicyValue>) {
    for item in node.one_or_many() {
        TfResolver.strings(item, out);
    }
}

fn principal(
    node: &Node,
    kind: PolicyKind,
    problems: &mut Vec<GrammarProblem>,
) -> Option<Principal> {
    let (plain, negated) = (entry(node, "principals"), entry(node, "not_principals"));
    let (entry, is_negated) = match (plain, negated) {
        (Some(e), _) => (e, false),
        (None, Some(e)) => (e, true),
        (None, None) => return None,
    };
    // Principals built from unknown values (a dynamic block over a variable) may be none.
    let known = entry.value.one_or_many().iter().any(|b| {
        b.get("type")
            .is_some_and(|t| !TfResolver::unresolved(t) && t.as_map().is_none())
    });
    if known && matches!(kind, PolicyKind::Identity | PolicyKind::Boundary) {
        let (message, help) =
            crate::load::policy_reader::principal_in_identity_policy(&entry.key.value);
        problem(problems, entry.key.span, message, help);
    }
    let mut principal = Principal {
        negated: is_negated,
        key_span: entry.key.span,
        span: entry.value.span,
        entries: Vec::new(),
    };
    for block in entry.value.one_or_many() {
        let Some(kind_node) = block.get("type") else {
            problem(
                problems,
                block.span,
                "a `principals` block needs a `type`".into(),
                "set type to AWS, Service, Federated or CanonicalUser",
            );
            continue;
        };
        let kind_text = kind_node.scalar_text().unwrap_or("").to_string();
        let mut values = Vec::new();
        if let Some(ids) = block.get("identifiers") {
            strings(ids, &mut values);
        }
        principal.entries.push(PrincipalEntry {
            kind: Spanned::new(kind_text, kind_node.span),
            values,
        });
    }
    Some(principal)
}

/// `condition { test, variable, values }` blocks; Terraform groups them by `test`.
fn condition(node: &Node, problems: &mut Vec<GrammarProblem>) -> Vec<ConditionClause> {
    let mut clauses: Vec<ConditionClause> = Vec::new();
    for block in node.one_or_many() {
        let (Some(test), Some(variable)) = (block.get("test"), block.get("variable")) else {
            problem(
                problems,
                block.span,
                "a `condition` block needs `test`, `variable` and `values`".into(),
                "write condition { test = \"StringEquals\" variable = \"aws:...\" values = [...] }",
            );
            continue;
        };
        let mut values = Vec::new();
        if let Some(v) = block.get("values") {
            strings(v, &mut values);
        }
        let entry = ConditionEntry {
            key: Spanned::new(
                variable.scalar_text().unwrap_or("").to_string(),
                variable.span,
            ),
            values,
            span: block.span,
        };
        let operator = test.scalar_text().unwrap_or("").to_string();
        if !TfResolver::unresolved(test) {
            if let Some((message, help)) = operator_problem(&operator) {
                problem(problems, test.span, message, &help);
            }
        }
        match clauses.iter_mut().find(|c| c.operator.value == operator) {
            Some(clause) => clause.entries.push(entry),
            None => clauses.push(ConditionClause {
                operator: Spanned::new(operator, test.span),
                entries: vec![entry],
            }),
        }
    }
    clauses
}

/// Statements as written in a body: `statement` blocks, or a list/map of statement objects
/// (`policy_statements = { s3 = { actions = [...] } }`).
pub(crate) fn statement_nodes(node: Option<&Node>) -> Vec<&Node> {
    let Some(node) = node else {
        return Vec::new();
    };
    match &node.kind {
        crate::syntax::NodeKind::Seq(items) => items.iter().collect(),
        crate::syntax::NodeKind::Map(entries) => {
            // A map of named statements; each name is the Sid unless one is set.
            entries.iter().map(|e| &e.value).collect()
        }
        crate::syntax::NodeKind::Scalar(_) => Vec::new(),
    }
}
