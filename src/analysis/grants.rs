//! What a role or a policy grants: for a catalog action, which Allow statement grants it and
//! how widely. Shared by the risk rules (`IAM2xx`).
//!
//! Who is analysed: each role of the file with all its identity policies (inline, attached,
//! SAM policy templates and AWS managed policies), and each identity policy that belongs
//! to no role (a raw policy file, a policy attached to users or groups). A policy of a role
//! is never analysed on its own as well. Resource, trust and boundary policies grant nothing
//! to the holder of a role: resource `*` in a key policy means "this key".
//!
//! Nothing is expanded: a statement keeps its `Action` patterns, indexed by service prefix,
//! and a question "does it grant `iam:PassRole`?" is a glob match against the `iam:` values
//! and full wildcards, so `*` and `NotAction` (the complement of its list) cost the same as
//! one action, never 22,000. Resources are compared with the catalog's ARN formats of the
//! asked action. An unconditional `Deny` on every resource takes actions away. AWS managed
//! policies are parsed and indexed once per process (see `managed`) and shared by every
//! role and rule.

use std::rc::Rc;

use super::conditions::has_bare_wildcard;
use super::effective::{Cap, Limits, Org, Source};
use super::index::Prepared;
use super::managed;
use super::verdict::Verdict;
use crate::catalog::{arn_is_effectively_wildcard, arn_matches_format, catalog, Action};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::model::{FileModel, PolicyDocument, PolicyKind, Related, Role, Statement, ValueList};
use crate::source::{FileId, Span};
use crate::util::english::code_list;

/// How much of an action's resources a statement reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reach {
    /// Only the caller's own user (`user/${aws:username}`): the self-service pattern.
    Own,
    /// Named resources (`arn:aws:iam::111122223333:role/app`, `${Fn.Arn}`).
    Named,
    /// A wildcard picks several (`role/app-*`, `function:*` in one account is `Any`).
    Pattern,
    /// Every resource of the action: `*`, `NotResource`, `arn:aws:iam::*:role/*`.
    Any,
}

/// One Allow statement granting an action.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Grant<'a> {
    pub file: FileId,
    /// The `Action` value that grants (or the `NotAction` key).
    pub span: Span,
    /// That value's text, or `NotAction`.
    pub text: &'a str,
    pub statement: &'a Statement,
    pub policy: &'a PolicyDocument,
    pub reach: Reach,
    /// What the statement reaches before the boundary, organization policies and Denies.
    pub granted: Reach,
    /// What the statement's conditions do to the grant.
    pub verdict: &'a Verdict,
    /// What the boundary, organization policies and conditioned Denies do to it.
    pub caveat: Caveat<'a>,
}

/// What limits outside the granting statement leave narrowed or unsure about a grant.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Caveat<'a> {
    /// A boundary, SCP or Deny narrowed what the statement reaches.
    pub narrowed_by: Option<Source<'a>>,
    /// The role's boundary is not in the input: its ARN.
    pub unknown_boundary: Option<&'a str>,
    /// A Deny with a condition covers the grant and may take it away.
    pub maybe_denied: Option<Source<'a>>,
    /// A known boundary or SCP allow list leaves out some action or resource.
    pub restricted: bool,
}

impl Caveat<'_> {
    /// The end of a finding's message: `; effective access not known: ...`, or empty.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        if let Some(arn) = self.unknown_boundary {
            out.push_str(&format!(
                "; effective access not known: the boundary `{arn}` is not in the input"
            ));
        }
        if let Some(source) = self.maybe_denied {
            let whose = match source {
                Source::Deny(label) => label.to_string(),
                other => other.to_string(),
            };
            out.push_str(&format!(
                "; a deny with a condition in {whose} may apply and remove it"
            ));
        }
        out
    }
}

