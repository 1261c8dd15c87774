//! One execution role shared by several functions.

use super::{rule_meta, ModelCx, Rule};
use crate::finding::{Finding, RuleMeta};
use crate::model::{FileModel, Function, Related};
use crate::util::english::and_list;

pub struct SharedRole;

static META: RuleMeta = rule_meta!(
    "IAM303",
    "shared-role",
    OverPrivilege,
    Low,
    "one IAM role is the execution role of several functions"
);

impl Rule for SharedRole {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // Functions grouped by the role they run as, in order of first appearance.
        let mut groups: Vec<(RoleKey, Vec<&Function>)> = Vec::new();
        for function in &model.functions {
            let Some(key) = role_key(model, function) else {
                continue;
            };
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, functions)) => functions.push(function),
                None => groups.push((key, vec![function])),
            }
        }
        for (key, functions) in groups.into_iter().filter(|(_, f)| f.len() >= 2) {
            let names: Vec<String> = functions.iter().map(|f| f.display_name()).collect();
            let (file, span, name, role_related) = match &key {
                RoleKey::Template(index) => {
                    let Some(role) = model.roles.get(*index) else {
                        continue;
                    };
                    let related = Related {
                        label: format!("role `{}`", role.logical_id),
                        file: role.file,
                        span: role.span,
                    };
                    (role.file, role.span, role.logical_id.clone(), Some(related))
                }
                RoleKey::External(text) => {
                    (functions[1].file, functions[1].span, text.clone(), None)
                }
            };
            out.push(
                Finding::new(
                    &META,
                    file,
                    span,
                    format!(
                        "role `{name}` is the execution role of {} functions, {}, so each gets the permissions the others need",
                        functions.len(),
                        and_list(&names)
                    ),
                )
                .help("give each function its own role with only the permissions that function uses")
                .related(role_related)
                .related(functions.iter().map(|f| Related {
                    label: format!("function {} runs as this role", f.display_name()),
                    file: f.file,
                    span: f.external_role.as_ref().map_or(f.span, |r| r.span),
                })),
            );
        }
    }
}

/// The role a function runs as: one of the model's, or the same expression (a template
/// parameter holding a role ARN, a literal ARN) written for several functions.
#[derive(Clone, Debug, PartialEq, Eq)]
enum RoleKey {
    Template(usize),
    External(String),
}

fn role_key(model: &FileModel, function: &Function) -> Option<RoleKey> {
    if let Some(index) = function.role {
        return Some(RoleKey::Template(index));
    }
    let text = function.external_role.as_ref()?.value.trim();
    if text.is_empty() {
        return None;
    }
    // `!Sub "${Role.Arn}"` or `!Sub "arn:...:role/${Role}"` naming a role of the template.
    let named = placeholders(text).find_map(|name| {
        let logical_id = name.strip_suffix(".Arn").unwrap_or(name);
        model.roles.iter().position(|r| r.logical_id == logical_id)
    });
    Some(named.map_or_else(|| RoleKey::External(text.to_string()), RoleKey::Template))
}

/// The names inside `${...}` in a text.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split("${")
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{function, role};
    use crate::model::FileModel;

    fn run(roles_of_functions: &[Option<usize>]) -> Vec<Finding> {
        let functions = roles_of_functions
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut f = function(["Api", "Worker", "Cron"][i], 10 + i * 100);
                f.role = *r;
                f
            })
            .collect();
        let model = FileModel {
            functions,
            roles: vec![
                role("SharedRole", 500, Vec::new()),
                role("OwnRole", 600, Vec::new()),
            ],
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&SharedRole, &model));
        out
    }

    #[test]
    fn reports_each_shared_role_once_naming_its_functions() {
        let findings = run(&[Some(0), Some(0), Some(0)]);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "role `SharedRole` is the execution role of 3 functions, `Api`, `Worker` and `Cron`, so each gets the permissions the others need"
        );
        assert_eq!(findings[0].span, role("SharedRole", 500, Vec::new()).span);
        assert_eq!(findings[0].related.len(), 4);
    }

    #[test]
    fn placeholders_name_template_roles() {
        let names: Vec<&str> =
            placeholders("arn:aws:iam::${AWS::AccountId}:role/${AppRole}").collect();
        assert_eq!(names, ["AWS::AccountId", "AppRole"]);
    }

    #[test]
    fn clean_with_one_role_per_function_or_external_roles() {
        assert!(run(&[Some(0), Some(1)]).is_empty());
        assert!(run(&[None, None, Some(0)]).is_empty());
    }
}
