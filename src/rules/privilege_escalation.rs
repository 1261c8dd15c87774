//! Permissions, alone or combined, that let the holder gain other permissions: the
//! privilege-escalation paths published by Rhino Security Labs and their later additions.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::grants::{Grant, Reach, Subject};
use crate::analysis::statement::scoped_severity;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::model::Related;
use crate::util::english::code_list;

pub struct PrivilegeEscalation;

static META: RuleMeta = rule_meta!(
    "IAM201",
    "privilege-escalation",
    Risk,
    Critical,
    "permissions that let the holder grant itself more permissions or act as a stronger role"
);

/// One action of a path, or a choice of actions, and how widely it must be granted.
struct Step {
    any_of: &'static [&'static str],
    min: Reach,
}

/// An escalation path: every step must be granted. `effect` follows the actions in the
/// message, with `{who}` for the holder.
struct Path {
    steps: &'static [Step],
    effect: &'static str,
    severity: Severity,
}

const fn one(action: &'static [&'static str]) -> Step {
    Step {
        any_of: action,
        min: Reach::Named,
    }
}

/// The holder can pass only the roles it is given by name; a wildcard opens every role.
const PASS_ROLE: Step = Step {
    any_of: &["iam:PassRole"],
    min: Reach::Pattern,
};

const C: Severity = Severity::Critical;
const H: Severity = Severity::High;

static PATHS: &[Path] = &[
    Path { steps: &[one(&["iam:CreatePolicyVersion"])], effect: "lets {who} rewrite a customer managed policy, including one attached to itself, to allow anything", severity: C },
    Path { steps: &[one(&["iam:SetDefaultPolicyVersion"])], effect: "lets {who} switch a managed policy to an older, possibly broader version", severity: C },
    Path { steps: &[one(&["iam:AttachUserPolicy"])], effect: "lets {who} attach any managed policy, `AdministratorAccess` included, to a user", severity: C },
    Path { steps: &[one(&["iam:AttachGroupPolicy"])], effect: "lets {who} attach any managed policy, `AdministratorAccess` included, to a group", severity: C },
    Path { steps: &[one(&["iam:AttachRolePolicy"])], effect: "lets {who} attach any managed policy, `AdministratorAccess` included, to a role such as its own", severity: C },
    Path { steps: &[one(&["iam:PutUserPolicy"])], effect: "lets {who} write an inline policy allowing anything into a user", severity: C },
    Path { steps: &[one(&["iam:PutGroupPolicy"])], effect: "lets {who} write an inline policy allowing anything into a group", severity: C },
    Path { steps: &[one(&["iam:PutRolePolicy"])], effect: "lets {who} write an inline policy allowing anything into a role such as its own", severity: C },
    Path { steps: &[one(&["iam:CreateAccessKey"])], effect: "lets {who} create access keys for other IAM users and act as them", severity: C },
    Path { steps: &[one(&["iam:CreateLoginProfile"])], effect: "lets {who} set a console password for IAM users that have none and sign in as them", severity: C },
    Path { steps: &[one(&["iam:UpdateLoginProfile"])], effect: "lets {who} change IAM users' console passwords and sign in as them", severity: C },
    Path { steps: &[one(&["iam:UpdateAssumeRolePolicy"])], effect: "lets {who} make a role's trust policy trust itself and then assume the role", severity: C },
    Path { steps: &[one(&["iam:AddUserToGroup"])], effect: "lets {who} add users to any group and so give them the group's permissions", severity: C },
    Path {
        steps: &[PASS_ROLE, one(&["lambda:CreateFunction"]), one(&["lambda:InvokeFunction", "lambda:CreateEventSourceMapping", "lambda:AddPermission"])],
        effect: "lets {who} run code as any role it can pass",
        severity: C,
    },
    Path { steps: &[PASS_ROLE, one(&["ec2:RunInstances", "ec2:RequestSpotInstances"])], effect: "lets {who} start an instance with any role it can pass and use that role's credentials", severity: C },
    Path { steps: &[PASS_ROLE, one(&["cloudformation:CreateStack", "cloudformation:UpdateStack"])], effect: "lets {who} deploy a stack that creates anything the passed role may create", severity: C },
    Path { steps: &[PASS_ROLE, one(&["glue:CreateDevEndpoint"])], effect: "lets {who} open a Glue development endpoint running as any role it can pass", severity: C },
    Path { steps: &[one(&["glue:UpdateDevEndpoint"])], effect: "lets {who} add its SSH key to an existing Glue development endpoint and use the endpoint's role", severity: H },
    Path { steps: &[PASS_ROLE, one(&["glue:CreateJob", "glue:UpdateJob"]), one(&["glue:StartJobRun", "glue:CreateTrigger"])], effect: "lets {who} run a Glue job as any role it can pass", severity: C },
    Path {
        steps: &[PASS_ROLE, one(&["datapipeline:CreatePipeline"]), one(&["datapipeline:PutPipelineDefinition"])],
        effect: "lets {who} run a data pipeline as any role it can pass",
        severity: C,
    },
    Path {
        steps: &[PASS_ROLE, one(&["sagemaker:CreateNotebookInstance", "sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"])],
        effect: "lets {who} run code in SageMaker as any role it can pass",
        severity: C,
    },
    Path { steps: &[one(&["sagemaker:CreatePresignedNotebookInstanceUrl"])], effect: "lets {who} open existing notebook instances and use their roles", severity: H },
    Path {
        steps: &[PASS_ROLE, one(&["codebuild:CreateProject"]), one(&["codebuild:StartBuild", "codebuild:StartBuildBatch"])],
        effect: "lets {who} run a build as any role it can pass",
        severity: C,
    },
    Path {
        steps: &[PASS_ROLE, one(&["ecs:RegisterTaskDefinition"]), one(&["ecs:RunTask", "ecs:StartTask", "ecs:CreateService"])],
        effect: "lets {who} run a container task as any role it can pass",
        severity: C,
    },
    Path { steps: &[PASS_ROLE, one(&["apprunner:CreateService"])], effect: "lets {who} run an App Runner service as any role it can pass", severity: C },
    Path {
        steps: &[Step { any_of: &["lambda:UpdateFunctionCode"], min: Reach::Pattern }],
        effect: "lets {who} replace the code of other functions and run as their roles",
        severity: C,
    },
    Path {
        steps: &[Step { any_of: &["lambda:UpdateFunctionConfiguration"], min: Reach::Pattern }],
        effect: "lets {who} add a layer to other functions or change their handler, and run as their roles",
        severity: H,
    },
    Path {
        steps: &[Step { any_of: &["ssm:SendCommand", "ssm:StartSession"], min: Reach::Any }],
        effect: "lets {who} run commands on every managed instance, with the instance's role",
        severity: H,
    },
    Path {
        steps: &[Step { any_of: &["ec2-instance-connect:SendSSHPublicKey"], min: Reach::Any }],
        effect: "lets {who} log in to every instance and use the instance's role",
        severity: H,
    },
    Path {
        steps: &[Step { any_of: &["ecs:ExecuteCommand"], min: Reach::Any }],
        effect: "lets {who} open a shell in every ECS task and use the task's role",
        severity: H,
    },
    Path {
        steps: &[Step { any_of: &["sts:AssumeRole"], min: Reach::Any }],
        effect: "lets {who} assume every role whose trust policy trusts its account",
        severity: H,
    },
];

