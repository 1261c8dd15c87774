//! Loaders: one per input format, each turning an input unit (a file, or files that belong
//! together) into the common model plus what the suppression pass needs.
//!
//! The registry below is the only place that knows formats: discovery asks it which files
//! are worth reading, `--input-format` names one of its formats, and reporters ask it for a
//! file's language. A file's format is decided by its name and content, never by the
//! extension alone.

pub mod aws_cli;
pub mod cloudformation;
mod iam_json;
pub mod org;
pub mod policy_reader;
pub mod serverless;
pub mod terraform;

use std::path::Path;

use crate::code::{CodeCache, CodeReader};
use crate::model::FileModel;
use crate::source::{FileId, SourceFile, Span, Spanned};
use crate::syntax::{self, Comment, Document, Node};

/// How a format writes comments, for `iamlint: ignore` suppressions.
#[derive(Debug)]
pub struct CommentSyntax {
    /// Markers that start a comment line (`#`; HCL also `//` and `/*`).
    pub line_markers: &'static [&'static str],
    /// How to write a suppression, for help texts.
    pub example: &'static str,
}

pub const HASH_COMMENTS: CommentSyntax = CommentSyntax {
    line_markers: &["#"],
    example: "# iamlint: ignore[rule-name] <reason>",
};

/// What parses a format's files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// JSON or YAML, into the span-keeping tree of `syntax`; parsed once, before sniffing.
    JsonOrYaml,
    /// Another syntax the loader parses itself (HCL).
    Own,
}

/// Which files load together as one input unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// Each file on its own.
    File,
    /// Every file of the format in one folder (a Terraform module).
    Folder,
}

/// An input format, as the registry describes it.
#[derive(Debug)]
pub struct Format {
    /// Name for `--input-format` (`cloudformation`).
    pub name: &'static str,
    /// Name in messages (`CloudFormation template`).
    pub title: &'static str,
    /// Extensions of files worth reading while walking a directory (lower case), each with
    /// the language reporters name for it (SARIF `sourceLanguage`).
    pub extensions: &'static [(&'static str, Option<&'static str>)],
    pub syntax: Syntax,
    pub grouping: Grouping,
    pub comments: &'static CommentSyntax,
}

/// What a loader sees to decide whether a file is its format.
pub struct Sniff<'a> {
    pub source: &'a SourceFile,
    /// The parsed root, for tree formats; `None` when parsing failed (the loader then says
    /// from the text alone whether the file was meant to be its format).
    pub root: Option<&'a Node>,
}

/// One file of an input unit, read (and parsed, for tree formats).
pub struct UnitFile<'a> {
    pub id: FileId,
    pub source: &'a SourceFile,
    /// The parsed tree for `Syntax::JsonOrYaml` formats.
    pub document: Option<&'a Document>,
}

/// The files that load together, and every file of the run (so a loader can follow a
/// reference to another file, `file("policy.json")`, by the id it already has).
pub struct Unit<'a> {
    pub files: Vec<UnitFile<'a>>,
    pub run: &'a Run<'a>,
}

impl<'a> Unit<'a> {
    /// A file of the run by path, when it was read.
    pub fn file_at(&self, path: &Path) -> Option<(FileId, &'a SourceFile)> {
        self.run.file_at(path)
    }
}

/// Every file of the run by id, indexed by normalised path and folder once for all units
/// (loaders look files up by path for every include and module call).
#[derive(Default)]
pub struct Run<'a> {
    pub sources: &'a [SourceFile],
    by_path: std::collections::HashMap<std::path::PathBuf, FileId>,
    by_folder: std::collections::HashMap<std::path::PathBuf, Vec<FileId>>,
}

impl<'a> Run<'a> {
    pub fn new(sources: &'a [SourceFile]) -> Self {
        let mut run = Run {
            sources,
            ..Run::default()
        };
        for (id, source) in sources.iter().enumerate() {
            let path = crate::config::normalize(&source.path);
            let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
            run.by_folder.entry(folder).or_default().push(id);
            run.by_path.entry(path).or_insert(id);
        }
        run
    }

