//! A function without active X-Ray tracing.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::functions::{functions_phrase, group_by_span};
use crate::finding::{Finding, RuleMeta};

pub struct LambdaNoTracing;

static META: RuleMeta = rule_meta!(
    "LMB006",
    "lambda-no-tracing",
    LambdaPractice,
    Info,
    "a function does not use active X-Ray tracing"
);

impl Rule for LambdaNoTracing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let items = model.functions.iter().filter_map(|f| match &f.tracing {
            Some(mode) if mode.value.eq_ignore_ascii_case("Active") => None,
            Some(mode) => Some((mode.span, f, Some(mode.value.as_str()))),
            None => Some((f.span, f, None)),
        });
        // A mode from SAM `Globals` is one value for all its functions: one finding.
        for (span, functions, mode) in group_by_span(items) {
            let who = functions_phrase(&functions);
            let message = match mode {
                Some(mode) => format!(
                    "{who} {} tracing mode `{mode}`, which records only requests that arrive already traced",
                    if functions.len() == 1 { "uses" } else { "use" }
                ),
                None => format!(
                    "{who} {} not enable X-Ray tracing",
                    if functions.len() == 1 { "does" } else { "do" }
                ),
            };
            let help = format!(
                "{} and allow the role `xray:PutTraceSegments` and `xray:PutTelemetryRecords`",
                functions[0].origin.dialect.tracing
            );
            out.push(Finding::new(&META, functions[0].file, span, message).help(help));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileModel;
    use crate::model::testing::{function, span};
    use crate::model::Function;
    use crate::source::Spanned;

    fn run(tracing: Option<&str>) -> Vec<Finding> {
        let mut f: Function = function("Api", 10);
        f.tracing = tracing.map(|t| Spanned::new(t.to_string(), span(300, t.len())));
        let model = FileModel {
            functions: vec![f],
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaNoTracing, &model));
        out
    }

    #[test]
    fn points_at_the_function_when_missing_and_at_the_mode_otherwise() {
        let missing = run(None);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].span, span(10, 3));
        assert_eq!(
            missing[0].message,
            "function `Api` does not enable X-Ray tracing"
        );
        let passthrough = run(Some("PassThrough"));
        assert_eq!(passthrough.len(), 1);
        assert_eq!(passthrough[0].span, span(300, 11));
        assert!(passthrough[0].message.contains("`PassThrough`"));
        assert!(run(Some("Active")).is_empty());
    }
}
