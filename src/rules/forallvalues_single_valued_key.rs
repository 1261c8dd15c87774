//! `ForAllValues:` or `ForAnyValue:` on a key that has at most one value per request.

use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::conditions::{key_info, Operator, SetOp};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::model::Statement;

pub struct ForallvaluesSingleValuedKey;

static META: RuleMeta = rule_meta!(
    "IAM107",
    "forallvalues-single-valued-key",
    PolicyMistake,
    Medium,
    "a condition set operator (`ForAllValues:`, `ForAnyValue:`) on a single-valued key"
);

impl Rule for ForallvaluesSingleValuedKey {
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
            let Some(op) = Operator::of(clause).filter(|op| op.set != SetOp::None) else {
                continue;
            };
            let written = clause.operator.value.as_str();
            for entry in &clause.entries {
                let key = entry.key.value.as_str();
                let single_valued = key_info(key).is_some_and(|k| !k.kind.is_multivalued());
                if !single_valued {
                    continue;
                }
                let (severity, message) = match (op.set, statement.is_allow()) {
                    (SetOp::ForAllValues, true) => (
                        Severity::Medium,
                        format!("`{written}` on single-valued key `{key}` is also true when the request has no `{key}`, so the Allow applies without it"),
                    ),
                    (SetOp::ForAllValues, false) => (
                        Severity::Low,
                        format!("`{written}` on single-valued key `{key}` is also true when the request has no `{key}`, so the Deny applies to those requests too"),
                    ),
                    _ => (
                        Severity::Low,
                        format!("`{written}` on single-valued key `{key}` works like the operator without `ForAnyValue:`"),
                    ),
                };
                out.push(
                    Finding::new(&META, cx.policy.file, entry.key.span, message)
                        .severity(severity)
                        .help(format!(
                            "drop the `{}` prefix; condition set operators are for multivalued keys such as `aws:TagKeys`",
                            if op.set == SetOp::ForAllValues { "ForAllValues:" } else { "ForAnyValue:" }
                        )),
                );
            }
        }
    }
}