    /// A file of the run by path, when it was read.
    pub fn file_at(&self, path: &Path) -> Option<(FileId, &'a SourceFile)> {
        let id = *self.by_path.get(&crate::config::normalize(path))?;
        Some((id, self.sources.get(id)?))
    }

    /// The files of the run directly in folder `dir`, in id order.
    pub fn files_in(&self, dir: &Path) -> impl Iterator<Item = (FileId, &'a SourceFile)> + '_ {
        self.by_folder
            .get(&crate::config::normalize(dir))
            .into_iter()
            .flatten()
            .filter_map(|&id| Some((id, self.sources.get(id)?)))
    }
}

/// A loader: sniffs and loads one input format.
pub trait Loader: Sync + Send {
    fn format(&self) -> &'static Format;
    fn sniff(&self, input: &Sniff<'_>) -> bool;
    fn load(&self, unit: &Unit<'_>, out: &mut Loaded) -> Result<(), LoadError>;

    /// Why a file of this format would not deploy (a CloudFormation dependency cycle), if
    /// the loader can tell; fixes that introduce such a problem are not applied.
    fn deploy_problem(&self, _root: &Node) -> Option<String> {
        None
    }

    /// Files on disk a file of this format reads besides itself (a Terraform module folder's
    /// `.tf` files, a Serverless `${file(...)}` include), so the run reads them before
    /// loading and gives them ids even when they are not among its paths. `base` is the
    /// folder of the unit's main file (Serverless includes are relative to it). Cheap: a text
    /// scan, never a full load; the loader decides later what it really uses.
    fn dependencies(&self, _source: &SourceFile, _base: &Path) -> Vec<std::path::PathBuf> {
        Vec::new()
    }

    /// For folder-grouped formats: whether this file belongs to the folder's unit. By
    /// default, every file with one of the format's extensions does.
    fn joins_folder_unit(&self, source: &SourceFile) -> bool {
        let ext = extension(&source.display);
        self.format().extensions.iter().any(|(e, _)| *e == ext)
    }
}

/// Every file some loader would read because `source` names it (see
/// [`Loader::dependencies`]).
pub fn dependencies(source: &SourceFile, base: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<std::path::PathBuf> = Vec::new();
    for loader in LOADERS {
        for path in loader.dependencies(source, base) {
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// Every loader, in the order they are asked: a more specific format comes first.
pub static LOADERS: &[&dyn Loader] = &[
    &terraform::PlanLoader,
    &aws_cli::Loader,
    &iam_json::IamJsonLoader,
    &serverless::Loader,
    &cloudformation::Loader,
    &terraform::Loader,
];

/// Find a format by its `--input-format` name (case-insensitive).
pub fn format_named(name: &str) -> Option<&'static Format> {
    LOADERS
        .iter()
        .map(|l| l.format())
        .find(|f| f.name.eq_ignore_ascii_case(name))
}

/// Names of every format, for `--input-format` help and errors.
pub fn format_names() -> Vec<&'static str> {
    LOADERS.iter().map(|l| l.format().name).collect()
}

/// Whether a file met while walking is worth reading: some format uses its extension.
pub fn is_candidate(path: &Path) -> bool {
    let ext = extension(&path.to_string_lossy());
    LOADERS
        .iter()
        .any(|l| l.format().extensions.iter().any(|(e, _)| *e == ext))
}

/// The language of a file for reporters (SARIF `sourceLanguage`), from its extension.
pub fn language_of(path: &str) -> Option<&'static str> {
    let ext = extension(path);
    LOADERS
        .iter()
        .flat_map(|l| l.format().extensions)
        .find(|(e, _)| *e == ext)
        .and_then(|(_, language)| *language)
}

/// Everything one input unit contributes to the lint.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The format that read it; `None` when no loader recognised the input.
    pub format: Option<&'static Format>,
    pub model: FileModel,
    /// Per file: what the suppression pass reads.
    pub files: Vec<LoadedFile>,
    /// What a loader skipped and why (macros, `Fn::ForEach`), shown as info.
    pub notes: Vec<LoadNote>,
    /// Files of a multi-file unit that could not be loaded while the others were.
    pub errors: Vec<(FileId, LoadError)>,
    /// Spans that stand for text of another file (see [`Relocation`]).
    pub relocations: Vec<Relocation>,
}

/// A value written in one file but used in another (an argument of a Terraform module call,
/// used inside the module): the model keeps one file per object, so the value gets a span
/// past the end of any real text, `start..end`, and findings on it are moved back to
/// `file` at `span - (start - origin)` once the rules have run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Relocation {
    /// The stand-in range (never a real offset: it starts at [`RELOCATED_BASE`] or above).
    pub start: u32,
    pub end: u32,
    /// Where the text really is: file, and the offset `start` stands for.
    pub file: FileId,
    pub origin: u32,
}

/// Stand-in spans start here: far past any file the run reads (`--max-file-size`).
pub const RELOCATED_BASE: u32 = 1 << 31;

/// Where a span really is: itself, or the file and range a stand-in span stands for. None
/// for a span that only partly lies in a stand-in range (it cannot be placed).
pub fn relocate(relocations: &[Relocation], file: FileId, span: Span) -> Option<(FileId, Span)> {
    if span.start < RELOCATED_BASE && span.end < RELOCATED_BASE {
        return Some((file, span));
    }
    let r = relocations
        .iter()
        .find(|r| r.start <= span.start && span.end <= r.end)?;
    let shift = |at: u32| (at - r.start + r.origin) as usize;
    Some((r.file, Span::new(shift(span.start), shift(span.end))))
}

impl Loaded {
    /// The suppression inputs of one file of the unit.
    pub fn file(&self, id: FileId) -> Option<&LoadedFile> {
        self.files.iter().find(|f| f.id == id)
    }

