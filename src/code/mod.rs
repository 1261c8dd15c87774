//! Handler code: find a function's code from its template, parse it with tree-sitter, follow
//! its relative imports, extract the AWS SDK calls and map each operation to IAM actions.
//!
//! Runs at load time (the loader knows where the template is); rules read the resulting
//! `Function::code_calls` only. Code that cannot be found or parsed gives a note, never an
//! error.

mod javascript;
mod locate;
mod python;
mod services;
mod syntax;

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::model::{CodeCalls, CodeLocation, ResourceHint, SdkCall};

/// Parameter names that name the resource a call acts on.
pub(crate) const RESOURCE_KEYS: &[&str] = &[
    "TableName",
    "Bucket",
    "QueueUrl",
    "TopicArn",
    "TargetArn",
    "FunctionName",
    "SecretId",
    "StateMachineArn",
    "EventBusName",
    "StreamName",
    "StreamARN",
    "DeliveryStreamName",
    "KeyId",
    "Name",
];

/// Document-client and `Table` methods (JavaScript names compared without `_`, lower case)
/// and the DynamoDB operations they call.
pub(crate) const DOC_CLIENT_METHODS: &[(&str, &str)] = &[
    ("get", "GetItem"),
    ("put", "PutItem"),
    ("update", "UpdateItem"),
    ("delete", "DeleteItem"),
    ("get_item", "GetItem"),
    ("put_item", "PutItem"),
    ("update_item", "UpdateItem"),
    ("delete_item", "DeleteItem"),
    ("query", "Query"),
    ("scan", "Scan"),
    ("batch_get", "BatchGetItem"),
    ("batch_write", "BatchWriteItem"),
    ("transact_get", "TransactGetItems"),
    ("transact_write", "TransactWriteItems"),
    ("execute_statement", "ExecuteStatement"),
];

/// At most this many code files are read per function, each at most this large.
const MAX_FILES: usize = 200;
const MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;

/// An SDK call as an extractor finds it.
#[derive(Clone, Debug)]
pub(crate) struct Found {
    pub service: usize,
    pub operation: String,
    pub resource: Option<ResourceHint>,
    /// Byte offset in the file.
    pub offset: usize,
}

/// What one code file holds.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extracted {
    pub calls: Vec<Found>,
    /// Module specifiers it imports (relative ones for JavaScript, module names for Python).
    pub imports: Vec<String>,
    /// Byte offset and description of code that picks a service or method at run time.
    pub dynamic: Vec<(usize, String)>,
}

