//! AWS managed policies: name, ARN and current document of each, embedded from
//! `data/managed-policies/aws-managed-policies.tsv.gz` (made by
//! `scripts/trim-managed-policies.py`; format described there).
//!
//! The data is decompressed and indexed on first use, once per process. A policy's JSON is
//! parsed only when [`document`] is asked for it.

use std::sync::OnceLock;

use crate::load::policy_reader::{read_policy, Literal};
use crate::model::{PolicyDocument, PolicyKind};
use crate::source::{FileId, Span};
use crate::syntax::{self, Node, NodeKind};

/// The policies as tab-separated text, decompressed by `build.rs` so that first use costs
/// a split of borrowed lines, not an inflate of 3 MB.
static DATA: &str = include_str!(concat!(env!("OUT_DIR"), "/aws-managed-policies.tsv"));

/// Partitions whose managed policies share names and paths with the `aws` partition.
const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-eusc",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
];

/// One AWS managed policy.
#[derive(Debug)]
pub struct ManagedPolicy {
    /// `AmazonS3FullAccess`.
    pub name: &'static str,
    /// ARN in the `aws` partition, with the path: `arn:aws:iam::aws:policy/service-role/X`.
    pub arn: &'static str,
    /// The current (default) version's document as compact JSON. `None` for names that only
    /// SAM's name list knows (deprecated policies such as `AWSLambdaFullAccess`, or policies
    /// of other partitions): they resolve, but there is nothing to analyse.
    pub document_json: Option<&'static str>,
    /// When the current version was published (`2015-04-09T15:03:43.000Z`); empty when the
    /// document is unknown.
    pub updated: &'static str,
}

struct Index {
    /// Sorted by name.
    policies: Vec<ManagedPolicy>,
    /// The data file's header comment (sources, counts, newest change).
    header: &'static str,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| build_index(DATA))
}

/// Split the embedded data into borrowed fields.
fn build_index(text: &'static str) -> Index {
    let mut header = "";
    let mut policies = Vec::with_capacity(1700);
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix('#') {
            header = comment.trim();
            continue;
        }
        let mut fields = line.splitn(4, '\t');
        let (Some(name), Some(arn), Some(updated), Some(document)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        policies.push(ManagedPolicy {
            name,
            arn,
            document_json: (!document.is_empty()).then_some(document),
            updated,
        });
    }
    policies.sort_by(|a, b| a.name.cmp(b.name));
    Index { policies, header }
}

/// A policy by its name, as SAM's `Policies: [AmazonS3FullAccess]` writes it (exact case).
pub fn by_name(name: &str) -> Option<&'static ManagedPolicy> {
    let policies = &index().policies;
    policies
        .binary_search_by(|p| p.name.cmp(name))
        .ok()
        .map(|i| &policies[i])
}

/// A policy by ARN, in any partition (`aws`, `aws-cn`, `aws-us-gov`, ... or an unresolved
/// `${AWS::Partition}`). The path must be the policy's own: `service-role/` is part of
/// `AWSLambdaBasicExecutionRole`'s ARN, and IAM rejects the ARN without it.
pub fn by_arn(arn: &str) -> Option<&'static ManagedPolicy> {
    let rest = arn.strip_prefix("arn:")?;
    let rest = match rest.strip_prefix("${AWS::Partition}:") {
        Some(rest) => rest,
        None => {
            let (partition, rest) = rest.split_once(':')?;
            if !PARTITIONS.contains(&partition) {
                return None;
            }
            rest
        }
    };
    let path_and_name = rest.strip_prefix("iam::aws:policy/")?;
    let name = path_and_name.rsplit('/').next()?;
    let policy = by_name(name)?;
    let own = policy.arn.split_once(":policy/").map(|(_, p)| p)?;
    (own == path_and_name).then_some(policy)
}

/// Every known policy, sorted by name.
pub fn all() -> impl Iterator<Item = &'static ManagedPolicy> {
    index().policies.iter()
}

/// Where the data comes from: package version, counts and the newest policy change.
pub fn data_version() -> &'static str {
    index().header
}

/// The policy as a model document for the file that references it. Every span (document,
/// statements, keys, values) is `at`, the reference in the user's template, so findings
/// about the managed policy point there. The document is `synthesized` and labelled
/// "AWS managed policy `X`". A policy without a known document gives one without
/// statements.
pub fn document(policy: &ManagedPolicy, file: FileId, at: Span) -> PolicyDocument {
    let root = policy
        .document_json
        .and_then(|json| syntax::parse_json(json).ok())
        .and_then(|doc| doc.roots.into_iter().next());
    let mut doc = match root {
        Some(mut root) => {
            respan(&mut root, at);
            read_policy(&root, file, Some(PolicyKind::Identity), &Literal)
        }
        None => PolicyDocument {
            file,
            span: at,
            kind: PolicyKind::Identity,
            label: None,
            version: None,
            statements: Vec::new(),
            problems: Vec::new(),
            related: Vec::new(),
            synthesized: true,
            removal: None,
        },
    };
    doc.span = at;
    doc.synthesized = true;
    doc.label = Some(format!("AWS managed policy `{}`", policy.name));
    doc
}

/// Give every node and key of the tree the span `at` (before reading it, so that every span
/// the reader stores is `at` too).
fn respan(node: &mut Node, at: Span) {
    node.span = at;
    match &mut node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter_mut().for_each(|n| respan(n, at)),
        NodeKind::Map(entries) => {
            for entry in entries {
                entry.key.span = at;
                respan(&mut entry.value, at);
            }
        }
    }
}

#[cfg(test)]
mod tests;