    pub fn file_mut(&mut self, id: FileId) -> &mut LoadedFile {
        match self.files.iter().position(|f| f.id == id) {
            Some(i) => &mut self.files[i],
            None => {
                self.files.push(LoadedFile {
                    id,
                    ..LoadedFile::default()
                });
                let last = self.files.len() - 1;
                &mut self.files[last]
            }
        }
    }
}

/// What the suppression pass needs from one file.
#[derive(Debug, Default)]
pub struct LoadedFile {
    pub id: FileId,
    pub comments: Vec<Comment>,
    pub comment_syntax: Option<&'static CommentSyntax>,
    /// Spans of template resources (logical id through the end of the definition): a
    /// suppression comment on a resource's first line covers all of it.
    pub resources: Vec<Span>,
    /// Suppressions declared in the input itself (CloudFormation `Metadata: {iamlint: ...}`).
    pub suppressions: Vec<DeclaredSuppression>,
}

/// `Metadata: {iamlint: {ignore: [{rule: wildcard-resource, reason: ...}]}}` on a resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredSuppression {
    pub rule: Spanned<String>,
    pub reason: Option<String>,
    /// The region the suppression covers (the resource).
    pub scope: Span,
}

/// Something the loader could not evaluate but that is not an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadNote {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// A file that could not be loaded. `span` is set for syntax errors.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LoadError {
    pub message: String,
    pub span: Option<Span>,
}

/// Read the handler code of every function that says where its code is (see `code`).
fn read_function_code(source: &SourceFile, loaded: &mut Loaded, code: &CodeCache) {
    if loaded.model.functions.iter().all(|f| f.code.is_none()) {
        return;
    }
    // Code paths are relative to the template's folder: a text not read from disk has none.
    if !source.path.is_file() {
        return;
    }
    let mut reader: Option<crate::code::CodeReader> = None;
    for function in &mut loaded.model.functions {
        let Some(location) = &function.code else {
            continue;
        };
        let reader = reader
            .get_or_insert_with(|| CodeReader::new(&source.path, &source.display).with_cache(code));
        match reader.read(location, &function.logical_id) {
            Ok(calls) => function.code_calls = Some(calls),
            Err(why) => loaded.notes.push(LoadNote {
                file: function.file,
                span: function.span,
                message: format!(
                    "the code of function `{}` was not analysed: {why}",
                    function.logical_id
                ),
            }),
        }
    }
}

