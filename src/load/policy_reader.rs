//! Reads an IAM policy document from a syntax node, checking the policy grammar.
//!
//! Shared by every loader: a raw policy file and a policy inside a template differ only in
//! how values are evaluated, which the [`Resolver`] decides.

use crate::model::{
    ConditionClause, ConditionEntry, Effect, GrammarProblem, PolicyDocument, PolicyKind,
    PolicyValue, Principal, PrincipalEntry, Statement, ValueList,
};
use crate::source::{FileId, Span, Spanned};
use crate::syntax::{Node, NodeKind, ScalarStyle};

/// How a loader turns a value node into policy strings.
pub trait Resolver {
    /// Evaluate a value node into zero or more strings. Returns false when the node is not a
    /// string-like value at all (a grammar problem for the caller to report).
    fn strings(&self, node: &Node, out: &mut Vec<PolicyValue>) -> bool {
        match node.as_scalar() {
            Some(s) => {
                out.push(PolicyValue::literal(s.text.clone(), node.span));
                true
            }
            None => false,
        }
    }

    /// Structural alternatives of a node: a template's `Fn::If` yields both branches, and
    /// `AWS::NoValue` yields none. Plain policies have exactly the node itself.
    fn alternatives<'n>(&self, node: &'n Node) -> Vec<&'n Node> {
        vec![node]
    }
}

/// Plain JSON policy files: values are what they say.
pub struct Literal;
impl Resolver for Literal {}

const TOP_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
const PRINCIPAL_KINDS: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];
/// Base condition operators, before `ForAllValues:`/`ForAnyValue:` and `IfExists`.
const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnNotEquals",
    "ArnLike",
    "ArnNotLike",
    "Null",
];
/// Partitions an ARN can name.
const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

struct Reader<'r> {
    resolver: &'r dyn Resolver,
    kind: PolicyKind,
    problems: Vec<GrammarProblem>,
}

/// Read a policy document. `kind` is what the caller knows of its attachment; for a raw policy
/// file pass `None` and it is inferred (a `Principal` makes it a resource policy, `sts:Assume*`
/// actions with a principal a trust policy).
pub fn read_policy(
    node: &Node,
    file: FileId,
    kind: Option<PolicyKind>,
    resolver: &dyn Resolver,
) -> PolicyDocument {
    let kind = kind.unwrap_or_else(|| infer_kind(node));
    let mut reader = Reader {
        resolver,
        kind,
        problems: Vec::new(),
    };
    let mut doc = PolicyDocument {
        file,
        span: node.span,
        kind,
        label: None,
        version: None,
        statements: Vec::new(),
        problems: Vec::new(),
        related: Vec::new(),
        synthesized: false,
        removal: None,
    };
    match node.as_map() {
        Some(entries) => {
            reader.check_keys(entries, TOP_KEYS, "policy");
            if let Some(version) = node.get("Version") {
                match version.as_scalar() {
                    Some(s) if matches!(s.text.as_str(), "2012-10-17" | "2008-10-17") => {
                        doc.version = Some(Spanned::new(s.text.clone(), version.span));
                    }
                    _ => reader.problem(
                        version.span,
                        format!(
                            "`Version` must be \"2012-10-17\", found {}",
                            describe(version)
                        ),
                        "set \"Version\": \"2012-10-17\"",
                    ),
                }
            }
            match node.get("Statement") {
                Some(statements) => reader.statements(statements, &mut doc.statements),
                None => reader.problem(
                    first_key_span(node),
                    "policy has no `Statement`".into(),
                    "add a `Statement` list with at least one statement",
                ),
            }
        }
        None if node.as_scalar().is_some() => reader.problem(
            node.span,
            "policy document is a string that is not a JSON policy object".into(),
            "write the policy as an object, or as a JSON string {\"Version\": \"2012-10-17\", \"Statement\": [...]}",
        ),
        None => reader.problem(
            node.span,
            format!(
                "a policy document must be an object, found {}",
                node.type_name()
            ),
            "write the policy as {\"Version\": \"2012-10-17\", \"Statement\": [...]}",
        ),
    }
    doc.problems = reader.problems;
    doc
}

