//! An action the catalog does not know in a known service (`s3:GetObjets`), a pattern that
//! matches no action (`s3:Gett*`), or a value that is not `service:action` at all.

use super::helpers::{has_wildcard, is_full_wildcard};
use super::unknown_service::consequence;
use super::{rule_meta, PolicyCx, Rule};
use crate::catalog::{catalog, Expansion};
use crate::finding::{Finding, RuleMeta};
use crate::model::Statement;

pub struct UnknownAction;

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

    fn check_statement(&self, cx: &PolicyCx<'_>, statement: &Statement, out: &mut Vec<Finding>) {
        let Some(list) = &statement.action else {
            return;
        };
        let cat = catalog();
        for value in list.values.iter().filter(|v| v.resolved) {
            let text = value.text.as_str();
            if is_full_wildcard(text) {
                continue;
            }
            let (message, help) = match cat.expand(text) {
                // Known service with matches, or `unknown-service` business.
                Expansion::Actions(actions) if !actions.is_empty() => continue,
                Expansion::UnknownService => continue,
                Expansion::Invalid => (
                    format!("action `{text}` is not of the form `service:action`, {}", consequence(statement, list)),
                    "write the action as the service prefix, a colon and the action name, e.g. \"s3:GetObject\"; wildcards are allowed in the name only".to_string(),
                ),
                Expansion::Actions(_) => {
                    let (service, _) = text.split_once(':').unwrap_or((text, ""));
                    let service = cat.service(service).map_or(service, |s| s.prefix());
                    let listing = format!("`iamlint expand '{service}:*'` lists the `{service}` actions of the IAM catalog of {}", cat.date());
                    if has_wildcard(text) {
                        (
                            format!("pattern `{text}` matches no `{service}` action, {}", consequence(statement, list)),
                            format!("fix the pattern; {listing}"),
                        )
                    } else {
                        match cat.suggest_action(text) {
                            Some(s) => (
                                format!("action `{text}` does not exist in `{service}`, {}; did you mean `{s}`?", consequence(statement, list)),
                                format!("replace it with `{s}`"),
                            ),
                            None => (
                                format!("action `{text}` does not exist in `{service}`, {}", consequence(statement, list)),
                                format!("check the name in the Service Authorization Reference; {listing}"),
                            ),
                        }
                    }
                }
            };
            out.push(Finding::new(&META, cx.policy.file, value.span, message).help(help));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::catalog;

    #[test]
    fn typos_get_the_real_action() {
        assert_eq!(
            catalog().suggest_action("s3:GetObjets").as_deref(),
            Some("s3:GetObject")
        );
        assert!(catalog().action("S3:getobject").is_some());
    }
}
