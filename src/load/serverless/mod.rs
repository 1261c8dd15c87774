//! Serverless Framework configurations (`serverless.yml`, v1 to v4) on AWS.
//!
//! The Framework turns a configuration into a CloudFormation template at deploy time; this
//! loader reads the configuration itself, so findings point at the lines the author wrote:
//! the role statements (`provider.iam.role.statements`, legacy `iamRoleStatements`, the
//! per-function roles plugin), managed policies, functions with their settings and events,
//! and `resources` (plain CloudFormation, read by the CloudFormation loader).
//!
//! `${self:...}` is evaluated; `${file(...)}` includes are read through an [`IncludeLoader`]
//! the caller provides, because the included file needs a file id of its own. Every other
//! variable stays as written and marks its value unresolved.

mod functions;
mod iam;
pub mod vars;

use std::borrow::Cow;
use std::collections::HashMap;

use super::cloudformation::{self, Template};
use super::policy_reader::Resolver;
use super::{LoadNote, Loaded};
use crate::model::{FileModel, PolicyValue};
use crate::source::{FileId, Span, Spanned};
use crate::syntax::{self, Entry, Node, NodeKind};

/// The text of a file named by `${file(...)}`, with the id the run gives it.
#[derive(Clone, Debug)]
pub struct IncludedFile {
    pub file: FileId,
    pub text: String,
}

/// Reads included files for the loader. `path` is written as in `${file(path)}`; the
/// Framework reads it relative to the service directory (the one holding the configuration).
pub trait IncludeLoader {
    fn include(&mut self, from: FileId, path: &str) -> Result<IncludedFile, String>;
}

/// For callers that cannot give an included file an id of its own: every include stays an
/// unresolved variable, with a note.
pub struct NoIncludes;

impl IncludeLoader for NoIncludes {
    fn include(&mut self, _from: FileId, _path: &str) -> Result<IncludedFile, String> {
        Err("included files are not read in this mode".into())
    }
}

/// Reads includes from disk relative to a directory, numbering them from `next_id`.
pub struct DiskIncludes {
    pub dir: std::path::PathBuf,
    pub next_id: FileId,
    pub max_size: u64,
    /// What was read, in id order, so the caller can register the sources.
    pub read: Vec<(FileId, std::path::PathBuf, String)>,
}

impl IncludeLoader for DiskIncludes {
    fn include(&mut self, _from: FileId, path: &str) -> Result<IncludedFile, String> {
        let full = self.dir.join(path);
        if let Some((id, _, text)) = self.read.iter().find(|(_, p, _)| *p == full) {
            return Ok(IncludedFile {
                file: *id,
                text: text.clone(),
            });
        }
        let meta = std::fs::metadata(&full).map_err(|e| e.to_string())?;
        if meta.len() > self.max_size {
            return Err(format!("file is over the {} byte limit", self.max_size));
        }
        let text = std::fs::read_to_string(&full).map_err(|e| e.to_string())?;
        let id = self.next_id;
        self.next_id += 1;
        self.read.push((id, full, text.clone()));
        Ok(IncludedFile { file: id, text })
    }
}

/// File names the Framework looks for.
const FILE_NAMES: &[&str] = &["serverless.yml", "serverless.yaml", "serverless.json"];

/// A file name the Framework reads (or a `*.serverless.yml` fixture).
pub fn is_config_name(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    FILE_NAMES.contains(&name)
        || [".serverless.yml", ".serverless.yaml"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// A Serverless configuration: named like one (also `*.serverless.yml` fixtures), or a map
/// with `service` and a `provider` map, and not a CloudFormation template.
pub fn sniff(path: &str, root: &Node) -> bool {
    if root.as_map().is_none() || root.get("AWSTemplateFormatVersion").is_some() {
        return false;
    }
    is_config_name(path)
        || (root.get("service").is_some()
            && root.get("provider").is_some_and(|p| p.as_map().is_some()))
}

/// Nested `${file(...)}` includes deeper than this are not followed.
const MAX_INCLUDE_DEPTH: usize = 8;

/// A value and the file it is written in: borrowed from the configuration, or owned when
/// it comes from an included file.
pub(crate) struct Located<'n> {
    pub file: FileId,
    pub node: Cow<'n, Node>,
}

pub(crate) struct Ctx<'a> {
    pub file: FileId,
    pub root: &'a Node,
    pub includes: &'a mut dyn IncludeLoader,
    /// Parsed and resolved included files by path, or the reason they could not be read.
    cache: HashMap<String, Result<(FileId, Node), String>>,
    pub notes: Vec<LoadNote>,
}