impl Grant<'_> {
    /// Whether the statement grants everything (`*`, `iam:*`, `NotAction` on `*`) and no
    /// boundary, organization policy or Deny narrows it.
    pub(crate) fn is_admin(&self) -> bool {
        grants_everything(self.statement)
            && !self.caveat.restricted
            && self.caveat.narrowed_by.is_none()
    }

    /// What a boundary, SCP or Deny narrowed or leaves unsure about the grant, for the end
    /// of a message.
    pub(crate) fn caveat(&self) -> String {
        let narrowed = match self.caveat.narrowed_by {
            Some(source) => format!(
                "; {source} leaves it only {}",
                match self.reach {
                    Reach::Own => "the caller's own user",
                    Reach::Named => "named resources",
                    Reach::Pattern => "resources matching a pattern",
                    Reach::Any => "every resource",
                }
            ),
            None => String::new(),
        };
        format!("{narrowed}{}", self.caveat.text())
    }

    /// The severity after the statement's narrowing conditions: one step lower.
    pub(crate) fn severity(&self, severity: Severity) -> Severity {
        if self.verdict.narrows() {
            severity.lowered()
        } else {
            severity
        }
    }

    /// How to name the grant in a message: the value (`` `s3:*` ``), or the policy when the
    /// user did not write the statement (SAM policy template, AWS managed policy).
    pub(crate) fn origin(&self) -> String {
        match (&self.policy.label, self.policy.synthesized) {
            (Some(label), true) => label.clone(),
            _ => format!("`{}`", self.text),
        }
    }
}

/// Who holds the permissions.
pub enum Holder<'a> {
    Role { role: &'a Role, index: usize },
    Policy,
}

/// A policy of the subject: its own, or a shared AWS managed policy and the place in the
/// template that attaches it (where findings about it point).
enum Held<'a> {
    Own(Prepared<'a>),
    Managed(&'static Prepared<'static>, FileId, Span),
}

impl<'a> Held<'a> {
    fn prepared(&self) -> &Prepared<'a> {
        match self {
            Held::Own(p) => p,
            Held::Managed(p, _, _) => p,
        }
    }

    fn place(&self, span: Span) -> (FileId, Span) {
        match self {
            Held::Own(p) => (p.policy.file, span),
            Held::Managed(_, file, at) => (*file, *at),
        }
    }
}

/// A role with all its identity policies, or a policy of no role.
pub struct Subject<'a> {
    pub holder: Holder<'a>,
    model: &'a FileModel,
    policies: Vec<Held<'a>>,
    /// For a role whose trust policy trusts AWS services and nothing else: those services
    /// (`cloudformation.amazonaws.com`), lower case. `None` for anything else, or when the
    /// trust policy is not in the file.
    trusted_services: Option<Vec<String>>,
    /// The boundary and organization policies that cap its grants.
    limits: Limits<'a>,
}

/// Actions a role session cannot call: AWS accepts them only with long-term user keys.
const USER_ONLY_ACTIONS: &[&str] = &["sts:GetFederationToken", "sts:GetSessionToken"];

