//! Logic shared by several rules.

use crate::finding::Severity;
use crate::model::{Effect, PolicyValue, Statement, ValueList};

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
    "kms:calleraccount",
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

/// Condition key prefixes that scope which resources a statement reaches (tags, paths,
/// service-specific scoping keys).
pub const RESOURCE_SCOPING_PREFIXES: &[&str] = &[
    "aws:resourcetag/",
    "s3:prefix",
    "s3:existingobjecttag/",
    "dynamodb:leadingkeys",
    "ssm:resourcetag/",
    "secretsmanager:resource/",
    "ec2:resourcetag/",
    // Only instances, volumes and interfaces a named AWS service manages (Lambda Managed
    // Instances' capacity-provider operator role).
    "ec2:managedresourceoperator",
    "aws:requestedregion",
];

/// Whether the statement carries a condition that limits the caller or the resources
/// (`aws:SourceArn`, `aws:ResourceTag/...`, `kms:ViaService`, `iam:PassedToService`, ...).
pub fn has_scoping_condition(statement: &Statement) -> bool {
    has_caller_scoping_condition(statement)
        || statement.condition_keys().any(|entry| {
            let key = entry.key.value.to_ascii_lowercase();
            RESOURCE_SCOPING_PREFIXES.iter().any(|p| key.starts_with(p))
                && !entry.values.iter().all(PolicyValue::is_star)
        })
}

/// A scoping condition lowers a finding's severity one step instead of hiding it.
pub fn scoped_severity(
    statement: &Statement,
    severity: crate::finding::Severity,
) -> crate::finding::Severity {
    if has_scoping_condition(statement) {
        severity.lowered()
    } else {
        severity
    }
}

/// Is an action pattern broad enough to be a problem of its own: `*`, a whole service
/// (`s3:*`), or a pattern reaching write, permissions-management or tagging actions,
/// unless it matches only one or two actions of one access level (`sqs:SendMessage*`).
/// Read/list-only patterns (`s3:Get*`) and unknown ones are not.
pub fn is_broad_action_pattern(pattern: &str) -> bool {
    use crate::catalog::{catalog, AccessLevel, Expansion};
    if is_full_wildcard(pattern) {
        return true;
    }
    if !has_wildcard(pattern) {
        return false;
    }
    if pattern.split_once(':').is_some_and(|(_, name)| name == "*") {
        return true;
    }
    let Expansion::Actions(actions) = catalog().expand(pattern) else {
        return false;
    };
    let Some(first) = actions.first() else {
        return false;
    };
    let one_level = actions
        .iter()
        .all(|a| a.access_level() == first.access_level());
    if actions.len() <= 2 && one_level {
        return false;
    }
    actions
        .iter()
        .any(|a| !matches!(a.access_level(), AccessLevel::List | AccessLevel::Read))
}

/// How much an action value that matches nothing matters in `list` of `statement`: in an
/// `Allow`'s `Action` (or a `Deny`'s `NotAction`) it takes a permission away, so a call
/// fails with `AccessDenied`, a bug that tests find (medium); in a `Deny`'s `Action` (or an
/// `Allow`'s `NotAction`) it leaves a hole in a guard rail or grants more than meant, which
/// nothing reports (high).
pub fn dead_action_severity(statement: &Statement, list: &ValueList) -> Severity {
    match (statement.effect.as_ref().map(|e| e.value), list.negated) {
        (Some(Effect::Allow), false) | (Some(Effect::Deny), true) => Severity::Medium,
        _ => Severity::High,
    }
}

#[cfg(test)]
mod tests {
    use super::is_broad_action_pattern;

    #[test]
    fn broad_patterns_are_told_from_narrow_ones() {
        for broad in ["*", "s3:*", "SQS:*", "s3:Put*", "dynamodb:*Item"] {
            assert!(is_broad_action_pattern(broad), "{broad}");
        }
        for narrow in [
            "s3:GetObject",
            "s3:Get*",
            "sqs:SendMessage*",
            "sqs:Delete*",
            "nosuch:Thing*",
        ] {
            assert!(!is_broad_action_pattern(narrow), "{narrow}");
        }
    }
}
