//! The configuration file, `iamlint.toml` or `.iamlint.toml`: rule selection, severity
//! overrides, the failure threshold, excluded paths, rule options and per-file suppressions.
//!
//! The file is found by walking up from the current directory (stopping at the repository
//! root) or named with `--config`. Unknown keys, rules and values are errors with the file's
//! line and column. Paths in the file are relative to the directory that holds it.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::discover;
pub use crate::discover::PathPatterns;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::persona::Persona;
use crate::rules::selection::{is_known_selector, suggestion};
use crate::rules::{self, RuleSettings, RULES};
use crate::source::{SourceFile, Span};

/// Names looked for in each directory, in order of preference.
pub const FILE_NAMES: [&str; 2] = ["iamlint.toml", ".iamlint.toml"];

/// Written by `iamlint init`: every setting, commented out, so the file parses as is.
pub const DEFAULT_CONFIG: &str = r#"# iamlint configuration. Every setting is optional; command-line flags override these.
# Rules are named by name (`wildcard-action`), code (`IAM001`) or category (`over-privilege`);
# `iamlint rules` lists them. Paths are relative to this file's directory.

# Run only these rules (default: all).
# select = ["over-privilege", "policy-mistake", "meta"]

# Skip these rules.
# ignore = ["not-resource"]

# Exit with 1 when a finding is at or above this severity: critical, high, medium, low, info.
# fail-on = "low"

# Which findings to show: regular (what to act on), pedantic (also advice such as X-Ray
# tracing and reserved concurrency), auditor (everything, suppressed findings included).
# persona = "regular"

# Skip matching files and folders, as `--exclude` does (gitignore-like: `name` matches at any
# depth, a pattern with a slash such as `dir/x` matches from here, `**` crosses folders).
# exclude = ["cdk.out/", "policies/legacy/", "*.generated.json"]

# Actions no policy may grant, checked by `iamlint check --access-analyzer` (IAM Access
# Analyzer's CheckAccessNotGranted; added to --deny-actions).
# deny-actions = ["iam:PassRole", "s3:DeleteBucket"]

# Organization policies (SCPs, RCPs) applied to every role, as --org-policies does: a folder
# of policy JSON or `aws organizations describe-policy` output.
# org-policies = "org-policies/"

# Severity per rule, replacing the rule's own.
# [severity]
# wildcard-resource = "high"
# not-resource = "low"

# Rule options.
# [rules.service-wildcard-action]
# Wildcard actions that are accepted as written (case-insensitive, exact text).
# allowed-actions = ["logs:*", "xray:Put*"]

# Suppress a rule in one file (or one statement of it, by Sid). A reason is required.
# [[suppress]]
# path = "policies/admin.json"
# rule = "wildcard-action"
# sid = "AdminBreakGlass"
# reason = "break-glass role, reviewed by security"
"#;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// The config file as read, for error positions and for findings that point into it.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// Absolute path.
    pub path: PathBuf,
    /// Directory that relative paths in the file are resolved against.
    pub base: PathBuf,
    pub text: String,
}

/// A `[[suppress]]` entry: a rule silenced in matching files, or in one statement of them.
#[derive(Debug, Clone)]
pub struct PathSuppression {
    pub path: String,
    matcher: PathPatterns,
    pub rule: &'static RuleMeta,
    /// Limit to the statement with this Sid.
    pub sid: Option<String>,
    pub reason: String,
    /// Span of the `rule` value in the config file, where an unused entry is reported.
    pub span: Span,
}

impl PathSuppression {
    pub fn matches(&self, relative_path: &str) -> bool {
        self.matcher.matches(relative_path)
    }
}