impl<'a> Subject<'a> {
    /// Every subject of the file: roles first, in order, then the policies of no role.
    pub(crate) fn all(model: &'a FileModel, org: &Rc<Org<'a>>) -> Vec<Subject<'a>> {
        let mut out = Vec::new();
        for (index, role) in model.roles.iter().enumerate() {
            let trusted_services = trusted_services(model, role, index);
            let mut policies: Vec<Held<'a>> = role
                .policies
                .iter()
                .filter_map(|&i| model.policies.get(i))
                .filter(|p| p.kind == PolicyKind::Identity)
                .map(|p| Held::Own(Prepared::new(p)))
                .collect();
            for reference in role.managed_policies.iter().filter(|r| r.aws_managed) {
                if let Some(resolved) = managed::resolve(&reference.name) {
                    // AWS's service-role policy for the very service that alone assumes
                    // the role is the setup AWS prescribes, not the role's choice.
                    if prescribed(resolved.policy, trusted_services.as_deref()) {
                        continue;
                    }
                    policies.push(Held::Managed(&resolved.prepared, role.file, reference.span));
                }
            }
            if !policies.is_empty() {
                out.push(Subject {
                    holder: Holder::Role { role, index },
                    model,
                    policies,
                    trusted_services,
                    limits: Limits::of(model, Some(role), Rc::clone(org)),
                });
            }
        }
        for (index, policy) in model.policies.iter().enumerate() {
            // A boundary limits its roles; it grants nothing of its own.
            let in_role = model.roles.iter().any(|r| {
                r.policies.contains(&index)
                    || r.boundary.as_ref().is_some_and(|b| b.policy == Some(index))
            });
            if !in_role && policy.kind == PolicyKind::Identity {
                out.push(Subject {
                    holder: Holder::Policy,
                    model,
                    policies: vec![Held::Own(Prepared::new(policy))],
                    trusted_services: None,
                    limits: Limits::of(model, None, Rc::clone(org)),
                });
            }
        }
        out
    }

    /// A CloudFormation service role: trusted by CloudFormation and nothing else. Creating
    /// what a template declares, roles and functions included, is its job.
    pub(crate) fn is_deployment_role(&self) -> bool {
        self.trusted_services.as_deref().is_some_and(|services| {
            services
                .iter()
                .all(|s| s.starts_with("cloudformation.amazonaws.com"))
        })
    }

    /// A cheap first test: can some Allow of the subject name actions of this service?
    pub(crate) fn may_grant(&self, service_lower: &str) -> bool {
        self.policies
            .iter()
            .any(|h| h.prepared().may_grant(service_lower))
    }

    /// The boundary as the subject's limits know it: its name, and whether it is resolved.
    pub(crate) fn boundary(&self) -> Option<(&str, bool)> {
        self.limits.boundary()
    }

    /// The file of the role (or of the policy, for a policy of no role).
    pub(crate) fn role_file(&self) -> Option<FileId> {
        match self.holder {
            Holder::Role { role, .. } => Some(role.file),
            Holder::Policy => self.policies.first().map(|h| h.prepared().policy.file),
        }
    }

    /// The functions that run as the subject's role.
    pub(crate) fn functions(&self) -> Vec<&'a crate::model::Function> {
        match self.holder {
            Holder::Role { index, .. } => self.model.functions_of_role(index).collect(),
            Holder::Policy => Vec::new(),
        }
    }

    /// Whether functions of the file run as the role.
    pub(crate) fn has_functions(&self) -> bool {
        match self.holder {
            Holder::Role { index, .. } => self.model.functions_of_role(index).next().is_some(),
            Holder::Policy => false,
        }
    }

    /// The boundary or SCP allow list that keeps the holder from some action or resource.
    pub(crate) fn restriction(&self) -> Option<Source<'_>> {
        self.limits.restriction()
    }

    /// The role's index in the model, for a role.
    pub(crate) fn role_index(&self) -> Option<usize> {
        match self.holder {
            Holder::Role { index, .. } => Some(index),
            Holder::Policy => None,
        }
    }

    /// The role's logical id, for a role.
    pub(crate) fn role_id(&self) -> Option<&str> {
        match self.holder {
            Holder::Role { role, .. } => Some(role.logical_id.as_str()),
            Holder::Policy => None,
        }
    }

    /// For messages: "function `Fn`" for a role SAM made for it, "role `R`", or "its holder".
    pub(crate) fn name(&self) -> String {
        match self.holder {
            Holder::Role { role, index } => {
                let functions: Vec<String> = self
                    .model
                    .functions_of_role(index)
                    .map(|f| f.display_name())
                    .collect();
                if role.origin.is_generated() && !functions.is_empty() {
                    format!("function {}", functions.join(", "))
                } else {
                    format!("role `{}`", role.logical_id)
                }
            }
            Holder::Policy => "its holder".into(),
        }
    }

    /// The role and its functions, as related locations.
    pub(crate) fn context(&self) -> Vec<Related> {
        let Holder::Role { role, index } = self.holder else {
            return Vec::new();
        };
        let mut related = Vec::new();
        if !role.origin.is_generated() {
            related.push(Related {
                label: format!("role `{}`", role.logical_id),
                file: role.file,
                span: role.span,
            });
        }
        related.extend(self.model.functions_of_role(index).map(|f| Related {
            label: format!("function {}", f.display_name()),
            file: f.file,
            span: f.span,
        }));
        related
    }

    /// The widest Allow statement granting `action` (`"iam:PassRole"`), the first one on a
    /// tie; `None` when nothing grants it, an unconditional Deny takes it away, or every
    /// granting statement has a condition that cannot match for this holder.
    pub(crate) fn grant(&self, action: &str) -> Option<Grant<'_>> {
        self.grant_where(action, |_| true)
    }

    /// As `grant`, among the grants `keep` accepts (`iam:PassRole` to a given service).
    pub(crate) fn grant_where(
        &self,
        action: &str,
        keep: impl Fn(&Grant<'_>) -> bool,
    ) -> Option<Grant<'_>> {
        self.evaluate(action, keep).ok().flatten()
    }

    /// The widest grant of `action` as the identity policies alone give it, and what the
    /// boundary, organization policies and Denies leave of it: `Ok(None)` when nothing
    /// grants it, `Err(source)` when something granted it and `source` took it away.
    pub(crate) fn evaluate(
        &self,
        action: &str,
        keep: impl Fn(&Grant<'_>) -> bool,
    ) -> Result<Option<Grant<'_>>, Source<'_>> {
        let Some(prefix) = action.split_once(':').map(|(p, _)| p) else {
            return Ok(None);
        };
        // The audit lists spell prefixes in lower case already; lower-case only when needed.
        let lowered;
        let service = if prefix.bytes().any(|b| b.is_ascii_uppercase()) {
            lowered = prefix.to_ascii_lowercase();
            lowered.as_str()
        } else {
            prefix
        };
        if !self
            .policies
            .iter()
            .any(|h| h.prepared().may_grant(service))
        {
            return Ok(None);
        }
        if matches!(self.holder, Holder::Role { .. })
            && USER_ONLY_ACTIONS
                .iter()
                .any(|a| a.eq_ignore_ascii_case(action))
        {
            return Ok(None);
        }
        let Some(action) = catalog().action(action) else {
            return Ok(None);
        };
        let (service, name) = (action.service(), action.name());
        let cap: Cap<'_> = self.limits.cap(
            &action,
            self.policies.iter().flat_map(|h| {
                let prepared = h.prepared();
                let label = prepared.policy.label.as_deref().unwrap_or("its policy");
                prepared
                    .denies
                    .iter()
                    .map(move |d| (d, Source::Deny(label)))
            }),
        );
        let restricted = self.limits.restriction().is_some();
        let service_session = self.trusted_services.is_some();
        let mut best: Option<Grant<'_>> = None;
        let mut removed: Option<Source<'_>> = None;
        for held in &self.policies {
            let prepared = held.prepared();
            for indexed in &prepared.allows {
                let verdict = &indexed.verdict;
                if verdict.never.is_some() || (verdict.requires_mfa && service_session) {
                    continue;
                }
                let Some((span, text)) = indexed.granting_value(service, name) else {
                    continue;
                };
                let Some(granted) = reach(indexed.statement, &action) else {
                    continue;
                };
                let reach = match cap.apply(indexed.statement, granted) {
                    Ok(reach) => reach,
                    Err(source) => {
                        removed.get_or_insert(source);
                        continue;
                    }
                };
                if best.is_none_or(|b| reach > b.reach) {
                    let (file, span) = held.place(span);
                    let grant = Grant {
                        file,
                        span,
                        text,
                        statement: indexed.statement,
                        policy: prepared.policy,
                        reach,
                        granted,
                        verdict,
                        caveat: Caveat {
                            narrowed_by: if cap.narrows(granted) { cap.by } else { None },
                            unknown_boundary: cap.unknown,
                            maybe_denied: cap.maybe,
                            restricted,
                        },
                    };
                    if !keep(&grant) {
                        continue;
                    }
                    best = Some(grant);
                    // Nothing reaches further than every resource, and ties keep the first.
                    if reach == Reach::Any {
                        return Ok(best);
                    }
                }
            }
        }
        match (best, removed) {
            (None, Some(source)) => Err(source),
            (best, _) => Ok(best),
        }
    }

    /// The grants of several actions with at least `min` reach, grouped by granting value
    /// in order of appearance: `s3:*` on `*` gives one group with `s3:GetObject` and
    /// `s3:GetObjectVersion`.
    pub(crate) fn grouped<'s, T: Copy>(
        &'s self,
        actions: &[(&'static str, T)],
        min: Reach,
    ) -> Vec<(Grant<'s>, Vec<(&'static str, T)>)> {
        let mut groups: Vec<(Grant<'s>, Vec<(&'static str, T)>)> = Vec::new();
        for &(action, extra) in actions {
            let Some(grant) = self.grant(action).filter(|g| g.reach >= min) else {
                continue;
            };
            match groups
                .iter_mut()
                .find(|(g, _)| g.file == grant.file && g.span == grant.span)
            {
                Some((_, list)) => list.push((action, extra)),
                None => groups.push((grant, vec![(action, extra)])),
            }
        }
        groups.sort_by_key(|(g, _)| (g.file, g.span.start, g.span.end));
        groups
    }

    /// As `grouped`, but one group per statement, with every granting value of it in
    /// order: a statement listing `s3:GetObject` and `ssm:GetParameter` gives one group.
    #[allow(clippy::type_complexity)]
    pub(crate) fn by_statement<'s, T: Copy>(
        &'s self,
        actions: &[(&'static str, T)],
        min: Reach,
    ) -> Vec<(Vec<Grant<'s>>, Vec<(&'static str, T)>)> {
        let mut groups: Vec<(Vec<Grant<'s>>, Vec<(&'static str, T)>)> = Vec::new();
        for (grant, list) in self.grouped(actions, min) {
            let same =
                |g: &Grant<'_>| std::ptr::eq(g.statement, grant.statement) && g.file == grant.file;
            match groups.iter_mut().find(|(g, _)| same(&g[0])) {
                Some((grants, all)) => {
                    grants.push(grant);
                    all.extend(list);
                }
                None => groups.push((vec![grant], list)),
            }
        }
        groups
    }
}