impl Ctx<'_> {
    pub fn note(&mut self, file: FileId, span: Span, message: String) {
        // Notes carry the file they are about, included files too.
        if !self.notes.iter().any(|n| n.message == message) {
            self.notes.push(LoadNote {
                file,
                span,
                message,
            });
        }
    }

    /// Follow a value that is a whole `${file(...)}` include to the included value.
    pub fn open<'n>(&mut self, file: FileId, node: &'n Node) -> Located<'n> {
        self.open_at(file, node, 0)
    }

    fn open_at<'n>(&mut self, file: FileId, node: &'n Node, depth: usize) -> Located<'n> {
        let here = || Located {
            file,
            node: Cow::Borrowed(node),
        };
        let Some(text) = node.as_str() else {
            return here();
        };
        let var = match vars::find_vars(text).as_slice() {
            [v] if v.start == 0 && v.end == text.len() => v.inner.to_string(),
            _ => return here(),
        };
        let Some((path, address)) = vars::file_include(&var) else {
            return here();
        };
        if depth >= MAX_INCLUDE_DEPTH {
            self.note(
                file,
                node.span,
                format!("`{text}`: includes nested too deep are not read"),
            );
            return here();
        }
        if !matches!(super::extension(path).as_str(), "yml" | "yaml" | "json") {
            self.note(
                file,
                node.span,
                format!(
                    "`{text}`: only YAML and JSON includes are read; this value is not checked"
                ),
            );
            return here();
        }
        let (inc_file, inc_root) = match self.read_include(file, path) {
            Ok(found) => found,
            Err(reason) => {
                self.note(
                    file,
                    node.span,
                    format!(
                        "`{text}` was not read ({reason}); the value it includes is not checked"
                    ),
                );
                return here();
            }
        };
        let target = match address {
            Some(address) => vars::lookup(&inc_root, address),
            None => Some(&inc_root),
        };
        match target {
            Some(target) => {
                let target = target.clone();
                let found = self.open_at(inc_file, &target, depth + 1);
                Located {
                    file: found.file,
                    node: Cow::Owned(found.node.into_owned()),
                }
            }
            None => {
                self.note(
                    file,
                    node.span,
                    format!("`{text}`: the included file has no such value"),
                );
                here()
            }
        }
    }

    fn read_include(&mut self, from: FileId, path: &str) -> Result<(FileId, Node), String> {
        if let Some(found) = self.cache.get(path) {
            return found.clone();
        }
        let result = self.includes.include(from, path).and_then(|inc| {
            let doc = syntax::parse_auto(&inc.text, super::extension(path) == "json")
                .map_err(|e| format!("invalid YAML or JSON: {}", e.message))?;
            let root = doc
                .roots
                .into_iter()
                .next()
                .ok_or_else(|| "the file is empty".to_string())?;
            // `${self:...}` in an included file names the main configuration; the values it
            // brings in are shown at the variable, in the included file.
            let resolved = vars::SelfRefs::new(self.root).resolve(&root, true);
            Ok((inc.file, resolved))
        });
        self.cache.insert(path.to_string(), result.clone());
        result
    }

    /// A list whose items may each be an include of one item or of a list of items.
    pub fn open_list<'n>(&mut self, file: FileId, node: &'n Node) -> Vec<Located<'n>> {
        let outer = self.open(file, node);
        let mut out = Vec::new();
        match outer.node {
            Cow::Borrowed(list) => self.list_items(outer.file, list, &mut out),
            Cow::Owned(list) => {
                let mut items = Vec::new();
                self.list_items(outer.file, &list, &mut items);
                out.extend(items.into_iter().map(|l| Located {
                    file: l.file,
                    node: Cow::Owned(l.node.into_owned()),
                }));
            }
        }
        out
    }

    fn list_items<'m>(&mut self, file: FileId, list: &'m Node, out: &mut Vec<Located<'m>>) {
        match &list.kind {
            NodeKind::Seq(items) => {
                for item in items {
                    let inner = self.open(file, item);
                    let inner_file = inner.file;
                    let located = |node| Located {
                        file: inner_file,
                        node,
                    };
                    match inner.node {
                        Cow::Borrowed(b) => match &b.kind {
                            NodeKind::Seq(nested) => {
                                out.extend(nested.iter().map(|n| located(Cow::Borrowed(n))))
                            }
                            _ => out.push(located(Cow::Borrowed(b))),
                        },
                        Cow::Owned(o) => match o.kind {
                            NodeKind::Seq(nested) => {
                                out.extend(nested.into_iter().map(|n| located(Cow::Owned(n))))
                            }
                            kind => out.push(located(Cow::Owned(Node { span: o.span, kind }))),
                        },
                    }
                }
            }
            NodeKind::Map(_) => out.push(Located {
                file,
                node: Cow::Borrowed(list),
            }),
            NodeKind::Scalar(_) => {}
        }
    }
}

