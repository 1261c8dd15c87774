//! A statement's `Action` values indexed by service prefix, and an identity policy
//! prepared for "does it grant X?" questions. Shared by the grant analysis and the AWS
//! managed policy cache.

use super::verdict::Verdict;
use crate::model::{Effect, PolicyDocument, Statement, ValueList};
use crate::source::Span;

/// A statement with its `Action` values grouped by lower-case service prefix, so that a
/// question about `iam:PassRole` looks only at `iam:...` values and full wildcards.
pub(crate) struct Indexed<'a> {
    pub(crate) statement: &'a Statement,
    /// What the statement's conditions allow (worked out once per statement).
    pub(crate) verdict: Verdict,
    /// Value positions per service prefix; `*` and `*:*` under `"*"`. Empty for `NotAction`.
    /// A short list, scanned linearly: a statement names few services, and hashing each
    /// question's key cost more than the scan.
    by_service: Vec<(String, Vec<usize>)>,
}

impl<'a> Indexed<'a> {
    fn new(statement: &'a Statement) -> Self {
        let mut by_service: Vec<(String, Vec<usize>)> = Vec::new();
        if let Some(list) = statement.action.as_ref().filter(|l| !l.negated) {
            for (i, value) in list.values.iter().enumerate().filter(|(_, v)| v.resolved) {
                let service = match value.text.as_str() {
                    "*" | "*:*" => "*".to_string(),
                    text => match text.split_once(':') {
                        Some((prefix, _)) => prefix.to_ascii_lowercase(),
                        None => continue,
                    },
                };
                match by_service.iter_mut().find(|(s, _)| *s == service) {
                    Some((_, positions)) => positions.push(i),
                    None => by_service.push((service, vec![i])),
                }
            }
        }
        Indexed {
            statement,
            verdict: Verdict::of(statement),
            by_service,
        }
    }

    pub(crate) fn values_of(&self, service_lower: &str) -> Option<&Vec<usize>> {
        self.by_service
            .iter()
            .find(|(s, _)| s == service_lower)
            .map(|(_, positions)| positions)
    }

    /// The value covering `service:name`, or the `NotAction` key when its list leaves it out.
    pub(crate) fn granting_value(&self, service: &str, name: &str) -> Option<(Span, &'a str)> {
        let list = self.statement.action.as_ref()?;
        if list.negated {
            return not_action_grants(list, service, name);
        }
        // The first matching value in statement order, among full wildcards and values of
        // this service (keys are lower case; catalog prefixes are too).
        [self.values_of("*"), self.values_of(service)]
            .into_iter()
            .flatten()
            .flatten()
            .copied()
            .filter(|&i| pattern_matches(&list.values[i].text, service, name))
            .min()
            .map(|i| (list.values[i].span, list.values[i].text.as_str()))
    }
}

/// A policy ready for questions: its Allow statements, and its Deny statements.
pub(crate) struct Prepared<'a> {
    pub(crate) policy: &'a PolicyDocument,
    pub(crate) allows: Vec<Indexed<'a>>,
    pub(crate) denies: Vec<Indexed<'a>>,
    /// Whether some Allow could grant actions of any service (`*`, `NotAction`).
    allows_any_service: bool,
}

impl<'a> Prepared<'a> {
    pub(crate) fn new(policy: &'a PolicyDocument) -> Self {
        // Every Deny: what each one takes away is the effective-access evaluation's call.
        let denies = policy
            .statements
            .iter()
            .filter(|s| s.effect.as_ref().is_some_and(|e| e.value == Effect::Deny));
        let allows: Vec<Indexed<'a>> = policy.allow_statements().map(Indexed::new).collect();
        let allows_any_service = allows.iter().any(|a| {
            a.values_of("*").is_some() || a.statement.action.as_ref().is_some_and(|l| l.negated)
        });
        Prepared {
            policy,
            allows,
            denies: denies.map(Indexed::new).collect(),
            allows_any_service,
        }
    }

    /// A cheap first test before any catalog lookup: can an Allow here name this service?
    pub(crate) fn may_grant(&self, service_lower: &str) -> bool {
        self.allows_any_service
            || self
                .allows
                .iter()
                .any(|a| a.values_of(service_lower).is_some())
    }
}

/// The `NotAction` key when its list leaves `service:name` out and every value is known.
fn not_action_grants<'a>(
    list: &'a ValueList,
    service: &str,
    name: &str,
) -> Option<(Span, &'a str)> {
    let unknown = list.has_unknown || list.values.iter().any(|v| !v.resolved);
    let excluded = list
        .values
        .iter()
        .any(|v| pattern_matches(&v.text, service, name));
    (!unknown && !excluded).then_some((list.key_span, "NotAction"))
}

/// Does the action pattern as written (`*`, `s3:Get*`, `IAM:PassRole`) cover the action?
pub(crate) fn pattern_matches(pattern: &str, service: &str, name: &str) -> bool {
    if pattern == "*" || pattern == "*:*" {
        return true;
    }
    pattern.split_once(':').is_some_and(|(prefix, rest)| {
        prefix.eq_ignore_ascii_case(service) && crate::catalog::glob_match_ci(rest, name)
    })
}