/// The AWS services a role's trust policy trusts, when its Allow statements trust services
/// only (lower case, values known); `None` when it trusts anything else or is unknown.
/// A role SAM generates for a function trusts Lambda; other roles' trust policies are the
/// trust documents the loader relates to the role's resource.
fn trusted_services(model: &FileModel, role: &Role, index: usize) -> Option<Vec<String>> {
    if role.origin.is_generated() {
        return model
            .functions_of_role(index)
            .next()
            .map(|_| vec!["lambda.amazonaws.com".to_string()]);
    }
    let trust = model.policies.iter().find(|p| {
        p.kind == PolicyKind::Trust
            && p.related
                .iter()
                .any(|r| r.file == role.file && r.span == role.span)
    })?;
    let mut services = Vec::new();
    for statement in trust.allow_statements() {
        let principal = statement.principal.as_ref()?;
        if principal.negated {
            return None;
        }
        for entry in &principal.entries {
            if entry.kind.value != "Service" {
                return None;
            }
            for value in &entry.values {
                if !value.resolved || value.is_star() {
                    return None;
                }
                let service = value.text.trim().to_ascii_lowercase();
                if !services.contains(&service) {
                    services.push(service);
                }
            }
        }
    }
    (!services.is_empty()).then_some(services)
}

/// AWS managed policies outside `service-role/` that AWS documents as the setup for a role
/// the named service assumes (an EC2 instance profile managed by Systems Manager).
const PRESCRIBED_FOR: &[(&str, &str)] = &[
    ("AmazonSSMManagedInstanceCore", "ec2.amazonaws.com"),
    (
        "AmazonSSMManagedEC2InstanceDefaultPolicy",
        "ec2.amazonaws.com",
    ),
    ("CloudWatchAgentServerPolicy", "ec2.amazonaws.com"),
];

