//! Which rules run: `select` and `ignore` keys (rule names, codes or categories) from the
//! command line or `iamlint.toml`, resolved against the registry in one place.

use super::{Rule, RULES};
use crate::finding::RuleMeta;

/// Whether a `select`/`ignore` key names a rule (name or code) or a category.
pub fn selector_matches(rule: &RuleMeta, key: &str) -> bool {
    rule.name.eq_ignore_ascii_case(key)
        || rule.code.eq_ignore_ascii_case(key)
        || rule.category.as_str().eq_ignore_ascii_case(key)
}

pub fn is_known_selector(key: &str) -> bool {
    RULES.iter().any(|r| selector_matches(r.meta(), key))
}

/// Rules enabled by `select` (empty: all) and `ignore`.
pub fn selected_rules(select: &[String], ignore: &[String]) -> Vec<&'static dyn Rule> {
    RULES
        .iter()
        .copied()
        .filter(|r| select.is_empty() || select.iter().any(|k| selector_matches(r.meta(), k)))
        .filter(|r| !ignore.iter().any(|k| selector_matches(r.meta(), k)))
        .collect()
}

/// "; did you mean `x`?" for a near miss of a rule name, else nothing.
pub fn suggestion(key: &str) -> String {
    RULES
        .iter()
        .map(|r| r.meta().name)
        .map(|name| (strsim::jaro_winkler(&key.to_ascii_lowercase(), name), name))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| format!("; did you mean `{name}`?"))
        .unwrap_or_default()
}
