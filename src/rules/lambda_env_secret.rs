//! A secret written into a function's environment variables.

use super::settings::{any_text, OptionSpec};
use super::{rule_meta, ModelCx, Rule};
use crate::analysis::functions::{functions_phrase, group_by_span};
use crate::analysis::secrets::{has_aws_access_key_id, is_aws_secret_key_shape, secret_shape};
use crate::util::english::name_words;

/// Extra words that mark a variable name as a secret (`PIN`, `PASSCODE`).
const EXTRA_SECRET_NAMES: OptionSpec = OptionSpec {
    name: "extra-secret-names",
    check: any_text,
};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::model::{EnvValue, EnvVar};

pub struct LambdaEnvSecret;

static META: RuleMeta = rule_meta!(
    "LMB001",
    "lambda-env-secret",
    Risk,
    High,
    "a Lambda environment variable holds a secret in plain text"
);

/// Name words that mean the value is a secret.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "tokens",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
    "signingkey",
    "clientsecret",
    "credential",
    "credentials",
    "creds",
    "dbpass",
];

/// Longer words ending in these are secrets too (`DBPASSWORD`, `CSRFTOKEN`).
const SECRET_SUFFIXES: &[&str] = &["password", "passwd", "secret", "token", "apikey"];

/// `<word> KEY` pairs that name a secret (`API_KEY`, `PRIVATE_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "private",
    "access",
    "secret",
    "signing",
    "encryption",
    "master",
    "auth",
];

/// A word that names a secret only when the value looks like one (`AUTH=cognito` is not).
const WEAK_WORDS: &[&str] = &["auth", "authorization"];

/// A word after the secret word that turns the name into a reference to, or a setting
/// of, the secret: `SECRET_ARN`, `TOKEN_TABLE_NAME`, `PASSWORD_MIN_LENGTH`.
const QUALIFIERS: &[&str] = &[
    "arn",
    "name",
    "names",
    "id",
    "ids",
    "path",
    "param",
    "parameter",
    "parameters",
    "ssm",
    "secretsmanager",
    "kms",
    "ref",
    "reference",
    "location",
    "source",
    "store",
    "table",
    "bucket",
    "queue",
    "topic",
    "stream",
    "url",
    "uri",
    "endpoint",
    "host",
    "hostname",
    "domain",
    "issuer",
    "audience",
    "scope",
    "scopes",
    "header",
    "cookie",
    "field",
    "file",
    "filename",
    "dir",
    "prefix",
    "suffix",
    "region",
    "type",
    "mode",
    "method",
    "provider",
    "enabled",
    "enable",
    "disabled",
    "required",
    "flag",
    "version",
    "format",
    "algorithm",
    "alg",
    "ttl",
    "expiry",
    "expiration",
    "expires",
    "timeout",
    "seconds",
    "minutes",
    "hours",
    "days",
    "ms",
    "length",
    "len",
    "size",
    "count",
    "max",
    "min",
    "limit",
    "interval",
    "age",
    "retries",
    "attempts",
    "policy",
    "rotation",
    "schedule",
    "pattern",
    "regex",
    "lambda",
    "function",
    "role",
];

/// How a variable's name marks it as a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameSignal {
    Strong,
    Weak,
}

/// How strongly a variable name says "secret"; `extra` are the configured extra words.
fn name_signal(name: &str, extra: &[String]) -> Option<NameSignal> {
    let words = name_words(name);
    let is_secret_word = |i: usize| {
        let word = words[i].as_str();
        SECRET_WORDS.contains(&word)
            || extra.iter().any(|e| e.eq_ignore_ascii_case(word))
            || SECRET_SUFFIXES
                .iter()
                .any(|s| word.len() > s.len() && word.ends_with(s))
            || (word == "key" && i > 0 && KEY_QUALIFIERS.contains(&words[i - 1].as_str()))
    };
    let last_secret = (0..words.len()).rev().find(|&i| is_secret_word(i));
    let last_weak = (0..words.len())
        .rev()
        .find(|&i| WEAK_WORDS.contains(&words[i].as_str()));
    let (at, signal) = match (last_secret, last_weak) {
        (Some(s), _) => (s, NameSignal::Strong),
        (None, Some(w)) => (w, NameSignal::Weak),
        (None, None) => return None,
    };
    if words[at + 1..]
        .iter()
        .any(|w| QUALIFIERS.contains(&w.as_str()))
    {
        return None;
    }
    Some(signal)
}

