//! Online mode (`check --access-analyzer`): every policy iamlint resolved goes to IAM Access
//! Analyzer (`ValidatePolicy`, and the custom policy checks `CheckNoNewAccess`,
//! `CheckAccessNotGranted`, `CheckNoPublicAccess`); the answers become findings placed in the
//! original files.
//!
//! Runs after the offline lint, on its `Outcome`: the sources are loaded again here (cheap next
//! to a network round trip), so the offline pipeline needs no hook. The steps read top to
//! bottom: `plan` picks the requests, `cache` answers those seen before, `service` sends the
//! rest, `findings` turns the answers into findings and merges those an offline rule already
//! reported.

mod cache;
mod document;
mod findings;
mod git;
mod plan;
mod service;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::lint::Outcome;
use crate::suppress::Suppressed;

pub use service::OnlineError;

/// What `check --access-analyzer` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Named profile of the shared AWS config (`--profile`).
    pub profile: Option<String>,
    /// Region (`--region`); otherwise the standard chain (`AWS_REGION`, profile).
    pub region: Option<String>,
    /// Compare each policy with its version at this git revision (`CheckNoNewAccess`).
    pub no_new_access_since: Option<String>,
    /// Actions no policy may grant (`CheckAccessNotGranted`).
    pub deny_actions: Vec<String>,
    /// Read and write the result cache.
    pub cache: bool,
}

/// How the online part went.
#[derive(Debug, Default)]
pub struct Report {
    /// Requests answered by the service.
    pub sent: usize,
    /// Requests answered from the cache.
    pub cached: usize,
    /// Findings of the service that an offline rule had already reported.
    pub merged: usize,
    /// Distinct failures, each said once. Empty when everything was checked.
    pub errors: Vec<OnlineError>,
}

/// Upper bounds that keep a CI job from hanging on a slow or throttling service.
pub(crate) const CONCURRENCY: usize = 4;
pub(crate) const TOTAL_TIME: Duration = Duration::from_secs(300);

/// One element of a JSON path in the service's answers (`locations[].path`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum PathElement {
    /// Step into the value of this key.
    Value(String),
    /// The key itself.
    Key(String),
    Index(i64),
    Substring {
        start: i64,
        length: i64,
    },
}

/// One `ValidatePolicy` finding, as the service returned it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ValidationFinding {
    pub finding_type: String,
    pub issue_code: String,
    pub finding_details: String,
    pub learn_more_link: String,
    pub locations: Vec<Vec<PathElement>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CheckReason {
    pub description: String,
    pub statement_index: Option<i64>,
    pub statement_id: Option<String>,
}

/// The answer of a custom policy check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CheckResult {
    pub passed: bool,
    pub message: String,
    pub reasons: Vec<CheckReason>,
}

/// What the service answered to one request (this is also what the cache stores).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Answer {
    Findings(Vec<ValidationFinding>),
    Check(CheckResult),
}

/// One request to the service. Serialised, it is the cache key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Request {
    Validate {
        policy: String,
        policy_type: &'static str,
        resource_type: Option<&'static str>,
    },
    NoNewAccess {
        policy: String,
        existing: String,
        policy_type: &'static str,
    },
    AccessNotGranted {
        policy: String,
        actions: Vec<String>,
        policy_type: &'static str,
    },
    NoPublicAccess {
        policy: String,
        resource_type: &'static str,
    },
}

/// Run the online checks on the policies of a finished offline run, adding their findings to
/// `outcome`. Never removes offline results; failures are returned in `Report::errors`.
pub fn run(outcome: &mut Outcome, options: &Options) -> Report {
    let mut report = Report::default();
    let (targets, jobs, plan_errors) = plan::plan(outcome, options);
    report.errors.extend(plan_errors);
    let cache = if options.cache {
        cache::Cache::open_default()
    } else {
        None
    };
    let mut answers: Vec<Option<Answer>> = vec![None; jobs.len()];
    let mut pending = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        match cache.as_ref().and_then(|c| c.get(&job.request)) {
            Some(answer) => {
                answers[i] = Some(answer);
                report.cached += 1;
            }
            None => pending.push(i),
        }
    }
    if !pending.is_empty() {
        let requests: Vec<Request> = pending.iter().map(|&i| jobs[i].request.clone()).collect();
        match service::send_all(options, requests) {
            Ok(results) => {
                for (&i, result) in pending.iter().zip(results) {
                    match result {
                        Ok(answer) => {
                            if let Some(cache) = &cache {
                                cache.put(&jobs[i].request, &answer);
                            }
                            report.sent += 1;
                            answers[i] = Some(answer);
                        }
                        Err(err) => {
                            let err = err.for_policy(&targets[jobs[i].target].label);
                            if !report.errors.iter().any(|e| e.same_kind(&err)) {
                                report.errors.push(err);
                            }
                        }
                    }
                }
            }
            Err(err) => report.errors.push(err),
        }
    }
    let mut new = Vec::new();
    for (job, answer) in jobs.iter().zip(answers) {
        if let Some(answer) = answer {
            findings::map(&targets[job.target], job, &answer, options, &mut new);
        }
    }
    let (new, merged) = findings::merge(&mut outcome.findings, new);
    report.merged = merged;
    let (new, suppressed) = suppress(outcome, new);
    outcome.findings.extend(new);
    outcome.suppressed.extend(suppressed);
    let order = |a: &Finding, b: &Finding| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    };
    outcome.findings.sort_by(order);
    outcome
        .suppressed
        .sort_by(|a, b| order(&a.finding, &b.finding));
    report
}

/// Apply `# iamlint: ignore[access-analyzer/CODE] reason` comments of each file.
fn suppress(outcome: &Outcome, findings: Vec<Finding>) -> (Vec<Finding>, Vec<Suppressed>) {
    let mut by_file: std::collections::BTreeMap<usize, Vec<Finding>> = Default::default();
    for finding in findings {
        by_file.entry(finding.file).or_default().push(finding);
    }
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for (file, findings) in by_file {
        let loaded = outcome
            .sources
            .get(file)
            .and_then(|source| Some((source, crate::load::load(file, source, false).ok()?)));
        match loaded {
            Some((source, loaded)) => {
                let (k, s) = crate::suppress::apply_named(source, file, &loaded, findings);
                kept.extend(k);
                suppressed.extend(s);
            }
            None => kept.extend(findings),
        }
    }
    (kept, suppressed)
}
