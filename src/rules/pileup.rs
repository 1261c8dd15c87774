//! One finding per flagged value in the default output.
//!
//! An AWS managed policy such as `AmazonS3FullAccess`, or a statement such as `s3:*`, is
//! one decision of the author, yet several rules see a different consequence of it: too
//! broad, data readable everywhere, resources that can be opened to the public, any role
//! passable. A reviewer wants one finding for the one line to change, at the severity of
//! the worst consequence, with the others named. So, for the `regular` and `pedantic`
//! personas, findings of the over-privilege and risk rules that point at exactly the same
//! value are folded into one: the over-privilege finding that names the cause when there
//! is one (else the strongest risk finding), raised to the severity of the worst of them,
//! with the others as labelled related locations. `auditor` keeps every finding as it is.
//!
//! Like the persona selection, this works on the findings after linting: rules stay
//! unaware of each other (no rule imports another rule).

use std::collections::hash_map::{Entry, HashMap};

use crate::finding::{Category, Finding};
use crate::model::Related;

/// Categories whose findings describe consequences of the same grant. Access Analyzer's
/// findings stay apart: the user asked for that second opinion by name.
fn folds(finding: &Finding) -> bool {
    matches!(
        finding.rule.category,
        Category::OverPrivilege | Category::Risk
    ) && finding.accepted.is_none()
        && !finding.rule.code.starts_with("access-analyzer/")
}

/// Fold findings on the same value into the strongest one; returns how many were folded.
/// Order is kept (the surviving finding stays where the first of its group was).
pub fn fold(findings: &mut Vec<Finding>) -> usize {
    // Indices of the findings on each (file, span), for the foldable ones.
    // Groups in order of their first member, found by location in one map lookup.
    let mut groups: Vec<((usize, u32, u32), Vec<usize>)> = Vec::new();
    let mut group_of: HashMap<(usize, u32, u32), usize> = HashMap::new();
    for (index, finding) in findings.iter().enumerate() {
        if !folds(finding) {
            continue;
        }
        let key = (finding.file, finding.span.start, finding.span.end);
        match group_of.entry(key) {
            Entry::Occupied(group) => groups[*group.get()].1.push(index),
            Entry::Vacant(slot) => {
                slot.insert(groups.len());
                groups.push((key, vec![index]));
            }
        }
    }
    let mut drop = vec![false; findings.len()];
    let mut folded = 0;
    for (_, members) in groups.iter().filter(|(_, m)| m.len() > 1) {
        // The finding that names the cause (an over-privilege rule: the managed policy, the
        // `s3:*`) stays, at the severity of the worst consequence; without one, the
        // strongest risk finding stays. Ties go to the lower rule code.
        let Some(&keep) = members.iter().min_by(|&&a, &&b| {
            let (fa, fb) = (&findings[a], &findings[b]);
            fa.rule
                .category
                .cmp(&fb.rule.category)
                .then_with(|| fb.severity.cmp(&fa.severity))
                .then_with(|| fa.rule.code.cmp(fb.rule.code))
        }) else {
            continue;
        };
        let worst = members.iter().map(|&i| findings[i].severity).max();
        let notes: Vec<Related> = members
            .iter()
            .filter(|&&i| i != keep)
            .map(|&i| {
                let other = &findings[i];
                Related {
                    label: format!(
                        "also `{}` ({}): {}",
                        other.rule.name, other.severity, other.message
                    ),
                    file: other.file,
                    span: other.span,
                }
            })
            .collect();
        for &i in members.iter().filter(|&&i| i != keep) {
            drop[i] = true;
            folded += 1;
        }
        let kept = &mut findings[keep];
        if let Some(worst) = worst {
            kept.severity = kept.severity.max(worst);
        }
        // Notes first: they are about the very value the finding points at.
        let mut related = notes;
        related.append(&mut kept.related);
        kept.related = related;
    }
    let mut index = 0;
    findings.retain(|_| {
        let keep = !drop[index];
        index += 1;
        keep
    });
    folded
}

/// The summary-line note about folded findings. `None` when nothing was folded.
pub fn folded_note(folded: usize) -> Option<String> {
    match folded {
        0 => None,
        1 => Some(
            "1 finding folded into another on the same value; --persona auditor lists it apart"
                .to_string(),
        ),
        n => Some(format!(
            "{n} findings folded into others on the same value; --persona auditor lists them apart"
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::finding::{RuleMeta, Severity};
    use crate::source::Span;

    const fn meta(code: &'static str, name: &'static str, category: Category) -> RuleMeta {
        RuleMeta {
            code,
            name,
            category,
            severity: Severity::Medium,
            summary: "",
            doc: "",
        }
    }

    static BROAD: RuleMeta = meta("IAM302", "broad", Category::OverPrivilege);
    static EXPOSE: RuleMeta = meta("IAM402", "expose", Category::Risk);
    static EXFIL: RuleMeta = meta("IAM403", "exfil", Category::Risk);
    static RUNTIME: RuleMeta = meta("LMB007", "runtime", Category::LambdaPractice);
    static ONLINE: RuleMeta = meta(
        "access-analyzer/ALLOW_ALL_ACTIONS_OF_SERVICE",
        "access-analyzer/allow-all-actions-of-service",
        Category::OverPrivilege,
    );

    #[test]
    fn access_analyzer_findings_stay_apart() {
        let mut findings = vec![
            at(&BROAD, 10, Severity::High),
            at(&ONLINE, 10, Severity::Medium),
        ];
        assert_eq!(fold(&mut findings), 0);
        assert_eq!(findings.len(), 2);
    }

    fn at(meta: &'static RuleMeta, start: usize, severity: Severity) -> Finding {
        Finding::new(
            meta,
            0,
            Span::new(start, start + 5),
            format!("{} here", meta.name),
        )
        .severity(severity)
    }

    #[test]
    fn keeps_the_cause_at_the_worst_severity_and_names_the_others() {
        let mut findings = vec![
            at(&BROAD, 10, Severity::Medium),
            at(&EXPOSE, 10, Severity::High),
            at(&EXFIL, 10, Severity::Medium),
            at(&EXFIL, 30, Severity::High),
        ];
        assert_eq!(fold(&mut findings), 2);
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].rule.name, "broad");
        assert_eq!(findings[0].severity, Severity::High);
        let labels: Vec<&str> = findings[0]
            .related
            .iter()
            .map(|r| r.label.as_str())
            .collect();
        assert_eq!(
            labels,
            [
                "also `expose` (high): expose here",
                "also `exfil` (medium): exfil here"
            ]
        );
        assert_eq!(findings[1].span.start, 30);
    }

    #[test]
    fn without_a_cause_the_strongest_risk_stays() {
        let mut findings = vec![
            at(&EXFIL, 10, Severity::Medium),
            at(&EXPOSE, 10, Severity::High),
        ];
        assert_eq!(fold(&mut findings), 1);
        assert_eq!(findings[0].rule.name, "expose");
        assert_eq!(findings[0].related.len(), 1);
    }

    #[test]
    fn other_categories_and_other_values_stay_apart() {
        let mut findings = vec![
            at(&RUNTIME, 10, Severity::Medium),
            at(&BROAD, 10, Severity::Medium),
            at(&EXFIL, 11, Severity::Medium),
        ];
        assert_eq!(fold(&mut findings), 0);
        assert_eq!(findings.len(), 3);
    }
}
