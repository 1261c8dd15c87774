//! Permissions, alone or combined, that let the holder gain other permissions: the
//! privilege-escalation paths published by Rhino Security Labs, Bishop Fox's iam-vulnerable,
//! pathfinding.cloud, PMapper's edge checks and cloudsplaining's privilege-escalation table.
//! The path table below is data; each path names where it was published.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::grants::{Grant, Reach, Subject};
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
/// message, with `{who}` for the holder and `{roles}` for the roles it can pass.
struct Path {
    steps: &'static [Step],
    /// Where a role passed by the `iam:PassRole` step goes (`iam:PassedToService` must
    /// allow one of them); empty for paths without `iam:PassRole`.
    to: &'static [&'static str],
    /// The step that creates a resource and the step that runs it: the run step must reach
    /// what the create step makes (a wildcard, or a resource the create step names).
    makes: Option<(usize, usize)>,
    effect: &'static str,
    severity: Severity,
    /// Who published the path (read by the tests and the rule doc's table).
    #[cfg_attr(not(test), allow(dead_code))]
    source: &'static str,
}

/// Any resource the action works on, the caller's own user included.
const fn one(action: &'static [&'static str]) -> Step {
    Step {
        any_of: action,
        min: Reach::Own,
    }
}

/// Resources other than the caller's own user: `iam:CreateAccessKey` on
/// `user/${aws:username}` is the self-service pattern, not escalation.
const fn others(action: &'static [&'static str]) -> Step {
    Step {
        any_of: action,
        min: Reach::Named,
    }
}

/// A wildcard of resources: reaching named ones is ordinary access.
const fn several(action: &'static [&'static str]) -> Step {
    Step {
        any_of: action,
        min: Reach::Pattern,
    }
}

/// Every resource of the action.
const fn every(action: &'static [&'static str]) -> Step {
    Step {
        any_of: action,
        min: Reach::Any,
    }
}

/// Passing named roles is an escalation to those roles, reported a step lower.
const PASS_ROLE: Step = Step {
    any_of: &["iam:PassRole"],
    min: Reach::Named,
};

const C: Severity = Severity::Critical;
const H: Severity = Severity::High;

const RHINO: &str = "Rhino Security Labs";
const IAMV: &str = "Bishop Fox iam-vulnerable";
const PATHFINDING: &str = "pathfinding.cloud";
const PMAPPER: &str = "PMapper";

/// Actions whose paths write IAM policies: what a CloudFormation service role does.
const IAM_WRITES: &[&str] = &[
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
];

