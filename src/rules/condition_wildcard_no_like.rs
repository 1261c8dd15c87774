//! `*` or `?` in a value of an exact string operator, where they are literal characters.

use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::conditions::{has_bare_wildcard, key_info, Family, Operator};
use crate::catalog::ConditionType;
use crate::finding::{Finding, RuleMeta};
use crate::model::Statement;

pub struct ConditionWildcardNoLike;

static META: RuleMeta = rule_meta!(
    "IAM106",
    "condition-wildcard-no-like",
    PolicyMistake,
    Low,
    "a wildcard in a `StringEquals` value, where it only matches itself"
);

impl Rule for ConditionWildcardNoLike {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        for clause in &statement.condition {
            let Some(op) = Operator::of(clause)
                .filter(|op| op.family == Family::String && op.is_string_equality())
            else {
                continue;
            };
            let like = if op.base.starts_with("StringNot") {
                "StringNotLike"
            } else {
                "StringLike"
            };
            for entry in &clause.entries {
                let arn_key = key_info(&entry.key.value).is_some_and(|k| {
                    matches!(k.kind, ConditionType::Arn | ConditionType::ArrayOfArn)
                });
                let instead = match (arn_key, like) {
                    (true, "StringLike") => "`StringLike` or `ArnLike`".to_string(),
                    (true, _) => "`StringNotLike` or `ArnNotLike`".to_string(),
                    (false, like) => format!("`{like}`"),
                };
                for value in entry.values.iter().filter(|v| has_bare_wildcard(&v.text)) {
                    out.push(
                        Finding::new(
                            &META,
                            cx.policy.file,
                            value.span,
                            format!(
                                "`{}` compares `{}` literally: `*` and `?` are wildcards only in `...Like` operators",
                                clause.operator.value, value.text
                            ),
                        )
                        .help(format!(
                            "use {instead} (keeping any `ForAnyValue:`/`ForAllValues:` prefix and `IfExists`), or remove the wildcard"
                        )),
                    );
                }
            }
        }
    }
}
