//! Organization policies (SCPs and RCPs) given with `--org-policies`: inputs to the
//! evaluation of every role's effective access, not lint targets themselves.

use super::PolicyDocument;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgPolicyKind {
    /// A service control policy: caps what principals of the accounts may do.
    Scp,
    /// A resource control policy: caps what may be done to resources of the accounts.
    Rcp,
}

#[derive(Clone, Debug)]
pub struct OrgPolicy {
    /// The policy's name from a dump, else its file name.
    pub name: String,
    pub kind: OrgPolicyKind,
    pub document: PolicyDocument,
}

/// Every organization policy that applies to the accounts checked: all of those read, as
/// if attached on the accounts' path.
#[derive(Clone, Debug, Default)]
pub struct OrgPolicies {
    pub policies: Vec<OrgPolicy>,
}
