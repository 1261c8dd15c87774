//! A condition key that is not global and applies to none of the statement's actions.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::conditions::is_identity_provider_key;
use crate::catalog::{catalog, Expansion};
use crate::finding::{Finding, RuleMeta};
use crate::model::Statement;

pub struct UnknownConditionKey;

static META: RuleMeta = rule_meta!(
    "IAM104",
    "unknown-condition-key",
    PolicyMistake,
    Medium,
    "a condition key is neither global nor defined for any action of the statement"
);

/// What the statement's `Action` stands for, as far as condition keys go.
enum Scope {
    /// `*` or `NotAction`: any key of the catalog may apply.
    Everything,
    /// The action patterns as written; all resolved and known.
    Patterns(Vec<String>),
}

impl Rule for UnknownConditionKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        if statement.condition.is_empty() {
            return;
        }
        let Some(scope) = scope(statement) else {
            return;
        };
        for entry in statement.condition_keys() {
            let key = entry.key.value.as_str();
            // A key built from a template variable (`${Provider}:sub`) cannot be judged.
            if is_identity_provider_key(key) || key.contains("${") {
                continue;
            }
            let date = catalog().date();
            let message = match catalog().condition_key(key) {
                None => format!("condition key `{key}` is not in the IAM catalog (data of {date})"),
                Some(info) if info.global || starts_with_ci(key, "aws:") => continue,
                Some(info) => {
                    let Scope::Patterns(patterns) = &scope else {
                        continue;
                    };
                    if patterns.iter().any(|p| pattern_accepts(p, key, info.name)) {
                        continue;
                    }
                    let shown: Vec<&str> = patterns.iter().map(String::as_str).collect();
                    format!(
                        "condition key `{key}` applies to none of the statement's actions ({}) in the IAM catalog (data of {date})",
                        crate::util::english::code_list(&shown, 3)
                    )
                }
            };
            out.push(
                Finding::new(&META, cx.policy.file, entry.key.span, message).help(
                    "use a key the Service Authorization Reference lists for these actions, or a global `aws:` key; an absent key makes the condition always false (always true with `...IfExists` and negated operators)",
                ),
            );
        }
    }
}

/// `None` when some action cannot be resolved: an unresolved value, an unknown service or
/// a pattern matching nothing (other rules report those).
fn scope(statement: &Statement) -> Option<Scope> {
    let list = statement.action.as_ref()?;
    if list.has_unknown || list.values.iter().any(|v| !v.resolved) {
        return None;
    }
    if list.negated {
        return Some(Scope::Everything);
    }
    let mut patterns = Vec::with_capacity(list.values.len());
    for value in &list.values {
        let text = value.text.as_str();
        if text == "*" || text == "*:*" {
            return Some(Scope::Everything);
        }
        match catalog().expand(text) {
            Expansion::Actions(actions) if !actions.is_empty() => patterns.push(text.to_string()),
            _ => return None,
        }
    }
    (!patterns.is_empty()).then_some(Scope::Patterns(patterns))
}

/// Does some action of the pattern list the key (`template` is its catalog spelling)? A
/// service wildcard (`s3:*`) accepts every key of its service.
fn pattern_accepts(pattern: &str, key: &str, template: &str) -> bool {
    if let Some((service, "*")) = pattern.split_once(':') {
        if key
            .split_once(':')
            .is_some_and(|(prefix, _)| prefix.eq_ignore_ascii_case(service))
        {
            return true;
        }
    }
    keys_of(pattern)
        .iter()
        .any(|k| k.eq_ignore_ascii_case(template))
}

thread_local! {
    /// Condition keys of every action a pattern expands to, per pattern (lower case). Rule
    /// checks run on rayon's long-lived threads, so each thread expands a pattern once.
    static KEYS: RefCell<HashMap<String, Rc<Vec<&'static str>>>> = RefCell::new(HashMap::new());
}

/// Bound on cached patterns per thread; the cache restarts past it.
const CACHE_LIMIT: usize = 4096;

fn keys_of(pattern: &str) -> Rc<Vec<&'static str>> {
    let lower = pattern.to_ascii_lowercase();
    if let Some(hit) = KEYS.with(|c| c.borrow().get(&lower).cloned()) {
        return hit;
    }
    let mut keys: Vec<&'static str> = catalog()
        .expand(pattern)
        .actions()
        .iter()
        .flat_map(|a| a.condition_keys())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let keys = Rc::new(keys);
    KEYS.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(lower, Rc::clone(&keys));
    });
    keys
}

fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_keys_follow_the_catalog() {
        assert!(pattern_accepts(
            "s3:GetObject",
            "s3:ExistingObjectTag/team",
            "s3:ExistingObjectTag/<key>"
        ));
        assert!(
            pattern_accepts("s3:Get*", "s3:prefix", "s3:prefix")
                || pattern_accepts("s3:List*", "s3:prefix", "s3:prefix")
        );
        assert!(!pattern_accepts(
            "s3:GetObject",
            "kms:ViaService",
            "kms:ViaService"
        ));
        assert!(pattern_accepts("kms:*", "kms:ViaService", "kms:ViaService"));
        assert!(pattern_accepts(
            "KMS:Decrypt",
            "kms:viaservice",
            "kms:ViaService"
        ));
    }
}
