//! IAM policy documents, with the span of every field.

use crate::source::{FileId, Span, Spanned};

/// What a policy document is attached to, which decides the rules that apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// Attached to a role, user or group: no `Principal`.
    Identity,
    /// Attached to a resource (bucket, queue, key, function): has a `Principal`.
    Resource,
    /// A role's trust policy (`AssumeRolePolicyDocument`).
    Trust,
    /// A permissions boundary or service control policy: limits, never grants.
    Boundary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// A string value in a policy. Template values that cannot be known offline (`!Ref Bucket`,
/// `${var.name}`) keep a `${...}` placeholder in `text` and `resolved == false`: rules may
/// reason about their shape, but never treat them as `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyValue {
    pub text: String,
    pub span: Span,
    pub resolved: bool,
}

impl PolicyValue {
    pub fn literal(text: impl Into<String>, span: Span) -> Self {
        PolicyValue {
            text: text.into(),
            span,
            resolved: true,
        }
    }

    /// The literal `*` (an unresolved value never is).
    pub fn is_star(&self) -> bool {
        self.resolved && self.text == "*"
    }
}

/// `Action`/`NotAction`, `Resource`/`NotResource`: a list of values, or its negation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueList {
    pub negated: bool,
    /// Span of the key (`"Action"`), where "this statement uses NotAction" points.
    pub key_span: Span,
    /// Span of the whole value (string or list).
    pub span: Span,
    pub values: Vec<PolicyValue>,
    /// Part of the value could not be evaluated (a template condition or import).
    pub has_unknown: bool,
    /// The value is a template condition choosing between lists (`!If [c, [a], [b]]`):
    /// `values` holds both branches, which never apply together.
    pub alternatives: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalEntry {
    /// `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for the bare `"Principal": "*"`.
    pub kind: Spanned<String>,
    pub values: Vec<PolicyValue>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub negated: bool,
    pub key_span: Span,
    pub span: Span,
    pub entries: Vec<PrincipalEntry>,
}

impl Principal {
    /// Values granting access to everyone: bare `*`, or `*` under `AWS`.
    pub fn public_values(&self) -> impl Iterator<Item = &PolicyValue> {
        self.entries
            .iter()
            .filter(|e| matches!(e.kind.value.as_str(), "*" | "AWS"))
            .flat_map(|e| e.values.iter())
            .filter(|v| v.is_star())
    }

    pub fn values_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a PolicyValue> {
        self.entries
            .iter()
            .filter(move |e| e.kind.value == kind)
            .flat_map(|e| e.values.iter())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionEntry {
    pub key: Spanned<String>,
    pub values: Vec<PolicyValue>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionClause {
    /// `StringEquals`, `ForAnyValue:StringLike`, `ArnLikeIfExists`, ...
    pub operator: Spanned<String>,
    pub entries: Vec<ConditionEntry>,
}

impl ConditionClause {
    /// The operator without `ForAllValues:`/`ForAnyValue:` and `IfExists`.
    pub fn base_operator(&self) -> &str {
        let op = self.operator.value.as_str();
        let op = op
            .strip_prefix("ForAllValues:")
            .or_else(|| op.strip_prefix("ForAnyValue:"))
            .unwrap_or(op);
        op.strip_suffix("IfExists").unwrap_or(op)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub index: usize,
    pub span: Span,
    pub sid: Option<Spanned<String>>,
    /// None when missing or invalid (a grammar problem is recorded then).
    pub effect: Option<Spanned<Effect>>,
    pub action: Option<ValueList>,
    pub resource: Option<ValueList>,
    pub principal: Option<Principal>,
    pub condition: Vec<ConditionClause>,
    pub condition_span: Option<Span>,
}

impl Statement {
    /// A statement with nothing read yet, for a policy reader to fill in.
    pub fn new(index: usize, span: Span) -> Self {
        Statement {
            index,
            span,
            sid: None,
            effect: None,
            action: None,
            resource: None,
            principal: None,
            condition: Vec::new(),
            condition_span: None,
        }
    }

    pub fn is_allow(&self) -> bool {
        matches!(
            self.effect,
            Some(Spanned {
                value: Effect::Allow,
                ..
            })
        )
    }

    /// Every condition key used in the statement, lower-cased for comparison.
    pub fn condition_keys(&self) -> impl Iterator<Item = &ConditionEntry> {
        self.condition.iter().flat_map(|c| c.entries.iter())
    }

    pub fn has_condition_key(&self, key_lower: &str) -> bool {
        self.condition_keys()
            .any(|e| e.key.value.eq_ignore_ascii_case(key_lower))
    }

    /// Where a finding about the statement as a whole points: its Sid, else its start.
    pub fn anchor(&self) -> Span {
        self.sid
            .as_ref()
            .map_or(Span::empty(self.span.start as usize), |s| s.span)
    }
}

/// A grammar problem found while reading a policy (reported by `malformed-policy`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrammarProblem {
    pub span: Span,
    pub message: String,
    pub help: String,
}

/// A named place related to a policy (the function or role it belongs to), for messages and
/// SARIF related locations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub label: String,
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDocument {
    pub file: FileId,
    pub span: Span,
    pub kind: PolicyKind,
    /// How to name the policy in messages, e.g. "policy `S3Access` of role `FnRole`".
    pub label: Option<String>,
    pub version: Option<Spanned<String>>,
    pub statements: Vec<Statement>,
    pub problems: Vec<GrammarProblem>,
    pub related: Vec<Related>,
    /// Generated from a template shorthand (SAM policy template, managed policy): grammar and
    /// style rules skip it, permission rules still apply.
    pub synthesized: bool,
    /// The byte range that takes this policy out of the list it is written in (with its list
    /// marker or comma), when the loader could work it out: what a fix deletes to remove a
    /// redundant policy.
    pub removal: Option<Span>,
}

impl PolicyDocument {
    pub fn allow_statements(&self) -> impl Iterator<Item = &Statement> {
        self.statements.iter().filter(|s| s.is_allow())
    }
}