static PATHS: &[Path] = &[
    Path { steps: &[one(&["iam:CreatePolicyVersion"])], to: &[], makes: None, effect: "lets {who} rewrite a customer managed policy, including one attached to itself, to allow anything", severity: C, source: RHINO },
    Path { steps: &[one(&["iam:SetDefaultPolicyVersion"])], to: &[], makes: None, effect: "lets {who} switch a managed policy to an older, possibly broader version", severity: C, source: RHINO },
    Path { steps: &[one(&["iam:AttachUserPolicy"])], to: &[], makes: None, effect: "lets {who} attach any managed policy, `AdministratorAccess` included, to a user", severity: C, source: RHINO },
    Path { steps: &[one(&["iam:AttachGroupPolicy"])], to: &[], makes: None, effect: "lets {who} attach any managed policy, `AdministratorAccess` included, to a group", severity: C, source: RHINO },
    Path { steps: &[one(&["iam:AttachRolePolicy"])], to: &[], makes: None, effect: "lets {who} attach any managed policy, `AdministratorAccess` included, to a role such as its own", severity: C, source: RHINO },
    Path { steps: &[one(&["iam:PutUserPolicy"])], to: &[], makes: None, effect: "lets {who} write an inline policy allowing anything into a user", severity: C, source: RHINO },
    Path { steps: &[one(&["iam:PutGroupPolicy"])], to: &[], makes: None, effect: "lets {who} write an inline policy allowing anything into a group", severity: C, source: RHINO },
    Path { steps: &[one(&["iam:PutRolePolicy"])], to: &[], makes: None, effect: "lets {who} write an inline policy allowing anything into a role such as its own", severity: C, source: RHINO },
    Path { steps: &[others(&["iam:CreateAccessKey"])], to: &[], makes: None, effect: "lets {who} create access keys for other IAM users and act as them", severity: C, source: RHINO },
    Path { steps: &[others(&["iam:CreateLoginProfile"])], to: &[], makes: None, effect: "lets {who} set a console password for IAM users that have none and sign in as them", severity: C, source: RHINO },
    Path { steps: &[others(&["iam:UpdateLoginProfile"])], to: &[], makes: None, effect: "lets {who} change IAM users' console passwords and sign in as them", severity: C, source: RHINO },
    Path { steps: &[one(&["iam:UpdateAssumeRolePolicy"])], to: &[], makes: None, effect: "lets {who} make a role's trust policy trust itself and then assume the role", severity: C, source: RHINO },
    Path { steps: &[one(&["iam:AddUserToGroup"])], to: &[], makes: None, effect: "lets {who} add users to any group and so give them the group's permissions", severity: C, source: RHINO },
    Path { steps: &[several(&["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"])], to: &[], makes: None, effect: "lets {who} remove or replace the permissions boundary that limits roles, its own included", severity: H, source: PATHFINDING },
    Path { steps: &[several(&["iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"])], to: &[], makes: None, effect: "lets {who} remove or replace the permissions boundary that limits users", severity: H, source: PATHFINDING },
    Path {
        steps: &[PASS_ROLE, one(&["lambda:CreateFunction"]), one(&["lambda:InvokeFunction", "lambda:CreateEventSourceMapping", "lambda:AddPermission"])],
        to: &["lambda.amazonaws.com"],
        makes: Some((1, 2)),
        effect: "lets {who} create a function that runs as {roles} and invoke it",
        severity: C,
        source: RHINO,
    },
    Path { steps: &[PASS_ROLE, one(&["ec2:RunInstances", "ec2:RequestSpotInstances"])], to: &["ec2.amazonaws.com"], makes: None, effect: "lets {who} start an instance with {roles} and use that role's credentials", severity: C, source: RHINO },
    Path {
        steps: &[PASS_ROLE, one(&["autoscaling:CreateLaunchConfiguration", "ec2:CreateLaunchTemplate"]), one(&["autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup"])],
        to: &["ec2.amazonaws.com"],
        makes: None,
        effect: "lets {who} have Auto Scaling start instances with {roles}",
        severity: C,
        source: PMAPPER,
    },
    Path { steps: &[PASS_ROLE, one(&["cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:CreateStackSet"])], to: &["cloudformation.amazonaws.com"], makes: None, effect: "lets {who} deploy a stack that creates anything {roles} may create", severity: C, source: RHINO },
    Path { steps: &[every(&["cloudformation:UpdateStack"])], to: &[], makes: None, effect: "lets {who} change existing stacks, which then create anything their service roles may create", severity: H, source: IAMV },
    Path { steps: &[every(&["cloudformation:CreateChangeSet"]), every(&["cloudformation:ExecuteChangeSet"])], to: &[], makes: None, effect: "lets {who} change existing stacks through change sets, run with the stacks' service roles", severity: H, source: PATHFINDING },
    Path { steps: &[PASS_ROLE, one(&["glue:CreateDevEndpoint"])], to: &["glue.amazonaws.com"], makes: None, effect: "lets {who} open a Glue development endpoint running as {roles}", severity: C, source: RHINO },
    Path { steps: &[several(&["glue:UpdateDevEndpoint"])], to: &[], makes: None, effect: "lets {who} add its SSH key to an existing Glue development endpoint and use the endpoint's role", severity: H, source: RHINO },
    Path { steps: &[PASS_ROLE, one(&["glue:CreateJob", "glue:UpdateJob"]), one(&["glue:StartJobRun", "glue:CreateTrigger"])], to: &["glue.amazonaws.com"], makes: Some((1, 2)), effect: "lets {who} run a Glue job as {roles}", severity: C, source: PATHFINDING },
    Path { steps: &[PASS_ROLE, one(&["glue:CreateSession"]), one(&["glue:RunStatement"])], to: &["glue.amazonaws.com"], makes: Some((1, 2)), effect: "lets {who} run code in a Glue interactive session as {roles}", severity: C, source: PATHFINDING },
    Path {
        steps: &[PASS_ROLE, one(&["datapipeline:CreatePipeline"]), one(&["datapipeline:PutPipelineDefinition"])],
        to: &["datapipeline.amazonaws.com", "elasticmapreduce.amazonaws.com"],
        makes: Some((1, 2)),
        effect: "lets {who} run a data pipeline as {roles}",
        severity: C,
        source: RHINO,
    },
    Path { steps: &[PASS_ROLE, one(&["elasticmapreduce:RunJobFlow"])], to: &["elasticmapreduce.amazonaws.com", "ec2.amazonaws.com"], makes: None, effect: "lets {who} start an EMR cluster whose steps run as {roles}", severity: C, source: PMAPPER },
    Path {
        steps: &[PASS_ROLE, one(&["sagemaker:CreateNotebookInstance", "sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"])],
        to: &["sagemaker.amazonaws.com"],
        makes: None,
        effect: "lets {who} run code in SageMaker as {roles}",
        severity: C,
        source: IAMV,
    },
    Path { steps: &[several(&["sagemaker:CreatePresignedNotebookInstanceUrl"])], to: &[], makes: None, effect: "lets {who} open existing notebook instances and use their roles", severity: H, source: IAMV },
    Path {
        steps: &[one(&["sagemaker:CreateNotebookInstanceLifecycleConfig", "sagemaker:UpdateNotebookInstanceLifecycleConfig"]), several(&["sagemaker:UpdateNotebookInstance"]), several(&["sagemaker:StopNotebookInstance"]), several(&["sagemaker:StartNotebookInstance"])],
        to: &[],
        makes: None,
        effect: "lets {who} give existing notebook instances a start-up script that runs with their roles",
        severity: H,
        source: PATHFINDING,
    },
    Path {
        steps: &[PASS_ROLE, one(&["codebuild:CreateProject"]), one(&["codebuild:StartBuild", "codebuild:StartBuildBatch"])],
        to: &["codebuild.amazonaws.com"],
        makes: Some((1, 2)),
        effect: "lets {who} run a build as {roles}",
        severity: C,
        source: IAMV,
    },
    Path {
        steps: &[PASS_ROLE, one(&["ecs:RegisterTaskDefinition"]), one(&["ecs:RunTask", "ecs:StartTask", "ecs:CreateService"])],
        to: &["ecs-tasks.amazonaws.com"],
        makes: Some((1, 2)),
        effect: "lets {who} run a container task as {roles}",
        severity: C,
        source: PATHFINDING,
    },
    Path { steps: &[PASS_ROLE, one(&["apprunner:CreateService"])], to: &["tasks.apprunner.amazonaws.com", "build.apprunner.amazonaws.com"], makes: None, effect: "lets {who} run an App Runner service as {roles}", severity: C, source: PATHFINDING },
    Path { steps: &[several(&["lambda:UpdateFunctionCode"])], to: &[], makes: None, effect: "lets {who} replace the code of other functions and run as their roles", severity: C, source: RHINO },
    Path { steps: &[several(&["lambda:UpdateFunctionConfiguration"])], to: &[], makes: None, effect: "lets {who} add a layer to other functions or change their handler, and run as their roles", severity: H, source: PATHFINDING },
    Path {
        steps: &[several(&["ec2:ModifyInstanceAttribute"]), several(&["ec2:StopInstances"]), several(&["ec2:StartInstances"])],
        to: &[],
        makes: None,
        effect: "lets {who} replace the user data of existing instances and restart them, running code with the instances' roles",
        severity: H,
        source: PATHFINDING,
    },
    Path {
        steps: &[several(&["ec2:CreateLaunchTemplateVersion"]), several(&["ec2:ModifyLaunchTemplate"])],
        to: &[],
        makes: None,
        effect: "lets {who} make a new default version of existing launch templates, with its own user data, run with their instance roles",
        severity: H,
        source: PATHFINDING,
    },
    Path { steps: &[every(&["ssm:SendCommand", "ssm:StartSession", "ssm:CreateAssociation"])], to: &[], makes: None, effect: "lets {who} run commands on every managed instance, with the instance's role", severity: H, source: IAMV },
    Path { steps: &[every(&["ec2-instance-connect:SendSSHPublicKey"])], to: &[], makes: None, effect: "lets {who} log in to every instance and use the instance's role", severity: H, source: IAMV },
    Path { steps: &[every(&["ecs:ExecuteCommand"])], to: &[], makes: None, effect: "lets {who} open a shell in every ECS task and use the task's role", severity: H, source: PATHFINDING },
    Path { steps: &[every(&["sts:AssumeRole"])], to: &[], makes: None, effect: "lets {who} assume every role whose trust policy trusts its account", severity: H, source: IAMV },
];

