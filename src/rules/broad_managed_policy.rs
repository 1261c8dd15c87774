//! A function's role attaches an AWS managed policy that grants whole services
//! (`s3:*`, `dynamodb:*`, `lambda:*`) on every resource.

use super::{rule_meta, ModelCx, Rule};
use crate::finding::{Finding, RuleMeta};

pub struct BroadManagedPolicy;

static META: RuleMeta = rule_meta!(
    "IAM302",
    "broad-managed-policy",
    OverPrivilege,
    Medium,
    "a function's role attaches an AWS managed policy that grants whole services on every resource"
);

/// How many wildcards a message quotes.
const SHOWN: usize = 3;

impl Rule for BroadManagedPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        for attached in cx.analysis.managed_attachments() {
            // Administrator-like policies are `admin-managed-policy`'s.
            if attached.resolved.admin.is_some() {
                continue;
            }
            let wildcards = &attached.resolved.wildcards;
            if wildcards.is_empty() {
                continue;
            }
            let shown: Vec<String> = wildcards
                .iter()
                .take(SHOWN)
                .map(|w| format!("`{w}`"))
                .collect();
            let more = wildcards.len().saturating_sub(SHOWN);
            out.push(
                Finding::new(
                    &META,
                    attached.role.file,
                    attached.reference.span,
                    format!(
                        "{} attaches AWS managed policy `{}`, which grants {}{} on every resource",
                        attached.subject(),
                        attached.resolved.policy.name,
                        shown.join(", "),
                        if more > 0 { format!(" and {more} more service wildcards") } else { String::new() }
                    ),
                )
                .help(format!(
                    "replace `{}` with a policy (or SAM policy template) that lists the actions the function calls on its own resources",
                    attached.resolved.policy.name
                ))
                .related(attached.related()),
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::testing::managed_role_model as model;
    use crate::rules::run_rule as run;
    use crate::source::Span;

    fn messages(name: &str) -> Vec<String> {
        run(&BroadManagedPolicy, &model(&[(name, true)], true, &["Fn"]))
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn flags_service_wide_full_access_policies() {
        assert_eq!(
            messages("AmazonS3FullAccess"),
            ["function `Fn` attaches AWS managed policy `AmazonS3FullAccess`, which grants `s3:*`, `s3-object-lambda:*` on every resource"]
        );
        assert_eq!(
            messages("AmazonDynamoDBFullAccess"),
            ["function `Fn` attaches AWS managed policy `AmazonDynamoDBFullAccess`, which grants `dynamodb:*`, `dax:*` on every resource"]
        );
        assert_eq!(messages("AWSLambda_FullAccess").len(), 1);
        assert!(messages("AmazonEventBridgeFullAccess")[0]
            .ends_with("grants `events:*`, `schemas:*`, `scheduler:*` and 1 more service wildcards on every resource"));
        // `logs:*` on `arn:aws:logs:*:*:*` is every log group too.
        assert!(messages("AWSLambdaExecute")[0].contains("`logs:*`"));
    }

    #[test]
    fn never_flags_the_lambda_execution_policies() {
        for name in [
            "AWSLambdaBasicExecutionRole",
            "AWSLambdaVPCAccessExecutionRole",
            "AWSXRayDaemonWriteAccess",
            "AWSLambdaSQSQueueExecutionRole",
            "AWSLambdaDynamoDBExecutionRole",
            "AWSLambdaKinesisExecutionRole",
        ] {
            assert!(messages(name).is_empty(), "{name}: {:?}", messages(name));
        }
    }

    #[test]
    fn leaves_admin_policies_to_admin_managed_policy() {
        for name in ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"] {
            assert!(messages(name).is_empty(), "{name}");
        }
    }

    #[test]
    fn points_at_the_reference_and_names_the_role() {
        let m = model(
            &[
                ("AWSLambdaBasicExecutionRole", true),
                ("AmazonSQSFullAccess", true),
            ],
            false,
            &["Worker"],
        );
        let findings = run(&BroadManagedPolicy, &m);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].span, Span::new(150, 170));
        assert!(findings[0]
            .message
            .starts_with("role `FnRole` of function `Worker` attaches"));
        assert!(run(
            &BroadManagedPolicy,
            &model(&[("AmazonSQSFullAccess", false)], false, &["Worker"])
        )
        .is_empty());
    }
}
