//! Terraform resources (from HCL or a plan) to the common model.

use std::collections::{HashMap, HashSet};

use crate::load::policy_reader::{read_policy, Resolver};
use crate::load::LoadNote;
use crate::model::{
    Boundary, EnvValue, EnvVar, EventSource, FileModel, Function, FunctionUrl, LambdaPermission,
    LogGroupRef, ManagedPolicyRef, Origin, PolicyDocument, PolicyKind, Related, Role, Statement,
    Target, TargetUse,
};
use crate::source::{FileId, SourceFile, Span, Spanned};
use crate::syntax::{parse_json, Node, NodeKind};

use super::eval::{is_unresolved, reference, respan};
use super::policy_document::{self as tfdoc, statement_nodes};
use super::{Resource, TemplateResolver, TfResolver};

/// Principals whose invocations are asynchronous (their failures need a DLQ).
const ASYNC_PRINCIPALS: &[&str] = &[
    "s3.amazonaws.com",
    "sns.amazonaws.com",
    "events.amazonaws.com",
    "scheduler.amazonaws.com",
    "ses.amazonaws.com",
    "logs.amazonaws.com",
    "iot.amazonaws.com",
    "codecommit.amazonaws.com",
    "config.amazonaws.com",
];

/// The file a `file()`/`templatefile()` call names.
pub(crate) enum ReadFile<'a> {
    Found {
        id: FileId,
        source: &'a SourceFile,
        template: bool,
    },
    Missing(String),
}

type ReadFileFn<'a> = dyn Fn(FileId, Span) -> Option<ReadFile<'a>> + 'a;

pub(crate) struct Builder<'a> {
    resources: &'a [Resource],
    texts: &'a [(FileId, &'a str)],
    read_file: &'a ReadFileFn<'a>,
    sensitive_variable: &'a dyn Fn(&str) -> bool,
    pub model: FileModel,
    pub notes: Vec<(FileId, LoadNote)>,
    /// Data documents already added, by name.
    data_docs: HashMap<String, usize>,
    /// Data documents being read (a source chain that loops stops here).
    reading: HashSet<String>,
    /// Data documents used only as sources of other documents: linted through those.
    merged_only: HashSet<String>,
    /// `aws_iam_policy.x` -> its document.
    managed: HashMap<String, usize>,
    /// Policy strings are JSON strings of a generated plan: locate values inside them through
    /// their escapes (a plan is never edited by fixes, so such spans are safe).
    pub json_escapes: bool,
    /// Caller files whose module call arguments are used inside followed modules.
    pub callers: &'a [super::Caller],
    /// `output` values of followed modules by address (`module.x.role_arn`).
    pub outputs: &'a HashMap<String, Node>,
}

/// What a value refers to is looked up in this module (prefix) and file.
struct Place<'p> {
    file: FileId,
    module: &'p str,
}