/// Settings from a config file. `Config::default()` stands for "no config file".
#[derive(Debug, Default, Clone)]
pub struct Config {
    pub file: Option<ConfigFile>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    pub persona: Option<Persona>,
    pub exclude: PathPatterns,
    /// Severity overrides by rule code.
    pub severity: BTreeMap<&'static str, Severity>,
    /// Options of the rules (`[rules.<name>]`), handed to them through the lint context.
    pub rule_settings: RuleSettings,
    pub suppress: Vec<PathSuppression>,
    /// Actions no policy may grant, checked online by `check --access-analyzer`
    /// (`deny-actions`).
    pub deny_actions: Vec<String>,
    /// Folder of SCPs and RCPs applied to every role (`org-policies`), relative to the
    /// config file's folder.
    pub org_policies: Option<PathBuf>,
}

// ---- reading ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    persona: Option<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, RawRuleOptions>,
    #[serde(default)]
    suppress: Vec<Spanned<RawSuppress>>,
    #[serde(default)]
    deny_actions: Vec<Spanned<String>>,
    #[serde(alias = "org_policies")]
    org_policies: Option<Spanned<String>>,
}

/// `[rules.<name>]`: option name to a list of strings; which names a rule takes is the
/// rule's own declaration (`Rule::options`).
type RawRuleOptions = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSuppress {
    path: Option<Spanned<String>>,
    rule: Option<Spanned<String>>,
    sid: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
}