impl Extracted {
    fn dynamic(&mut self, node: tree_sitter::Node<'_>, _src: &str, what: &str) {
        let at = node.start_byte();
        if !self.dynamic.iter().any(|(o, _)| *o == at) {
            self.dynamic.push((at, what.to_string()));
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Language {
    JavaScript,
    TypeScript,
    Python,
}

impl Language {
    fn of_path(path: &Path) -> Option<Language> {
        match path.extension()?.to_str()? {
            "js" | "mjs" | "cjs" | "jsx" => Some(Language::JavaScript),
            "ts" | "mts" | "cts" | "tsx" => Some(Language::TypeScript),
            "py" => Some(Language::Python),
            _ => None,
        }
    }

    fn of_runtime(runtime: &str) -> Option<Language> {
        if runtime.starts_with("python") {
            Some(Language::Python)
        } else if runtime.starts_with("nodejs") {
            Some(Language::JavaScript)
        } else {
            None
        }
    }
}

fn extract(language: Language, text: &str) -> Option<Extracted> {
    match language {
        Language::JavaScript => javascript::extract(text, false),
        Language::TypeScript => javascript::extract(text, true),
        Language::Python => python::extract(text),
    }
}

/// Inline code already parsed during one run, by text and language. Templates copied
/// between projects often carry the same inline handler, and parsing is most of the cost of
/// reading code; what a text yields depends on nothing else.
#[derive(Debug, Default)]
pub struct CodeCache {
    inline: Mutex<HashMap<String, Vec<ByLanguage>>>,
}

/// What one text yields when read as one language.
type ByLanguage = (Language, Option<Extracted>);

impl CodeCache {
    fn extract(&self, language: Language, text: &str) -> Option<Extracted> {
        let known = self.inline.lock().ok().and_then(|map| {
            map.get(text)?
                .iter()
                .find(|(l, _)| *l == language)
                .map(|(_, e)| e.clone())
        });
        if let Some(extracted) = known {
            return extracted;
        }
        let extracted = extract(language, text);
        if let Ok(mut map) = self.inline.lock() {
            map.entry(text.to_string())
                .or_default()
                .push((language, extracted.clone()));
        }
        extracted
    }
}

/// Reads code for the functions of one template, sharing parsed files between them.
pub struct CodeReader<'c> {
    template_dir: PathBuf,
    display_dir: PathBuf,
    parsed: HashMap<PathBuf, Option<(String, Extracted)>>,
    cache: Option<&'c CodeCache>,
}

impl<'c> CodeReader<'c> {
    /// `template` is the template's path on disk, `display` the path shown to users.
    pub fn new(template: &Path, display: &str) -> Self {
        CodeReader {
            template_dir: template.parent().map(Path::to_path_buf).unwrap_or_default(),
            display_dir: Path::new(display)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
            parsed: HashMap::new(),
            cache: None,
        }
    }

    /// Share parsed inline code with the other readers of the run.
    pub fn with_cache(mut self, cache: &'c CodeCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The SDK calls of a function's code, or why they could not be read.
    pub fn read(&mut self, location: &CodeLocation, name: &str) -> Result<CodeCalls, String> {
        let runtime = location.runtime.as_deref().unwrap_or("");
        if let Some(inline) = &location.inline {
            let language = Language::of_runtime(runtime)
                .or_else(|| {
                    (runtime.is_empty())
                        .then(|| guess_language(&inline.text))
                        .flatten()
                })
                .ok_or_else(|| match runtime {
                    "" => "inline code of an unknown runtime is not read".to_string(),
                    _ => format!("inline code of runtime `{runtime}` is not read"),
                })?;
            let extracted = match self.cache {
                Some(cache) => cache.extract(language, &inline.text),
                None => extract(language, &inline.text),
            }
            .ok_or_else(|| "inline code could not be parsed".to_string())?;
            let file = format!("inline code of `{name}`");
            let mut out = CodeCalls {
                files: vec![file.clone()],
                ..CodeCalls::default()
            };
            collect(&mut out, &file, &inline.text, &extracted);
            return Ok(out);
        }
        if !runtime.is_empty() && Language::of_runtime(runtime).is_none() {
            return Err(format!(
                "code of runtime `{runtime}` is not read (Node.js and Python only)"
            ));
        }
        let base = location
            .base_dir
            .as_deref()
            .ok_or_else(|| "no code location".to_string())?;
        let base_path = self.template_dir.join(base);
        if base_path.is_file() {
            return Err(format!("code `{base}` is an archive or file, not a folder"));
        }
        if !base_path.is_dir() {
            return Err(format!("code folder `{base}` not found"));
        }
        let handler = location
            .handler
            .as_deref()
            .ok_or_else(|| "no `Handler`".to_string())?;
        let entry = locate::handler_file(&base_path, handler, Language::of_runtime(runtime))
            .ok_or_else(|| format!("handler file for `{handler}` not found in `{base}`"))?;
        let mut out = CodeCalls::default();
        let mut queue = VecDeque::from([entry]);
        let mut seen: Vec<PathBuf> = Vec::new();
        while let Some(path) = queue.pop_front() {
            if seen.contains(&path) || seen.len() >= MAX_FILES {
                continue;
            }
            seen.push(path.clone());
            let Some((text, extracted)) = self.parse(&path) else {
                if seen.len() == 1 {
                    return Err(format!(
                        "handler file `{}` could not be read",
                        path.display()
                    ));
                }
                continue;
            };
            let display = self.display(&path);
            out.files.push(display.clone());
            collect(&mut out, &display, &text, &extracted);
            for import in &extracted.imports {
                if let Some(next) = locate::import_file(&base_path, &path, import) {
                    queue.push_back(next);
                }
            }
        }
        Ok(out)
    }

    fn parse(&mut self, path: &Path) -> Option<(String, Extracted)> {
        if let Some(done) = self.parsed.get(path) {
            return done.clone();
        }
        let result = (|| {
            let language = Language::of_path(path)?;
            if std::fs::metadata(path).ok()?.len() > MAX_FILE_SIZE {
                return None;
            }
            let text = std::fs::read_to_string(path).ok()?;
            let extracted = extract(language, &text)?;
            Some((text, extracted))
        })();
        self.parsed.insert(path.to_path_buf(), result.clone());
        result
    }

    /// The path shown in messages: the template's display folder plus the part below it.
    fn display(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.template_dir).unwrap_or(path);
        let joined = self.display_dir.join(relative);
        locate::clean(&joined).to_string_lossy().replace('\\', "/")
    }
}

/// Append a file's calls with their IAM actions and line/column.
fn collect(out: &mut CodeCalls, file: &str, text: &str, extracted: &Extracted) {
    let table = services::services();
    for found in &extracted.calls {
        let Some(service) = table.get(found.service) else {
            continue;
        };
        let (line, column) = line_col(text, found.offset);
        out.calls.push(SdkCall {
            service: service.prefix.clone(),
            operation: found.operation.clone(),
            actions: table.actions(service, &found.operation),
            resource: found.resource.clone(),
            file: file.to_string(),
            line,
            column,
        });
    }
    for (offset, what) in &extracted.dynamic {
        let (line, column) = line_col(text, *offset);
        out.dynamic
            .push(format!("{what} at {file}:{line}:{column}"));
    }
}

/// The language of inline code whose runtime is not a literal (`Runtime: !Ref Runtime`),
/// from unmistakable module syntax; `None` when unclear.
fn guess_language(text: &str) -> Option<Language> {
    let lines = || text.lines().map(str::trim_start);
    let python = lines().any(|l| l.starts_with("def ") || l.starts_with("from "))
        && lines().any(|l| l.starts_with("import ") || l.starts_with("from "));
    let javascript = lines().any(|l| {
        l.starts_with("exports.") || l.starts_with("module.exports") || l.starts_with("export ")
    }) || text.contains("require(");
    match (python, javascript) {
        (true, false) => Some(Language::Python),
        (false, true) => Some(Language::JavaScript),
        _ => None,
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before.get(line_start..).map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests;
