//! Baselines: record today's findings (`check --write-baseline FILE`) and later report only
//! new ones (`check --baseline FILE`).
//!
//! A finding is matched by rule, file and a fingerprint of the flagged text (the finding's
//! source text with whitespace collapsed, plus an occurrence index among findings of the same
//! rule, file and text), so moving lines or adding unrelated ones does not resurface old
//! findings. File paths are relative to the baseline file's directory.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config;
use crate::discover;
use crate::finding::Finding;
use crate::lint::Outcome;
use crate::report;
use crate::rules;

/// Bump when the fingerprint or the entry format changes meaning.
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// Rule name (a code is accepted when reading).
    pub rule: String,
    /// Path relative to the baseline file's directory, `/` separated.
    pub file: String,
    pub fingerprint: String,
    /// The finding's message, for people reading the file; not used for matching.
    pub message: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: could not read baseline: {message}")]
    Read { path: String, message: String },
    #[error("{path}: not an iamlint baseline: {message}")]
    Invalid { path: String, message: String },
    #[error("{path}: could not write baseline: {message}")]
    Write { path: String, message: String },
}

/// What applying a baseline did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Current findings found in the baseline (and hidden).
    pub matched: usize,
    /// Baseline entries of linted (or deleted) files with no current finding.
    pub fixed: usize,
}

/// Where baseline paths are relative to: the baseline file's directory, made absolute.
fn base_dir(baseline_path: &Path, cwd: &Path) -> PathBuf {
    let absolute = cwd.join(baseline_path);
    absolute
        .parent()
        .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf)
}

impl Baseline {
    /// The baseline of every finding in an outcome.
    pub fn from_outcome(outcome: &Outcome, baseline_path: &Path, cwd: &Path) -> Baseline {
        let base = base_dir(baseline_path, cwd);
        let mut entries: Vec<Entry> = fingerprints(outcome, &base, cwd)
            .into_iter()
            .zip(&outcome.findings)
            .map(|(key, finding)| Entry {
                rule: finding.rule.name.to_string(),
                file: key.file,
                fingerprint: key.fingerprint,
                message: finding.message.clone(),
            })
            .collect();
        entries.sort();
        Baseline {
            version: VERSION,
            entries,
        }
    }

    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Read {
            path: shown.clone(),
            message: discover::describe_io(&e),
        })?;
        let baseline: Baseline =
            serde_json::from_str(&text).map_err(|e| BaselineError::Invalid {
                path: shown.clone(),
                message: e.to_string(),
            })?;
        if baseline.version != VERSION {
            return Err(BaselineError::Invalid {
                path: shown,
                message: format!(
                    "version {} is not supported (expected {VERSION}); write it again with --write-baseline",
                    baseline.version
                ),
            });
        }
        Ok(baseline)
    }

    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let error = |message: String| BaselineError::Write {
            path: path.display().to_string(),
            message,
        };
        let mut text = serde_json::to_string_pretty(self).map_err(|e| error(e.to_string()))?;
        text.push('\n');
        std::fs::write(path, text).map_err(|e| error(discover::describe_io(&e)))
    }

    /// Remove the findings recorded in the baseline from `outcome`.
    pub fn apply(&self, outcome: &mut Outcome, baseline_path: &Path, cwd: &Path) -> Applied {
        let base = base_dir(baseline_path, cwd);
        // Entries keyed by rule code, so a baseline naming a rule by code or name matches.
        let mut remaining: HashSet<(&'static str, String, String)> = self
            .entries
            .iter()
            .filter_map(|e| {
                let code = rules::find(&e.rule)?.meta().code;
                Some((code, e.file.clone(), e.fingerprint.clone()))
            })
            .collect();
        let keys = fingerprints(outcome, &base, cwd);
        let linted_files: HashSet<String> = keys.iter().map(|k| k.file.clone()).collect();
        let linted_files: HashSet<String> = linted_files
            .into_iter()
            .chain(
                outcome
                    .sources
                    .iter()
                    .map(|s| relative_to(&s.path, &base, cwd)),
            )
            .collect();
        let mut kept = Vec::with_capacity(outcome.findings.len());
        let mut applied = Applied::default();
        for (finding, key) in std::mem::take(&mut outcome.findings).into_iter().zip(keys) {
            if remaining.remove(&(finding.rule.code, key.file, key.fingerprint)) {
                applied.matched += 1;
            } else {
                kept.push(finding);
            }
        }
        outcome.findings = kept;
        applied.fixed = remaining
            .iter()
            .filter(|(_, file, _)| linted_files.contains(file) || !base.join(file).exists())
            .count();
        applied
    }
}

struct Key {
    file: String,
    fingerprint: String,
}

fn relative_to(path: &Path, base: &Path, cwd: &Path) -> String {
    let absolute = config::normalize(&cwd.join(path));
    match absolute.strip_prefix(base) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => discover::display_path(&absolute, Some(cwd)),
    }
}

/// One key per finding, in the outcome's order.
fn fingerprints(outcome: &Outcome, base: &Path, cwd: &Path) -> Vec<Key> {
    let files: Vec<String> = outcome
        .sources
        .iter()
        .map(|s| relative_to(&s.path, base, cwd))
        .collect();
    let mut seen: HashMap<(&'static str, usize, u64), usize> = HashMap::new();
    outcome
        .findings
        .iter()
        .map(|finding| {
            let hash = fnv1a(flagged_text(outcome, finding).as_bytes());
            let index = seen
                .entry((finding.rule.code, finding.file, hash))
                .or_insert(0);
            let fingerprint = format!("{hash:016x}-{index}");
            *index += 1;
            Key {
                file: files.get(finding.file).cloned().unwrap_or_default(),
                fingerprint,
            }
        })
        .collect()
}

/// The finding's source text, whitespace collapsed; its line when the span is empty.
/// Secrets are masked first so the baseline never holds a hash of one.
fn flagged_text(outcome: &Outcome, finding: &Finding) -> String {
    let Some(source) = outcome.sources.get(finding.file) else {
        return String::new();
    };
    let mut text = source.slice(finding.span).to_string();
    if text.trim().is_empty() {
        text = source
            .line_text(source.line_col(finding.span.start).line)
            .to_string();
    }
    if !finding.sensitive.is_empty() {
        text = report::mask(&text);
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 64-bit FNV-1a: stable across platforms and releases, unlike `std`'s hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
