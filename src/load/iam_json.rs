//! Raw IAM policy documents (identity, resource and trust policies) in JSON or YAML.

use super::policy_reader::{read_policy, Literal};
use super::{Format, Grouping, LoadError, Loaded, Sniff, Syntax, Unit, HASH_COMMENTS};
use crate::syntax::Node;

pub static FORMAT: Format = Format {
    name: "iam-policy",
    title: "IAM policy",
    extensions: &[
        ("json", Some("json")),
        ("yaml", Some("yaml")),
        ("yml", Some("yaml")),
    ],
    syntax: Syntax::JsonOrYaml,
    grouping: Grouping::File,
    comments: &HASH_COMMENTS,
};

pub struct IamJsonLoader;

impl super::Loader for IamJsonLoader {
    fn format(&self) -> &'static Format {
        &FORMAT
    }

    fn sniff(&self, input: &Sniff<'_>) -> bool {
        match input.root {
            Some(root) => is_policy(root),
            // Unparsable text that was meant to be a policy (and not a template, whose
            // policies have the same keys).
            None => {
                let text = &input.source.text;
                !text.contains("AWS::")
                    && ["\"Statement\"", "Statement:", "\"Effect\"", "Effect:"]
                        .iter()
                        .any(|marker| text.contains(marker))
            }
        }
    }

    fn load(&self, unit: &Unit<'_>, out: &mut Loaded) -> Result<(), LoadError> {
        if let (Some(root), Some(file)) = (super::root_of(unit), unit.files.first()) {
            out.model
                .policies
                .push(read_policy(root, file.id, None, &Literal));
        }
        Ok(())
    }
}

/// A policy document has a `Statement` or a policy-language `Version` (so a misspelt
/// `Statements` is still linted), and is not a CloudFormation template.
pub fn is_policy(root: &Node) -> bool {
    let policy_version = root
        .get("Version")
        .and_then(Node::scalar_text)
        .is_some_and(|v| matches!(v, "2012-10-17" | "2008-10-17"));
    (root.get("Statement").is_some() || policy_version)
        && root.get("Resources").is_none()
        && root.get("AWSTemplateFormatVersion").is_none()
}
