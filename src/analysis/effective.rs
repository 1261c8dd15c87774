//! What caps a subject's grants besides its own Allow statements: the role's permissions
//! boundary, explicit Deny statements (of its identity policies, of the boundary, of the
//! organization's SCPs and RCPs) and SCP allow lists. IAM allows a call only when an
//! identity policy allows it, the boundary allows it, every SCP level allows it, and no
//! Deny matches; this module answers, per catalog action, how far that leaves a grant.
//!
//! Everything is compared through the catalog like the grants are: action patterns and
//! `NotAction` by glob, resources by the action's ARN formats. What cannot be decided
//! offline stays a grant with a caveat: a Deny with a condition may or may not apply, and
//! a boundary that is not in the input (nor AWS managed) leaves effective access unknown.

use std::fmt;
use std::rc::Rc;

use super::grants::{reach_of, Reach};
use super::index::{Indexed, Prepared};
use super::managed;
use crate::catalog::{glob_match_ci, Action};
use crate::model::{
    FileModel, OrgPolicies, OrgPolicyKind, PolicyDocument, Role, Statement, ValueList,
};

/// What removed or narrowed a grant, for messages and `iamlint access`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source<'a> {
    /// The role's permissions boundary, by name.
    Boundary(&'a str),
    /// A Deny statement of the policy with this label (an identity or boundary policy).
    Deny(&'a str),
    /// A service control policy, by name: its Deny, or its allow list leaving the action out.
    Scp(&'a str),
    /// A resource control policy's Deny, by name.
    Rcp(&'a str),
}

impl fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Boundary(name) => write!(f, "the permissions boundary `{name}`"),
            Source::Deny(label) => write!(f, "a deny in {label}"),
            Source::Scp(name) => write!(f, "the SCP `{name}`"),
            Source::Rcp(name) => write!(f, "the RCP `{name}`"),
        }
    }
}

/// A policy that caps: its own document, or a shared AWS managed one.
enum Doc<'a> {
    Own(Prepared<'a>),
    Managed(&'static Prepared<'static>),
}

impl<'a> Doc<'a> {
    fn prepared(&self) -> &Prepared<'a> {
        match self {
            Doc::Own(p) => p,
            Doc::Managed(p) => p,
        }
    }
}

enum BoundaryLimit<'a> {
    Known {
        name: &'a str,
        doc: Doc<'a>,
    },
    /// Not in the input and not AWS managed: its ARN as written.
    Unknown(&'a str),
}

/// The organization's policies, prepared once per analysis and shared by every subject.
pub(crate) struct Org<'a> {
    /// SCPs that allow something: together, the allow list every call must be on.
    allow_lists: Vec<(&'a str, Prepared<'a>)>,
    /// Every SCP and RCP, for their Deny statements.
    denies: Vec<(Source<'a>, Prepared<'a>)>,
}

impl<'a> Org<'a> {
    pub(crate) fn new(org: Option<&'a OrgPolicies>) -> Rc<Org<'a>> {
        let mut out = Org {
            allow_lists: Vec::new(),
            denies: Vec::new(),
        };
        for policy in org.map(|o| o.policies.as_slice()).unwrap_or_default() {
            let name = policy.name.as_str();
            let source = match policy.kind {
                OrgPolicyKind::Scp => Source::Scp(name),
                OrgPolicyKind::Rcp => Source::Rcp(name),
            };
            // RCP Allow statements are AWS's `RCPFullAWSAccess`; they restrict nothing.
            if policy.kind == OrgPolicyKind::Scp && policy.document.allow_statements().count() > 0 {
                out.allow_lists
                    .push((name, Prepared::new(&policy.document)));
            }
            out.denies.push((source, Prepared::new(&policy.document)));
        }
        Rc::new(out)
    }
}

/// The limits on one subject.
pub(crate) struct Limits<'a> {
    boundary: Option<BoundaryLimit<'a>>,
    org: Rc<Org<'a>>,
}

/// A Deny with its source, as the evaluation reads it.
type DenyRef<'s, 'a> = (&'s Indexed<'a>, Source<'a>);

/// What the limits do to grants of one action.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cap<'a> {
    /// `Some(None)`: removed on every resource; `Some(Some(r))`: at most `r`; `None`: as
    /// granted.
    pub(crate) max: Option<Option<Reach>>,
    /// What removed or narrowed it the most.
    pub(crate) by: Option<Source<'a>>,
    /// The boundary is not in the input.
    pub(crate) unknown: Option<&'a str>,
    /// A Deny with a condition that would remove or narrow it.
    pub(crate) maybe: Option<Source<'a>>,
    /// Unconditional Denies on named resources: they remove grants on those resources only.
    named: Vec<(&'a Statement, Source<'a>)>,
}

impl<'a> Cap<'a> {
    /// Narrow to `reach` (`None`: nothing left), remembering the tightest source.
    fn narrow(&mut self, reach: Option<Reach>, by: Source<'a>) {
        if reach == Some(Reach::Any) {
            return;
        }
        let tighter = match self.max {
            None => true,
            Some(current) => reach < current,
        };
        if tighter {
            self.max = Some(reach);
            self.by = Some(by);
        }
    }

