//! Grants a policy already makes elsewhere: a resource covered by another entry of the same
//! `Resource` list (`function:orders-api` next to `function:orders*`), and an Allow
//! statement whose actions and resources another Allow statement of the policy already
//! grants under the same or fewer conditions.

use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::redundancy::{action_covers, removal, resource_covers};
use crate::finding::{Finding, RuleMeta};
use crate::model::{ConditionClause, Related, Statement, ValueList};
use crate::source::Span;

pub struct RedundantStatement;

static META: RuleMeta = rule_meta!(
    "IAM110",
    "redundant-statement",
    PolicyMistake,
    Low,
    "a statement or resource entry grants nothing the rest of the policy does not already grant"
);

/// A list whose values can be compared: every value known, no template alternatives.
fn comparable(list: Option<&ValueList>) -> Option<&ValueList> {
    list.filter(|l| {
        !l.negated
            && !l.alternatives
            && !l.has_unknown
            && !l.values.is_empty()
            && l.values.iter().all(|v| !v.text.is_empty())
    })
}

/// Does `outer` grant everything `inner` grants? Both Allow, no principals (a resource
/// policy's statements differ by whom they are for), every action and resource of `inner`
/// covered, and every condition of `outer` also in `inner` (fewer conditions grant more).
fn statement_covers(outer: &Statement, inner: &Statement) -> bool {
    if !outer.is_allow() || !inner.is_allow() || outer.principal.is_some() {
        return false;
    }
    if inner.principal.is_some() {
        return false;
    }
    let (Some(oa), Some(ia)) = (
        comparable(outer.action.as_ref()),
        comparable(inner.action.as_ref()),
    ) else {
        return false;
    };
    let (Some(or), Some(ir)) = (
        comparable(outer.resource.as_ref()),
        comparable(inner.resource.as_ref()),
    ) else {
        return false;
    };
    let all_covered = |outer: &ValueList, inner: &ValueList, covers: fn(&str, &str) -> bool| {
        inner
            .values
            .iter()
            .all(|i| outer.values.iter().any(|o| covers(&o.text, &i.text)))
    };
    all_covered(oa, ia, action_covers)
        && all_covered(or, ir, resource_covers)
        && conditions_within(&outer.condition, &inner.condition)
}

/// Every condition entry of `outer` appears, with the same operator and values, in `inner`.
fn conditions_within(outer: &[ConditionClause], inner: &[ConditionClause]) -> bool {
    outer.iter().all(|oc| {
        oc.entries.iter().all(|oe| {
            oe.values.iter().all(|v| v.resolved)
                && inner.iter().any(|ic| {
                    ic.operator.value == oc.operator.value
                        && ic.entries.iter().any(|ie| {
                            ie.key.value.eq_ignore_ascii_case(&oe.key.value)
                                && ie.values.len() == oe.values.len()
                                && ie.values.iter().all(|v| v.resolved)
                                && oe
                                    .values
                                    .iter()
                                    .all(|v| ie.values.iter().any(|w| w.text == v.text))
                        })
                })
        })
    })
}

fn name(statement: &Statement) -> String {
    statement.sid.as_ref().map_or_else(
        || format!("statement {}", statement.index + 1),
        |sid| format!("statement `{}`", sid.value),
    )
}

fn anchor(statement: &Statement) -> Span {
    statement
        .sid
        .as_ref()
        .map(|s| s.span)
        .or_else(|| statement.action.as_ref().map(|a| a.key_span))
        .unwrap_or(statement.span)
}

