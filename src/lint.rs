//! One lint run: discover files, read them in parallel, give each readable file its id,
//! then load and check each input unit in parallel, and merge the results in a
//! deterministic order. File ids are fixed before loading, so model objects, findings and
//! notes carry their final file id from the start.

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
    /// Read every file as this format instead of recognising it by content
    /// (`--input-format`).
    pub input_format: Option<&'static load::Format>,
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
    /// Derive each function's least-privilege policy (`iamlint suggest`).
    pub suggest: bool,
    /// The organization's SCPs and RCPs, applied to every role (`--org-policies`).
    pub org: Option<crate::model::OrgPolicies>,
    /// Work out each role's effective access (`iamlint access`).
    pub access: bool,
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
    /// Every function's suggested policy, when `Settings::suggest` asked for it.
    pub suggestions: Vec<crate::suggest::FunctionSuggestion>,
    /// Each role's effective access, when `Settings::access` asks for it.
    pub access: Vec<crate::access::RoleAccess>,
}

/// A loader note placed in a source.
#[derive(Debug, Clone)]
pub struct FileNote {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// What loading and checking one unit produced.
struct UnitOutcome {
    findings: Vec<Finding>,
    notes: Vec<crate::load::LoadNote>,
    /// The unit could not be loaded at all (reported on its first file).
    error: Option<(String, Option<Span>)>,
    /// Files of the unit that failed while the others loaded.
    file_errors: Vec<(FileId, crate::load::LoadError)>,
    /// Files recognised as input and linted.
    linted: usize,
    suppress: Vec<suppress::FilePass>,
    inventory: Vec<crate::inventory::FunctionInventory>,
    suggestions: Vec<crate::suggest::FunctionSuggestion>,
    access: Vec<crate::access::RoleAccess>,
}

/// Files that load together: one file, or every file of a folder-grouped format (a
/// Terraform module) in one folder. Units keep the order of their first file.
struct PlannedUnit {
    files: Vec<FileId>,
    folder_format: Option<&'static load::Format>,
}

fn plan_units(sources: &[SourceFile], forced: Option<&'static load::Format>) -> Vec<PlannedUnit> {
    let mut units: Vec<PlannedUnit> = Vec::new();
    let mut by_folder: std::collections::HashMap<(&str, &Path), usize> =
        std::collections::HashMap::new();
    for (id, source) in sources.iter().enumerate() {
        let grouped = load::folder_format(source)
            .filter(|f| forced.is_none_or(|forced| std::ptr::eq(*f, forced)));
        let Some(format) = grouped else {
            units.push(PlannedUnit {
                files: vec![id],
                folder_format: None,
            });
            continue;
        };
        let folder = source.path.parent().unwrap_or(Path::new(""));
        match by_folder.get(&(format.name, folder)) {
            Some(&unit) => units[unit].files.push(id),
            None => {
                by_folder.insert((format.name, folder), units.len());
                units.push(PlannedUnit {
                    files: vec![id],
                    folder_format: Some(format),
                });
            }
        }
    }
    units
}

const EMPTY_FILE: &str = "file is empty";

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
    let mut outcome = Outcome::default();
    for err in walk_errors {
        outcome.errors.push(FileError {
            path: discover::display_path(&err.path, cwd.as_deref()),
            message: err.message,
            file: None,
            span: None,
        });
    }

    // Read every candidate; a file that cannot be read is an error (or, met while walking
    // and empty, nothing at all) and gets no id.
    let texts: Vec<Result<String, String>> = candidates
        .par_iter()
        .map(|c| match &settings.stdin {
            Some(input) if input.text.trim().is_empty() => Err("standard input is empty".into()),
            Some(input) => Ok(input.text.clone()),
            None => read_text(&c.path, options.max_file_size),
        })
        .collect();
    outcome.sources.reserve(texts.len());
    for (candidate, text) in candidates.iter().zip(texts) {
        let display = discover::display_path(&candidate.path, cwd.as_deref());
        match text {
            Ok(text) => {
                let source = SourceFile::new(candidate.path.clone(), display, text);
                outcome.sources.push(source);
            }
            // An empty file met while walking holds no policy; one named explicitly is an error.
            Err(message) if message == EMPTY_FILE && !candidate.explicit => {}
            Err(message) => outcome.errors.push(FileError {
                path: display,
                message,
                file: None,
                span: None,
            }),
        }
    }
    let explicit: Vec<bool> = {
        let named: BTreeSet<&Path> = candidates
            .iter()
            .filter(|c| c.explicit)
            .map(|c| c.path.as_path())
            .collect();
        let named_ref = &named;
        outcome
            .sources
            .iter()
            .map(|s| named_ref.contains(s.path.as_path()))
            .collect()
    };