/// A path the subject has, with the grant behind each step.
struct Found<'s> {
    path: &'static Path,
    steps: Vec<(&'static str, Grant<'s>)>,
    /// The roles a named `iam:PassRole` grant passes; empty for a wildcard or no PassRole.
    roles: Vec<String>,
}

impl Rule for PrivilegeEscalation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        for subject in cx.analysis.subjects() {
            if subject.is_deployment_role() {
                deployment_role(subject, out);
                continue;
            }
            let admin = administrator(subject, out);
            let mut found: Vec<Found<'_>> = PATHS.iter().filter_map(|p| find(subject, p)).collect();
            // Paths an administrator statement grants on its own are in its finding, even
            // when a narrower statement grants them too.
            if admin {
                found.retain(|f| {
                    !f.steps
                        .iter()
                        .all(|(a, _)| subject.grant_where(a, |g| g.is_admin()).is_some())
                });
            }
            // Paths granted by exactly the same values (`iam:*`, a managed policy) make one
            // finding.
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

/// Statements that grant everything get one finding each, which names what that covers;
/// the other risk rules leave them out. Returns whether the holder has one. An AWS managed
/// administrator policy on a function's role is `admin-managed-policy`'s finding.
fn administrator(subject: &Subject<'_>, out: &mut Vec<Finding>) -> bool {
    let mut seen: Vec<(usize, u32)> = Vec::new();
    let mut any = false;
    // `iam:PutRolePolicy` is granted by every administrator statement there is.
    for action in ["iam:PutRolePolicy", "s3:GetObject"] {
        let Some(grant) = subject.grant_where(action, |g| g.is_admin()) else {
            continue;
        };
        any = true;
        if seen.contains(&(grant.file, grant.span.start)) {
            continue;
        }
        seen.push((grant.file, grant.span.start));
        if grant.policy.synthesized && subject.has_functions() {
            continue;
        }
        let what = if grant.text == "NotAction" {
            "every action its `NotAction` leaves out".to_string()
        } else if grant.text.eq_ignore_ascii_case("iam:*") {
            "every IAM action, so it can give itself any permission,".to_string()
        } else {
            "every action".to_string()
        };
        out.push(
            Finding::new(
                &META,
                grant.file,
                grant.span,
                format!(
                    "{} grants {} {what} on every resource{}: administrator access, which covers privilege escalation, passing any role, reading every secret and data store, obtaining credentials and opening resources to other accounts{}",
                    grant.origin(),
                    subject.name(),
                    grant.verdict.because(),
                    grant.caveat(),
                ),
            )
            .severity(grant.severity(Severity::Critical))
            .help("grant only the actions the holder calls, on the resources it owns")
            .related(subject.context()),
        );
    }
    any
}

/// A CloudFormation service role creates what templates declare, roles included: one
/// medium finding when it can write IAM policies without an `iam:PermissionsBoundary`
/// condition, since whoever controls a template then controls any permission.
fn deployment_role(subject: &Subject<'_>, out: &mut Vec<Finding>) {
    let grants: Vec<(&str, Grant<'_>)> = IAM_WRITES
        .iter()
        .filter_map(|&a| subject.grant(a).map(|g| (a, g)))
        .filter(|(_, g)| !g.verdict.boundary)
        .collect();
    let Some((_, first)) = grants.first() else {
        return;
    };
    let names: Vec<&str> = grants.iter().map(|(a, _)| *a).collect();
    out.push(
        Finding::new(
            &META,
            first.file,
            first.span,
            format!(
                "{} is a CloudFormation service role that can write roles and policies with any permissions through {}",
                subject.name(),
                code_list(&names, 3)
            ),
        )
        .severity(Severity::Medium)
        .help("require an `iam:PermissionsBoundary` condition on the role-writing actions, so the roles it creates stay within a boundary")
        .related(subject.context()),
    );
}

fn find<'s>(subject: &'s Subject<'_>, path: &'static Path) -> Option<Found<'s>> {
    let mut steps: Vec<(&'static str, Grant<'s>)> = Vec::with_capacity(path.steps.len());
    let mut roles = Vec::new();
    for (index, step) in path.steps.iter().enumerate() {
        let run_of = path
            .makes
            .filter(|&(_, run)| run == index)
            .and_then(|(create, _)| steps.get(create).map(|(_, g)| *g));
        let granted = step.any_of.iter().find_map(|&action| {
            let grant = if action == "iam:PassRole" {
                subject.grant_where(action, |g| {
                    path.to.iter().any(|s| g.verdict.passes_to(s))
                        && !passes_only_itself(subject, g)
                })
            } else {
                subject.grant(action)
            };
            grant
                .filter(|g| g.reach >= step.min)
                .filter(|g| run_of.is_none_or(|create| reaches_made(&create, g)))
                .map(|g| (action, g))
        })?;
        if granted.0 == "iam:PassRole"
            && (granted.1.reach == Reach::Named || name_prefixed_roles(&granted.1))
        {
            roles = role_names(&granted.1);
        }
        steps.push(granted);
    }
    Some(Found { path, steps, roles })
}

