//! The common model every loader produces and every rule reads.

mod code;
mod function;
mod org;
mod origin;
mod policy;
#[cfg(test)]
pub mod testing;

pub use code::*;
pub use function::*;
pub use org::*;
pub use origin::*;
pub use policy::*;

/// Everything one file declares.
#[derive(Clone, Debug, Default)]
pub struct FileModel {
    pub policies: Vec<PolicyDocument>,
    pub functions: Vec<Function>,
    pub roles: Vec<Role>,
    pub permissions: Vec<LambdaPermission>,
    /// Template resources that live inside a VPC (databases, caches, file systems,
    /// VPC-only search domains), which a function can only reach from the VPC.
    pub vpc_stores: Vec<VpcStore>,
}

/// A template resource that lives inside a VPC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VpcStore {
    pub file: crate::source::FileId,
    pub logical_id: String,
    /// What it is, for messages: `RDS DB instance`, `ElastiCache cluster`.
    pub kind: &'static str,
    /// The resource's logical id key.
    pub span: crate::source::Span,
}

impl FileModel {
    /// A policy that serves only as a role's permissions boundary is a boundary document:
    /// it limits, never grants, so identity rules and the grant analysis leave it alone.
    pub fn mark_boundaries(&mut self) {
        for role in &self.roles {
            let Some(index) = role.boundary.as_ref().and_then(|b| b.policy) else {
                continue;
            };
            let granted = self.roles.iter().any(|r| r.policies.contains(&index));
            if let Some(policy) = self.policies.get_mut(index).filter(|_| !granted) {
                if policy.kind == PolicyKind::Identity {
                    policy.kind = PolicyKind::Boundary;
                }
            }
        }
    }

    pub fn role_of(&self, function: &Function) -> Option<&Role> {
        function.role.and_then(|i| self.roles.get(i))
    }

    /// The identity policies that grant a function its permissions (its role's).
    pub fn function_policies<'a>(
        &'a self,
        function: &Function,
    ) -> impl Iterator<Item = &'a PolicyDocument> + 'a {
        self.role_of(function)
            .into_iter()
            .flat_map(|role| role.policies.iter())
            .filter_map(|&i| self.policies.get(i))
    }

    /// Functions that run as the given role.
    pub fn functions_of_role(&self, role: usize) -> impl Iterator<Item = &Function> {
        self.functions.iter().filter(move |f| f.role == Some(role))
    }
}
