//! Two statements of one policy with the same `Sid`.

use super::{rule_meta, PolicyCx, Rule};
use crate::finding::{Finding, RuleMeta};
use crate::model::Related;

pub struct DuplicateSid;

static META: RuleMeta = rule_meta!(
    "IAM009",
    "duplicate-sid",
    PolicyMistake,
    Low,
    "two statements of one policy share a `Sid`"
);

impl Rule for DuplicateSid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_policy(&self, cx: &PolicyCx<'_, '_>, out: &mut Vec<Finding>) {
        let sids: Vec<_> = cx
            .policy
            .statements
            .iter()
            .filter_map(|s| s.sid.as_ref())
            .collect();
        for (i, sid) in sids.iter().enumerate() {
            if sid.value.is_empty() {
                continue;
            }
            if let Some(first) = sids[..i].iter().find(|s| s.value == sid.value) {
                out.push(
                    Finding::new(&META, cx.policy.file, sid.span, format!("`Sid` \"{}\" is already used by an earlier statement", sid.value))
                        .help("give every statement a unique Sid; resource policies such as S3 bucket policies reject duplicates")
                        .related([Related {
                            label: "first used here".into(),
                            file: cx.policy.file,
                            span: first.span,
                        }]),
                );
            }
        }
    }
}
