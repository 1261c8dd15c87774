//! An MFA condition that lets requests without MFA through.
//!
//! `aws:MultiFactorAuthPresent` and `aws:MultiFactorAuthAge` are absent from requests signed
//! with long-term access keys. A plain operator on an absent key is false, `...IfExists` and
//! `Null: true` are true, so the operator decides whether access keys slip through.

use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::conditions::{Family, Operator, SetOp};
use crate::finding::{Finding, RuleMeta};
use crate::model::{ConditionEntry, Statement};

pub struct BadMfaCondition;

static META: RuleMeta = rule_meta!(
    "IAM108",
    "bad-mfa-condition",
    PolicyMistake,
    High,
    "an MFA condition that requests without MFA pass, such as `BoolIfExists` in an Allow"
);

const PRESENT: &str = "aws:MultiFactorAuthPresent";
const AGE: &str = "aws:MultiFactorAuthAge";

impl Rule for BadMfaCondition {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        if statement.effect.is_none() {
            return;
        }
        let allow = statement.is_allow();
        for clause in &statement.condition {
            let Some(op) = Operator::of(clause).filter(|op| op.set == SetOp::None) else {
                continue;
            };
            let written = clause.operator.value.as_str();
            for entry in &clause.entries {
                let key = entry.key.value.as_str();
                let problem = if key.eq_ignore_ascii_case(PRESENT) {
                    present_problem(&op, allow, entry)
                } else if key.eq_ignore_ascii_case(AGE) {
                    age_problem(&op, allow)
                } else {
                    None
                };
                if let Some((what, help)) = problem {
                    out.push(
                        Finding::new(
                            &META,
                            cx.policy.file,
                            entry.span,
                            format!(
                                "`{written}` on `{key}` in {}: {what}",
                                if allow { "an Allow" } else { "a Deny" }
                            ),
                        )
                        .help(help),
                    );
                }
            }
        }
    }
}

/// The values as written, lower case: does the entry test for "true", for "false"?
fn tests_for(entry: &ConditionEntry) -> (bool, bool) {
    let has = |v: &str| {
        entry
            .values
            .iter()
            .any(|x| x.resolved && x.text.trim().eq_ignore_ascii_case(v))
    };
    (has("true"), has("false"))
}

const REQUIRE_IN_ALLOW: &str =
    "to require MFA in an Allow, use \"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}";
const REQUIRE_IN_DENY: &str = "to deny requests without MFA, use \"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}";

fn present_problem(
    op: &Operator,
    allow: bool,
    entry: &ConditionEntry,
) -> Option<(&'static str, &'static str)> {
    let (is_true, is_false) = tests_for(entry);
    match (op.family, allow) {
        (Family::Bool, true) if is_true && op.if_exists => Some((
            "requests without the key also pass, so long-term access keys get in without MFA",
            REQUIRE_IN_ALLOW,
        )),
        (Family::Bool, true) if is_false => Some((
            "this allows requests that did not use MFA, the opposite of requiring it",
            REQUIRE_IN_ALLOW,
        )),
        (Family::Bool, false) if is_false && !op.if_exists => Some((
            "requests without the key do not match, so long-term access keys are not denied",
            REQUIRE_IN_DENY,
        )),
        (Family::Bool, false) if is_true => Some((
            "this denies requests that did use MFA, the opposite of requiring it",
            REQUIRE_IN_DENY,
        )),
        (Family::Null, true) if is_true => Some((
            "this allows only requests without MFA information, such as long-term access keys",
            REQUIRE_IN_ALLOW,
        )),
        (Family::Null, true) if is_false => Some((
            "this only checks that the key exists, which it does for every temporary credential, with or without MFA",
            REQUIRE_IN_ALLOW,
        )),
        _ => None,
    }
}

fn age_problem(op: &Operator, allow: bool) -> Option<(&'static str, &'static str)> {
    let less = op.base.starts_with("NumericLessThan");
    let greater = op.base.starts_with("NumericGreaterThan");
    if allow && less && op.if_exists {
        Some((
            "requests without the key also pass, so long-term access keys get in without MFA",
            "use `NumericLessThan` without `IfExists` to allow only recent MFA sessions",
        ))
    } else if !allow && greater && !op.if_exists {
        Some((
            "requests without the key do not match, so long-term access keys are not denied",
            "use `NumericGreaterThanIfExists` so that requests without MFA are denied too",
        ))
    } else {
        None
    }
}