impl<'a> Builder<'a> {
    pub fn new(
        resources: &'a [Resource],
        texts: &'a [(FileId, &'a str)],
        read_file: &'a ReadFileFn<'a>,
        sensitive_variable: &'a dyn Fn(&str) -> bool,
    ) -> Self {
        Builder {
            resources,
            texts,
            read_file,
            sensitive_variable,
            model: FileModel::default(),
            notes: Vec::new(),
            data_docs: HashMap::new(),
            reading: HashSet::new(),
            merged_only: HashSet::new(),
            managed: HashMap::new(),
            json_escapes: false,
            callers: &[],
            outputs: empty_outputs(),
        }
    }

    /// A value passed whole as a module call argument, back where the caller wrote it: real
    /// spans of the caller's file, and the caller's module prefix for its references.
    fn as_written_by_caller(&self, node: &Node) -> Option<(Node, Place<'a>)> {
        let caller = self
            .callers
            .iter()
            .find(|c| c.start <= node.span.start && node.span.end <= c.end)?;
        let mut node = node.clone();
        unshift(&mut node, caller.start, caller.end);
        Some((
            node,
            Place {
                file: caller.file,
                module: &caller.prefix,
            },
        ))
    }

    /// The module prefix of the caller that passed `node` in as an argument.
    fn module_of(&self, node: &Node) -> Option<&'a str> {
        self.callers
            .iter()
            .find(|c| c.start <= node.span.start && node.span.end <= c.end)
            .map(|c| c.prefix.as_str())
    }

    /// `module.x.name` followed to the module's `output "name"` value, evaluated inside it:
    /// the value and the module's prefix. Outputs that name outputs are followed a few steps.
    fn output(&self, node: &Node, module: &str) -> Option<(Node, String)> {
        let mut node = node.clone();
        let mut module = module.to_string();
        let mut followed = false;
        for _ in 0..4 {
            let parts = reference(&node);
            let Some(["module", name, output, ..]) = parts.as_deref() else {
                break;
            };
            let inner = format!("{module}module.{name}.");
            let value = self.outputs.get(&format!("{inner}{output}"))?;
            node = value.clone();
            module = inner;
            followed = true;
        }
        followed.then_some((node, module))
    }

    fn note(&mut self, file: FileId, span: Span, message: String) {
        self.notes.push((
            file,
            LoadNote {
                file,
                span,
                message,
            },
        ));
    }

    fn of_kind(&self, kind: &'a str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources
            .iter()
            .filter(move |r| r.kind == kind && !r.data)
    }

    pub fn run(&mut self) {
        for r in self.resources.iter().filter(|r| r.repeated) {
            self.notes.push((
                r.file,
                LoadNote {
                    file: r.file,
                    span: r.header,
                    message: format!(
                        "`{}` is repeated (count, for_each or dynamic): linted once for all copies",
                        r.address()
                    ),
                },
            ));
        }
        for r in self.of_kind("aws_iam_policy") {
            if let Some(policy) = r.body.get("policy") {
                let label = format!("policy `{}`", r.address());
                if let Some(i) = self.policy(r, policy, PolicyKind::Identity, label) {
                    self.managed.insert(r.address(), i);
                }
            }
        }
        for r in self.of_kind("aws_iam_role") {
            self.role(r);
        }
        self.role_policies();
        for r in self.of_kind("aws_lambda_function") {
            self.function(r);
        }
        for r in self.resources.iter().filter(|r| r.kind == "module") {
            self.module(r);
        }
        self.function_extras();
        self.resource_policies();
        // Documents nothing attaches are still linted, with a kind judged by their content.
        for r in self.resources.iter() {
            if r.data
                && r.kind == "aws_iam_policy_document"
                && !self.data_docs.contains_key(&r.address())
                && !self.merged_only.contains(&r.address())
            {
                let statements = statement_nodes(r.body.get("statement"));
                let kind = tfdoc::infer_kind(&statements);
                self.data_doc(r, kind);
            }
        }
    }

    fn text_of(&self, file: FileId) -> &'a str {
        self.texts
            .iter()
            .find(|(id, _)| *id == file)
            .map_or("", |(_, t)| t)
    }

    /// Read the policy a value stands for and add it; None when it cannot be read offline.
    fn policy(
        &mut self,
        owner: &Resource,
        value: &Node,
        kind: PolicyKind,
        label: String,
    ) -> Option<usize> {
        let index = self.policy_inner(owner, value, kind)?;
        let doc = &mut self.model.policies[index];
        if doc.label.is_none() {
            doc.label = Some(label);
        }
        if doc.file == owner.file {
            doc.related.push(Related {
                label: format!("`{}`", owner.address()),
                file: owner.file,
                span: owner.header,
            });
        }
        Some(index)
    }

    fn policy_inner(&mut self, owner: &Resource, value: &Node, kind: PolicyKind) -> Option<usize> {
        if value.is_null() {
            return None;
        }
        // A whole policy passed in by the caller is read as the caller wrote it.
        if let Some((value, place)) = self.as_written_by_caller(value) {
            let mut owner = owner.clone();
            owner.file = place.file;
            owner.module = place.module.to_string();
            return self.policy_inner(&owner, &value, kind);
        }
        if let Some((value, module)) = self.output(value, &owner.module) {
            let mut owner = owner.clone();
            owner.module = module;
            // The output is written in the module: its spans are real spans of a module file
            // or stand-ins of its caller's, never of the owner's file.
            owner.file = self
                .resources
                .iter()
                .find(|r| r.module == owner.module)
                .map_or(owner.file, |r| r.file);
            return self.policy_inner(&owner, &value, kind);
        }
        if value.as_map().is_some() {
            let (value, dropped) = without_expression_structure(value);
            if dropped {
                self.note(
                    owner.file,
                    value.span,
                    format!(
                        "part of the policy of `{}` is built by an expression (`for`, a variable); that part is not linted",
                        owner.address()
                    ),
                );
            }
            return Some(self.push(read_policy(&value, owner.file, Some(kind), &TfResolver)));
        }
        let json_text = value
            .scalar_text()
            .is_some_and(|t| t.trim_start().starts_with('{'));
        if json_text || !is_unresolved(value) {
            // A heredoc with interpolations keeps them as `${...}` placeholders.
            let resolver: &dyn Resolver = if is_unresolved(value) {
                &TemplateResolver
            } else {
                &TfResolver
            };
            let doc = self.embedded(value, owner.file, kind, resolver);
            if doc.is_none() {
                self.note(
                    owner.file,
                    value.span,
                    format!(
                        "the policy of `{}` is not a JSON object; not linted",
                        owner.address()
                    ),
                );
            }
            return doc;
        }
        if let Some(parts) = reference(value) {
            if let ["data", "aws_iam_policy_document", name, "json" | "minified_json"] =
                parts.as_slice()
            {
                let address = format!("{}data.aws_iam_policy_document.{name}", owner.module);
                if let Some(&i) = self.data_docs.get(&address) {
                    return Some(i);
                }
                if let Some(data) = self.resources.iter().find(|r| r.address() == address) {
                    return self.data_doc(data, kind);
                }
            }
        }
        match (self.read_file)(owner.file, value.span) {
            Some(ReadFile::Found {
                id,
                source,
                template,
            }) => {
                let resolver: &dyn Resolver = if template {
                    &TemplateResolver
                } else {
                    &TfResolver
                };
                let document = parse_json(&source.text).ok()?;
                let root = document.roots.first()?;
                Some(self.push(read_policy(root, id, Some(kind), resolver)))
            }
            Some(ReadFile::Missing(path)) => {
                self.note(
                    owner.file,
                    value.span,
                    format!("policy file `{path}` of `{}` was not read", owner.address()),
                );
                None
            }
            None => {
                let text = value.scalar_text().unwrap_or_default().to_string();
                self.note(
                    owner.file,
                    value.span,
                    format!(
                        "the policy of `{}` is `{text}`, which is not known offline; not linted",
                        owner.address()
                    ),
                );
                None
            }
        }
    }

    fn push(&mut self, doc: PolicyDocument) -> usize {
        self.model.policies.push(doc);
        self.model.policies.len() - 1
    }

    /// JSON written in a string (a heredoc, or a plan's policy string). Spans point into the
    /// JSON when the string is written as it reads (no escapes), else at the whole string.
    fn embedded(
        &mut self,
        value: &Node,
        file: FileId,
        kind: PolicyKind,
        resolver: &dyn Resolver,
    ) -> Option<usize> {
        let root = embedded_json(value, self.text_of(file), self.json_escapes)?;
        Some(self.push(read_policy(&root, file, Some(kind), resolver)))
    }

    /// A `data "aws_iam_policy_document"`, with its sources and overrides merged.
    fn data_doc(&mut self, data: &Resource, kind: PolicyKind) -> Option<usize> {
        let address = data.address();
        if let Some(&i) = self.data_docs.get(&address) {
            return Some(i);
        }
        let mut doc = tfdoc::empty(data.file, data.span, kind);
        doc.label = Some(format!("`{address}`"));
        if let Some(v) = data.body.get("version").filter(|v| !v.is_null()) {
            doc.version = v.scalar_text().map(|t| Spanned::new(t.to_string(), v.span));
        } else {
            // Terraform writes 2012-10-17 when no version is given.
            doc.version = Some(Spanned::new("2012-10-17".into(), data.header));
        }
        self.merge_statements(data, kind, &mut doc);
        let index = self.push(doc);
        self.data_docs.insert(address, index);
        Some(index)
    }

    /// Terraform's merge: statements of `source_policy_documents`, then this document's
    /// (replacing source statements with the same `sid`), then `override_policy_documents`
    /// (replacing any statement with the same `sid`).
    fn merge_statements(&mut self, data: &Resource, kind: PolicyKind, doc: &mut PolicyDocument) {
        let address = data.address();
        if !self.reading.insert(address.clone()) {
            return;
        }
        let mut merged: Vec<Statement> = Vec::new();
        for source in list(data.body.get("source_policy_documents")) {
            let statements = self.statements_of(data, source, kind, doc);
            merged.extend(statements);
        }
        let mut own = tfdoc::empty(data.file, data.span, kind);
        tfdoc::read_statements(&statement_nodes(data.body.get("statement")), kind, &mut own);
        doc.problems.extend(own.problems);
        override_by_sid(&mut merged, own.statements);
        for over in list(data.body.get("override_policy_documents")) {
            let statements = self.statements_of(data, over, kind, doc);
            override_by_sid(&mut merged, statements);
        }
        for (i, st) in merged.iter_mut().enumerate() {
            st.index = i;
        }
        doc.statements = merged;
        self.reading.remove(&address);
    }

    /// Statements of a source or override document. Only documents written in the same file
    /// are merged (statements carry no file of their own); others are linted where written.
    fn statements_of(
        &mut self,
        data: &Resource,
        value: &Node,
        kind: PolicyKind,
        doc: &mut PolicyDocument,
    ) -> Vec<Statement> {
        if value.as_map().is_some() {
            return read_policy(value, data.file, Some(kind), &TfResolver).statements;
        }
        if let Some(parts) = reference(value) {
            if let ["data", "aws_iam_policy_document", name, "json" | "minified_json"] =
                parts.as_slice()
            {
                let address = format!("{}data.aws_iam_policy_document.{name}", data.module);
                let Some(source) = self.resources.iter().find(|r| r.address() == address) else {
                    return Vec::new();
                };
                if source.file != data.file {
                    self.note(
                        data.file,
                        value.span,
                        format!("`{address}` is merged from another file and linted there"),
                    );
                    return Vec::new();
                }
                if !self.data_docs.contains_key(&address) {
                    self.merged_only.insert(address);
                }
                let mut inner = tfdoc::empty(source.file, source.span, kind);
                self.merge_statements(source, kind, &mut inner);
                return inner.statements;
            }
            return Vec::new();
        }
        if !is_unresolved(value) {
            if let Some(root) = embedded_json(value, self.text_of(data.file), self.json_escapes) {
                let read = read_policy(&root, data.file, Some(kind), &TfResolver);
                doc.problems.extend(read.problems);
                return read.statements;
            }
        }
        Vec::new()
    }

    fn role(&mut self, r: &Resource) {
        let mut role = Role {
            file: r.file,
            logical_id: r.address(),
            span: r.header,
            policies: Vec::new(),
            managed_policies: Vec::new(),
            trust: None,
            boundary: None,
            origin: Origin::new(&crate::load::terraform::TERRAFORM),
        };
        if let Some(trust) = r.body.get("assume_role_policy") {
            let label = format!("trust policy of `{}`", r.address());
            role.trust = self.policy(r, trust, PolicyKind::Trust, label);
        }
        for inline in list(r.body.get("inline_policy")) {
            if let Some(policy) = inline.get("policy") {
                let name = inline.get("name").and_then(Node::scalar_text).unwrap_or("");
                let label = format!("policy `{name}` of `{}`", r.address());
                if let Some(i) = self.policy(r, policy, PolicyKind::Identity, label) {
                    role.policies.push(i);
                }
            }
        }
        for arn in list(r.body.get("managed_policy_arns")) {
            self.attach(&mut role, arn, &r.module);
        }
        role.boundary = r
            .body
            .get("permissions_boundary")
            .and_then(|b| self.boundary(b, &r.module));
        self.model.roles.push(role);
    }

    /// A `permissions_boundary` value, resolved the way a managed policy ARN is attached:
    /// a policy document of this module, an AWS managed policy, or an ARN not in the input.
    fn boundary(&self, node: &Node, module: &str) -> Option<Boundary> {
        if node.is_null() {
            return None;
        }
        let mut scratch = Role {
            file: 0,
            logical_id: String::new(),
            span: node.span,
            policies: Vec::new(),
            managed_policies: Vec::new(),
            trust: None,
            boundary: None,
            origin: Origin::new(&crate::load::terraform::TERRAFORM),
        };
        self.attach(&mut scratch, node, module);
        let text = match (reference(node), node.scalar_text()) {
            (Some(parts), _) => parts.join("."),
            (None, Some(text)) => text.to_string(),
            (None, None) => return None,
        };
        let mut boundary = Boundary::named(&text, node.span);
        boundary.policy = scratch.policies.first().copied();
        if let Some(managed) = scratch.managed_policies.iter().find(|m| m.aws_managed) {
            boundary.aws_managed = Some(managed.name.clone());
        }
        if boundary.policy.is_none() && boundary.aws_managed.is_none() && is_unresolved(node) {
            boundary.text = text;
        }
        Some(boundary)
    }

    /// Attach a policy ARN: a document of this module, or a managed policy by name.
    fn attach(&self, role: &mut Role, arn: &Node, module: &str) {
        // An ARN passed in by the caller names the caller's resources; its stand-in spans stay,
        // so references to managed policies are reported at the call.
        let module = self.module_of(arn).unwrap_or(module);
        if let Some((resolved, inner)) = self.output(arn, module) {
            return self.attach(role, &resolved, &inner);
        }
        if let Some(parts) = reference(arn) {
            match parts.as_slice() {
                ["aws_iam_policy", name, ..] => {
                    let address = format!("{module}aws_iam_policy.{name}");
                    if let Some(&i) = self.managed.get(&address) {
                        if !role.policies.contains(&i) {
                            role.policies.push(i);
                        }
                    }
                }
                // `data "aws_iam_policy"` looked up by a literal name or ARN.
                ["data", "aws_iam_policy", name, ..] => {
                    let address = format!("{module}data.aws_iam_policy.{name}");
                    let data = self.resources.iter().find(|r| r.address() == address);
                    let literal = data.and_then(|d| {
                        d.body
                            .get("arn")
                            .or_else(|| d.body.get("name"))
                            .filter(|n| n.as_str().is_some() && !is_unresolved(n))
                    });
                    if let Some(literal) = literal {
                        let mut reference = literal.clone();
                        reference.span = arn.span;
                        self.attach(role, &reference, module);
                    }
                }
                _ => {}
            }
            return;
        }
        let Some(text) = arn.scalar_text() else {
            return;
        };
        if is_unresolved(arn) {
            // `arn:${partition}:iam::aws:policy/X` still names an AWS managed policy; other
            // unknown ARNs cannot be judged offline.
            let name = text.rsplit_once(":iam::aws:policy/").map(|(_, n)| n);
            if let Some(name) = name.filter(|n| !n.contains("${")) {
                role.managed_policies.push(ManagedPolicyRef {
                    name: name.rsplit('/').next().unwrap_or(name).to_string(),
                    span: arn.span,
                    aws_managed: true,
                });
            }
            return;
        }
        // A customer managed policy of this module named by its literal ARN.
        if let Some(&i) = self.of_kind("aws_iam_policy").find_map(|p| {
            let name = p.body.get("name").and_then(Node::as_str)?;
            text.ends_with(&format!(":policy/{name}"))
                .then(|| self.managed.get(&p.address()))
                .flatten()
        }) {
            role.policies.push(i);
            return;
        }
        role.managed_policies.push(ManagedPolicyRef {
            name: text.rsplit('/').next().unwrap_or(text).to_string(),
            span: arn.span,
            aws_managed: text.contains(":iam::aws:policy/") || !text.contains(':'),
        });
    }

    /// The role a `role`/`roles` value names: a reference, or the role's literal name or ARN.
    fn role_index(&self, node: &Node, module: &str) -> Option<usize> {
        let module = self.module_of(node).unwrap_or(module);
        if let Some((resolved, inner)) = self.output(node, module) {
            return self.role_index(&resolved, &inner);
        }
        if let Some(parts) = reference(node) {
            return match parts.as_slice() {
                ["aws_iam_role", name, ..] => {
                    let address = format!("{module}aws_iam_role.{name}");
                    self.model
                        .roles
                        .iter()
                        .position(|r| r.logical_id == address)
                }
                _ => None,
            };
        }
        if is_unresolved(node) {
            // `arn:aws:iam::${account}:role/${aws_iam_role.x.name}` still names role `x`.
            let text = node.scalar_text()?;
            let (_, after) = text.split_once(":role/${aws_iam_role.")?;
            let name = after.split(['.', '[', '}']).next()?;
            let address = format!("{module}aws_iam_role.{name}");
            return self
                .model
                .roles
                .iter()
                .position(|r| r.logical_id == address);
        }
        let text = node.as_str()?;
        let name = text.rsplit(":role/").next().unwrap_or(text);
        let name = name.rsplit('/').next().unwrap_or(name);
        let roles: Vec<&Resource> = self.of_kind("aws_iam_role").collect();
        roles
            .iter()
            .position(|r| r.body.get("name").and_then(Node::as_str) == Some(name))
    }

    fn role_policies(&mut self) {
        for r in self.of_kind("aws_iam_role_policy") {
            let Some(policy) = r.body.get("policy") else {
                continue;
            };
            let role = r
                .body
                .get("role")
                .and_then(|n| self.role_index(n, &r.module));
            let label = match role {
                Some(i) => format!(
                    "policy `{}` of `{}`",
                    r.address(),
                    self.model.roles[i].logical_id
                ),
                None => format!("policy `{}`", r.address()),
            };
            if let Some(p) = self.policy(r, policy, PolicyKind::Identity, label) {
                if let Some(i) = role {
                    self.model.roles[i].policies.push(p);
                }
            }
        }
        for kind in ["aws_iam_user_policy", "aws_iam_group_policy"] {
            for r in self.of_kind(kind) {
                if let Some(policy) = r.body.get("policy") {
                    let label = format!("policy `{}`", r.address());
                    self.policy(r, policy, PolicyKind::Identity, label);
                }
            }
        }
        let attachments: Vec<(&Resource, Vec<&Node>, Vec<&Node>)> = self
            .resources
            .iter()
            .filter(|r| !r.data)
            .filter_map(|r| match r.kind.as_str() {
                "aws_iam_role_policy_attachment" => Some((
                    r,
                    r.body.get("role").into_iter().collect(),
                    r.body.get("policy_arn").into_iter().collect(),
                )),
                "aws_iam_policy_attachment" => Some((
                    r,
                    list(r.body.get("roles")),
                    r.body.get("policy_arn").into_iter().collect(),
                )),
                "aws_iam_role_policy_attachments_exclusive" => Some((
                    r,
                    r.body.get("role_name").into_iter().collect(),
                    list(r.body.get("policy_arns")),
                )),
                _ => None,
            })
            .collect();
        for (r, roles, arns) in attachments {
            for role in roles {
                let Some(i) = self.role_index(role, &r.module) else {
                    continue;
                };
                let mut target = self.model.roles[i].clone();
                for arn in &arns {
                    self.attach(&mut target, arn, &r.module);
                }
                self.model.roles[i] = target;
            }
        }
    }

    /// The code of a function packaged by `data "archive_file"`: `filename` names the
    /// archive's `output_path`, and the archive's `source_dir` is the code folder.
    fn archive_code(
        &self,
        r: &Resource,
        runtime: Option<String>,
    ) -> Option<crate::model::CodeLocation> {
        let filename = r.body.get("filename").and_then(Node::scalar_text)?;
        // The reference is followed to the archive's output path, or kept symbolic.
        let by_name = filename
            .strip_prefix("${data.archive_file.")
            .and_then(|rest| rest.strip_suffix(".output_path}"));
        let archive = self.resources.iter().find(|a| {
            a.data
                && a.kind == "archive_file"
                && a.module == r.module
                && (by_name == Some(a.name.as_str())
                    || a.body.get("output_path").and_then(Node::scalar_text) == Some(filename))
        })?;
        let source_dir = archive.body.get("source_dir").and_then(Node::as_str)?;
        Some(crate::model::CodeLocation {
            base_dir: Some(source_dir.to_string()),
            handler: r
                .body
                .get("handler")
                .and_then(Node::as_str)
                .map(str::to_string),
            runtime,
            inline: None,
        })
    }

    fn function(&mut self, r: &Resource) {
        let body = &r.body;
        let mut f = Function::new(r.file, r.address(), r.header, r.span);
        f.origin = Origin::new(&crate::load::terraform::TERRAFORM);
        f.runtime = spanned(body.get("runtime"));
        f.package_image = body.get("package_type").and_then(Node::as_str) == Some("Image");
        f.code = self.archive_code(r, f.runtime.as_ref().map(|r| r.value.clone()));
        f.kms_key = set(body.get("kms_key_arn")).map(|n| n.span);
        f.vpc_config = block(body, "vpc_config")
            .filter(|v| v.get("subnet_ids").is_some_and(|s| !is_empty(s)))
            .map(|v| v.span);
        f.reserved_concurrency = set(body.get("reserved_concurrent_executions"))
            .filter(|n| n.scalar_text() != Some("-1"))
            .map(|n| n.span);
        f.dead_letter = block(body, "dead_letter_config")
            .and_then(|d| set(d.get("target_arn")))
            .map(|n| n.span);
        f.tracing = block(body, "tracing_config").and_then(|t| spanned(t.get("mode")));
        if let Some(vars) = block(body, "environment").and_then(|e| e.get("variables")) {
            f.environment_span = Some(vars.span);
            f.environment = self.env(vars, &r.module);
        }
        if let Some(role) = body.get("role") {
            self.link_role(&mut f, role, &r.module);
        }
        f.log_group = self.log_group(r);
        f.targets.extend(
            set(body.get("kms_key_arn"))
                .and_then(|n| tf_target(r.file, n, TargetUse::EnvironmentKey)),
        );
        f.targets.extend(
            block(body, "dead_letter_config")
                .and_then(|d| set(d.get("target_arn")))
                .and_then(|n| tf_target(r.file, n, TargetUse::DeadLetter)),
        );
        self.model.functions.push(f);
    }

    /// The function's log group as an HCL string: its literal `logging_config.log_group`,
    /// else `/aws/lambda/` and a reference to its `function_name` (which a policy inside
    /// its role's `inline_policy` cannot make: the role would depend on the function).
    /// Region and account stay `*`: HCL has no pseudo parameters without data sources the
    /// configuration may not declare. Only for single HCL resources of the root module.
    fn log_group(&self, r: &Resource) -> Option<LogGroupRef> {
        let hcl = !self.text_of(r.file).trim_start().starts_with('{');
        if !hcl || r.repeated || !r.module.is_empty() {
            return None;
        }
        let custom = block(&r.body, "logging_config").and_then(|l| set(l.get("log_group")));
        let (group, refers_to_function) = match custom {
            Some(group) => {
                let name = group
                    .as_str()
                    .filter(|t| !t.contains("${") && !t.contains('"'))?;
                (name.to_string(), false)
            }
            None => (
                format!(
                    "/aws/lambda/${{aws_lambda_function.{}.function_name}}",
                    r.name
                ),
                true,
            ),
        };
        let text = format!("arn:aws:logs:*:*:log-group:{group}:*");
        Some(LogGroupRef {
            arn: format!("\"{text}\""),
            text,
            refers_to_function,
        })
    }

    fn link_role(&self, f: &mut Function, role: &Node, module: &str) {
        f.role = self.role_index(role, module);
        if f.role.is_none() {
            f.external_role = Some(Spanned::new(
                role.scalar_text().unwrap_or_default().to_string(),
                role.span,
            ));
        }
    }

    fn env(&self, vars: &Node, module: &str) -> Vec<EnvVar> {
        vars.as_map()
            .unwrap_or_default()
            .iter()
            .map(|e| {
                let text = e.value.scalar_text().unwrap_or_default().to_string();
                let value = if text.contains("{{resolve:") {
                    EnvValue::DynamicReference(text)
                } else if !is_unresolved(&e.value) {
                    EnvValue::Literal(text)
                } else if let Some(["var", name]) = reference(&e.value).as_deref() {
                    EnvValue::Parameter {
                        name: format!("var.{name}"),
                        no_echo: (self.sensitive_variable)(&format!("{module}{name}")),
                    }
                } else {
                    EnvValue::Expression(text)
                };
                EnvVar {
                    name: e.key.clone(),
                    value,
                    value_span: e.value.span,
                }
            })
            .collect()
    }

    /// The function of this module a `function_name` names (reference or literal name).
    fn function_index(&self, node: &Node, module: &str) -> Option<usize> {
        if let Some(parts) = reference(node) {
            return match parts.as_slice() {
                ["aws_lambda_function", name, ..] => {
                    let address = format!("{module}aws_lambda_function.{name}");
                    self.model
                        .functions
                        .iter()
                        .position(|f| f.logical_id == address)
                }
                ["module", name, ..] => {
                    let address = format!("{module}module.{name}");
                    self.model
                        .functions
                        .iter()
                        .position(|f| f.logical_id == address)
                }
                _ => None,
            };
        }
        let text = node.as_str()?;
        let name = text.rsplit(":function:").next().unwrap_or(text);
        let functions: Vec<&Resource> = self.of_kind("aws_lambda_function").collect();
        let at = functions
            .iter()
            .find(|r| r.body.get("function_name").and_then(Node::as_str) == Some(name))?;
        let address = at.address();
        self.model
            .functions
            .iter()
            .position(|f| f.logical_id == address)
    }

    fn function_extras(&mut self) {
        for r in self.resources.iter().filter(|r| !r.data) {
            let body = &r.body;
            let target = body
                .get("function_name")
                .and_then(|n| self.function_index(n, &r.module));
            match r.kind.as_str() {
                "aws_lambda_permission" => {
                    let Some(principal) = body.get("principal") else {
                        continue;
                    };
                    let text = principal.scalar_text().unwrap_or_default().to_string();
                    let permission = LambdaPermission {
                        file: r.file,
                        span: principal.span,
                        principal: Spanned::new(text.clone(), principal.span),
                        has_source_arn: set(body.get("source_arn")).is_some(),
                        has_source_account: set(body.get("source_account")).is_some(),
                        has_principal_org_id: set(body.get("principal_org_id")).is_some(),
                        function: target,
                        function_url_auth: body
                            .get("function_url_auth_type")
                            .and_then(Node::as_str)
                            .map(str::to_string),
                        via_function_url: body
                            .get("invoked_via_function_url")
                            .and_then(Node::scalar_text)
                            == Some("true"),
                        logical_id: r.address(),
                    };
                    if let Some(i) = target {
                        if ASYNC_PRINCIPALS.contains(&text.as_str()) {
                            self.model.functions[i].events.push(EventSource {
                                kind: text,
                                span: r.header,
                                asynchronous: true,
                            });
                        }
                    }
                    self.model.permissions.push(permission);
                }
                "aws_lambda_function_url" => {
                    if let (Some(i), Some(auth)) = (target, body.get("authorization_type")) {
                        self.model.functions[i].url = Some(FunctionUrl {
                            auth_type: Spanned::new(
                                auth.scalar_text().unwrap_or_default().to_string(),
                                auth.span,
                            ),
                        });
                    }
                }
                "aws_lambda_event_source_mapping" => {
                    if let Some(i) = target {
                        let source = set(body.get("event_source_arn"))
                            .and_then(|n| tf_target(r.file, n, TargetUse::EventSource));
                        self.model.functions[i].targets.extend(source);
                        let source = body
                            .get("event_source_arn")
                            .and_then(Node::scalar_text)
                            .unwrap_or_default();
                        self.model.functions[i].events.push(EventSource {
                            kind: event_source_kind(source).to_string(),
                            span: r.header,
                            asynchronous: false,
                        });
                    }
                }
                "aws_lambda_function_event_invoke_config" => {
                    if let Some(i) = target {
                        let config = block(body, "destination_config");
                        for (key, usage) in [
                            ("on_success", TargetUse::OnSuccess),
                            ("on_failure", TargetUse::OnFailure),
                        ] {
                            let destination = config
                                .and_then(|d| block(d, key))
                                .and_then(|d| set(d.get("destination")))
                                .and_then(|n| tf_target(r.file, n, usage));
                            self.model.functions[i].targets.extend(destination);
                        }
                    }
                    let on_failure = block(body, "destination_config")
                        .and_then(|d| block(d, "on_failure"))
                        .is_some();
                    if let (Some(i), true) = (target, on_failure) {
                        self.model.functions[i].on_failure_destination = true;
                    }
                }
                _ => {}
            }
        }
    }

    fn resource_policies(&mut self) {
        for r in self.resources.iter().filter(|r| !r.data) {
            let attribute = match r.kind.as_str() {
                "aws_s3_bucket_policy" | "aws_sqs_queue_policy" | "aws_sns_topic_policy" => {
                    "policy"
                }
                // Inline policies of the resources themselves (older provider style).
                "aws_s3_bucket" | "aws_sqs_queue" | "aws_sns_topic" | "aws_kms_key" => "policy",
                _ => continue,
            };
            if let Some(policy) = r.body.get(attribute) {
                let label = format!("resource policy of `{}`", r.address());
                self.policy(r, policy, PolicyKind::Resource, label);
            }
        }
    }

    /// Module calls: `terraform-aws-modules/lambda` is read as the function and role it
    /// creates; other modules are noted.
    fn module(&mut self, r: &Resource) {
        if r.followed {
            // Its own resources were loaded with the call's inputs.
            return;
        }
        let source = r.body.get("source").and_then(Node::as_str).unwrap_or("");
        if r.lambda_copy || reads_as_lambda_module(&r.body) {
            lambda_module::read(self, r);
            return;
        }
        if source.starts_with("./") || source.starts_with("../") {
            // Loaded without a module reader (a lone file): the folder is its own unit.
            self.note(
                r.file,
                r.header,
                format!(
                    "local module `{source}` is linted on its own, without the inputs of `{}`",
                    r.address()
                ),
            );
            return;
        }
        self.note(
            r.file,
            r.header,
            format!("module `{source}` is not analysed (only its own folder can be linted)"),
        );
    }
}

