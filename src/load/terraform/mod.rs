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

/// Local modules nested deeper than this are not followed (and cycles end here).
const MAX_MODULE_DEPTH: usize = 4;

/// Load one module folder: all of its `.tf` files together, so references between files
/// (`locals.tf`, `variables.tf`) resolve, and local modules it calls with their inputs when
/// `readers.module` is given. A file that does not parse is an error of its own; the others
/// still load. Fails only when no file of the root module parses.
pub fn load_module<'a>(
    files: &[(FileId, &'a SourceFile)],
    readers: Readers<'a>,
) -> Result<Unit, LoadError> {
    let mut unit = Unit::default();
    let mut collected = Collected::default();
    let parsed_any = collect_module(
        files,
        "",
        &std::collections::HashMap::new(),
        false,
        0,
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
    builder.run();
    unit.model = builder.model;
    unit.notes.extend(builder.notes);
    Ok(unit)
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
}

/// Parse and collect one module (and the local modules it calls). Returns whether any file
/// parsed.
#[allow(clippy::too_many_arguments)]
fn collect_module<'a>(
    files: &[(FileId, &'a SourceFile)],
    prefix: &str,
    inputs: &std::collections::HashMap<String, Node>,
    repeated_call: bool,
    depth: usize,
    readers: Readers<'a>,
    unit: &mut Unit,
    out: &mut Collected<'a>,
) -> bool {
    let mut parsed: Vec<(FileId, &SourceFile, HclFile)> = Vec::new();
    for &(id, source) in files {
        if out.texts.iter().any(|(seen, _)| *seen == id) {
            continue;
        }
        match parse_hcl(&source.text) {
            Ok(file) => {
                out.texts.push((id, source));
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
                _ => continue,
            };
            let span = span_of(block);
            unit.resources.push((*id, span));
            if kind != "module" && !READ_TYPES.contains(&kind) {
                continue;
            }
            let header_end = block
                .labels
                .last()
                .map_or(span.start as usize, |l| span_of(l).end as usize);
            let (body, dynamic) = scope.block(block, index);
            let repeated = repeated_call
                || dynamic
                || block.body.has_attribute("count")
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
            };
            if kind == "module" {
                let local = resource
                    .body
                    .get("source")
                    .and_then(Node::as_str)
                    .filter(|s| s.starts_with("./") || s.starts_with("../"))
                    .map(str::to_string);
                if let (Some(local), Some(_), true) =
                    (local, readers.module, depth < MAX_MODULE_DEPTH)
                {
                    resource.followed = true;
                    let dir = source.path.parent().unwrap_or(Path::new("")).join(local);
                    calls.push((dir, resource.clone()));
                }
            }
            out.resources.push(resource);
        }
    }
    for ((file, span), call) in scope.file_calls.take() {
        if let Some((id, _, _)) = parsed.get(file) {
            out.file_calls.insert((*id, span), call);
        }
    }
    for (dir, call) in calls {
        let Some(read) = readers.module else {
            continue;
        };
        let files = read(&dir);
        if files.is_empty() {
            unit.notes.push((
                call.file,
                LoadNote {
                    file: call.file,
                    span: call.header,
                    message: format!(
                        "local module `{}` of `{}` has no .tf files to read; not analysed",
                        call.body
                            .get("source")
                            .and_then(Node::scalar_text)
                            .unwrap_or(""),
                        call.address()
                    ),
                },
            ));
            continue;
        }
        // Inputs are the call's attributes, evaluated where the call is written.
        let inputs: std::collections::HashMap<String, Node> = call
            .body
            .as_map()
            .unwrap_or_default()
            .iter()
            .map(|e| (e.key.value.clone(), e.value.clone()))
            .collect();
        let child_prefix = format!("{prefix}module.{}.", call.name);
        collect_module(
            &files,
            &child_prefix,
            &inputs,
            call.repeated,
            depth + 1,
            readers,
            unit,
            out,
        );
    }
    for (id, _, file) in parsed {
        unit.comments.push((id, file.comments));
    }
    true
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
        // `file("policy.json")` reaches files the run already read; others stay symbolic.
        let read_file = |path: &Path| unit.file_at(path);
        let readers = Readers {
            file: Some(&read_file),
            // Local modules are linted as their own units: following them from each
            // caller would report the terraform-aws-modules/lambda inputs inside the module
            // instead of where the caller wrote them.
            module: None,
        };
        let loaded = load_module(&files, readers)?;
        merge(loaded, &FORMAT, out);
        Ok(())
    }
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
    for (file, comments) in unit.comments {
        let this = out.file_mut(file);
        this.comment_syntax = Some(format.comments);
        this.comments.extend(comments);
    }
    for (file, span) in unit.resources {
        out.file_mut(file).resources.push(span);
    }
}
