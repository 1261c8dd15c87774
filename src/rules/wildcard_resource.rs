//! `"Resource": "*"` (or an ARN that matches every resource of a type, such as
//! `arn:aws:s3:::*`) for actions that could be scoped to ARNs.
//!
//! The statement's `Action` patterns are expanded with the catalog; actions that accept
//! only `*` (`xray:PutTraceSegments`, most `List*`/`Describe*`) never count, and unknown or
//! unresolved actions are left alone rather than guessed.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::effective::soften_for_boundary;
use crate::analysis::evidence::{placeholder_log_fix, scoped_log_fix};
use crate::analysis::functions::Holder;
use crate::analysis::statement::{
    allowed_actions, has_wildcard, is_full_wildcard, scoped_severity,
};
use crate::catalog::{arn_is_star_equivalent, catalog, AccessLevel, Action, ActionResource};
use crate::finding::{Applicability, Finding, RuleMeta, Severity};
use crate::model::{PolicyKind, PolicyValue, Statement};

pub struct WildcardResource;

static META: RuleMeta = rule_meta!(
    "IAM003",
    "wildcard-resource",
    OverPrivilege,
    Medium,
    "an Allow statement applies to every resource although its actions can be scoped"
);

/// How many actions a message names before "and N more".
const NAMED: usize = 3;

/// The catalog actions the statement grants that accept resource ARNs, without duplicates
/// and in statement order, and the first one that accepts only `*` (for the help text).
struct Granted {
    /// The statement grants `*`: `scopable` is the whole catalog's list.
    every: bool,
    scopable: Cow<'static, [Action<'static>]>,
    star_only: Option<Action<'static>>,
}

fn granted(statement: &Statement) -> Granted {
    if allowed_actions(statement).any(|v| is_full_wildcard(&v.text)) {
        let (scopable, star_only) = every_action();
        return Granted {
            every: true,
            scopable: Cow::Borrowed(scopable),
            star_only: star_only.first().copied(),
        };
    }
    let cat = catalog();
    let mut seen = HashSet::new();
    let mut scopable = Vec::new();
    let mut star_only = None;
    for value in allowed_actions(statement) {
        for action in cat.expand(&value.text).actions() {
            if seen.insert(*action) {
                if action.supports_resource_scoping() {
                    scopable.push(*action);
                } else {
                    star_only = star_only.or(Some(*action));
                }
            }
        }
    }
    Granted {
        every: false,
        scopable: Cow::Owned(scopable),
        star_only,
    }
}

/// The whole catalog split by scoping support, computed once per run.
fn every_action() -> &'static (Vec<Action<'static>>, Vec<Action<'static>>) {
    static SPLIT: OnceLock<(Vec<Action<'static>>, Vec<Action<'static>>)> = OnceLock::new();
    SPLIT.get_or_init(|| {
        catalog()
            .services()
            .flat_map(|s| s.actions())
            .partition(Action::supports_resource_scoping)
    })
}