/// A call of `terraform-aws-modules/lambda`: by its registry source, or (a local copy, as in
/// the module's own examples) by its inputs. Such calls are read from the inputs where the
/// caller writes them, never by following the module's internals, so each grant is reported
/// once, at the caller's line.
pub(crate) fn reads_as_lambda_module(call: &Node) -> bool {
    let source = call.get("source").and_then(Node::as_str).unwrap_or("");
    let lambda_inputs = call.get("function_name").is_some()
        && [
            "attach_policy_statements",
            "attach_policy_json",
            "attach_policy_jsons",
            "attach_policies",
            "attach_policy",
        ]
        .iter()
        .any(|k| call.get(k).is_some());
    source.contains("terraform-aws-modules/lambda") || lambda_inputs
}

/// Outputs of a builder that follows no module.
fn empty_outputs() -> &'static HashMap<String, Node> {
    static EMPTY: std::sync::OnceLock<HashMap<String, Node>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(HashMap::new)
}

/// Stand-in spans in `start..=end` back to the caller's real offsets.
fn unshift(node: &mut Node, start: u32, end: u32) {
    let back = |span: &mut Span| {
        if start <= span.start && span.end <= end {
            *span = Span {
                start: span.start - start,
                end: span.end - start,
            };
        }
    };
    back(&mut node.span);
    match &mut node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter_mut().for_each(|i| unshift(i, start, end)),
        NodeKind::Map(entries) => {
            for entry in entries {
                back(&mut entry.key.span);
                unshift(&mut entry.value, start, end);
            }
        }
    }
}