/// A path the subject has, with the grant behind each step.
struct Found<'s> {
    path: &'static Path,
    steps: Vec<(&'static str, Grant<'s>)>,
}

impl Rule for PrivilegeEscalation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        for subject in cx.analysis.subjects() {
            let found: Vec<Found<'_>> = PATHS.iter().filter_map(|p| find(subject, p)).collect();
            // Paths granted by exactly the same values (`*`, `iam:*`) make one finding.
            let mut groups: Vec<Vec<&Found<'_>>> = Vec::new();
            for f in &found {
                match groups.iter_mut().find(|g| same_spans(g[0], f)) {
                    Some(group) => group.push(f),
                    None => groups.push(vec![f]),
                }
            }
            for group in groups {
                out.push(finding(subject, &group));
            }
        }
    }
}

fn find<'s>(subject: &'s Subject<'_>, path: &'static Path) -> Option<Found<'s>> {
    let mut steps = Vec::with_capacity(path.steps.len());
    for step in path.steps {
        let granted = step.any_of.iter().find_map(|&a| {
            subject
                .grant(a)
                .filter(|g| g.reach >= step.min)
                .map(|g| (a, g))
        })?;
        steps.push(granted);
    }
    Some(Found { path, steps })
}

fn spans(found: &Found<'_>) -> Vec<(usize, u32, u32)> {
    let mut spans: Vec<_> = found
        .steps
        .iter()
        .map(|(_, g)| (g.file, g.span.start, g.span.end))
        .collect();
    spans.sort_unstable();
    spans.dedup();
    spans
}

fn same_spans(a: &Found<'_>, b: &Found<'_>) -> bool {
    spans(a) == spans(b)
}

/// "`iam:PassRole` with `lambda:CreateFunction` and `lambda:InvokeFunction`".
fn actions_of(found: &Found<'_>) -> String {
    let names: Vec<&str> = found.steps.iter().map(|(a, _)| *a).collect();
    match names.split_first() {
        Some((first, [])) => format!("`{first}`"),
        Some((first, rest)) => format!("`{first}` with {}", code_list(rest, rest.len())),
        None => String::new(),
    }
}

