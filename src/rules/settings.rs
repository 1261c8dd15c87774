//! Rule options from the configuration file that change what a rule looks for (as opposed
//! to filters applied to its findings). Set once per process, before linting.

use std::sync::OnceLock;

#[derive(Debug, Default, Clone)]
pub struct RuleSettings {
    /// Extra words that mark an environment variable name as a secret (`lambda-env-secret`),
    /// lower-cased.
    pub extra_secret_names: Vec<String>,
}

static SETTINGS: OnceLock<RuleSettings> = OnceLock::new();

/// Install the settings; later calls are ignored (the first configuration of a run wins).
pub fn configure(settings: RuleSettings) {
    let _ = SETTINGS.set(settings);
}

pub fn current() -> &'static RuleSettings {
    SETTINGS.get_or_init(RuleSettings::default)
}
