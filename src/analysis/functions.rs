//! What several Lambda rules ask of a function: settings shared by several functions, and
//! the actions its policies allow.

use crate::model::{FileModel, Function, PolicyDocument, PolicyValue};
use crate::source::Span;
use crate::util::english::and_list;

/// Findings about several functions that point at one place: a setting inherited from SAM
/// `Globals` is one line for all of them, so it gets one finding naming them all. Groups
/// keep the order of first appearance and the payload of their first item.
pub fn group_by_span<'a, T>(
    items: impl IntoIterator<Item = (Span, &'a Function, T)>,
) -> Vec<(Span, Vec<&'a Function>, T)> {
    let mut groups: Vec<(Span, Vec<&'a Function>, T)> = Vec::new();
    for (span, function, payload) in items {
        match groups
            .iter_mut()
            .find(|(s, f, _)| *s == span && f[0].file == function.file)
        {
            Some((_, functions, _)) => functions.push(function),
            None => groups.push((span, vec![function], payload)),
        }
    }
    groups
}

/// "function `A`", "functions `A` and `B`".
pub fn functions_phrase(functions: &[&Function]) -> String {
    let names: Vec<String> = functions.iter().map(|f| f.display_name()).collect();
    let noun = if names.len() == 1 {
        "function"
    } else {
        "functions"
    };
    format!("{noun} {}", and_list(&names))
}

/// The resolved `Action` values of the Allow statements of some policies, with the
/// statements whose actions cannot be read (`NotAction`, unresolved values).
pub struct AllowedActions<'a> {
    pub values: Vec<&'a PolicyValue>,
    /// An Allow statement uses `NotAction` or an action that could not be evaluated.
    pub has_unknown: bool,
}

pub fn allowed_actions_of<'a>(
    policies: impl Iterator<Item = &'a PolicyDocument>,
) -> AllowedActions<'a> {
    let mut out = AllowedActions {
        values: Vec::new(),
        has_unknown: false,
    };
    for statement in policies.flat_map(PolicyDocument::allow_statements) {
        let Some(action) = &statement.action else {
            continue;
        };
        if action.negated || action.has_unknown {
            out.has_unknown = true;
            continue;
        }
        for value in &action.values {
            if value.resolved {
                out.values.push(value);
            } else {
                out.has_unknown = true;
            }
        }
    }
    out
}

/// Who uses a policy's grants, for help texts: "list the actions the function calls" is
/// wrong for an EC2 instance role, a CodeDeploy role or a human's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// A role that at least one function of the model runs as.
    Function,
    /// A role no function of the model runs as.
    Role,
    /// A policy of no role (a standalone policy file).
    Unknown,
}

impl Holder {
    pub fn of(model: &FileModel, policy: &PolicyDocument) -> Holder {
        let Some(index) = model.policies.iter().position(|p| std::ptr::eq(p, policy)) else {
            return Holder::Unknown;
        };
        let mut roles = model
            .roles
            .iter()
            .enumerate()
            .filter(|(_, r)| r.policies.contains(&index))
            .peekable();
        if roles.peek().is_none() {
            return Holder::Unknown;
        }
        if roles.any(|(i, _)| model.functions_of_role(i).next().is_some()) {
            Holder::Function
        } else {
            Holder::Role
        }
    }

    /// "the function", "the role", "its holder".
    pub fn noun(self) -> &'static str {
        match self {
            Holder::Function => "the function",
            Holder::Role => "the role",
            Holder::Unknown => "its holder",
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn globs_match_actions_case_insensitively() {
        assert!(crate::catalog::glob_match_ci(
            "logs:Put*",
            "logs:PutLogEvents"
        ));
        assert!(crate::catalog::glob_match_ci(
            "LOGS:putlogevents",
            "logs:PutLogEvents"
        ));
        assert!(crate::catalog::glob_match_ci("*", "logs:PutLogEvents"));
        assert!(crate::catalog::glob_match_ci(
            "logs:*Log?vents",
            "logs:PutLogEvents"
        ));
        assert!(!crate::catalog::glob_match_ci(
            "logs:Create*",
            "logs:PutLogEvents"
        ));
        assert!(!crate::catalog::glob_match_ci("s3:*", "logs:PutLogEvents"));
    }
}

#[cfg(test)]
mod holder_tests {
    use super::Holder;
    use crate::model::testing::{allow, function_of_role, role};
    use crate::model::FileModel;

    #[test]
    fn a_policy_is_held_by_a_function_a_role_or_nobody_known() {
        let mut model = FileModel {
            policies: vec![
                allow(&[&["s3:GetObject"]]),
                allow(&[&["ec2:DescribeInstances"]]),
                allow(&[&["sns:Publish"]]),
            ],
            roles: vec![
                role("FnRole", 10, vec![0]),
                role("InstanceRole", 20, vec![1]),
            ],
            ..FileModel::default()
        };
        model.functions.push(function_of_role("Fn", 0, 30));
        assert_eq!(Holder::of(&model, &model.policies[0]), Holder::Function);
        assert_eq!(Holder::of(&model, &model.policies[1]), Holder::Role);
        assert_eq!(Holder::of(&model, &model.policies[2]), Holder::Unknown);
        assert_eq!(Holder::Role.noun(), "the role");
    }
}
