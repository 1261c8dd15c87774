//! Personas, as in zizmor: who is reading decides which findings a run shows.
//!
//! - `regular` (the default) shows what a reviewer must act on.
//! - `pedantic` adds advice: info-level findings (reserved concurrency, X-Ray tracing) and a
//!   missing `Version` in a policy that uses no policy variables, where the 2008 language
//!   reads the policy exactly as the 2012 one would.
//! - `auditor` shows everything, suppressed findings included (as `--show-suppressed`).
//!
//! The selection happens after linting, on the findings: rules stay unaware of it, every
//! reporter sees the same list, and hidden findings never decide the exit code. A rule named
//! explicitly in `--select` (by name or code, not by category) is always shown: asking for
//! a rule and getting nothing back would be a trap.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::source::SourceFile;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Persona {
    #[default]
    Regular,
    Pedantic,
    Auditor,
}

impl Persona {
    pub const ALL: [Persona; 3] = [Persona::Regular, Persona::Pedantic, Persona::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Persona::Regular => "regular",
            Persona::Pedantic => "pedantic",
            Persona::Auditor => "auditor",
        }
    }

    pub fn parse(text: &str) -> Option<Persona> {
        Persona::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(text))
    }

    /// Whether suppressed findings are listed too.
    pub fn shows_suppressed(self) -> bool {
        self == Persona::Auditor
    }

    fn shows(self, tier: Tier) -> bool {
        match tier {
            Tier::Act => true,
            Tier::Advice => self >= Persona::Pedantic,
        }
    }
}

impl std::fmt::Display for Persona {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding asks of its reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// A problem to fix or to suppress with a reason.
    Act,
    /// Good practice that changes no permission; worth knowing, not worth a failed build.
    Advice,
}

/// Rules whose findings are advice at their default severity, beyond those whose default
/// is already `info`.
const ADVICE_RULES: &[&str] = &["lambda-no-reserved-concurrency", "lambda-no-tracing"];

const MISSING_VERSION: &str = "missing-version";

/// Whether a rule gives advice rather than reporting a problem.
pub fn is_advice_rule(rule: &RuleMeta) -> bool {
    rule.severity == Severity::Info || ADVICE_RULES.contains(&rule.name)
}

/// The tier of one finding. A severity raised above the rule's default (`[severity]` in
/// the config) makes advice a problem again: someone decided it matters.
pub fn tier(finding: &Finding, sources: &[SourceFile]) -> Tier {
    let rule = finding.rule;
    let raised = finding.severity > rule.severity;
    if finding.severity == Severity::Info {
        return Tier::Advice;
    }
    if raised {
        return Tier::Act;
    }
    if is_advice_rule(rule) {
        return Tier::Advice;
    }
    // Without policy variables, the 2008 and 2012 languages read a policy the same way.
    // The whole file is searched (the finding marks only the policy's start), so a
    // variable anywhere in it keeps the finding: better shown once too often than hidden.
    if rule.name == MISSING_VERSION {
        let uses_variables = sources
            .get(finding.file)
            .is_none_or(|source| has_policy_variable(&source.text));
        if !uses_variables {
            return Tier::Advice;
        }
    }
    Tier::Act
}

/// Keep the findings `persona` shows in `findings` and return the hidden ones, in order.
/// `named` are the `--select` keys: a finding of a rule named there by name or code stays.
pub fn select(
    persona: Persona,
    findings: &mut Vec<Finding>,
    sources: &[SourceFile],
    named: &[String],
) -> Vec<Finding> {
    let (shown, hidden): (Vec<Finding>, Vec<Finding>) =
        std::mem::take(findings).into_iter().partition(|f| {
            persona.shows(tier(f, sources))
                || named.iter().any(|key| {
                    f.rule.name.eq_ignore_ascii_case(key) || f.rule.code.eq_ignore_ascii_case(key)
                })
        });
    *findings = shown;
    hidden
}

/// The summary-line note about hidden findings: "12 advice findings hidden; --persona
/// pedantic shows them". `None` when nothing was hidden.
pub fn hidden_note(hidden: usize) -> Option<String> {
    match hidden {
        0 => None,
        1 => Some("1 advice finding hidden; --persona pedantic shows it".to_string()),
        n => Some(format!(
            "{n} advice findings hidden; --persona pedantic shows them"
        )),
    }
}

/// Serverless Framework variable sources: `${self:custom.x}` is not a policy variable.
const SERVERLESS_SOURCES: &[&str] = &["self", "opt", "env", "sls", "file", "ssm", "cf", "param"];

