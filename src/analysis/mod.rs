//! What several rules need to know about a model, computed once per model and shared by
//! every rule (like ruff's semantic model): who holds which grants, the AWS managed policies
//! attached to function roles, condition operator semantics, and the shapes of secrets.
//! Rules read it; none rebuilds it, and no rule imports another.

pub mod code_use;
pub mod conditions;
pub mod effective;
pub mod evidence;
pub mod functions;
pub mod grants;
pub mod index;
pub mod managed;
pub mod redundancy;
pub mod secrets;
pub mod statement;
pub mod verdict;

use std::cell::OnceCell;

use crate::model::{FileModel, OrgPolicies};

/// The shared analysis of one model. Each part is computed on first use, so a run with
/// only grammar rules never builds the grant index.
pub struct Analysis<'m> {
    model: &'m FileModel,
    org: Option<&'m OrgPolicies>,
    subjects: OnceCell<Vec<grants::Subject<'m>>>,
    attached: OnceCell<Vec<managed::Attached<'m>>>,
}

impl<'m> Analysis<'m> {
    pub fn new(model: &'m FileModel) -> Self {
        Self::with_org(model, None)
    }

    /// The analysis under the organization's SCPs and RCPs (`--org-policies`).
    pub fn with_org(model: &'m FileModel, org: Option<&'m OrgPolicies>) -> Self {
        Analysis {
            model,
            org,
            subjects: OnceCell::new(),
            attached: OnceCell::new(),
        }
    }

    pub fn model(&self) -> &'m FileModel {
        self.model
    }

    /// Every holder of identity permissions: each role with all its identity policies
    /// (inline, attached, SAM policy templates, AWS managed), then policies of no role.
    pub fn subjects(&self) -> &[grants::Subject<'m>] {
        self.subjects
            .get_or_init(|| grants::Subject::all(self.model, &effective::Org::new(self.org)))
    }

    /// The permissions boundary that limits what the statement allows for every role
    /// holding the policy (so its wildcard text matters less), by name.
    pub fn limiting_boundary(
        &self,
        policy: &crate::model::PolicyDocument,
        statement: &crate::model::Statement,
    ) -> Option<&'m str> {
        effective::limiting_boundary(self.model, policy, statement)
    }

    /// The AWS managed policies attached to roles that functions run as, in role order.
    pub fn managed_attachments(&self) -> &[managed::Attached<'m>] {
        self.attached
            .get_or_init(|| managed::function_role_policies(self.model))
    }
}
