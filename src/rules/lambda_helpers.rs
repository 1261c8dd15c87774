//! Logic shared by the Lambda rules (`LMB*`, `shared-role`): splitting variable names into
//! words, matching IAM action patterns, spotting secret-shaped values, and calendar dates.

use crate::model::{Function, PolicyDocument, PolicyValue};
use crate::source::Span;

/// The words of an environment variable name, lower-cased: `DB_PASSWORD`, `dbPassword` and
/// `db-password` all give `["db", "password"]`; `APIKey` gives `["api", "key"]`.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1], chars[i]);
            let next_is_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            // `dbPassword` splits before `P`; `APIKey` splits before `K`.
            if ((prev.is_ascii_lowercase() || prev.is_ascii_digit()) && cur.is_ascii_uppercase())
                || (prev.is_ascii_uppercase() && cur.is_ascii_uppercase() && next_is_lower)
            {
                words.push(chars[start..i].iter().collect::<String>());
                start = i;
            }
        }
        if start < chars.len() {
            words.push(chars[start..].iter().collect::<String>());
        }
    }
    words.iter().map(|w| w.to_ascii_lowercase()).collect()
}

/// Findings about several functions that point at one place: a setting inherited from SAM
/// `Globals` is one line for all of them, so it gets one finding naming them all. Groups
/// keep the order of first appearance and the payload of their first item.
pub fn group_by_span<'a, T>(
    items: impl IntoIterator<Item = (Span, &'a Function, T)>,
) -> Vec<(Span, Vec<&'a Function>, T)> {
    let mut groups: Vec<(Span, Vec<&'a Function>, T)> = Vec::new();
    for (span, function, payload) in items {
        match groups
            .iter_mut()
            .find(|(s, f, _)| *s == span && f[0].file == function.file)
        {
            Some((_, functions, _)) => functions.push(function),
            None => groups.push((span, vec![function], payload)),
        }
    }
    groups
}

/// "function `A`", "functions `A` and `B`".
pub fn functions_phrase(functions: &[&Function]) -> String {
    let names: Vec<String> = functions.iter().map(|f| f.display_name()).collect();
    let noun = if names.len() == 1 {
        "function"
    } else {
        "functions"
    };
    format!("{noun} {}", and_list(&names))
}

/// "`A`", "`A` and `B`", "`A`, `B` and `C`".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

pub use crate::catalog::glob_match_ci;

/// The resolved `Action` values of the Allow statements of some policies, with the
/// statements whose actions cannot be read (`NotAction`, unresolved values).
pub struct AllowedActions<'a> {
    pub values: Vec<&'a PolicyValue>,
    /// An Allow statement uses `NotAction` or an action that could not be evaluated.
    pub has_unknown: bool,
}

pub fn allowed_actions_of<'a>(
    policies: impl Iterator<Item = &'a PolicyDocument>,
) -> AllowedActions<'a> {
    let mut out = AllowedActions {
        values: Vec::new(),
        has_unknown: false,
    };
    for statement in policies.flat_map(PolicyDocument::allow_statements) {
        let Some(action) = &statement.action else {
            continue;
        };
        if action.negated || action.has_unknown {
            out.has_unknown = true;
            continue;
        }
        for value in &action.values {
            if value.resolved {
                out.values.push(value);
            } else {
                out.has_unknown = true;
            }
        }
    }
    out
}

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

/// A calendar date (proleptic Gregorian), stored as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(i64);

impl Date {
    /// Parse `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let year: i64 = parts.next()?.parse().ok()?;
        let month: i64 = parts.next()?.parse().ok()?;
        let day: i64 = parts.next()?.parse().ok()?;
        if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        Some(Date::from_civil(year, month, day))
    }

    /// Days from the civil date (Howard Hinnant's algorithm).
    fn from_civil(year: i64, month: i64, day: i64) -> Date {
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Date(era * 146_097 + doe - 719_468)
    }

    /// Today in UTC, from the system clock (1970-01-01 if the clock is before it).
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.0 - self.0
    }
}

#[cfg(test)]
pub mod testing {
    //! Hand-built models for the rules' unit tests.

    use crate::model::*;
    use crate::source::{Span, Spanned};

    pub fn span(start: usize, len: usize) -> Span {
        Span::new(start, start + len)
    }

    pub fn function(logical_id: &str, at: usize) -> Function {
        Function {
            sam: true,
            ..Function::new(
                0,
                logical_id,
                span(at, logical_id.len()),
                span(at + 20, 200),
            )
        }
    }