/// The ARN format to suggest for an action: a required resource type before optional
/// ones, then the shortest format (`object` rather than `accesspointobject` for S3).
fn preferred_format(action: &Action<'static>) -> Option<&'static str> {
    action
        .resource_types()
        .filter(|r| !r.name.is_empty() && r.name != "*")
        .min_by_key(|r| (!r.required, r.arn_format.len()))
        .map(|r| r.arn_format)
}

/// The third ARN segment when it is a plain service name, to skip formats of other
/// services cheaply.
fn arn_service(arn: &str) -> Option<&str> {
    let service = arn.split(':').nth(2)?;
    (!service.is_empty() && !has_wildcard(service) && !service.contains('$')).then_some(service)
}

/// Can the value stand for every resource of some type? Only ARNs with a wildcard can.
fn may_be_effectively_wildcard(value: &PolicyValue) -> bool {
    value.text.starts_with("arn:") && has_wildcard(&value.text)
}

/// For each scopable action, the format the value matches in full (`arn:aws:s3:::*` for
/// `s3:GetObject`'s objects). Formats are checked once per value.
fn covered_by_wildcard_arn(
    value: &str,
    scopable: &[Action<'static>],
) -> Vec<(Action<'static>, &'static str)> {
    let service = arn_service(value);
    // Keyed by the address of the format text (stored once per resource type).
    let mut memo: HashMap<usize, bool> = HashMap::new();
    let mut covers = |r: &ActionResource<'static>| {
        if r.name.is_empty() || r.name == "*" {
            return false;
        }
        *memo
            .entry(r.arn_format.as_ptr() as usize)
            .or_insert_with(|| {
                service.is_none_or(|s| r.arn_format.split(':').nth(2) == Some(s))
                    && arn_is_star_equivalent(value, r.arn_format)
            })
    };
    scopable
        .iter()
        .filter_map(|a| {
            a.resource_types()
                .find(&mut covers)
                .map(|r| (*a, r.arn_format))
        })
        .collect()
}

type Covered = Arc<Vec<(Action<'static>, &'static str)>>;

/// Every ARN format of the catalog with the scopable actions that take it, built once.
/// Keyed by the address of the format text, which the catalog stores once per resource
/// type: cheaper to hash than the text itself.
fn format_index() -> &'static HashMap<usize, (&'static str, Vec<Action<'static>>)> {
    static INDEX: OnceLock<HashMap<usize, (&'static str, Vec<Action<'static>>)>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<usize, (&'static str, Vec<Action<'static>>)> = HashMap::new();
        for action in &every_action().0 {
            for r in action.resource_types() {
                if !r.name.is_empty() && r.name != "*" {
                    let key = r.arn_format.as_ptr() as usize;
                    index
                        .entry(key)
                        .or_insert_with(|| (r.arn_format, Vec::new()))
                        .1
                        .push(*action);
                }
            }
        }
        index
    })
}

/// [`covered_by_wildcard_arn`] over the whole catalog (for `Action: "*"`), once per value
/// and run. It walks the catalog's distinct ARN formats rather than its actions, so a
/// policy that repeats `*` on `arn:aws:s3:::*` costs one pass over the formats.
fn covered_in_catalog(value: &str) -> Covered {
    static CACHE: OnceLock<Mutex<HashMap<String, Covered>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(value).cloned()) {
        return hit;
    }
    let index = format_index();
    let service = arn_service(value);
    // `arn:*`, `arn:*:*:*:*:*`: nothing but wildcards, every format is covered.
    let matches_all = value
        .strip_prefix("arn:")
        .is_some_and(|rest| rest.ends_with('*') && rest.chars().all(|c| c == '*' || c == ':'));
    let formats: HashSet<usize> = index
        .iter()
        .filter(|(_, (f, _))| service.is_none_or(|s| f.split(':').nth(2) == Some(s)))
        .filter(|(_, (f, _))| matches_all || arn_is_star_equivalent(value, f))
        .map(|(key, _)| *key)
        .collect();
    let covers = |r: &ActionResource<'static>| formats.contains(&(r.arn_format.as_ptr() as usize));
    // The same choice of format per action as `covered_by_wildcard_arn`.
    let first_covered =
        |a: Action<'static>| a.resource_types().find(covers).map(|r| (a, r.arn_format));
    let covered: Vec<_> = if formats.len() == index.len() {
        every_action()
            .0
            .iter()
            .filter_map(|a| first_covered(*a))
            .collect()
    } else {
        let mut actions: Vec<Action<'static>> = formats
            .iter()
            .filter_map(|key| index.get(key))
            .flat_map(|(_, actions)| actions.iter().copied())
            .collect();
        actions.sort();
        actions.dedup();
        actions.into_iter().filter_map(first_covered).collect()
    };
    let covered = Arc::new(covered);
    if let Ok(mut cache) = cache.lock() {
        cache.insert(value.to_string(), covered.clone());
    }
    covered
}