mod lambda_module {
    //! The `terraform-aws-modules/lambda/aws` module: its inputs say which function and role
    //! it creates and which policies it attaches.

    use super::*;

    fn flag(body: &Node, key: &str, default: bool) -> bool {
        match body.get(key).and_then(Node::scalar_text) {
            Some("true") => true,
            Some("false") => false,
            _ => default,
        }
    }

    pub(super) fn read(b: &mut Builder<'_>, r: &Resource) {
        let body = &r.body;
        let address = r.address();
        let mut f = Function::new(r.file, address.clone(), r.header, r.span);
        f.origin = Origin::new(&crate::load::terraform::TERRAFORM);
        f.runtime = spanned(body.get("runtime"));
        f.package_image = body.get("package_type").and_then(Node::as_str) == Some("Image");
        // `source_path` given as a literal folder or file, relative to the module folder.
        if let (Some(source), Some(handler)) = (
            body.get("source_path").and_then(Node::as_str),
            body.get("handler").and_then(Node::as_str),
        ) {
            f.code = Some(crate::model::CodeLocation {
                base_dir: Some(source.to_string()),
                handler: Some(handler.to_string()),
                runtime: f.runtime.as_ref().map(|r| r.value.clone()),
                inline: None,
            });
        }
        f.kms_key = set(body.get("kms_key_arn")).map(|n| n.span);
        f.vpc_config = set(body.get("vpc_subnet_ids"))
            .filter(|n| !is_empty(n))
            .map(|n| n.span);
        f.reserved_concurrency = set(body.get("reserved_concurrent_executions"))
            .filter(|n| n.scalar_text() != Some("-1"))
            .map(|n| n.span);
        f.dead_letter = set(body.get("dead_letter_target_arn")).map(|n| n.span);
        f.tracing = spanned(body.get("tracing_mode"));
        if let Some(vars) = set(body.get("environment_variables")) {
            f.environment_span = Some(vars.span);
            f.environment = b.env(vars, &r.module);
        }
        if flag(body, "create_lambda_function_url", false) {
            let auth = body.get("authorization_type");
            f.url = Some(FunctionUrl {
                // The module's default is NONE: a public URL.
                auth_type: Spanned::new(
                    auth.and_then(Node::scalar_text)
                        .unwrap_or("NONE")
                        .to_string(),
                    auth.map_or(r.header, |a| a.span),
                ),
            });
        }
        if !flag(body, "create_role", true) {
            if let Some(role) = body.get("lambda_role") {
                b.link_role(&mut f, role, &r.module);
            }
            b.model.functions.push(f);
            return;
        }
        let mut role = Role {
            file: r.file,
            logical_id: address.clone(),
            span: r.header,
            policies: Vec::new(),
            managed_policies: Vec::new(),
            trust: None,
            boundary: None,
            origin: Origin::new(&crate::load::terraform::TERRAFORM),
        };
        role.boundary = body
            .get("role_permissions_boundary")
            .and_then(|n| b.boundary(n, &r.module));
        if flag(body, "attach_cloudwatch_logs_policy", true) {
            // The module attaches its own logs policy, equivalent to this managed one.
            role.managed_policies.push(ManagedPolicyRef {
                name: "AWSLambdaBasicExecutionRole".into(),
                span: r.header,
                aws_managed: true,
            });
        }
        if flag(body, "attach_policy_json", false) {
            if let Some(json) = body.get("policy_json") {
                let label = format!("`policy_json` of `{address}`");
                role.policies
                    .extend(b.policy(r, json, PolicyKind::Identity, label));
            }
        }
        if flag(body, "attach_policy_jsons", false) {
            for json in list(body.get("policy_jsons")) {
                let label = format!("`policy_jsons` of `{address}`");
                role.policies
                    .extend(b.policy(r, json, PolicyKind::Identity, label));
            }
        }
        if flag(body, "attach_policy_statements", false) {
            let statements = statement_nodes(body.get("policy_statements"));
            if !statements.is_empty() {
                let span = body.get("policy_statements").map_or(r.header, |n| n.span);
                let mut doc = tfdoc::empty(r.file, span, PolicyKind::Identity);
                doc.label = Some(format!("`policy_statements` of `{address}`"));
                doc.version = Some(Spanned::new("2012-10-17".into(), span));
                tfdoc::read_statements(&statements, PolicyKind::Identity, &mut doc);
                role.policies.push(b.push(doc));
            }
        }
        for (gate, key) in [("attach_policy", "policy"), ("attach_policies", "policies")] {
            if flag(body, gate, false) {
                for arn in list(body.get(key)) {
                    b.attach(&mut role, arn, &r.module);
                }
            }
        }
        b.model.roles.push(role);
        f.role = Some(b.model.roles.len() - 1);
        b.model.functions.push(f);
    }
}

