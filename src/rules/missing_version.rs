//! A policy without `"Version": "2012-10-17"`.

use super::{rule_meta, PolicyCx, Rule};
use crate::finding::{Finding, RuleMeta};
use crate::source::Span;

pub struct MissingVersion;

static META: RuleMeta = rule_meta!(
    "IAM008",
    "missing-version",
    PolicyMistake,
    Low,
    "a policy has no `Version` or uses the 2008 policy language"
);

const HELP: &str =
    "add \"Version\": \"2012-10-17\" so policy variables such as ${aws:username} are evaluated";

impl Rule for MissingVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_policy(&self, cx: &PolicyCx<'_, '_>, out: &mut Vec<Finding>) {
        let policy = cx.policy;
        if policy.synthesized || policy.span == Span::default() {
            return;
        }
        match &policy.version {
            Some(v) if v.value == "2008-10-17" => out.push(
                Finding::new(
                    &META,
                    policy.file,
                    v.span,
                    "policy language version `2008-10-17` does not support policy variables",
                )
                .help(HELP),
            ),
            Some(_) => {}
            // A `Version` with an invalid value is reported by `malformed-policy`.
            None if !policy
                .problems
                .iter()
                .any(|p| p.message.starts_with("`Version`")) =>
            {
                out.push(
                    Finding::new(
                        &META,
                        policy.file,
                        Span::empty(policy.span.start as usize),
                        "policy has no `Version`, so IAM reads it with the 2008-10-17 language",
                    )
                    .help(HELP),
                )
            }
            None => {}
        }
    }
}