impl RedundantStatement {
    fn redundant_resources(cx: &PolicyCx<'_, '_>, statement: &Statement, out: &mut Vec<Finding>) {
        let Some(list) = statement.resource.as_ref().filter(|l| !l.alternatives) else {
            return;
        };
        let key = if list.negated {
            "NotResource"
        } else {
            "Resource"
        };
        let values = &list.values;
        for (i, inner) in values.iter().enumerate() {
            // An empty value is what a loader makes of a default `""` that Terraform's
            // `compact()` drops: not a resource.
            if !inner.resolved || inner.text.is_empty() {
                continue;
            }
            // Of two entries that cover each other, only the later one is redundant.
            let outer = values.iter().enumerate().find_map(|(j, outer)| {
                (j != i
                    && outer.span != inner.span
                    && outer.resolved
                    && resource_covers(&outer.text, &inner.text)
                    && (j < i || !resource_covers(&inner.text, &outer.text)))
                .then_some(outer)
            });
            let Some(outer) = outer else {
                continue;
            };
            let message = if outer.text == inner.text {
                format!("resource `{}` is listed twice in `{key}`", inner.text)
            } else {
                format!(
                    "resource `{}` is already covered by `{}` in the same `{key}` list",
                    inner.text, outer.text
                )
            };
            // `*` next to a named ARN in an Allow: the named ARN says what is needed.
            if !list.negated && statement.is_allow() && outer.text == "*" {
                out.push(
                    Finding::new(
                        &META,
                        cx.policy.file,
                        inner.span,
                        format!("{message}; the wildcard is the broader problem"),
                    )
                    .help(format!(
                        "keep `{}` and remove `*` instead, if the statement's actions need no other resource",
                        inner.text
                    )),
                );
                continue;
            }
            let mut finding =
                Finding::new(&META, cx.policy.file, inner.span, message).help(format!(
                    "remove `{}`; the list means the same without it",
                    inner.text
                ));
            if let Some(fix) = removal(cx.policy, list, i) {
                finding = finding.fix(fix);
            }
            out.push(finding);
        }
    }
}

impl Rule for RedundantStatement {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_policy(&self, cx: &PolicyCx<'_, '_>, out: &mut Vec<Finding>) {
        // Generated policies (SAM policy templates, managed policies) are not the author's
        // text to edit.
        if cx.policy.synthesized {
            return;
        }
        let statements = &cx.policy.statements;
        for statement in statements {
            Self::redundant_resources(cx, statement, out);
        }
        for (j, inner) in statements.iter().enumerate() {
            // Of two statements that cover each other, only the later one is reported.
            let outer = statements.iter().enumerate().find(|(i, outer)| {
                *i != j
                    && statement_covers(outer, inner)
                    && (*i < j || !statement_covers(inner, outer))
            });
            let Some((_, outer)) = outer else {
                continue;
            };
            out.push(
                Finding::new(
                    &META,
                    cx.policy.file,
                    anchor(inner),
                    format!(
                        "{} grants nothing that {} does not already grant",
                        name(inner),
                        name(outer)
                    ),
                )
                .help(format!(
                    "delete {} or merge what it was meant to add into {}",
                    name(inner),
                    name(outer)
                ))
                .related([Related {
                    label: format!("{} covers its actions and resources", name(outer)),
                    file: cx.policy.file,
                    span: anchor(outer),
                }]),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(name: &str, text: &str) -> Vec<Finding> {
        let source = crate::source::SourceFile::new(name.into(), name.into(), text.into());
        let loaded = crate::load::load(0, &source, true).expect("loads");
        crate::rules::run_rule(&RedundantStatement, &loaded.model)
    }

    #[test]
    fn removes_covered_resources_and_the_result_loads_clean() {
        let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": "lambda:InvokeFunction",
  "Resource": [
    "arn:aws:lambda:us-east-1:123456789012:function:orders-api",
    "arn:aws:lambda:us-east-1:123456789012:function:orders*"
  ]}]}"#;
        let findings = lint("p.json", policy);
        assert_eq!(findings.len(), 1);
        let fix = findings[0].fix.as_ref().expect("a fix");
        let mut fixed = policy.to_string();
        for edit in fix.edits.iter().rev() {
            fixed.replace_range(edit.span.range(), &edit.replacement);
        }
        assert!(
            serde_json::from_str::<serde_json::Value>(&fixed).is_ok(),
            "{fixed}"
        );
        assert!(!fixed.contains("orders-api"));
        assert!(lint("p.json", &fixed).is_empty());
    }

    #[test]
    fn no_fix_when_star_covers_a_named_resource_in_an_allow() {
        let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": "sqs:SendMessage", "Resource": ["arn:aws:sqs:us-east-1:123456789012:q", "*"]}]}"#;
        let findings = lint("p.json", policy);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].fix.is_none());
    }

    #[test]
    fn a_statement_with_more_conditions_is_covered_not_the_reverse() {
        let policy = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
   "Condition": {"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:PrincipalTag/team": "x"}}},
  {"Sid": "B", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
   "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}"#;
        let findings = lint("p.json", policy);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.starts_with("statement `A`"));
    }
}
