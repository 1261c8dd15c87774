//! An action the catalog does not know in a known service (`s3:GetObjets`), a pattern that
//! matches no action (`s3:Gett*`), or a value that is not `service:action` at all.

use super::unknown_service::{close_enough, consequence};
use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::statement::{dead_action_severity, has_wildcard, is_full_wildcard};
use crate::catalog::{catalog, Expansion};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::model::{Statement, ValueList};

pub struct UnknownAction;

/// API operations whose permission has another name: policies often list the API name,
/// which IAM accepts and never matches.
const API_PERMISSIONS: &[(&str, &str)] = &[
    ("lambda:Invoke", "lambda:InvokeFunction"),
    ("s3:CompleteMultipartUpload", "s3:PutObject"),
    ("s3:CreateMultipartUpload", "s3:PutObject"),
    ("s3:DeleteObjects", "s3:DeleteObject"),
    ("s3:HeadBucket", "s3:ListBucket"),
    ("s3:HeadObject", "s3:GetObject"),
    ("s3:ListObjectVersions", "s3:ListBucketVersions"),
    ("s3:ListObjects", "s3:ListBucket"),
    ("s3:ListObjectsV2", "s3:ListBucket"),
    ("s3:UploadPart", "s3:PutObject"),
    ("sns:PublishBatch", "sns:Publish"),
    (
        "sqs:ChangeMessageVisibilityBatch",
        "sqs:ChangeMessageVisibility",
    ),
    ("sqs:DeleteMessageBatch", "sqs:DeleteMessage"),
    ("sqs:SendMessageBatch", "sqs:SendMessage"),
];

/// The hint for an unknown action name: the permission of a known API name, or the
/// nearest real action when it is a likely typo.
fn hint(text: &str) -> Option<(String, String)> {
    if let Some((api, permission)) = API_PERMISSIONS
        .iter()
        .find(|(api, _)| api.eq_ignore_ascii_case(text))
    {
        let operation = api.split_once(':').map_or(*api, |(_, op)| op);
        return Some((
            format!("the `{operation}` API is authorized by `{permission}`"),
            format!("replace it with `{permission}`"),
        ));
    }
    let suggestion = catalog().suggest_action(text)?;
    let (_, wrong) = text.split_once(':')?;
    let (_, right) = suggestion.split_once(':')?;
    close_enough(wrong, right).then(|| {
        (
            format!("did you mean `{suggestion}`?"),
            format!("replace it with `{suggestion}`"),
        )
    })
}

/// For an API name (`sqs:DeleteMessageBatch`), the permission that authorizes it when
/// another value of the same list already covers it (`sqs:DeleteMessage`, `sqs:Delete*`).
fn granted_permission(list: &ValueList, text: &str) -> Option<&'static str> {
    let (_, permission) = API_PERMISSIONS
        .iter()
        .find(|(api, _)| api.eq_ignore_ascii_case(text))?;
    let covered = list.values.iter().filter(|v| v.resolved).any(|v| {
        is_full_wildcard(&v.text)
            || match catalog().expand(&v.text) {
                Expansion::Actions(actions) => actions
                    .iter()
                    .any(|a| a.full_name().eq_ignore_ascii_case(permission)),
                _ => false,
            }
    });
    covered.then_some(*permission)
}

static META: RuleMeta = rule_meta!(
    "IAM102",
    "unknown-action",
    PolicyMistake,
    High,
    "an action or action pattern matches no action of its service"
);

impl Rule for UnknownAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        // Generated policies (SAM policy templates) are AWS's text, not the author's.
        let Some(list) = statement.action.as_ref() else {
            return;
        };
        let cat = catalog();
        for value in list.values.iter().filter(|v| v.resolved) {
            let text = value.text.as_str();
            if is_full_wildcard(text) {
                continue;
            }
            let consequence = consequence(statement, list);
            let (message, help, severity) = match cat.expand(text) {
                // Known service with matches, or `unknown-service` business.
                Expansion::Actions(actions) if !actions.is_empty() => continue,
                Expansion::UnknownService => continue,
                Expansion::Invalid => (
                    // IAM refuses such a document ("Actions/Conditions must be prefaced by a
                    // vendor", "Action vendors must not contain wildcards").
                    format!("action `{text}` is not of the form `service:action`, so IAM rejects the policy"),
                    "write the action as the service prefix, a colon and the action name, e.g. \"s3:GetObject\"; wildcards are allowed in the name only".to_string(),
                    Severity::High,
                ),
                Expansion::Actions(_) => {
                    let (service, _) = text.split_once(':').unwrap_or((text, ""));
                    let service = cat.service(service).map_or(service, |s| s.prefix());
                    let listing = format!("`iamlint expand '{service}:*'` lists the `{service}` actions");
                    let date = cat.date();
                    if has_wildcard(text) {
                        (
                            format!("pattern `{text}` matches no action in the IAM catalog of {date}, {consequence}"),
                            format!("fix the pattern; {listing}"),
                            dead_action_severity(statement, list),
                        )
                    } else {
                        if let Some(permission) = granted_permission(list, text) {
                            // The API name next to the permission that authorizes it: harmless
                            // noise, not a missing grant.
                            out.push(
                                Finding::new(&META, cx.policy.file, value.span, format!("action `{text}` is not an IAM action; the `{}` API is authorized by `{permission}`, which the statement already lists", text.split_once(':').map_or(text, |(_, op)| op)))
                                    .severity(Severity::Low)
                                    .help(format!("remove `{text}`: it is redundant")),
                            );
                            continue;
                        }
                        let problem = format!("action `{text}` is not in the IAM catalog of {date}, {consequence}");
                        match hint(text) {
                            Some((hint, help)) => (format!("{problem}; {hint}"), help, dead_action_severity(statement, list)),
                            None => (
                                problem,
                                format!("check the name in the Service Authorization Reference; {listing}; if AWS added the action after {date}, update iamlint"),
                                dead_action_severity(statement, list),
                            ),
                        }
                    }
                }
            };
            out.push(
                Finding::new(&META, cx.policy.file, value.span, message)
                    .severity(severity)
                    .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_are_not_permissions_and_their_permissions_are() {
        for (api, permission) in API_PERMISSIONS {
            assert!(catalog().action(api).is_none(), "{api} is an IAM action");
            assert!(
                catalog().action(permission).is_some(),
                "{permission} is not"
            );
        }
    }

    #[test]
    fn far_fetched_suggestions_are_dropped() {
        assert_eq!(
            hint("s3:GetObjets").map(|h| h.0).as_deref(),
            Some("did you mean `s3:GetObject`?")
        );
        assert!(hint("aws-marketplace:UpdatePrivateMarketplaceSettings").is_none());
        assert!(hint("aoss:GetCollection").is_none());
        assert_eq!(
            hint("SQS:deletemessagebatch").map(|h| h.0).as_deref(),
            Some("the `DeleteMessageBatch` API is authorized by `sqs:DeleteMessage`")
        );
    }

    #[test]
    fn typos_get_the_real_action() {
        assert_eq!(
            catalog().suggest_action("s3:GetObjets").as_deref(),
            Some("s3:GetObject")
        );
        assert!(catalog().action("S3:getobject").is_some());
    }
}
