//! A function's role attaches an AWS managed policy with administrator-like power
//! (`AdministratorAccess`, `PowerUserAccess`, `IAMFullAccess`, or any whose document allows
//! `*`, `iam:*` or `NotAction` on every resource).

use super::helpers::is_full_wildcard;
use super::{rule_meta, Rule};
use crate::finding::{Finding, RuleMeta};
use crate::managed::{self, ManagedPolicy};
use crate::model::{
    FileModel, Function, ManagedPolicyRef, PolicyDocument, PolicyValue, Related, Role,
};

pub struct AdminManagedPolicy;

static META: RuleMeta = rule_meta!(
    "IAM301",
    "admin-managed-policy",
    OverPrivilege,
    Critical,
    "a function's role attaches an AWS managed policy with administrator-like power"
);

/// Admin-like by name, even when the document is unknown.
const ADMIN_POLICIES: &[&str] = &["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

impl Rule for AdminManagedPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, model: &FileModel, out: &mut Vec<Finding>) {
        for attached in function_role_policies(model) {
            let verdict = verdict(attached.policy);
            let Some(power) = &verdict.admin else {
                continue;
            };
            out.push(
                Finding::new(
                    &META,
                    attached.role.file,
                    attached.reference.span,
                    format!(
                        "{} attaches AWS managed policy `{}`, which {power}",
                        attached.subject(),
                        attached.policy.name
                    ),
                )
                .help("remove the managed policy and grant only the actions the function calls, on its own resources")
                .related(attached.related()),
            );
        }
    }
}

/// What a managed policy grants that these rules report: administrator-like power, or the
/// service wildcards it allows on every resource. It depends on the policy alone, so it is
/// worked out once per process (SAM attaches the same few policies to every function).
pub(super) struct Verdict {
    pub admin: Option<String>,
    pub wildcards: Vec<String>,
}

pub(super) fn verdict(policy: &'static ManagedPolicy) -> std::sync::Arc<Verdict> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Arc<Verdict>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(policy.name)
    {
        return Arc::clone(hit);
    }
    let doc = managed::document(policy, 0, crate::source::Span::default());
    let verdict = Arc::new(Verdict {
        admin: admin_power(policy, &doc),
        wildcards: super::broad_managed_policy::service_wildcards(&doc)
            .into_iter()
            .map(str::to_string)
            .collect(),
    });
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(policy.name, Arc::clone(&verdict));
    verdict
}