/// The run step reaches what the create step makes: a wildcard of resources, or a
/// resource the create step names as well.
fn reaches_made(create: &Grant<'_>, run: &Grant<'_>) -> bool {
    if run.reach >= Reach::Pattern {
        return true;
    }
    let named = |g: &Grant<'_>| -> Vec<String> {
        g.statement
            .resource
            .iter()
            .flat_map(|r| r.values.iter())
            .map(|v| v.text.clone())
            .collect()
    };
    let made = named(create);
    named(run).iter().any(|r| made.contains(r))
}

/// The role names a `iam:PassRole` statement lists (`worker`, `DeployRole`).
fn role_names(grant: &Grant<'_>) -> Vec<String> {
    grant
        .statement
        .resource
        .iter()
        .flat_map(|r| r.values.iter())
        .filter_map(|v| v.text.split_once(":role/").map(|(_, name)| name))
        .map(|name| {
            let name = name.rsplit('/').next().unwrap_or(name);
            name.strip_prefix("${")
                .and_then(|n| n.strip_suffix('}'))
                .unwrap_or(name)
                .to_string()
        })
        .collect()
}

/// Whether a `iam:PassRole` pattern reaches only roles of one account whose names start
/// with a prefix of three characters or more (`role/${AWS::StackName}*`, `role/orders-*`):
/// the roles a pipeline
/// or a stack names for itself, as narrow as naming them.
fn name_prefixed_roles(grant: &Grant<'_>) -> bool {
    let Some(resources) = grant.statement.resource.as_ref().filter(|r| !r.negated) else {
        return false;
    };
    !resources.values.is_empty()
        && resources.values.iter().all(|v| {
            let Some((head, name)) = v.text.split_once(":role/") else {
                return false;
            };
            let account = head.rsplit(':').next().unwrap_or("");
            let name = name.rsplit('/').next().unwrap_or(name);
            let prefix = name.split(['*', '?']).next().unwrap_or("");
            !account.is_empty() && !account.contains(['*', '?']) && prefix.chars().count() >= 3
        })
}

