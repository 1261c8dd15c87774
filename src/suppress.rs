//! Suppressions: inline `# iamlint: ignore[rule] reason` comments (YAML, HCL), CloudFormation
//! `Metadata: {iamlint: {ignore: [...]}}`, `[[suppress]]` entries and rule options from the
//! config file.
//!
//! Runs per file after the rules. A suppressed finding is kept aside with its reason for
//! `--show-suppressed`. Suppressions that silence nothing, lack a reason or name no rule
//! become `unused-suppression` (SUP001) findings, made here with that rule's metadata.
//!
//! Comment scope: a trailing comment covers its own line, a comment on a line of its own
//! covers the next line that is not blank or a comment. When that line starts a template
//! resource or a policy statement, the suppression covers all of it.

use crate::config::Config;
use crate::finding::{Finding, RuleMeta};
use crate::load::{Loaded, HASH_COMMENTS};
use crate::rules::{self, Rule};
use crate::source::{FileId, SourceFile, Span};

/// Code of the rule whose findings this pass creates.
pub const UNUSED_SUPPRESSION: &str = "SUP001";

/// Where the suppression of a finding was declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressedBy {
    Comment,
    Metadata,
    Config,
    RuleOption,
}

impl SuppressedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressedBy::Comment => "comment",
            SuppressedBy::Metadata => "metadata",
            SuppressedBy::Config => "config",
            SuppressedBy::RuleOption => "rule-option",
        }
    }
}

/// A finding hidden by a suppression, with the suppression's reason.
#[derive(Clone, Debug)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
    pub by: SuppressedBy,
}

/// What the pass needs to know about one file.
pub struct FileInput<'a> {
    pub source: &'a SourceFile,
    /// The file's id in the run; the unit it belongs to may hold other files too.
    pub file: FileId,
    pub loaded: &'a Loaded,
    /// The file's path as config patterns see it (`Config::relative_path`).
    pub relative_path: &'a str,
    pub config: &'a Config,
    /// Enabled rules: suppressions of other rules are neither applied nor reported unused.
    pub rules: &'a [&'static dyn Rule],
}

#[derive(Debug, Default)]
pub struct FilePass {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    /// Indices of config `[[suppress]]` entries (for enabled rules) whose path matched.
    pub config_matched: Vec<usize>,
    /// Indices of config `[[suppress]]` entries that suppressed a finding here.
    pub config_used: Vec<usize>,
}

/// The region a suppression covers.
#[derive(Debug, Default, Clone)]
struct Scope {
    line: Option<usize>,
    spans: Vec<Span>,
    whole_file: bool,
}

impl Scope {
    fn covers(&self, line: usize, span: Span) -> bool {
        self.whole_file
            || self.line == Some(line)
            || self
                .spans
                .iter()
                .any(|s| s.start <= span.start && (span.start < s.end || span.start == s.start))
    }
}

/// One rule silenced by one suppression.
struct Active {
    rule: &'static RuleMeta,
    /// Where an unused suppression is reported.
    at: Span,
    reason: String,
    scope: Scope,
    by: SuppressedBy,
    config_index: Option<usize>,
    used: bool,
}

/// A comment's text (after `#`), read as a suppression.
#[derive(Debug, PartialEq, Eq)]
enum Directive<'t> {
    /// Not addressed to iamlint.
    None,
    /// Starts with `iamlint:` but is not `ignore[...]`.
    Malformed,
    /// Rule names or codes with their byte offset in the text, and the reason (maybe empty).
    Ignore {
        rules: Vec<(usize, &'t str)>,
        reason: &'t str,
    },
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn parse_directive(text: &str) -> Directive<'_> {
    let Some(rest) = strip_prefix_ignore_case(text.trim_start(), "iamlint:") else {
        return Directive::None;
    };
    let Some(rest) = strip_prefix_ignore_case(rest.trim_start(), "ignore") else {
        return Directive::Malformed;
    };
    let Some(inner) = rest.trim_start().strip_prefix('[') else {
        return Directive::Malformed;
    };
    let Some(close) = inner.find(']') else {
        return Directive::Malformed;
    };
    // `inner` is a suffix of `text`, so offsets carry over.
    let list_start = text.len() - inner.len();
    let mut rules = Vec::new();
    let mut offset = list_start;
    for part in inner[..close].split(',') {
        let name = part.trim();
        if name.is_empty() {
            return Directive::Malformed;
        }
        rules.push((offset + (part.len() - part.trim_start().len()), name));
        offset += part.len() + 1;
    }
    let reason = inner[close + 1..]
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—'))
        .trim_end();
    Directive::Ignore { rules, reason }
}

