//! What several Lambda rules ask of a function: settings shared by several functions, and
//! the actions its policies allow.

use crate::model::{Function, PolicyDocument, PolicyValue};
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
