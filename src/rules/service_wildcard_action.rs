//! `"logs:*"` and partial wildcards such as `"s3:Get*"` in an Allow.

use super::settings::{accepted_action, OptionSpec, ALLOWED_ACTIONS};
use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::effective::soften_for_boundary;
use crate::analysis::evidence::{repeats_basic_execution, scoped_log_fix, BASIC_EXECUTION};
use crate::analysis::functions::Holder;
use crate::analysis::statement::{allowed_actions, has_wildcard, is_full_wildcard};
use crate::catalog::{catalog, AccessLevel, AccessLevelSummary, Action, Expansion};
use crate::finding::{Applicability, Edit, Finding, Fix, RuleMeta, Severity};
use crate::model::{PolicyKind, PolicyValue, Statement};

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
        let start = out.len();
        self.statement_findings(cx, statement, out);
        // A boundary that limits the pattern makes the text less risky, not less sloppy.
        soften_for_boundary(cx.file.analysis, cx.policy, statement, &mut out[start..]);
    }
}

impl ServiceWildcardAction {
    /// The rule's findings for one statement, before a boundary is taken into account.
    fn statement_findings(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        // A resource policy (a key policy, a queue policy) is scoped by the resource it is
        // attached to, and a boundary only limits: neither grants actions on everything.
        if cx.policy.kind != PolicyKind::Identity {
            return;
        }
        let holder = Holder::of(cx.model, cx.policy);
        let who = holder.noun();
        // Read/list-only partial wildcards of the statement, reported once at the end.
        let mut read_only: Vec<&PolicyValue> = Vec::new();
        for action in allowed_actions(statement) {
            let text = action.text.as_str();
            if is_full_wildcard(text) || !has_wildcard(text) {
                continue;
            }
            let (service, name) = text.split_once(':').unwrap_or(("", text));
            // What the pattern grants today, when the catalog knows it (an unknown service
            // or a pattern matching nothing is `unknown-service`/`unknown-action` business).
            let expanded = match catalog().expand(text) {
                Expansion::Actions(actions) if !actions.is_empty() => Some(actions),
                _ => None,
            };
            let grants = expanded.as_deref().map(AccessLevelSummary::of);
            let finding = if name == "*" {
                let message = match grants {
                    Some(summary) => format!("action `{text}` grants {summary}"),
                    None => format!("action `{text}` grants every `{service}` action"),
                };
                let finding = Finding::new(&META, cx.policy.file, action.span, message);
                match known_minimum(service).filter(|_| holder != Holder::Role) {
                    Some(_) if repeats_basic_execution(cx.model, cx.policy) => finding
                        .help(format!("the role already has `{BASIC_EXECUTION}`, which lets the function write its own logs; remove this policy"))
                        .fix(remove_policy(cx.policy)),
                    Some(actions) => {
                        // Scoped to the functions' log groups where the model names them,
                        // else only the actions. A display-only scoped fix (a placeholder
                        // or a cycle) goes with the `*` (see `wildcard-resource`), so this
                        // finding keeps a fix `--fix` can apply.
                        let fix = scoped_log_fix(cx.model, cx.policy, statement)
                            .filter(|f| f.applicability != Applicability::DisplayOnly)
                            .or_else(|| replace_scalar_action(statement, action, actions));
                        finding
                            .help(format!("a function needs only {} to write its own logs; list them and scope `Resource` to its log group", quoted(actions)))
                            .fix(fix)
                    }
                    None => finding.help(format!("list only the `{service}` actions {who} calls")),
                }
            } else {
                match expanded.as_deref() {
                    // As good as naming the actions (`sqs:SendMessage*`).
                    Some(actions) if actions.len() <= FEW && !mixes_levels(actions) => continue,
                    Some(actions) if actions.iter().all(is_read_or_list) => {
                        read_only.push(action);
                        continue;
                    }
                    Some(actions) if actions.len() <= FEW => {
                        // A few actions, one of them at a higher access level than the
                        // other (`sqs:*QueueAttributes` reaching `SetQueueAttributes`).
                        let names: Vec<String> = actions
                            .iter()
                            .map(|a| format!("`{a}` ({})", a.access_level()))
                            .collect();
                        Finding::new(
                            &META,
                            cx.policy.file,
                            action.span,
                            format!("action `{text}` grants {}", names.join(" and ")),
                        )
                        .severity(Severity::Low)
                        .help(format!("name the actions {who} calls; the pattern reaches a higher access level than its name suggests"))
                    }
                    // Three or more actions of one level (`lambda:Invoke*`): what the name
                    // says, so only actions AWS adds later are a surprise.
                    Some(actions) if !mixes_levels(actions) => Finding::new(
                        &META,
                        cx.policy.file,
                        action.span,
                        match grants {
                            Some(summary) => format!("action `{text}` grants {summary}"),
                            None => format!("action `{text}` grants several actions"),
                        },
                    )
                    .severity(Severity::Low)
                    .help(format!("list the matching actions {who} calls by name; new actions AWS adds later will match the pattern too")),
                    _ => {
                        let message = match grants {
                            Some(summary) => format!("action `{text}` grants {summary}"),
                            None => format!(
                                "action `{text}` grants every `{service}` action matching the pattern"
                            ),
                        };
                        Finding::new(&META, cx.policy.file, action.span, message)
                            .severity(Severity::Medium)
                            .help(format!("list the matching actions {who} calls by name; new actions AWS adds later will match the pattern too"))
                    }
                }
            };
            out.push(finding.accepted(accepted_action(cx.file.settings, &META, text)));
        }
        if let Some(first) = read_only.first() {
            let patterns: Vec<String> = read_only.iter().map(|a| format!("`{}`", a.text)).collect();
            let message = if read_only.len() == 1 {
                format!(
                    "read-only pattern {} grants actions by wildcard",
                    patterns.join("")
                )
            } else {
                format!(
                    "read-only patterns {} grant actions by wildcard",
                    patterns.join(", ")
                )
            };
            // Accepted when every pattern is (the reason of the first one is shown).
            let reasons: Vec<Option<String>> = read_only
                .iter()
                .map(|a| accepted_action(cx.file.settings, &META, &a.text))
                .collect();
            let accepted = if reasons.iter().all(Option::is_some) {
                reasons.into_iter().flatten().next()
            } else {
                None
            };
            out.push(
                Finding::new(&META, cx.policy.file, first.span, message)
                    .severity(Severity::Info)
                    .help(format!("these only read or list; name the actions {who} calls if you want the policy to say exactly what it uses"))
                    .accepted(accepted),
            );
        }
    }
}

/// A pattern matching at most this many actions is as good as naming them.
const FEW: usize = 2;

fn is_read_or_list(action: &Action<'_>) -> bool {
    matches!(action.access_level(), AccessLevel::List | AccessLevel::Read)
}

fn mixes_levels(actions: &[Action<'_>]) -> bool {
    actions
        .iter()
        .any(|a| a.access_level() != actions[0].access_level())
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