/// Apply every suppression to one file's findings.
pub fn apply(input: &FileInput<'_>, findings: Vec<Finding>) -> FilePass {
    let mut pass = FilePass::default();
    let sup_meta = input
        .rules
        .iter()
        .map(|r| r.meta())
        .find(|m| m.code == UNUSED_SUPPRESSION);
    let enabled = |meta: &RuleMeta| input.rules.iter().any(|r| r.meta().code == meta.code);
    let mut problems: Vec<Finding> = Vec::new();
    let mut problem = |span: Span, message: String, help: String| {
        if let Some(meta) = sup_meta {
            problems.push(Finding::new(meta, 0, span, message).help(help));
        }
    };

    let mut active: Vec<Active> = Vec::new();
    read_comments(input, &mut active, &mut problem, &enabled);
    read_metadata(input, &mut active, &mut problem, &enabled);
    for (index, entry) in input.config.suppress.iter().enumerate() {
        if !entry.matches(input.relative_path) || !enabled(entry.rule) {
            continue;
        }
        pass.config_matched.push(index);
        let scope = match &entry.sid {
            Some(sid) => Scope {
                spans: statement_spans(input)
                    .filter(|(s, _)| s.as_deref() == Some(sid.as_str()))
                    .map(|(_, span)| span)
                    .collect(),
                ..Scope::default()
            },
            None => Scope {
                whole_file: true,
                ..Scope::default()
            },
        };
        active.push(Active {
            rule: entry.rule,
            at: entry.span,
            reason: entry.reason.clone(),
            scope,
            by: SuppressedBy::Config,
            config_index: Some(index),
            used: false,
        });
    }

    let (kept, mut suppressed) = split(input, findings, &mut active);
    pass.findings = kept;

    // Suppressions that silenced nothing. Those of SUP001 itself are never reported.
    for a in &active {
        if a.used || a.rule.code == UNUSED_SUPPRESSION {
            continue;
        }
        match a.by {
            SuppressedBy::Comment | SuppressedBy::Metadata => problem(
                a.at,
                format!("suppression of `{}` silences no finding", a.rule.name),
                "remove the suppression, or this rule from its list".into(),
            ),
            SuppressedBy::Config | SuppressedBy::RuleOption => {}
        }
    }
    // Second round: SUP001 findings may themselves be suppressed.
    let (kept_problems, more) = split(input, problems, &mut active);
    pass.findings.extend(kept_problems);
    suppressed.extend(more);
    pass.suppressed = suppressed;
    pass.config_used = active
        .iter()
        .filter(|a| a.used)
        .filter_map(|a| a.config_index)
        .collect();
    pass
}

fn is_online_name(name: &str) -> bool {
    name.len() > ONLINE_PREFIX.len()
        && name.is_char_boundary(ONLINE_PREFIX.len())
        && name[..ONLINE_PREFIX.len()].eq_ignore_ascii_case(ONLINE_PREFIX)
}

const ONLINE_PREFIX: &str = "access-analyzer/";

/// Inline comment suppressions of online findings (`# iamlint: ignore[access-analyzer/CODE]
/// reason`), which have no entry in the rule registry: returns the findings kept and those
/// suppressed. Comments without a reason suppress nothing (the offline pass reports them).
pub fn apply_named(
    source: &SourceFile,
    file: FileId,
    loaded: &Loaded,
    findings: Vec<Finding>,
) -> (Vec<Finding>, Vec<Suppressed>) {
    let Some(document) = loaded.file(file) else {
        return (findings, Vec::new());
    };
    let config = Config::default();
    let input = FileInput {
        source,
        file,
        loaded,
        relative_path: "",
        config: &config,
        rules: &[],
    };
    let mut named: Vec<(String, String, Scope)> = Vec::new();
    for comment in &document.comments {
        if let Directive::Ignore { rules, reason } = parse_directive(&comment.text) {
            if reason.is_empty() {
                continue;
            }
            let scope = comment_scope(&input, comment.span);
            for (_, name) in rules.into_iter().filter(|(_, n)| is_online_name(n)) {
                named.push((name.to_string(), reason.to_string(), scope.clone()));
            }
        }
    }
    if named.is_empty() {
        return (findings, Vec::new());
    }
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for finding in findings {
        let line = source.line_col(finding.span.start).line;
        let by = named.iter().find(|(name, _, scope)| {
            (name.eq_ignore_ascii_case(finding.rule.code)
                || name.eq_ignore_ascii_case(finding.rule.name))
                && scope.covers(line, finding.span)
        });
        match by {
            Some((_, reason, _)) => suppressed.push(Suppressed {
                finding,
                reason: reason.clone(),
                by: SuppressedBy::Comment,
            }),
            None => kept.push(finding),
        }
    }
    (kept, suppressed)
}

