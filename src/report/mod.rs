//! Reporters: turn findings and sources into human text, JSON and other formats.

pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use std::borrow::Cow;

use crate::finding::{Finding, Severity};
use crate::lint::Outcome;
use crate::source::{LineCol, SourceFile, Span};

/// A source's text with every secret span masked, same byte length so spans stay valid.
pub fn redacted_text<'a>(source: &'a SourceFile, findings: &[&Finding]) -> Cow<'a, str> {
    let spans: Vec<Span> = findings
        .iter()
        .flat_map(|f| f.sensitive.iter().copied())
        .collect();
    if spans.is_empty() {
        return Cow::Borrowed(&source.text);
    }
    let mut text = source.text.clone();
    for span in spans {
        let Some(secret) = source.text.get(span.range()) else {
            continue;
        };
        text.replace_range(span.range(), &mask(secret));
    }
    Cow::Owned(text)
}

/// Keep a short prefix for recognition and replace the rest with `*`, byte for byte.
pub fn mask(secret: &str) -> String {
    let keep = if secret.chars().count() >= 12 { 4 } else { 0 };
    secret
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i < keep {
                c.to_string()
            } else {
                "*".repeat(c.len_utf8())
            }
        })
        .collect()
}

/// Counts per severity, most severe first.
pub fn severity_counts(findings: &[Finding]) -> Vec<(Severity, usize)> {
    Severity::ALL
        .iter()
        .map(|&s| (s, findings.iter().filter(|f| f.severity == s).count()))
        .collect()
}

pub fn start_end(source: &SourceFile, span: Span) -> (LineCol, LineCol) {
    (source.line_col(span.start), source.line_col(span.end))
}

/// One-line summary for the end of a run.
pub fn summary_line(outcome: &Outcome) -> String {
    let counts: Vec<String> = severity_counts(&outcome.findings)
        .into_iter()
        .filter(|&(_, n)| n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let findings = match outcome.findings.len() {
        0 => "no findings".to_string(),
        1 => format!("1 finding ({})", counts.join(", ")),
        n => format!("{n} findings ({})", counts.join(", ")),
    };
    let files = match outcome.files_linted {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    let errors = match outcome.errors.len() {
        0 => String::new(),
        1 => ", 1 file could not be read".to_string(),
        n => format!(", {n} files could not be read"),
    };
    format!("{findings} in {files}{errors}")
}