/// Whether `text` holds an IAM policy variable: `${aws:username}`, `${aws:PrincipalTag/team}`,
/// `${cognito-identity.amazonaws.com:sub}`, `${*}`, `${?}`, `${$}`, also escaped for
/// CloudFormation `!Sub` (`${!aws:username}`) or Terraform (`&{aws:username}`).
/// CloudFormation's own `${AWS::Region}` and Terraform's `${var.x}` are not.
pub fn has_policy_variable(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 2 < bytes.len() {
        if (bytes[i] == b'$' || bytes[i] == b'&') && bytes[i + 1] == b'{' {
            let rest = &text[i + 2..];
            let rest = rest.strip_prefix('!').unwrap_or(rest);
            if is_variable(rest) {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// Whether `rest` (the text after `${`) starts a policy variable.
fn is_variable(rest: &str) -> bool {
    if ["*}", "?}", "$}"].iter().any(|s| rest.starts_with(s)) {
        return true;
    }
    let prefix_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let (prefix, after) = rest.split_at(prefix_len);
    !prefix.is_empty()
        && after.starts_with(':')
        && !after.starts_with("::")
        && !SERVERLESS_SOURCES.contains(&prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Category;
    use crate::source::Span;

    static ACT: RuleMeta = meta("wildcard-resource", Severity::Medium);
    static TRACING: RuleMeta = meta("lambda-no-tracing", Severity::Info);
    static CONCURRENCY: RuleMeta = meta("lambda-no-reserved-concurrency", Severity::Low);
    static VERSION: RuleMeta = meta("missing-version", Severity::Low);

    const fn meta(name: &'static str, severity: Severity) -> RuleMeta {
        RuleMeta {
            code: "TST001",
            name,
            category: Category::LambdaPractice,
            severity,
            summary: "",
            doc: "",
        }
    }

    fn source(text: &str) -> SourceFile {
        SourceFile::new("p.json".into(), "p.json".into(), text.to_string())
    }

    fn finding(rule: &'static RuleMeta) -> Finding {
        Finding::new(rule, 0, Span::new(0, 1), "m")
    }

    #[test]
    fn advice_is_info_level_or_a_listed_rule_at_its_default_severity() {
        let sources = [source("{}")];
        assert_eq!(tier(&finding(&ACT), &sources), Tier::Act);
        assert_eq!(tier(&finding(&TRACING), &sources), Tier::Advice);
        assert_eq!(tier(&finding(&CONCURRENCY), &sources), Tier::Advice);
        // Scoped down to info by a condition: advice too.
        let lowered = finding(&ACT).severity(Severity::Info);
        assert_eq!(tier(&lowered, &sources), Tier::Advice);
        // Raised by the config: the user wants to see it.
        let raised = finding(&TRACING).severity(Severity::High);
        assert_eq!(tier(&raised, &sources), Tier::Act);
    }

    #[test]
    fn missing_version_is_advice_only_without_policy_variables() {
        let plain = [source(
            r#"{"Statement": [{"Resource": "arn:aws:s3:::b/*"}]}"#,
        )];
        let vars = [source(
            r#"{"Statement": [{"Resource": "arn:aws:s3:::b/${aws:username}/*"}]}"#,
        )];
        assert_eq!(tier(&finding(&VERSION), &plain), Tier::Advice);
        assert_eq!(tier(&finding(&VERSION), &vars), Tier::Act);
        // No source to look at: keep it.
        assert_eq!(tier(&finding(&VERSION), &[]), Tier::Act);
    }

    #[test]
    fn policy_variables_are_told_from_template_substitutions() {
        for text in [
            "arn:aws:s3:::b/${aws:username}",
            "${aws:PrincipalTag/team}",
            "!Sub arn:${AWS::Partition}:s3:::b/${!aws:userid}",
            "\"arn:aws:s3:::b/&{aws:username}\"",
            "${cognito-identity.amazonaws.com:sub}",
            "a${*}b",
            "${s3:prefix}",
        ] {
            assert!(has_policy_variable(text), "{text}");
        }
        for text in [
            "",
            "${",
            "$",
            "!Sub arn:${AWS::Partition}:s3:::${Bucket}/*",
            "${var.bucket_arn}",
            "${self:custom.bucket}",
            "${opt:stage, 'dev'}",
            "${aws_s3_bucket.b.arn}",
            "é${",
        ] {
            assert!(!has_policy_variable(text), "{text}");
        }
    }

    #[test]
    fn each_persona_shows_more_and_named_rules_always_show() {
        let sources = [source("{}")];
        let all = || vec![finding(&ACT), finding(&TRACING), finding(&VERSION)];
        let mut shown = all();
        let hidden = select(Persona::Regular, &mut shown, &sources, &[]);
        assert_eq!(shown.len(), 1);
        assert_eq!(hidden.len(), 2);
        let mut shown = all();
        assert!(select(Persona::Pedantic, &mut shown, &sources, &[]).is_empty());
        assert_eq!(shown.len(), 3);
        let mut shown = all();
        assert!(select(Persona::Auditor, &mut shown, &sources, &[]).is_empty());
        let mut shown = all();
        let named = ["LAMBDA-NO-TRACING".to_string()];
        let hidden = select(Persona::Regular, &mut shown, &sources, &named);
        assert_eq!(shown.len(), 2);
        assert_eq!(hidden.len(), 1);
    }

    #[test]
    fn names_parse_and_notes_count() {
        assert_eq!(Persona::parse("Pedantic"), Some(Persona::Pedantic));
        assert_eq!(Persona::parse("admin"), None);
        assert_eq!(hidden_note(0), None);
        assert_eq!(
            hidden_note(1).as_deref(),
            Some("1 advice finding hidden; --persona pedantic shows it")
        );
        assert!(hidden_note(12).is_some_and(|n| n.starts_with("12 advice findings hidden")));
    }
}