    let units = plan_units(&outcome.sources, options.input_format);
    read_dependencies(
        &mut outcome.sources,
        &units,
        options.max_file_size,
        cwd.as_deref(),
    );
    let run = load::Run::new(&outcome.sources);
    let code = crate::code::CodeCache::default();
    let done = AtomicUsize::new(0);
    let total = units.len();
    let per_unit: Vec<UnitOutcome> = units
        .par_iter()
        .map(|unit| {
            let named = unit.files.iter().any(|&id| explicit[id]);
            let result = lint_unit(&run, unit, named, cwd.as_deref(), options, settings, &code);
            if let Some(progress) = settings.progress {
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            }
            result
        })
        .collect();

    let mut config_matched = BTreeSet::new();
    let mut config_used = BTreeSet::new();
    // One allocation for the merged findings instead of a chain of growing copies.
    outcome
        .findings
        .reserve(per_unit.iter().map(|r| r.findings.len()).sum());
    // A module folder linted on its own and through a caller reports what is written in it
    // twice, under two addresses (`aws_iam_role.x`, `module.m.aws_iam_role.x`): the same
    // rule at the same place, found by another unit, is reported once.
    // The unit the file belongs to wins: its addresses are those written in the file.
    let mut placed: std::collections::HashMap<(FileId, Span, &'static str), (usize, usize, bool)> =
        std::collections::HashMap::new();
    for (index, (unit, result)) in units.iter().zip(per_unit).enumerate() {
        let id = unit.files[0];
        outcome.files_linted += result.linted;
        for (file, error) in result.file_errors {
            outcome.errors.push(FileError {
                path: outcome.sources[file].display.clone(),
                message: error.message,
                file: Some(file),
                span: error.span,
            });
        }
        for pass in result.suppress {
            config_matched.extend(pass.config_matched);
            config_used.extend(pass.config_used);
            outcome.suppressed.extend(pass.suppressed);
        }
        if let Some((message, span)) = result.error {
            outcome.errors.push(FileError {
                path: outcome.sources[id].display.clone(),
                message,
                file: Some(id),
                span,
            });
        }
        outcome
            .notes
            .extend(result.notes.into_iter().map(|n| FileNote {
                file: n.file,
                span: n.span,
                message: n.message,
            }));
        for finding in result.findings {
            let key = (finding.file, finding.span, finding.rule.code);
            let owns = unit.files.contains(&finding.file);
            match placed.get(&key) {
                Some(&(unit_index, _, _)) if unit_index == index => {}
                Some(&(_, at, false)) if owns => {
                    outcome.findings[at] = finding;
                    placed.insert(key, (index, at, true));
                    continue;
                }
                Some(_) => continue,
                None => {
                    placed.insert(key, (index, outcome.findings.len(), owns));
                }
            }
            outcome.findings.push(finding);
        }
        outcome.inventory.extend(result.inventory);
        outcome.suggestions.extend(result.suggestions);
        outcome.access.extend(result.access);
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
    sort_stable(&mut outcome.findings, order);
    // A module folder is linted on its own and again through each caller: the same
    // finding at the same place is reported once.
    outcome.findings.dedup_by(|a, b| {
        a.file == b.file && a.span == b.span && a.rule.code == b.rule.code && a.message == b.message
    });
    sort_stable(&mut outcome.suppressed, |a, b| {
        order(&a.finding, &b.finding)
    });
    outcome
}

/// `slice::sort_by` for large elements: sorts indices (ties keep their order, as in a
/// stable sort) and moves each element once, instead of merging the elements themselves.
fn sort_stable<T>(items: &mut Vec<T>, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_unstable_by(|&a, &b| cmp(&items[a], &items[b]).then(a.cmp(&b)));
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    let mut sorted = Vec::with_capacity(slots.len());
    sorted.extend(order.into_iter().filter_map(|i| slots[i].take()));
    *items = sorted;
}

/// Load one unit, run the rules over its model and apply each file's suppressions.
fn lint_unit(
    run: &load::Run<'_>,
    unit: &PlannedUnit,
    explicit: bool,
    cwd: Option<&Path>,
    options: &Options,
    settings: &Settings<'_>,
    code: &crate::code::CodeCache,
) -> UnitOutcome {
    let sources = run.sources;
    let id = unit.files[0];
    let result = match unit.folder_format {
        Some(format) => load::load_folder(format, &unit.files, run, code),
        None => load::load_file_in(id, &sources[id], run, explicit, options.input_format, code),
    };
    let mut loaded = match result {
        Ok(loaded) => loaded,
        Err(err) => {
            return UnitOutcome {
                findings: Vec::new(),
                notes: Vec::new(),
                error: Some((err.message, err.span)),
                file_errors: Vec::new(),
                linted: 0,
                suppress: Vec::new(),
                inventory: Vec::new(),
                suggestions: Vec::new(),
                access: Vec::new(),
            }
        }
    };
    let mut findings = Vec::new();
    rules::check_model_with(
        &loaded.model,
        settings.org.as_ref(),
        &options.rules,
        &settings.config.rule_settings,
        &mut findings,
    );
    if !loaded.relocations.is_empty() {
        findings.iter_mut().for_each(|f| relocate(&loaded, f));
        for note in &mut loaded.notes {
            if let Some((file, span)) = load::relocate(&loaded.relocations, note.file, note.span) {
                (note.file, note.span) = (file, span);
            }
        }
    }
    let inventory = if settings.inventory {
        crate::inventory::of_model(&loaded)
    } else {
        Vec::new()
    };
    let suggestions = if settings.suggest {
        crate::suggest::of_model(&loaded, sources)
    } else {
        Vec::new()
    };
    let access = if settings.access {
        crate::access::of_model(&loaded.model, settings.org.as_ref(), sources)
    } else {
        Vec::new()
    };
    let mut passes = Vec::new();
    let mut kept = Vec::new();
    // Suppressions are per file: comments and resource spans belong to one source.
    for file in unit_files(&loaded, &unit.files) {
        let (here, rest): (Vec<Finding>, Vec<Finding>) =
            findings.into_iter().partition(|f| f.file == file);
        findings = rest;
        let source = &sources[file];
        let relative_path = settings.config.relative_path(&source.path, cwd);
        let input = suppress::FileInput {
            source,
            file,
            loaded: &loaded,
            relative_path: &relative_path,
            config: &settings.config,
            rules: &options.rules,
        };
        let mut pass = suppress::apply(&input, here);
        kept.append(&mut pass.findings);
        passes.push(pass);
    }
    // Findings placed in files outside the unit (a policy's related file) stay as they are.
    kept.append(&mut findings);
    for finding in kept.iter_mut().chain(
        passes
            .iter_mut()
            .flat_map(|p| p.suppressed.iter_mut().map(|s| &mut s.finding)),
    ) {
        settings.config.adjust_severity(finding);
    }
    let file_errors = std::mem::take(&mut loaded.errors);
    let linted = match loaded.format {
        // Errors in files read as dependencies (a broken module folder) are not of the unit.
        Some(_) => unit
            .files
            .iter()
            .filter(|f| !file_errors.iter().any(|(e, _)| e == *f))
            .count(),
        None => 0,
    };
    UnitOutcome {
        linted,
        findings: kept,
        notes: loaded.notes,
        error: None,
        file_errors,
        suppress: passes,
        inventory,
        suggestions,
        access,
    }
}

/// Move a finding whose spans stand for text of another file (a module call's argument used
/// inside the module) to that file. A fix whose edits do not all land in the finding's file
/// is dropped: it could not be applied.
fn relocate(loaded: &load::Loaded, finding: &mut Finding) {
    let moves = &loaded.relocations;
    let from = finding.file;
    let (file, span) = load::relocate(moves, from, finding.span)
        // Half in a stand-in range: keep the start, which is real.
        .unwrap_or((from, Span::empty(finding.span.start as usize)));
    (finding.file, finding.span) = (file, span);
    for related in &mut finding.related {
        if let Some((f, s)) = load::relocate(moves, related.file, related.span) {
            (related.file, related.span) = (f, s);
        }
    }
    finding.sensitive = std::mem::take(&mut finding.sensitive)
        .into_iter()
        .filter_map(|s| load::relocate(moves, from, s))
        .filter(|(f, _)| *f == file)
        .map(|(_, s)| s)
        .collect();
    if let Some(fix) = &mut finding.fix {
        let mut edits = Vec::new();
        for edit in &fix.edits {
            match load::relocate(moves, from, edit.span) {
                Some((f, s)) if f == file => edits.push(crate::finding::Edit {
                    span: s,
                    replacement: edit.replacement.clone(),
                }),
                _ => {
                    finding.fix = None;
                    return;
                }
            }
        }
        fix.edits = edits;
    }
}

/// Read the files units name besides their own (local module folders, includes) once, before
/// the parallel stage, and give them ids after the run's files: loaders then reach them by
/// path like any file of the run. They are not units of their own; unreadable ones are left
/// to the loader to note.
fn read_dependencies(
    sources: &mut Vec<SourceFile>,
    units: &[PlannedUnit],
    max_size: u64,
    cwd: Option<&Path>,
) {
    // Includes of includes, modules calling modules: as deep as any loader follows them
    // (Serverless includes, 8); cycles end because a file is read once.
    const MAX_DEPTH: usize = 8;
    let mut known: std::collections::HashSet<PathBuf> = sources
        .iter()
        .map(|s| crate::config::normalize(&s.path))
        .collect();
    let mut queue: Vec<(FileId, PathBuf, usize)> = units
        .iter()
        .flat_map(|unit| {
            let base = sources[unit.files[0]]
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            unit.files.iter().map(move |&id| (id, base.clone(), 0))
        })
        .collect();
    while !queue.is_empty() {
        let wanted: Vec<(PathBuf, PathBuf, usize)> = queue
            .par_iter()
            .filter(|(_, _, depth)| *depth < MAX_DEPTH)
            .flat_map_iter(|(id, base, depth)| {
                load::dependencies(&sources[*id], base)
                    .into_iter()
                    .map(move |path| (path, base.clone(), depth + 1))
            })
            .collect();
        let fresh: Vec<(PathBuf, PathBuf, usize)> = wanted
            .into_iter()
            .filter(|(path, _, _)| known.insert(crate::config::normalize(path)))
            .collect();
        let texts: Vec<Result<String, String>> = fresh
            .par_iter()
            .map(|(path, _, _)| read_text(path, max_size))
            .collect();
        queue.clear();
        for ((path, base, depth), text) in fresh.into_iter().zip(texts) {
            let Ok(text) = text else {
                continue;
            };
            // `app/./modules/x/main.tf` is shown as `app/modules/x/main.tf`.
            let path = crate::config::normalize(&path);
            let display = discover::display_path(&path, cwd);
            queue.push((sources.len(), base, depth));
            sources.push(SourceFile::new(path, display, text));
        }
    }
}

/// The files of a unit (those planned, and any the loader reported on).
fn unit_files(loaded: &load::Loaded, planned: &[FileId]) -> Vec<FileId> {
    let mut files = planned.to_vec();
    files.extend(
        loaded
            .files
            .iter()
            .map(|f| f.id)
            .filter(|f| !planned.contains(f)),
    );
    files
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
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err("binary file (contains NUL bytes), not JSON or YAML".into());
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!("not valid UTF-8: invalid byte at offset {at} (line {line})")
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::finding::{Applicability, Edit, Fix};
    use crate::load::{Relocation, RELOCATED_BASE};

    fn finding(span: Span, edits: &[Span]) -> Finding {
        let rule = crate::rules::find("wildcard-action").unwrap().meta();
        let mut finding = Finding::new(rule, 1, span, "m");
        finding.fix = Some(Fix {
            title: "t".into(),
            applicability: Applicability::Unsafe,
            edits: edits
                .iter()
                .map(|&span| Edit {
                    span,
                    replacement: String::new(),
                })
                .collect(),
        });
        finding
    }

    #[test]
    fn stand_in_spans_move_back_to_the_callers_file() {
        let loaded = load::Loaded {
            relocations: vec![Relocation {
                start: RELOCATED_BASE,
                end: RELOCATED_BASE + 100,
                file: 0,
                origin: 0,
            }],
            ..load::Loaded::default()
        };
        let stand_in = |a: u32, b: u32| {
            Span::new((RELOCATED_BASE + a) as usize, (RELOCATED_BASE + b) as usize)
        };
        // Value and fix both in the caller: both move.
        let mut moved = finding(stand_in(10, 14), &[stand_in(10, 14)]);
        relocate(&loaded, &mut moved);
        assert_eq!((moved.file, moved.span), (0, Span::new(10, 14)));
        assert_eq!(moved.fix.unwrap().edits[0].span, Span::new(10, 14));
        // A fix that would edit the module file too cannot be applied.
        let mut split = finding(stand_in(10, 14), &[stand_in(10, 14), Span::new(3, 5)]);
        relocate(&loaded, &mut split);
        assert_eq!(split.file, 0);
        assert!(split.fix.is_none());
        // Real spans stay where they are.
        let mut real = finding(Span::new(3, 5), &[Span::new(3, 5)]);
        relocate(&loaded, &mut real);
        assert_eq!((real.file, real.span), (1, Span::new(3, 5)));
        assert!(real.fix.is_some());
    }
}
