//! Values whose shape gives them away as secrets, whatever the variable is called, and
//! variable names that say a value is a secret.

use crate::util::english::name_words;

/// What a literal value is, when its shape gives it away as a secret whatever the
/// variable is called. Returns a description for messages, never the value.
pub fn secret_shape(value: &str) -> Option<&'static str> {
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if has_aws_access_key_id(value) {
        return Some("an AWS access key id");
    }
    let tokens: &[(&[&str], usize, &str)] = &[
        (
            &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
            36,
            "a GitHub token",
        ),
        (&["github_pat_"], 22, "a GitHub token"),
        (
            &["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"],
            10,
            "a Slack token",
        ),
        (&["sk_live_", "rk_live_"], 16, "a Stripe live key"),
        (&["AIza"], 35, "a Google API key"),
    ];
    for (prefixes, min_len, what) in tokens {
        if prefixes
            .iter()
            .any(|prefix| has_prefixed_token(value, prefix, *min_len))
        {
            return Some(what);
        }
    }
    if has_jwt(value) {
        return Some("a JSON Web Token");
    }
    if has_connection_string_password(value) {
        return Some("a connection string with a password");
    }
    None
}

/// `AKIA`/`ASIA` followed by 16 upper-case letters or digits, as a whole word.
pub fn has_aws_access_key_id(value: &str) -> bool {
    let bytes = value.as_bytes();
    (0..bytes.len().saturating_sub(19)).any(|i| {
        let word = &bytes[i..i + 20];
        (word.starts_with(b"AKIA") || word.starts_with(b"ASIA"))
            && word[4..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
            && bytes.get(i + 20).is_none_or(|b| !b.is_ascii_alphanumeric())
    })
}

/// A 40-character base64 word, the shape of an AWS secret access key.
pub fn is_aws_secret_key_shape(value: &str) -> bool {
    let value = value.trim();
    value.len() == 40
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
        && value
            .bytes()
            .any(|b| b.is_ascii_digit() || b == b'/' || b == b'+')
        && value.bytes().any(|b| b.is_ascii_lowercase())
        && value.bytes().any(|b| b.is_ascii_uppercase())
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `prefix` at a word start, followed by at least `min_len` token characters.
fn has_prefixed_token(value: &str, prefix: &str, min_len: usize) -> bool {
    value.match_indices(prefix).any(|(at, _)| {
        let before_ok = at == 0 || !value.as_bytes()[at - 1].is_ascii_alphanumeric();
        let rest = &value.as_bytes()[at + prefix.len()..];
        before_ok && rest.iter().take_while(|&&b| is_token_char(b)).count() >= min_len
    })
}

/// Three base64url segments separated by dots, the first two JSON objects (`eyJ`).
fn has_jwt(value: &str) -> bool {
    value.match_indices("eyJ").any(|(at, _)| {
        let rest = &value[at..];
        let token: &str = rest
            .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .next()
            .unwrap_or("");
        let parts: Vec<&str> = token.split('.').collect();
        parts.len() == 3
            && parts[0].len() >= 10
            && parts[1].len() >= 10
            && parts[1].starts_with("eyJ")
    })
}

/// `scheme://user:password@host`, `...?password=...` or `Server=...;Password=...`, with
/// a password that is written out (not a `${...}` or `{{...}}` reference).
pub fn has_connection_string_password(value: &str) -> bool {
    let written = |password: &str| {
        let password = password.trim();
        !password.is_empty() && !password.starts_with("${") && !password.starts_with("{{")
    };
    for (at, _) in value.match_indices("://") {
        let rest = &value[at + 3..];
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if let Some((userinfo, _host)) = authority.rsplit_once('@') {
            if let Some((_user, password)) = userinfo.split_once(':') {
                if written(password) {
                    return true;
                }
            }
        }
    }
    // `?password=x&...` (JDBC) and `Password=x;...` (ADO.NET, ODBC) pairs.
    value.split(['?', '&', ';']).any(|pair| {
        pair.split_once('=').is_some_and(|(key, val)| {
            matches!(
                key.trim().to_ascii_lowercase().as_str(),
                "password" | "pwd" | "passwd"
            ) && written(val)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_secret_shapes() {
        assert_eq!(
            secret_shape("AKIAIOSFODNN7EXAMPLE"),
            Some("an AWS access key id")
        );
        assert_eq!(secret_shape("xAKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(
            secret_shape("-----BEGIN RSA PRIVATE KEY-----\nMIIE..."),
            Some("a private key")
        );
        assert_eq!(
            secret_shape("ghp_0123456789abcdefghijklmnopqrstuvwxyz"),
            Some("a GitHub token")
        );
        assert_eq!(
            secret_shape("xoxb-1234567890-abcdefghij"),
            Some("a Slack token")
        );
        assert_eq!(
            secret_shape("sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            Some("a Stripe live key")
        );
        assert_eq!(
            secret_shape("AIzaSyA1234567890abcdefghijklmnopqrstuv"),
            Some("a Google API key")
        );
        assert_eq!(
            secret_shape("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig-nature_x"),
            Some("a JSON Web Token")
        );
        assert_eq!(
            secret_shape("postgres://app:s3cret@db.example.com:5432/orders"),
            Some("a connection string with a password")
        );
        assert_eq!(
            secret_shape("mongodb+srv://u:p@cluster0.mongodb.net/db"),
            Some("a connection string with a password")
        );
        assert_eq!(
            secret_shape("Server=db;Database=orders;User Id=app;Password=hunter2;"),
            Some("a connection string with a password")
        );
        assert_eq!(
            secret_shape("jdbc:mysql://db:3306/orders?user=app&password=hunter2"),
            Some("a connection string with a password")
        );
    }

    #[test]
    fn leaves_ordinary_values_alone() {
        for value in [
            "postgres://app@db.example.com:5432/orders",
            "postgres://app:${DbPassword}@db:5432/orders",
            "https://example.com/path?token_ttl=3600",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
            "/prod/orders/db-password",
            "ghp_short",
            "eyJhbGciOiJIUzI1NiJ9",
            "Password=;Server=db",
            "orders-table",
        ] {
            assert_eq!(secret_shape(value), None, "{value}");
        }
    }

    #[test]
    fn secret_key_shape_needs_mixed_base64() {
        assert!(is_aws_secret_key_shape(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        ));
        assert!(!is_aws_secret_key_shape(
            "abcdefghijabcdefghijabcdefghijabcdefghij"
        ));
        assert!(!is_aws_secret_key_shape("short"));
    }
}

// Environment variable names and values (`lambda-env-secret`, `lambda-env-no-kms`).

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
pub enum NameSignal {
    Strong,
    Weak,
}

/// How strongly a variable name says "secret"; `extra` are the configured extra words.
pub fn name_signal(name: &str, extra: &[String]) -> Option<NameSignal> {
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
pub fn is_reference_or_setting(value: &str) -> bool {
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
pub fn looks_like_credential(value: &str) -> bool {
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

/// Does the variable hold something worth a customer managed key: a value of a secret's
/// shape, or a secret's name (`DB_PASSWORD`, `API_KEY`) with a value that is not a pointer
/// to where the secret is kept? A value computed at deploy time (`{{resolve:...}}`, a
/// parameter) ends up in the configuration as plain text, so it counts.
pub fn env_var_is_sensitive(name: &str, literal: Option<&str>, extra: &[String]) -> bool {
    if literal.is_some_and(|v| secret_shape(v).is_some()) {
        return true;
    }
    let pointer = |v: &str| is_reference_or_setting(v) && !v.contains("{{resolve:");
    match name_signal(name, extra) {
        Some(NameSignal::Strong) => !literal.is_some_and(pointer),
        Some(NameSignal::Weak) => literal.is_some_and(|v| !pointer(v) && looks_like_credential(v)),
        None => false,
    }
}
