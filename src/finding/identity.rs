//! The identity of a finding: what makes two runs report "the same finding".
//!
//! The baseline, SARIF `partialFingerprints` and the JSON `fingerprint` field all use this
//! module, so they agree. An identity is the rule code, the file path relative to a project
//! root, a line-independent anchor (the flagged text with whitespace collapsed and secrets left
//! out, plus the mapping key it is the value of when that key shares its line) and an occurrence counter that tells identical
//! findings apart. Line and column numbers are never part of it, so adding or removing lines
//! elsewhere in a file keeps every fingerprint.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use super::Finding;
use crate::source::{SourceFile, Span};

/// Prefix of the hashed text; bump when the identity's inputs change meaning, so old and new
/// fingerprints can never be mistaken for each other.
pub const SCHEME: &str = "iamlint/v2";

/// Stands in for a secret's text in an anchor, so no secret ever feeds a hash.
const SECRET: &str = "<secret>";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub code: &'static str,
    /// `/`-separated path relative to the project root (see [`project_path`]).
    pub path: String,
    /// The key the flagged value belongs to, a unit separator, then the whitespace-collapsed
    /// flagged text (secrets replaced).
    pub anchor: String,
    /// 0 for the first finding with this code, path and anchor, 1 for the next, and so on.
    pub occurrence: u32,
}

impl Identity {
    /// 16 lowercase hex digits, stable across platforms, releases and line moves.
    pub fn fingerprint(&self) -> String {
        let occurrence = self.occurrence.to_string();
        let mut hash = FNV_OFFSET;
        for part in [SCHEME, self.code, &self.path, &self.anchor, &occurrence] {
            hash = fnv1a(part.as_bytes(), hash);
            hash = fnv1a(&[0x1f], hash);
        }
        format!("{hash:016x}")
    }
}

/// Identities of `findings`, in order. `paths[i]` is the project path of `sources[i]`.
///
/// Duplicates are counted in the order given: pass unsuppressed findings (in report order)
/// before any others so their counters are the same for every consumer.
pub fn identities(
    sources: &[SourceFile],
    paths: &[String],
    findings: &[&Finding],
) -> Vec<Identity> {
    // Secrets flagged by any finding are left out of every anchor in that file: the span
    // of one finding can cover a secret that another finding reports.
    let mut secrets: Vec<Vec<Span>> = vec![Vec::new(); sources.len()];
    for finding in findings {
        if let Some(list) = secrets.get_mut(finding.file) {
            list.extend(finding.sensitive.iter().copied());
        }
    }
    let mut seen: HashMap<(&'static str, usize, String), u32> = HashMap::new();
    findings
        .iter()
        .map(|finding| {
            let anchor = sources
                .get(finding.file)
                .map(|source| {
                    anchor(
                        source,
                        finding.span,
                        secrets.get(finding.file).map_or(&[][..], Vec::as_slice),
                    )
                })
                .unwrap_or_default();
            let counter = seen
                .entry((finding.rule.code, finding.file, anchor.clone()))
                .or_insert(0);
            let occurrence = *counter;
            *counter += 1;
            Identity {
                code: finding.rule.code,
                path: paths.get(finding.file).cloned().unwrap_or_default(),
                anchor,
                occurrence,
            }
        })
        .collect()
}

/// Fingerprints of `findings`, with paths relative to `root` (the current directory when
/// `None`). Reporters call this; the baseline uses [`identities`] for its own root.
pub fn fingerprints(
    sources: &[SourceFile],
    findings: &[&Finding],
    root: Option<&Path>,
) -> Vec<String> {
    let cwd = std::env::current_dir().ok();
    let paths: Vec<String> = sources
        .iter()
        .map(|s| match cwd.as_deref() {
            Some(cwd) => project_path(&s.path, root.unwrap_or(cwd), cwd),
            None => s.display.clone(),
        })
        .collect();
    identities(sources, &paths, findings)
        .iter()
        .map(Identity::fingerprint)
        .collect()
}

/// The flagged text, whitespace-collapsed with secrets replaced, and the key it is the value
/// of (`Action` in `"Action": "s3:*"` or `Action: s3:*`) when that key is on the same line.
/// An empty span anchors on its whole line instead. Nothing here depends on line numbers or
/// on the layout of surrounding lines, so reformatting a statement keeps its findings.
fn anchor(source: &SourceFile, span: Span, secrets: &[Span]) -> String {
    let text = source.text.as_str();
    let start = (span.start as usize).min(text.len());
    let end = (span.end as usize).clamp(start, text.len());
    let line_start = text
        .get(..start)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1);
    let mut flagged = without_secrets(text, start, end, secrets);
    if flagged.trim().is_empty() {
        let line_end = text
            .get(start..)
            .and_then(|after| after.find('\n'))
            .map_or(text.len(), |i| start + i);
        flagged = without_secrets(text, line_start, line_end, secrets);
    }
    let flagged: Vec<&str> = flagged.split_whitespace().collect();
    let key = text.get(line_start..start).map_or("", key_before);
    format!("{key}\u{1f}{}", flagged.join(" "))
}

