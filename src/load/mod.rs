//! Loaders: one per input format, each producing model objects plus load errors.
//!
//! A file's kind is decided by its content; the extension only picks the parser.

pub mod aws_cli;
pub mod cloudformation;
mod iam_json;
pub mod policy_reader;
pub mod serverless;

use crate::model::FileModel;
use crate::source::{FileId, SourceFile, Span, Spanned};
use crate::syntax::{self, Document};

/// Everything one file contributes to the lint.
#[derive(Debug, Default)]
pub struct Loaded {
    pub kind: Option<InputKind>,
    pub model: FileModel,
    pub document: Option<Document>,
    /// Spans of template resources (logical id through the end of the definition): a
    /// suppression comment on a resource's first line covers all of it.
    pub resources: Vec<Span>,
    /// Suppressions declared in the input itself (CloudFormation `Metadata: {iamlint: ...}`).
    pub suppressions: Vec<DeclaredSuppression>,
    /// What a loader skipped and why (macros, `Fn::ForEach`), shown as info.
    pub notes: Vec<LoadNote>,
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
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    IamPolicy,
    CloudFormation,
    Serverless,
    AwsCliDump,
}

impl InputKind {
    pub fn name(self) -> &'static str {
        match self {
            InputKind::IamPolicy => "IAM policy",
            InputKind::CloudFormation => "CloudFormation template",
            InputKind::Serverless => "Serverless Framework configuration",
            InputKind::AwsCliDump => "AWS CLI output",
        }
    }
}

/// A file that could not be loaded. `span` is set for syntax errors.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LoadError {
    pub message: String,
    pub span: Option<Span>,
}

/// Load one file. `explicit` is true for a path the user named: such a file is an error when
/// it is not a recognised input; files found by walking a directory are skipped quietly.
pub fn load(file: FileId, source: &SourceFile, explicit: bool) -> Result<Loaded, LoadError> {
    let ext = extension(&source.display);
    // Terraform is not read yet; its HCL must not be mistaken for YAML.
    if matches!(ext.as_str(), "tf" | "hcl" | "tfvars") {
        let notes = if explicit {
            vec![LoadNote {
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
    let parsed = syntax::parse_auto(&source.text, ext == "json");
    let document = match parsed {
        Ok(doc) => doc,
        Err(err)
            if explicit
                || looks_like_input(&source.text)
                || serverless::is_config_name(&source.display) =>
        {
            return Err(LoadError {
                message: format!(
                    "invalid {}{}: {}",
                    if ext == "json" || source.text.trim_start().starts_with('{') {
                        "JSON"
                    } else {
                        "YAML"
                    },
                    if serverless::is_config_name(&source.display) {
                        " in a Serverless Framework configuration"
                    } else {
                        ""
                    },
                    err.message
                ),
                span: Some(Span::empty(err.offset)),
            });
        }
        Err(_) => return Ok(Loaded::default()),
    };
    let Some(root) = document.roots.first() else {
        return Ok(Loaded::default());
    };
    let mut loaded = Loaded::default();
    if aws_cli::sniff(root) {
        loaded.kind = Some(InputKind::AwsCliDump);
        aws_cli::load(root, file, &source.text, &mut loaded);
    } else if iam_json::is_policy(root) {
        loaded.kind = Some(InputKind::IamPolicy);
        loaded.model.policies = iam_json::load(root, file);
    } else if serverless::sniff(&source.display, root) {
        loaded.kind = Some(InputKind::Serverless);
        // Included files need ids of their own, which this one-file pipeline cannot give.
        serverless::load(
            root,
            file,
            &source.text,
            &mut serverless::NoIncludes,
            &mut loaded,
        );
    } else if cloudformation::is_template(root) {
        loaded.kind = Some(InputKind::CloudFormation);
        cloudformation::load(root, file, &source.text, &mut loaded);
    }
    loaded.document = Some(document);
    Ok(loaded)
}

/// Extension of a display path, lower-cased.
pub fn extension(path: &str) -> String {
    std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// Whether a file that failed to parse was meant to be a policy or template (so its error is
/// worth reporting), rather than some unrelated JSON/YAML file in the tree.
fn looks_like_input(text: &str) -> bool {
    [
        "\"Statement\"",
        "Statement:",
        "AWSTemplateFormatVersion",
        "AWS::",
        "\"Effect\"",
        "Effect:",
        "\"RoleDetailList\"",
        "\"FunctionName\"",
    ]
    .iter()
    .any(|marker| text.contains(marker))
}