/// `service:Action`, the only form IAM Access Analyzer's access checks take (no wildcards).
pub fn is_action_name(text: &str) -> bool {
    text.split_once(':').is_some_and(|(service, action)| {
        !service.is_empty()
            && !action.is_empty()
            && service
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && action.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// An error at a byte range of the config text, turned into file:line:col by `Config::parse`.
struct At(std::ops::Range<usize>, String);

fn at<T>(spanned: &Spanned<T>, message: impl Into<String>) -> At {
    At(spanned.span(), message.into())
}

impl Config {
    /// Find the config file for `start`: the nearest `iamlint.toml` or `.iamlint.toml` in it or
    /// a parent directory, not looking above the repository root (a directory with `.git`).
    pub fn discover(start: &Path) -> Result<Option<PathBuf>, ConfigError> {
        for dir in start.ancestors() {
            let found: Vec<PathBuf> = FILE_NAMES
                .iter()
                .map(|name| dir.join(name))
                .filter(|p| p.is_file())
                .collect();
            match found.as_slice() {
                [] => {}
                [one] => return Ok(Some(one.clone())),
                [first, ..] => {
                    return Err(ConfigError::Read {
                        path: first.display().to_string(),
                        message: format!(
                            "both {} and {} exist in {}; keep one",
                            FILE_NAMES[0],
                            FILE_NAMES[1],
                            dir.display()
                        ),
                    })
                }
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        Ok(None)
    }

    /// Read and validate a config file.
    pub fn load(path: &Path, cwd: &Path) -> Result<Config, ConfigError> {
        let absolute = normalize(&cwd.join(path));
        let display = discover::display_path(&absolute, Some(cwd));
        let text = std::fs::read_to_string(&absolute).map_err(|e| ConfigError::Read {
            path: display.clone(),
            message: format!("could not read config file: {}", discover::describe_io(&e)),
        })?;
        Config::parse(&text, &absolute, &display)
    }

    /// Validate config text; `path` is absolute, `display` names it in errors.
    pub fn parse(text: &str, path: &Path, display: &str) -> Result<Config, ConfigError> {
        Config::parse_inner(text, path).map_err(|At(range, message)| {
            let source = SourceFile::new(path.to_path_buf(), display.to_string(), text.into());
            let pos = source.line_col(range.start as u32);
            ConfigError::Invalid {
                path: display.to_string(),
                line: pos.line,
                column: pos.column,
                message,
            }
        })
    }

    fn parse_inner(text: &str, path: &Path) -> Result<Config, At> {
        let raw: RawConfig = toml::from_str(text)
            .map_err(|e| At(e.span().unwrap_or(0..0), e.message().trim_end().to_string()))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut config = Config {
            file: Some(ConfigFile {
                path: path.to_path_buf(),
                base,
                text: text.to_string(),
            }),
            ..Config::default()
        };
        for key in raw.select.iter().chain(&raw.ignore) {
            if !is_known_selector(key.get_ref()) {
                return Err(at(
                    key,
                    format!(
                        "unknown rule, code or category `{}`{}",
                        key.get_ref(),
                        suggestion(key.get_ref())
                    ),
                ));
            }
        }
        config.select = raw.select.into_iter().map(Spanned::into_inner).collect();
        config.ignore = raw.ignore.into_iter().map(Spanned::into_inner).collect();
        if let Some(fail_on) = &raw.fail_on {
            config.fail_on = Some(parse_severity(fail_on)?);
        }
        if let Some(persona) = &raw.persona {
            config.persona = Some(Persona::parse(persona.get_ref()).ok_or_else(|| {
                at(
                    persona,
                    format!(
                        "unknown persona `{}`; expected regular, pedantic or auditor",
                        persona.get_ref()
                    ),
                )
            })?);
        }
        for pattern in &raw.exclude {
            PathPatterns::new([pattern.get_ref().as_str()]).map_err(|m| at(pattern, m))?;
        }
        config.exclude = PathPatterns::new(raw.exclude.iter().map(|p| p.get_ref().as_str()))
            .map_err(|m| At(0..0, m.into()))?;
        for (rule, severity) in &raw.severity {
            let meta = find_rule(rule)?;
            config.severity.insert(meta.code, parse_severity(severity)?);
        }
        for (rule, options) in raw.rules {
            read_rule_options(&rule, options, &mut config.rule_settings)?;
        }
        for entry in raw.suppress {
            config.suppress.push(read_suppress(entry)?);
        }
        for action in &raw.deny_actions {
            if !is_action_name(action.get_ref()) {
                return Err(at(
                    action,
                    format!("`{}` is not an action (`service:Action`)", action.get_ref()),
                ));
            }
        }
        config.deny_actions = raw
            .deny_actions
            .into_iter()
            .map(Spanned::into_inner)
            .collect();
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        config.org_policies = raw.org_policies.map(|p| folder.join(p.into_inner()));
        Ok(config)
    }

    /// Severity set for a rule by `[severity]`.
    pub fn severity_for(&self, rule: &RuleMeta) -> Option<Severity> {
        self.severity.get(rule.code).copied()
    }

    /// Apply `[severity]` overrides.
    pub fn adjust_severity(&self, finding: &mut Finding) {
        if let Some(severity) = self.severity_for(finding.rule) {
            finding.severity = severity;
        }
    }

    /// A path as config patterns see it: relative to the config file's directory, `/`
    /// separated; relative to the current directory when outside it or without a config.
    pub fn relative_path(&self, path: &Path, cwd: Option<&Path>) -> String {
        let absolute = match cwd {
            Some(cwd) => normalize(&cwd.join(path)),
            None => normalize(path),
        };
        if let Some(file) = &self.file {
            if let Ok(rel) = absolute.strip_prefix(&file.base) {
                return rel.to_string_lossy().replace('\\', "/");
            }
        }
        discover::display_path(&absolute, cwd)
    }

    /// Whether `exclude` matches the file.
    pub fn is_excluded(&self, path: &Path, cwd: Option<&Path>) -> bool {
        !self.exclude.is_empty() && self.exclude.matches(&self.relative_path(path, cwd))
    }

    /// The config file as a source, so findings can point into it.
    pub fn source(&self, cwd: Option<&Path>) -> Option<SourceFile> {
        let file = self.file.as_ref()?;
        Some(SourceFile::new(
            file.path.clone(),
            discover::display_path(&file.path, cwd),
            file.text.clone(),
        ))
    }
}

fn parse_severity(text: &Spanned<String>) -> Result<Severity, At> {
    Severity::parse(text.get_ref()).ok_or_else(|| {
        at(
            text,
            format!(
                "unknown severity `{}`; expected critical, high, medium, low or info",
                text.get_ref()
            ),
        )
    })
}

fn find_rule(key: &Spanned<String>) -> Result<&'static RuleMeta, At> {
    rules::find(key.get_ref()).map(|r| r.meta()).ok_or_else(|| {
        at(
            key,
            format!(
                "unknown rule `{}`{}",
                key.get_ref(),
                suggestion(key.get_ref())
            ),
        )
    })
}

fn read_rule_options(
    rule: &Spanned<String>,
    raw: RawRuleOptions,
    settings: &mut RuleSettings,
) -> Result<(), At> {
    let found = rules::find(rule.get_ref()).ok_or_else(|| {
        at(
            rule,
            format!(
                "unknown rule `{}`{}",
                rule.get_ref(),
                suggestion(rule.get_ref())
            ),
        )
    })?;
    let meta = found.meta();
    for (key, value) in raw {
        let Some(spec) = found.options().iter().find(|o| o.name == key.get_ref()) else {
            let owners: Vec<String> = RULES
                .iter()
                .filter(|r| r.options().iter().any(|o| o.name == key.get_ref()))
                .map(|r| format!("`{}`", r.meta().name))
                .collect();
            return Err(if owners.is_empty() {
                let known: Vec<String> = found
                    .options()
                    .iter()
                    .map(|o| format!("`{}`", o.name))
                    .collect();
                at(
                    &key,
                    format!(
                        "unknown field `{}`, expected {}",
                        key.get_ref(),
                        if known.is_empty() {
                            format!("no options for `{}`", meta.name)
                        } else {
                            known.join(" or ")
                        }
                    ),
                )
            } else {
                at(
                    &value,
                    format!(
                        "`{}` is an option of {}, not of `{}`",
                        key.get_ref(),
                        owners.join(" and "),
                        meta.name
                    ),
                )
            });
        };
        let list = match value.get_ref() {
            toml::Value::Array(items) => items,
            _ => {
                return Err(at(
                    &value,
                    format!("`{}` takes a list of strings", spec.name),
                ))
            }
        };
        let mut values = Vec::with_capacity(list.len());
        for item in list {
            let text = item
                .as_str()
                .ok_or_else(|| at(&value, format!("`{}` takes a list of strings", spec.name)))?;
            (spec.check)(text).map_err(|m| at(&value, m))?;
            values.push(text.to_string());
        }
        settings.set(meta, spec.name, values);
    }
    Ok(())
}

fn read_suppress(entry: Spanned<RawSuppress>) -> Result<PathSuppression, At> {
    let header = entry.span();
    let raw = entry.into_inner();
    let missing = |key: &str| At(header.clone(), format!("[[suppress]] needs `{key}`"));
    let path = raw.path.ok_or_else(|| missing("path"))?;
    let rule = raw.rule.ok_or_else(|| missing("rule"))?;
    let reason = raw.reason.ok_or_else(|| {
        At(
            header.clone(),
            "[[suppress]] needs a `reason` saying why the finding is accepted".into(),
        )
    })?;
    if reason.get_ref().trim().is_empty() {
        return Err(at(
            &reason,
            "`reason` is empty; say why the finding is accepted",
        ));
    }
    let meta = find_rule(&rule)?;
    let matcher = PathPatterns::new([path.get_ref().as_str()]).map_err(|m| at(&path, m))?;
    let range = rule.span();
    Ok(PathSuppression {
        path: path.into_inner(),
        matcher,
        rule: meta,
        sid: raw.sid.map(Spanned::into_inner),
        reason: reason.into_inner(),
        span: Span::new(range.start, range.end),
    })
}

/// Remove `.` and resolve `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/repo/iamlint.toml"), "iamlint.toml")
    }

    fn error(text: &str) -> String {
        parse(text).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn default_template_parses_to_nothing() {
        let config = parse(DEFAULT_CONFIG).unwrap();
        assert!(config.select.is_empty() && config.suppress.is_empty());
        assert!(config.fail_on.is_none());
        assert!(config.persona.is_none());
        assert!(config.deny_actions.is_empty());
    }

    #[test]
    fn persona_is_read_and_checked() {
        let config = parse("persona = \"pedantic\"\n").unwrap();
        assert_eq!(config.persona, Some(Persona::Pedantic));
        assert!(error("persona = \"admin\"\n")
            .starts_with("iamlint.toml:1:11: unknown persona `admin`"));
    }

    #[test]
    fn reads_deny_actions_and_rejects_patterns() {
        let config = parse("deny-actions = [\"iam:PassRole\", \"s3:DeleteBucket\"]\n").unwrap();
        assert_eq!(config.deny_actions, ["iam:PassRole", "s3:DeleteBucket"]);
        assert!(error("deny-actions = [\"iam:*\"]\n").contains("1:17: `iam:*` is not an action"));
    }

    #[test]
    fn reads_every_setting() {
        let config = parse(
            r#"
select = ["over-privilege", "IAM010"]
ignore = ["not-resource"]
fail-on = "high"
exclude = ["legacy/", "*.generated.json"]
[severity]
wildcard-resource = "high"
[rules.service-wildcard-action]
allowed-actions = ["logs:*"]
[rules.lambda-env-secret]
extra-secret-names = ["PIN"]
[[suppress]]
path = "policies/admin.json"
rule = "IAM001"
sid = "Admin"
reason = "break-glass"
"#,
        )
        .unwrap();
        assert_eq!(config.fail_on, Some(Severity::High));
        assert_eq!(config.severity.get("IAM003"), Some(&Severity::High));
        let swa = rules::find("service-wildcard-action").unwrap().meta();
        assert_eq!(
            config.rule_settings.list(swa, "allowed-actions"),
            ["logs:*".to_string()]
        );
        assert_eq!(config.suppress[0].rule.name, "wildcard-action");
        assert!(config.suppress[0].matches("policies/admin.json"));
        assert!(!config.suppress[0].matches("policies/admin.json.bak"));
        assert!(config.is_excluded(Path::new("/repo/a/legacy/x.json"), None));
        assert!(config.is_excluded(Path::new("/repo/b.generated.json"), None));
        assert!(!config.is_excluded(Path::new("/repo/b.json"), None));
    }

    #[test]
    fn unknown_keys_and_values_are_positioned_errors() {
        assert!(error("select = []\nbogus = 1\n")
            .starts_with("iamlint.toml:2:1: unknown field `bogus`"));
        assert!(error("[severity]\nwildcard-actoin = \"high\"\n")
            .contains("2:1: unknown rule `wildcard-actoin`; did you mean `wildcard-action`?"));
        assert!(error("fail-on = \"severe\"\n").contains("1:11: unknown severity"));
        assert!(
            error("[rules.wildcard-resource]\nallowed-actions = [\"s3:*\"]\n")
                .contains("2:19: `allowed-actions` is an option of")
        );
        assert!(
            error("[[suppress]]\npath = \"a.json\"\nrule = \"wildcard-action\"\n")
                .contains("1:1: [[suppress]] needs a `reason`")
        );
        assert!(error("[rules.wildcard-action]\nallowed = 1\n")
            .contains("2:1: unknown field `allowed`"));
    }

    #[test]
    fn path_patterns_are_gitignore_like() {
        let p = PathPatterns::new(["cdk.out/", "/top.json", "a/*.json", "**/gen/**"]).unwrap();
        assert!(p.matches("cdk.out/x/template.json"));
        assert!(p.matches("sub/cdk.out/t.json"));
        assert!(p.matches("top.json"));
        assert!(!p.matches("sub/top.json"));
        assert!(p.matches("a/b.json"));
        assert!(!p.matches("a/c/b.json"));
        assert!(p.matches("x/gen/y.json"));
        assert!(!PathPatterns::default().matches("x"));
    }

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}