/// A `jsonencode` policy with the placeholders that stand for structure (a statement list
/// from a `for` expression, a condition block from a variable) removed: the IAM grammar
/// checks must not mistake them for malformed values. Returns whether anything was removed.
fn without_expression_structure(policy: &Node) -> (Node, bool) {
    let mut policy = policy.clone();
    let mut dropped = false;
    let NodeKind::Map(entries) = &mut policy.kind else {
        return (policy, false);
    };
    for entry in entries.iter_mut().filter(|e| e.key.value == "Statement") {
        if is_unresolved(&entry.value) {
            entry.value.kind = NodeKind::Seq(Vec::new());
            dropped = true;
        }
        let statements: &mut [Node] = match &mut entry.value.kind {
            NodeKind::Seq(items) => {
                let before = items.len();
                items.retain(|i| !is_unresolved(i));
                dropped |= items.len() != before;
                items
            }
            NodeKind::Map(_) => std::slice::from_mut(&mut entry.value),
            NodeKind::Scalar(_) => &mut [],
        };
        for statement in statements {
            let NodeKind::Map(keys) = &mut statement.kind else {
                continue;
            };
            let before = keys.len();
            keys.retain(|k| !(k.key.value == "Condition" && is_unresolved(&k.value)));
            dropped |= keys.len() != before;
            for condition in keys.iter_mut().filter(|k| k.key.value == "Condition") {
                if let NodeKind::Map(operators) = &mut condition.value.kind {
                    let before = operators.len();
                    operators.retain(|o| !is_unresolved(&o.value));
                    dropped |= operators.len() != before;
                }
            }
        }
    }
    (policy, dropped)
}

