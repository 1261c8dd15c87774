//! An action whose service prefix is not in the IAM catalog (`s4:GetObject`).

use strsim::osa_distance;

use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::statement::{dead_action_severity, is_full_wildcard};
use crate::catalog::{catalog, Expansion, PatternService};
use crate::finding::{Finding, RuleMeta};
use crate::model::{Effect, Statement, ValueList};

pub struct UnknownService;

static META: RuleMeta = rule_meta!(
    "IAM101",
    "unknown-service",
    PolicyMistake,
    High,
    "an action names a service prefix that AWS does not have"
);

/// Names people write for a service that are not its IAM prefix (SDK client, console or
/// CLI names).
const PREFIX_ALIASES: &[(&str, &str)] = &[
    ("cloudwatch-logs", "logs"),
    ("cognito-identity-provider", "cognito-idp"),
    ("elbv2", "elasticloadbalancing"),
    ("emr", "elasticmapreduce"),
    ("eventbridge", "events"),
    ("sfn", "states"),
    ("stepfunctions", "states"),
];

/// A suggestion is shown only when it is close: a typo is a letter or two, not a
/// different name that happens to be within reach of a long one.
pub(super) fn close_enough(wrong: &str, suggestion: &str) -> bool {
    let (wrong, suggestion) = (wrong.to_ascii_lowercase(), suggestion.to_ascii_lowercase());
    osa_distance(&wrong, &suggestion) <= 2 + wrong.len() / 10
}

/// The IAM action or pattern meant by `prefix:name` when `prefix` is unknown: a known
/// alias (`stepfunctions` for `states`), the SDK endpoint names `bedrock-runtime` and
/// `apigatewayv2` (the service before the dash or version) when that service has the
/// action, else the nearest prefix.
fn suggest(prefix: &str, name: &str) -> Option<String> {
    let cat = catalog();
    let has = |service: &str| match cat.expand(&format!("{service}:{name}")) {
        Expansion::Actions(actions) => !actions.is_empty(),
        _ => false,
    };
    let lower = prefix.to_ascii_lowercase();
    let alias = PREFIX_ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map(|(_, real)| *real);
    let before_dash = lower.split_once('-').map(|(head, _)| head);
    let without_version = lower
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .strip_suffix('v');
    if let Some(service) = [alias, before_dash, without_version]
        .into_iter()
        .flatten()
        .find(|s| cat.service(s).is_some() && has(s))
    {
        return Some(format!("{service}:{name}"));
    }
    let service = cat
        .suggest_service(prefix)
        .filter(|s| close_enough(prefix, s))?;
    let exact = cat.service(&service)?.action(name).map(|a| a.full_name());
    exact
        .or_else(|| has(&service).then(|| format!("{service}:{name}")))
        .or_else(|| {
            let nearest = cat.suggest_action(&format!("{service}:{name}"))?;
            let (_, nearest_name) = nearest.split_once(':')?;
            close_enough(name, nearest_name).then_some(nearest)
        })
}

/// What a value that matches no action does to the statement, for the message.
pub(super) fn consequence(statement: &Statement, list: &ValueList) -> &'static str {
    match (statement.effect.as_ref().map(|e| e.value), list.negated) {
        (Some(Effect::Allow), false) => "so it grants nothing",
        (Some(Effect::Deny), false) => "so the Deny denies nothing with it",
        (Some(Effect::Allow), true) => "so `NotAction` exempts nothing with it",
        (Some(Effect::Deny), true) => "so the Deny's `NotAction` exempts nothing with it",
        (None, _) => "so it matches nothing",
    }
}

impl Rule for UnknownService {
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
        // `*` is skipped before expanding: it would list the whole catalog for nothing.
        for value in list
            .values
            .iter()
            .filter(|v| v.resolved && !is_full_wildcard(&v.text))
        {
            // Only an unknown service matters here; no need to expand what the pattern grants.
            if !matches!(
                cat.pattern_service(&value.text),
                PatternService::UnknownService
            ) {
                continue;
            }
            let (prefix, name) = value.text.split_once(':').unwrap_or((&value.text, ""));
            let suggestion = suggest(prefix, name);
            let mut message = format!(
                "service `{prefix}` of action `{}` is not in the IAM catalog of {}, {}",
                value.text,
                cat.date(),
                consequence(statement, list)
            );
            let help = match &suggestion {
                Some(s) => {
                    message.push_str(&format!("; did you mean `{s}`?"));
                    format!("replace it with `{s}`")
                }
                None => format!(
                    "check the service prefix in the Service Authorization Reference; if AWS launched `{prefix}` after {}, update iamlint",
                    cat.date()
                ),
            };
            out.push(
                Finding::new(&META, cx.policy.file, value.span, message)
                    .severity(dead_action_severity(statement, list))
                    .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_name_unknown_prefixes_and_real_services() {
        for (alias, real) in PREFIX_ALIASES {
            assert!(
                catalog().service(alias).is_none(),
                "{alias} is a real prefix"
            );
            assert!(
                catalog().service(real).is_some(),
                "{real} is not in the catalog"
            );
        }
    }

    #[test]
    fn suggestions_prefer_the_service_behind_an_endpoint_name() {
        let s = |p: &str, n: &str| suggest(p, n);
        assert_eq!(s("s4", "GetObject").as_deref(), Some("s3:GetObject"));
        assert_eq!(
            s("bedrock-runtime", "InvokeModel").as_deref(),
            Some("bedrock:InvokeModel")
        );
        assert_eq!(
            s("kinesis-stream", "GetRecords").as_deref(),
            Some("kinesis:GetRecords")
        );
        assert_eq!(s("apigatewayv2", "GET").as_deref(), Some("apigateway:GET"));
        assert_eq!(
            s("stepfunctions", "StartExecution").as_deref(),
            Some("states:StartExecution")
        );
        assert_eq!(s("dynamo", "Get*").as_deref(), Some("dynamodb:Get*"));
        assert_eq!(
            s("lamda", "UpdateFunctionCode").as_deref(),
            Some("lambda:UpdateFunctionCode")
        );
        assert_eq!(s("totally-made-up", "Thing"), None);
    }
}
