//! An asynchronously invoked function that drops events that keep failing.

use super::{rule_meta, FunctionCx, Rule};
use crate::finding::{Finding, RuleMeta};
use crate::model::Related;

pub struct LambdaNoDlq;

static META: RuleMeta = rule_meta!(
    "LMB005",
    "lambda-no-dlq",
    LambdaPractice,
    Low,
    "an asynchronously invoked function has no dead-letter queue or on-failure destination"
);

impl Rule for LambdaNoDlq {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_function(&self, cx: &FunctionCx<'_, '_>, out: &mut Vec<Finding>) {
        let function = cx.function;
        if function.dead_letter.is_some() || function.on_failure_destination {
            return;
        }
        let asynchronous: Vec<_> = function.events.iter().filter(|e| e.asynchronous).collect();
        let Some(first) = asynchronous.first() else {
            return;
        };
        let more = match asynchronous.len() {
            1 => String::new(),
            2 => " and 1 other source".to_string(),
            n => format!(" and {} other sources", n - 1),
        };
        out.push(
            Finding::new(
                &META,
                function.file,
                function.span,
                format!(
                    "function {} is invoked asynchronously by `{}`{more} but has no dead-letter queue or on-failure destination, so events that fail every retry are lost",
                    function.display_name(),
                    first.kind
                ),
            )
            .help(function.origin.dialect.dead_letter)
            .related(asynchronous.iter().map(|e| Related {
                label: format!("asynchronous event source `{}`", e.kind),
                file: function.file,
                span: e.span,
            })),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{function, span};
    use crate::model::{EventSource, FileModel, Function};

    fn event(kind: &str, asynchronous: bool, at: usize) -> EventSource {
        EventSource {
            kind: kind.into(),
            span: span(at, kind.len()),
            asynchronous,
        }
    }

    fn run(configure: impl FnOnce(&mut Function)) -> Vec<Finding> {
        let mut f = function("Thumbnailer", 10);
        configure(&mut f);
        let model = FileModel {
            functions: vec![f],
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaNoDlq, &model));
        out
    }

    #[test]
    fn flags_async_sources_without_a_failure_target() {
        let findings = run(|f| {
            f.events = vec![
                event("SQS", false, 100),
                event("S3", true, 120),
                event("SNS", true, 140),
            ];
        });
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "function `Thumbnailer` is invoked asynchronously by `S3` and 1 other source but has no dead-letter queue or on-failure destination, so events that fail every retry are lost"
        );
        assert_eq!(findings[0].related.len(), 2);
    }

    #[test]
    fn clean_with_a_dlq_a_destination_or_only_synchronous_sources() {
        assert!(run(|f| {
            f.events = vec![event("S3", true, 120)];
            f.dead_letter = Some(span(300, 10));
        })
        .is_empty());
        assert!(run(|f| {
            f.events = vec![event("EventBridgeRule", true, 120)];
            f.on_failure_destination = true;
        })
        .is_empty());
        assert!(
            run(|f| f.events = vec![event("Api", false, 120), event("SQS", false, 140)]).is_empty()
        );
        assert!(run(|_| {}).is_empty());
    }
}
