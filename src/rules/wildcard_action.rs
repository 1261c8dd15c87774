//! `"Action": "*"` in an Allow.

use std::sync::OnceLock;

use super::settings::{accepted_action, OptionSpec, ALLOWED_ACTIONS};
use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::effective::soften_for_boundary;
use crate::analysis::functions::Holder;
use crate::analysis::statement::{allowed_actions, is_full_wildcard};
use crate::catalog::{catalog, AccessLevelSummary};
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

/// Access levels of the whole catalog, counted once per run (22 000 actions).
fn every_action() -> AccessLevelSummary {
    static SUMMARY: OnceLock<AccessLevelSummary> = OnceLock::new();
    *SUMMARY.get_or_init(|| {
        catalog()
            .services()
            .flat_map(|s| s.actions())
            .map(|a| a.access_level())
            .collect()
    })
}

impl Rule for WildcardAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn options(&self) -> &'static [OptionSpec] {
        &[ALLOWED_ACTIONS]
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        let start = out.len();
        self.statement_findings(cx, statement, out);
        // A boundary that limits the pattern makes the text less risky, not less sloppy.
        soften_for_boundary(cx.file.analysis, cx.policy, statement, &mut out[start..]);
    }
}

impl WildcardAction {
    /// The rule's findings for one statement, before a boundary is taken into account.
    fn statement_findings(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        for action in allowed_actions(statement).filter(|a| is_full_wildcard(&a.text)) {
            let summary = every_action();
            let message = if summary.total() == 0 {
                format!(
                    "action `{}` grants every action of every AWS service",
                    action.text
                )
            } else {
                format!(
                    "action `{}` grants every action of every AWS service: {summary}",
                    action.text
                )
            };
            out.push(
                Finding::new(&META, cx.policy.file, action.span, message)
                    .help(format!(
                        "list only the actions {} calls, e.g. \"s3:GetObject\"",
                        Holder::of(cx.model, cx.policy).noun()
                    ))
                    .accepted(accepted_action(cx.file.settings, &META, &action.text)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_wildcard_counts_every_catalog_action() {
        assert_eq!(every_action().total(), catalog().counts().actions);
    }
}