/// `unused-suppression` findings in the config file for `[[suppress]]` entries (by index)
/// whose path matched a linted file but that silenced nothing. `file` is the id the config
/// file will have among the run's sources.
pub fn unused_config_entries(
    config: &Config,
    unused: &[usize],
    rules: &[&'static dyn Rule],
    file: FileId,
) -> Vec<Finding> {
    let Some(meta) = rules
        .iter()
        .map(|r| r.meta())
        .find(|m| m.code == UNUSED_SUPPRESSION)
    else {
        return Vec::new();
    };
    unused
        .iter()
        .filter_map(|&i| config.suppress.get(i))
        .filter(|entry| entry.rule.code != UNUSED_SUPPRESSION)
        .map(|entry| {
            let place = match &entry.sid {
                Some(sid) => format!("statement `{sid}` of `{}`", entry.path),
                None => format!("`{}`", entry.path),
            };
            let mut finding = Finding::new(
                meta,
                file,
                entry.span,
                format!(
                    "suppression of `{}` in {place} silences no finding",
                    entry.rule.name
                ),
            )
            .help("remove the [[suppress]] entry, or correct its path or sid");
            config.adjust_severity(&mut finding);
            finding
        })
        .collect()
}

/// Separate suppressed findings from kept ones, marking the suppressions that matched.
fn split(
    input: &FileInput<'_>,
    findings: Vec<Finding>,
    active: &mut [Active],
) -> (Vec<Finding>, Vec<Suppressed>) {
    if active.is_empty() && findings.iter().all(|f| f.accepted.is_none()) {
        // Nothing can suppress: skip the line lookups (most files have no suppressions).
        return (findings, Vec::new());
    }
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for finding in findings {
        let line = input.source.line_col(finding.span.start).line;
        let mut first: Option<(String, SuppressedBy)> = None;
        for a in active.iter_mut() {
            if a.rule.code == finding.rule.code && a.scope.covers(line, finding.span) {
                a.used = true;
                first.get_or_insert_with(|| (a.reason.clone(), a.by));
            }
        }
        if let (None, Some(reason)) = (&first, &finding.accepted) {
            first = Some((reason.clone(), SuppressedBy::RuleOption));
        }
        match first {
            Some((reason, by)) => suppressed.push(Suppressed {
                finding,
                reason,
                by,
            }),
            None => kept.push(finding),
        }
    }
    (kept, suppressed)
}

/// The statements written in this file, with their Sids.
fn statement_spans<'a>(
    input: &'a FileInput<'_>,
) -> impl Iterator<Item = (Option<String>, Span)> + 'a {
    let file = input.file;
    let policies = input.loaded.model.policies.iter();
    policies.filter(move |p| p.file == file).flat_map(|p| {
        p.statements
            .iter()
            .map(|s| (s.sid.as_ref().map(|sid| sid.value.clone()), s.span))
    })
}

fn read_comments(
    input: &FileInput<'_>,
    active: &mut Vec<Active>,
    problem: &mut impl FnMut(Span, String, String),
    enabled: &impl Fn(&RuleMeta) -> bool,
) {
    let Some(file) = input.loaded.file(input.file) else {
        return;
    };
    let example = file
        .comment_syntax
        .map_or(HASH_COMMENTS.example, |c| c.example);
    let source = input.source;
    for comment in &file.comments {
        let directive = parse_directive(&comment.text);
        let (rules, reason) = match directive {
            Directive::None => continue,
            Directive::Malformed => {
                problem(
                    comment.span,
                    format!(
                        "suppression comment `{}` is malformed",
                        source.slice(comment.span).trim()
                    ),
                    format!("write `{example}`"),
                );
                continue;
            }
            Directive::Ignore { rules, reason } => (rules, reason),
        };
        let text_start = comment.text_start as usize;
        if reason.is_empty() {
            let names: Vec<&str> = rules.iter().map(|(_, n)| *n).collect();
            problem(
                comment.span,
                format!("suppression of `{}` has no reason", names.join(", ")),
                format!(
                    "say why after the brackets: `# iamlint: ignore[{}] <reason>`",
                    names.join(", ")
                ),
            );
            continue;
        }
        let scope = comment_scope(input, comment.span);
        for (offset, name) in rules {
            let at = Span::new(text_start + offset, text_start + offset + name.len());
            // `access-analyzer/CODE` names findings of online mode, applied by `apply_named`.
            if is_online_name(name) {
                continue;
            }
            let Some(rule) = rules::find(name).map(|r| r.meta()) else {
                problem(
                    at,
                    format!("suppression names unknown rule `{name}`"),
                    format!(
                        "use a rule name or code from `iamlint rules`{}",
                        crate::rules::selection::suggestion(name)
                    ),
                );
                continue;
            };
            if !enabled(rule) {
                continue;
            }
            active.push(Active {
                rule,
                at,
                reason: reason.to_string(),
                scope: scope.clone(),
                by: SuppressedBy::Comment,
                config_index: None,
                used: false,
            });
        }
    }
}