/// Values in a Serverless configuration: CloudFormation intrinsics are evaluated as in a
/// template (against `resources`), and a Serverless variable left after `${self:...}`
/// resolution makes the value unresolved.
pub(crate) struct SlsResolver<'t> {
    pub cfn: &'t Template<'t>,
}

impl Resolver for SlsResolver<'_> {
    fn strings(&self, node: &Node, out: &mut Vec<PolicyValue>) -> bool {
        if let Some(s) = node.as_scalar() {
            out.push(PolicyValue {
                text: s.text.clone(),
                span: node.span,
                resolved: !vars::has_unresolved(&s.text),
            });
            return true;
        }
        let before = out.len();
        let ok = self.cfn.strings(node, out);
        for value in out.iter_mut().skip(before) {
            if vars::has_unresolved(&value.text) {
                value.resolved = false;
            }
        }
        ok
    }

    fn alternatives<'n>(&self, node: &'n Node) -> Vec<&'n Node> {
        self.cfn.alternatives(node)
    }
}

/// Load a configuration into `loaded`: `root` is the parsed main file, `text` its text.
pub fn load(
    root: &Node,
    file: FileId,
    text: &str,
    includes: &mut dyn IncludeLoader,
    loaded: &mut Loaded,
) {
    let provider_name = root
        .get("provider")
        .and_then(|p| p.get("name"))
        .and_then(Node::as_str);
    if let Some(name) = provider_name.filter(|n| !n.eq_ignore_ascii_case("aws")) {
        let span = root
            .get("provider")
            .and_then(|p| p.get("name"))
            .map_or(Span::default(), |n| n.span);
        loaded.notes.push(LoadNote {
            file,
            span,
            message: format!(
                "Serverless provider `{name}` is not AWS; this configuration was skipped"
            ),
        });
        return;
    }
    if let Some(provider) = root.get("provider").filter(|p| p.as_str().is_some()) {
        loaded.notes.push(LoadNote {
            file,
            span: provider.span,
            message: "a `provider` written in another file is not read; its role statements and function defaults are not checked".into(),
        });
    }
    // Copying the tree is needed only to substitute `${self:...}`.
    let resolved: Cow<'_, Node> = if text.contains("${self:") {
        Cow::Owned(vars::SelfRefs::new(root).resolve(root, false))
    } else {
        Cow::Borrowed(root)
    };
    let mut cx = Ctx {
        file,
        root,
        includes,
        cache: HashMap::new(),
        notes: Vec::new(),
    };
    let mut model = FileModel::default();

    // The common case, a `resources` map without includes, is read in place.
    if let Some(resources) = resolved.get("resources").filter(|r| is_plain_resources(r)) {
        let mut part = Loaded::default();
        cloudformation::load(resources, file, text, &mut part);
        merge(&mut model, std::mem::take(&mut part.model));
        absorb(loaded, part);
        let template = Template::new(resources, file, text);
        finish(&mut cx, &resolved, &template, model, loaded);
        return;
    }
    // `resources`: one CloudFormation fragment, or (v1) a list of fragments to merge.
    let mut fragments = Vec::new();
    if let Some(resources) = resolved.get("resources") {
        fragments = cx.open_list(file, resources);
    }
    let mut all_resources: Vec<Entry> = Vec::new();
    for fragment in &fragments {
        let Some(res) = fragment.node.get("Resources") else {
            continue;
        };
        let res = cx.open(fragment.file, res);
        if res.node.as_map().is_none() {
            continue;
        }
        // A resource may itself be an include (`Role: ${file(./role.yml)}`): resources are
        // loaded in groups by the file they are written in.
        let mut groups: Vec<(FileId, Vec<Entry>)> = Vec::new();
        for entry in res.node.as_map().unwrap_or_default() {
            let value = cx.open(res.file, &entry.value);
            let value_file = value.file;
            let mut entry = Entry {
                key: entry.key.clone(),
                value: value.node.into_owned(),
            };
            if value_file != res.file {
                // The logical id is written in the including file; findings about the
                // resource point at the start of its included definition instead.
                entry.key.span = Span::empty(entry.value.span.start as usize);
            }
            match groups.iter_mut().find(|(f, _)| *f == value_file) {
                Some((_, entries)) => entries.push(entry),
                None => groups.push((value_file, vec![entry])),
            }
        }
        for (group_file, entries) in groups {
            let mut part = Loaded::default();
            // The fragment's own `Conditions`, `Parameters` and `Mappings` are read too.
            let mut root_for_cfn = fragment.node.clone().into_owned();
            if let NodeKind::Map(keys) = &mut root_for_cfn.kind {
                for key in keys.iter_mut().filter(|e| e.key.value == "Resources") {
                    key.value = Node {
                        span: res.node.span,
                        kind: NodeKind::Map(entries.clone()),
                    };
                }
            }
            let fragment_text = if group_file == file { text } else { "" };
            cloudformation::load(&root_for_cfn, group_file, fragment_text, &mut part);
            merge(&mut model, std::mem::take(&mut part.model));
            absorb(loaded, part);
            all_resources.extend(entries);
        }
    }
    let cfn_root = Node {
        span: Span::default(),
        kind: NodeKind::Map(vec![Entry {
            key: Spanned::new("Resources".into(), Span::default()),
            value: Node {
                span: Span::default(),
                kind: NodeKind::Map(all_resources),
            },
        }]),
    };
    let template = Template::new(&cfn_root, file, text);
    finish(&mut cx, &resolved, &template, model, loaded);
}