/// The mapping key that ends `prefix` (`"Action": ` or `- Action: `), without quotes.
fn key_before(prefix: &str) -> &str {
    let Some(rest) = prefix.trim_end().strip_suffix(':') else {
        return "";
    };
    let rest = rest.trim_end();
    if let Some(quoted) = rest.strip_suffix('"').or_else(|| rest.strip_suffix('\'')) {
        return quoted
            .rfind(['"', '\''])
            .map_or("", |i| quoted.get(i + 1..).unwrap_or(""));
    }
    rest.rfind(|c: char| c.is_whitespace() || matches!(c, '{' | ',' | '-' | '['))
        .map_or(rest, |i| rest.get(i + 1..).unwrap_or(""))
}

/// `text[start..end]` with every secret span inside it replaced by a placeholder.
fn without_secrets(text: &str, start: usize, end: usize, secrets: &[Span]) -> String {
    let mut overlapping: Vec<(usize, usize)> = secrets
        .iter()
        .map(|s| (s.start as usize, s.end as usize))
        .filter(|&(s, e)| s < end && e > start && s < e)
        .collect();
    overlapping.sort_unstable();
    let mut out = String::new();
    let mut at = start;
    for (s, e) in overlapping {
        let s = s.max(at);
        if s >= e {
            continue;
        }
        out.push_str(text.get(at..s).unwrap_or(""));
        out.push_str(SECRET);
        at = e.min(end);
    }
    out.push_str(text.get(at..end).unwrap_or(""));
    out
}

/// `path` as the identity sees it: relative to `root` (`/`-separated) when inside it, else
/// relative to `cwd` when inside that, else absolute. Relative paths are taken from `cwd`.
pub fn project_path(path: &Path, root: &Path, cwd: &Path) -> String {
    let absolute = lexical_normalize(&cwd.join(path));
    let root = lexical_normalize(&cwd.join(root));
    let cwd = lexical_normalize(cwd);
    let shown = absolute
        .strip_prefix(&root)
        .or_else(|_| absolute.strip_prefix(&cwd))
        .unwrap_or(&absolute);
    shown.to_string_lossy().replace('\\', "/")
}

