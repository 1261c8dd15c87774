//! A function's role attaches an AWS managed policy with administrator-like power
//! (`AdministratorAccess`, `PowerUserAccess`, `IAMFullAccess`, or any whose document allows
//! `*`, `iam:*` or `NotAction` on every resource).

use super::{rule_meta, ModelCx, Rule};
use crate::finding::{Finding, RuleMeta};

pub struct AdminManagedPolicy;

static META: RuleMeta = rule_meta!(
    "IAM301",
    "admin-managed-policy",
    OverPrivilege,
    Critical,
    "a function's role attaches an AWS managed policy with administrator-like power"
);

impl Rule for AdminManagedPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        for attached in cx.analysis.managed_attachments() {
            let Some(power) = &attached.resolved.admin else {
                continue;
            };
            // A boundary or SCP allow list that keeps the role from some action makes the
            // policy no administrator for this role: still report the attachment, at low.
            let restriction = cx
                .analysis
                .subjects()
                .iter()
                .find(|s| {
                    s.role_index()
                        .and_then(|i| cx.model.roles.get(i))
                        .is_some_and(|r| std::ptr::eq(r, attached.role))
                })
                .and_then(|s| s.restriction());
            let mut finding = Finding::new(
                &META,
                attached.role.file,
                attached.reference.span,
                format!(
                    "{} attaches AWS managed policy `{}`, which {power}",
                    attached.subject(),
                    attached.resolved.policy.name
                ),
            )
            .help("remove the managed policy and grant only the actions the function calls, on its own resources")
            .related(attached.related());
            if let Some(source) = restriction {
                finding.message = format!("{}; {source} limits it", finding.message);
                finding = finding.severity(crate::finding::Severity::Low);
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::source::Span;

    use crate::model::testing::managed_role_model as model;
    use crate::rules::run_rule as run;

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
}
