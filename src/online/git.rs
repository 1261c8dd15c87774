//! Earlier versions of files, read with `git show <rev>:<path>` (no checkout).

use std::path::Path;
use std::process::Command;

use super::service::OnlineError;

/// Check that `revision` names a commit, so a typo is one clear error and not "every policy
/// is new".
pub(crate) fn verify(revision: &str) -> Result<(), OnlineError> {
    if revision.starts_with('-') || revision.is_empty() {
        return Err(OnlineError::Git(format!("`{revision}` is not a revision")));
    }
    let output = Command::new("git")
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
        .arg(format!("{revision}^{{commit}}"))
        .output()
        .map_err(|e| OnlineError::Git(format!("could not run git: {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(OnlineError::Git(format!(
            "`{revision}` names no commit of the repository in the current directory"
        )))
    }
}

/// The text of `path` at `revision`, or None when the file did not exist then (or is not in
/// a repository).
pub(crate) fn show(revision: &str, path: &Path) -> Option<String> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name()?.to_str()?;
    // `./name` is relative to the directory git runs in, wherever the repository root is.
    let output = Command::new("git")
        .current_dir(dir)
        .arg("show")
        .arg(format!("{revision}:./{name}"))
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(status.status.success(), "{args:?}: {status:?}");
    }

    #[test]
    fn reads_a_file_at_a_revision() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sub = dir.path().join("policies");
        std::fs::create_dir(&sub).expect("mkdir");
        git(dir.path(), &["init", "-q"]);
        std::fs::write(sub.join("p.json"), "old").expect("write");
        git(dir.path(), &["add", "."]);
        git(dir.path(), &["commit", "-q", "-m", "one"]);
        std::fs::write(sub.join("p.json"), "new").expect("write");
        assert_eq!(show("HEAD", &sub.join("p.json")).as_deref(), Some("old"));
        assert_eq!(show("HEAD", &sub.join("other.json")), None);
        assert!(verify("-rf").is_err());
    }
}
