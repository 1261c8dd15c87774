//! `"Resource": "*"` in an Allow.

use super::{rule_meta, PolicyCx, Rule};
use crate::finding::{Finding, RuleMeta};
use crate::model::Statement;

pub struct WildcardResource;

static META: RuleMeta = rule_meta!(
    "IAM003",
    "wildcard-resource",
    OverPrivilege,
    Medium,
    "an Allow statement applies to every resource although its actions can be scoped"
);

impl Rule for WildcardResource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(&self, cx: &PolicyCx<'_>, statement: &Statement, out: &mut Vec<Finding>) {
        let (Some(resources), true) = (&statement.resource, statement.is_allow()) else {
            return;
        };
        if resources.negated || statement.action.as_ref().is_none_or(|a| a.negated) {
            return;
        }
        for resource in resources.values.iter().filter(|r| r.is_star()) {
            out.push(
                Finding::new(&META, cx.policy.file, resource.span, "resource `*` applies the statement's actions to every resource in every account the role can reach")
                    .help("name the ARNs the function works on, e.g. \"arn:aws:s3:::my-bucket/*\""),
            );
        }
    }
}
