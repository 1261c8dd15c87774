//! Loaders: one per input format, each turning an input unit (a file, or files that belong
//! together) into the common model plus what the suppression pass needs.
//!
//! The registry below is the only place that knows formats: discovery asks it which files
//! are worth reading, `--input-format` names one of its formats, and reporters ask it for a
//! file's language. A file's format is decided by its name and content, never by the
//! extension alone.

pub mod cloudformation;
mod iam_json;
pub mod policy_reader;

use std::path::Path;

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
    /// JSON or YAML, into the span-keeping tree of `syntax`.
    JsonOrYaml,
}

/// An input format, as the registry describes it.
#[derive(Debug)]
pub struct Format {
    /// Name for `--input-format` (`cloudformation`).
    pub name: &'static str,
    /// Name in messages (`CloudFormation template`).
    pub title: &'static str,
    /// Extensions of files worth reading while walking a directory (lower case).
    pub extensions: &'static [&'static str],
    pub syntax: Syntax,
    pub comments: &'static CommentSyntax,
}

/// What a loader sees to decide whether a file is its format.
pub struct Sniff<'a> {
    pub source: &'a SourceFile,
    /// The parsed root, for tree formats; `None` when parsing failed (the loader then says
    /// from the text alone whether the file was meant to be its format).
    pub root: Option<&'a Node>,
}

/// One file of an input unit, read and parsed.
pub struct UnitFile<'a> {
    pub id: FileId,
    pub source: &'a SourceFile,
    pub document: &'a Document,
}

/// A loader: sniffs and loads one input format.
pub trait Loader: Sync + Send {
    fn format(&self) -> &'static Format;
    fn sniff(&self, input: &Sniff<'_>) -> bool;
    fn load(&self, unit: &UnitFile<'_>, out: &mut Loaded) -> Result<(), LoadError>;
}

/// Every loader, in the order they are asked: a more specific format comes first.
pub static LOADERS: &[&dyn Loader] = &[&iam_json::IamJsonLoader, &cloudformation::Loader];

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
        .any(|l| l.format().extensions.contains(&ext.as_str()))
}

/// The language of a file for reporters (SARIF `sourceLanguage`), from its extension.
pub fn language_of(path: &str) -> Option<&'static str> {
    match extension(path).as_str() {
        "json" => Some("json"),
        "yaml" | "yml" => Some("yaml"),
        "tf" | "hcl" => Some("hcl"),
        _ => None,
    }
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
}

impl Loaded {
    /// The suppression inputs of one file of the unit.
    pub fn file(&self, id: FileId) -> Option<&LoadedFile> {
        self.files.iter().find(|f| f.id == id)
    }

    fn file_mut(&mut self, id: FileId) -> &mut LoadedFile {
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
fn read_function_code(source: &SourceFile, loaded: &mut Loaded) {
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
            .get_or_insert_with(|| crate::code::CodeReader::new(&source.path, &source.display));
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
/// skipped quietly. `forced` skips content detection (`--input-format`).
pub fn load_file(
    file: FileId,
    source: &SourceFile,
    explicit: bool,
    forced: Option<&'static Format>,
) -> Result<Loaded, LoadError> {
    let loaders: Vec<&dyn Loader> = LOADERS
        .iter()
        .copied()
        .filter(|l| forced.is_none_or(|f| std::ptr::eq(l.format(), f)))
        .collect();
    let ext = extension(&source.display);
    // Terraform is not read yet; its HCL must not be mistaken for YAML.
    if matches!(ext.as_str(), "tf" | "hcl" | "tfvars") {
        let notes = if explicit {
            vec![LoadNote {
                file,
                span: Span::default(),
                message: "Terraform files are not read yet; this file was skipped".into(),
            }]
        } else {
            Vec::new()
        };
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
        let unit = UnitFile {
            id: file,
            source,
            document: &document,
        };
        loader.load(&unit, &mut loaded)?;
        read_function_code(source, &mut loaded);
        let this = loaded.file_mut(file);
        this.comment_syntax = Some(loader.format().comments);
        this.comments = document.comments;
    }
    Ok(loaded)
}

/// Load one file as its own unit, recognising its format by content.
pub fn load(file: FileId, source: &SourceFile, explicit: bool) -> Result<Loaded, LoadError> {
    load_file(file, source, explicit, None)
}

/// Extension of a display path, lower-cased.
pub fn extension(path: &str) -> String {
    std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// The parsed root of a tree-syntax unit file.
fn root_of<'a>(unit: &'a UnitFile<'_>) -> Option<&'a Node> {
    unit.document.roots.first()
}