    /// The reach a grant keeps, or `None` with what removed it.
    pub(crate) fn apply(&self, statement: &Statement, reach: Reach) -> Result<Reach, Source<'a>> {
        if let Some((_, source)) = self.named.iter().find(|(d, _)| covers_named(d, statement)) {
            return Err(*source);
        }
        match self.max {
            None => Ok(reach),
            Some(None) => Err(self.by.unwrap_or(Source::Deny("a policy"))),
            Some(Some(max)) => Ok(reach.min(max)),
        }
    }

    /// Whether the grant at `reach` is narrowed (not removed) by a known limit.
    pub(crate) fn narrows(&self, reach: Reach) -> bool {
        matches!(self.max, Some(Some(max)) if max < reach)
    }
}

impl<'a> Limits<'a> {
    pub(crate) fn of(model: &'a FileModel, role: Option<&'a Role>, org: Rc<Org<'a>>) -> Self {
        Limits {
            boundary: role.and_then(|r| boundary_of(model, r)),
            org,
        }
    }

    /// The boundary's name and whether its document is known.
    pub(crate) fn boundary(&self) -> Option<(&'a str, bool)> {
        match &self.boundary {
            Some(BoundaryLimit::Known { name, .. }) => Some((name, true)),
            Some(BoundaryLimit::Unknown(text)) => Some((text, false)),
            None => None,
        }
    }

    /// The known boundary or SCP allow list that keeps the subject from some action on
    /// some resource: then no statement of it is "administrator access".
    pub(crate) fn restriction(&self) -> Option<Source<'a>> {
        let narrow = |p: &Prepared<'_>| {
            !p.allows.iter().any(|a| {
                a.verdict.never.is_none()
                    && a.statement.condition.is_empty()
                    && super::grants::grants_everything(a.statement)
            })
        };
        if let Some(BoundaryLimit::Known { name, doc }) = &self.boundary {
            if narrow(doc.prepared()) {
                return Some(Source::Boundary(name));
            }
        }
        let lists = &self.org.allow_lists;
        match lists.first() {
            Some((name, _)) if lists.iter().all(|(_, p)| narrow(p)) => Some(Source::Scp(name)),
            _ => None,
        }
    }

    /// What the boundary, the SCP allow lists and every Deny (the subject's own are passed
    /// in) do to grants of `action`.
    pub(crate) fn cap<'s>(
        &'s self,
        action: &Action<'_>,
        own_denies: impl Iterator<Item = DenyRef<'s, 'a>>,
    ) -> Cap<'a>
    where
        'a: 's,
    {
        let (service, name) = (action.service(), action.name());
        let mut cap = Cap::default();
        match &self.boundary {
            Some(BoundaryLimit::Known { name: b, doc }) => {
                cap.narrow(allowed_reach(doc.prepared(), action), Source::Boundary(b));
            }
            Some(BoundaryLimit::Unknown(text)) => cap.unknown = Some(text),
            None => {}
        }
        if !self.org.allow_lists.is_empty() {
            // One level of the organization: the union of its allow lists.
            let best = self
                .org
                .allow_lists
                .iter()
                .map(|(_, p)| allowed_reach(p, action))
                .max()
                .flatten();
            if let Some((first, _)) = self.org.allow_lists.first() {
                cap.narrow(best, Source::Scp(first));
            }
        }
        let boundary_denies = match &self.boundary {
            Some(BoundaryLimit::Known { name: b, doc }) => doc
                .prepared()
                .denies
                .iter()
                .map(|d| (d, Source::Boundary(b)))
                .collect(),
            _ => Vec::new(),
        };
        let org_denies = self
            .org
            .denies
            .iter()
            .flat_map(|(source, p)| p.denies.iter().map(move |d| (d, *source)));
        for (deny, source) in own_denies.chain(boundary_denies).chain(org_denies) {
            if deny.verdict.never.is_some()
                || !applies_to_caller(deny.statement)
                || deny.granting_value(service, name).is_none()
            {
                continue;
            }
            let Some(resources) = deny.statement.resource.as_ref() else {
                continue;
            };
            let left = if resources.negated {
                // Denied everywhere but the listed resources.
                let listed = ValueList {
                    negated: false,
                    ..resources.clone()
                };
                Some(reach_of(&listed, action))
            } else if reach_of(resources, action) == Some(Reach::Any) {
                Some(None)
            } else {
                None
            };
            let conditioned = !deny.statement.condition.is_empty();
            match (left, conditioned) {
                (Some(_), true) => {
                    cap.maybe.get_or_insert(source);
                }
                (Some(left), false) => cap.narrow(left, source),
                (None, false) => cap.named.push((deny.statement, source)),
                (None, true) => {}
            }
        }
        cap
    }
}

