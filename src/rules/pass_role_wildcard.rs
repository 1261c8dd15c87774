//! `iam:PassRole` on every role.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::grants::Reach;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::util::english::code_list;

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
            // Administrator statements get one finding, from `privilege-escalation`.
            let Some(grant) = subject
                .grant("iam:PassRole")
                .filter(|g| g.reach == Reach::Any && !g.is_admin())
            else {
                continue;
            };
            // Limited to some services: still any role, but only for those services.
            let to_service = grant.verdict.passed_to.as_ref();
            // Passing to services that run nothing of the holder's choosing (AWS's own
            // `AmazonDynamoDBFullAccess` passes to DAX and Application Auto Scaling).
            let housekeeping = grant.verdict.passes_only_to_housekeeping();
            // A CloudFormation service role passes the roles its templates declare: still
            // any role, but that is the job it is given.
            let severity = if housekeeping {
                Severity::Low
            } else if subject.is_deployment_role() {
                Severity::Medium
            } else {
                grant.severity(META.severity)
            };
            let lead =
                if grant.text.eq_ignore_ascii_case("iam:PassRole") && !grant.policy.synthesized {
                    "`iam:PassRole` on every role".to_string()
                } else {
                    format!("{} allows `iam:PassRole` on every role", grant.origin())
                };
            let to = match to_service {
                Some(services) => {
                    let names: Vec<&str> = services.iter().map(String::as_str).collect();
                    format!(
                        "{} (its `iam:PassedToService` condition)",
                        code_list(&names, 3)
                    )
                }
                None => "any AWS service".to_string(),
            };
            out.push(
                Finding::new(
                    &META,
                    grant.file,
                    grant.span,
                    format!(
                        "{lead}: {} can hand any role of the account, administrator roles included, to {to}{}",
                        subject.name(),
                        grant.caveat(),
                    ),
                )
                .severity(severity)
                .help("name the roles to pass (`arn:aws:iam::111122223333:role/my-worker`) and add an `iam:PassedToService` condition")
                .related(subject.context()),
            );
        }
    }
}
