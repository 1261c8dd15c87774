//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! Every registered rule is listed with its doc as help, results carry 1-based regions with
//! character columns, redacted snippets, related locations, fixes and a stable partial
//! fingerprint. Load errors become tool execution notifications. Output is deterministic.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{redacted_text, start_end};
use crate::finding::identity;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::lint::Outcome;
use crate::rules::RULES;
use crate::source::{FileId, SourceFile, Span};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/iamlint/iamlint";
/// Key of our entry in `partialFingerprints`: the scheme of `finding::identity`, whose
/// suffix changes whenever the hash input does.
pub const FINGERPRINT_KEY: &str = identity::SCHEME;
const SRCROOT: &str = "%SRCROOT%";

#[derive(Clone, Debug, Default)]
pub struct SarifOptions {
    /// Extra entries for `tool.driver.properties`, e.g. `("catalogDate", "2025-06-01")`.
    pub tool_properties: Vec<(&'static str, String)>,
    /// Directory `%SRCROOT%` points at; the current directory when unset.
    pub src_root: Option<PathBuf>,
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    original_uri_base_ids: BTreeMap<&'static str, BaseUri>,
    artifacts: Vec<Artifact>,
    results: Vec<SarifResult<'a>>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    default_configuration: Configuration,
    help_uri: String,
    help: Help,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    code: &'static str,
    category: &'static str,
    tags: [&'static str; 2],
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct BaseUri {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    location: ArtifactLocation,
    length: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_language: Option<&'static str>,
    roles: [&'static str; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    /// Set for findings suppressed in the source or the config (`--show-suppressed`), so
    /// code scanning shows them as dismissed rather than open.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    properties: ResultProperties,
}

#[derive(Serialize)]
struct SarifSuppression {
    /// `inSource` (comment, template metadata) or `external` (config file).
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct ResultProperties {
    severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text,
    artifact_changes: [ArtifactChange<'a>; 1],
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    applicability: crate::finding::Applicability,
}

#[derive(Serialize)]
struct ArtifactChange<'a> {
    #[serde(rename = "artifactLocation")]
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Inserted<'a>,
}

#[derive(Serialize)]
struct Inserted<'a> {
    text: &'a str,
}

/// Write SARIF with default options (`%SRCROOT%` is the current directory).
pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    write_with(outcome, &SarifOptions::default(), out)
}

pub fn write_with(
    outcome: &Outcome,
    options: &SarifOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let metas = rule_metas(outcome);
    let rule_index: HashMap<&str, usize> =
        metas.iter().enumerate().map(|(i, m)| (m.name, i)).collect();

    // Each file's text with the secrets of all its findings masked: snippets only ever see
    // this text (fingerprints leave secrets out on their own).
    let mut by_file: Vec<Vec<&Finding>> = vec![Vec::new(); outcome.sources.len()];
    for finding in &outcome.findings {
        if let Some(list) = by_file.get_mut(finding.file) {
            list.push(finding);
        }
    }
    let redacted: Vec<Cow<'_, str>> = outcome
        .sources
        .iter()
        .zip(&by_file)
        .map(|(source, findings)| redacted_text(source, findings))
        .collect();
    let files = Files {
        sources: &outcome.sources,
        redacted: &redacted,
    };

    let src_root = options
        .src_root
        .clone()
        .or_else(|| std::env::current_dir().ok());
    let all: Vec<&Finding> = outcome
        .findings
        .iter()
        .chain(outcome.suppressed.iter().map(|s| &s.finding))
        .collect();
    // The shared identity with paths relative to `%SRCROOT%`; unsuppressed findings come
    // first so their fingerprints match the baseline's and JSON's.
    let fingerprints = identity::fingerprints(&outcome.sources, &all, src_root.as_deref());
    let results = all
        .iter()
        .zip(fingerprints)
        .zip(
            outcome
                .findings
                .iter()
                .map(|_| None)
                .chain(outcome.suppressed.iter().map(Some)),
        )
        .map(|((f, fingerprint), suppressed)| {
            let mut result = result(f, rule_index[f.rule.name], fingerprint, &files);
            if let Some(s) = suppressed {
                let kind = match s.by {
                    crate::suppress::SuppressedBy::Comment
                    | crate::suppress::SuppressedBy::Metadata => "inSource",
                    crate::suppress::SuppressedBy::Config
                    | crate::suppress::SuppressedBy::RuleOption => "external",
                };
                result.suppressions.push(SarifSuppression {
                    kind,
                    justification: s.reason.clone(),
                });
            }
            result
        })
        .collect();

    let notifications = outcome
        .errors
        .iter()
        .map(|e| {
            // No snippet: an error's position has no finding to say what is secret there.
            let region = e
                .file
                .zip(e.span)
                .map(|(file, span)| files.region(file, span));
            Notification {
                level: "error",
                message: Text {
                    text: e.message.clone(),
                },
                locations: vec![Location {
                    id: None,
                    physical_location: PhysicalLocation {
                        artifact_location: artifact_location(&e.path, e.file),
                        region,
                    },
                    message: None,
                }],
            }
        })
        .chain(outcome.notes.iter().map(|n| Notification {
            level: "note",
            message: Text {
                text: n.message.clone(),
            },
            locations: vec![Location {
                id: None,
                physical_location: files.physical(n.file, n.span),
                message: None,
            }],
        }))
        .collect();

    let original_uri_base_ids = src_root
        .map(|root| {
            (
                SRCROOT,
                BaseUri {
                    uri: dir_uri(&root),
                },
            )
        })
        .into_iter()
        .collect();

    let artifacts = outcome
        .sources
        .iter()
        .enumerate()
        .map(|(id, s)| Artifact {
            location: artifact_location(&s.display, Some(id)),
            length: s.text.len(),
            source_language: crate::load::language_of(&s.display),
            roles: ["analysisTarget"],
        })
        .collect();

    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "iamlint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: metas.iter().map(|m| rule(m)).collect(),
                    properties: options
                        .tool_properties
                        .iter()
                        .map(|(k, v)| (*k, v.as_str()))
                        .collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: outcome.errors.is_empty(),
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids,
            artifacts,
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
    writeln!(out)
}

/// Every registered rule, then any rule seen only in findings (kept for a valid `ruleIndex`).
fn rule_metas(outcome: &Outcome) -> Vec<&'static RuleMeta> {
    let mut metas: Vec<&'static RuleMeta> = RULES.iter().map(|r| r.meta()).collect();
    for finding in &outcome.findings {
        if !metas.iter().any(|m| m.name == finding.rule.name) {
            metas.push(finding.rule);
        }
    }
    metas
}

fn rule(meta: &'static RuleMeta) -> Rule {
    let doc = if meta.doc.trim().is_empty() {
        meta.summary
    } else {
        meta.doc
    };
    Rule {
        id: meta.name,
        name: camel_case(meta.name),
        short_description: Text {
            text: meta.summary.to_string(),
        },
        full_description: Text {
            text: doc_intro(meta.doc).unwrap_or_else(|| meta.summary.to_string()),
        },
        default_configuration: Configuration {
            level: level(meta.severity),
        },
        help_uri: format!("{INFORMATION_URI}/blob/main/rules/{}.md", meta.name),
        help: Help {
            text: doc,
            markdown: doc,
        },
        properties: RuleProperties {
            code: meta.code,
            category: meta.category.as_str(),
            tags: ["security", meta.category.as_str()],
            security_severity: security_severity(meta.severity),
        },
    }
}

fn result<'a>(
    f: &'a Finding,
    rule_index: usize,
    fingerprint: String,
    files: &Files<'_>,
) -> SarifResult<'a> {
    let related_locations = f
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| Location {
            id: Some(i + 1),
            physical_location: files.physical(r.file, r.span),
            message: Some(Text {
                text: r.label.clone(),
            }),
        })
        .collect();
    let fixes = f
        .fix
        .iter()
        .filter(|fix| !fix.edits.is_empty())
        .map(|fix| {
            let mut edits: Vec<_> = fix.edits.iter().collect();
            edits.sort_by_key(|e| (e.span.start, e.span.end));
            SarifFix {
                description: Text {
                    text: fix.title.clone(),
                },
                artifact_changes: [ArtifactChange {
                    artifact_location: files.artifact(f.file),
                    replacements: edits
                        .into_iter()
                        .map(|e| Replacement {
                            deleted_region: files.region(f.file, e.span),
                            inserted_content: Inserted {
                                text: &e.replacement,
                            },
                        })
                        .collect(),
                }],
                properties: FixProperties {
                    applicability: fix.applicability,
                },
            }
        })
        .collect();
    SarifResult {
        rule_id: f.rule.name,
        rule_index,
        level: level(f.severity),
        message: Text {
            text: message_text(f),
        },
        locations: [Location {
            id: None,
            physical_location: PhysicalLocation {
                region: Some(Region {
                    snippet: files.snippet(f.file, f.span),
                    ..files.region(f.file, f.span)
                }),
                artifact_location: files.artifact(f.file),
            },
            message: None,
        }],
        related_locations,
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
        fixes,
        suppressions: Vec::new(),
        properties: ResultProperties {
            severity: f.severity.as_str(),
        },
    }
}

