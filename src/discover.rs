//! Finding input files: explicit paths, and directories walked with `.gitignore` respected.

use std::path::{Path, PathBuf};

/// Directories that hold third-party or generated copies, never the user's own templates.
/// `cdk.out` is deliberately absent: synthesized CDK templates are real input.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".terraform",
    ".aws-sam",
    ".serverless",
    "vendor",
    ".git",
];

/// Extensions worth reading when walking a directory; the content decides the rest.
const CANDIDATE_EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template", "tf"];

#[derive(Debug)]
pub struct Candidate {
    pub path: PathBuf,
    /// Named on the command line (errors about unrecognised content are reported).
    pub explicit: bool,
}

#[derive(Debug)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

pub fn is_candidate(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        CANDIDATE_EXTENSIONS
            .iter()
            .any(|c| c.eq_ignore_ascii_case(e))
    })
}

/// Collect the files to lint, in a deterministic order (each root's files sorted by path).
pub fn discover(roots: &[PathBuf], excludes: &[String]) -> (Vec<Candidate>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in roots {
        match std::fs::metadata(root) {
            Ok(meta) if meta.is_file() => files.push(Candidate {
                path: root.clone(),
                explicit: true,
            }),
            Ok(_) => walk(root, excludes, &mut files, &mut errors),
            Err(err) => errors.push(WalkError {
                path: root.clone(),
                message: describe_io(&err),
            }),
        }
    }
    (files, errors)
}

fn walk(root: &Path, excludes: &[String], files: &mut Vec<Candidate>, errors: &mut Vec<WalkError>) {
    let excludes = excludes.to_vec();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .follow_links(true)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            let name = entry.file_name().to_string_lossy();
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && SKIPPED_DIRS.contains(&name.as_ref()) {
                return false;
            }
            let path = entry.path().to_string_lossy();
            !excludes.iter().any(|e| path.contains(e.as_str()))
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_some_and(|t| t.is_file()) && is_candidate(entry.path()) {
                    files.push(Candidate {
                        path: entry.into_path(),
                        explicit: false,
                    });
                }
            }
            Err(err) => errors.push(walk_error(root, &err)),
        }
    }
}

fn walk_error(root: &Path, err: &ignore::Error) -> WalkError {
    match err {
        ignore::Error::WithPath { path, err } => WalkError {
            path: path.clone(),
            message: err.to_string(),
        },
        ignore::Error::WithDepth { err, .. } => walk_error(root, err),
        ignore::Error::Loop { child, ancestor } => WalkError {
            path: child.clone(),
            message: format!("symbolic link loop back to {}", ancestor.display()),
        },
        other => WalkError {
            path: root.to_path_buf(),
            message: other.to_string(),
        },
    }
}

pub fn describe_io(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => err.to_string(),
    }
}

/// The path as shown to users: relative to the current directory when inside it.
pub fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    let shown = cwd
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    let text = shown.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}