/// "`a`", "`a` and `b`", "`a`, `b` and `c`", "`a`, `b`, `c` and 5 more actions" for the
/// first actions of `total`.
fn name_list(named: &[(Action<'static>, &'static str)], total: usize) -> String {
    let names: Vec<String> = named.iter().map(|(a, _)| format!("`{a}`")).collect();
    let rest = total.saturating_sub(names.len());
    match (names.split_last(), rest) {
        (None, _) => String::new(),
        (Some((last, [])), 0) => last.clone(),
        (Some((last, init)), 0) => format!("{} and {last}", init.join(", ")),
        (Some(_), rest) => format!(
            "{} and {rest} more {}",
            names.join(", "),
            if rest == 1 { "action" } else { "actions" }
        ),
    }
}

/// The distinct formats of the named actions: "`f1`" or "`f1` or `f2`".
fn format_list(named: &[(Action<'static>, &'static str)]) -> String {
    let mut formats: Vec<&str> = Vec::new();
    for (_, format) in named {
        if !formats.contains(format) {
            formats.push(format);
        }
    }
    let quoted: Vec<String> = formats.iter().map(|f| format!("`{f}`")).collect();
    quoted.join(" or ")
}

impl Rule for WildcardResource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        let start = out.len();
        self.statement_findings(cx, statement, out);
        // A boundary that limits the pattern makes the text less risky, not less sloppy.
        soften_for_boundary(cx.file.analysis, cx.policy, statement, &mut out[start..]);
    }
}

