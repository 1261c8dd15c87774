//! AWS managed policies as the analysis sees them: each one resolved once per process into
//! its document, its grant index and what the managed-policy rules report about it
//! (administrator-like power, service wildcards on every resource). SAM attaches the same
//! few policies to every function, so this is the one cache every rule shares.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::index::Prepared;
use super::statement::is_full_wildcard;
use crate::managed::{self, ManagedPolicy};
use crate::model::{
    FileModel, Function, ManagedPolicyRef, PolicyDocument, PolicyValue, Related, Role,
};
use crate::source::Span;

/// One AWS managed policy, resolved.
pub struct Resolved {
    pub policy: &'static ManagedPolicy,
    pub document: &'static PolicyDocument,
    pub(crate) prepared: Prepared<'static>,
    /// What makes it administrator-like, as the end of a sentence ("grants ..."), if it is.
    pub admin: Option<String>,
    /// `service:*` actions it allows on every resource, in document order.
    pub wildcards: Vec<String>,
}

/// The resolved policy of that name; `None` when it is not an AWS managed policy. Kept for
/// the rest of the process (a few hundred at most are ever attached).
pub fn resolve(name: &str) -> Option<&'static Resolved> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, &'static Resolved>>> = OnceLock::new();
    let policy = managed::by_name(name)?;
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(policy.name)
    {
        return Some(hit);
    }
    let document: &'static PolicyDocument =
        Box::leak(Box::new(managed::document(policy, 0, Span::default())));
    let resolved: &'static Resolved = Box::leak(Box::new(Resolved {
        policy,
        document,
        prepared: Prepared::new(document),
        admin: admin_power(policy, document),
        wildcards: service_wildcards(document)
            .into_iter()
            .map(str::to_string)
            .collect(),
    }));
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(policy.name, resolved);
    Some(resolved)
}

/// Admin-like by name, even when the document is unknown.
const ADMIN_POLICIES: &[&str] = &["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

/// An AWS managed policy attached to a role that at least one function of the file runs as.
pub struct Attached<'a> {
    pub role: &'a Role,
    pub functions: Vec<&'a Function>,
    pub reference: &'a ManagedPolicyRef,
    pub resolved: &'static Resolved,
}

impl Attached<'_> {
    /// Who holds the policy, for messages: "function `Fn`" for a role SAM generates,
    /// "role `R` of function `Fn`" otherwise.
    pub fn subject(&self) -> String {
        let names: Vec<String> = self.functions.iter().map(|f| f.display_name()).collect();
        let functions = format!(
            "function{} {}",
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        );
        if self.role.origin.is_generated() {
            functions
        } else {
            format!("role `{}` of {functions}", self.role.logical_id)
        }
    }

    pub fn related(&self) -> Vec<Related> {
        let mut related: Vec<Related> = self
            .functions
            .iter()
            .map(|f| Related {
                label: format!("function {}", f.display_name()),
                file: f.file,
                span: f.span,
            })
            .collect();
        if !self.role.origin.is_generated() {
            related.push(Related {
                label: format!("role `{}`", self.role.logical_id),
                file: self.role.file,
                span: self.role.span,
            });
        }
        related
    }
}

/// Every AWS managed policy of every function role in the file, in role order.
pub(crate) fn function_role_policies(model: &FileModel) -> Vec<Attached<'_>> {
    let mut out = Vec::new();
    for (index, role) in model.roles.iter().enumerate() {
        let functions: Vec<&Function> = model.functions_of_role(index).collect();
        if functions.is_empty() {
            continue;
        }
        for reference in role.managed_policies.iter().filter(|r| r.aws_managed) {
            if let Some(resolved) = resolve(&reference.name) {
                out.push(Attached {
                    role,
                    functions: functions.clone(),
                    reference,
                    resolved,
                });
            }
        }
    }
    out
}

/// Whether a resource value covers every resource: `*`, or an ARN whose region, account
/// and resource are all `*` or empty (`arn:aws:logs:*:*:*`, `arn:aws:s3:::*`).
pub(crate) fn is_any_resource(value: &PolicyValue) -> bool {
    if value.is_star() {
        return true;
    }
    let parts: Vec<&str> = value.text.splitn(6, ':').collect();
    value.resolved
        && parts.len() == 6
        && parts[0] == "arn"
        && parts[3..].iter().all(|p| p.is_empty() || *p == "*")
}

/// What makes the policy administrator-like, as the end of a sentence ("grants ..."), or
/// `None`. Looks at Allow statements on every resource: `*`, `iam:*` (which lets the role
/// grant itself anything) and `NotAction` (everything but a few services).
pub(crate) fn admin_power(policy: &ManagedPolicy, doc: &PolicyDocument) -> Option<String> {
    for statement in doc.allow_statements() {
        let every_resource = statement
            .resource
            .as_ref()
            .is_some_and(|r| r.negated || r.values.iter().any(is_any_resource));
        let Some(action) = statement.action.as_ref().filter(|_| every_resource) else {
            continue;
        };
        if action.negated {
            let except: Vec<String> = action
                .values
                .iter()
                .take(3)
                .map(|v| format!("`{}`", v.text))
                .collect();
            let more = action.values.len().saturating_sub(3);
            return Some(format!(
                "grants every action on every resource except {}{}",
                except.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        if let Some(star) = action
            .values
            .iter()
            .find(|v| v.resolved && is_full_wildcard(&v.text))
        {
            return Some(format!(
                "grants every action (`{}`) on every resource",
                star.text
            ));
        }
        if let Some(iam) = action
            .values
            .iter()
            .find(|v| v.resolved && v.text.eq_ignore_ascii_case("iam:*"))
        {
            return Some(format!(
                "grants `{}` on every resource, so the role can give itself any permission",
                iam.text
            ));
        }
    }
    ADMIN_POLICIES
        .contains(&policy.name)
        .then(|| "grants administrator-level access".to_string())
}

/// `service:*` actions of Allow statements on every resource, without duplicates, in
/// document order.
pub(crate) fn service_wildcards(doc: &PolicyDocument) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for statement in doc.allow_statements() {
        let every_resource = statement
            .resource
            .as_ref()
            .is_some_and(|r| r.negated || r.values.iter().any(is_any_resource));
        let Some(action) = statement
            .action
            .as_ref()
            .filter(|a| every_resource && !a.negated)
        else {
            continue;
        };
        for value in action.values.iter().filter(|v| v.resolved) {
            let is_service_wildcard = value.text.split_once(':').is_some_and(|(service, name)| {
                name == "*" && !service.is_empty() && !service.contains('*')
            });
            if is_service_wildcard && !out.contains(&value.text.as_str()) {
                out.push(&value.text);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_resource_covers_star_and_account_wide_arns() {
        let v = |t: &str| PolicyValue::literal(t, Span::default());
        for t in [
            "*",
            "arn:aws:logs:*:*:*",
            "arn:aws:s3:::*",
            "arn:*:ssm-sap:*:*:*",
        ] {
            assert!(is_any_resource(&v(t)), "{t}");
        }
        for t in [
            "arn:aws:s3:::bucket/*",
            "arn:aws:logs:*:*:log-group:/aws/lambda/*",
            "arn:aws:dynamodb:*:*:table/*",
            "s3:*",
        ] {
            assert!(!is_any_resource(&v(t)), "{t}");
        }
    }
}
