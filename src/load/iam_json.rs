//! Raw IAM policy documents (identity, resource and trust policies) in JSON or YAML.

use super::policy_reader::{read_policy, Literal};
use crate::model::PolicyDocument;
use crate::source::FileId;
use crate::syntax::Node;

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

pub fn load(root: &Node, file: FileId) -> Vec<PolicyDocument> {
    vec![read_policy(root, file, None, &Literal)]
}
