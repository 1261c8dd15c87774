//! A function's execution role can also be assumed by someone other than Lambda: another
//! account, a user, a federated identity or another service. Whoever can assume the role
//! gets every permission the function has.

use super::{rule_meta, ModelCx, Rule};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::model::{FileModel, Function, PolicyValue, Related, Role, Statement};

pub struct ExecutionRoleTrust;

static META: RuleMeta = rule_meta!(
    "IAM206",
    "execution-role-trust",
    Risk,
    Medium,
    "a function's execution role can also be assumed by principals other than Lambda"
);

/// Service principals that run a function's code as its execution role.
const LAMBDA_SERVICES: &[&str] = &["lambda.amazonaws.com", "edgelambda.amazonaws.com"];

/// Condition keys that pin a cross-account caller down (a shared secret, an organization).
const CROSS_ACCOUNT_GUARDS: &[&str] = &[
    "sts:externalid",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalarn",
];

/// Condition keys that stop a service acting for someone else's resources (confused deputy).
const CONFUSED_DEPUTY_GUARDS: &[&str] = &["aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid"];

impl Rule for ExecutionRoleTrust {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for (index, role) in model.roles.iter().enumerate() {
            let functions: Vec<&Function> = model.functions_of_role(index).collect();
            let Some(trust) = role.trust.and_then(|t| model.policies.get(t)) else {
                continue;
            };
            if functions.is_empty() {
                continue;
            }
            for statement in trust.allow_statements().filter(|s| assumes_role(s)) {
                for (value, kind, severity, why) in extra_principals(model, statement) {
                    out.push(finding(role, &functions, value, kind, severity, why));
                }
            }
        }
    }
}

/// An Allow for `sts:AssumeRole` (or the web identity and SAML variants, or any wildcard
/// covering them).
fn assumes_role(statement: &Statement) -> bool {
    statement.action.as_ref().is_some_and(|list| {
        !list.negated
            && list.values.iter().any(|v| {
                let text = v.text.to_ascii_lowercase();
                text == "*"
                    || text.starts_with("sts:assumerole")
                    || text == "sts:*"
                    || (text.starts_with("sts:") && text.ends_with('*'))
            })
    })
}

fn has_condition(statement: &Statement, keys: &[&str]) -> bool {
    statement.condition_keys().any(|entry| {
        keys.iter()
            .any(|k| k.eq_ignore_ascii_case(&entry.key.value))
            && !entry.values.iter().all(PolicyValue::is_star)
    })
}

/// Each principal of the statement other than Lambda, with how serious it is and why.
fn extra_principals<'s>(
    model: &FileModel,
    statement: &'s Statement,
) -> Vec<(&'s PolicyValue, &'s str, Severity, String)> {
    let Some(principal) = statement.principal.as_ref().filter(|p| !p.negated) else {
        return Vec::new();
    };
    let _ = model;
    let mut out = Vec::new();
    for entry in &principal.entries {
        let kind = entry.kind.value.as_str();
        for value in &entry.values {
            let text = value.text.as_str();
            let verdict = match kind {
                "Service" if LAMBDA_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(text)) => None,
                "Service" if has_condition(statement, CONFUSED_DEPUTY_GUARDS) => None,
                "Service" => Some((
                    Severity::Low,
                    "the service can act as the function with no `aws:SourceArn` or `aws:SourceAccount` condition".to_string(),
                )),
                "Federated" => Some((
                    Severity::Medium,
                    "federated users of that identity provider can act as the function".into(),
                )),
                "AWS" | "*" if value.is_star() => Some((
                    if has_condition(statement, CROSS_ACCOUNT_GUARDS) {
                        Severity::High
                    } else {
                        Severity::Critical
                    },
                    "any AWS principal can act as the function".into(),
                )),
                "AWS" | "CanonicalUser" => Some(account_verdict(statement, value)),
                _ => None,
            };
            if let Some((severity, why)) = verdict {
                out.push((value, kind, severity, why));
            }
        }
    }
    out
}

