//! CloudFormation templates (JSON and YAML), AWS SAM and CDK output.
//!
//! Every policy in the template is read where it is written, so findings point at the
//! template's own lines, also for SAM shorthands that the SAM transform would expand.

mod connectors;
pub mod deps;
mod embedded;
mod functions;
mod iam;
pub use iam::link_boundaries;
pub mod intrinsics;
mod sam;

use std::collections::HashMap;

use super::{
    DeclaredSuppression, Format, Grouping, LoadError, LoadNote, Loaded, Sniff, Syntax, Unit,
    HASH_COMMENTS,
};
use crate::model::{Dialect, FileModel, Origin};
use crate::source::{FileId, Span, Spanned};
use crate::syntax::{Entry, Node};

/// A parameter's default (as text) and whether it is marked `NoEcho`.
pub struct Parameter {
    pub default: Option<String>,
    pub no_echo: bool,
}

/// The parts of a template every stage needs, borrowed from the syntax tree.
pub struct Template<'a> {
    pub file: FileId,
    /// The file's text, for policies embedded as JSON strings.
    pub text: &'a str,
    pub parameters: HashMap<String, Parameter>,
    pub mappings: Option<&'a Node>,
    pub resources: Vec<&'a Entry>,
    resource_index: HashMap<&'a str, usize>,
    pub sam: bool,
    pub globals: Option<&'a Node>,
}

pub static FORMAT: Format = Format {
    name: "cloudformation",
    title: "CloudFormation template",
    extensions: &[
        ("json", Some("json")),
        ("yaml", Some("yaml")),
        ("yml", Some("yaml")),
        // `.template` files are JSON or YAML; the name does not say which.
        ("template", None),
    ],
    syntax: Syntax::JsonOrYaml,
    grouping: Grouping::File,
    comments: &HASH_COMMENTS,
};

/// CloudFormation templates, AWS SAM and CDK output (`cdk.out`).
pub struct Loader;

impl super::Loader for Loader {
    fn format(&self) -> &'static Format {
        &FORMAT
    }

    fn sniff(&self, input: &Sniff<'_>) -> bool {
        match input.root {
            Some(root) => is_template(root),
            // Unparsable text that was meant to be a template.
            None => ["AWSTemplateFormatVersion", "AWS::"]
                .iter()
                .any(|marker| input.source.text.contains(marker)),
        }
    }

    fn load(&self, unit: &Unit<'_>, out: &mut Loaded) -> Result<(), LoadError> {
        if let (Some(root), Some(file)) = (super::root_of(unit), unit.files.first()) {
            load(root, file.id, &file.source.text, out);
        }
        Ok(())
    }

    fn deploy_problem(&self, root: &Node) -> Option<String> {
        deps::dependency_cycle(root)
            .map(|cycle| format!("would create a dependency cycle: {}", cycle.join(" -> ")))
    }
}

/// A template has `AWSTemplateFormatVersion`, or `Resources` whose entries carry a `Type`
/// in the `AWS::` or `Custom::` namespace.
pub fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    root.get("Resources")
        .and_then(Node::as_map)
        .is_some_and(|resources| {
            resources.iter().any(|r| {
                entry_type(r).is_some_and(|t| t.starts_with("AWS::") || t.starts_with("Custom::"))
            })
        })
}

/// A resource entry's `Type` (`AWS::IAM::Role`).
pub fn entry_type(resource: &Entry) -> Option<&str> {
    resource.value.get("Type").and_then(Node::scalar_text)
}

/// The construct path CDK records in a resource's metadata, in `cdk.out` templates.
pub fn cdk_path(resource: &Entry) -> Option<&str> {
    resource
        .value
        .get("Metadata")
        .and_then(|m| m.get("aws:cdk:path"))
        .and_then(Node::scalar_text)
}

impl<'a> Template<'a> {
    pub fn new(root: &'a Node, file: FileId, text: &'a str) -> Self {
        let mut parameters = HashMap::new();
        for entry in root
            .get("Parameters")
            .and_then(Node::as_map)
            .unwrap_or_default()
        {
            // An empty default marks an optional parameter: its value is unknown, not "".
            let default = entry
                .value
                .get("Default")
                .and_then(Node::scalar_text)
                .filter(|d| !d.is_empty())
                .map(str::to_string);
            let no_echo = entry
                .value
                .get("NoEcho")
                .and_then(Node::scalar_text)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
            parameters.insert(entry.key.value.clone(), Parameter { default, no_echo });
        }
        let resources: Vec<&Entry> = root
            .get("Resources")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .collect();
        let resource_index = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.key.value.as_str(), i))
            .collect();
        // Snippets and test inputs often omit the transform; serverless types say enough.
        let sam = transforms(root).any(|t| t.starts_with("AWS::Serverless"))
            || resources
                .iter()
                .any(|r| entry_type(r).is_some_and(|t| t.starts_with("AWS::Serverless::")));
        Template {
            file,
            text,
            parameters,
            mappings: root.get("Mappings"),
            resources,
            resource_index,
            sam,
            globals: root.get("Globals"),
        }
    }

    pub fn resource(&self, name: &str) -> Option<&'a Entry> {
        self.resource_index.get(name).map(|&i| self.resources[i])
    }

    pub fn resource_type(&self, name: &str) -> Option<&'a str> {
        entry_type(self.resource(name)?)
    }

    /// The logical id a value refers to: `!Ref X`, `!GetAtt X.Arn`, `!Sub ${X.Arn}`.
    pub fn referenced_resource(&self, node: &Node) -> Option<&'a str> {
        let (key, arg) = intrinsics::single_key(node)?;
        let name = match key {
            "Ref" => arg.scalar_text()?.to_string(),
            "Fn::GetAtt" => match arg.as_seq() {
                Some([r, _]) => r.scalar_text()?.to_string(),
                _ => arg.scalar_text()?.split('.').next()?.to_string(),
            },
            "Fn::Sub" => {
                let text = arg
                    .scalar_text()
                    .or_else(|| arg.as_seq()?.first()?.scalar_text())?;
                let start = text.find("${")? + 2;
                let end = start + text[start..].find('}')?;
                text[start..end].split('.').next()?.to_string()
            }
            _ => return None,
        };
        self.resource(&name).map(|e| e.key.value.as_str())
    }

    pub fn resource_index_of(&self, name: &str) -> Option<usize> {
        self.resource_index.get(name).copied()
    }
}