/// Keep `incoming` statements, each replacing an existing one with the same `sid`.
fn override_by_sid(merged: &mut Vec<Statement>, incoming: Vec<Statement>) {
    for st in incoming {
        let same = st.sid.as_ref().and_then(|sid| {
            merged
                .iter()
                .position(|m| m.sid.as_ref().is_some_and(|s| s.value == sid.value))
        });
        match same {
            Some(i) => merged[i] = st,
            None => merged.push(st),
        }
    }
}

/// The items of a list value (a single value counts as one item; null as none).
fn list(node: Option<&Node>) -> Vec<&Node> {
    match node {
        None => Vec::new(),
        Some(n) if n.is_null() => Vec::new(),
        Some(n) => n.one_or_many().iter().collect(),
    }
}

/// The first block of a nested-block list (or the object itself).
fn block<'n>(body: &'n Node, key: &str) -> Option<&'n Node> {
    let node = body.get(key)?;
    match &node.kind {
        NodeKind::Seq(items) => items.first(),
        NodeKind::Map(_) => Some(node),
        NodeKind::Scalar(_) => None,
    }
}

/// A value that is present and not null or empty.
fn set(node: Option<&Node>) -> Option<&Node> {
    node.filter(|n| !n.is_null() && n.scalar_text() != Some(""))
}

