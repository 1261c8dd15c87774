//! `"Action": "*"` in an Allow.

use super::helpers::{allowed_actions, is_full_wildcard};
use super::{rule_meta, PolicyCx, Rule};
use crate::finding::{Finding, RuleMeta};
use crate::model::Statement;

pub struct WildcardAction;

static META: RuleMeta = rule_meta!(
    "IAM001",
    "wildcard-action",
    OverPrivilege,
    Critical,
    "an Allow statement grants every action of every service"
);

impl Rule for WildcardAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(&self, cx: &PolicyCx<'_>, statement: &Statement, out: &mut Vec<Finding>) {
        for action in allowed_actions(statement).filter(|a| is_full_wildcard(&a.text)) {
            out.push(
                Finding::new(
                    &META,
                    cx.policy.file,
                    action.span,
                    format!(
                        "action `{}` grants every action of every AWS service",
                        action.text
                    ),
                )
                .help("list only the actions the function calls, e.g. \"s3:GetObject\""),
            );
        }
    }
}
