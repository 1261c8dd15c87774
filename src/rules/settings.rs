//! Rule options from `iamlint.toml` (`[rules.<name>]`). Each rule declares the options it
//! reads; the configuration builds them once into `RuleSettings`, which every run hands to
//! the rules through their context. No globals: the CLI and library callers of
//! `lint::run_with` get the same behaviour.

use std::collections::BTreeMap;

use crate::finding::RuleMeta;

/// One option a rule reads: a list of strings (the only kind any rule needs so far).
#[derive(Debug)]
pub struct OptionSpec {
    /// Kebab-case key under `[rules.<name>]`.
    pub name: &'static str,
    /// Checks one entry; the error says what is wrong with it.
    pub check: fn(&str) -> Result<(), String>,
}

/// Accepts any entry.
pub fn any_text(_: &str) -> Result<(), String> {
    Ok(())
}

/// An action or action pattern (`logs:*`, `s3:Get*`), or `*`.
pub fn action_pattern(entry: &str) -> Result<(), String> {
    if entry == "*" || entry.contains(':') {
        Ok(())
    } else {
        Err(format!("`{entry}` is not an action (`service:Name`)"))
    }
}

/// Option values by rule code and option name.
#[derive(Debug, Default, Clone)]
pub struct RuleSettings {
    values: BTreeMap<(&'static str, &'static str), Vec<String>>,
}

impl RuleSettings {
    pub fn set(&mut self, rule: &RuleMeta, option: &'static str, values: Vec<String>) {
        self.values.insert((rule.code, option), values);
    }

    /// The option's entries for the rule, empty when unset.
    pub fn list(&self, rule: &RuleMeta, option: &str) -> &[String] {
        self.values
            .iter()
            .find(|((code, name), _)| *code == rule.code && *name == option)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    pub fn is_empty(&self) -> bool {
        self.values.values().all(Vec::is_empty)
    }
}

/// `allowed-actions`: wildcard actions accepted as written, compared case-insensitively.
pub const ALLOWED_ACTIONS: OptionSpec = OptionSpec {
    name: "allowed-actions",
    check: action_pattern,
};

/// Why a flagged action is accepted, when the rule's `allowed-actions` lists it.
pub fn accepted_action(settings: &RuleSettings, rule: &RuleMeta, action: &str) -> Option<String> {
    settings
        .list(rule, ALLOWED_ACTIONS.name)
        .iter()
        .any(|a| a.eq_ignore_ascii_case(action))
        .then(|| {
            format!(
                "`{action}` is in `allowed-actions` of [rules.{}]",
                rule.name
            )
        })
}
