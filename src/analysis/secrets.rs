//! Values whose shape gives them away as secrets, whatever the variable is called.

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
