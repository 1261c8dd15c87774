//! Permissions a function's role grants that its handler code never calls.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::code_use::{roles_with_code, used_by_platform};
use crate::catalog::{catalog, Expansion};
use crate::finding::{Finding, RuleMeta};
use crate::model::{Effect, Related};
use crate::util::english::code_list;

pub struct UnusedPermission;

static META: RuleMeta = rule_meta!(
    "COD001",
    "unused-permission",
    OverPrivilege,
    Info,
    "the role grants actions its function's code never calls"
);

impl Rule for UnusedPermission {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for code in roles_with_code(model) {
            let Some(role) = model.roles.get(code.role) else {
                continue;
            };
            let names: Vec<String> = code.functions.iter().map(|f| f.display_name()).collect();
            let who = format!("function {}", names.join(", "));
            let related: Vec<Related> = code
                .functions
                .iter()
                .map(|f| Related {
                    label: format!("function {}", f.display_name()),
                    file: f.file,
                    span: f.span,
                })
                .collect();
            for policy in role.policies.iter().filter_map(|&i| model.policies.get(i)) {
                // Generated policies (SAM policy templates) are not the user's text.
                if policy.synthesized {
                    continue;
                }
                for statement in &policy.statements {
                    let allow = statement.effect.as_ref().map(|e| e.value) == Some(Effect::Allow);
                    let Some(actions) = statement.action.as_ref().filter(|a| !a.negated) else {
                        continue;
                    };
                    if !allow {
                        continue;
                    }
                    for value in actions.values.iter().filter(|v| v.resolved) {
                        let pattern = value.text.as_str();
                        if used_by_platform(pattern, &code.functions) || code.unsure_about(pattern)
                        {
                            continue;
                        }
                        let used = code.used_under(pattern);
                        let message = if used.is_empty() {
                            format!(
                                "action `{pattern}` is granted but the code of {who} never calls it ({})",
                                code.certainty()
                            )
                        } else {
                            let Expansion::Actions(all) = catalog().expand(pattern) else {
                                continue;
                            };
                            if all.len() <= used.len() {
                                continue;
                            }
                            format!(
                                "action `{pattern}` grants {} actions but the code of {who} calls only {} ({})",
                                all.len(),
                                code_list(&used, 5),
                                code.certainty()
                            )
                        };
                        let help = if used.is_empty() {
                            "remove the action if the function does not need it".to_string()
                        } else {
                            format!("grant only {}", code_list(&used, 5))
                        };
                        out.push(
                            Finding::new(&META, policy.file, value.span, message)
                                .help(help)
                                .related(related.clone()),
                        );
                    }
                }
            }
        }
    }
}