/// The line a comment applies to and, when a resource or statement starts there, its span.
fn comment_scope(input: &FileInput<'_>, comment: Span) -> Scope {
    let source = input.source;
    let file = input.loaded.file(input.file);
    let markers = file
        .and_then(|f| f.comment_syntax)
        .map_or(HASH_COMMENTS.line_markers, |c| c.line_markers);
    let at = source.line_col(comment.start);
    let before: String = source
        .line_text(at.line)
        .chars()
        .take(at.column - 1)
        .collect();
    let target = if before.trim().is_empty() {
        (at.line + 1..=source.line_count()).find(|&l| {
            let text = source.line_text(l).trim();
            !text.is_empty() && !markers.iter().any(|m| text.starts_with(m))
        })
    } else {
        Some(at.line)
    };
    let Some(target) = target else {
        return Scope::default();
    };
    let starts_on_target = |span: &Span| source.line_col(span.start).line == target;
    let resources = file.map(|f| f.resources.as_slice()).unwrap_or_default();
    let mut spans: Vec<Span> = resources.iter().copied().filter(starts_on_target).collect();
    if spans.is_empty() {
        spans = statement_spans(input)
            .map(|(_, span)| span)
            .filter(starts_on_target)
            .collect();
    }
    Scope {
        line: Some(target),
        spans,
        whole_file: false,
    }
}

