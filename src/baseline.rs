//! Baselines: record today's findings (`check --write-baseline FILE`) and later report only
//! new ones (`check --baseline FILE`).
//!
//! A finding is matched by its identity (`finding::identity`): rule code, file and a
//! line-independent fingerprint, the same one SARIF and JSON output carry, so moving lines or
//! adding unrelated ones does not resurface old findings. File paths are relative to the
//! baseline file's directory. Version 1 files (written before fingerprints were shared) are
//! still read and matched with their own fingerprint; writing the baseline again upgrades them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::discover;
use crate::finding::identity;
use crate::finding::Finding;
use crate::lint::Outcome;
use crate::rules;

/// Bump when the fingerprint or the entry format changes meaning.
pub const VERSION: u32 = 2;
/// The previous version, still matched with its own fingerprint (see `legacy`).
pub const LEGACY_VERSION: u32 = 1;

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
    /// The file is in the previous format: it still works, but should be written again.
    pub outdated: bool,
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
        let mut entries: Vec<Entry> = keys(outcome, &base, cwd)
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
        if baseline.version != VERSION && baseline.version != LEGACY_VERSION {
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
        let keys = if self.version == LEGACY_VERSION {
            legacy::keys(outcome, &base, cwd)
        } else {
            keys(outcome, &base, cwd)
        };
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
        let mut applied = Applied {
            outdated: self.version == LEGACY_VERSION,
            ..Applied::default()
        };
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
    identity::project_path(path, base, cwd)
}

/// One key per finding, in the outcome's order: the shared identity, with paths relative to
/// the baseline's directory.
fn keys(outcome: &Outcome, base: &Path, cwd: &Path) -> Vec<Key> {
    let paths: Vec<String> = outcome
        .sources
        .iter()
        .map(|s| relative_to(&s.path, base, cwd))
        .collect();
    let findings: Vec<&Finding> = outcome.findings.iter().collect();
    identity::identities(&outcome.sources, &paths, &findings)
        .into_iter()
        .map(|id| Key {
            fingerprint: id.fingerprint(),
            file: id.path,
        })
        .collect()
}

/// Version 1 fingerprints, kept only to read baselines written before the identity was shared:
/// a hash of the flagged text alone plus an occurrence index.
mod legacy {
    use std::collections::HashMap;
    use std::path::Path;

    use super::{relative_to, Key};
    use crate::finding::identity::fnv1a_64;
    use crate::finding::Finding;
    use crate::lint::Outcome;
    use crate::report;

    pub(super) fn keys(outcome: &Outcome, base: &Path, cwd: &Path) -> Vec<Key> {
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
                let hash = fnv1a_64(flagged_text(outcome, finding).as_bytes());
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

    /// The finding's source text, whitespace collapsed; its line when the span is empty,
    /// masked when the finding holds a secret.
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
}