fn is_empty(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Seq(items) => items.is_empty(),
        NodeKind::Map(entries) => entries.is_empty(),
        NodeKind::Scalar(s) => s.text.is_empty() || node.is_null(),
    }
}

fn spanned(node: Option<&Node>) -> Option<Spanned<String>> {
    let node = set(node)?;
    node.scalar_text()
        .map(|t| Spanned::new(t.to_string(), node.span))
}

/// A resource a function's configuration names: a literal ARN, or a reference written as
/// an interpolation (`${aws_sqs_queue.dlq.arn}`); the service from the ARN or the
/// referenced resource type.
fn tf_target(file: FileId, node: &Node, usage: TargetUse) -> Option<Target> {
    let text = node.scalar_text()?.trim();
    let arn = if text.starts_with("arn:") || text.contains("${") {
        text.to_string()
    } else if text.contains('.') && !text.contains(char::is_whitespace) {
        format!("${{{text}}}")
    } else {
        return None;
    };
    const TYPES: &[(&str, &str)] = &[
        ("aws_sqs_queue", "sqs"),
        ("aws_sns_topic", "sns"),
        ("aws_lambda_function", "lambda"),
        ("aws_cloudwatch_event_bus", "events"),
        ("aws_kms_key", "kms"),
        ("aws_kms_alias", "kms"),
        ("aws_dynamodb_table", "dynamodb"),
        ("aws_kinesis_stream", "kinesis"),
        ("aws_msk_cluster", "kafka"),
        ("aws_mq_broker", "mq"),
        ("aws_s3_bucket", "s3"),
    ];
    let service = crate::model::arn_service(text)
        .or_else(|| {
            let inner = text.trim_start_matches("${");
            TYPES
                .iter()
                .find(|(t, _)| inner.starts_with(&format!("{t}.")))
                .map(|(_, s)| *s)
        })?
        .to_string();
    Some(Target {
        usage,
        file,
        service,
        arn,
        span: node.span,
    })
}