/// A role that may pass only itself (a CloudFormation role handing itself to its stack)
/// gains nothing.
fn passes_only_itself(subject: &Subject<'_>, grant: &Grant<'_>) -> bool {
    let Some(own) = subject.role_id() else {
        return false;
    };
    let names = role_names(grant);
    grant.reach == Reach::Named && !names.is_empty() && names.iter().all(|n| n == own)
}

/// The statements behind a path's steps.
fn statements(found: &Found<'_>) -> Vec<(usize, *const crate::model::Statement)> {
    let mut out: Vec<_> = found
        .steps
        .iter()
        .map(|(_, g)| (g.file, std::ptr::from_ref(g.statement)))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Paths granted by the same statements (one statement listing `iam:CreateAccessKey` and
/// `iam:UpdateLoginProfile`, or `iam:*`) make one finding.
fn same_spans(a: &Found<'_>, b: &Found<'_>) -> bool {
    (statements(a) == statements(b) || spans(a) == spans(b)) && a.roles == b.roles
}

/// Where a path's grants point: an AWS managed policy's grants all point at the line that
/// attaches it, so its paths make one finding there.
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

/// "`iam:PassRole` with `lambda:CreateFunction` and `lambda:InvokeFunction`".
fn actions_of(found: &Found<'_>) -> String {
    let names: Vec<&str> = found.steps.iter().map(|(a, _)| *a).collect();
    match names.split_first() {
        Some((first, [])) => format!("`{first}`"),
        Some((first, rest)) => format!("`{first}` with {}", code_list(rest, rest.len())),
        None => String::new(),
    }
}

/// "any role it can pass", or the named roles.
fn roles_of(found: &Found<'_>) -> String {
    match found.roles.as_slice() {
        [] => "any role it can pass".into(),
        [one] => format!("role `{one}`"),
        many => {
            let names: Vec<&str> = many.iter().map(String::as_str).collect();
            format!("roles {}", code_list(&names, 3))
        }
    }
}

fn finding(subject: &Subject<'_>, group: &[&Found<'_>]) -> Finding {
    let first = group[0];
    let primary = group
        .iter()
        .map(|f| f.steps[0].1)
        .min_by_key(|g| (g.file, g.span.start))
        .unwrap_or(first.steps[0].1);
    let who = subject.name();
    // A path to named roles reaches only those roles, which may be no stronger than the
    // holder: two steps lower (critical paths become medium).
    let severity = group
        .iter()
        .map(|f| {
            if f.roles.is_empty() {
                f.path.severity
            } else {
                f.path.severity.lowered().lowered()
            }
        })
        .max()
        .unwrap_or(META.severity);
    // The strongest narrowing among the steps' conditions lowers the severity once.
    let narrowed = first
        .steps
        .iter()
        .map(|(_, g)| *g)
        .find(|g| g.verdict.narrows_beyond_service());
    let because = narrowed.map(|g| g.verdict.because()).unwrap_or_default();
    let message = if let [only] = group {
        format!(
            "{} {}{because}",
            actions_of(only),
            only.path
                .effect
                .replace("{who}", &who)
                .replace("{roles}", &roles_of(only))
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
        for (_, grant) in group.iter().flat_map(|f| f.steps.iter()) {
            let origin = grant.origin();
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        // Single-action paths whose values are the actions themselves: say what they do.
        let redundant = origins.len() == labels.len()
            && labels.iter().all(|l| origins.contains(&format!("`{l}`")));
        if redundant {
            let effects: Vec<String> = group
                .iter()
                .map(|f| {
                    f.path
                        .effect
                        .trim_start_matches("lets {who} ")
                        .replace("{who}", &who)
                        .replace("{roles}", &roles_of(f))
                })
                .collect();
            let shown = effects
                .iter()
                .take(2)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            let more = effects.len().saturating_sub(2);
            return finish(
                subject,
                group,
                primary,
                severity,
                narrowed.is_some(),
                format!(
                    "{} let {who} escalate{because}: {shown}{}",
                    code_list(&labels, labels.len()),
                    if more > 0 {
                        format!("; and {more} more")
                    } else {
                        String::new()
                    }
                ),
            );
        }
        let (origin, verb) = match origins.split_first() {
            Some((main, [])) => (main.clone(), "opens"),
            Some((main, rest)) if first.steps.len() > 1 => (
                format!("{main} together with {}", rest.join(" and ")),
                "opens",
            ),
            _ => (crate::util::english::and_list(&origins), "open"),
        };
        format!(
            "{origin} {verb} {} privilege-escalation paths for {who}{because}: {}",
            group.len(),
            code_list(&labels, 4)
        )
    };
    finish(
        subject,
        group,
        primary,
        severity,
        narrowed.is_some(),
        message,
    )
}

fn finish(
    subject: &Subject<'_>,
    group: &[&Found<'_>],
    primary: Grant<'_>,
    severity: Severity,
    narrowed: bool,
    message: String,
) -> Finding {
    let first = group[0];
    // What a boundary, organization policy or conditioned Deny leaves unsure, once.
    let mut caveats: Vec<String> = Vec::new();
    for (_, grant) in group.iter().flat_map(|f| f.steps.iter()) {
        let caveat = grant.caveat();
        if !caveat.is_empty() && !caveats.contains(&caveat) {
            caveats.push(caveat);
        }
    }
    let message = format!("{message}{}", caveats.concat());
    let mut related: Vec<Related> = Vec::new();
    for (action, grant) in group.iter().flat_map(|f| f.steps.iter()) {
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
    let severity = if narrowed {
        severity.lowered()
    } else {
        severity
    };
    let passes = group
        .iter()
        .any(|f| f.steps.iter().any(|(a, _)| *a == "iam:PassRole"));
    Finding::new(&META, primary.file, primary.span, message)
        .severity(severity)
        .help(if passes && first.roles.is_empty() {
            "name the roles in `iam:PassRole` and add an `iam:PassedToService` condition; leave creating and running compute to the deployment pipeline"
        } else if passes {
            "make sure the passed role is no stronger than the holder, or leave creating and running compute to the deployment pipeline"
        } else {
            "grant only the actions the holder calls, on the resources it owns; keep IAM and deployment permissions out of function roles"
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
            "`iam:PassRole` with `lambda:CreateFunction` and `lambda:InvokeFunction` lets its holder create a function that runs as any role it can pass and invoke it"
        );
        assert_eq!(split[0].related.len(), 2);
        let star = run(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        );
        assert_eq!(star.len(), 1, "{star:?}");
        assert!(
            star[0].message.starts_with(
                "`*` grants its holder every action on every resource: administrator access"
            ),
            "{}",
            star[0].message
        );
    }

    #[test]
    fn every_path_names_its_source() {
        for path in PATHS {
            assert!(
                [RHINO, IAMV, PATHFINDING, PMAPPER].contains(&path.source),
                "{}",
                path.effect
            );
        }
    }

    /// Clean fixtures that show what this rule does not flag, while other risk rules may
    /// (`iam:PassRole` on every role without a path, `AmazonDynamoDBFullAccess`'s reads).
    const NEAR_MISSES: &[&str] = &[
        "clean-codebuild-start-named-projects.iam.json",
        "clean-dynamodb-full-access.sam.yaml",
        "clean-ec2-restart-without-user-data.iam.json",
        "clean-managed-administrator-access-left-to-admin-rule.sam.yaml",
        "clean-passrole-to-other-service.iam.json",
        "clean-deployment-role-with-boundary.cfn.yaml",
        "clean-expired-grant.iam.json",
        "clean-mfa-condition-on-service-role.cfn.yaml",
    ];

    /// The least-privilege Lambda roles of `fixtures/privilege-escalation/clean-*` raise no
    /// finding of any risk rule (near misses: none of this one), and every escalation
    /// fixture raises this one.
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
                let rules: &[&'static dyn Rule] = if NEAR_MISSES.contains(&name.as_str()) {
                    &[&PrivilegeEscalation]
                } else {
                    &risk
                };
                crate::rules::check_model(
                    &loaded.model,
                    rules,
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
    fn pass_role_on_a_named_role_is_a_path_to_that_role() {
        let named = run(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/worker"},
            {"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}"#);
        assert_eq!(named.len(), 1, "{named:?}");
        assert_eq!(named[0].severity, Severity::Medium);
        assert!(
            named[0].message.contains("runs as role `worker`"),
            "{}",
            named[0].message
        );
    }

    #[test]
    fn passed_to_service_must_include_the_path_service() {
        let dax = run(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringLike":{"iam:PassedToService":"dax.amazonaws.com"}}},
            {"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction","ec2:RunInstances"],"Resource":"*"}]}"#);
        assert!(dax.is_empty(), "{dax:?}");
        let ec2 = run(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}},
            {"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction","ec2:RunInstances"],"Resource":"*"}]}"#);
        assert_eq!(ec2.len(), 1, "{ec2:?}");
        assert!(
            ec2[0].message.contains("ec2:RunInstances"),
            "{}",
            ec2[0].message
        );
        assert_eq!(ec2[0].severity, Severity::Critical);
    }
}