impl WildcardResource {
    /// The rule's findings for one statement, before a boundary is taken into account.
    fn statement_findings(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        // In a resource policy `*` means the resource it is attached to (a KMS key policy
        // must say `*`), and a boundary only limits: neither grants every resource.
        if cx.policy.kind != PolicyKind::Identity {
            return;
        }
        let (Some(resources), true) = (&statement.resource, statement.is_allow()) else {
            return;
        };
        if resources.negated {
            return;
        }
        let Some(actions) = &statement.action else {
            return;
        };
        if actions.negated {
            // Allow + `NotAction` on `*`: every other action of every service, on every
            // resource. `not-action` reports the `NotAction`; this is the resource half.
            if let Some(star) = resources.values.iter().find(|r| r.is_star()) {
                out.push(
                    Finding::new(&META, cx.policy.file, star.span, "resource `*` with `NotAction` applies every action not listed, of every service, to every resource")
                        .severity(scoped_severity(statement, Severity::High))
                        .help("replace `NotAction` with `Action` listing the actions needed, and `*` with the ARNs they work on"),
                );
            }
            return;
        }
        let wide: Vec<&PolicyValue> = resources
            .values
            .iter()
            .filter(|r| r.is_star() || may_be_effectively_wildcard(r))
            .collect();
        if wide.is_empty() {
            return;
        }
        let granted = granted(statement);
        if granted.scopable.is_empty() {
            return;
        }
        let mut severity = scoped_severity(statement, META.severity);
        let holder = Holder::of(cx.model, cx.policy);
        let mut help = example_for(&granted.scopable, holder);
        let lambda = holder != Holder::Role;
        if granted.scopable.iter().all(is_lambda_log_write_action)
            && wide.iter().all(|r| r.is_star() || is_all_logs_arn(&r.text))
        {
            // What AWSLambdaBasicExecutionRole itself grants (`arn:aws:logs:*:*:*`); writing
            // logs is low risk for any holder.
            severity = Severity::Low;
            if lambda {
                help = "this is what AWSLambdaBasicExecutionRole grants; to tighten it, scope it to the function's log group, e.g. \"arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/my-function:*\"".to_string();
            }
        } else if granted.scopable.iter().all(is_read_or_list) {
            // Reading and listing change nothing: scoping them is hardening. The reads that
            // matter (objects, secrets, items, parameters) are `data-exfiltration`'s.
            severity = severity.min(Severity::Low);
        } else if lambda && granted.scopable.iter().all(is_lambda_vpc_eni_action) {
            // What AWSLambdaVPCAccessExecutionRole itself grants on `*`: scoping is possible
            // (subnets, security groups) but rarely done, so it is advice, not a warning.
            severity = Severity::Low;
            help = "this is what a function in a VPC needs to manage its network interfaces; to tighten it, name the subnets and security groups (`arn:aws:ec2:<region>:<account>:subnet/<id>`) and `network-interface/*`".to_string();
        } else if lambda
            && granted.scopable.iter().all(|a| {
                is_read_or_list(a) || is_lambda_vpc_eni_action(a) || is_lambda_log_write_action(a)
            })
        {
            // The mix AWS's own execution policies grant on `*` (AWSLambdaMSKExecutionRole:
            // read the cluster, manage the function's network interfaces, write its logs).
            severity = Severity::Low;
        }
        if let Some(star_only) = granted.star_only {
            help.push_str(&format!(
                "; keep actions that accept only `*`, such as `{star_only}`, in a statement of their own"
            ));
        }
        for resource in wide {
            // `Action: "*"` on `*` is full admin: `wildcard-action` reports that statement
            // once, at critical; a second finding on its `Resource` adds nothing.
            if granted.every && resource.is_star() {
                continue;
            }
            // The first actions (with the format to suggest) and how many there are.
            let (named, total, verb): (Vec<_>, usize, &str) = if resource.is_star() {
                let named = granted
                    .scopable
                    .iter()
                    .filter_map(|a| preferred_format(a).map(|f| (*a, f)))
                    .take(NAMED)
                    .collect();
                (named, granted.scopable.len(), "covers")
            } else {
                let covered = if granted.every {
                    covered_in_catalog(&resource.text)
                } else {
                    Arc::new(covered_by_wildcard_arn(&resource.text, &granted.scopable))
                };
                // Resource IDs AWS generates (a security group's rules) cannot be known in
                // advance: with the parent named, the child wildcard scopes nothing away.
                let covered: Vec<_> = covered
                    .iter()
                    .filter(|(_, format)| !generated_child_of_named_parent(format, resources))
                    .copied()
                    .collect();
                let named = covered.iter().take(NAMED).copied().collect();
                (named, covered.len(), "matches every resource of")
            };
            if named.is_empty() {
                continue;
            }
            let message = if resource.is_star() && granted.every {
                // Naming the catalog's first actions (`a4b:...`) would say nothing here.
                format!("resource `*` covers all {total} actions of `*` that can be scoped to resource ARNs")
            } else {
                format!(
                    "resource `{}` {verb} {}, which can be scoped to {}",
                    resource.text,
                    name_list(&named, total),
                    format_list(&named)
                )
            };
            // Log actions scoped to the functions' log groups when the model names them.
            // With `logs:*` the `service-wildcard-action` finding carries an applicable
            // fix; a display-only one (the group is only known through the function
            // itself) is shown here.
            // In a policy of no known function, the same with placeholders to fill in.
            let fix = lambda
                .then(|| match holder {
                    Holder::Unknown => placeholder_log_fix(statement),
                    _ => scoped_log_fix(cx.model, cx.policy, statement),
                })
                .flatten()
                .filter(|f| {
                    f.applicability == Applicability::DisplayOnly
                        || !allowed_actions(statement).any(|a| has_wildcard(&a.text))
                });
            out.push(
                Finding::new(&META, cx.policy.file, resource.span, message)
                    .severity(severity)
                    .help(help.clone())
                    .fix(fix),
            );
        }
    }
}

/// Resource types whose IDs AWS generates, with the parent type that scopes them.
const GENERATED_CHILDREN: &[(&str, &str)] = &[(
    ":security-group-rule/",
    "arn:${Partition}:ec2:${Region}:${Account}:security-group/${SecurityGroupId}",
)];

