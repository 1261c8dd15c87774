//! Terraform: HCL modules (every `.tf` file of a folder together) and plan JSON
//! (`terraform show -json plan.out`).
//!
//! Both front ends turn the resources they care about into `Resource`s whose bodies are
//! syntax trees shaped like the plan's `values` (attributes by name, nested blocks as lists);
//! `build` turns those into the common model once for both.
//!
//! Entry points for the loader registry: [`sniff`] + [`load_module`] take every `.tf` file
//! of one folder as one unit (file ids assigned by the caller; each model object carries the
//! id of the file it is written in), with [`Readers`] to reach `file()` targets and local
//! module folders; [`sniff_plan`] + [`load_plan`] take one plan JSON file.
//!
//! Local modules are followed with their call's arguments bound to their variables. An
//! argument keeps its caller's location through stand-in spans (`load::Relocation`): the
//! model holds one file per object, and a module's policy may mix values written in the
//! module with values the caller passed in. The run reads module folders from disk before
//! loading (the loader's `dependencies`), so they have file ids like any file of the run.

mod build;
mod eval;
mod plan;
mod policy_document;

use std::path::Path;

use crate::load::policy_reader::Resolver;
use crate::load::{LoadError, LoadNote};
use crate::model::{FileModel, PolicyValue};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::hcl::{parse_hcl, span_of, HclFile};
use crate::syntax::{Comment, Node};

pub use plan::{load_plan, sniff_plan};

/// Resource types whose bodies the model reads; other resources are never evaluated.
const READ_TYPES: &[&str] = &[
    "aws_iam_policy",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_iam_role_policies_exclusive",
    "aws_iam_role_policy_attachments_exclusive",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_iam_policy_document",
    // `data "archive_file"` packages a function's code folder.
    "archive_file",
    "aws_lambda_function",
    "aws_lambda_permission",
    "aws_lambda_function_url",
    "aws_lambda_event_source_mapping",
    "aws_lambda_function_event_invoke_config",
    "aws_s3_bucket_policy",
    "aws_s3_bucket",
    "aws_sqs_queue_policy",
    "aws_sqs_queue",
    "aws_sns_topic_policy",
    "aws_sns_topic",
    "aws_kms_key",
];

/// A resource, data source or module call, with its body as a syntax tree.
#[derive(Clone, Debug)]
pub(crate) struct Resource {
    /// `aws_iam_role`, or `module` for a module call.
    pub kind: String,
    pub name: String,
    pub data: bool,
    /// Module path in a plan (`module.app.`), empty for the root module and for HCL.
    pub module: String,
    pub file: FileId,
    /// Where findings about the resource point: `resource "aws_iam_role" "x"` in HCL, the
    /// address in a plan.
    pub header: Span,
    /// The whole definition, which a suppression comment on its first line covers.
    pub span: Span,
    pub body: Node,
    /// `count`, `for_each` or `dynamic` blocks: one definition stands for many objects.
    pub repeated: bool,
    /// A local module call whose folder was loaded with its inputs.
    pub followed: bool,
    /// A local module call of a copy of terraform-aws-modules/lambda (its folder declares
    /// the module's policy inputs): read from its inputs like the registry module.
    pub lambda_copy: bool,
}

impl Resource {
    /// `aws_iam_role.x`, `data.aws_iam_policy_document.y`, `module.lambda` (plan: with module
    /// path).
    pub fn address(&self) -> String {
        let prefix = if self.data { "data." } else { "" };
        format!("{}{prefix}{}.{}", self.module, self.kind, self.name)
    }
}

/// What a Terraform unit contributes: objects carry their own file ids, so notes, comments
/// and suppression scopes are kept per file.
#[derive(Debug, Default)]
pub struct Unit {
    pub model: FileModel,
    pub notes: Vec<(FileId, LoadNote)>,
    pub comments: Vec<(FileId, Vec<Comment>)>,
    /// Definition spans (for suppression comments on a resource's first line).
    pub resources: Vec<(FileId, Span)>,
    /// Files of the unit that failed to parse (the others are still loaded).
    pub errors: Vec<(FileId, LoadError)>,
    /// Stand-in spans of module call arguments used inside the called module.
    pub relocations: Vec<super::Relocation>,
}

