//! The service's answers as iamlint findings: `access-analyzer/<ISSUE_CODE>`, placed at the
//! span of the JSON path the service names, and merged into the offline finding when an
//! offline rule reports the same thing.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::document::Step;
use super::plan::{self, Job, Target};
use super::{Answer, CheckResult, Options, PathElement, Request, ValidationFinding};
use crate::finding::{Category, Finding, RuleMeta, Severity};
use crate::source::Span;

/// Shared by every `access-analyzer/*` finding: `iamlint rule` and SARIF rule help.
const DOC: &str = include_str!("../../docs/access-analyzer.md");
/// Prefix of the codes of online findings.
pub const PREFIX: &str = "access-analyzer/";

/// Issue codes of the service that an offline rule reports as well (by rule code).
const OVERLAPS: &[(&str, &str)] = &[
    ("PASS_ROLE_WITH_STAR_IN_RESOURCE", "IAM202"),
    ("PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "IAM202"),
    ("MISSING_VERSION", "IAM008"),
    ("INVALID_ACTION", "IAM102"),
    ("INVALID_SERVICE", "IAM101"),
    ("INVALID_SERVICE_IN_ACTION", "IAM101"),
    ("REDUNDANT_ACTION", "IAM109"),
    ("ALLOW_WITH_NOT_PRINCIPAL", "IAM006"),
    ("MISSING_EFFECT", "IAM010"),
    ("INVALID_EFFECT", "IAM010"),
    ("MISSING_ACTION", "IAM010"),
    ("MISSING_RESOURCE", "IAM010"),
    ("MISSING_PRINCIPAL", "IAM010"),
    ("UNSUPPORTED_PRINCIPAL", "IAM010"),
    ("INVALID_POLICY_ELEMENT", "IAM010"),
];

/// Codes of the custom checks' findings.
pub(crate) const NO_NEW_ACCESS: &str = "CHECK_NO_NEW_ACCESS";
pub(crate) const ACCESS_NOT_GRANTED: &str = "CHECK_ACCESS_NOT_GRANTED";
pub(crate) const NO_PUBLIC_ACCESS: &str = "CHECK_NO_PUBLIC_ACCESS";

/// Rule metadata for an issue code. The service has well over a hundred codes and adds
/// more, so each is made on first sight and kept for the process (a bounded set).
pub(crate) fn meta(issue_code: &str, finding_type: &str) -> &'static RuleMeta {
    static METAS: OnceLock<Mutex<HashMap<String, &'static RuleMeta>>> = OnceLock::new();
    // The code comes from the network: keep it to the characters issue codes use.
    let clean: String = issue_code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(80)
        .collect();
    let clean = if clean.is_empty() {
        "UNKNOWN".to_string()
    } else {
        clean
    };
    let metas = METAS.get_or_init(Mutex::default);
    let mut metas = match metas.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(meta) = metas.get(&clean) {
        return meta;
    }
    let (category, severity, summary) = match finding_type {
        "SECURITY_WARNING" => (
            Category::Risk,
            Severity::High,
            "IAM Access Analyzer: a security warning about the policy",
        ),
        "ERROR" => (
            Category::PolicyMistake,
            Severity::High,
            "IAM Access Analyzer: the policy breaks the IAM policy grammar",
        ),
        "WARNING" => (
            Category::PolicyMistake,
            Severity::Medium,
            "IAM Access Analyzer: the policy does not follow a best practice",
        ),
        "FAIL" => (
            Category::OverPrivilege,
            Severity::High,
            "IAM Access Analyzer: a custom policy check failed",
        ),
        _ => (
            Category::PolicyMistake,
            Severity::Low,
            "IAM Access Analyzer: a suggestion to improve the policy",
        ),
    };
    // Code as the service spells it; name in kebab case like every rule name.
    let code: &'static str = Box::leak(format!("{PREFIX}{clean}").into_boxed_str());
    let kebab = clean.to_ascii_lowercase().replace('_', "-");
    let name: &'static str = Box::leak(format!("{PREFIX}{kebab}").into_boxed_str());
    let meta: &'static RuleMeta = Box::leak(Box::new(RuleMeta {
        code,
        name,
        category,
        severity,
        summary,
        doc: DOC,
    }));
    metas.insert(clean, meta);
    meta
}