/// Is `format` a generated-ID type whose parent the statement names (not by wildcard)?
fn generated_child_of_named_parent(format: &str, resources: &crate::model::ValueList) -> bool {
    GENERATED_CHILDREN.iter().any(|(child, parent)| {
        format.contains(child)
            && resources.values.iter().any(|v| {
                !v.is_star()
                    && crate::catalog::arn_matches_format(&v.text, parent)
                    && !arn_is_star_equivalent(&v.text, parent)
            })
    })
}

/// The three actions a function needs to write its logs.
fn is_read_or_list(action: &Action<'_>) -> bool {
    matches!(action.access_level(), AccessLevel::Read | AccessLevel::List)
}

fn is_lambda_log_write_action(action: &crate::catalog::Action<'_>) -> bool {
    action.service() == "logs"
        && matches!(
            action.name(),
            "CreateLogGroup" | "CreateLogStream" | "PutLogEvents"
        )
}

/// `arn:aws:logs:*:*:*` and its spellings (`arn:${AWS::Partition}:logs:*:*:*`,
/// `arn:aws:logs:*:*:log-group:*:*`): every segment after the service is a wildcard or
/// names the resource type.
fn is_all_logs_arn(value: &str) -> bool {
    let Some((partition, rest)) = value
        .strip_prefix("arn:")
        .and_then(|v| v.split_once(":logs:"))
    else {
        return false;
    };
    (!partition.contains(':') || partition == "${AWS::Partition}")
        && rest.split(':').all(|segment| {
            segment.chars().all(|c| c == '*') || matches!(segment, "log-group" | "log-stream")
        })
}

/// The network-interface actions Lambda uses to attach a function to a VPC.
fn is_lambda_vpc_eni_action(action: &crate::catalog::Action<'_>) -> bool {
    action.service() == "ec2"
        && matches!(
            action.name(),
            "CreateNetworkInterface"
                | "DeleteNetworkInterface"
                | "DescribeNetworkInterfaces"
                | "AssignPrivateIpAddresses"
                | "UnassignPrivateIpAddresses"
        )
}