/// Reads a file that a module names with `file()`/`templatefile()`, relative to the module
/// folder. The caller owns file ids, so it decides whether the file joins the run.
pub type ReadRelative<'a> = &'a dyn Fn(&Path) -> Option<(FileId, &'a SourceFile)>;

/// A `.tf` file (or HCL that declares Terraform blocks).
pub fn sniff(path: &Path, text: &str) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if ext.as_deref() == Some("tf") {
        return true;
    }
    // `.tf.json` is Terraform's JSON syntax, which is not read yet.
    ext.as_deref() == Some("hcl")
        && ["resource \"", "data \"", "module \""]
            .iter()
            .any(|m| text.contains(m))
}

/// How a module reaches files beyond its own `.tf` files. The caller owns file ids, so it
/// decides which files join the run; without a reader such references are noted.
#[derive(Clone, Copy, Default)]
pub struct Readers<'a> {
    /// A file named by `file()`/`templatefile()` (path joined to the module folder).
    pub file: Option<ReadRelative<'a>>,
    /// The `.tf` files of a local module folder (`source = "./modules/x"`).
    pub module: Option<ReadModule<'a>>,
}

/// Reads the `.tf` files of a module folder.
pub type ReadModule<'a> = &'a dyn Fn(&Path) -> Vec<(FileId, &'a SourceFile)>;

/// Local modules nested deeper than this are not followed.
const MAX_MODULE_DEPTH: usize = 4;

/// Arguments of a module call that configure the call itself, not the module's variables.
const META_ARGUMENTS: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// Load one module folder: all of its `.tf` files together, so references between files
/// (`locals.tf`, `variables.tf`) resolve, and local modules it calls with their inputs when
/// `readers.module` is given. A file that does not parse is an error of its own; the others
/// still load. Fails only when no file of the root module parses.
pub fn load_module<'a>(
    files: &[(FileId, &'a SourceFile)],
    readers: Readers<'a>,
) -> Result<Unit, LoadError> {
    let mut unit = Unit::default();
    let mut collected = Collected {
        next_base: super::RELOCATED_BASE,
        ..Collected::default()
    };
    let root = Call {
        prefix: String::new(),
        repeated: false,
        stack: files
            .first()
            .map(|(_, s)| module_dir(s))
            .into_iter()
            .collect(),
    };
    let parsed_any = collect_module(
        files,
        &root,
        &std::collections::HashMap::new(),
        readers,
        &mut unit,
        &mut collected,
    );
    if !parsed_any {
        if let Some((_, error)) = unit.errors.first() {
            return Err(error.clone());
        }
    }
    let texts: Vec<(FileId, &str)> = collected
        .texts
        .iter()
        .map(|(id, source)| (*id, source.text.as_str()))
        .collect();
    let read_file = |file: FileId, span: Span| -> Option<build::ReadFile<'_>> {
        let (path, template) = collected.file_calls.get(&(file, span))?;
        let base = collected
            .texts
            .iter()
            .find(|(id, _)| *id == file)
            .and_then(|(_, s)| s.path.parent())
            .unwrap_or(Path::new(""));
        let found = readers.file.and_then(|read| read(&base.join(path)));
        Some(match found {
            Some((id, source)) => build::ReadFile::Found {
                id,
                source,
                template: *template,
            },
            None => build::ReadFile::Missing(path.clone()),
        })
    };
    let sensitive = |name: &str| collected.sensitive.contains(name);
    let mut builder = build::Builder::new(&collected.resources, &texts, &read_file, &sensitive);
    builder.callers = &collected.callers;
    builder.outputs = &collected.outputs;
    builder.run();
    unit.model = builder.model;
    unit.notes.extend(builder.notes);
    unit.relocations = collected
        .callers
        .iter()
        .map(|c| super::Relocation {
            start: c.start,
            end: c.end,
            file: c.file,
            origin: 0,
        })
        .collect();
    Ok(unit)
}

/// The folder of a module file, normalised, to compare module folders.
fn module_dir(source: &SourceFile) -> std::path::PathBuf {
    crate::config::normalize(source.path.parent().unwrap_or(Path::new("")))
}

/// How a module is being read: its address prefix (`module.app.`), whether the call is
/// repeated, and the folders of the modules that led to it (a folder met again is a cycle).
struct Call {
    prefix: String,
    repeated: bool,
    stack: Vec<std::path::PathBuf>,
}

/// A caller file whose text stands, shifted to `start..end`, in the arguments a module call
/// passes: values used inside the module keep these stand-in spans (see `load::Relocation`),
/// and the builder reads a whole argument back where it is written, with the caller's
/// module prefix for the references in it.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub start: u32,
    pub end: u32,
    pub file: FileId,
    pub prefix: String,
}

