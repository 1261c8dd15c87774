//! Findings: what a rule reports, with where and how bad.

pub mod identity;

use std::fmt;

use serde::Serialize;

use crate::model::Related;
use crate::source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }

    /// One step less severe (used when a condition scopes a finding).
    pub fn lowered(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            Severity::Low | Severity::Info => Severity::Info,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Grants more than needed.
    OverPrivilege,
    /// A policy that does not mean what its author thinks, or does not load.
    PolicyMistake,
    /// Permission combinations that enable escalation, exfiltration or exposure.
    Risk,
    /// Lambda configuration practice.
    LambdaPractice,
    /// About iamlint's own configuration (suppressions).
    Meta,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::OverPrivilege => "over-privilege",
            Category::PolicyMistake => "policy-mistake",
            Category::Risk => "risk",
            Category::LambdaPractice => "lambda-practice",
            Category::Meta => "meta",
        }
    }
}

/// Static description of a rule.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub summary: &'static str,
    /// The Markdown doc from `rules/<name>.md`, embedded at build time.
    pub doc: &'static str,
}

/// A text replacement on the original file's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// Whether `--fix` may apply a fix without asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Keeps the meaning of the policy (e.g. removing a redundant action).
    Safe,
    /// Narrows permissions and may break the function: review before applying.
    Unsafe,
    /// Shown as a suggestion only.
    DisplayOnly,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub file: FileId,
    pub span: Span,
    pub message: String,
    pub help: String,
    pub related: Vec<Related>,
    /// Spans holding secrets: every reporter redacts them.
    pub sensitive: Vec<Span>,
    pub fix: Option<Fix>,
    /// Set by a rule when a rule option accepts what it flagged (`allowed-actions`): the
    /// finding is reported as suppressed, with this reason.
    pub accepted: Option<String>,
}

impl Finding {
    pub fn new(
        rule: &'static RuleMeta,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            severity: rule.severity,
            file,
            span,
            message: message.into(),
            help: String::new(),
            related: Vec::new(),
            sensitive: Vec::new(),
            fix: None,
            accepted: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn related(mut self, related: impl IntoIterator<Item = Related>) -> Self {
        self.related.extend(related);
        self
    }

    pub fn sensitive(mut self, span: Span) -> Self {
        self.sensitive.push(span);
        self
    }

    /// Attach a fix; `None` (a fix that could not be built) keeps the finding without one.
    pub fn fix(mut self, fix: impl Into<Option<Fix>>) -> Self {
        self.fix = fix.into();
        self
    }

    pub fn accepted(mut self, reason: Option<String>) -> Self {
        self.accepted = reason;
        self
    }

    /// Report order: file, position, rule code.
    pub fn sort_key(&self) -> (FileId, u32, u32, &'static str) {
        (self.file, self.span.start, self.span.end, self.rule.code)
    }
}