/// An AWS service-role policy (`service-role/AWSBatchServiceRole`) named after a service
/// that alone may assume the role (`batch.amazonaws.com`): the name holds the service's
/// principal without punctuation (`ecs-tasks` in `AmazonECSTaskExecutionRolePolicy`).
fn prescribed(policy: &crate::managed::ManagedPolicy, services: Option<&[String]>) -> bool {
    let Some(services) = services else {
        return false;
    };
    // Policies AWS documents for a service's role whose name does not say the service:
    // Systems Manager's and the CloudWatch agent's policies for instance profiles.
    let documented = PRESCRIBED_FOR.iter().any(|(name, service)| {
        policy.name == *name && services.iter().all(|s| s.starts_with(service))
    });
    if documented {
        return true;
    }
    let name = policy.name.to_ascii_lowercase();
    policy.arn.contains(":policy/service-role/")
        && services.iter().any(|service| {
            let token: String = service
                .split('.')
                .next()
                .unwrap_or_default()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            !token.is_empty() && name.contains(&token)
        })
}

/// An Allow that grants everything: `*`, `iam:*` (the holder can give itself anything) or
/// `NotAction`, on every resource. Grants whose condition never matches are dropped before.
pub(crate) fn grants_everything(statement: &Statement) -> bool {
    let every_resource = statement
        .resource
        .as_ref()
        .is_some_and(|r| !r.negated && r.values.iter().any(|v| v.is_star()));
    let Some(actions) = statement.action.as_ref() else {
        return false;
    };
    let all = actions.negated
        || actions.values.iter().any(|v| {
            v.resolved && matches!(v.text.to_ascii_lowercase().as_str(), "*" | "*:*" | "iam:*")
        });
    statement.is_allow() && every_resource && all
}