/// Give every real span of an argument its stand-in span (`+ base`); spans that already
/// stand in for another file (an argument passed on from further up) keep theirs.
fn shift(node: &mut Node, base: u32) {
    let move_span = |span: &mut Span| {
        if span.start < super::RELOCATED_BASE && span.end < super::RELOCATED_BASE {
            *span = Span {
                start: span.start.saturating_add(base),
                end: span.end.saturating_add(base),
            };
        }
    };
    move_span(&mut node.span);
    match &mut node.kind {
        crate::syntax::NodeKind::Scalar(_) => {}
        crate::syntax::NodeKind::Seq(items) => items.iter_mut().for_each(|i| shift(i, base)),
        crate::syntax::NodeKind::Map(entries) => {
            for entry in entries {
                move_span(&mut entry.key.span);
                shift(&mut entry.value, base);
            }
        }
    }
}

/// What the modules of a unit add up to.
#[derive(Default)]
struct Collected<'a> {
    resources: Vec<Resource>,
    texts: Vec<(FileId, &'a SourceFile)>,
    /// `file()` calls: (file, call span) -> (path as written, is a template).
    file_calls: std::collections::HashMap<(FileId, Span), (String, bool)>,
    /// Sensitive variables, as module path + name.
    sensitive: std::collections::HashSet<String>,
    /// Caller files whose arguments are used inside called modules.
    callers: Vec<Caller>,
    /// Every file parsed so far, by id.
    parsed: std::collections::HashMap<FileId, std::rc::Rc<HclFile>>,
    /// Where the next stand-in range starts.
    next_base: u32,
    /// `output` values of followed modules, by `module.<name>.<output>` address (with the
    /// caller's prefix), evaluated inside the module.
    outputs: std::collections::HashMap<String, Node>,
}

impl Collected<'_> {
    /// The stand-in base for arguments written in `file` by the module at `prefix`; None
    /// when the stand-in range is used up.
    fn base_for(&mut self, file: FileId, prefix: &str) -> Option<u32> {
        if let Some(c) = self
            .callers
            .iter()
            .find(|c| c.file == file && c.prefix == prefix)
        {
            return Some(c.start);
        }
        let len = self.texts.iter().find(|(id, _)| *id == file)?.1.text.len();
        let start = self.next_base;
        let end = start.checked_add(u32::try_from(len).ok()?)?;
        self.next_base = end.checked_add(1)?;
        self.callers.push(Caller {
            start,
            end,
            file,
            prefix: prefix.to_string(),
        });
        Some(start)
    }
}

