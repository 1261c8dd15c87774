//! Raw IAM policy documents (identity, resource and trust policies) in JSON or YAML.

use super::policy_reader::{read_policy, Literal};
use crate::model::PolicyDocument;
use crate::source::FileId;
use crate::syntax::Node;

/// A policy document has a `Statement`, and is not a CloudFormation template.
pub fn is_policy(root: &Node) -> bool {
    root.get("Statement").is_some() && root.get("Resources").is_none()
}

pub fn load(root: &Node, file: FileId) -> Vec<PolicyDocument> {
    vec![read_policy(root, file, None, &Literal)]
}
