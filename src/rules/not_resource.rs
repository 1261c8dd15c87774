//! `NotResource` in an Allow statement.

use super::{rule_meta, PolicyCx, Rule};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::model::Statement;

pub struct NotResource;

static META: RuleMeta = rule_meta!(
    "IAM005",
    "not-resource",
    OverPrivilege,
    High,
    "an Allow statement applies to every resource except those listed"
);

impl Rule for NotResource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        if let (Some(list), true) = (&statement.resource, statement.is_allow()) {
            if list.negated && list.values.iter().any(|v| v.is_star()) {
                // Every resource is excluded: the statement allows nothing at all.
                out.push(
                    Finding::new(&META, cx.policy.file, list.key_span, "`NotResource: \"*\"` excludes every resource, so this Allow grants nothing")
                        .severity(Severity::Low)
                        .help("remove the statement, or write `Resource` with the ARNs it was meant to allow"),
                );
            } else if list.negated {
                out.push(
                    Finding::new(&META, cx.policy.file, list.key_span, "`NotResource` in an Allow applies the actions to every resource except the listed ones, in every account")
                        .help("replace `NotResource` with `Resource` listing the ARNs needed"),
                );
            }
        }
    }
}