/// Resolve `.` and `..` without touching the file system.
fn lexical_normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(component);
                }
            }
            other => out.push(other),
        }
    }
    out
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// 64-bit FNV-1a continuing from `hash`: stable across platforms and Rust versions, unlike
/// `std`'s hasher. The crate's only content hash.
pub fn fnv1a(bytes: &[u8], mut hash: u64) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// FNV-1a of `bytes` from the standard offset basis.
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    fnv1a(bytes, FNV_OFFSET)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::finding::{Category, RuleMeta, Severity};

    static META: RuleMeta = RuleMeta {
        code: "IAM999",
        name: "test-rule",
        category: Category::OverPrivilege,
        severity: Severity::High,
        summary: "",
        doc: "",
    };

    fn source(text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from("p.json"), "p.json".into(), text.into())
    }

    fn finding_at(text: &str, needle: &str, nth: usize) -> Finding {
        let start = text.match_indices(needle).nth(nth).unwrap().0;
        Finding::new(&META, 0, Span::new(start, start + needle.len()), "m")
    }

    fn fingerprints(text: &str, findings: &[Finding]) -> Vec<String> {
        let refs: Vec<&Finding> = findings.iter().collect();
        identities(&[source(text)], &["p.json".into()], &refs)
            .iter()
            .map(Identity::fingerprint)
            .collect()
    }

    const POLICY: &str =
        "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\"}\n  ]\n}\n";

    #[test]
    fn fnv1a_matches_reference_vectors() {
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn lines_added_above_keep_the_fingerprint() {
        let base = fingerprints(POLICY, &[finding_at(POLICY, "\"s3:*\"", 0)]);
        let moved = POLICY.replacen("{\n", "{\n\n\n  \"Version\": \"2012-10-17\",\n", 1);
        assert_eq!(
            fingerprints(&moved, &[finding_at(&moved, "\"s3:*\"", 0)]),
            base
        );
        let reindented = POLICY.replace("    {", "        {  ");
        assert_eq!(
            fingerprints(&reindented, &[finding_at(&reindented, "\"s3:*\"", 0)]),
            base
        );
        let changed = POLICY.replace("s3:*", "s3:Get*");
        assert_ne!(
            fingerprints(&changed, &[finding_at(&changed, "\"s3:Get*\"", 0)]),
            base
        );
    }

    #[test]
    fn duplicates_get_distinct_fingerprints_in_order() {
        let f = finding_at(POLICY, "\"s3:*\"", 0);
        let prints = fingerprints(POLICY, &[f.clone(), f]);
        assert_eq!(prints.len(), 2);
        assert_ne!(prints[0], prints[1]);
        assert_eq!(prints[0].len(), 16);
    }

    #[test]
    fn code_and_path_are_part_of_the_identity() {
        let f = finding_at(POLICY, "\"s3:*\"", 0);
        let refs = [&f];
        let a = identities(&[source(POLICY)], &["a.json".into()], &refs);
        let b = identities(&[source(POLICY)], &["b.json".into()], &refs);
        assert_ne!(a[0].fingerprint(), b[0].fingerprint());
        let mut other = a[0].clone();
        other.code = "IAM998";
        assert_ne!(other.fingerprint(), a[0].fingerprint());
    }

    #[test]
    fn secrets_never_reach_the_anchor() {
        let text = "Variables:\n  TOKEN: hunter2-very-secret\n";
        let secret = finding_at(text, "hunter2-very-secret", 0);
        let f = finding_at(text, "TOKEN: hunter2-very-secret", 0).sensitive(secret.span);
        let ids = identities(&[source(text)], &["t.yaml".into()], &[&f]);
        assert!(!ids[0].anchor.contains("hunter2"), "{}", ids[0].anchor);
        assert!(ids[0].anchor.contains(SECRET));
        // A different secret in the same place is the same finding.
        let rotated = text.replace("hunter2-very-secret", "swordfish-rotated");
        let secret = finding_at(&rotated, "swordfish-rotated", 0);
        let g = finding_at(&rotated, "TOKEN: swordfish-rotated", 0).sensitive(secret.span);
        let rotated_ids = identities(&[source(&rotated)], &["t.yaml".into()], &[&g]);
        assert_eq!(ids[0].fingerprint(), rotated_ids[0].fingerprint());
    }

    #[test]
    fn the_key_of_the_flagged_value_is_context() {
        assert_eq!(key_before("    {\"Sid\": \"A\", \"Action\": "), "Action");
        assert_eq!(key_before("  - Resource: "), "Resource");
        assert_eq!(key_before("Action:"), "Action");
        assert_eq!(key_before("  'Action' :"), "Action");
        assert_eq!(key_before("    - "), "");
        assert_eq!(key_before("\""), "");
        let text = "{\"Action\": \"*\", \"Resource\": \"*\"}";
        let action = finding_at(text, "\"*\"", 0);
        let resource = finding_at(text, "\"*\"", 1);
        let ids = identities(&[source(text)], &["p".into()], &[&action, &resource]);
        assert_eq!(ids[0].occurrence, 0);
        assert_eq!(ids[1].occurrence, 0, "different keys, so not duplicates");
        assert_ne!(ids[0].fingerprint(), ids[1].fingerprint());
    }

    #[test]
    fn reformatting_the_statement_keeps_the_fingerprint() {
        let one_line = "[\n  {\"Sid\": \"A\", \"Action\": \"s3:*\"}\n]\n";
        let spread = "[\n  {\n    \"Sid\": \"A\",\n    \"Action\": \"s3:*\"\n  }\n]\n";
        assert_eq!(
            fingerprints(one_line, &[finding_at(one_line, "\"s3:*\"", 0)]),
            fingerprints(spread, &[finding_at(spread, "\"s3:*\"", 0)])
        );
    }

    #[test]
    fn odd_spans_do_not_panic() {
        let f = Finding::new(&META, 0, Span::new(5, 500), "m");
        let g = Finding::new(&META, 3, Span::new(0, 1), "m");
        let ids = identities(&[source("ab\ncd")], &["x".into()], &[&f, &g]);
        assert_eq!(ids.len(), 2);
        assert_eq!(ids[1].path, "");
    }

    #[test]
    fn project_paths_are_relative_to_the_root() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            project_path(Path::new("./a/../b/t.json"), Path::new("."), cwd),
            "b/t.json"
        );
        assert_eq!(
            project_path(Path::new("/work/repo/sub/t.json"), Path::new("sub"), cwd),
            "t.json"
        );
        assert_eq!(
            project_path(Path::new("/elsewhere/t.json"), Path::new("sub"), cwd),
            "/elsewhere/t.json"
        );
    }
}
