//! Answers cached on disk by a hash of the request (custom policy checks are billed per call,
//! and CI runs the same policies again and again).
//!
//! One small JSON file per request under `$XDG_CACHE_HOME/iamlint/access-analyzer` (else
//! `~/.cache/...`). Entries expire after a week, since the service's checks evolve. A cache
//! that cannot be read or written is skipped silently: it only saves time and money.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::{Answer, Request};

const MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);
/// Bumped when the stored answer format changes.
const FORMAT: &str = "1";

pub(crate) struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub(crate) fn open_default() -> Option<Cache> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(Cache::at(base.join("iamlint").join("access-analyzer")))
    }

    pub(crate) fn at(dir: PathBuf) -> Cache {
        Cache { dir }
    }

    fn path(&self, request: &Request) -> Option<PathBuf> {
        let key = serde_json::to_vec(request).ok()?;
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(FORMAT.as_bytes());
        ctx.update(b"\n");
        ctx.update(&key);
        let hex: String = ctx
            .finish()
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Some(self.dir.join(format!("{hex}.json")))
    }

    pub(crate) fn get(&self, request: &Request) -> Option<Answer> {
        let path = self.path(request)?;
        let age = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())?;
        if age > MAX_AGE {
            return None;
        }
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }

    pub(crate) fn put(&self, request: &Request, answer: &Answer) {
        let (Some(path), Ok(bytes)) = (self.path(request), serde_json::to_vec(answer)) else {
            return;
        };
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        // Write then rename, so a parallel run never reads half a file.
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::online::CheckResult;

    #[test]
    fn stores_answers_by_request() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::at(dir.path().join("c"));
        let request = Request::NoPublicAccess {
            policy: "{}".into(),
            resource_type: "AWS::S3::Bucket",
        };
        let other = Request::NoPublicAccess {
            policy: "{ }".into(),
            resource_type: "AWS::S3::Bucket",
        };
        assert_eq!(cache.get(&request), None);
        let answer = Answer::Check(CheckResult {
            passed: true,
            message: "ok".into(),
            reasons: Vec::new(),
        });
        cache.put(&request, &answer);
        assert_eq!(cache.get(&request), Some(answer));
        assert_eq!(cache.get(&other), None);
    }
}
