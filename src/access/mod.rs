//! `iamlint access`: each role's effective actions, by service and access level, and what
//! its permissions boundary, Denies and the organization's policies took away, so a
//! reviewer sees why a risk finding was or was not reported. Built from the same
//! evaluation the risk rules read (`analysis::effective` through `Subject::evaluate`).

mod render;

pub use render::{render, AccessFormat};

use serde::Serialize;

use crate::analysis::effective::Source;
use crate::analysis::grants::{Reach, Subject};
use crate::analysis::Analysis;
use crate::catalog::catalog;
use crate::model::{FileModel, OrgPolicies};
use crate::source::SourceFile;

/// One role (or a policy of no role) and what it can effectively do.
#[derive(Clone, Debug, Serialize)]
pub struct RoleAccess {
    /// The role's logical id or address; `None` for a policy attached to no role.
    pub role: Option<String>,
    /// Logical ids of the functions that run as the role.
    pub functions: Vec<String>,
    pub file: String,
    /// The permissions boundary, by name (an ARN when it is not in the input).
    pub boundary: Option<String>,
    /// Whether the boundary's document was found (in the input or AWS managed).
    pub boundary_known: bool,
    /// The actions left, by service then access level.
    pub services: Vec<ServiceAccess>,
    /// Actions the identity policies grant that a boundary, Deny or SCP took away.
    pub removed: Vec<Removed>,
    /// Actions whose resources a boundary, Deny or SCP narrowed.
    pub narrowed: Vec<Narrowed>,
    /// Actions a Deny with a condition may take away.
    pub maybe_denied: Vec<Removed>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServiceAccess {
    pub service: String,
    pub levels: Vec<LevelAccess>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LevelAccess {
    /// `List`, `Read`, `Write`, `Permissions management`, `Tagging`.
    pub level: String,
    pub actions: Vec<ActionAccess>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ActionAccess {
    pub action: String,
    /// `every resource`, `resources matching a pattern`, `named resources`, `own user`.
    pub resources: &'static str,
}

/// Actions taken away (or maybe taken away) by one limit, grouped by service.
#[derive(Clone, Debug, Serialize)]
pub struct Removed {
    /// What did it: `the permissions boundary `B``, `the SCP `S``, `a deny in ...`.
    pub by: String,
    pub service: String,
    pub actions: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Narrowed {
    pub by: String,
    pub action: String,
    pub from: &'static str,
    pub to: &'static str,
}

fn reach_text(reach: Reach) -> &'static str {
    match reach {
        Reach::Own => "own user",
        Reach::Named => "named resources",
        Reach::Pattern => "resources matching a pattern",
        Reach::Any => "every resource",
    }
}

/// The effective access of every role and role-less policy of a model.
pub fn of_model(
    model: &FileModel,
    org: Option<&OrgPolicies>,
    sources: &[SourceFile],
) -> Vec<RoleAccess> {
    let analysis = Analysis::with_org(model, org);
    analysis
        .subjects()
        .iter()
        .map(|s| of_subject(s, sources))
        .collect()
}

fn push_removed(list: &mut Vec<Removed>, by: Source<'_>, service: &str, action: String) {
    let by = by.to_string();
    match list.iter_mut().find(|r| r.by == by && r.service == service) {
        Some(entry) => entry.actions.push(action),
        None => list.push(Removed {
            by,
            service: service.to_string(),
            actions: vec![action],
        }),
    }
}

fn of_subject(subject: &Subject<'_>, sources: &[SourceFile]) -> RoleAccess {
    let functions = subject.functions();
    let file = subject
        .role_file()
        .and_then(|f| sources.get(f))
        .map(|s| s.display.clone())
        .unwrap_or_default();
    let (boundary, boundary_known) = match subject.boundary() {
        Some((name, known)) => (Some(name.to_string()), known),
        None => (None, false),
    };
    let mut out = RoleAccess {
        role: subject.role_id().map(str::to_string),
        functions: functions.iter().map(|f| f.logical_id.clone()).collect(),
        file,
        boundary,
        boundary_known,
        services: Vec::new(),
        removed: Vec::new(),
        narrowed: Vec::new(),
        maybe_denied: Vec::new(),
    };
    for service in catalog().services() {
        let prefix = service.prefix();
        if !subject.may_grant(prefix) {
            continue;
        }
        let mut levels: Vec<LevelAccess> = Vec::new();
        for action in service.actions() {
            let name = action.full_name();
            match subject.evaluate(&name, |_| true) {
                Ok(Some(grant)) => {
                    if let Some(by) = grant.caveat.narrowed_by {
                        out.narrowed.push(Narrowed {
                            by: by.to_string(),
                            action: name.clone(),
                            from: reach_text(grant.granted),
                            to: reach_text(grant.reach),
                        });
                    }
                    if let Some(by) = grant.caveat.maybe_denied {
                        push_removed(&mut out.maybe_denied, by, prefix, name.clone());
                    }
                    let level = action.access_level().to_string();
                    let entry = ActionAccess {
                        action: name,
                        resources: reach_text(grant.reach),
                    };
                    match levels.iter_mut().find(|l| l.level == level) {
                        Some(l) => l.actions.push(entry),
                        None => levels.push(LevelAccess {
                            level,
                            actions: vec![entry],
                        }),
                    }
                }
                Ok(None) => {}
                Err(by) => push_removed(&mut out.removed, by, prefix, name),
            }
        }
        if !levels.is_empty() {
            out.services.push(ServiceAccess {
                service: prefix.to_string(),
                levels,
            });
        }
    }
    out
}
