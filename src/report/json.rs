//! `--format json`: a versioned, documented output schema, independent of internal types.

use std::io::{self, Write};

use serde::Serialize;

use super::severity_counts;
use crate::finding::identity;
use crate::finding::Finding;
use crate::lint::Outcome;

/// Bump when a field changes meaning or disappears; adding fields keeps the version.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError<'a>>,
    summary: Summary,
    /// Present with `--show-suppressed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressed: Vec<JsonSuppressed<'a>>,
    /// What could not be evaluated offline (template macros, `Fn::ForEach`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<JsonNote<'a>>,
}

#[derive(Serialize)]
struct JsonNote<'a> {
    file: &'a str,
    message: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    reason: &'a str,
    /// `comment`, `metadata`, `config` or `rule-option`.
    suppressed_by: &'static str,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    code: &'static str,
    category: &'static str,
    severity: &'static str,
    message: &'a str,
    help: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    /// Line-independent identity (`finding::identity`), the same as the baseline's and
    /// SARIF's `partialFingerprints`.
    fingerprint: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    /// The fix `--fix` would apply (or a display-only suggestion), as byte-range edits of
    /// the original file.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    /// `safe`, `unsafe` or `display-only`.
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    /// Byte offsets into the file, end exclusive.
    start_offset: u32,
    end_offset: u32,
    replacement: &'a str,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    label: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonError<'a> {
    file: &'a str,
    message: &'a str,
    line: Option<usize>,
    column: Option<usize>,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    findings: usize,
    errors: usize,
    by_severity: serde_json::Map<String, serde_json::Value>,
}

pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    // Unsuppressed findings first, so their fingerprints match the baseline's and SARIF's.
    let all: Vec<&Finding> = outcome
        .findings
        .iter()
        .chain(outcome.suppressed.iter().map(|s| &s.finding))
        .collect();
    // Paths relative to the current directory, like the `file` field.
    let mut fingerprints = identity::fingerprints(&outcome.sources, &all, None).into_iter();
    let mut to_json = |f| json_finding(outcome, f, fingerprints.next().unwrap_or_default());
    let findings = outcome.findings.iter().map(&mut to_json).collect();
    let suppressed = outcome
        .suppressed
        .iter()
        .map(|s| JsonSuppressed {
            finding: to_json(&s.finding),
            reason: &s.reason,
            suppressed_by: s.by.as_str(),
        })
        .collect();
    let errors = outcome
        .errors
        .iter()
        .map(|e| {
            let at = e
                .file
                .zip(e.span)
                .map(|(file, span)| outcome.sources[file].line_col(span.start));
            JsonError {
                file: &e.path,
                message: &e.message,
                line: at.map(|a| a.line),
                column: at.map(|a| a.column),
            }
        })
        .collect();
    let by_severity = severity_counts(&outcome.findings)
        .into_iter()
        .map(|(s, n)| (s.as_str().to_string(), serde_json::Value::from(n)))
        .collect();
    let output = Output {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "iamlint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings,
        errors,
        summary: Summary {
            files: outcome.files_linted,
            findings: outcome.findings.len(),
            errors: outcome.errors.len(),
            by_severity,
        },
        suppressed,
        notes: outcome
            .notes
            .iter()
            .map(|n| {
                let source = &outcome.sources[n.file];
                let at = source.line_col(n.span.start);
                JsonNote {
                    file: &source.display,
                    message: &n.message,
                    line: at.line,
                    column: at.column,
                }
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &output).map_err(io::Error::other)?;
    writeln!(out)
}

fn json_finding<'a>(outcome: &'a Outcome, f: &'a Finding, fingerprint: String) -> JsonFinding<'a> {
    let source = &outcome.sources[f.file];
    let (start, end) = super::start_end(source, f.span);
    JsonFinding {
        rule: f.rule.name,
        code: f.rule.code,
        category: f.rule.category.as_str(),
        severity: f.severity.as_str(),
        message: &f.message,
        help: &f.help,
        file: &source.display,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        fingerprint,
        related: f
            .related
            .iter()
            .map(|r| {
                let rs = &outcome.sources[r.file];
                let at = rs.line_col(r.span.start);
                JsonRelated {
                    label: &r.label,
                    file: &rs.display,
                    line: at.line,
                    column: at.column,
                }
            })
            .collect(),
        fix: f.fix.as_ref().map(|fix| JsonFix {
            title: &fix.title,
            applicability: match fix.applicability {
                crate::finding::Applicability::Safe => "safe",
                crate::finding::Applicability::Unsafe => "unsafe",
                crate::finding::Applicability::DisplayOnly => "display-only",
            },
            edits: fix
                .edits
                .iter()
                .map(|e| {
                    let (start, end) = super::start_end(source, e.span);
                    JsonEdit {
                        line: start.line,
                        column: start.column,
                        end_line: end.line,
                        end_column: end.column,
                        start_offset: e.span.start,
                        end_offset: e.span.end,
                        replacement: &e.replacement,
                    }
                })
                .collect(),
        }),
    }
}
