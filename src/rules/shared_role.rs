//! One execution role shared by several functions.

use super::{rule_meta, ModelCx, Rule};
use crate::finding::{Finding, RuleMeta};
use crate::model::Related;
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
        for (index, role) in model.roles.iter().enumerate() {
            let functions: Vec<_> = model.functions_of_role(index).collect();
            if functions.len() < 2 {
                continue;
            }
            for (i, function) in functions.iter().enumerate().skip(1) {
                let others: Vec<String> = functions
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, f)| f.display_name())
                    .collect();
                out.push(
                    Finding::new(
                        &META,
                        function.file,
                        function.span,
                        format!(
                            "function {} shares role `{}` with {}, so each gets the permissions the others need",
                            function.display_name(),
                            role.logical_id,
                            and_list(&others)
                        ),
                    )
                    .help("give each function its own role with only the permissions that function uses")
                    .related([Related {
                        label: format!("role `{}`", role.logical_id),
                        file: role.file,
                        span: role.span,
                    }])
                    .related(functions.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, f)| Related {
                        label: format!("function {} also runs as this role", f.display_name()),
                        file: f.file,
                        span: f.span,
                    })),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileModel;
    use crate::model::testing::{function, role};

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
    fn reports_every_extra_function_naming_the_others() {
        let findings = run(&[Some(0), Some(0), Some(0)]);
        assert_eq!(findings.len(), 2);
        assert_eq!(
            findings[0].message,
            "function `Worker` shares role `SharedRole` with `Api` and `Cron`, so each gets the permissions the others need"
        );
        assert_eq!(findings[1].span, function("Cron", 210).span);
        assert_eq!(findings[0].related.len(), 3);
    }

    #[test]
    fn clean_with_one_role_per_function_or_external_roles() {
        assert!(run(&[Some(0), Some(1)]).is_empty());
        assert!(run(&[None, None, Some(0)]).is_empty());
    }
}