fn infer_kind(node: &Node) -> PolicyKind {
    let statements = node
        .get("Statement")
        .map(Node::one_or_many)
        .unwrap_or_default();
    let has_principal = statements
        .iter()
        .any(|s| s.get("Principal").is_some() || s.get("NotPrincipal").is_some());
    if !has_principal {
        return PolicyKind::Identity;
    }
    let assumes_role = statements.iter().all(|s| {
        s.get("Action").is_some_and(|a| {
            a.one_or_many().iter().all(|v| {
                v.scalar_text().is_some_and(|t| {
                    t.to_ascii_lowercase().starts_with("sts:assumerole")
                        || t.eq_ignore_ascii_case("sts:TagSession")
                        || t.eq_ignore_ascii_case("sts:SetSourceIdentity")
                })
            })
        })
    });
    if assumes_role {
        PolicyKind::Trust
    } else {
        PolicyKind::Resource
    }
}

fn first_key_span(node: &Node) -> Span {
    node.as_map()
        .and_then(|e| e.first())
        .map_or(Span::empty(node.span.start as usize), |e| e.key.span)
}

fn describe(node: &Node) -> String {
    match node.as_scalar() {
        Some(s) if s.style != ScalarStyle::Plain => format!("\"{}\"", s.text),
        Some(s) => format!("`{}`", s.text),
        None => node.type_name().to_string(),
    }
}

/// An ARN whose partition IAM does not know; placeholders, wildcards and non-ARNs are left
/// alone. Shared with the Terraform policy-document reader.
pub(crate) fn partition_problem(name: &str, v: &PolicyValue) -> Option<(String, &'static str)> {
    if !v.resolved {
        return None;
    }
    let partition = v.text.strip_prefix("arn:")?.split(':').next()?;
    if partition.contains(['$', '*', '?', '<', '{']) || PARTITIONS.contains(&partition) {
        return None;
    }
    Some((
        format!("`{name}` ARN \"{}\" has unknown partition `{partition}`", v.text),
        "use a partition AWS has (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc), or ${AWS::Partition} in a template",
    ))
}

/// A condition operator IAM does not know, or `Null` with `IfExists` or a set prefix.
/// Shared with the Terraform policy-document reader.
pub(crate) fn operator_problem(text: &str) -> Option<(String, String)> {
    // Template intrinsics and unresolved Terraform values are not operators yet.
    if text.is_empty() || text.starts_with("Fn::") || text == "Ref" || text.contains("${") {
        return None;
    }
    let rest = text
        .strip_prefix("ForAllValues:")
        .or_else(|| text.strip_prefix("ForAnyValue:"));
    let set = rest.is_some();
    let rest = rest.unwrap_or(text);
    let base = rest.strip_suffix("IfExists").unwrap_or(rest);
    let if_exists = base.len() != rest.len();
    if !OPERATORS.iter().any(|o| o.eq_ignore_ascii_case(base)) {
        let help = OPERATORS
            .iter()
            .find(|o| strsim::levenshtein(o, base) <= 2)
            .map_or_else(
                || {
                    "use a condition operator IAM knows, such as StringEquals, ArnLike or Bool"
                        .to_string()
                },
                |o| format!("did you mean `{o}`?"),
            );
        return Some((format!("unknown condition operator `{text}`"), help));
    }
    if base.eq_ignore_ascii_case("Null") && (if_exists || set) {
        return Some((
            format!("condition operator `{text}` is invalid: `Null` takes neither `IfExists` nor `ForAllValues:`/`ForAnyValue:`"),
            "use plain `Null`: it already tests whether the key is present".to_string(),
        ));
    }
    None
}

