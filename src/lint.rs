//! One lint run: discover, read, parse, load and check files in parallel, then merge the
//! results in a deterministic order.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::config::Config;
use crate::discover::{self, Candidate};
use crate::finding::Finding;
use crate::load;
use crate::rules::{self, Rule};
use crate::source::{FileId, SourceFile, Span};
use crate::suppress::{self, Suppressed};

pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub max_file_size: u64,
    pub rules: Vec<&'static dyn Rule>,
}

/// Text linted as if it were the file `path` (`--stdin --stdin-filename`).
pub struct InMemoryFile {
    pub path: PathBuf,
    pub text: String,
}

/// Called after each file with (files done, files in total), from worker threads.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// What a run takes beyond `Options`: config file settings (severity overrides, excludes,
/// suppressions, rule options), in-memory input instead of `paths`, a progress callback.
#[derive(Default)]
pub struct Settings<'a> {
    pub config: Config,
    pub stdin: Option<InMemoryFile>,
    pub progress: Option<Progress<'a>>,
    /// Build the function inventory (for the HTML report); off, it costs nothing.
    pub inventory: bool,
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
    /// Findings hidden by suppressions, in report order.
    pub suppressed: Vec<Suppressed>,
    /// What loaders skipped and why (macros, `Fn::ForEach`, unreadable `Policies` entries).
    pub notes: Vec<FileNote>,
    /// Every function with its role and grants, when `Settings::inventory` asked for it.
    pub inventory: Vec<crate::inventory::FunctionInventory>,
}

/// A loader note placed in a source.
#[derive(Debug, Clone)]
pub struct FileNote {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

struct FileOutcome {
    source: Option<SourceFile>,
    findings: Vec<Finding>,
    notes: Vec<crate::load::LoadNote>,
    error: Option<(String, Option<Span>)>,
    linted: bool,
    suppress: suppress::FilePass,
    inventory: Vec<crate::inventory::FunctionInventory>,
}

const EMPTY_FILE: &str = "file is empty";

impl FileOutcome {
    fn failed(source: Option<SourceFile>, message: String, span: Option<Span>) -> Self {
        FileOutcome {
            source,
            findings: Vec::new(),
            notes: Vec::new(),
            error: Some((message, span)),
            linted: false,
            suppress: suppress::FilePass::default(),
            inventory: Vec::new(),
        }
    }
}

pub fn run(options: &Options) -> Outcome {
    run_with(options, &Settings::default())
}

pub fn run_with(options: &Options, settings: &Settings<'_>) -> Outcome {
    let cwd = std::env::current_dir().ok();
    let (mut candidates, walk_errors) = match &settings.stdin {
        Some(input) => {
            let candidate = Candidate {
                path: input.path.clone(),
                explicit: true,
            };
            (vec![candidate], Vec::new())
        }
        None => discover::discover(&options.paths, &options.excludes),
    };
    candidates.retain(|c| !settings.config.is_excluded(&c.path, cwd.as_deref()));
    let done = AtomicUsize::new(0);
    let per_file: Vec<FileOutcome> = candidates
        .par_iter()
        .map(|c| {
            let result = lint_candidate(c, cwd.as_deref(), options, settings);
            if let Some(progress) = settings.progress {
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, candidates.len());
            }
            result
        })
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
    let mut config_matched = BTreeSet::new();
    let mut config_used = BTreeSet::new();
    for (candidate, result) in candidates.iter().zip(per_file) {
        let id = outcome.sources.len();
        outcome.files_linted += usize::from(result.linted);
        config_matched.extend(result.suppress.config_matched);
        config_used.extend(result.suppress.config_used);
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
        let functions = result.inventory.into_iter();
        outcome
            .inventory
            .extend(functions.map(|f| crate::inventory::FunctionInventory { file: id, ..f }));
        outcome
            .notes
            .extend(result.notes.into_iter().map(|n| FileNote {
                file: id,
                span: n.span,
                message: n.message,
            }));
        let assign = |finding: &mut Finding| {
            finding.file = id;
            for related in &mut finding.related {
                related.file = id;
            }
        };
        for mut finding in result.findings {
            assign(&mut finding);
            outcome.findings.push(finding);
        }
        for mut suppressed in result.suppress.suppressed {
            assign(&mut suppressed.finding);
            outcome.suppressed.push(suppressed);
        }
    }
    let unused: Vec<usize> = config_matched.difference(&config_used).copied().collect();
    let config_id = outcome.sources.len();
    let stale =
        suppress::unused_config_entries(&settings.config, &unused, &options.rules, config_id);
    if let (false, Some(source)) = (stale.is_empty(), settings.config.source(cwd.as_deref())) {
        outcome.sources.push(source);
        outcome.findings.extend(stale);
    }
    let order = |a: &Finding, b: &Finding| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    };
    outcome.findings.sort_by(order);
    outcome
        .suppressed
        .sort_by(|a, b| order(&a.finding, &b.finding));
    outcome
}

fn lint_candidate(
    candidate: &Candidate,
    cwd: Option<&Path>,
    options: &Options,
    settings: &Settings<'_>,
) -> FileOutcome {
    let display = discover::display_path(&candidate.path, cwd);
    let text = match &settings.stdin {
        Some(input) if input.text.trim().is_empty() => Err("standard input is empty".into()),
        Some(input) => Ok(input.text.clone()),
        None => read_text(&candidate.path, options.max_file_size),
    };
    let text = match text {
        Ok(text) => text,
        // An empty file met while walking holds no policy; one named explicitly is an error.
        Err(message) if message == EMPTY_FILE && !candidate.explicit => {
            return FileOutcome {
                error: None,
                ..FileOutcome::failed(None, message, None)
            }
        }
        Err(message) => return FileOutcome::failed(None, message, None),
    };
    let source = SourceFile::new(candidate.path.clone(), display, text);
    // File ids are assigned after the parallel phase; 0 is a placeholder.
    match load::load(0, &source, candidate.explicit) {
        Ok(loaded) => {
            let mut findings = Vec::new();
            rules::check_model(
                &loaded.model,
                &options.rules,
                &settings.config.rule_settings,
                &mut findings,
            );
            let inventory = if settings.inventory {
                crate::inventory::of_model(&loaded.model, &loaded.resources)
            } else {
                Vec::new()
            };
            let relative_path = settings.config.relative_path(&candidate.path, cwd);
            let input = suppress::FileInput {
                source: &source,
                loaded: &loaded,
                relative_path: &relative_path,
                config: &settings.config,
                rules: &options.rules,
            };
            let mut pass = suppress::apply(&input, findings);
            let mut findings = std::mem::take(&mut pass.findings);
            let suppressed = pass.suppressed.iter_mut().map(|s| &mut s.finding);
            for finding in findings.iter_mut().chain(suppressed) {
                settings.config.adjust_severity(finding);
            }
            FileOutcome {
                linted: loaded.kind.is_some(),
                source: Some(source),
                findings,
                notes: loaded.notes,
                error: None,
                suppress: pass,
                inventory,
            }
        }
        Err(err) => FileOutcome::failed(Some(source), err.message, err.span),
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
        return Err(EMPTY_FILE.into());
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