/// The finding for one answer to one request.
pub(crate) fn map(
    target: &Target,
    job: &Job,
    answer: &Answer,
    options: &Options,
    out: &mut Vec<Online>,
) {
    match (answer, &job.request) {
        (Answer::Findings(list), _) => {
            for finding in list {
                if let Some(f) = validation_finding(target, finding) {
                    out.push(f);
                }
            }
        }
        (Answer::Check(result), request) if !result.passed => {
            check_findings(target, request, result, options, out);
        }
        (Answer::Check(_), _) => {}
    }
}

/// An online finding and the region where an offline finding counts as the same issue: the
/// statement the service points into, else the whole policy.
pub(crate) struct Online {
    pub finding: Finding,
    pub scope: Span,
}

fn validation_finding(target: &Target, finding: &ValidationFinding) -> Option<Online> {
    let meta = meta(&finding.issue_code, &finding.finding_type);
    let (span, stand_in) = finding
        .locations
        .first()
        .map_or((plan::policy_anchor(&target.policy), false), |path| {
            place(target, path)
        });
    let statement = finding
        .locations
        .first()
        .and_then(|path| match path.as_slice() {
            [PathElement::Value(key), PathElement::Index(i), ..] if key == "Statement" => {
                usize::try_from(*i).ok()
            }
            _ => None,
        });
    let scope = statement
        .and_then(|i| target.policy.statements.get(i))
        .map_or(target.policy.span, |st| st.span);
    // Only iamlint's stand-in for an unresolved value was judged: a remark on its text (an ARN
    // format, say) is about the stand-in, not the template. Security warnings still count.
    if stand_in && finding.finding_type != "SECURITY_WARNING" {
        return None;
    }
    let mut message = sentence(&finding.finding_details);
    if message.is_empty() {
        message = format!("IAM Access Analyzer reports `{}`", finding.issue_code);
    }
    let help = if finding.learn_more_link.starts_with("https://") {
        format!("see {}", finding.learn_more_link)
    } else {
        "see IAM Access Analyzer's policy check reference".to_string()
    };
    let mut f = Finding::new(meta, target.file, span, message).help(help);
    f.related.extend(target.policy.related.iter().cloned());
    if stand_in {
        f.severity = f.severity.lowered();
    }
    Some(Online { finding: f, scope })
}

/// The span for a path of the service's answer, and whether it lands on a stand-in value.
fn place(target: &Target, path: &[PathElement]) -> (Span, bool) {
    let mut steps = Vec::with_capacity(path.len());
    let mut on_key = false;
    for element in path {
        match element {
            PathElement::Value(key) => steps.push(Step::Key(key.clone())),
            PathElement::Key(key) => {
                steps.push(Step::Key(key.clone()));
                on_key = true;
                break;
            }
            PathElement::Index(i) => match usize::try_from(*i) {
                Ok(i) => steps.push(Step::Index(i)),
                Err(_) => break,
            },
            // Inside a string: the whole value is the closest span iamlint knows.
            PathElement::Substring { .. } => break,
        }
    }
    match target.rendered.locate(&steps) {
        Some(origin) => {
            let exact = origin.path.len() == steps.len();
            let span = match (on_key && exact, origin.key_span) {
                (true, Some(key)) => key,
                _ => origin.span,
            };
            (span, origin.stand_in)
        }
        None => (plan::policy_anchor(&target.policy), false),
    }
}

