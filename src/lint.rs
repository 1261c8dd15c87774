//! One lint run: discover, read, parse, load and check files in parallel, then merge the
//! results in a deterministic order.

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::discover::{self, Candidate};
use crate::finding::Finding;
use crate::load;
use crate::rules::{self, Rule};
use crate::source::{FileId, SourceFile, Span};

pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub max_file_size: u64,
    pub rules: Vec<&'static dyn Rule>,
}

/// A file that could not be read or parsed.
#[derive(Debug, Clone)]
pub struct FileError {
    pub path: String,
    pub message: String,
    /// Set when the error has a position in a loaded source.
    pub file: Option<FileId>,
    pub span: Option<Span>,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub sources: Vec<SourceFile>,
    pub findings: Vec<Finding>,
    pub errors: Vec<FileError>,
    /// Files recognised as input and linted.
    pub files_linted: usize,
}

struct FileOutcome {
    source: Option<SourceFile>,
    findings: Vec<Finding>,
    error: Option<(String, Option<Span>)>,
    linted: bool,
}

pub fn run(options: &Options) -> Outcome {
    let cwd = std::env::current_dir().ok();
    let (candidates, walk_errors) = discover::discover(&options.paths, &options.excludes);
    let per_file: Vec<FileOutcome> = candidates
        .par_iter()
        .map(|c| lint_candidate(c, cwd.as_deref(), options))
        .collect();

    let mut outcome = Outcome::default();
    for err in walk_errors {
        outcome.errors.push(FileError {
            path: discover::display_path(&err.path, cwd.as_deref()),
            message: err.message,
            file: None,
            span: None,
        });
    }
    for (candidate, result) in candidates.iter().zip(per_file) {
        let id = outcome.sources.len();
        outcome.files_linted += usize::from(result.linted);
        if let Some((message, span)) = result.error {
            let has_source = result.source.is_some();
            outcome.errors.push(FileError {
                path: discover::display_path(&candidate.path, cwd.as_deref()),
                message,
                file: has_source.then_some(id),
                span,
            });
        }
        let Some(source) = result.source else {
            continue;
        };
        outcome.sources.push(source);
        for mut finding in result.findings {
            finding.file = id;
            for related in &mut finding.related {
                related.file = id;
            }
            outcome.findings.push(finding);
        }
    }
    outcome.findings.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    });
    outcome
}

fn lint_candidate(candidate: &Candidate, cwd: Option<&Path>, options: &Options) -> FileOutcome {
    let display = discover::display_path(&candidate.path, cwd);
    let text = match read_text(&candidate.path, options.max_file_size) {
        Ok(text) => text,
        Err(message) => {
            return FileOutcome {
                source: None,
                findings: Vec::new(),
                error: Some((message, None)),
                linted: false,
            }
        }
    };
    let source = SourceFile::new(candidate.path.clone(), display, text);
    // File ids are assigned after the parallel phase; 0 is a placeholder.
    match load::load(0, &source, candidate.explicit) {
        Ok(loaded) => {
            let mut findings = Vec::new();
            rules::check_model(&loaded.model, &options.rules, &mut findings);
            FileOutcome {
                linted: loaded.kind.is_some(),
                source: Some(source),
                findings,
                error: None,
            }
        }
        Err(err) => FileOutcome {
            source: Some(source),
            findings: Vec::new(),
            error: Some((err.message, err.span)),
            linted: false,
        },
    }
}

/// Read a file as UTF-8 text, with a one-line reason when that is not possible.
fn read_text(path: &Path, max_size: u64) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| discover::describe_io(&e))?;
    let meta = file.metadata().map_err(|e| discover::describe_io(&e))?;
    if meta.len() > max_size {
        return Err(format!(
            "file is {} bytes, over the {} byte limit (raise it with --max-file-size)",
            meta.len(),
            max_size
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take` guards against files that grow while being read.
    file.take(max_size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| discover::describe_io(&e))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("file is empty".into());
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err("binary file (contains NUL bytes), not JSON or YAML".into());
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!("not valid UTF-8: invalid byte at offset {at} (line {line})")
    })
}