fn read_metadata(
    input: &FileInput<'_>,
    active: &mut Vec<Active>,
    problem: &mut impl FnMut(Span, String, String),
    enabled: &impl Fn(&RuleMeta) -> bool,
) {
    let declared_here = input
        .loaded
        .file(input.file)
        .map(|f| f.suppressions.as_slice());
    for declared in declared_here.unwrap_or_default() {
        let name = declared.rule.value.as_str();
        let Some(rule) = rules::find(name).map(|r| r.meta()) else {
            problem(
                declared.rule.span,
                format!("suppression names unknown rule `{name}`"),
                format!(
                    "use a rule name or code from `iamlint rules`{}",
                    crate::rules::selection::suggestion(name)
                ),
            );
            continue;
        };
        let reason = declared.reason.as_deref().map(str::trim).unwrap_or("");
        if reason.is_empty() {
            problem(
                declared.rule.span,
                format!("suppression of `{name}` has no reason"),
                "add a `reason` next to the `rule` in the resource's Metadata".into(),
            );
            continue;
        }
        if !enabled(rule) {
            continue;
        }
        active.push(Active {
            rule,
            at: declared.rule.span,
            reason: reason.to_string(),
            scope: Scope {
                spans: vec![declared.scope],
                ..Scope::default()
            },
            by: SuppressedBy::Metadata,
            config_index: None,
            used: false,
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn parses_directives() {
        assert_eq!(parse_directive(" just a comment"), Directive::None);
        assert_eq!(parse_directive(" iamlint: skip this"), Directive::Malformed);
        assert_eq!(parse_directive(" iamlint: ignore[]"), Directive::Malformed);
        assert_eq!(
            parse_directive(" iamlint: ignore[a,,b] x"),
            Directive::Malformed
        );
        let text = " iamlint: ignore[wildcard-action, IAM003] - break-glass role ";
        match parse_directive(text) {
            Directive::Ignore { rules, reason } => {
                assert_eq!(reason, "break-glass role");
                assert_eq!(rules.len(), 2);
                for (offset, name) in rules {
                    assert_eq!(&text[offset..offset + name.len()], name);
                }
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_directive("IAMLINT:ignore [x]"),
            Directive::Ignore { reason: "", .. }
        ));
    }

    /// Runs a fixed set of rules, so rules added later do not change these results.
    fn run(text: &str, config: &Config) -> (FilePass, SourceFile) {
        let rules: Vec<&'static dyn Rule> = [
            "wildcard-action",
            "service-wildcard-action",
            "wildcard-resource",
            "not-action",
            UNUSED_SUPPRESSION,
        ]
        .iter()
        .map(|name| rules::find(name).unwrap())
        .collect();
        let source = SourceFile::new("p.yaml".into(), "p.yaml".into(), text.into());
        let loaded = crate::load::load(0, &source, true).unwrap();
        let mut findings = Vec::new();
        crate::rules::check_model(&loaded.model, &rules, &config.rule_settings, &mut findings);
        let pass = apply(
            &FileInput {
                source: &source,
                file: 0,
                loaded: &loaded,
                relative_path: "p.yaml",
                config,
                rules: &rules,
            },
            findings,
        );
        (pass, source)
    }

    fn lines(pass: &FilePass, source: &SourceFile) -> Vec<String> {
        let mut out: Vec<String> = pass
            .findings
            .iter()
            .map(|f| format!("{} {}", source.line_col(f.span.start).line, f.rule.name))
            .collect();
        out.sort();
        out
    }

    const POLICY: &str = "Version: \"2012-10-17\"\nStatement:\n  - Sid: Admin\n    Effect: Allow\n    Action: \"s3:*\"\n    Resource: \"*\"\n";

    #[test]
    fn without_suppressions_both_rules_fire() {
        let (pass, source) = run(POLICY, &Config::default());
        assert_eq!(
            lines(&pass, &source),
            ["5 service-wildcard-action", "6 wildcard-resource"]
        );
    }

    #[test]
    fn trailing_and_own_line_comments_cover_one_line() {
        let text = POLICY
            .replace(
                "Action: \"s3:*\"\n",
                "Action: \"s3:*\" # iamlint: ignore[service-wildcard-action, not-action] break-glass\n",
            )
            .replace(
                "    Resource",
                "    # iamlint: ignore[IAM003] needed\n    # other\n\n    Resource",
            );
        let (pass, source) = run(&text, &Config::default());
        assert_eq!(lines(&pass, &source), ["5 unused-suppression"]);
        assert!(pass.findings[0].message.contains("`not-action`"));
        assert_eq!(pass.suppressed.len(), 2);
        assert_eq!(pass.suppressed[0].reason, "break-glass");
    }

    #[test]
    fn comment_above_a_statement_covers_it() {
        let text = POLICY.replace(
            "  - Sid",
            "  # iamlint: ignore[wildcard-resource] r\n  - Sid",
        );
        let (pass, source) = run(&text, &Config::default());
        assert_eq!(lines(&pass, &source), ["6 service-wildcard-action"]);
    }

    #[test]
    fn reasonless_unknown_and_malformed_are_reported() {
        let text = format!(
            "# iamlint: ignore[service-wildcard-action]\n# iamlint: ignore[wildcard-actoin] typo\n# iamlint: off\n{POLICY}"
        );
        let (pass, source) = run(&text, &Config::default());
        assert_eq!(
            lines(&pass, &source),
            [
                "1 unused-suppression",
                "2 unused-suppression",
                "3 unused-suppression",
                "8 service-wildcard-action",
                "9 wildcard-resource"
            ]
        );
        assert!(pass
            .findings
            .iter()
            .any(|f| f.help.contains("did you mean `wildcard-action`")));
    }

    #[test]
    fn config_entries_by_sid_and_allowed_actions() {
        let config = Config::parse(
            "[[suppress]]\npath = \"p.yaml\"\nrule = \"service-wildcard-action\"\nsid = \"Admin\"\nreason = \"r\"\n[[suppress]]\npath = \"p.yaml\"\nrule = \"wildcard-resource\"\nsid = \"Other\"\nreason = \"r\"\n",
            Path::new("/x/iamlint.toml"),
            "iamlint.toml",
        )
        .unwrap();
        let (pass, source) = run(POLICY, &config);
        assert_eq!(lines(&pass, &source), ["6 wildcard-resource"]);
        assert_eq!(pass.config_matched, [0, 1]);
        assert_eq!(pass.config_used, [0]);

        let config = Config::parse(
            "[rules.service-wildcard-action]\nallowed-actions = [\"LOGS:*\"]\n",
            Path::new("/x/iamlint.toml"),
            "iamlint.toml",
        )
        .unwrap();
        let text = POLICY.replace(
            "\"s3:*\"\n    Resource",
            "[\"logs:*\", \"s3:*\"]\n    Resource",
        );
        let (pass, source) = run(&text, &config);
        assert_eq!(
            lines(&pass, &source),
            ["5 service-wildcard-action", "6 wildcard-resource"]
        );
        assert_eq!(pass.suppressed[0].by, SuppressedBy::RuleOption);
    }
}
