//! A Lambda permission for a service or everyone that does not say which resource may call.

use super::{rule_meta, ModelCx, Rule};
use crate::finding::{Finding, RuleMeta, Severity};

pub struct LambdaPermissionNoSource;

static META: RuleMeta = rule_meta!(
    "LMB009",
    "lambda-permission-no-source",
    OverPrivilege,
    High,
    "a Lambda permission for a service or everyone has no `SourceArn` or `SourceAccount`"
);

fn is_service_principal(principal: &str) -> bool {
    let principal = principal.trim();
    !principal.contains(['$', ' ', '/', ':'])
        && (principal.ends_with(".amazonaws.com") || principal.ends_with(".amazonaws.com.cn"))
}

impl Rule for LambdaPermissionNoSource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for permission in &model.permissions {
            // Function URL permissions are `lambda-url-public`'s.
            if permission.function_url_auth.is_some()
                || permission.has_source_arn
                || permission.has_source_account
                || permission.has_principal_org_id
            {
                continue;
            }
            let principal = permission.principal.value.trim();
            let (severity, message) = if principal == "*" {
                (
                    Severity::Critical,
                    format!(
                        "permission `{}` lets any principal invoke the function: it has no `SourceArn` or `SourceAccount`",
                        permission.logical_id
                    ),
                )
            } else if is_service_principal(principal) {
                (
                    Severity::High,
                    format!(
                        "permission `{}` lets `{principal}` invoke the function on behalf of any AWS account: it has no `SourceArn` or `SourceAccount`",
                        permission.logical_id
                    ),
                )
            } else {
                continue;
            };
            out.push(
                Finding::new(&META, permission.file, permission.principal.span, message)
                    .severity(severity)
                    .help("add `SourceArn` (the bucket, topic, rule or API that calls the function) and `SourceAccount`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileModel;
    use crate::model::testing::{permission, span};
    use crate::model::LambdaPermission;

    fn run(permissions: Vec<LambdaPermission>) -> Vec<Finding> {
        let model = FileModel {
            permissions,
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaPermissionNoSource, &model));
        out
    }

    #[test]
    fn flags_service_principals_without_a_source() {
        let findings = run(vec![permission("S3Invoke", "s3.amazonaws.com", 100)]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::High);
        assert_eq!(findings[0].span, span(100, 16));
        assert_eq!(
            findings[0].message,
            "permission `S3Invoke` lets `s3.amazonaws.com` invoke the function on behalf of any AWS account: it has no `SourceArn` or `SourceAccount`"
        );
    }

    #[test]
    fn star_is_critical() {
        let findings = run(vec![permission("Anyone", "*", 100)]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
    }

    #[test]
    fn clean_with_a_source_for_accounts_and_for_urls() {
        let mut arn = permission("WithArn", "sns.amazonaws.com", 100);
        arn.has_source_arn = true;
        let mut account = permission("WithAccount", "s3.amazonaws.com", 200);
        account.has_source_account = true;
        let mut url = permission("Url", "*", 300);
        url.function_url_auth = Some("NONE".into());
        assert!(run(vec![
            arn,
            account,
            url,
            permission("Account", "111122223333", 400),
            permission("Role", "arn:aws:iam::111122223333:role/Caller", 500),
            permission("Unresolved", "${Principal}", 600),
        ])
        .is_empty());
    }
}