fn event_source_kind(arn: &str) -> &'static str {
    if arn.contains(":sqs:") || arn.contains("aws_sqs_queue") {
        "SQS"
    } else if arn.contains(":kinesis:") || arn.contains("aws_kinesis") {
        "Kinesis"
    } else if arn.contains(":dynamodb:") || arn.contains("aws_dynamodb") {
        "DynamoDB"
    } else if arn.contains(":kafka:") || arn.contains("aws_msk") {
        "MSK"
    } else {
        "EventSourceMapping"
    }
}

/// Parse JSON held in a string value. When the file's bytes at the value are the string
/// itself, line by line up to leading indentation (a heredoc, `<<-` included, or a JSON
/// string without escapes), spans point inside it; otherwise every span is an empty span at
/// the start of the value.
pub(crate) fn embedded_json(value: &Node, file_text: &str, json_escapes: bool) -> Option<Node> {
    let text = value.scalar_text()?;
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let document = parse_json(text).ok()?;
    let mut root = document.roots.into_iter().next()?;
    let raw = file_text.get(value.span.range()).unwrap_or("");
    let start = value.span.start as usize;
    let inner = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|_| raw.len() >= 2);
    let map = match inner {
        Some(inner) if inner == text => LineMap::shifted(start + 1),
        Some(inner) if json_escapes => LineMap::unescaped(text, inner, start + 1),
        _ => LineMap::new(text, raw, start),
    };
    match map {
        Some(map) => shift(&mut root, &map),
        // Zero-width at the string's start: findings show where the policy is, and no fix
        // can replace the whole string with one value's replacement.
        None => respan(&mut root, Span::empty(start)),
    }
    Some(root)
}

/// Where each line of a string starts in the file: the string's lines are the file's lines
/// with some leading whitespace removed (an indented heredoc).
struct LineMap {
    /// (offset of a line in the string, offset of the same text in the file)
    lines: Vec<(usize, usize)>,
    /// For an escaped JSON string: the file offset of every byte of the decoded text (and
    /// of its end), which replaces `lines`.
    bytes: Vec<usize>,
}

impl LineMap {
    /// Decode a JSON string body written at `at`, recording where each decoded byte comes
    /// from; None unless it decodes to exactly `text`.
    fn unescaped(text: &str, raw: &str, at: usize) -> Option<Self> {
        let mut decoded = String::with_capacity(raw.len());
        let mut bytes = Vec::with_capacity(raw.len() + 1);
        let mut chars = raw.char_indices();
        let hex = |chars: &mut std::str::CharIndices<'_>| -> Option<u32> {
            let digits: String = chars.by_ref().take(4).map(|(_, c)| c).collect();
            (digits.len() == 4).then(|| u32::from_str_radix(&digits, 16).ok())?
        };
        while let Some((i, c)) = chars.next() {
            let c = if c == '\\' {
                match chars.next()?.1 {
                    '"' => '"',
                    '\\' => '\\',
                    '/' => '/',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'u' => {
                        let high = hex(&mut chars)?;
                        if (0xD800..0xDC00).contains(&high) {
                            let (_, '\\') = chars.next()? else {
                                return None;
                            };
                            let (_, 'u') = chars.next()? else { return None };
                            let low = hex(&mut chars)?;
                            char::from_u32(
                                0x10000 + ((high - 0xD800) << 10) + (low.checked_sub(0xDC00)?),
                            )?
                        } else {
                            char::from_u32(high)?
                        }
                    }
                    _ => return None,
                }
            } else {
                c
            };
            decoded.push(c);
            bytes.extend(std::iter::repeat_n(at + i, c.len_utf8()));
        }
        bytes.push(at + raw.len());
        (decoded == text).then_some(LineMap {
            lines: Vec::new(),
            bytes,
        })
    }

    fn shifted(by: usize) -> Option<Self> {
        Some(LineMap {
            lines: vec![(0, by)],
            bytes: Vec::new(),
        })
    }

    fn new(text: &str, raw: &str, raw_start: usize) -> Option<Self> {
        let mut lines = Vec::new();
        let (mut t_at, mut r_at) = (0, raw_start);
        let mut raw_lines = raw.split_inclusive('\n');
        for line in text.split_inclusive('\n') {
            let raw_line = raw_lines.next()?;
            let indent = raw_line.len().checked_sub(line.len())?;
            if !raw_line.ends_with(line) || !raw_line[..indent].trim().is_empty() {
                return None;
            }
            lines.push((t_at, r_at + indent));
            t_at += line.len();
            r_at += raw_line.len();
        }
        Some(LineMap {
            lines,
            bytes: Vec::new(),
        })
    }

    fn map(&self, offset: usize) -> usize {
        if let Some(&last) = self.bytes.last() {
            return self.bytes.get(offset).copied().unwrap_or(last);
        }
        let i = match self.lines.binary_search_by(|(t, _)| t.cmp(&offset)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        self.lines
            .get(i)
            .map_or(offset, |(t, r)| r + (offset - t.min(&offset)))
    }
}

fn shift(node: &mut Node, map: &LineMap) {
    let moved = |s: Span| Span::new(map.map(s.start as usize), map.map(s.end as usize));
    node.span = moved(node.span);
    match &mut node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter_mut().for_each(|i| shift(i, map)),
        NodeKind::Map(entries) => {
            for entry in entries {
                entry.key.span = moved(entry.key.span);
                shift(&mut entry.value, map);
            }
        }
    }
}