/// Parse and collect one module (and the local modules it calls). Returns whether any file
/// parsed. A module called twice is collected twice, under two prefixes.
fn collect_module<'a>(
    files: &[(FileId, &'a SourceFile)],
    call: &Call,
    inputs: &std::collections::HashMap<String, Node>,
    readers: Readers<'a>,
    unit: &mut Unit,
    out: &mut Collected<'a>,
) -> bool {
    let prefix = call.prefix.as_str();
    // A module called several times is parsed once; a file that does not parse is
    // reported once.
    let mut parsed: Vec<(FileId, &SourceFile, std::rc::Rc<HclFile>)> = Vec::new();
    for &(id, source) in files {
        if let Some(file) = out.parsed.get(&id) {
            parsed.push((id, source, file.clone()));
            continue;
        }
        if unit.errors.iter().any(|(seen, _)| *seen == id) {
            continue;
        }
        match parse_hcl(&source.text) {
            Ok(file) => {
                let file = std::rc::Rc::new(file);
                out.texts.push((id, source));
                unit.comments.push((id, file.comments.clone()));
                out.parsed.insert(id, file.clone());
                parsed.push((id, source, file));
            }
            Err(err) => unit.errors.push((
                id,
                LoadError {
                    message: format!("invalid Terraform HCL: {}", err.message),
                    span: Some(Span::empty(err.offset)),
                },
            )),
        }
    }
    if parsed.is_empty() {
        return false;
    }
    let scope = eval::Scope::new(
        parsed
            .iter()
            .map(|(_, source, file)| eval::ModuleFile {
                text: &source.text,
                body: &file.body,
            })
            .collect(),
        inputs,
    );
    let mut calls = Vec::new();
    for (index, (id, source, file)) in parsed.iter().enumerate() {
        for block in file.body.blocks() {
            let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
            let (kind, name, data) = match (block.ident.as_str(), labels.as_slice()) {
                ("resource", [kind, name]) => (*kind, *name, false),
                ("data", [kind, name]) => (*kind, *name, true),
                ("module", [name]) => ("module", *name, false),
                ("variable", [name]) => {
                    if scope.variable(name).is_some_and(|v| v.sensitive) {
                        out.sensitive.insert(format!("{prefix}{name}"));
                    }
                    continue;
                }
                // What a followed module gives its caller (`module.x.role_arn`).
                ("output", [name]) if !prefix.is_empty() => {
                    let (body, _) = scope.block(block, index);
                    if let Some(value) = body.get("value") {
                        out.outputs.insert(format!("{prefix}{name}"), value.clone());
                    }
                    continue;
                }
                _ => continue,
            };
            // Inside a followed module the call's inputs are known: a resource its `count`
            // turns off (`var.attach_x ? 1 : 0` left false) is not created. A module linted
            // on its own keeps every resource, whatever the defaults say.
            let known_count = if prefix.is_empty() {
                None
            } else {
                scope.count(block, index)
            };
            if known_count == Some(0) {
                continue;
            }
            let span = span_of(block);
            if !unit.resources.contains(&(*id, span)) {
                unit.resources.push((*id, span));
            }
            if kind != "module" && !READ_TYPES.contains(&kind) {
                continue;
            }
            let header_end = block
                .labels
                .last()
                .map_or(span.start as usize, |l| span_of(l).end as usize);
            let (body, dynamic) = scope.block(block, index);
            // A count known to be 1 (an `attach_x ? 1 : 0` switch turned on) is one object.
            let repeated = call.repeated
                || dynamic
                || (block.body.has_attribute("count") && known_count != Some(1))
                || block.body.has_attribute("for_each");
            let mut resource = Resource {
                kind: kind.to_string(),
                name: name.to_string(),
                data,
                module: prefix.to_string(),
                file: *id,
                header: Span::new(span.start as usize, header_end),
                span,
                body,
                repeated,
                followed: false,
                lambda_copy: false,
            };
            if kind == "module" && readers.module.is_some() {
                let local = resource
                    .body
                    .get("source")
                    .and_then(Node::as_str)
                    .filter(|s| s.starts_with("./") || s.starts_with("../"))
                    .map(str::to_string);
                // A call of terraform-aws-modules/lambda (also a local copy of it) is read
                // from its inputs where the caller writes them: its internals build the
                // policies with `dynamic` blocks over those inputs, which are not evaluated.
                if let Some(local) = local {
                    let dir = source.path.parent().unwrap_or(Path::new("")).join(local);
                    if build::reads_as_lambda_module(&resource.body)
                        || is_lambda_module_copy(readers, &dir)
                    {
                        resource.lambda_copy = true;
                    } else {
                        resource.followed = true;
                        calls.push((dir, resource.clone()));
                    }
                }
            }
            out.resources.push(resource);
        }
    }
    for ((file, span), file_call) in scope.file_calls.take() {
        if let Some((id, _, _)) = parsed.get(file) {
            out.file_calls.insert((*id, span), file_call);
        }
    }
    for (dir, module) in calls {
        follow(&dir, &module, call, readers, unit, out);
    }
    true
}

/// Whether a local module folder is a copy of terraform-aws-modules/lambda (the module's own
/// examples call it as `../../`): it declares the module's policy inputs.
fn is_lambda_module_copy(readers: Readers<'_>, dir: &Path) -> bool {
    let Some(read) = readers.module else {
        return false;
    };
    let files = read(dir);
    let declares = |name: &str| {
        let wanted = format!("variable \"{name}\"");
        files.iter().any(|(_, s)| s.text.contains(&wanted))
    };
    declares("attach_policy_statements") && declares("policy_statements")
}

/// Collect the module a local call names, with the call's arguments bound to its variables.
fn follow<'a>(
    dir: &Path,
    module: &Resource,
    caller: &Call,
    readers: Readers<'a>,
    unit: &mut Unit,
    out: &mut Collected<'a>,
) {
    let source = module
        .body
        .get("source")
        .and_then(Node::scalar_text)
        .unwrap_or("");
    let mut note = |message: String| {
        unit.notes.push((
            module.file,
            LoadNote {
                file: module.file,
                span: module.header,
                message,
            },
        ));
    };
    let normalized = crate::config::normalize(dir);
    if caller.stack.contains(&normalized) {
        note(format!(
            "local module `{source}` of `{}` is a module already being read (a cycle); not followed again",
            module.address()
        ));
        return;
    }
    if caller.stack.len() > MAX_MODULE_DEPTH {
        note(format!(
            "local module `{source}` of `{}` is nested more than {MAX_MODULE_DEPTH} modules deep; not analysed",
            module.address()
        ));
        return;
    }
    let files = readers.module.map(|read| read(dir)).unwrap_or_default();
    if files.is_empty() {
        note(format!(
            "local module `{source}` of `{}` has no .tf files to read; not analysed",
            module.address()
        ));
        return;
    }
    // Arguments are evaluated where the call is written; inside the module they keep
    // stand-in spans of the caller's file, so findings on them point at the call.
    let Some(base) = out.base_for(module.file, &caller.prefix) else {
        note(format!(
            "local module `{source}` of `{}`: too many module arguments to follow; not analysed",
            module.address()
        ));
        return;
    };
    let inputs: std::collections::HashMap<String, Node> = module
        .body
        .as_map()
        .unwrap_or_default()
        .iter()
        .filter(|e| !META_ARGUMENTS.contains(&e.key.value.as_str()))
        .map(|e| {
            let mut value = e.value.clone();
            shift(&mut value, base);
            (e.key.value.clone(), value)
        })
        .collect();
    let mut stack = caller.stack.clone();
    stack.push(normalized);
    let child = Call {
        prefix: format!("{}module.{}.", caller.prefix, module.name),
        repeated: module.repeated,
        stack,
    };
    collect_module(&files, &child, &inputs, readers, unit, out);
}

