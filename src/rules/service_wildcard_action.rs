//! `"logs:*"` and partial wildcards such as `"s3:Get*"` in an Allow.

use super::settings::{accepted_action, OptionSpec, ALLOWED_ACTIONS};
use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::evidence::{repeats_basic_execution, BASIC_EXECUTION};
use crate::analysis::statement::{allowed_actions, has_wildcard, is_full_wildcard};
use crate::catalog::{catalog, AccessLevelSummary, Expansion};
use crate::finding::{Applicability, Edit, Finding, Fix, RuleMeta, Severity};
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

    fn options(&self) -> &'static [OptionSpec] {
        &[ALLOWED_ACTIONS]
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
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
                let finding = Finding::new(&META, cx.policy.file, action.span, message);
                match known_minimum(service) {
                    Some(_) if repeats_basic_execution(cx.model, cx.policy) => finding
                        .help(format!("the role already has `{BASIC_EXECUTION}`, which lets the function write its own logs; remove this policy"))
                        .fix(remove_policy(cx.policy)),
                    Some(actions) => finding
                        .help(format!("a function needs only {} to write its own logs; list them and scope `Resource` to its log group", quoted(actions)))
                        .fix(replace_scalar_action(statement, action, actions)),
                    None => finding.help(format!("list only the `{service}` actions the function calls")),
                }
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
            out.push(finding.accepted(accepted_action(cx.file.settings, &META, text)));
        }
    }
}

/// Service wildcards whose everyday need is known: a Lambda function writes its logs with
/// these three actions (what `AWSLambdaBasicExecutionRole` grants).
fn known_minimum(service: &str) -> Option<&'static [&'static str]> {
    service.eq_ignore_ascii_case("logs").then_some(
        &[
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ][..],
    )
}

fn quoted(actions: &[&str]) -> String {
    let names: Vec<String> = actions.iter().map(|a| format!("`{a}`")).collect();
    names.join(", ")
}

/// Removing a policy that only repeats what the role's managed policies grant keeps every
/// permission the function has: a safe fix.
fn remove_policy(policy: &crate::model::PolicyDocument) -> Option<Fix> {
    Some(Fix {
        title: format!("remove the policy: `{BASIC_EXECUTION}` already grants it"),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            span: policy.removal?,
            replacement: String::new(),
        }],
    })
}

/// When the wildcard is the statement's whole `Action` value, replace it with the named
/// actions as a flow list, which reads the same in JSON and YAML. Inside a list the
/// surrounding syntax (a YAML block list) is unknown here, so no fix is offered. Narrowing
/// permissions can break a function that used more: the fix is unsafe.
fn replace_scalar_action(
    statement: &Statement,
    action: &crate::model::PolicyValue,
    actions: &[&str],
) -> Option<Fix> {
    let list = statement.action.as_ref()?;
    if list.span != action.span || list.values.len() != 1 {
        return None;
    }
    let items: Vec<String> = actions.iter().map(|a| format!("\"{a}\"")).collect();
    Some(Fix {
        title: format!("replace `{}` with {}", action.text, quoted(actions)),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            span: action.span,
            replacement: format!("[{}]", items.join(", ")),
        }],
    })
}