/// The sources and their redacted texts, indexed by file id.
struct Files<'a> {
    sources: &'a [SourceFile],
    redacted: &'a [Cow<'a, str>],
}

impl Files<'_> {
    fn artifact(&self, file: FileId) -> ArtifactLocation {
        artifact_location(&self.sources[file].display, Some(file))
    }

    /// Region without snippet (used for fixes and errors).
    fn region(&self, file: FileId, span: Span) -> Region {
        let (start, end) = start_end(&self.sources[file], span);
        Region {
            start_line: start.line,
            start_column: start.column,
            end_line: end.line,
            end_column: end.column,
            snippet: None,
        }
    }

    /// The flagged text, with secrets masked.
    fn snippet(&self, file: FileId, span: Span) -> Option<Text> {
        let text = self.redacted[file].get(span.range())?;
        Some(Text {
            text: text.to_string(),
        })
    }

    fn physical(&self, file: FileId, span: Span) -> PhysicalLocation {
        PhysicalLocation {
            artifact_location: self.artifact(file),
            region: Some(Region {
                snippet: self.snippet(file, span),
                ..self.region(file, span)
            }),
        }
    }
}

/// `message. help`, or the message alone when there is no help.
fn message_text(f: &Finding) -> String {
    if f.help.is_empty() {
        f.message.clone()
    } else {
        format!("{}. {}", f.message, f.help)
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

/// The score GitHub code scanning maps to its critical/high/medium/low labels.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// `wildcard-action` -> `WildcardAction`.
fn camel_case(name: &str) -> String {
    name.split(['-', '_'])
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// The paragraph between a doc's title and its first section, on one line.
fn doc_intro(doc: &str) -> Option<String> {
    let body = doc.trim_start().strip_prefix('#').map_or(doc, |rest| {
        rest.split_once('\n').map_or("", |(_, after)| after)
    });
    let paragraph: Vec<&str> = body
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    (!paragraph.is_empty()).then(|| paragraph.join(" "))
}

/// A display path as an artifact location: relative paths resolve against `%SRCROOT%`,
/// absolute ones become `file:` URIs.
fn artifact_location(path: &str, index: Option<usize>) -> ArtifactLocation {
    let path = path.replace('\\', "/");
    if is_absolute(&path) {
        ArtifactLocation {
            uri: file_uri(&path),
            uri_base_id: None,
            index,
        }
    } else {
        ArtifactLocation {
            uri: percent_encode(&path),
            uri_base_id: Some(SRCROOT),
            index,
        }
    }
}

/// `file:///dir/` for a directory, with the trailing slash SARIF requires of base URIs.
fn dir_uri(dir: &Path) -> String {
    let mut path = dir.to_string_lossy().replace('\\', "/");
    if !path.ends_with('/') {
        path.push('/');
    }
    file_uri(&path)
}

fn is_absolute(path: &str) -> bool {
    path.starts_with('/') || has_drive(path)
}

/// `C:/...` (a Windows path after `\` became `/`).
fn has_drive(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/'
}

fn file_uri(path: &str) -> String {
    if has_drive(path) {
        format!("file:///{}{}", &path[..2], percent_encode(&path[2..]))
    } else {
        format!("file://{}", percent_encode(path))
    }
}

/// Percent-encode a `/`-separated path for a URI: everything but unreserved characters,
/// sub-delimiters, `@` and `/`. `:` is encoded so a relative path never reads as a scheme.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Applicability, Edit, Fix};
    use crate::lint::FileError;
    use crate::model::Related;

    const POLICY: &str = "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"arn:aws:s3:::b/AKIAIOSFODNN7EXAMPLE\"}\n  ]\n}\n";

    fn span_of(text: &str, needle: &str) -> Span {
        let start = text.find(needle).expect("needle in text");
        Span::new(start, start + needle.len())
    }

    fn outcome(text: &str, path: &str) -> Outcome {
        let meta = RULES[0].meta();
        let source = SourceFile::new(path.into(), path.into(), text.into());
        let action = span_of(text, "\"*\"");
        let secret = span_of(text, "AKIAIOSFODNN7EXAMPLE");
        let finding = Finding::new(meta, 0, action, "action `*` grants every action")
            .help("list only the actions the function calls")
            .related([Related {
                label: "resource".into(),
                file: 0,
                span: span_of(text, "\"arn:aws:s3:::b/AKIAIOSFODNN7EXAMPLE\""),
            }])
            .sensitive(secret)
            .fix(Fix {
                title: "replace `*` with `s3:GetObject`".into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: action,
                    replacement: "\"s3:GetObject\"".into(),
                }],
            });
        Outcome {
            sources: vec![source],
            findings: vec![finding],
            errors: vec![FileError {
                path: "bad dir/broken.json".into(),
                message: "invalid JSON: expected `,`".into(),
                file: None,
                span: None,
            }],
            files_linted: 1,
            ..Outcome::default()
        }
    }

    fn render(outcome: &Outcome) -> String {
        let options = SarifOptions {
            tool_properties: vec![("catalogDate", "2025-06-01".into())],
            src_root: Some("/work/my repo".into()),
        };
        let mut out = Vec::new();
        write_with(outcome, &options, &mut out).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    fn parse(text: &str) -> serde_json::Value {
        serde_json::from_str(text).expect("valid JSON")
    }

    #[test]
    fn lists_every_rule_with_github_properties() {
        let log = parse(&render(&outcome(POLICY, "p.json")));
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "iamlint");
        assert_eq!(driver["properties"]["catalogDate"], "2025-06-01");
        let rules = driver["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), RULES.len());
        let first = &rules[0];
        let meta = RULES[0].meta();
        assert_eq!(first["id"], meta.name);
        assert_eq!(first["name"], camel_case(meta.name));
        assert_eq!(first["help"]["markdown"], meta.doc);
        assert_eq!(first["properties"]["code"], meta.code);
        let score: f64 = first["properties"]["security-severity"]
            .as_str()
            .expect("string")
            .parse()
            .expect("number");
        assert!(score > 0.0);
        assert_eq!(
            first["helpUri"],
            format!(
                "https://github.com/iamlint/iamlint/blob/main/rules/{}.md",
                meta.name
            )
        );
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///work/my%20repo/"
        );
    }

    #[test]
    fn result_has_region_fingerprint_related_and_fix() {
        let log = parse(&render(&outcome(POLICY, "dir/p.json")));
        let result = &log["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], RULES[0].meta().name);
        assert_eq!(result["ruleIndex"], 0);
        assert_eq!(
            result["message"]["text"],
            "action `*` grants every action. list only the actions the function calls"
        );
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "dir/p.json");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &location["region"];
        assert_eq!(region["startLine"], 3);
        assert_eq!(region["startColumn"], 35);
        assert_eq!(region["endColumn"], 38);
        assert_eq!(region["snippet"]["text"], "\"*\"");
        let fingerprint = result["partialFingerprints"][FINGERPRINT_KEY]
            .as_str()
            .expect("fingerprint");
        assert_eq!(fingerprint.len(), 16);
        let related = &result["relatedLocations"][0];
        assert_eq!(related["id"], 1);
        assert_eq!(related["message"]["text"], "resource");
        let fix = &result["fixes"][0];
        assert_eq!(
            fix["description"]["text"],
            "replace `*` with `s3:GetObject`"
        );
        let replacement = &fix["artifactChanges"][0]["replacements"][0];
        assert_eq!(replacement["deletedRegion"]["startColumn"], 35);
        assert_eq!(replacement["insertedContent"]["text"], "\"s3:GetObject\"");
        assert_eq!(
            result["properties"]["severity"],
            RULES[0].meta().severity.as_str()
        );
    }

    #[test]
    fn snippets_are_redacted() {
        let text = render(&outcome(POLICY, "p.json"));
        assert!(!text.contains("AKIAIOSFODNN7EXAMPLE"), "{text}");
        let log = parse(&text);
        let snippet = &log["runs"][0]["results"][0]["relatedLocations"][0]["physicalLocation"]
            ["region"]["snippet"]["text"];
        assert_eq!(snippet, "\"arn:aws:s3:::b/AKIA****************\"");
    }

    #[test]
    fn load_errors_are_notifications() {
        let log = parse(&render(&outcome(POLICY, "p.json")));
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        let note = &invocation["toolExecutionNotifications"][0];
        assert_eq!(note["level"], "error");
        assert_eq!(note["message"]["text"], "invalid JSON: expected `,`");
        assert_eq!(
            note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "bad%20dir/broken.json"
        );
    }

    #[test]
    fn output_is_deterministic() {
        let a = render(&outcome(POLICY, "p.json"));
        let b = render(&outcome(POLICY, "p.json"));
        assert_eq!(a, b);
    }

    #[test]
    fn fingerprint_survives_lines_moving_but_not_content_changes() {
        let fingerprint = |text: &str| {
            let log = parse(&render(&outcome(text, "p.json")));
            log["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY].clone()
        };
        let base = fingerprint(POLICY);
        let moved = POLICY.replacen("{\n", "{\n\n\n  \"Version\": \"2012-10-17\",\n", 1);
        assert_eq!(fingerprint(&moved), base);
        let reindented = POLICY.replace("    {\"Effect\"", "        {\"Effect\"");
        assert_eq!(fingerprint(&reindented), base);
        let changed = POLICY.replace("\"Allow\"", "\"Allow\" ");
        assert_eq!(fingerprint(&changed), base, "whitespace only");
        let neighbour = POLICY.replace("\"Resource\"", "\"NotResource\"");
        assert_eq!(
            fingerprint(&neighbour),
            base,
            "only the flagged value and its key count"
        );
        let other = POLICY.replace("\"Action\"", "\"NotAction\"");
        assert_ne!(fingerprint(&other), base);
    }

    #[test]
    fn identical_findings_get_distinct_fingerprints() {
        let mut o = outcome(POLICY, "p.json");
        let twin = o.findings[0].clone();
        o.findings.push(twin);
        let log = parse(&render(&o));
        let results = log["runs"][0]["results"].as_array().expect("results");
        assert_ne!(
            results[0]["partialFingerprints"],
            results[1]["partialFingerprints"]
        );
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(
            artifact_location("a b/c#1.json", None).uri,
            "a%20b/c%231.json"
        );
        assert_eq!(artifact_location("x:y.json", None).uri, "x%3Ay.json");
        let abs = artifact_location("/tmp/ü.json", Some(3));
        assert_eq!(abs.uri, "file:///tmp/%C3%BC.json");
        assert!(abs.uri_base_id.is_none());
        assert_eq!(
            artifact_location("C:\\Users\\me\\p.json", None).uri,
            "file:///C:/Users/me/p.json"
        );
        assert_eq!(dir_uri(Path::new("/")), "file:///");
    }

    #[test]
    fn names_and_intro() {
        assert_eq!(camel_case("wildcard-action"), "WildcardAction");
        assert_eq!(
            doc_intro("# x (A001)\n\nFirst line\nsecond line.\n\n## What it flags\n").as_deref(),
            Some("First line second line.")
        );
        assert_eq!(doc_intro(""), None);
    }

    #[test]
    fn columns_count_characters() {
        let text = "{\"Sid\": \"é\", \"Action\": \"*\"}";
        let o = Outcome {
            sources: vec![SourceFile::new(
                "p.json".into(),
                "p.json".into(),
                text.into(),
            )],
            findings: vec![Finding::new(
                RULES[0].meta(),
                0,
                span_of(text, "\"*\""),
                "m",
            )],
            ..Outcome::default()
        };
        let log = parse(&render(&o));
        let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startColumn"], 24);
        assert_eq!(
            log["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
    }
}
