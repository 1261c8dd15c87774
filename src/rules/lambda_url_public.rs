//! A function URL that anyone on the internet can call without authenticating.

use super::{rule_meta, ModelCx, Rule};
use crate::finding::{Finding, RuleMeta};

pub struct LambdaUrlPublic;

static META: RuleMeta = rule_meta!(
    "LMB008",
    "lambda-url-public",
    Risk,
    High,
    "a function URL accepts unauthenticated requests from anyone"
);

const HELP: &str = "set the URL's `AuthType` to `AWS_IAM` and sign requests with SigV4 (or front it with CloudFront origin access control); if it must stay public, authenticate callers in the handler and suppress this finding";

fn is_none_auth(auth: &str) -> bool {
    auth.trim().eq_ignore_ascii_case("NONE")
}

impl Rule for LambdaUrlPublic {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let mut url_reported = false;
        for function in &model.functions {
            let Some(url) = function
                .url
                .as_ref()
                .filter(|u| is_none_auth(&u.auth_type.value))
            else {
                continue;
            };
            url_reported = true;
            out.push(
                Finding::new(
                    &META,
                    function.file,
                    url.auth_type.span,
                    format!(
                        "the URL of function {} has auth type `NONE`: anyone on the internet can invoke the function",
                        function.display_name()
                    ),
                )
                .help(HELP),
            );
        }
        // The permission that goes with a `NONE` URL is the same exposure: report it only
        // when no URL of this file was reported (its function is declared elsewhere).
        if url_reported {
            return;
        }
        for permission in &model.permissions {
            if permission.principal.value.trim() != "*"
                || !permission
                    .function_url_auth
                    .as_deref()
                    .is_some_and(is_none_auth)
            {
                continue;
            }
            out.push(
                Finding::new(
                    &META,
                    permission.file,
                    permission.principal.span,
                    format!(
                        "permission `{}` lets anyone invoke a function URL without authentication",
                        permission.logical_id
                    ),
                )
                .help(HELP),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileModel;
    use crate::model::testing::{function, permission, span};
    use crate::model::FunctionUrl;
    use crate::source::Spanned;

    fn url(auth: &str) -> Option<FunctionUrl> {
        Some(FunctionUrl {
            auth_type: Spanned::new(auth.to_string(), span(300, auth.len())),
        })
    }

    fn run(model: &FileModel) -> Vec<Finding> {
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaUrlPublic, model));
        out
    }

    #[test]
    fn flags_a_url_without_auth_at_its_auth_type() {
        let mut f = function("Webhook", 10);
        f.url = url("NONE");
        let mut p = permission("WebhookUrlPermission", "*", 400);
        p.function_url_auth = Some("NONE".into());
        let model = FileModel {
            functions: vec![f],
            permissions: vec![p],
            ..FileModel::default()
        };
        let findings = run(&model);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].span, span(300, 4));
        assert_eq!(
            findings[0].message,
            "the URL of function `Webhook` has auth type `NONE`: anyone on the internet can invoke the function"
        );
    }

    #[test]
    fn flags_a_public_url_permission_of_a_function_declared_elsewhere() {
        let mut p = permission("PublicUrl", "*", 400);
        p.function_url_auth = Some("NONE".into());
        let findings = run(&FileModel {
            permissions: vec![p],
            ..FileModel::default()
        });
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].span, span(400, 1));
    }

    #[test]
    fn clean_with_iam_auth() {
        let mut f = function("Webhook", 10);
        f.url = url("AWS_IAM");
        let mut p = permission("UrlPermission", "111122223333", 400);
        p.function_url_auth = Some("AWS_IAM".into());
        let mut q = permission("UrlPermission2", "*", 500);
        q.function_url_auth = Some("AWS_IAM".into());
        let model = FileModel {
            functions: vec![f, function("Plain", 50)],
            permissions: vec![p, q],
            ..FileModel::default()
        };
        assert!(run(&model).is_empty());
    }
}
