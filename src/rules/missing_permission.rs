//! SDK calls in a function's handler code that its role does not allow.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::code_use::{roles_with_code, subject_of_role};
use crate::analysis::functions::allowed_actions_of;
use crate::catalog::{catalog, glob_match_ci};
use crate::finding::{Finding, RuleMeta};
use crate::model::{EnvValue, PolicyKind, Related, ResourceHint};

pub struct MissingPermission;

static META: RuleMeta = rule_meta!(
    "COD002",
    "missing-permission",
    PolicyMistake,
    High,
    "the function's code calls an AWS API its role does not allow"
);

fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

impl Rule for MissingPermission {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for code in roles_with_code(model) {
            let Some(role) = model.roles.get(code.role) else {
                continue;
            };
            // A customer managed policy (or one named by a parameter) may grant anything.
            if role.managed_policies.iter().any(|m| !m.aws_managed) {
                continue;
            }
            let subject = subject_of_role(cx.analysis.subjects(), code.role);
            // Actions the role's own statements name, on any resource: the resource a call
            // uses is seldom known, so only an action no statement names is missing.
            let policies = role.policies.iter().filter_map(|&i| model.policies.get(i));
            let named = allowed_actions_of(policies);
            if named.has_unknown {
                continue;
            }
            // In one account, a role's trust policy that names this role as principal lets it
            // assume that role without any identity permission.
            let trusted_by_a_role = model.policies.iter().any(|p| {
                p.kind == PolicyKind::Trust
                    && p.statements.iter().any(|st| {
                        st.is_allow()
                            && st.principal.as_ref().is_some_and(|pr| {
                                pr.values_of("AWS")
                                    .any(|v| v.text.contains(&role.logical_id))
                            })
                    })
            });
            let is_named = |action: &str| {
                named.values.iter().any(|v| glob_match_ci(&v.text, action))
                    || (trusted_by_a_role
                        && (starts_with_ci(action, "sts:AssumeRole")
                            || action.eq_ignore_ascii_case("sts:TagSession")))
            };

            let mut reported: Vec<&str> = Vec::new();
            for call in &code.calls {
                for choice in &call.actions {
                    // An action the IAM catalog does not know cannot be judged.
                    if !choice.iter().any(|a| catalog().action(a).is_some()) {
                        continue;
                    }
                    let granted = subject
                        .is_some_and(|s| choice.iter().any(|a| s.grant(a).is_some()))
                        || choice.iter().any(|a| is_named(a));
                    let Some(first) = choice.first() else {
                        continue;
                    };
                    if granted || reported.contains(&first.as_str()) {
                        continue;
                    }
                    reported.push(first);
                    let function = code
                        .functions
                        .iter()
                        .find(|f| {
                            f.code_calls
                                .as_ref()
                                .is_some_and(|c| c.calls.iter().any(|x| std::ptr::eq(x, *call)))
                        })
                        .or(code.functions.first());
                    let Some(function) = function else {
                        continue;
                    };
                    let wanted = if choice.len() == 1 {
                        format!("`{first}`")
                    } else {
                        let all: Vec<String> = choice.iter().map(|a| format!("`{a}`")).collect();
                        format!("one of {}", all.join(", "))
                    };
                    let on = match &call.resource {
                        Some(ResourceHint::EnvVar(name)) => {
                            // Tie the variable back to what the template sets it to.
                            let value = function
                                .environment
                                .iter()
                                .find(|v| &v.name.value == name)
                                .and_then(|v| match &v.value {
                                    EnvValue::Literal(text) | EnvValue::Expression(text) => {
                                        Some(text.clone())
                                    }
                                    EnvValue::Parameter { name, .. } => {
                                        Some(format!("${{{name}}}"))
                                    }
                                    EnvValue::DynamicReference(_) => None,
                                });
                            match value {
                                Some(value) => format!(
                                    " on the resource in environment variable `{name}` (`{value}`)"
                                ),
                                None => {
                                    format!(" on the resource in environment variable `{name}`")
                                }
                            }
                        }
                        Some(ResourceHint::Literal(name)) => format!(" on `{name}`"),
                        None => String::new(),
                    };
                    let message = format!(
                        "function {} calls `{}` at {}, which needs {wanted}, but its role does not allow it",
                        function.display_name(),
                        call.operation,
                        call.location()
                    );
                    let mut related = vec![Related {
                        label: format!("function {}", function.display_name()),
                        file: function.file,
                        span: function.span,
                    }];
                    if !role.origin.is_generated() {
                        related.push(Related {
                            label: format!("role `{}`", role.logical_id),
                            file: role.file,
                            span: role.span,
                        });
                    }
                    // Where to add it: the `Action` of the role's first statement you wrote.
                    let written = role
                        .policies
                        .iter()
                        .filter_map(|&i| model.policies.get(i))
                        .find(|p| !p.synthesized);
                    let (file, span) = match written {
                        Some(policy) => (
                            policy.file,
                            policy
                                .statements
                                .iter()
                                .find_map(|st| st.action.as_ref().map(|a| a.key_span))
                                .unwrap_or(policy.span),
                        ),
                        None => (role.file, role.span),
                    };
                    out.push(
                        Finding::new(&META, file, span, message)
                            .help(format!("allow {wanted}{on} in the function's role"))
                            .related(related),
                    );
                }
            }
        }
    }
}