/// Suppression inputs and notes of a CloudFormation part, kept with their files.
fn absorb(loaded: &mut Loaded, part: Loaded) {
    for file in part.files {
        let this = loaded.file_mut(file.id);
        this.resources.extend(file.resources);
        this.suppressions.extend(file.suppressions);
    }
    loaded.notes.extend(part.notes);
}

/// Roles and functions, once the `resources` they may refer to are known.
fn finish(
    cx: &mut Ctx<'_>,
    resolved: &Node,
    template: &Template<'_>,
    mut model: FileModel,
    loaded: &mut Loaded,
) {
    let resolver = SlsResolver { cfn: template };
    let default_role = iam::load_provider_role(cx, resolved, &resolver, &mut model);
    functions::load(cx, resolved, &resolver, default_role, &mut model);
    cloudformation::link_boundaries(template, &mut model);
    loaded.notes.append(&mut cx.notes);
    loaded.model = model;
}

/// A `resources` map whose `Resources` map holds no `${file(...)}` include.
fn is_plain_resources(resources: &Node) -> bool {
    resources
        .get("Resources")
        .and_then(Node::as_map)
        .is_some_and(|entries| {
            !entries
                .iter()
                .any(|e| e.value.as_str().is_some_and(|t| t.contains("${file(")))
        })
}

/// Append `from` to `into`, moving the indices that point into `from`'s lists.
fn merge(into: &mut FileModel, from: FileModel) {
    let (policies, functions, roles) =
        (into.policies.len(), into.functions.len(), into.roles.len());
    into.policies.extend(from.policies);
    into.roles.extend(from.roles.into_iter().map(|mut r| {
        for p in &mut r.policies {
            *p += policies;
        }
        r
    }));
    into.functions
        .extend(from.functions.into_iter().map(|mut f| {
            f.role = f.role.map(|r| r + roles);
            f
        }));
    into.permissions
        .extend(from.permissions.into_iter().map(|mut p| {
            p.function = p.function.map(|f| f + functions);
            p
        }));
}

