//! Environment variables encrypted only with the AWS managed key.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::functions::{functions_phrase, group_by_span};
use crate::finding::{Finding, RuleMeta};

pub struct LambdaEnvNoKms;

static META: RuleMeta = rule_meta!(
    "LMB002",
    "lambda-env-no-kms",
    LambdaPractice,
    Low,
    "a function's environment variables are not encrypted with a customer managed KMS key"
);

impl Rule for LambdaEnvNoKms {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let items = model
            .functions
            .iter()
            .filter(|f| !f.environment.is_empty() && f.kms_key.is_none())
            .map(|f| (f.environment_span.unwrap_or(f.span), f, ()));
        for (span, functions, ()) in group_by_span(items) {
            out.push(
                Finding::new(
                    &META,
                    functions[0].file,
                    span,
                    format!(
                        "the environment variables of {} are encrypted only with the AWS managed key `aws/lambda`",
                        functions_phrase(&functions)
                    ),
                )
                .help(format!("{} and allow the function's role `kms:Decrypt` on it", functions[0].origin.dialect.kms_key)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileModel;
    use crate::model::testing::{function, literal, span};

    fn run(configure: impl FnOnce(&mut crate::model::Function)) -> Vec<Finding> {
        let mut f = function("Api", 10);
        configure(&mut f);
        let model = FileModel {
            functions: vec![f],
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaEnvNoKms, &model));
        out
    }

    #[test]
    fn flags_variables_without_a_key_at_the_variables() {
        let findings = run(|f| {
            f.environment = vec![
                literal("TABLE_NAME", "orders", 100),
                literal("STAGE", "prod", 130),
            ];
            f.environment_span = Some(span(90, 60));
        });
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].span, span(90, 60));
        assert_eq!(
            findings[0].message,
            "the environment variables of function `Api` are encrypted only with the AWS managed key `aws/lambda`"
        );
    }

    #[test]
    fn clean_with_a_key_or_without_variables() {
        assert!(run(|f| {
            f.environment = vec![literal("TABLE_NAME", "orders", 100)];
            f.kms_key = Some(span(200, 20));
        })
        .is_empty());
        assert!(run(|_| {}).is_empty());
    }
}
