//! Logic shared by several rules.

use crate::model::{PolicyValue, Statement};

/// Condition keys that pin down who the caller is or where the request comes from, so a
/// broad principal or resource is limited in practice.
pub const CALLER_SCOPING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalservicename",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:userid",
    "aws:username",
    "aws:calledvia",
    "aws:viaawsservice",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "kms:callerAccount",
    "kms:viaservice",
    "lambda:functionarn",
    "iam:passedtoservice",
    "sts:externalid",
];

/// Whether any condition in the statement limits the caller (for values other than `*`).
pub fn has_caller_scoping_condition(statement: &Statement) -> bool {
    statement.condition_keys().any(|entry| {
        let key = entry.key.value.to_ascii_lowercase();
        CALLER_SCOPING_KEYS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&key))
            && !entry.values.iter().all(PolicyValue::is_star)
    })
}

/// The resolved action values of an Allow statement's `Action` (not `NotAction`).
pub fn allowed_actions(statement: &Statement) -> impl Iterator<Item = &PolicyValue> {
    statement
        .action
        .iter()
        .filter(|list| !list.negated && statement.is_allow())
        .flat_map(|list| list.values.iter())
        .filter(|v| v.resolved)
}

/// `*`, `*:*`: every action of every service.
pub fn is_full_wildcard(action: &str) -> bool {
    action == "*" || action == "*:*"
}

pub fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}