/// A CloudFormation intrinsic (`!GetAtt Role.Arn`, `Fn::Join`, `Ref`) rather than a map of
/// settings.
pub(crate) fn cloudformation_ref(node: &Node) -> bool {
    cloudformation::intrinsics::single_key(node)
        .is_some_and(|(key, _)| key == "Ref" || key.starts_with("Fn::"))
}

/// The text of a string value, or of a boolean or number written plainly.
pub(crate) fn text_of(node: &Node) -> Option<&str> {
    node.scalar_text().filter(|_| !node.is_null())
}

#[cfg(test)]
mod tests;

/// The Framework's words for the Lambda settings rules give advice about.
pub static SERVERLESS: crate::model::Dialect = crate::model::Dialect {
    name: "Serverless Framework",
    kms_key: "set `kmsKeyArn` (on the provider or the function) to a customer managed KMS key",
    dead_letter: "add an `onError` SNS topic or a `destinations.onFailure` target to the function",
    reserved_concurrency: "set the function's `reservedConcurrency`",
    tracing: "set `tracing: {lambda: true}` on the provider (or `tracing: Active` on the function)",
    vpc: "attach the function to private subnets with `vpc` (`securityGroupIds` and `subnetIds`)",
};

pub static FORMAT: super::Format = super::Format {
    name: "serverless",
    title: "Serverless Framework configuration",
    extensions: &[
        ("yml", Some("yaml")),
        ("yaml", Some("yaml")),
        ("json", Some("json")),
    ],
    syntax: super::Syntax::JsonOrYaml,
    grouping: super::Grouping::File,
    comments: &super::HASH_COMMENTS,
};

/// `serverless.yml` and the files it includes with `${file(...)}`.
pub struct Loader;

impl super::Loader for Loader {
    fn format(&self) -> &'static super::Format {
        &FORMAT
    }

    fn sniff(&self, input: &super::Sniff<'_>) -> bool {
        match input.root {
            Some(root) => sniff(&input.source.display, root),
            None => is_config_name(&input.source.display),
        }
    }

    fn load(&self, unit: &super::Unit<'_>, out: &mut Loaded) -> Result<(), super::LoadError> {
        let Some(file) = unit.files.first() else {
            return Ok(());
        };
        let Some(root) = file.document.and_then(|d| d.roots.first()) else {
            return Ok(());
        };
        let dir = file
            .source
            .path
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let mut includes = RunIncludes { unit, dir };
        load(root, file.id, &file.source.text, &mut includes, out);
        Ok(())
    }

    fn dependencies(
        &self,
        source: &crate::source::SourceFile,
        base: &std::path::Path,
    ) -> Vec<std::path::PathBuf> {
        // Configurations and their includes are YAML or JSON.
        if !matches!(
            super::extension(&source.display).as_str(),
            "yml" | "yaml" | "json"
        ) {
            return Vec::new();
        }
        included_paths(&source.text)
            .into_iter()
            .map(|path| base.join(path))
            .collect()
    }
}

/// Paths of the `${file(...)}` includes in a configuration (or an included file), as
/// written: the Framework reads them relative to the service folder. A text scan, so the
/// run can read them before loading; paths built from variables are left out.
fn included_paths(text: &str) -> Vec<&str> {
    let marker = "${file(";
    let mut out: Vec<&str> = Vec::new();
    for (at, _) in text.match_indices(marker) {
        let rest = &text[at + 2..];
        let Some(close) = rest.find(')') else {
            continue;
        };
        let Some((path, _)) = vars::file_include(&rest[..=close]) else {
            continue;
        };
        if !path.contains('\n') && !out.contains(&path) {
            out.push(path);
        }
    }
    out
}

/// Includes are files the run already read (found while walking the service folder); they
/// keep the ids they have there, so findings in them point into them.
struct RunIncludes<'u, 'a> {
    unit: &'u super::Unit<'a>,
    dir: std::path::PathBuf,
}

impl IncludeLoader for RunIncludes<'_, '_> {
    fn include(&mut self, _from: FileId, path: &str) -> Result<IncludedFile, String> {
        match self.unit.file_at(&self.dir.join(path)) {
            Some((file, source)) => Ok(IncludedFile {
                file,
                text: source.text.clone(),
            }),
            None => Err(format!("`{path}` could not be read")),
        }
    }
}
