//! `NotAction` in an Allow statement.

use super::{rule_meta, PolicyCx, Rule};
use crate::finding::{Finding, RuleMeta};
use crate::model::Statement;

pub struct NotAction;

static META: RuleMeta = rule_meta!(
    "IAM004",
    "not-action",
    OverPrivilege,
    High,
    "an Allow statement grants every action except those listed"
);

impl Rule for NotAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        if let (Some(list), true) = (&statement.action, statement.is_allow()) {
            if list.negated {
                out.push(
                    Finding::new(&META, cx.policy.file, list.key_span, "`NotAction` in an Allow grants every action of every service except the listed ones, including actions AWS adds later")
                        .help("replace `NotAction` with `Action` listing the actions needed; keep `NotAction` only in Deny statements"),
                );
            }
        }
    }
}
