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

use super::conditions::has_bare_wildcard;
use super::index::Prepared;
use super::managed;
use super::statement::scoped_severity;
use crate::catalog::{arn_is_effectively_wildcard, arn_matches_format, catalog, Action};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::model::{FileModel, PolicyDocument, PolicyKind, Related, Role, Statement};
use crate::source::{FileId, Span};
use crate::util::english::code_list;

/// How much of an action's resources a statement reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reach {
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
}

impl Grant<'_> {
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
}

impl<'a> Subject<'a> {
    /// Every subject of the file: roles first, in order, then the policies of no role.
    pub(crate) fn all(model: &'a FileModel) -> Vec<Subject<'a>> {
        let mut out = Vec::new();
        for (index, role) in model.roles.iter().enumerate() {
            let mut policies: Vec<Held<'a>> = role
                .policies
                .iter()
                .filter_map(|&i| model.policies.get(i))
                .filter(|p| p.kind == PolicyKind::Identity)
                .map(|p| Held::Own(Prepared::new(p)))
                .collect();
            for reference in role.managed_policies.iter().filter(|r| r.aws_managed) {
                if let Some(resolved) = managed::resolve(&reference.name) {
                    policies.push(Held::Managed(&resolved.prepared, role.file, reference.span));
                }
            }
            if !policies.is_empty() {
                out.push(Subject {
                    holder: Holder::Role { role, index },
                    model,
                    policies,
                });
            }
        }
        for (index, policy) in model.policies.iter().enumerate() {
            let in_role = model.roles.iter().any(|r| r.policies.contains(&index));
            if !in_role && policy.kind == PolicyKind::Identity {
                out.push(Subject {
                    holder: Holder::Policy,
                    model,
                    policies: vec![Held::Own(Prepared::new(policy))],
                });
            }
        }
        out
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
    /// tie; `None` when nothing grants it or an unconditional Deny takes it away.
    pub(crate) fn grant(&self, action: &str) -> Option<Grant<'_>> {
        let prefix = action.split_once(':')?.0;
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
            return None;
        }
        let action = catalog().action(action)?;
        let (service, name) = (action.service(), action.name());
        let denied = self
            .policies
            .iter()
            .flat_map(|h| &h.prepared().denies)
            .any(|d| d.granting_value(service, name).is_some());
        if denied {
            return None;
        }
        let mut best: Option<Grant<'_>> = None;
        for held in &self.policies {
            let prepared = held.prepared();
            for indexed in &prepared.allows {
                let Some((span, text)) = indexed.granting_value(service, name) else {
                    continue;
                };
                let Some(reach) = reach(indexed.statement, &action) else {
                    continue;
                };
                if best.is_none_or(|b| reach > b.reach) {
                    let (file, span) = held.place(span);
                    best = Some(Grant {
                        file,
                        span,
                        text,
                        statement: indexed.statement,
                        policy: prepared.policy,
                        reach,
                    });
                    // Nothing reaches further than every resource, and ties keep the first.
                    if reach == Reach::Any {
                        return best;
                    }
                }
            }
        }
        best
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
}

/// How widely the statement's resources cover the action's; `None` when they cannot
/// include any resource the action works on.
fn reach(statement: &Statement, action: &Action<'_>) -> Option<Reach> {
    let resources = statement.resource.as_ref()?;
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
        let every = value.is_star()
            || formats
                .iter()
                .any(|f| arn_is_effectively_wildcard(&value.text, f));
        let found = if every {
            Some(Reach::Any)
        } else if formats.iter().any(|f| arn_matches_format(&value.text, f)) {
            Some(if has_bare_wildcard(&value.text) {
                Reach::Pattern
            } else {
                Reach::Named
            })
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

/// One finding per granting value for actions that are dangerous on every resource (the
/// data-read, credential and resource-policy lists): "`s3:*` allows `s3:GetObject` on every
/// resource: {consequence}". The severity is the highest of the granted actions, one step
/// lower under a scoping condition.
pub(crate) fn report_on_every_resource(
    meta: &'static RuleMeta,
    analysis: &super::Analysis<'_>,
    actions: &[(&'static str, Severity)],
    consequence: impl Fn(&str) -> String,
    help: &str,
    out: &mut Vec<Finding>,
) {
    for subject in analysis.subjects() {
        for (grant, granted) in subject.grouped(actions, Reach::Any) {
            let names: Vec<&str> = granted.iter().map(|(a, _)| *a).collect();
            let severity = granted
                .iter()
                .map(|(_, s)| *s)
                .max()
                .unwrap_or(meta.severity);
            let itself = matches!(names.as_slice(), [one] if one.eq_ignore_ascii_case(grant.text))
                && !grant.policy.synthesized;
            let lead = if itself {
                format!("{} on every resource", code_list(&names, 4))
            } else {
                format!(
                    "{} allows {} on every resource",
                    grant.origin(),
                    code_list(&names, 4)
                )
            };
            out.push(
                Finding::new(
                    meta,
                    grant.file,
                    grant.span,
                    format!("{lead}: {}", consequence(&subject.name())),
                )
                .severity(scoped_severity(grant.statement, severity))
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
        let subjects = Subject::all(&model);
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
        let subjects = Subject::all(&model);
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
    fn groups_by_granting_value() {
        let json = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["s3:*","ssm:GetParameter"],"Resource":"*"}]}"#;
        let model = policy_model(json);
        let subjects = Subject::all(&model);
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
        assert!(Subject::all(&policy_model(json)).is_empty());
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
            let subjects = Subject::all(&model);
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