/// An AWS managed policy attached to a role that at least one function of the file runs as.
pub(super) struct Attached<'a> {
    pub role: &'a Role,
    pub functions: Vec<&'a Function>,
    pub reference: &'a ManagedPolicyRef,
    pub policy: &'static ManagedPolicy,
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
        if self.role.sam_generated {
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
        if !self.role.sam_generated {
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
pub(super) fn function_role_policies(model: &FileModel) -> Vec<Attached<'_>> {
    let mut out = Vec::new();
    for (index, role) in model.roles.iter().enumerate() {
        let functions: Vec<&Function> = model.functions_of_role(index).collect();
        if functions.is_empty() {
            continue;
        }
        for reference in role.managed_policies.iter().filter(|r| r.aws_managed) {
            if let Some(policy) = managed::by_name(&reference.name) {
                out.push(Attached {
                    role,
                    functions: functions.clone(),
                    reference,
                    policy,
                });
            }
        }
    }
    out
}

/// Whether a resource value covers every resource: `*`, or an ARN whose region, account
/// and resource are all `*` or empty (`arn:aws:logs:*:*:*`, `arn:aws:s3:::*`).
pub(super) fn is_any_resource(value: &PolicyValue) -> bool {
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
pub(super) fn admin_power(policy: &ManagedPolicy, doc: &PolicyDocument) -> Option<String> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(super) mod tests {
    use super::*;
    use crate::source::Span;

    pub fn function(logical_id: &str, role: usize, at: u32) -> Function {
        let at = at as usize;
        Function {
            sam: true,
            role: Some(role),
            ..Function::new(
                0,
                logical_id,
                Span::new(at, at + logical_id.len()),
                Span::new(at, at + 1),
            )
        }
    }

    /// A file with one role holding `policies` (name, aws_managed) and the given functions.
    pub fn model(policies: &[(&str, bool)], sam_generated: bool, functions: &[&str]) -> FileModel {
        let role = Role {
            file: 0,
            logical_id: "FnRole".into(),
            span: Span::new(10, 16),
            policies: Vec::new(),
            managed_policies: policies
                .iter()
                .enumerate()
                .map(|(i, (name, aws_managed))| ManagedPolicyRef {
                    name: (*name).into(),
                    span: Span::new(100 + 50 * i, 120 + 50 * i),
                    aws_managed: *aws_managed,
                })
                .collect(),
            sam_generated,
        };
        FileModel {
            roles: vec![role],
            functions: functions
                .iter()
                .enumerate()
                .map(|(i, f)| function(f, 0, 1000 + 100 * i as u32))
                .collect(),
            ..FileModel::default()
        }
    }

    pub fn run(rule: &dyn Rule, model: &FileModel) -> Vec<Finding> {
        let mut out = Vec::new();
        rule.check_model(model, &mut out);
        out
    }

    #[test]
    fn flags_administrator_access_on_a_function_role() {
        let m = model(
            &[
                ("AWSLambdaBasicExecutionRole", true),
                ("AdministratorAccess", true),
            ],
            false,
            &["Api"],
        );
        let findings = run(&AdminManagedPolicy, &m);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.span, Span::new(150, 170));
        assert_eq!(
            f.message,
            "role `FnRole` of function `Api` attaches AWS managed policy `AdministratorAccess`, which grants every action (`*`) on every resource"
        );
        assert_eq!(f.related.len(), 2);
    }

    #[test]
    fn names_every_function_of_a_shared_role_and_sam_roles_by_function() {
        let m = model(&[("PowerUserAccess", true)], false, &["Api", "Worker"]);
        let f = &run(&AdminManagedPolicy, &m)[0];
        assert!(
            f.message
                .starts_with("role `FnRole` of functions `Api`, `Worker` attaches"),
            "{}",
            f.message
        );
        assert!(
            f.message
                .ends_with("except `iam:*`, `organizations:*`, `account:*`"),
            "{}",
            f.message
        );
        let m = model(&[("IAMFullAccess", true)], true, &["Api"]);
        let f = &run(&AdminManagedPolicy, &m)[0];
        assert_eq!(
            f.message,
            "function `Api` attaches AWS managed policy `IAMFullAccess`, which grants `iam:*` on every resource, so the role can give itself any permission"
        );
        assert_eq!(f.related.len(), 1);
    }

    #[test]
    fn flags_any_policy_whose_document_is_admin_like() {
        for name in [
            "AWSMcpServiceActionsFullAccess",
            "AIDevOpsAgentActionsPolicy",
        ] {
            assert_eq!(
                run(&AdminManagedPolicy, &model(&[(name, true)], true, &["Fn"])).len(),
                1,
                "{name}"
            );
        }
    }

    #[test]
    fn ignores_narrow_and_customer_policies_and_roles_without_functions() {
        for name in [
            "AWSLambdaBasicExecutionRole",
            "AmazonS3FullAccess",
            "ReadOnlyAccess",
            "AWSLambda_FullAccess",
            "NoSuchPolicy",
        ] {
            assert!(
                run(&AdminManagedPolicy, &model(&[(name, true)], true, &["Fn"])).is_empty(),
                "{name}"
            );
        }
        // A customer managed policy that happens to be called AdministratorAccess.
        assert!(run(
            &AdminManagedPolicy,
            &model(&[("AdministratorAccess", false)], false, &["Fn"])
        )
        .is_empty());
        assert!(run(
            &AdminManagedPolicy,
            &model(&[("AdministratorAccess", true)], false, &[])
        )
        .is_empty());
    }

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
