//! A function without reserved concurrency.

use super::{rule_meta, FunctionCx, Rule};
use crate::finding::{Finding, RuleMeta};

pub struct LambdaNoReservedConcurrency;

static META: RuleMeta = rule_meta!(
    "LMB004",
    "lambda-no-reserved-concurrency",
    LambdaPractice,
    Info,
    "a function has no reserved concurrency"
);

impl Rule for LambdaNoReservedConcurrency {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_function(&self, cx: &FunctionCx<'_, '_>, out: &mut Vec<Finding>) {
        let function = cx.function;
        if function.reserved_concurrency.is_some() {
            return;
        }
        out.push(
            Finding::new(
                &META,
                function.file,
                function.span,
                format!(
                    "function {} has no reserved concurrency, so a burst of events can take the whole account's concurrency",
                    function.display_name()
                ),
            )
            .help(format!(
                "{} to the most instances the function should run at once",
                function.origin.dialect.reserved_concurrency
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{function, span};
    use crate::model::FileModel;

    #[test]
    fn flags_only_functions_without_reserved_concurrency() {
        let mut capped = function("Capped", 200);
        capped.reserved_concurrency = Some(span(250, 2));
        let model = FileModel {
            functions: vec![function("Api", 10), capped],
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaNoReservedConcurrency, &model));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].span, span(10, 3));
        assert!(out[0]
            .message
            .starts_with("function `Api` has no reserved concurrency"));
    }
}
