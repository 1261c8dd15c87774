//! `"logs:*"` and partial wildcards such as `"s3:Get*"` in an Allow.

use super::helpers::{allowed_actions, has_wildcard, is_full_wildcard};
use super::{rule_meta, PolicyCx, Rule};
use crate::catalog::{catalog, AccessLevelSummary, Expansion};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::model::Statement;

pub struct ServiceWildcardAction;

static META: RuleMeta = rule_meta!(
    "IAM002",
    "service-wildcard-action",
    OverPrivilege,
    High,
    "an Allow statement grants actions by wildcard instead of by name"
);

impl Rule for ServiceWildcardAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(&self, cx: &PolicyCx<'_>, statement: &Statement, out: &mut Vec<Finding>) {
        for action in allowed_actions(statement) {
            let text = action.text.as_str();
            if is_full_wildcard(text) || !has_wildcard(text) {
                continue;
            }
            let (service, name) = text.split_once(':').unwrap_or(("", text));
            // What the pattern grants today, when the catalog knows it (an unknown service
            // or a pattern matching nothing is `unknown-service`/`unknown-action` business).
            let grants = match catalog().expand(text) {
                Expansion::Actions(actions) if !actions.is_empty() => {
                    Some(AccessLevelSummary::of(&actions))
                }
                _ => None,
            };
            let finding = if name == "*" {
                let message = match grants {
                    Some(summary) => format!("action `{text}` grants {summary}"),
                    None => format!("action `{text}` grants every `{service}` action"),
                };
                Finding::new(&META, cx.policy.file, action.span, message).help(format!(
                    "list only the `{service}` actions the function calls"
                ))
            } else {
                let message = match grants {
                    Some(summary) => format!("action `{text}` grants {summary}"),
                    None => format!(
                        "action `{text}` grants every `{service}` action matching the pattern"
                    ),
                };
                Finding::new(&META, cx.policy.file, action.span, message)
                    .severity(Severity::Medium)
                    .help("list the matching actions the function calls by name; new actions AWS adds later will match the pattern too")
            };
            out.push(finding);
        }
    }
}
