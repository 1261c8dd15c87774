//! What a statement's `Condition` does to its grant, decided once per statement and read by
//! every risk rule: whether it can never match (a dead grant), which services a role may be
//! passed to (`iam:PassedToService`), and the conditions that really narrow it
//! (`iam:PolicyARN`, `iam:PermissionsBoundary`, resource tags, callers), with the reason
//! a message can quote.

use std::time::{SystemTime, UNIX_EPOCH};

use super::conditions::{Family, Operator, SetOp};
use super::statement::{CALLER_SCOPING_KEYS, RESOURCE_SCOPING_PREFIXES};
use crate::catalog::glob_match_ci;
use crate::model::{PolicyValue, Statement};

/// The verdict on one statement's conditions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// Why the condition can never be true for anyone (`aws:CurrentTime` before a past date).
    pub never: Option<String>,
    /// `Bool aws:MultiFactorAuthPresent: true` without `IfExists`: never true for a session
    /// a service starts, since the key is absent there.
    pub requires_mfa: bool,
    /// The services a role may be passed to, when an `iam:PassedToService` condition lists
    /// them (values may be globs: `lambda.*`).
    pub passed_to: Option<Vec<String>>,
    /// `iam:PermissionsBoundary` pins the boundary of users and roles it creates or changes.
    pub boundary: bool,
    /// The conditions that narrow the grant (caller, resource and IAM keys), as written.
    pub narrowing: Vec<String>,
}

/// Keys that limit a grant beyond the caller-scoping keys `statement` knows.
const NARROWING_KEYS: &[&str] = &[
    "iam:passedtoservice",
    "iam:policyarn",
    "iam:permissionsboundary",
    "iam:associatedresourcearn",
    "iam:resourcetag/",
    "aws:resourcetag/",
];

/// Services a passed role serves only for the service's own work: a holder that can pass
/// any role to them gains nothing it can run. Glob values never match here.
const HOUSEKEEPING_SERVICES: &[&str] = &[
    "dax",
    "application-autoscaling",
    "monitoring.rds",
    "rds",
    "vpc-flow-logs",
    "delivery.logs",
    "apigateway",
    "replication.dynamodb",
];

impl Verdict {
    pub(crate) fn of(statement: &Statement) -> Verdict {
        Self::at(statement, today())
    }

    /// The verdict as of the given day (days since 1970-01-01), for tests.
    pub(crate) fn at(statement: &Statement, today: i64) -> Verdict {
        let mut verdict = Verdict::default();
        for clause in &statement.condition {
            let Some(op) = Operator::of(clause) else {
                continue;
            };
            for entry in &clause.entries {
                let key = entry.key.value.to_ascii_lowercase();
                let values: Vec<&PolicyValue> = entry.values.iter().collect();
                if values.is_empty() {
                    continue;
                }
                // Dates, MFA flags and service names are judged on known values only; a
                // template value (`!Sub ...`) still narrows.
                let known = values.iter().all(|v| v.resolved);
                if let Some(reason) = dead_date(&op, &key, &values, today).filter(|_| known) {
                    verdict.never.get_or_insert(reason);
                }
                if known
                    && key == "aws:multifactorauthpresent"
                    && op.family == Family::Bool
                    && !op.if_exists
                    && values.iter().all(|v| v.text.eq_ignore_ascii_case("true"))
                {
                    verdict.requires_mfa = true;
                }
                let positive = matches!(
                    op.base,
                    "StringEquals"
                        | "StringEqualsIgnoreCase"
                        | "StringLike"
                        | "ArnEquals"
                        | "ArnLike"
                ) && op.set != SetOp::ForAllValues;
                let narrows = positive && !values.iter().all(|v| v.is_star());
                if known && key == "iam:passedtoservice" && narrows {
                    let list = verdict.passed_to.get_or_insert_with(Vec::new);
                    list.extend(values.iter().map(|v| v.text.trim().to_ascii_lowercase()));
                }
                if key == "iam:permissionsboundary" && narrows {
                    verdict.boundary = true;
                }
                // Caller keys narrow with any operator but a bare `*`, as `statement` has it.
                let scoping = !values.iter().all(|v| v.is_star())
                    && (CALLER_SCOPING_KEYS.contains(&key.as_str())
                        || RESOURCE_SCOPING_PREFIXES.iter().any(|p| key.starts_with(p)));
                let narrowing = narrows
                    && NARROWING_KEYS.iter().any(|k| {
                        if k.ends_with('/') {
                            key.starts_with(k)
                        } else {
                            key == *k
                        }
                    });
                if (scoping || narrowing) && !verdict.narrowing.contains(&entry.key.value) {
                    verdict.narrowing.push(entry.key.value.clone());
                }
            }
        }
        verdict
    }

    /// Whether a role passed under this statement may go to `service`
    /// (`lambda.amazonaws.com`): always, unless `iam:PassedToService` lists others.
    pub(crate) fn passes_to(&self, service: &str) -> bool {
        self.passed_to
            .as_ref()
            .is_none_or(|list| list.iter().any(|v| glob_match_ci(v, service)))
    }