/// A principal in an account: the account's own (`${AWS::AccountId}`, an unresolved
/// reference) is low, another account is medium unless an external id or organization
/// condition guards it.
fn account_verdict(statement: &Statement, value: &PolicyValue) -> (Severity, String) {
    let own_account = !value.resolved
        || value.text.contains("AWS::AccountId")
        || value.text.contains("aws:PrincipalAccount");
    if own_account {
        return (
            Severity::Low,
            "principals of the account with `sts:AssumeRole` permission can act as the function"
                .into(),
        );
    }
    if has_condition(statement, CROSS_ACCOUNT_GUARDS) {
        (
            Severity::Low,
            "another account can act as the function (an external id or organization condition limits who)".into(),
        )
    } else {
        (
            Severity::Medium,
            "another account can act as the function, with no `sts:ExternalId` or `aws:PrincipalOrgID` condition".into(),
        )
    }
}

fn finding(
    role: &Role,
    functions: &[&Function],
    value: &PolicyValue,
    kind: &str,
    severity: Severity,
    why: String,
) -> Finding {
    let names: Vec<String> = functions.iter().map(|f| f.display_name()).collect();
    let mut related: Vec<Related> = functions
        .iter()
        .map(|f| Related {
            label: format!("function {}", f.display_name()),
            file: f.file,
            span: f.span,
        })
        .collect();
    related.push(Related {
        label: format!("role `{}`", role.logical_id),
        file: role.file,
        span: role.span,
    });
    Finding::new(
        &META,
        role.file,
        value.span,
        format!(
            "execution role `{}` of function {} also trusts {kind} principal `{}`: {why}",
            role.logical_id,
            names.join(", "),
            value.text
        ),
    )
    .severity(severity)
    .help("trust only `lambda.amazonaws.com` in a function's execution role; give other principals a role of their own")
    .related(related)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load;
    use crate::source::SourceFile;

    fn run(template: &str) -> Vec<(Severity, String)> {
        let source = SourceFile::new("t.yaml".into(), "t.yaml".into(), template.into());
        let loaded = load(0, &source, true).expect("loads");
        crate::rules::run_rule(&ExecutionRoleTrust, &loaded.model)
            .into_iter()
            .map(|f| (f.severity, f.message))
            .collect()
    }

    fn template(principal: &str, condition: &str) -> String {
        format!(
            "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {principal}\n            Action: sts:AssumeRole\n{condition}  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt Role.Arn\n      Runtime: python3.12\n"
        )
    }

    #[test]
    fn another_account_without_a_guard_is_medium_and_named() {
        let found = run(&template("{AWS: 'arn:aws:iam::111122223333:root'}", ""));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Severity::Medium);
        assert!(
            found[0].1.contains("`arn:aws:iam::111122223333:root`"),
            "{found:?}"
        );
    }

    #[test]
    fn an_external_id_lowers_it() {
        let guarded = template(
            "{AWS: 'arn:aws:iam::111122223333:root'}",
            "            Condition: {StringEquals: {'sts:ExternalId': 'x-123'}}\n",
        );
        assert_eq!(run(&guarded)[0].0, Severity::Low);
    }

    #[test]
    fn lambda_alone_is_quiet_even_with_source_account() {
        assert!(run(&template("{Service: lambda.amazonaws.com}", "")).is_empty());
        let with_account = template(
            "{Service: lambda.amazonaws.com}",
            "            Condition: {StringEquals: {'aws:SourceAccount': !Ref AWS::AccountId}}\n",
        );
        assert!(run(&with_account).is_empty());
    }

    #[test]
    fn everyone_is_critical_and_other_services_need_a_source_condition() {
        assert_eq!(run(&template("'*'", ""))[0].0, Severity::Critical);
        let ec2 = template("{Service: [lambda.amazonaws.com, ec2.amazonaws.com]}", "");
        assert_eq!(run(&ec2).len(), 1);
        let guarded = template(
            "{Service: [lambda.amazonaws.com, events.amazonaws.com]}",
            "            Condition: {ArnLike: {'aws:SourceArn': 'arn:aws:events:us-east-1:111122223333:rule/x'}}\n",
        );
        assert!(run(&guarded).is_empty());
    }

    #[test]
    fn a_role_no_function_uses_is_not_this_rules_business() {
        let text = template("{AWS: 'arn:aws:iam::111122223333:root'}", "")
            .replace("Role: !GetAtt Role.Arn", "Role: arn:aws:iam::1:role/x");
        assert!(run(&text).is_empty());
    }
}
