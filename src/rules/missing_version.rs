//! A policy without `"Version": "2012-10-17"`.

use super::{rule_meta, PolicyCx, Rule};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::model::PolicyDocument;
use crate::source::Span;

pub struct MissingVersion;

static META: RuleMeta = rule_meta!(
    "IAM008",
    "missing-version",
    PolicyMistake,
    Low,
    "a policy has no `Version` or uses the 2008 policy language"
);

const HELP: &str =
    "add \"Version\": \"2012-10-17\" so policy variables such as ${aws:username} are evaluated";

impl Rule for MissingVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_policy(&self, cx: &PolicyCx<'_, '_>, out: &mut Vec<Finding>) {
        let policy = cx.policy;
        if policy.span == Span::default() {
            return;
        }
        // Without policy variables both languages read the policy the same way: advice
        // only (SAM's documented inline `Policies` omit `Version`).
        let variable = policy_variable(policy);
        let severity = if variable.is_some() {
            Severity::Medium
        } else {
            Severity::Info
        };
        let consequence = match variable {
            Some(v) => format!(", which leaves `{v}` as literal text"),
            None => String::new(),
        };
        match &policy.version {
            Some(v) if v.value == "2008-10-17" => out.push(
                Finding::new(
                    &META,
                    policy.file,
                    v.span,
                    format!("policy language version `2008-10-17` does not support policy variables{consequence}"),
                )
                .severity(severity)
                .help(HELP),
            ),
            Some(_) => {}
            // A `Version` with an invalid value is reported by `malformed-policy`.
            None if !policy
                .problems
                .iter()
                .any(|p| p.message.starts_with("`Version`")) =>
            {
                out.push(
                    Finding::new(
                        &META,
                        policy.file,
                        Span::empty(policy.span.start as usize),
                        format!("policy has no `Version`, so IAM reads it with the 2008-10-17 language{consequence}"),
                    )
                    .severity(severity)
                    .help(HELP),
                )
            }
            None => {}
        }
    }
}

/// Prefixes of IAM policy variables (`${aws:username}`, `${saml:sub}`,
/// `${cognito-identity.amazonaws.com:sub}`). Template variables (`${AWS::Region}`,
/// `${var.x}`, `${self:custom.x}`, `${ssm:/path}`) are replaced before IAM sees the policy.
const VARIABLE_PREFIXES: &[&str] = &[
    "aws:",
    "saml:",
    "sts:",
    "ec2:",
    "iam:",
    "cognito-identity.amazonaws.com:",
    "www.amazon.com:",
    "graph.facebook.com:",
    "accounts.google.com:",
];

/// The first policy variable in a `Resource` or condition value of the policy.
fn policy_variable(policy: &PolicyDocument) -> Option<String> {
    policy.statements.iter().find_map(|statement| {
        let resources = statement.resource.iter().flat_map(|r| r.values.iter());
        let conditions = statement.condition_keys().flat_map(|e| e.values.iter());
        resources
            .chain(conditions)
            .find_map(|value| variable_in(&value.text))
    })
}

fn variable_in(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let name = after[..end].trim_start_matches('!');
        let lower = name.to_ascii_lowercase();
        // `${AWS::Region}` is a CloudFormation pseudo parameter, not `aws:`.
        if matches!(name, "*" | "?" | "$")
            || (!name.contains("::") && VARIABLE_PREFIXES.iter().any(|p| lower.starts_with(p)))
        {
            return Some(format!("${{{name}}}"));
        }
        rest = &after[end..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::variable_in;

    #[test]
    fn policy_variables_are_told_from_template_variables() {
        assert_eq!(
            variable_in("arn:aws:s3:::home/${aws:username}/*").as_deref(),
            Some("${aws:username}")
        );
        assert_eq!(
            variable_in("arn:aws:s3:::${Bucket}/${!aws:PrincipalTag/team}").as_deref(),
            Some("${aws:PrincipalTag/team}")
        );
        assert_eq!(
            variable_in("arn:aws:logs:${AWS::Region}:${AWS::AccountId}:*"),
            None
        );
        assert_eq!(variable_in("${self:custom.table}"), None);
        assert_eq!(variable_in("${var.bucket}"), None);
        assert_eq!(variable_in("no variables"), None);
    }
}
