//! A function on a Lambda runtime that is deprecated or about to be.

use std::sync::OnceLock;

use serde::Deserialize;

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::functions::{functions_phrase, group_by_span};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::util::date::Date;

pub struct LambdaDeprecatedRuntime;

static META: RuleMeta = rule_meta!(
    "LMB007",
    "lambda-deprecated-runtime",
    LambdaPractice,
    Medium,
    "a function uses a Lambda runtime that is deprecated or will be within 90 days"
);

/// How long before the deprecation date the rule starts warning.
/// A quarter ahead: long enough to plan an upgrade, short enough that the runtime a team
/// upgrades to today (the current LTS) is not flagged for months.
const WARN_DAYS: i64 = 90;

static TABLE_JSON: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/lambda-runtimes.json"
));

#[derive(Deserialize)]
struct Table {
    runtimes: Vec<RuntimeEntry>,
}

#[derive(Deserialize)]
struct RuntimeEntry {
    identifier: String,
    deprecation: Option<String>,
    block_update: Option<String>,
    successor: Option<String>,
}

/// A runtime of the table with its dates parsed.
struct Runtime {
    identifier: String,
    deprecation: Date,
    deprecation_text: String,
    block_update: Option<Date>,
    successor: Option<String>,
}

fn runtimes() -> &'static [Runtime] {
    static RUNTIMES: OnceLock<Vec<Runtime>> = OnceLock::new();
    RUNTIMES.get_or_init(|| {
        // The table is ours and a test checks it parses; should it not, the rule stays quiet.
        let table: Table = serde_json::from_str(TABLE_JSON).unwrap_or(Table {
            runtimes: Vec::new(),
        });
        table
            .runtimes
            .into_iter()
            .filter_map(|entry| {
                let text = entry.deprecation?;
                Some(Runtime {
                    deprecation: Date::parse(&text)?,
                    deprecation_text: text,
                    block_update: entry.block_update.as_deref().and_then(Date::parse),
                    successor: entry.successor.filter(|s| *s != entry.identifier),
                    identifier: entry.identifier,
                })
            })
            .collect()
    })
}

/// Where a runtime stands on a given day.
#[derive(Debug, PartialEq, Eq)]
pub enum RuntimeStatus {
    /// Past its deprecation date; `updates_blocked` once AWS refuses function updates.
    Deprecated {
        since: String,
        updates_blocked: bool,
        successor: Option<String>,
    },
    /// Deprecated within [`WARN_DAYS`].
    Deprecating {
        on: String,
        days_left: i64,
        successor: Option<String>,
    },
}

/// The status of `runtime` on `today`; `None` for supported and unknown runtimes.
pub fn runtime_status(runtime: &str, today: Date) -> Option<RuntimeStatus> {
    let entry = runtimes()
        .iter()
        .find(|r| r.identifier.eq_ignore_ascii_case(runtime.trim()))?;
    let days_left = today.days_until(entry.deprecation);
    let successor = entry.successor.clone();
    if days_left <= 0 {
        Some(RuntimeStatus::Deprecated {
            since: entry.deprecation_text.clone(),
            updates_blocked: entry.block_update.is_some_and(|d| d <= today),
            successor,
        })
    } else if days_left <= WARN_DAYS {
        Some(RuntimeStatus::Deprecating {
            on: entry.deprecation_text.clone(),
            days_left,
            successor,
        })
    } else {
        None
    }
}

fn help(successor: Option<&str>) -> String {
    match successor {
        Some(s) => format!(
            "move the function to a supported runtime such as `{s}` and test it before deploying"
        ),
        None => "move the function to a supported runtime and test it before deploying".into(),
    }
}