/// Policy values of Terraform input: a plain scalar with a `${...}` placeholder is not
/// known offline; everything else is literal.
pub(crate) struct TfResolver;

impl TfResolver {
    pub fn unresolved(node: &Node) -> bool {
        eval::is_unresolved(node)
    }
}

impl Resolver for TfResolver {
    fn strings(&self, node: &Node, out: &mut Vec<PolicyValue>) -> bool {
        let Some(scalar) = node.as_scalar() else {
            return false;
        };
        out.push(PolicyValue {
            text: scalar.text.clone(),
            span: node.span,
            resolved: !eval::is_unresolved(node),
        });
        true
    }
}

/// Values of a `templatefile()` policy: `${name}` template variables are not known.
pub(crate) struct TemplateResolver;

impl Resolver for TemplateResolver {
    fn strings(&self, node: &Node, out: &mut Vec<PolicyValue>) -> bool {
        let Some(scalar) = node.as_scalar() else {
            return false;
        };
        out.push(PolicyValue {
            text: scalar.text.clone(),
            span: node.span,
            resolved: !scalar.text.contains("${") && !scalar.text.contains("%{"),
        });
        true
    }
}

#[cfg(test)]
mod tests;

/// Terraform's words for the Lambda settings rules give advice about.
pub static TERRAFORM: crate::model::Dialect = crate::model::Dialect {
    name: "Terraform",
    kms_key: "set `kms_key_arn` to a customer managed KMS key",
    dead_letter: "add a `dead_letter_config` block (SQS or SNS target), or an `aws_lambda_function_event_invoke_config` with an `on_failure` destination",
    reserved_concurrency: "set `reserved_concurrent_executions`",
    tracing: "add `tracing_config { mode = \"Active\" }`",
    vpc: "attach the function to private subnets with a `vpc_config` block",
};

/// HCL comments: `#`, `//` and `/* */`.
pub const HCL_COMMENTS: super::CommentSyntax = super::CommentSyntax {
    line_markers: &["#", "//", "/*"],
    example: "# iamlint: ignore[rule-name] <reason>",
};

pub static FORMAT: super::Format = super::Format {
    name: "terraform",
    title: "Terraform configuration",
    extensions: &[("tf", Some("hcl"))],
    syntax: super::Syntax::Own,
    grouping: super::Grouping::Folder,
    comments: &HCL_COMMENTS,
};

pub static PLAN_FORMAT: super::Format = super::Format {
    name: "terraform-plan",
    title: "Terraform plan",
    extensions: &[("json", Some("json"))],
    syntax: super::Syntax::JsonOrYaml,
    grouping: super::Grouping::File,
    comments: &super::HASH_COMMENTS,
};

/// The `.tf` files of one module folder, loaded together.
pub struct Loader;

