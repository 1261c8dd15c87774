//! `"Principal": "*"` in an Allow without a condition that limits the caller.

use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::statement::{has_caller_scoping_condition, CALLER_SCOPING_KEYS};
use crate::finding::{Finding, RuleMeta};
use crate::model::Statement;

pub struct PublicPrincipal;

static META: RuleMeta = rule_meta!(
    "IAM007",
    "public-principal",
    OverPrivilege,
    Critical,
    "a resource or trust policy allows any principal, anonymous callers included"
);

impl Rule for PublicPrincipal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        let (Some(principal), true) = (&statement.principal, statement.is_allow()) else {
            return;
        };
        if principal.negated || has_caller_scoping_condition(statement) || has_deny_guard(cx) {
            return;
        }
        if let Some(value) = principal.public_values().next() {
            out.push(
                Finding::new(&META, cx.policy.file, value.span, "principal `*` lets anyone call the listed actions, including anonymous and other accounts' principals")
                    .help("name the account or service principal, or add a condition such as `aws:SourceArn`, `aws:SourceAccount` or `aws:PrincipalOrgID`"),
            );
        }
    }
}

/// The private-endpoint pattern: Allow `*`, then Deny everyone whose `aws:SourceVpce` (or
/// account, organization, network) is not the expected one. The Deny limits the caller.
fn has_deny_guard(cx: &PolicyCx<'_, '_>) -> bool {
    cx.policy.statements.iter().any(|st| {
        !st.is_allow()
            && st
                .principal
                .as_ref()
                .is_some_and(|p| p.public_values().next().is_some())
            && st.condition.iter().any(|clause| {
                let op = clause.base_operator();
                (op.contains("Not") || op == "Null")
                    && clause.entries.iter().any(|e| {
                        CALLER_SCOPING_KEYS
                            .iter()
                            .any(|k| k.eq_ignore_ascii_case(&e.key.value))
                            && !e.values.iter().all(crate::model::PolicyValue::is_star)
                    })
            })
    })
}