/// Load one file as its own unit. `explicit` is true for a path the user named: such a file
/// is an error when it is not a recognised input; files found by walking a directory are
/// skipped quietly. `forced` skips content detection (`--input-format`). `code` holds the
/// handler code the run has parsed so far.
pub fn load_file(
    file: FileId,
    source: &SourceFile,
    explicit: bool,
    forced: Option<&'static Format>,
    code: &CodeCache,
) -> Result<Loaded, LoadError> {
    load_file_in(file, source, &Run::default(), explicit, forced, code)
}

/// [`load_file`] with every file of the run at hand (`run[file]` is `source`), so the
/// loader can follow a reference to another file (an include) by the id it already has.
pub fn load_file_in(
    file: FileId,
    source: &SourceFile,
    run: &Run<'_>,
    explicit: bool,
    forced: Option<&'static Format>,
    code: &CodeCache,
) -> Result<Loaded, LoadError> {
    let loaders: Vec<&dyn Loader> = LOADERS
        .iter()
        .copied()
        .filter(|l| forced.is_none_or(|f| std::ptr::eq(l.format(), f)))
        .collect();
    let ext = extension(&source.display);
    // Formats with a syntax of their own (HCL) are recognised before JSON/YAML parsing.
    let sniff = Sniff { source, root: None };
    if let Some(own) = loaders
        .iter()
        .find(|l| l.format().syntax == Syntax::Own && (forced.is_some() || l.sniff(&sniff)))
    {
        return load_unit_files(own.format(), &[(file, source)], run, code);
    }
    // Other HCL (variable files) must not be mistaken for YAML.
    if matches!(ext.as_str(), "hcl" | "tfvars") {
        let notes = explicit
            .then(|| LoadNote {
                file,
                span: Span::default(),
                message: "Terraform variable files and other HCL are not linted on their own; this file was skipped".into(),
            })
            .into_iter()
            .collect();
        return Ok(Loaded {
            notes,
            ..Loaded::default()
        });
    }
    let document = match syntax::parse_auto(&source.text, ext == "json") {
        Ok(document) => document,
        Err(err) => {
            let sniff = Sniff { source, root: None };
            let meant = loaders.iter().find(|l| l.sniff(&sniff));
            if !explicit && meant.is_none() {
                return Ok(Loaded::default());
            }
            let language = if ext == "json" || source.text.trim_start().starts_with('{') {
                "JSON"
            } else {
                "YAML"
            };
            let what = match (meant, forced) {
                (Some(loader), _) => format!("{language} ({})", loader.format().title),
                (None, Some(format)) => format!("{language} ({})", format.title),
                (None, None) => language.to_string(),
            };
            return Err(LoadError {
                message: format!("invalid {what}: {}", err.message),
                span: Some(Span::empty(err.offset)),
            });
        }
    };
    let mut loaded = Loaded::default();
    let Some(root) = document.roots.first() else {
        return Ok(loaded);
    };
    let sniff = Sniff {
        source,
        root: Some(root),
    };
    let chosen = match forced {
        Some(_) => loaders.first().copied(),
        None => loaders.iter().copied().find(|l| l.sniff(&sniff)),
    };
    if let Some(loader) = chosen {
        loaded.format = Some(loader.format());
        let unit = Unit {
            files: vec![UnitFile {
                id: file,
                source,
                document: Some(&document),
            }],
            run,
        };
        loader.load(&unit, &mut loaded)?;
        loaded.model.mark_boundaries();
        read_function_code(source, &mut loaded, code);
        let this = loaded.file_mut(file);
        this.comment_syntax = Some(loader.format().comments);
        this.comments = document.comments;
    }
    Ok(loaded)
}