fn transforms(root: &Node) -> impl Iterator<Item = &str> {
    root.get("Transform")
        .map(Node::one_or_many)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::scalar_text)
}

/// Plain CloudFormation (`AWS::Lambda::Function`, `AWS::IAM::Role`).
pub static CLOUDFORMATION: Dialect = Dialect {
    name: "CloudFormation",
    kms_key: "set `KmsKeyArn` to a customer managed KMS key",
    dead_letter: "add a `DeadLetterConfig` (SQS or SNS), or an `AWS::Lambda::EventInvokeConfig` with a `DestinationConfig.OnFailure` destination",
    reserved_concurrency: "set `ReservedConcurrentExecutions`",
    tracing: "set `TracingConfig: {Mode: Active}`",
    vpc: "attach the function to private subnets with `VpcConfig`",
};

/// AWS SAM (`AWS::Serverless::Function`, also through `Globals`).
pub static SAM: Dialect = Dialect {
    name: "AWS SAM",
    kms_key: "set `KmsKeyArn` to a customer managed KMS key",
    dead_letter: "add a `DeadLetterQueue` (SQS or SNS), or an `EventInvokeConfig` with a `DestinationConfig.OnFailure` destination",
    reserved_concurrency: "set `ReservedConcurrentExecutions`",
    tracing: "set `Tracing: Active`",
    vpc: "attach the function to private subnets with `VpcConfig`",
};

/// The origin of a declaration in this template: its dialect and CDK construct path.
pub fn origin(sam: bool, resource: &Entry) -> Origin {
    Origin {
        dialect: if sam { &SAM } else { &CLOUDFORMATION },
        generated_by: None,
        path: cdk_path(resource).map(str::to_string),
    }
}

/// A role SAM generates for a function (or a connector).
pub fn generated_by_sam() -> Origin {
    Origin {
        dialect: &SAM,
        generated_by: Some("SAM"),
        path: None,
    }
}

/// Load a template into the model.
pub fn load(root: &Node, file: FileId, text: &str, loaded: &mut Loaded) {
    let template = Template::new(root, file, text);
    let mut model = FileModel::default();
    for other in transforms(root)
        .filter(|t| !t.starts_with("AWS::Serverless") && *t != "AWS::LanguageExtensions")
    {
        loaded.notes.push(LoadNote {
            file,
            span: root.get("Transform").map_or(Span::default(), |t| t.span),
            message: format!(
                "macro `{other}` is not evaluated offline; resources it would add are not linted"
            ),
        });
    }
    for resource in &template.resources {
        let this = loaded.file_mut(file);
        this.resources
            .push(resource.key.span.cover(resource.value.span));
        read_metadata_suppressions(resource, &mut this.suppressions);
        if resource.key.value.starts_with("Fn::ForEach") {
            loaded.notes.push(LoadNote {
                file,
                span: resource.key.span,
                message: "`Fn::ForEach` resources are not expanded offline; their policies are not linted".into(),
            });
        }
    }
    iam::load(&template, &mut model);
    sam::load(&template, &mut model, &mut loaded.notes);
    // After SAM, whose generated roles take boundaries too.
    iam::link_boundaries(&template, &mut model);
    functions::load(&template, &mut model);
    // Connectors add policies to roles and functions the stages above created.
    connectors::load(&template, &mut model, &mut loaded.notes);
    loaded.model = model;
}

/// `Metadata: {iamlint: {ignore: [{rule: ..., reason: ...}]}}` on a resource.
fn read_metadata_suppressions(resource: &Entry, out: &mut Vec<DeclaredSuppression>) {
    let Some(ignores) = resource
        .value
        .get("Metadata")
        .and_then(|m| m.get("iamlint"))
        .and_then(|m| m.get("ignore"))
    else {
        return;
    };
    for item in ignores.one_or_many() {
        let (rule, reason) = match item.as_scalar() {
            Some(_) => (item, None),
            None => match item.get("rule") {
                Some(rule) => (rule, item.get("reason").and_then(Node::scalar_text)),
                None => continue,
            },
        };
        if let Some(name) = rule.scalar_text() {
            out.push(DeclaredSuppression {
                rule: Spanned::new(name.to_string(), rule.span),
                reason: reason.map(str::to_string),
                scope: resource.key.span.cover(resource.value.span),
            });
        }
    }
}
