//! `NotPrincipal` in an Allow statement.

use super::{rule_meta, PolicyCx, Rule};
use crate::finding::{Finding, RuleMeta};
use crate::model::Statement;

pub struct NotPrincipal;

static META: RuleMeta = rule_meta!(
    "IAM006",
    "not-principal",
    OverPrivilege,
    High,
    "an Allow statement grants access to every principal except those listed"
);

impl Rule for NotPrincipal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        if let (Some(principal), true) = (&statement.principal, statement.is_allow()) {
            if principal.negated {
                out.push(
                    Finding::new(&META, cx.policy.file, principal.key_span, "`NotPrincipal` in an Allow grants access to everyone except the listed principals, anonymous callers included")
                        .help("use `Principal` naming the accounts, roles or services that need access"),
                );
            }
        }
    }
}