/// Values that cannot be a secret whatever the name: empty, a switch, or a pointer to
/// where the secret is kept (an ARN, an SSM parameter path, a reference placeholder).
fn is_reference_or_setting(value: &str) -> bool {
    let value = value.trim();
    let lower = value.to_ascii_lowercase();
    value.is_empty()
        || matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "enabled" | "disabled" | "none"
        )
        || lower.starts_with("arn:")
        || lower.starts_with("alias/")
        || lower.contains("{{resolve:")
        || (value.starts_with("${") && value.ends_with('}'))
        || (value.starts_with('/')
            && value.len() > 1
            && !value.contains(char::is_whitespace)
            && value[1..].contains('/'))
        || is_url_without_credentials(value)
}

fn is_url_without_credentials(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !value.contains(char::is_whitespace)
        && secret_shape(value).is_none()
        && !value.contains('@')
}

/// For names that are only weakly secret (`AUTH`): the value must look like a credential,
/// not a word such as `cognito` or `AWS_IAM`.
fn looks_like_credential(value: &str) -> bool {
    let value = value.trim();
    if value.starts_with("Basic ") || value.starts_with("Bearer ") {
        return true;
    }
    let classes = [
        value.bytes().any(|b| b.is_ascii_uppercase()),
        value.bytes().any(|b| b.is_ascii_lowercase()),
        value.bytes().any(|b| b.is_ascii_digit()),
        value
            .bytes()
            .any(|b| !b.is_ascii_alphanumeric() && b != b'_'),
    ];
    value.len() >= 8
        && !value.contains(char::is_whitespace)
        && classes.iter().filter(|&&c| c).count() >= 2
}

/// What makes a literal value a secret, for the message.
fn literal_secret(
    var: &EnvVar,
    value: &str,
    sibling_has_key_id: bool,
    extra: &[String],
) -> Option<&'static str> {
    if let Some(what) = secret_shape(value) {
        return Some(what);
    }
    let words = name_words(&var.name.value);
    let secretish_name = words.iter().any(|w| w.contains("secret"))
        || words.windows(2).any(|w| w[0] == "access" && w[1] == "key");
    if is_aws_secret_key_shape(value) && (secretish_name || sibling_has_key_id) {
        return Some("an AWS secret access key");
    }
    if is_reference_or_setting(value) {
        return None;
    }
    match name_signal(&var.name.value, extra)? {
        NameSignal::Strong => Some("a secret"),
        NameSignal::Weak => looks_like_credential(value).then_some("a credential"),
    }
}

