//! Grammar errors found while reading a policy.

use super::{rule_meta, PolicyCx, Rule};
use crate::finding::{Finding, RuleMeta};

pub struct MalformedPolicy;

static META: RuleMeta = rule_meta!(
    "IAM010",
    "malformed-policy",
    PolicyMistake,
    High,
    "a policy breaks the IAM policy grammar and will be rejected or misread"
);

impl Rule for MalformedPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_policy(&self, cx: &PolicyCx<'_, '_>, out: &mut Vec<Finding>) {
        for problem in &cx.policy.problems {
            out.push(
                Finding::new(&META, cx.policy.file, problem.span, problem.message.clone())
                    .help(problem.help.clone()),
            );
        }
    }
}
