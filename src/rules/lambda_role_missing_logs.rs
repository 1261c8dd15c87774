//! A function role that cannot write to `CloudWatch` Logs.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::functions::allowed_actions_of;
use crate::catalog::glob_match_ci;
use crate::finding::{Finding, RuleMeta};
use crate::model::{ManagedPolicyRef, Related};
use crate::util::english::and_list;

pub struct LambdaRoleMissingLogs;

static META: RuleMeta = rule_meta!(
    "LMB010",
    "lambda-role-missing-logs",
    LambdaPractice,
    Low,
    "a function's role does not allow writing logs to CloudWatch Logs"
);

/// AWS managed policies known to allow `logs:PutLogEvents`, besides the Lambda execution
/// role policies (`AWSLambda*ExecutionRole`, `AWSLambdaExecute`).
const LOGGING_MANAGED_POLICIES: &[&str] = &[
    "AWSLambdaExecute",
    "CloudWatchLogsFullAccess",
    "CloudWatchFullAccess",
    "CloudWatchFullAccessV2",
    "CloudWatchLambdaInsightsExecutionRolePolicy",
    "AdministratorAccess",
    "PowerUserAccess",
];

/// The policy name of a managed policy reference: `service-role/AWSLambdaBasicExecutionRole`
/// and full ARNs give `AWSLambdaBasicExecutionRole`.
fn policy_name(reference: &ManagedPolicyRef) -> &str {
    reference.name.rsplit('/').next().unwrap_or(&reference.name)
}

fn grants_logs(reference: &ManagedPolicyRef) -> bool {
    let name = policy_name(reference);
    name.contains("LambdaBasicExecution")
        || name.contains("ExecutionRole")
        || LOGGING_MANAGED_POLICIES
            .iter()
            .any(|p| p.eq_ignore_ascii_case(name))
}

impl Rule for LambdaRoleMissingLogs {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for (index, role) in model.roles.iter().enumerate() {
            let functions: Vec<_> = model.functions_of_role(index).collect();
            let Some(first) = functions.first() else {
                continue;
            };
            // A managed policy we cannot read might grant it: stay silent.
            if role
                .managed_policies
                .iter()
                .any(|m| grants_logs(m) || !m.aws_managed)
            {
                continue;
            }
            let actions = allowed_actions_of(model.function_policies(first));
            if actions.has_unknown
                || actions
                    .values
                    .iter()
                    .any(|a| glob_match_ci(&a.text, "logs:PutLogEvents"))
            {
                continue;
            }
            let names: Vec<String> = functions.iter().map(|f| f.display_name()).collect();
            let noun = if functions.len() == 1 {
                "function"
            } else {
                "functions"
            };
            out.push(
                Finding::new(
                    &META,
                    role.file,
                    role.span,
                    format!(
                        "role `{}` does not allow `logs:PutLogEvents`, so its {noun} {} cannot write logs to CloudWatch",
                        role.logical_id,
                        and_list(&names)
                    ),
                )
                .help("attach the `AWSLambdaBasicExecutionRole` managed policy, or allow `logs:CreateLogStream` and `logs:PutLogEvents` on the function's log group")
                .related(functions.iter().map(|f| Related {
                    label: format!("function {} runs as this role", f.display_name()),
                    file: f.file,
                    span: f.span,
                })),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileModel;
    use crate::model::testing::{allow, function, managed, role};
    use crate::model::PolicyDocument;

    fn run(managed_policies: Vec<ManagedPolicyRef>, policies: Vec<PolicyDocument>) -> Vec<Finding> {
        let mut f = function("Api", 10);
        f.role = Some(0);
        let mut r = role("ApiRole", 400, (0..policies.len()).collect());
        r.managed_policies = managed_policies;
        let model = FileModel {
            functions: vec![f],
            roles: vec![r],
            policies,
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaRoleMissingLogs, &model));
        out
    }

    #[test]
    fn flags_a_role_without_logging_permissions() {
        let findings = run(
            Vec::new(),
            vec![allow(&[&["dynamodb:GetItem", "logs:CreateLogStream"]])],
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "role `ApiRole` does not allow `logs:PutLogEvents`, so its function `Api` cannot write logs to CloudWatch"
        );
        assert_eq!(findings[0].related.len(), 1);
        assert_eq!(
            run(vec![managed("AmazonS3ReadOnlyAccess", true)], Vec::new()).len(),
            1
        );
    }

    #[test]
    fn clean_when_a_statement_allows_it() {
        for action in [
            "logs:PutLogEvents",
            "logs:*",
            "logs:Put*",
            "*",
            "LOGS:putlogevents",
        ] {
            assert!(
                run(Vec::new(), vec![allow(&[&["s3:GetObject"], &[action]])]).is_empty(),
                "{action}"
            );
        }
    }

    #[test]
    fn clean_with_logging_or_unreadable_managed_policies() {
        for name in [
            "AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
            "AWSLambdaExecute",
            "AWSLambdaSQSQueueExecutionRole",
            "CloudWatchLogsFullAccess",
        ] {
            assert!(
                run(vec![managed(name, true)], Vec::new()).is_empty(),
                "{name}"
            );
        }
        assert!(run(
            vec![managed("arn:aws:iam::111122223333:policy/Logging", false)],
            Vec::new()
        )
        .is_empty());
    }

    #[test]
    fn clean_when_a_statement_cannot_be_read_or_the_role_is_external() {
        let mut doc = allow(&[&["s3:GetObject"]]);
        if let Some(action) = doc.statements[0].action.as_mut() {
            action.negated = true;
        }
        assert!(run(Vec::new(), vec![doc]).is_empty());
        let model = FileModel {
            functions: vec![function("Api", 10)],
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaRoleMissingLogs, &model));
        assert!(out.is_empty());
    }
}
