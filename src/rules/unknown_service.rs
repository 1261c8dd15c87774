//! An action whose service prefix is not in the IAM catalog (`s4:GetObject`).

use super::{rule_meta, PolicyCx, Rule};
use crate::catalog::{catalog, Expansion};
use crate::finding::{Finding, RuleMeta};
use crate::model::{Effect, Statement, ValueList};

pub struct UnknownService;

static META: RuleMeta = rule_meta!(
    "IAM101",
    "unknown-service",
    PolicyMistake,
    High,
    "an action names a service prefix that AWS does not have"
);

/// What a value that matches no action does to the statement, for the message.
pub(super) fn consequence(statement: &Statement, list: &ValueList) -> &'static str {
    match (statement.effect.as_ref().map(|e| e.value), list.negated) {
        (Some(Effect::Allow), false) => "so it grants nothing",
        (Some(Effect::Deny), false) => "so the Deny denies nothing with it",
        (Some(Effect::Allow), true) => "so `NotAction` exempts nothing with it",
        (Some(Effect::Deny), true) => "so the Deny's `NotAction` exempts nothing with it",
        (None, _) => "so it matches nothing",
    }
}

impl Rule for UnknownService {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(&self, cx: &PolicyCx<'_>, statement: &Statement, out: &mut Vec<Finding>) {
        let Some(list) = &statement.action else {
            return;
        };
        let cat = catalog();
        for value in list.values.iter().filter(|v| v.resolved) {
            if cat.expand(&value.text) != Expansion::UnknownService {
                continue;
            }
            let (prefix, name) = value.text.split_once(':').unwrap_or((&value.text, ""));
            let suggestion = cat
                .suggest_action(&value.text)
                .or_else(|| cat.suggest_service(prefix).map(|s| format!("{s}:{name}")));
            let mut message = format!(
                "service `{prefix}` of action `{}` is not in the IAM catalog of {}, {}",
                value.text,
                cat.date(),
                consequence(statement, list)
            );
            let help = match &suggestion {
                Some(s) => {
                    message.push_str(&format!("; did you mean `{s}`?"));
                    format!("replace it with `{s}`")
                }
                None => format!(
                    "check the service prefix in the Service Authorization Reference; if AWS launched `{prefix}` after {}, update iamlint",
                    cat.date()
                ),
            };
            out.push(Finding::new(&META, cx.policy.file, value.span, message).help(help));
        }
    }
}