impl super::Loader for Loader {
    fn format(&self) -> &'static super::Format {
        &FORMAT
    }

    fn sniff(&self, input: &super::Sniff<'_>) -> bool {
        sniff(&input.source.path, &input.source.text)
    }

    fn load(&self, unit: &super::Unit<'_>, out: &mut super::Loaded) -> Result<(), LoadError> {
        let files: Vec<(FileId, &SourceFile)> =
            unit.files.iter().map(|f| (f.id, f.source)).collect();
        // `file("policy.json")` and local module folders reach files of the run, which
        // reads them from disk beforehand (see `dependencies`); others stay symbolic.
        let read_file = |path: &Path| unit.file_at(path);
        let read_module = |dir: &Path| module_files(unit.run, dir);
        let readers = Readers {
            file: Some(&read_file),
            module: Some(&read_module),
        };
        let loaded = load_module(&files, readers)?;
        merge(loaded, &FORMAT, out);
        Ok(())
    }

    fn dependencies(&self, source: &SourceFile, _base: &Path) -> Vec<std::path::PathBuf> {
        if !sniff(&source.path, &source.text) {
            return Vec::new();
        }
        dependencies(source)
    }
}

/// The `.tf` files of the run in folder `dir`, in path order.
fn module_files<'a>(run: &super::Run<'a>, dir: &Path) -> Vec<(FileId, &'a SourceFile)> {
    let mut files: Vec<(FileId, &SourceFile)> = run
        .files_in(dir)
        .filter(|(_, s)| s.path.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort_by(|a, b| a.1.path.cmp(&b.1.path));
    files
}

/// What a module file reads from disk: the `.tf` files of local modules it calls and the
/// files its `file()`/`templatefile()` calls name with a literal path. A text scan: the
/// loader evaluates the real paths later, and files not found here stay unread.
fn dependencies(source: &SourceFile) -> Vec<std::path::PathBuf> {
    let text = &source.text;
    let dir = source.path.parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    let local = text.contains("\"./") || text.contains("\"../");
    if local && text.contains("module") {
        if let Ok(file) = parse_hcl(text) {
            for block in file.body.blocks().filter(|b| b.ident.as_str() == "module") {
                let Some(hcl_edit::expr::Expression::String(path)) =
                    block.body.get_attribute("source").map(|a| &a.value)
                else {
                    continue;
                };
                let path = path.value().as_str();
                if !(path.starts_with("./") || path.starts_with("../")) {
                    continue;
                }
                out.extend(tf_files_in(&dir.join(path)));
            }
        }
    }
    // `file("` also finds `templatefile("`.
    {
        let call = "file(\"";
        for (at, _) in text.match_indices(call) {
            let rest = &text[at + call.len()..];
            let Some(path) = rest.split('"').next() else {
                continue;
            };
            let path = path.strip_prefix("${path.module}/").unwrap_or(path);
            if !path.is_empty() && !path.contains("${") && !path.contains('\n') {
                out.push(dir.join(path));
            }
        }
    }
    out
}

/// The `.tf` files of a folder on disk, in name order (none when it cannot be listed).
fn tf_files_in(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf") && p.is_file())
        .collect();
    files.sort();
    files
}

/// `terraform show -json` output: the planned values, every value resolved.
pub struct PlanLoader;

impl super::Loader for PlanLoader {
    fn format(&self) -> &'static super::Format {
        &PLAN_FORMAT
    }

    fn sniff(&self, input: &super::Sniff<'_>) -> bool {
        sniff_plan(&input.source.text)
    }

    fn load(&self, unit: &super::Unit<'_>, out: &mut super::Loaded) -> Result<(), LoadError> {
        let Some(file) = unit.files.first() else {
            return Ok(());
        };
        let loaded = load_plan(file.id, file.source)?;
        merge(loaded, &PLAN_FORMAT, out);
        Ok(())
    }
}

/// A Terraform unit's results in the registry's shape: everything stays with its file.
fn merge(unit: Unit, format: &'static super::Format, out: &mut super::Loaded) {
    out.model = unit.model;
    out.notes
        .extend(unit.notes.into_iter().map(|(_, note)| note));
    out.errors.extend(unit.errors);
    out.relocations.extend(unit.relocations);
    for (file, comments) in unit.comments {
        let this = out.file_mut(file);
        this.comment_syntax = Some(format.comments);
        this.comments.extend(comments);
    }
    for (file, span) in unit.resources {
        out.file_mut(file).resources.push(span);
    }
}