/// How widely the statement's resources cover the action's; `None` when they cannot
/// include any resource the action works on.
fn reach(statement: &Statement, action: &Action<'_>) -> Option<Reach> {
    reach_of(statement.resource.as_ref()?, action)
}

/// How widely a `Resource` (or `NotResource`) list covers the action's resources.
pub(crate) fn reach_of(resources: &ValueList, action: &Action<'_>) -> Option<Reach> {
    if resources.negated {
        return Some(Reach::Any);
    }
    let formats: Vec<&str> = action
        .resource_types()
        .map(|r| r.arn_format)
        .filter(|f| !f.is_empty() && *f != "*")
        .collect();
    let mut best = None;
    for value in &resources.values {
        // AWS managed policies (`arn:aws:iam::aws:policy/...`) cannot be changed by anyone.
        if is_aws_managed_policy_arn(&value.text) {
            continue;
        }
        // IAM refuses to change a service-linked role's policies or trust: only the
        // service that owns it does.
        if action.service() == "iam" && is_service_linked_role_arn(&value.text) {
            continue;
        }
        if is_own_user(&value.text) {
            best = best.max(Some(Reach::Own));
            continue;
        }
        let every = value.is_star()
            || formats
                .iter()
                .any(|f| arn_is_effectively_wildcard(&value.text, f));
        let found = if every {
            Some(Reach::Any)
        } else if formats.iter().any(|f| arn_matches_format(&value.text, f)) {
            Some(
                if has_bare_wildcard(&value.text) && !names_one_by_id(&value.text, &formats) {
                    Reach::Pattern
                } else {
                    Reach::Named
                },
            )
        } else {
            None
        };
        best = best.max(found);
        if best == Some(Reach::Any) {
            break;
        }
    }
    best
}

/// `stack/orders-api/*`: one named resource, any of the IDs AWS gives it, for formats that
/// end in such an ID (`stack/${StackName}/${Id}`).
fn names_one_by_id(text: &str, formats: &[&str]) -> bool {
    text.strip_suffix("/*").is_some_and(|named| {
        !has_bare_wildcard(named)
            && formats
                .iter()
                .any(|f| f.ends_with("/${Id}") && arn_matches_format(text, f))
    })
}

/// `arn:aws:iam::aws:policy/...` in any partition.
fn is_aws_managed_policy_arn(text: &str) -> bool {
    text.starts_with("arn:") && text.contains(":iam::aws:policy/")
}

/// `arn:aws:iam::111122223333:role/aws-service-role/...` in any partition or account.
fn is_service_linked_role_arn(text: &str) -> bool {
    text.starts_with("arn:") && text.contains(":role/aws-service-role/")
}

/// `arn:aws:iam::111122223333:user/${aws:username}` (any path or account): only the caller.
fn is_own_user(text: &str) -> bool {
    text.starts_with("arn:")
        && text.contains(":iam:")
        && text.contains(":user/")
        && text.ends_with("/${aws:username}")
}