fn check_findings(
    target: &Target,
    request: &Request,
    result: &CheckResult,
    options: &Options,
    out: &mut Vec<Online>,
) {
    let (code, what, help) = match request {
        Request::NoNewAccess { .. } => (
            NO_NEW_ACCESS,
            format!(
                "grants access it did not grant at `{}`",
                options.no_new_access_since.as_deref().unwrap_or("the base revision")
            ),
            "review the new access; if it is intended, it passes once the base revision includes it",
        ),
        Request::AccessNotGranted { actions, .. } => (
            ACCESS_NOT_GRANTED,
            format!("grants a denied action ({})", quote_list(actions)),
            "remove the action, or scope the statement so it no longer grants it",
        ),
        Request::NoPublicAccess { .. } => (
            NO_PUBLIC_ACCESS,
            "allows public access".to_string(),
            "name the accounts or principals that need access, or add a condition that scopes the caller",
        ),
        Request::Validate { .. } => return,
    };
    let meta = meta(code, "FAIL");
    let subject = target.label.as_str();
    if result.reasons.is_empty() {
        let message = match sentence(&result.message) {
            m if m.is_empty() => format!("{subject} {what}"),
            m => format!("{subject} {what}: {m}"),
        };
        let mut f = Finding::new(
            meta,
            target.file,
            plan::policy_anchor(&target.policy),
            message,
        )
        .help(help);
        f.related.extend(target.policy.related.iter().cloned());
        out.push(Online {
            finding: f,
            scope: target.policy.span,
        });
        return;
    }
    for reason in &result.reasons {
        let span = plan::statement_span(&target.policy, reason.statement_index);
        let detail = sentence(&reason.description);
        let message = if detail.is_empty() {
            format!("{subject} {what}")
        } else {
            format!("{subject} {what}: {detail}")
        };
        let mut f = Finding::new(meta, target.file, span, message).help(help);
        f.related.extend(target.policy.related.iter().cloned());
        out.push(Online {
            finding: f,
            scope: target.policy.span,
        });
    }
}