    /// Whether `iam:PassedToService` limits passing to services that only use the role for
    /// their own housekeeping (DAX, Application Auto Scaling, RDS monitoring, ...) and run
    /// no code, commands or templates of the holder's choosing.
    pub(crate) fn passes_only_to_housekeeping(&self) -> bool {
        self.passed_to.as_ref().is_some_and(|list| {
            !list.is_empty()
                && list.iter().all(|service| {
                    let name = service
                        .strip_suffix(".amazonaws.com.cn")
                        .or_else(|| service.strip_suffix(".amazonaws.com"))
                        .unwrap_or(service);
                    HOUSEKEEPING_SERVICES.contains(&name)
                })
        })
    }

    /// Whether the statement carries a condition that lowers a finding's severity.
    pub(crate) fn narrows(&self) -> bool {
        !self.narrowing.is_empty()
    }

    /// As `narrows`, leaving out `iam:PassedToService`, which a path has already matched
    /// against the service it needs.
    pub(crate) fn narrows_beyond_service(&self) -> bool {
        self.narrowing
            .iter()
            .any(|k| !k.eq_ignore_ascii_case("iam:PassedToService"))
    }

    /// ", limited by its `iam:PolicyARN` condition", or nothing.
    pub(crate) fn because(&self) -> String {
        match self.narrowing.as_slice() {
            [] => String::new(),
            [one] => format!(", limited by its `{one}` condition"),
            many => format!(
                ", limited by its {} conditions",
                many.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        }
    }
}

/// `DateLessThan` (or `...Equals`) a day already past, on a key that only moves forward:
/// `aws:CurrentTime`, or `aws:TokenIssueTime` more than two days ago (no session lasts
/// longer than 36 hours). Every value must be past: values of one key are alternatives.
fn dead_date(op: &Operator, key: &str, values: &[&PolicyValue], today: i64) -> Option<String> {
    if op.family != Family::Date || !matches!(op.base, "DateLessThan" | "DateLessThanEquals") {
        return None;
    }
    let slack = match key {
        "aws:currenttime" => 0,
        "aws:tokenissuetime" => 2,
        _ => return None,
    };
    let days: Vec<i64> = values
        .iter()
        .map(|v| day_of(v.text.trim()))
        .collect::<Option<_>>()?;
    let latest = days.iter().copied().max()?;
    (latest + slack < today).then(|| {
        format!(
            "its `{}` condition on `{key}` lies in the past, so it never matches",
            op.base
        )
    })
}

/// Days since 1970-01-01 of an ISO 8601 date (`2019-01-01`, `2019-01-01T00:00:00Z`) or of
/// epoch seconds.
fn day_of(text: &str) -> Option<i64> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<i64>().ok().map(|s| s.div_euclid(86_400));
    }
    let date = text.get(..10)?;
    let mut parts = date.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Howard Hinnant's days-from-civil algorithm.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn today() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| (d.as_secs() / 86_400) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::grants::tests::policy_model;

    fn verdict(condition: &str, today: i64) -> Verdict {
        let json = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{condition}}}]}}"#
        );
        let model = policy_model(&json);
        Verdict::at(&model.policies[0].statements[0], today)
    }

    #[test]
    fn dates() {
        assert_eq!(day_of("1970-01-02"), Some(1));
        assert_eq!(day_of("2000-03-01T00:00:00Z"), Some(11_017));
        assert_eq!(day_of("86400"), Some(1));
        assert_eq!(day_of("soon"), None);
    }

    #[test]
    fn a_past_deadline_never_matches() {
        let today = days_from_civil(2026, 12, 4);
        let past = r#"{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#;
        assert!(verdict(past, today).never.is_some());
        let future = r#"{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}"#;
        assert!(verdict(future, today).never.is_none());
        let after = r#"{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#;
        assert!(verdict(after, today).never.is_none());
        let token = r#"{"DateLessThan":{"aws:TokenIssueTime":"2026-12-03"}}"#;
        assert!(
            verdict(token, today).never.is_none(),
            "a session may be a day old"
        );
        let one_future = r#"{"DateLessThan":{"aws:CurrentTime":["2020-01-01","2031-01-01"]}}"#;
        assert!(verdict(one_future, today).never.is_none());
    }

    #[test]
    fn passed_to_service_and_mfa() {
        let v = verdict(
            r#"{"StringLike":{"iam:PassedToService":["dax.amazonaws.com","application-autoscaling.*"]}}"#,
            0,
        );
        assert!(v.passes_to("dax.amazonaws.com"));
        assert!(v.passes_to("application-autoscaling.amazonaws.com"));
        assert!(!v.passes_to("lambda.amazonaws.com"));
        assert!(
            !v.passes_only_to_housekeeping(),
            "a glob is not a service name"
        );
        let dax = verdict(
            r#"{"StringEquals":{"iam:PassedToService":["dax.amazonaws.com","application-autoscaling.amazonaws.com.cn"]}}"#,
            0,
        );
        assert!(dax.passes_only_to_housekeeping());
        assert_eq!(
            v.because(),
            ", limited by its `iam:PassedToService` condition"
        );
        let not = verdict(
            r#"{"StringNotEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}"#,
            0,
        );
        assert!(not.passes_to("lambda.amazonaws.com"));
        assert!(verdict(r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#, 0).requires_mfa);
        assert!(
            !verdict(
                r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}"#,
                0
            )
            .requires_mfa
        );
        assert!(
            verdict(
                r#"{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::111122223333:policy/b"}}"#,
                0
            )
            .boundary
        );
    }
}