    pub fn env(name: &str, value: EnvValue, at: usize) -> EnvVar {
        EnvVar {
            name: Spanned::new(name.to_string(), span(at, name.len())),
            value,
            value_span: span(at + name.len() + 2, 30),
        }
    }

    pub fn literal(name: &str, value: &str, at: usize) -> EnvVar {
        env(name, EnvValue::Literal(value.to_string()), at)
    }

    pub fn role(logical_id: &str, at: usize, policies: Vec<usize>) -> Role {
        Role {
            file: 0,
            logical_id: logical_id.to_string(),
            span: span(at, logical_id.len()),
            policies,
            managed_policies: Vec::new(),
            sam_generated: false,
        }
    }

    pub fn managed(name: &str, aws_managed: bool) -> ManagedPolicyRef {
        ManagedPolicyRef {
            name: name.to_string(),
            span: span(900, name.len()),
            aws_managed,
        }
    }

    /// An identity policy with one Allow statement per action list.
    pub fn allow(statements: &[&[&str]]) -> PolicyDocument {
        PolicyDocument {
            file: 0,
            span: span(500, 300),
            kind: PolicyKind::Identity,
            label: None,
            version: None,
            statements: statements
                .iter()
                .enumerate()
                .map(|(index, actions)| Statement {
                    index,
                    span: span(500 + index * 50, 40),
                    sid: None,
                    effect: Some(Spanned::new(Effect::Allow, span(510 + index * 50, 5))),
                    action: Some(ValueList {
                        negated: false,
                        key_span: span(520 + index * 50, 6),
                        span: span(528 + index * 50, 10),
                        values: actions
                            .iter()
                            .enumerate()
                            .map(|(i, a)| PolicyValue::literal(*a, span(530 + index * 50 + i, 1)))
                            .collect(),
                        has_unknown: false,
                        alternatives: false,
                    }),
                    resource: None,
                    principal: None,
                    condition: Vec::new(),
                    condition_span: None,
                })
                .collect(),
            problems: Vec::new(),
            related: Vec::new(),
            synthesized: false,
        }
    }

    pub fn permission(logical_id: &str, principal: &str, at: usize) -> LambdaPermission {
        LambdaPermission {
            file: 0,
            span: span(at, principal.len()),
            principal: Spanned::new(principal.to_string(), span(at, principal.len())),
            has_source_arn: false,
            has_source_account: false,
            has_principal_org_id: false,
            function: None,
            function_url_auth: None,
            logical_id: logical_id.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(name_words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(name_words("dbPassword"), ["db", "password"]);
        assert_eq!(name_words("APIKey"), ["api", "key"]);
        assert_eq!(name_words("api-key.v2"), ["api", "key", "v2"]);
        assert_eq!(name_words("TOKEN_TABLE_NAME"), ["token", "table", "name"]);
        assert_eq!(name_words("Auth0Domain"), ["auth0", "domain"]);
        assert_eq!(name_words("S3BucketName"), ["s3", "bucket", "name"]);
    }

    #[test]
    fn lists_read_naturally() {
        let items = |n: usize| (0..n).map(|i| format!("`{i}`")).collect::<Vec<_>>();
        assert_eq!(and_list(&items(1)), "`0`");
        assert_eq!(and_list(&items(2)), "`0` and `1`");
        assert_eq!(and_list(&items(3)), "`0`, `1` and `2`");
    }

    #[test]
    fn globs_match_actions_case_insensitively() {
        assert!(glob_match_ci("logs:Put*", "logs:PutLogEvents"));
        assert!(glob_match_ci("LOGS:putlogevents", "logs:PutLogEvents"));
        assert!(glob_match_ci("*", "logs:PutLogEvents"));
        assert!(glob_match_ci("logs:*Log?vents", "logs:PutLogEvents"));
        assert!(!glob_match_ci("logs:Create*", "logs:PutLogEvents"));
        assert!(!glob_match_ci("s3:*", "logs:PutLogEvents"));
    }

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

    #[test]
    fn dates_count_days() {
        let a = Date::parse("2024-02-28").expect("valid date");
        let b = Date::parse("2024-03-01").expect("valid date");
        assert_eq!(a.days_until(b), 2);
        assert_eq!(
            Date::parse("1970-01-01").map(|d| d.days_until(Date(0))),
            Some(0)
        );
        assert_eq!(Date::parse("2026-13-01"), None);
        assert_eq!(Date::parse("2026-1"), None);
        assert!(Date::today() > Date::parse("2024-01-01").expect("valid date"));
    }
}
