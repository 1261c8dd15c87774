//! An Allow statement whose `Resource` values fit none of an action's resource types, so
//! the action is granted on nothing (`s3:GetObject` on a bucket ARN, `s3:ListBucket` on
//! `bucket/*`).

use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::functions::Holder;
use crate::analysis::statement::{allowed_actions, has_wildcard};
use crate::catalog::{arn_matches_format, catalog};
use crate::finding::{Finding, RuleMeta};
use crate::model::{PolicyValue, Statement};

pub struct ResourceMismatch;

static META: RuleMeta = rule_meta!(
    "IAM103",
    "resource-mismatch",
    PolicyMistake,
    Medium,
    "an action is allowed only on resources of types it does not act on"
);

/// How many ARN formats a message lists.
const FORMATS: usize = 3;

/// Whether the value can be compared with ARN formats. A template value that is unknown as
/// a whole (`${Bucket}`, `${ImportValue:x}`) could be any ARN, so the statement cannot be
/// judged; `arn:aws:s3:::${Bucket}/*` and `${Queue.Arn}` (placeholders named `...arn`
/// stand for any text) can.
fn judgeable(value: &PolicyValue) -> bool {
    let text = value.text.as_str();
    // API Gateway resource policies may shorten ARNs to `execute-api:/stage/GET/path`. An
    // empty value, or one ending in a separator, is nearly always a template parameter
    // whose default is "" (to be set at deploy time).
    if text.starts_with("execute-api:") || text.is_empty() || text.ends_with(['/', ':']) {
        return false;
    }
    if value.resolved || text.starts_with("arn:") {
        return true;
    }
    value
        .text
        .strip_prefix("${")
        .and_then(|rest| rest.split_once('}'))
        .is_some_and(|(name, _)| name.to_ascii_lowercase().ends_with("arn"))
}

impl Rule for ResourceMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        let Some(resources) = &statement.resource else {
            return;
        };
        if resources.negated
            || resources.values.is_empty()
            || resources
                .values
                .iter()
                .any(|r| r.is_star() || !judgeable(r))
        {
            return;
        }
        // A literal that is not an ARN (`my-sns-arn`, a placeholder left in) is a malformed
        // resource: say that once per value instead of "matches nothing" once per action.
        let (not_arns, arns): (Vec<&PolicyValue>, Vec<&PolicyValue>) = resources
            .values
            .iter()
            .partition(|r| r.resolved && !r.text.starts_with("arn:") && !r.text.contains("${"));
        let granted: Vec<&PolicyValue> = allowed_actions(statement).collect();
        if !granted.is_empty() {
            for value in &not_arns {
                out.push(
                    Finding::new(
                        &META,
                        cx.policy.file,
                        value.span,
                        format!("resource `{}` is not an ARN, so the statement grants nothing on it", value.text),
                    )
                    .help("replace it with the ARN of the resource (`arn:<partition>:<service>:<region>:<account>:<resource>`); a placeholder left in a copied policy matches nothing"),
                );
            }
        }
        if arns.is_empty() {
            return;
        }
        let cat = catalog();
        for value in granted.into_iter().filter(|v| !has_wildcard(&v.text)) {
            let Some(action) = cat.action(&value.text) else {
                continue; // `unknown-action` business
            };
            let mut types: Vec<_> = action
                .resource_types()
                .filter(|r| !r.name.is_empty() && r.name != "*")
                .collect();
            if types.is_empty() {
                continue; // takes only `*`
            }
            let fits = arns.iter().any(|r| {
                types
                    .iter()
                    .any(|t| arn_matches_format(&r.text, t.arn_format))
            });
            if fits {
                continue;
            }
            types.sort_by_key(|r| (!r.required, r.arn_format.len()));
            let formats: Vec<String> = types
                .iter()
                .take(FORMATS)
                .map(|t| format!("`{}`", t.arn_format))
                .collect();
            let more = types.len().saturating_sub(FORMATS);
            let mut expected = formats.join(" or ");
            if more > 0 {
                expected.push_str(&format!(" (or {more} other resource types)"));
            }
            let names: Vec<&str> = types.iter().take(FORMATS).map(|t| t.name).collect();
            // ARNs of other services only (`s3:GetObject` on a DynamoDB table): say so.
            let services: Vec<&str> = arns
                .iter()
                .filter_map(|r| r.text.split(':').nth(2))
                .filter(|s| !s.is_empty() && !s.contains(['*', '?', '$']))
                .collect();
            let other_service = services.len() == arns.len()
                && services
                    .iter()
                    .all(|s| !s.eq_ignore_ascii_case(action.service()));
            let which = if other_service {
                let mut distinct: Vec<String> = Vec::new();
                for s in &services {
                    let quoted = format!("`{s}`");
                    if !distinct.contains(&quoted) {
                        distinct.push(quoted);
                    }
                }
                format!(
                    "none of the statement's resources, which are {} ARNs",
                    distinct.join(" and ")
                )
            } else {
                "none of the statement's resources".to_string()
            };
            out.push(
                Finding::new(
                    &META,
                    cx.policy.file,
                    value.span,
                    format!(
                        "action `{action}` matches {which}, so it is granted on nothing; it acts on {expected}"
                    ),
                )
                .help(format!(
                    "add the ARN of the {} {} uses, or move `{action}` to a statement with such ARNs",
                    names.join(" or "),
                    Holder::of(cx.model, cx.policy).noun()
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn value(text: &str, resolved: bool) -> PolicyValue {
        PolicyValue {
            text: text.into(),
            span: Span::default(),
            resolved,
        }
    }

    #[test]
    fn fully_unknown_template_values_cannot_be_judged() {
        assert!(judgeable(&value("arn:aws:s3:::bucket", true)));
        assert!(judgeable(&value("arn:aws:s3:::${Bucket}/*", false)));
        assert!(judgeable(&value("${Queue.Arn}", false)));
        assert!(judgeable(&value("${QueueArn}/*", false)));
        assert!(!judgeable(&value("${Bucket}", false)));
        assert!(!judgeable(&value("${ImportValue:shared-topic}", false)));
        assert!(!judgeable(&value("execute-api:/*", true)));
        assert!(!judgeable(&value("", true)));
        assert!(!judgeable(&value(
            "arn:aws:ses:us-east-1:111122223333:identity/",
            true
        )));
    }

    #[test]
    fn object_and_bucket_formats_tell_apart() {
        let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        assert!(arn_matches_format("arn:aws:s3:::b/*", object));
        assert!(!arn_matches_format("arn:aws:s3:::b", object));
        assert!(!arn_matches_format("arn:aws:s3:::b/*", bucket));
        assert!(arn_matches_format("arn:aws:s3:::${Bucket}", bucket));
        assert!(!arn_matches_format("arn:aws:s3:::${Bucket}", object));
    }
}