fn quote_list(items: &[String]) -> String {
    items
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The service's sentence in iamlint's message style: lowercase start, no final period.
fn sentence(text: &str) -> String {
    let text = text.trim().trim_end_matches('.');
    let mut chars = text.chars();
    match chars.next() {
        // Keep acronyms and names ("IAM", "S3") as written.
        Some(first) if chars.next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_string(),
    }
}

/// Drop online findings whose issue an offline rule already reports in the same statement
/// (or policy) of the same file: the offline finding's message says the service agrees.
/// Returns the findings left and how many were merged.
pub(crate) fn merge(offline: &mut [Finding], online: Vec<Online>) -> (Vec<Finding>, usize) {
    let mut left = Vec::new();
    let mut merged = 0;
    for Online { finding, scope } in online {
        let issue = finding.rule.code.strip_prefix(PREFIX).unwrap_or_default();
        let rule = OVERLAPS
            .iter()
            .find(|(code, _)| *code == issue)
            .map(|(_, rule)| *rule);
        let twin = rule.and_then(|rule| {
            offline.iter_mut().find(|o| {
                o.rule.code == rule
                    && o.file == finding.file
                    && scope.start <= o.span.start
                    && o.span.start <= scope.end
            })
        });
        match twin {
            Some(twin) => {
                let note = format!(" (IAM Access Analyzer agrees: `{issue}`)");
                if !twin.message.ends_with(&note) {
                    twin.message.push_str(&note);
                }
                merged += 1;
            }
            None => left.push(finding),
        }
    }
    (left, merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Outcome;
    use crate::online::plan::plan;
    use crate::source::SourceFile;

    const ROLE: &str = include_str!("../../examples/lambda-s3/lambda-s3-role.json");

    fn target() -> (Outcome, Vec<Target>, Vec<Job>) {
        let outcome = Outcome {
            sources: vec![SourceFile::new(
                "role.json".into(),
                "role.json".into(),
                ROLE.into(),
            )],
            ..Outcome::default()
        };
        let (targets, jobs, _) = plan(&outcome, &Options::default());
        (outcome, targets, jobs)
    }

    fn path(json: serde_json::Value) -> Vec<PathElement> {
        serde_json::from_value(json).expect("path")
    }

    #[test]
    fn places_a_security_warning_at_the_flagged_value() {
        let (outcome, targets, jobs) = target();
        let answer = Answer::Findings(vec![ValidationFinding {
            finding_type: "SECURITY_WARNING".into(),
            issue_code: "PASS_ROLE_WITH_STAR_IN_RESOURCE".into(),
            finding_details: "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive.".into(),
            learn_more_link: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html".into(),
            locations: vec![path(serde_json::json!([
                {"value": "Statement"}, {"index": 1}, {"value": "Resource"}
            ]))],
        }]);
        let mut out = Vec::new();
        map(
            &targets[0],
            &jobs[0],
            &answer,
            &Options::default(),
            &mut out,
        );
        assert_eq!(out.len(), 1);
        let f = &out[0].finding;
        assert_eq!(
            f.rule.code,
            "access-analyzer/PASS_ROLE_WITH_STAR_IN_RESOURCE"
        );
        assert_eq!(
            f.rule.name,
            "access-analyzer/pass-role-with-star-in-resource"
        );
        assert_eq!(f.severity, Severity::High);
        let source = &outcome.sources[0];
        assert_eq!(source.slice(f.span), "\"*\"");
        assert_eq!(source.line_col(f.span.start).line, 15);
        assert!(
            f.message.starts_with("using the iam:PassRole action"),
            "{}",
            f.message
        );
        assert!(!f.message.ends_with('.'));
    }

    #[test]
    fn key_paths_point_at_the_key_and_unknown_paths_at_the_policy() {
        let (outcome, targets, _) = target();
        let source = &outcome.sources[0];
        let key =
            path(serde_json::json!([{"value": "Statement"}, {"index": 0}, {"key": "Action"}]));
        assert_eq!(source.slice(place(&targets[0], &key).0), "\"Action\"");
        let nowhere = path(serde_json::json!([{"value": "Nope"}]));
        assert_eq!(
            place(&targets[0], &nowhere).0,
            plan::policy_anchor(&targets[0].policy)
        );
    }

    #[test]
    fn merges_a_finding_an_offline_rule_already_reports_in_the_statement() {
        let offline_meta = crate::rules::find("missing-version").expect("rule").meta();
        let mut offline = vec![Finding::new(
            offline_meta,
            0,
            Span::new(10, 20),
            "no `Version`",
        )];
        let online = |code: &str, file: usize, scope: Span| Online {
            finding: Finding::new(meta(code, "ERROR"), file, Span::new(30, 34), "x"),
            scope,
        };
        let (left, merged) = merge(
            &mut offline,
            vec![
                // Same statement, another value of it: merged.
                online("MISSING_VERSION", 0, Span::new(5, 40)),
                // Same issue in another file or statement: kept.
                online("MISSING_VERSION", 1, Span::new(5, 40)),
                online("MISSING_VERSION", 0, Span::new(25, 40)),
                // No offline twin: kept.
                online("ARN_ACCOUNT_NOT_ALLOWED", 0, Span::new(5, 40)),
            ],
        );
        assert_eq!(merged, 1);
        assert_eq!(left.len(), 3);
        assert!(offline[0]
            .message
            .ends_with("(IAM Access Analyzer agrees: `MISSING_VERSION`)"));
    }

    #[test]
    fn failed_custom_checks_point_at_the_statement() {
        let (outcome, targets, _) = target();
        let job = Job {
            target: 0,
            request: Request::AccessNotGranted {
                policy: String::new(),
                actions: vec!["logs:DeleteLogGroup".into()],
                policy_type: "IDENTITY_POLICY",
            },
        };
        let answer = Answer::Check(CheckResult {
            passed: false,
            message:
                "The policy document grants access to perform one or more of the listed actions."
                    .into(),
            reasons: vec![super::super::CheckReason {
                description: "One or more of the listed actions in the statement is granted."
                    .into(),
                statement_index: Some(1),
                statement_id: None,
            }],
        });
        let mut out = Vec::new();
        map(&targets[0], &job, &answer, &Options::default(), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].finding.rule.code,
            "access-analyzer/CHECK_ACCESS_NOT_GRANTED"
        );
        assert_eq!(
            outcome.sources[0].line_col(out[0].finding.span.start).line,
            13
        );
        assert!(
            out[0].finding.message.contains("`logs:DeleteLogGroup`"),
            "{}",
            out[0].finding.message
        );
        // A passing check adds nothing.
        let pass = Answer::Check(CheckResult {
            passed: true,
            message: String::new(),
            reasons: Vec::new(),
        });
        let mut none = Vec::new();
        map(&targets[0], &job, &pass, &Options::default(), &mut none);
        assert!(none.is_empty());
    }
}