/// One finding per statement for actions that are dangerous on every resource (the
/// data-read, credential and resource-policy lists): "`s3:*` allows `s3:GetObject` on every
/// resource: {consequence}". The severity is the highest of the granted actions, one step
/// lower under a narrowing condition. Statements that grant everything are left to the one
/// administrator finding of `privilege-escalation`, and CloudFormation service roles, whose
/// job is to create and change resources, are left out.
pub(crate) fn report_on_every_resource(
    meta: &'static RuleMeta,
    analysis: &super::Analysis<'_>,
    actions: &[(&'static str, Severity)],
    consequence: impl Fn(&str) -> String,
    help: &str,
    out: &mut Vec<Finding>,
) {
    for subject in analysis.subjects() {
        if subject.is_deployment_role() {
            continue;
        }
        for (grants, granted) in subject.by_statement(actions, Reach::Any) {
            let grant = grants[0];
            if grant.is_admin() {
                continue;
            }
            let names: Vec<&str> = granted.iter().map(|(a, _)| *a).collect();
            let severity = granted
                .iter()
                .map(|(_, s)| *s)
                .max()
                .unwrap_or(meta.severity);
            let itself = grants.iter().all(|g| {
                !g.policy.synthesized && names.iter().any(|n| n.eq_ignore_ascii_case(g.text))
            }) && grants.len() == names.len();
            let lead = if itself {
                format!("{} on every resource", code_list(&names, 4))
            } else {
                let mut origins: Vec<String> = Vec::new();
                for g in &grants {
                    let origin = g.origin();
                    if !origins.contains(&origin) {
                        origins.push(origin);
                    }
                }
                format!(
                    "{} {} {} on every resource",
                    crate::util::english::and_list(&origins),
                    if origins.len() == 1 {
                        "allows"
                    } else {
                        "allow"
                    },
                    code_list(&names, 4)
                )
            };
            out.push(
                Finding::new(
                    meta,
                    grant.file,
                    grant.span,
                    format!(
                        "{lead}{}: {}{}",
                        grant.verdict.because(),
                        consequence(&subject.name()),
                        grant.caveat(),
                    ),
                )
                .severity(grant.severity(severity))
                .help(help)
                .related(subject.context()),
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::index::pattern_matches;
    use crate::load::policy_reader::{read_policy, Literal};
    use crate::syntax::parse_json;

    pub(crate) fn policy_model(json: &str) -> FileModel {
        let doc = parse_json(json).expect("valid JSON");
        let root = doc.roots.first().expect("one root");
        FileModel {
            policies: vec![read_policy(root, 0, None, &Literal)],
            ..FileModel::default()
        }
    }

    fn reach_of(json: &str, action: &str) -> Option<Reach> {
        let model = policy_model(json);
        let subjects = Subject::all(&model, &Org::new(None));
        subjects[0].grant(action).map(|g| g.reach)
    }

    fn statement(action: &str, resource: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",{action},{resource}}}]}}"#
        )
    }

    #[test]
    fn globs_ignore_case_and_cover_star() {
        assert!(pattern_matches("*", "iam", "PassRole"));
        assert!(pattern_matches("IAM:pass*", "iam", "PassRole"));
        assert!(pattern_matches("iam:P?ssRole", "iam", "PassRole"));
        assert!(!pattern_matches("iam:Pass", "iam", "PassRole"));
        assert!(!pattern_matches("s3:*", "iam", "PassRole"));
        assert!(!pattern_matches("iam", "iam", "PassRole"));
    }

    #[test]
    fn reach_follows_the_resource_formats() {
        let s = |r: &str| {
            statement(
                r#""Action":"iam:PassRole""#,
                &format!(r#""Resource":"{r}""#),
            )
        };
        assert_eq!(reach_of(&s("*"), "iam:PassRole"), Some(Reach::Any));
        assert_eq!(
            reach_of(&s("arn:aws:iam::*:role/*"), "iam:PassRole"),
            Some(Reach::Any)
        );
        assert_eq!(
            reach_of(&s("arn:aws:iam::111122223333:role/app-*"), "iam:PassRole"),
            Some(Reach::Pattern)
        );
        assert_eq!(
            reach_of(&s("arn:aws:iam::111122223333:role/app"), "iam:PassRole"),
            Some(Reach::Named)
        );
        assert_eq!(reach_of(&s("arn:aws:s3:::bucket/*"), "iam:PassRole"), None);
        // Star-only actions need `*`.
        let e = |r: &str| statement(r#""Action":"ecr:*""#, &format!(r#""Resource":"{r}""#));
        assert_eq!(
            reach_of(&e("*"), "ecr:GetAuthorizationToken"),
            Some(Reach::Any)
        );
        assert_eq!(
            reach_of(
                &e("arn:aws:ecr:us-east-1:111122223333:repository/x"),
                "ecr:GetAuthorizationToken"
            ),
            None
        );
    }

    #[test]
    fn not_action_is_the_complement_and_not_resource_is_any() {
        let json = statement(
            r#""NotAction":["iam:*","sts:*"]"#,
            r#""NotResource":"arn:aws:s3:::private/*""#,
        );
        assert_eq!(reach_of(&json, "s3:GetObject"), Some(Reach::Any));
        assert_eq!(reach_of(&json, "iam:PassRole"), None);
        let model = policy_model(&json);
        let subjects = Subject::all(&model, &Org::new(None));
        assert_eq!(
            subjects[0].grant("s3:GetObject").map(|g| g.text),
            Some("NotAction")
        );
    }

    #[test]
    fn an_unconditional_deny_takes_actions_away() {
        let json = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"iam:*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
        assert_eq!(reach_of(json, "iam:PassRole"), None);
        assert_eq!(reach_of(json, "s3:GetObject"), Some(Reach::Any));
    }

    #[test]
    fn denies_narrow_remove_or_may_apply() {
        // `NotResource`: denied everywhere but the listed roles, so only those are left.
        let json = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},
            {"Effect":"Deny","Action":"iam:*","NotResource":"arn:aws:iam::*:role/app-*"}]}"#;
        let model = policy_model(json);
        let subjects = Subject::all(&model, &Org::new(None));
        let grant = subjects[0].grant("iam:PassRole").unwrap();
        assert_eq!((grant.granted, grant.reach), (Reach::Any, Reach::Pattern));
        assert!(grant.caveat.narrowed_by.is_some() && !grant.is_admin());
        // A Deny naming every resource the Allow names removes it.
        let json = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/2024/*"},
            {"Effect":"Deny","Action":"s3:Get*","Resource":"arn:aws:s3:::reports/*"}]}"#;
        let model = policy_model(json);
        let subjects = Subject::all(&model, &Org::new(None));
        assert!(matches!(
            subjects[0].evaluate("s3:GetObject", |_| true),
            Err(Source::Deny(_))
        ));
        // A Deny on other resources leaves the grant alone.
        assert_eq!(
            reach_of_json(
                r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"},
            {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}"#
            ),
            Some(Reach::Pattern)
        );
        // With a condition, the Deny removes nothing for sure and the caveat says so.
        let json = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceAccount":"111122223333"}}}]}"#;
        let model = policy_model(json);
        let subjects = Subject::all(&model, &Org::new(None));
        let grant = subjects[0].grant("s3:GetObject").unwrap();
        assert_eq!(grant.reach, Reach::Any);
        assert!(grant.caveat().contains("may apply"), "{}", grant.caveat());
    }

    fn reach_of_json(json: &str) -> Option<Reach> {
        reach_of(json, "s3:GetObject")
    }

    #[test]
    fn groups_by_granting_value() {
        let json = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["s3:*","ssm:GetParameter"],"Resource":"*"}]}"#;
        let model = policy_model(json);
        let subjects = Subject::all(&model, &Org::new(None));
        let groups = subjects[0].grouped(
            &[
                ("s3:GetObject", ()),
                ("ssm:GetParameter", ()),
                ("s3:GetObjectVersion", ()),
            ],
            Reach::Any,
        );
        let texts: Vec<(&str, usize)> = groups.iter().map(|(g, l)| (g.text, l.len())).collect();
        assert_eq!(texts, vec![("s3:*", 2), ("ssm:GetParameter", 1)]);
    }

    #[test]
    fn resource_and_boundary_policies_are_not_subjects() {
        let json = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}"#;
        assert!(Subject::all(&policy_model(json), &Org::new(None)).is_empty());
    }

    #[test]
    fn code_lists() {
        assert_eq!(code_list(&["a"], 3), "`a`");
        assert_eq!(code_list(&["a", "b", "c"], 3), "`a`, `b` and `c`");
        assert_eq!(code_list(&["a", "b", "c", "d"], 2), "`a`, `b` and 2 more");
    }

    #[test]
    fn per_policy_work_stays_small() {
        let json = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/fn:*"},
            {"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::bucket/*"},
            {"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/orders"},
            {"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#;
        let model = policy_model(json);
        let start = std::time::Instant::now();
        let rounds = 50;
        for _ in 0..rounds {
            let subjects = Subject::all(&model, &Org::new(None));
            for action in [
                "iam:PassRole",
                "s3:GetObject",
                "kms:Decrypt",
                "lambda:CreateFunction",
                "sts:AssumeRole",
            ] {
                std::hint::black_box(subjects[0].grant(action));
            }
        }
        let per_round = start.elapsed() / rounds;
        // Generous for debug builds on slow CI; release is far below.
        assert!(
            per_round < std::time::Duration::from_millis(5),
            "{per_round:?}"
        );
    }
}