/// The widest reach the Allow statements of a capping policy give the action (conditions
/// left as they are: a boundary's condition does not make it deny).
fn allowed_reach(policy: &Prepared<'_>, action: &Action<'_>) -> Option<Reach> {
    let (service, name) = (action.service(), action.name());
    policy
        .allows
        .iter()
        .filter(|a| a.verdict.never.is_none() && a.granting_value(service, name).is_some())
        .filter_map(|a| {
            a.statement
                .resource
                .as_ref()
                .and_then(|r| reach_of(r, action))
        })
        .max()
}

/// Deny statements of SCPs and identity policies have no `Principal`; an RCP's applies
/// to everyone when it says `*`. A Deny for named principals is not about this caller.
fn applies_to_caller(statement: &Statement) -> bool {
    match &statement.principal {
        None => true,
        Some(p) => !p.negated && p.public_values().next().is_some(),
    }
}

/// Does an unconditional Deny on named resources cover every resource the Allow names?
fn covers_named(deny: &Statement, allow: &Statement) -> bool {
    let (Some(denied), Some(allowed)) = (deny.resource.as_ref(), allow.resource.as_ref()) else {
        return false;
    };
    !allowed.negated
        && !allowed.values.is_empty()
        && allowed.values.iter().all(|a| {
            a.resolved
                && denied
                    .values
                    .iter()
                    .any(|d| d.resolved && glob_match_ci(&d.text, &a.text))
        })
}

fn boundary_of<'a>(model: &'a FileModel, role: &'a Role) -> Option<BoundaryLimit<'a>> {
    let boundary = role.boundary.as_ref()?;
    if let Some(doc) = boundary.policy.and_then(|i| model.policies.get(i)) {
        let name = doc
            .label
            .as_deref()
            .and_then(|l| l.split('`').nth(1))
            .unwrap_or(boundary.name());
        return Some(BoundaryLimit::Known {
            name,
            doc: Doc::Own(Prepared::new(doc)),
        });
    }
    if let Some(resolved) = boundary.aws_managed.as_deref().and_then(managed::resolve) {
        return Some(BoundaryLimit::Known {
            name: resolved.policy.name,
            doc: Doc::Managed(&resolved.prepared),
        });
    }
    Some(BoundaryLimit::Unknown(&boundary.text))
}

/// The boundary that limits what a statement allows, for the style rules: every role
/// holding the policy has a known boundary that does not allow each of the statement's
/// action patterns on every resource. `None` when some holder has no such boundary.
pub(crate) fn limiting_boundary<'a>(
    model: &'a FileModel,
    policy: &PolicyDocument,
    statement: &Statement,
) -> Option<&'a str> {
    let index = model
        .policies
        .iter()
        .position(|p| std::ptr::eq(p, policy))?;
    let mut found = None;
    for role in model.roles.iter().filter(|r| r.policies.contains(&index)) {
        let Some(BoundaryLimit::Known { name, doc }) = boundary_of(model, role) else {
            return None;
        };
        if !limits(doc.prepared(), statement) {
            return None;
        }
        found.get_or_insert(name);
    }
    found
}

/// Does the boundary leave out some action pattern of the statement on some resource?
fn limits(boundary: &Prepared<'_>, statement: &Statement) -> bool {
    let patterns: Vec<&str> = match statement.action.as_ref() {
        Some(list) if !list.negated => list
            .values
            .iter()
            .filter(|v| v.resolved)
            .map(|v| v.text.as_str())
            .collect(),
        Some(_) => vec!["*"],
        None => return false,
    };
    let everywhere = |s: &Statement| {
        s.condition.is_empty()
            && s.resource
                .as_ref()
                .is_some_and(|r| !r.negated && r.values.iter().any(|v| v.is_star()))
    };
    let covers = |allow: &Statement, pattern: &str| {
        let Some(list) = allow.action.as_ref() else {
            return false;
        };
        if list.negated {
            // `NotAction` covers a pattern whose service it does not mention.
            let service = pattern.split_once(':').map_or("*", |(s, _)| s);
            return service != "*"
                && !list.values.iter().any(|v| {
                    v.text == "*"
                        || v.text
                            .split_once(':')
                            .is_some_and(|(s, _)| s.eq_ignore_ascii_case(service))
                });
        }
        list.values
            .iter()
            .any(|v| v.resolved && (v.text == "*" || glob_match_ci(&v.text, pattern)))
    };
    patterns.iter().any(|pattern| {
        !boundary
            .allows
            .iter()
            .any(|a| everywhere(a.statement) && covers(a.statement, pattern))
    })
}

/// The style rules still report a sloppy pattern under a boundary that limits it, but at
/// low severity and saying so: `findings` are those the rule just made for `statement`.
pub(crate) fn soften_for_boundary(
    analysis: &super::Analysis<'_>,
    policy: &PolicyDocument,
    statement: &Statement,
    findings: &mut [crate::finding::Finding],
) {
    if findings.is_empty() {
        return;
    }
    let Some(name) = analysis.limiting_boundary(policy, statement) else {
        return;
    };
    for finding in findings {
        finding.severity = crate::finding::Severity::Low;
        finding.message = format!(
            "{}; the permissions boundary `{name}` limits it",
            finding.message
        );
    }
}