impl Reader<'_> {
    fn problem(&mut self, span: Span, message: String, help: &str) {
        self.problems.push(GrammarProblem {
            span,
            message,
            help: help.to_string(),
        });
    }

    /// Unknown and duplicate keys of a policy or statement object.
    fn check_keys(&mut self, entries: &[crate::syntax::Entry], allowed: &[&str], what: &str) {
        for (i, entry) in entries.iter().enumerate() {
            let key = entry.key.value.as_str();
            // Template intrinsics inside a policy are the resolver's business.
            if key.starts_with("Fn::") || key == "Ref" {
                continue;
            }
            if !allowed.contains(&key) {
                let suggestion = allowed
                    .iter()
                    .find(|k| k.eq_ignore_ascii_case(key) || strsim::levenshtein(k, key) <= 2)
                    .map_or_else(
                        || format!("remove it; {what} keys are {}", allowed.join(", ")),
                        |k| format!("did you mean `{k}`?"),
                    );
                self.problem(
                    entry.key.span,
                    format!("unknown {what} key `{key}`"),
                    &suggestion,
                );
            } else if entries[..i].iter().any(|e| e.key.value == key) {
                self.problem(
                    entry.key.span,
                    format!(
                        "duplicate key `{key}` in {what}: IAM silently keeps only the last one"
                    ),
                    "merge the values into one key",
                );
            }
        }
    }

    fn statements(&mut self, node: &Node, out: &mut Vec<Statement>) {
        let mut items: Vec<&Node> = Vec::new();
        for alt in self.resolver.alternatives(node) {
            match &alt.kind {
                NodeKind::Seq(list) => {
                    for item in list {
                        items.extend(self.resolver.alternatives(item));
                    }
                }
                NodeKind::Map(_) => items.push(alt),
                NodeKind::Scalar(_) => self.problem(
                    alt.span,
                    format!(
                        "`Statement` must be an object or a list of objects, found {}",
                        alt.type_name()
                    ),
                    "write each statement as an object with Effect, Action and Resource",
                ),
            }
        }
        if items.is_empty() && node.as_seq().is_some_and(<[Node]>::is_empty) {
            self.problem(
                node.span,
                "`Statement` list is empty: the policy grants nothing".into(),
                "add a statement or delete the policy",
            );
        }
        for item in items {
            if let Some(statement) = self.statement(item, out.len()) {
                out.push(statement);
            }
        }
    }

    fn statement(&mut self, node: &Node, index: usize) -> Option<Statement> {
        let Some(entries) = node.as_map() else {
            self.problem(
                node.span,
                format!("a statement must be an object, found {}", node.type_name()),
                "write the statement as an object with Effect, Action and Resource",
            );
            return None;
        };
        self.check_keys(entries, STATEMENT_KEYS, "statement");
        let mut st = Statement::new(index, node.span);
        if let Some(sid) = node.get("Sid") {
            self.sid(sid, &mut st);
        }
        match node.get("Effect") {
            Some(effect) => match effect.as_str() {
                Some("Allow") => st.effect = Some(Spanned::new(Effect::Allow, effect.span)),
                Some("Deny") => st.effect = Some(Spanned::new(Effect::Deny, effect.span)),
                _ => self.problem(
                    effect.span,
                    format!(
                        "`Effect` must be \"Allow\" or \"Deny\", found {}",
                        describe(effect)
                    ),
                    "use \"Allow\" or \"Deny\" exactly (the value is case-sensitive)",
                ),
            },
            None => self.problem(
                first_key_span(node),
                "statement has no `Effect`".into(),
                "add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"",
            ),
        }
        st.action = self.pair(node, "Action", "NotAction", true);
        st.resource = self.pair(
            node,
            "Resource",
            "NotResource",
            self.kind == PolicyKind::Identity,
        );
        st.principal = self.principal(node);
        if let Some(cond) = node.get_entry("Condition") {
            st.condition_span = Some(cond.key.span.cover(cond.value.span));
            st.condition = self.condition(&cond.value);
        }
        Some(st)
    }

    fn sid(&mut self, sid: &Node, st: &mut Statement) {
        let Some(text) = sid.as_str().or_else(|| sid.scalar_text()) else {
            self.problem(
                sid.span,
                format!("`Sid` must be a string, found {}", sid.type_name()),
                "use a short alphanumeric Sid",
            );
            return;
        };
        // Identity policies accept only ASCII letters and digits; several resource-policy
        // services (S3, SNS, SQS) accept any string, so only identity-like policies are checked.
        if self.kind != PolicyKind::Resource && !text.chars().all(|c| c.is_ascii_alphanumeric()) {
            self.problem(
                sid.span,
                format!("`Sid` \"{text}\" has characters IAM rejects: only A-Z, a-z and 0-9 are allowed"),
                "remove spaces, dashes and punctuation from the Sid",
            );
        }
        st.sid = Some(Spanned::new(text.to_string(), sid.span));
    }

    /// One of `Action`/`NotAction` (or `Resource`/`NotResource`); both is an error, and
    /// neither is one when `required`.
    fn pair(&mut self, node: &Node, key: &str, not_key: &str, required: bool) -> Option<ValueList> {
        let plain = node.get_entry(key);
        let negated = node.get_entry(not_key);
        if let (Some(_), Some(n)) = (plain, negated) {
            self.problem(
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
                    self.problem(
                        first_key_span(node),
                        format!("statement has neither `{key}` nor `{not_key}`"),
                        &format!("add `{key}` with the exact values the statement is for"),
                    );
                }
                return None;
            }
        };
        let name = if is_negated { not_key } else { key };
        let mut list = ValueList {
            negated: is_negated,
            key_span: entry.key.span,
            span: entry.value.span,
            values: Vec::new(),
            has_unknown: false,
            alternatives: self.resolver.alternatives(&entry.value).len() > 1,
        };
        self.string_list(&entry.value, name, &mut list.values);
        if entry.value.as_seq().is_some_and(<[Node]>::is_empty) {
            self.problem(
                entry.value.span,
                format!("`{name}` is an empty list"),
                &format!("list at least one value in `{name}`"),
            );
        }
        list.has_unknown = list.values.iter().any(|v| !v.resolved);
        if key == "Resource" {
            self.check_partitions(&list.values, name);
        }
        Some(list)
    }

    /// A string or list of strings; other types are grammar problems.
    fn string_list(&mut self, node: &Node, name: &str, out: &mut Vec<PolicyValue>) {
        for alt in self.resolver.alternatives(node) {
            for item in alt.one_or_many() {
                if item.as_scalar().is_some_and(|s| {
                    s.style == ScalarStyle::Plain && !s.is_null() && (s.is_bool() || s.is_number())
                }) {
                    self.problem(
                        item.span,
                        format!(
                            "`{name}` values must be strings, found {}",
                            item.type_name()
                        ),
                        "quote the value",
                    );
                    continue;
                }
                if item.is_null() || !self.resolver.strings(item, out) {
                    self.problem(
                        item.span,
                        format!(
                            "`{name}` must be a string or a list of strings, found {}",
                            item.type_name()
                        ),
                        "write the value as \"service:Action\" or a list of such strings",
                    );
                }
            }
        }
    }

    fn check_partitions(&mut self, values: &[PolicyValue], name: &str) {
        for v in values {
            if let Some((message, help)) = partition_problem(name, v) {
                self.problem(v.span, message, help);
            }
        }
    }

    fn check_operator(&mut self, op: &Spanned<String>) {
        if let Some((message, help)) = operator_problem(&op.value) {
            self.problem(op.span, message, &help);
        }
    }

    fn principal(&mut self, node: &Node) -> Option<Principal> {
        let plain = node.get_entry("Principal");
        let negated = node.get_entry("NotPrincipal");
        if let (Some(_), Some(n)) = (plain, negated) {
            self.problem(
                n.key.span,
                "statement has both `Principal` and `NotPrincipal`".into(),
                "keep only `Principal`",
            );
        }
        let (entry, is_negated) = match (plain, negated) {
            (Some(e), _) => (e, false),
            (None, Some(e)) => (e, true),
            (None, None) => return None,
        };
        if self.kind == PolicyKind::Identity || self.kind == PolicyKind::Boundary {
            let (message, help) = principal_in_identity_policy(&entry.key.value);
            self.problem(entry.key.span, message, help);
        }
        let mut principal = Principal {
            negated: is_negated,
            key_span: entry.key.span,
            span: entry.value.span,
            entries: Vec::new(),
        };
        let value = &entry.value;
        match &value.kind {
            NodeKind::Map(kinds)
                if !kinds
                    .iter()
                    .any(|e| e.key.value.starts_with("Fn::") || e.key.value == "Ref") =>
            {
                for (i, kind) in kinds.iter().enumerate() {
                    if kinds[..i].iter().any(|k| k.key.value == kind.key.value) {
                        self.problem(
                            kind.key.span,
                            format!(
                                "duplicate principal type `{}`: IAM silently keeps only the last one",
                                kind.key.value
                            ),
                            "list every principal of that type in one array",
                        );
                    }
                    if !PRINCIPAL_KINDS.contains(&kind.key.value.as_str()) {
                        self.problem(
                            kind.key.span,
                            format!("unknown principal type `{}`", kind.key.value),
                            "use AWS, Service, Federated or CanonicalUser",
                        );
                        continue;
                    }
                    let mut values = Vec::new();
                    self.string_list(&kind.value, &kind.key.value, &mut values);
                    principal.entries.push(PrincipalEntry {
                        kind: kind.key.clone(),
                        values,
                    });
                }
            }
            _ => {
                let mut values = Vec::new();
                self.string_list(value, "Principal", &mut values);
                // Only `"*"` is valid as a bare string; anything else is shorthand IAM rejects.
                for v in &values {
                    if v.resolved && v.text != "*" {
                        self.problem(
                            v.span,
                            format!("a bare principal must be \"*\", found \"{}\"", v.text),
                            "write {\"AWS\": \"<account or ARN>\"} or {\"Service\": \"<service>.amazonaws.com\"}",
                        );
                    }
                }
                principal.entries.push(PrincipalEntry {
                    kind: Spanned::new("*".into(), value.span),
                    values,
                });
            }
        }
        Some(principal)
    }

    fn condition(&mut self, node: &Node) -> Vec<ConditionClause> {
        let Some(operators) = node.as_map() else {
            self.problem(
                node.span,
                format!("`Condition` must be an object, found {}", node.type_name()),
                "write {\"Operator\": {\"key\": \"value\"}}",
            );
            return Vec::new();
        };
        let mut clauses = Vec::new();
        for (i, op) in operators.iter().enumerate() {
            if operators[..i].iter().any(|e| e.key.value == op.key.value) {
                self.problem(
                    op.key.span,
                    format!(
                        "duplicate condition operator `{}`: IAM silently keeps only the last one",
                        op.key.value
                    ),
                    "merge the keys under one operator",
                );
            }
            self.check_operator(&op.key);
            let Some(keys) = op.value.as_map() else {
                self.problem(
                    op.value.span,
                    format!(
                        "condition operator `{}` must map keys to values, found {}",
                        op.key.value,
                        op.value.type_name()
                    ),
                    "write {\"key\": \"value\"}",
                );
                continue;
            };
            let mut clause = ConditionClause {
                operator: op.key.clone(),
                entries: Vec::new(),
            };
            for (j, key) in keys.iter().enumerate() {
                if keys[..j].iter().any(|e| e.key.value == key.key.value) {
                    self.problem(
                        key.key.span,
                        format!(
                            "duplicate condition key `{}`: IAM silently keeps only the last one",
                            key.key.value
                        ),
                        "list all values for the key in one list",
                    );
                }
                let mut values = Vec::new();
                for alt in self.resolver.alternatives(&key.value) {
                    for item in alt.one_or_many() {
                        if !self.resolver.strings(item, &mut values) {
                            self.problem(item.span, format!("condition values must be strings, numbers or booleans, found {}", item.type_name()), "write the value as a string or a list of strings");
                        }
                    }
                }
                clause.entries.push(ConditionEntry {
                    key: key.key.clone(),
                    values,
                    span: key.key.span.cover(key.value.span),
                });
            }
            clauses.push(clause);
        }
        clauses
    }
}

/// The grammar problem of a `Principal`/`NotPrincipal` key in an identity or boundary
/// policy, worded the same for every policy reader.
pub(crate) fn principal_in_identity_policy(key: &str) -> (String, &'static str) {
    (
        format!("`{key}` in a policy attached to a role, user or group: identity policies cannot name a principal"),
        "remove the principal, or attach this document to a resource instead",
    )
}

#[cfg(test)]
#[path = "policy_reader_tests.rs"]
mod tests;
