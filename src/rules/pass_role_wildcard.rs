//! `iam:PassRole` on every role.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::grants::Reach;
use crate::analysis::statement::scoped_severity;
use crate::finding::{Finding, RuleMeta};
use crate::model::PolicyValue;

pub struct PassRoleWildcard;

static META: RuleMeta = rule_meta!(
    "IAM202",
    "pass-role-wildcard",
    Risk,
    High,
    "`iam:PassRole` on every role, so any role can be handed to a service"
);

impl Rule for PassRoleWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        for subject in cx.analysis.subjects() {
            let Some(grant) = subject
                .grant("iam:PassRole")
                .filter(|g| g.reach == Reach::Any)
            else {
                continue;
            };
            // Limited to some services: still any role, but only for those services.
            let to_service = grant.statement.condition_keys().any(|e| {
                e.key.value.eq_ignore_ascii_case("iam:PassedToService")
                    && !e.values.iter().all(PolicyValue::is_star)
            });
            let severity = if to_service {
                META.severity.lowered()
            } else {
                scoped_severity(grant.statement, META.severity)
            };
            let lead =
                if grant.text.eq_ignore_ascii_case("iam:PassRole") && !grant.policy.synthesized {
                    "`iam:PassRole` on every role".to_string()
                } else {
                    format!("{} allows `iam:PassRole` on every role", grant.origin())
                };
            out.push(
                Finding::new(
                    &META,
                    grant.file,
                    grant.span,
                    format!(
                        "{lead}: {} can hand any role of the account, administrator roles included, to {}",
                        subject.name(),
                        if to_service { "the services its `iam:PassedToService` condition names" } else { "any AWS service" }
                    ),
                )
                .severity(severity)
                .help("name the roles to pass (`arn:aws:iam::111122223333:role/my-worker`) and add an `iam:PassedToService` condition")
                .related(subject.context()),
            );
        }
    }
}
