//! Organization policies for `--org-policies DIR`: service control policies and resource
//! control policies as plain policy JSON, or as `aws organizations describe-policy` output
//! (`{"Policy": {"PolicySummary": {..., "Type": "SERVICE_CONTROL_POLICY"}, "Content": "..."}}`).
//!
//! Every policy read applies to every role checked: the accounts' place in the organization
//! is not known offline, so the folder stands for the policies on their path. A plain
//! policy with a `Principal` in some statement is an RCP (RCPs name the principals they
//! deny), otherwise an SCP. Other organization policy types (tag, backup) are skipped, as
//! are `list-policies` output (summaries, no content) and files that are no JSON object.

use std::path::{Path, PathBuf};

use super::policy_reader::{read_policy, Literal};
use crate::model::{OrgPolicies, OrgPolicy, OrgPolicyKind, PolicyKind};
use crate::syntax::{parse_json, Node};

/// Org policy documents are never reported on, so they get a file id of no run file.
const NO_FILE: usize = usize::MAX;

/// Why an organization policy folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error("cannot read organization policies in `{path}`: {message}")]
    Read { path: String, message: String },
    #[error("`{path}` is not a policy: {message}")]
    Invalid { path: String, message: String },
}

/// Read every `.json` file under `dir` (or `dir` itself, a file), in path order.
pub fn read_dir(dir: &Path) -> Result<OrgPolicies, OrgError> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut out = OrgPolicies::default();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| OrgError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.policies.extend(
            read_text(&text, &name).map_err(|message| OrgError::Invalid {
                path: path.display().to_string(),
                message,
            })?,
        );
    }
    Ok(out)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), OrgError> {
    let error = |e: std::io::Error| OrgError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    if path.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path).map_err(error)? {
        let entry = entry.map_err(error)?.path();
        if entry.is_dir() {
            collect(&entry, out)?;
        } else if entry
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(entry);
        }
    }
    Ok(())
}

/// The organization policies one file holds (none for files of other kinds).
pub fn read_text(text: &str, file_name: &str) -> Result<Option<OrgPolicy>, String> {
    let document = parse_json(text).map_err(|e| e.message)?;
    let Some(root) = document.roots.first() else {
        return Ok(None);
    };
    if let Some(policy) = root.get("Policy") {
        return described(policy, file_name);
    }
    if root.get("Statement").is_none() {
        return Ok(None);
    }
    Ok(Some(plain(root, file_name.to_string(), None)))
}

/// `describe-policy` output: the summary says the name and type, `Content` holds the policy
/// as a JSON string.
fn described(policy: &Node, file_name: &str) -> Result<Option<OrgPolicy>, String> {
    let summary = policy.get("PolicySummary");
    let field = |key: &str| summary.and_then(|s| s.get(key)).and_then(Node::scalar_text);
    let kind = match field("Type") {
        Some("SERVICE_CONTROL_POLICY") => Some(OrgPolicyKind::Scp),
        Some("RESOURCE_CONTROL_POLICY") => Some(OrgPolicyKind::Rcp),
        Some(_) => return Ok(None),
        None => None,
    };
    let Some(content) = policy.get("Content").and_then(Node::scalar_text) else {
        return Err("`Policy` has no `Content`".into());
    };
    let inner = parse_json(content).map_err(|e| format!("`Content`: {}", e.message))?;
    let Some(root) = inner.roots.first() else {
        return Err("`Content` is empty".into());
    };
    let name = field("Name").unwrap_or(file_name).to_string();
    Ok(Some(plain(root, name, kind)))
}

fn plain(root: &Node, name: String, kind: Option<OrgPolicyKind>) -> OrgPolicy {
    let mut document = read_policy(root, NO_FILE, Some(PolicyKind::Boundary), &Literal);
    let kind = kind.unwrap_or_else(|| {
        if document.statements.iter().any(|s| s.principal.is_some()) {
            OrgPolicyKind::Rcp
        } else {
            OrgPolicyKind::Scp
        }
    });
    let what = match kind {
        OrgPolicyKind::Scp => "SCP",
        OrgPolicyKind::Rcp => "RCP",
    };
    document.label = Some(format!("{what} `{name}`"));
    OrgPolicy {
        name,
        kind,
        document,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_described_policies() {
        let scp = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#;
        let p = read_text(scp, "deny-iam").unwrap().unwrap();
        assert_eq!((p.name.as_str(), p.kind), ("deny-iam", OrgPolicyKind::Scp));
        let rcp = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
        assert_eq!(
            read_text(rcp, "r").unwrap().unwrap().kind,
            OrgPolicyKind::Rcp
        );
        let described = r#"{"Policy":{"PolicySummary":{"Name":"Guard","Type":"SERVICE_CONTROL_POLICY"},
            "Content":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"}}"#;
        let p = read_text(described, "file").unwrap().unwrap();
        assert_eq!(p.name, "Guard");
        assert_eq!(p.document.statements.len(), 1);
        let tag = r#"{"Policy":{"PolicySummary":{"Name":"t","Type":"TAG_POLICY"},"Content":"{}"}}"#;
        assert!(read_text(tag, "t").unwrap().is_none());
        assert!(read_text(r#"{"Policies":[]}"#, "list").unwrap().is_none());
        assert!(read_text("{", "bad").is_err());
    }
}