/// Whether fixed text can replace the original: it must parse, and must not break
/// deployment where the original did not (a fix must never add a dependency cycle).
pub fn check_fixed(display: &str, original: &str, fixed: &str) -> Result<(), String> {
    let json = extension(display) == "json";
    let after =
        syntax::parse_auto(fixed, json).map_err(|e| format!("would not parse: {}", e.message))?;
    let (Ok(before), Some(root)) = (syntax::parse_auto(original, json), after.roots.first()) else {
        return Ok(());
    };
    let Some(old_root) = before.roots.first() else {
        return Ok(());
    };
    let dummy = SourceFile::new(display.into(), display.into(), original.into());
    let sniff = Sniff {
        source: &dummy,
        root: Some(old_root),
    };
    let Some(loader) = LOADERS.iter().find(|l| l.sniff(&sniff)) else {
        return Ok(());
    };
    match (loader.deploy_problem(old_root), loader.deploy_problem(root)) {
        (None, Some(problem)) => Err(problem),
        _ => Ok(()),
    }
}

/// Load one file as its own unit, recognising its format by content.
pub fn load(file: FileId, source: &SourceFile, explicit: bool) -> Result<Loaded, LoadError> {
    load_file(file, source, explicit, None, &CodeCache::default())
}

/// Extension of a display path, lower-cased.
pub fn extension(path: &str) -> String {
    std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// The parsed root of a tree-syntax unit's (first) file.
fn root_of<'a>(unit: &'a Unit<'_>) -> Option<&'a Node> {
    unit.files.first()?.document?.roots.first()
}

/// The format that loads this file together with others of its folder, if any.
pub fn folder_format(source: &SourceFile) -> Option<&'static Format> {
    LOADERS
        .iter()
        .find(|l| l.format().grouping == Grouping::Folder && l.joins_folder_unit(source))
        .map(|l| l.format())
}

/// Load the files of one folder as a unit of a folder-grouped format; `run` holds every
/// file of the run by id (`files` are ids into it).
pub fn load_folder(
    format: &'static Format,
    files: &[FileId],
    run: &Run<'_>,
    code: &CodeCache,
) -> Result<Loaded, LoadError> {
    let pairs: Vec<(FileId, &SourceFile)> = files
        .iter()
        .filter_map(|&id| Some((id, run.sources.get(id)?)))
        .collect();
    load_unit_files(format, &pairs, run, code)
}

fn load_unit_files(
    format: &'static Format,
    files: &[(FileId, &SourceFile)],
    run: &Run<'_>,
    code: &CodeCache,
) -> Result<Loaded, LoadError> {
    let Some(loader) = LOADERS.iter().find(|l| std::ptr::eq(l.format(), format)) else {
        return Ok(Loaded::default());
    };
    let mut loaded = Loaded {
        format: Some(format),
        ..Loaded::default()
    };
    // Tree formats get their files parsed here; a file that does not parse is an error of
    // its own and the others still load.
    let mut documents: Vec<Option<Document>> = Vec::with_capacity(files.len());
    for &(id, source) in files {
        if format.syntax != Syntax::JsonOrYaml {
            documents.push(None);
            continue;
        }
        let json = extension(&source.display) == "json";
        match syntax::parse_auto(&source.text, json) {
            Ok(document) => documents.push(Some(document)),
            Err(err) => {
                loaded.errors.push((
                    id,
                    LoadError {
                        message: format!("invalid {}: {}", format.title, err.message),
                        span: Some(Span::empty(err.offset)),
                    },
                ));
                documents.push(None);
            }
        }
    }
    let unit = Unit {
        files: files
            .iter()
            .zip(&documents)
            .map(|(&(id, source), document)| UnitFile {
                id,
                source,
                document: document.as_ref(),
            })
            .collect(),
        run,
    };
    loader.load(&unit, &mut loaded)?;
    loaded.model.mark_boundaries();
    // Code paths are relative to the unit's folder, which every file of it shares.
    if let Some(&(_, first)) = files.first() {
        read_function_code(first, &mut loaded, code);
    }
    for (&(id, _), document) in files.iter().zip(documents) {
        if let Some(document) = document {
            let this = loaded.file_mut(id);
            this.comment_syntax = Some(format.comments);
            this.comments = document.comments;
        }
    }
    Ok(loaded)
}