/// A concrete example of the ARNs to write, for the service the statement is about.
fn example_for(scopable: &[crate::catalog::Action<'_>], holder: Holder) -> String {
    let service = scopable.first().map(|a| a.service());
    if holder != Holder::Function {
        return match service {
            Some("logs") => "name the log groups it writes to, e.g. \"arn:aws:logs:us-east-1:111122223333:log-group:my-app:*\"".to_string(),
            _ => format!("name the ARNs {} works on, e.g. \"arn:aws:s3:::my-bucket/*\"", holder.noun()),
        };
    }
    match service {
        Some("logs") => "scope it to the function's log group, e.g. \"arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/my-function:*\"",
        Some("dynamodb") => "name the tables, e.g. \"arn:aws:dynamodb:us-east-1:111122223333:table/Orders\" (and \"/index/*\" for its indexes)",
        Some("sqs") => "name the queues, e.g. \"arn:aws:sqs:us-east-1:111122223333:orders\"",
        Some("sns") => "name the topics, e.g. \"arn:aws:sns:us-east-1:111122223333:alerts\"",
        Some("secretsmanager") => "name the secrets, e.g. \"arn:aws:secretsmanager:us-east-1:111122223333:secret:db-credentials-*\"",
        Some("kms") => "name the keys, e.g. \"arn:aws:kms:us-east-1:111122223333:key/<key-id>\"",
        Some("lambda") => "name the functions, e.g. \"arn:aws:lambda:us-east-1:111122223333:function:my-function\"",
        _ => "name the ARNs the function works on, e.g. \"arn:aws:s3:::my-bucket/*\"",
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(name: &str) -> Action<'static> {
        catalog().action(name).expect("in catalog")
    }

    #[test]
    fn star_only_actions_are_not_scopable() {
        for name in [
            "xray:PutTraceSegments",
            "s3:ListAllMyBuckets",
            "ec2:DescribeInstances",
        ] {
            assert!(!action(name).supports_resource_scoping(), "{name}");
        }
        assert!(action("s3:GetObject").supports_resource_scoping());
    }

    #[test]
    fn preferred_format_is_the_plain_one() {
        assert_eq!(
            preferred_format(&action("s3:GetObject")),
            Some("arn:${Partition}:s3:::${BucketName}/${ObjectName}")
        );
        assert_eq!(
            preferred_format(&action("s3:ListBucket")),
            Some("arn:${Partition}:s3:::${BucketName}")
        );
    }

    #[test]
    fn wildcard_arns_cover_only_their_types() {
        let scopable = [action("s3:GetObject"), action("s3:ListBucket")];
        let names = |value: &str| -> Vec<String> {
            covered_by_wildcard_arn(value, &scopable)
                .iter()
                .map(|(a, _)| a.full_name())
                .collect()
        };
        assert_eq!(names("arn:aws:s3:::*"), ["s3:GetObject", "s3:ListBucket"]);
        assert_eq!(names("arn:aws:s3:::*/*"), ["s3:GetObject"]);
        assert!(names("arn:aws:s3:::my-bucket/*").is_empty());
        assert!(names("arn:aws:s3:::my-bucket").is_empty());
        assert!(names("arn:aws:dynamodb:*:*:table/*").is_empty());
        let table = [action("dynamodb:GetItem")];
        assert_eq!(
            covered_by_wildcard_arn("arn:aws:dynamodb:*:*:table/*", &table).len(),
            1
        );
    }

    #[test]
    fn all_logs_arns_are_recognised() {
        for value in [
            "arn:aws:logs:*:*:*",
            "arn:${AWS::Partition}:logs:*:*:*",
            "arn:aws:logs:*:*:log-group:*:*",
            "arn:aws:logs:*",
        ] {
            assert!(is_all_logs_arn(value), "{value}");
        }
        for value in [
            "arn:aws:logs:*:*:log-group:/aws/lambda/fn:*",
            "arn:aws:s3:::*",
            "*",
        ] {
            assert!(!is_all_logs_arn(value), "{value}");
        }
    }

    #[test]
    fn name_lists_read_naturally() {
        let a = |n: &str| (action(n), "f");
        assert_eq!(name_list(&[a("s3:GetObject")], 1), "`s3:GetObject`");
        assert_eq!(
            name_list(&[a("s3:GetObject"), a("s3:PutObject")], 2),
            "`s3:GetObject` and `s3:PutObject`"
        );
        assert_eq!(
            name_list(
                &[a("s3:GetObject"), a("s3:PutObject"), a("s3:ListBucket")],
                4
            ),
            "`s3:GetObject`, `s3:PutObject`, `s3:ListBucket` and 1 more action"
        );
    }

    #[test]
    fn catalog_wide_coverage_is_cached_and_agrees_with_the_plain_scan() {
        for value in [
            "arn:aws:s3:::*",
            "arn:aws:s3:::bucket/*",
            "arn:aws:ec2:*:*:instance/*",
            "arn:*:*:*:*:*",
            "arn:*",
        ] {
            let indexed = covered_in_catalog(value);
            assert_eq!(
                *indexed,
                covered_by_wildcard_arn(value, &every_action().0),
                "{value}"
            );
            assert!(Arc::ptr_eq(&indexed, &covered_in_catalog(value)));
        }
        let s3 = covered_in_catalog("arn:aws:s3:::*");
        assert!(s3.iter().any(|(a, _)| a.full_name() == "s3:GetObject"));
        // `ssm:SendCommand` takes EC2 instance ARNs: formats, not prefixes, decide.
        assert!(covered_in_catalog("arn:aws:ec2:*:*:instance/*")
            .iter()
            .any(|(a, _)| a.full_name() == "ssm:SendCommand"));
    }
}