fn finding(subject: &Subject<'_>, group: &[&Found<'_>]) -> Finding {
    let first = group[0];
    let primary = first.steps[0].1;
    let who = subject.name();
    let severity = group
        .iter()
        .map(|f| f.path.severity)
        .max()
        .unwrap_or(META.severity);
    let message = if let [only] = group {
        format!(
            "{} {}",
            actions_of(only),
            only.path.effect.replace("{who}", &who)
        )
    } else {
        let labels: Vec<String> = group
            .iter()
            .map(|f| {
                f.steps
                    .iter()
                    .map(|(a, _)| *a)
                    .collect::<Vec<_>>()
                    .join(" + ")
            })
            .collect();
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        let mut origins = vec![primary.origin()];
        for (_, grant) in &first.steps {
            let origin = grant.origin();
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        let origin = match origins.split_first() {
            Some((main, [])) => main.clone(),
            Some((main, rest)) => format!("{main} together with {}", rest.join(" and ")),
            None => String::new(),
        };
        format!(
            "{origin} opens {} privilege-escalation paths for {who}: {}",
            group.len(),
            code_list(&labels, 4)
        )
    };
    let mut related: Vec<Related> = Vec::new();
    for (action, grant) in first.steps.iter().skip(1) {
        let same = grant.file == primary.file && grant.span == primary.span;
        if !same && !related.iter().any(|r| r.span == grant.span) {
            related.push(Related {
                label: format!("grants `{action}`"),
                file: grant.file,
                span: grant.span,
            });
        }
    }
    related.extend(subject.context());
    Finding::new(&META, primary.file, primary.span, message)
        .severity(scoped_severity(primary.statement, severity))
        .help(if group.iter().any(|f| f.steps.iter().any(|(a, _)| *a == "iam:PassRole")) {
            "name the roles in `iam:PassRole` and add an `iam:PassedToService` condition; leave creating and running compute to the deployment pipeline"
        } else {
            "grant only the actions the function calls, on the resources it owns; keep IAM and deployment permissions out of function roles"
        })
        .related(related)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::grants::tests::policy_model;
    use crate::catalog::catalog;

    #[test]
    fn every_path_action_is_in_the_catalog() {
        for path in PATHS {
            for step in path.steps {
                for action in step.any_of {
                    assert!(catalog().action(action).is_some(), "{action}");
                }
            }
        }
    }

    fn run(json: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(
            &PrivilegeEscalation,
            &policy_model(json),
        ));
        out
    }

    #[test]
    fn one_finding_per_path_and_merged_for_a_single_value() {
        let split = run(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}"#,
        );
        assert_eq!(split.len(), 1);
        assert_eq!(
            split[0].message,
            "`iam:PassRole` with `lambda:CreateFunction` and `lambda:InvokeFunction` lets its holder run code as any role it can pass"
        );
        assert_eq!(split[0].related.len(), 2);
        let star = run(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        );
        assert_eq!(star.len(), 1, "{star:?}");
        assert!(
            star[0].message.starts_with(
                "`*` opens 31 privilege-escalation paths for its holder: `iam:CreatePolicyVersion`"
            ),
            "{}",
            star[0].message
        );
    }

    /// The least-privilege Lambda roles of `fixtures/privilege-escalation/clean-*` raise no
    /// finding of any risk rule, and every escalation fixture raises this one.
    #[test]
    fn fixture_sets_separate_least_privilege_from_escalation() {
        use crate::source::SourceFile;
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/privilege-escalation");
        let risk: Vec<&'static dyn Rule> = ["IAM201", "IAM202", "IAM203", "IAM204", "IAM205"]
            .iter()
            .filter_map(|c| crate::rules::find(c))
            .collect();
        assert_eq!(risk.len(), 5);
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        let (mut clean, mut fires) = (0, 0);
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let source = SourceFile::new(path.clone(), name.clone(), text);
            let loaded = crate::load::load(0, &source, true).unwrap();
            if name.starts_with("clean-") {
                clean += 1;
                let mut out = Vec::new();
                crate::rules::check_model(
                    &loaded.model,
                    &risk,
                    &crate::rules::RuleSettings::default(),
                    &mut out,
                );
                let messages: Vec<&str> = out.iter().map(|f| f.message.as_str()).collect();
                assert!(messages.is_empty(), "{name}: {messages:?}");
            } else if name.starts_with("fires-") {
                fires += 1;
                let out = {
                    let mut out = Vec::new();
                    out.extend(crate::rules::run_rule(&PrivilegeEscalation, &loaded.model));
                    out
                };
                assert!(!out.is_empty(), "{name}: no escalation path found");
            }
        }
        assert!(clean >= 15 && fires >= 15, "{clean} clean, {fires} fires");
    }

    #[test]
    fn pass_role_on_named_roles_is_not_a_path() {
        let named = run(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/worker"},
            {"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}"#);
        assert!(named.is_empty(), "{named:?}");
    }
}