enum Problem<'a> {
    /// A literal value that is a secret, described for the message.
    Literal(&'static str),
    /// A secret taken from a parameter without `NoEcho`.
    Parameter(&'a str),
}

const LITERAL_HELP: &str = "move the value to Secrets Manager or SSM Parameter Store (SecureString) and read it at run time, or use a dynamic reference such as `{{resolve:secretsmanager:...}}`; rotate the exposed secret";

impl Rule for LambdaEnvSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn options(&self) -> &'static [OptionSpec] {
        &[EXTRA_SECRET_NAMES]
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let extra = cx.settings.list(&META, EXTRA_SECRET_NAMES.name);
        let mut items = Vec::new();
        for function in &model.functions {
            let sibling_has_key_id = function.environment.iter().any(
                |v| matches!(&v.value, EnvValue::Literal(text) if has_aws_access_key_id(text)),
            );
            for var in &function.environment {
                let problem = match &var.value {
                    EnvValue::Literal(value) => {
                        literal_secret(var, value, sibling_has_key_id, extra).map(Problem::Literal)
                    }
                    EnvValue::Parameter {
                        name,
                        no_echo: false,
                    } if name_signal(&var.name.value, extra) == Some(NameSignal::Strong) => {
                        Some(Problem::Parameter(name))
                    }
                    _ => None,
                };
                if let Some(problem) = problem {
                    items.push((var.value_span, function, (var, problem)));
                }
            }
        }
        // A variable from SAM `Globals` is one value for all its functions: one finding.
        for (span, functions, (var, problem)) in group_by_span(items) {
            let who = functions_phrase(&functions);
            let finding = match problem {
                Problem::Literal(what) => Finding::new(
                    &META,
                    functions[0].file,
                    span,
                    format!(
                        "environment variable `{}` of {who} holds {what} in plain text",
                        var.name.value
                    ),
                )
                .help(LITERAL_HELP)
                .sensitive(span),
                Problem::Parameter(name) => Finding::new(
                    &META,
                    functions[0].file,
                    span,
                    format!(
                        "environment variable `{}` of {who} takes a secret from parameter `{name}`, which is not `NoEcho`",
                        var.name.value
                    ),
                )
                .severity(Severity::Medium)
                .help(format!("mark parameter `{name}` `NoEcho: true`, or better, keep the secret in Secrets Manager and read it at run time")),
            };
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileModel;
    use crate::model::testing::{env, function, literal};
    use crate::model::Function;

    fn run(vars: Vec<EnvVar>) -> Vec<Finding> {
        let mut f: Function = function("Api", 10);
        f.environment = vars;
        let model = FileModel {
            functions: vec![f],
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaEnvSecret, &model));
        out
    }

    fn fires(name: &str, value: &str) -> bool {
        !run(vec![literal(name, value, 100)]).is_empty()
    }

    #[test]
    fn flags_literal_values_of_secret_names() {
        for (name, value) in [
            ("DB_PASSWORD", "hunter2hunter2"),
            ("dbPassword", "hunter2"),
            ("DBPASSWORD", "hunter2"),
            ("SMTP_PASS", "p@ss"),
            ("GITHUB_TOKEN", "not-a-real-format-but-secret"),
            ("STRIPE_API_KEY", "abc123"),
            ("apiKey", "abc123"),
            ("JWT_SECRET", "supersecret"),
            ("CLIENT_SECRET", "0123456789"),
            ("PRIVATE_KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
            ("SERVICE_CREDENTIALS", "user:pass"),
            ("ADMIN_PASSWORD", "CHANGE_ME"),
            ("PASSWORD", "changeme"),
            ("BASIC_AUTH", "admin:hunter2"),
            ("AUTH", "Bearer abc.def"),
        ] {
            assert!(fires(name, value), "{name}");
        }
    }

    #[test]
    fn ignores_references_settings_and_non_secret_names() {
        for (name, value) in [
            ("TOKEN_TABLE_NAME", "tokens"),
            (
                "SECRET_ARN",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
            ),
            ("SECRET_NAME", "prod/orders/db"),
            ("PASSWORD_PARAMETER", "/prod/orders/db-password"),
            ("API_KEY_SSM_PATH", "/prod/orders/api-key"),
            ("DB_SECRET_ID", "prod/orders/db"),
            ("AUTH_URL", "https://auth.example.com/oauth2/token"),
            ("AUTH_MODE", "cognito"),
            ("AUTH", "AWS_IAM"),
            ("AUTH", "cognito"),
            ("AUTHOR", "Jane Doe"),
            ("TOKEN_TTL_SECONDS", "3600"),
            ("PASSWORD_MIN_LENGTH", "12"),
            ("ENCRYPTION_KEY", "alias/orders"),
            (
                "ENCRYPTION_KEY",
                "arn:aws:kms:us-east-1:111122223333:key/1234",
            ),
            ("DB_PASSWORD", ""),
            (
                "DB_PASSWORD",
                "{{resolve:secretsmanager:db:SecretString:password}}",
            ),
            ("DB_PASSWORD", "${DbPassword}"),
            ("PASSTHROUGH", "true"),
            ("CACHE_KEY", "orders"),
            ("PARTITION_KEY", "pk"),
            ("TABLE_NAME", "orders"),
            ("KEYPASS_ENABLED", "true"),
        ] {
            assert!(!fires(name, value), "{name}={value}");
        }
    }

    #[test]
    fn flags_secret_shaped_values_whatever_the_name() {
        assert!(fires("CONFIG", "AKIAIOSFODNN7EXAMPLE"));
        assert!(fires(
            "DATABASE_URL",
            "postgres://app:s3cret@orders.abc.us-east-1.rds.amazonaws.com/orders"
        ));
        assert!(fires("SIGNING", "-----BEGIN EC PRIVATE KEY-----\nMHcC"));
        assert!(!fires(
            "DATABASE_URL",
            "postgres://app@orders.abc.us-east-1.rds.amazonaws.com/orders"
        ));
    }

    #[test]
    fn flags_a_secret_key_next_to_an_access_key_id() {
        let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let findings = run(vec![
            literal("KEY_ID", "AKIAIOSFODNN7EXAMPLE", 100),
            literal("SK", key, 200),
        ]);
        assert_eq!(findings.len(), 2);
        assert!(findings[1].message.contains("AWS secret access key"));
        assert!(run(vec![literal("SK", key, 200)]).is_empty());
        assert!(!run(vec![literal("AWS_SECRET_ACCESS_KEY", key, 200)]).is_empty());
    }

    #[test]
    fn the_message_never_contains_the_secret_and_the_value_is_sensitive() {
        let secrets = [
            ("DB_PASSWORD", "hunter2hunter2"),
            ("CONFIG", "AKIAIOSFODNN7EXAMPLE"),
            ("DATABASE_URL", "postgres://app:s3cretpw@db/orders"),
            ("SLACK", "xoxb-1234567890-abcdefghij"),
        ];
        for (name, value) in secrets {
            let var = literal(name, value, 100);
            let value_span = var.value_span;
            let findings = run(vec![var]);
            assert_eq!(findings.len(), 1, "{name}");
            let f = &findings[0];
            assert!(!f.message.contains(value), "{}", f.message);
            assert!(!f.message.contains("hunter2") && !f.message.contains("s3cretpw"));
            assert!(!f.help.contains(value));
            assert!(f.message.contains(name));
            assert_eq!(f.span, value_span);
            assert_eq!(f.sensitive, vec![value_span]);
            assert_eq!(f.severity, Severity::High);
        }
    }

    #[test]
    fn a_globals_variable_gives_one_finding_for_all_its_functions() {
        let var = literal("DB_PASSWORD", "hunter2hunter2", 100);
        let functions = ["A", "B"]
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let mut f = function(id, 300 + i * 50);
                f.environment = vec![var.clone()];
                f
            })
            .collect();
        let model = FileModel {
            functions,
            ..FileModel::default()
        };
        let mut out = Vec::new();
        out.extend(crate::rules::run_rule(&LambdaEnvSecret, &model));
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].message,
            "environment variable `DB_PASSWORD` of functions `A` and `B` holds a secret in plain text"
        );
    }

    #[test]
    fn parameters_without_no_echo_are_medium_and_no_echo_or_references_are_clean() {
        let param = |no_echo| EnvValue::Parameter {
            name: "DbPassword".into(),
            no_echo,
        };
        let findings = run(vec![env("DB_PASSWORD", param(false), 100)]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Medium);
        assert!(findings[0].message.contains("not `NoEcho`"));
        assert!(run(vec![env("DB_PASSWORD", param(true), 100)]).is_empty());
        assert!(run(vec![env("TABLE_NAME", param(false), 100)]).is_empty());
        assert!(run(vec![env(
            "DB_PASSWORD",
            EnvValue::DynamicReference("{{resolve:ssm-secure:/prod/db}}".into()),
            100
        )])
        .is_empty());
        assert!(run(vec![env(
            "DB_PASSWORD",
            EnvValue::Expression("${DbSecret}".into()),
            100
        )])
        .is_empty());
    }
}