impl Rule for LambdaDeprecatedRuntime {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let today = Date::today();
        let items = model.functions.iter().filter_map(|function| {
            let runtime = function
                .runtime
                .as_ref()
                .filter(|_| !function.package_image)?;
            let status = runtime_status(&runtime.value, today)?;
            Some((runtime.span, function, (runtime.value.as_str(), status)))
        });
        for (span, functions, (runtime, status)) in group_by_span(items) {
            let who = functions_phrase(&functions);
            let uses = if functions.len() == 1 { "uses" } else { "use" };
            let (severity, message, successor) = match status {
                RuntimeStatus::Deprecated {
                    since,
                    updates_blocked,
                    successor,
                } => (
                    // As AWS Security Hub rates an unsupported runtime (Lambda.2): medium,
                    // high once AWS no longer accepts updates to the function.
                    if updates_blocked {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                    format!(
                        "{who} {uses} runtime `{runtime}`, deprecated since {since}: it gets no security patches{}",
                        if updates_blocked {
                            " and AWS no longer accepts updates to functions that use it"
                        } else {
                            ""
                        }
                    ),
                    successor,
                ),
                RuntimeStatus::Deprecating {
                    on,
                    days_left,
                    successor,
                } => (
                    Severity::Low,
                    format!(
                        "{who} {uses} runtime `{runtime}`, which AWS deprecates on {on}, in {days_left} day{}",
                        if days_left == 1 { "" } else { "s" }
                    ),
                    successor,
                ),
            };
            out.push(
                Finding::new(&META, functions[0].file, span, message)
                    .severity(severity)
                    .help(help(successor.as_deref())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{function, span};
    use crate::model::FileModel;
    use crate::source::Spanned;

    fn day(text: &str) -> Date {
        Date::parse(text).expect("valid date")
    }

    #[test]
    fn the_table_parses_and_covers_every_family() {
        let table: Table =
            serde_json::from_str(TABLE_JSON).expect("data/lambda-runtimes.json parses");
        assert!(table.runtimes.len() >= 45);
        for entry in &table.runtimes {
            for date in [&entry.deprecation, &entry.block_update]
                .into_iter()
                .flatten()
            {
                assert!(
                    Date::parse(date).is_some(),
                    "{}: bad date {date}",
                    entry.identifier
                );
            }
        }
        assert_eq!(runtimes().len(), table.runtimes.len());
        for id in [
            "nodejs",
            "nodejs4.3",
            "nodejs22.x",
            "python2.7",
            "python3.13",
            "python3.14",
            "java8",
            "java8.al2",
            "java21",
            "dotnetcore1.0",
            "dotnet6",
            "dotnet8",
            "go1.x",
            "ruby2.5",
            "ruby3.4",
            "provided",
            "provided.al2",
            "provided.al2023",
        ] {
            assert!(
                runtimes().iter().any(|r| r.identifier == id),
                "{id} missing"
            );
        }
    }

    #[test]
    fn deprecated_runtimes_are_reported_with_their_date() {
        assert_eq!(
            runtime_status("python3.8", day("2026-11-27")),
            Some(RuntimeStatus::Deprecated {
                since: "2024-10-14".into(),
                updates_blocked: false,
                successor: Some("python3.14".into()),
            })
        );
        assert_eq!(
            runtime_status("nodejs12.x", day("2026-11-27")),
            Some(RuntimeStatus::Deprecated {
                since: "2023-03-31".into(),
                updates_blocked: true,
                successor: Some("nodejs24.x".into()),
            })
        );
        // On the deprecation day itself.
        assert!(matches!(
            runtime_status("nodejs22.x", day("2027-04-30")),
            Some(RuntimeStatus::Deprecated { .. })
        ));
    }

    #[test]
    fn warns_within_90_days_only() {
        assert_eq!(
            runtime_status("nodejs22.x", day("2027-04-29")),
            Some(RuntimeStatus::Deprecating {
                on: "2027-04-30".into(),
                days_left: 1,
                successor: Some("nodejs24.x".into()),
            })
        );
        assert!(matches!(
            runtime_status("nodejs22.x", day("2027-01-30")),
            Some(RuntimeStatus::Deprecating { days_left: 90, .. })
        ));
        assert_eq!(runtime_status("nodejs22.x", day("2027-01-29")), None);
        assert_eq!(runtime_status("nodejs22.x", day("2026-11-27")), None);
        assert_eq!(runtime_status("python3.14", day("2026-11-27")), None);
    }

    #[test]
    fn unknown_runtimes_are_ignored() {
        assert_eq!(runtime_status("python9.9", day("2026-11-27")), None);
        assert_eq!(runtime_status("", day("2026-11-27")), None);
        assert_eq!(runtime_status("${Runtime}", day("2026-11-27")), None);
    }

    fn run(runtime: &str, image: bool) -> Vec<Finding> {
        let mut f = function("Api", 10);
        f.runtime = Some(Spanned::new(runtime.to_string(), span(100, runtime.len())));
        f.package_image = image;
        let model = FileModel {
            functions: vec![f],
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaDeprecatedRuntime, &model));
        out
    }

    #[test]
    fn points_at_the_runtime_value() {
        let findings = run("nodejs12.x", false);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].span, span(100, 10));
        assert_eq!(findings[0].severity, Severity::High);
        assert_eq!(
            findings[0].message,
            "function `Api` uses runtime `nodejs12.x`, deprecated since 2023-03-31: it gets no security patches and AWS no longer accepts updates to functions that use it"
        );
        assert!(findings[0].help.contains("`nodejs24.x`"));
        assert!(run("nodejs12.x", true).is_empty());
        assert!(run("python3.14", false).is_empty());
    }

    #[test]
    fn functions_sharing_a_globals_runtime_get_one_finding() {
        let runtime = Spanned::new("python3.8".to_string(), span(40, 9));
        let functions = ["A", "B", "C"]
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let mut f = function(id, 100 + i * 50);
                f.runtime = Some(runtime.clone());
                f
            })
            .collect();
        let model = FileModel {
            functions,
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaDeprecatedRuntime, &model));
        assert_eq!(out.len(), 1);
        assert!(out[0].message.starts_with(
            "functions `A`, `B` and `C` use runtime `python3.8`, deprecated since 2024-10-14"
        ));
    }
}
