//! Condition operators and the catalog types of condition keys, shared by the condition
//! rules (`unknown-condition-key`, `condition-type-mismatch`, `condition-wildcard-no-like`,
//! `forallvalues-single-valued-key`, `bad-mfa-condition`).

use crate::catalog::{catalog, ConditionKey, ConditionType};
use crate::model::{ConditionClause, PolicyValue};

/// The family of a condition operator, after `ForAllValues:`/`ForAnyValue:` and `IfExists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    IpAddress,
    Arn,
    Null,
}

impl Family {
    /// With its article: "a string", "an ARN".
    pub(crate) fn name(self) -> &'static str {
        match self {
            Family::String => "a string",
            Family::Numeric => "a numeric",
            Family::Date => "a date",
            Family::Bool => "a Boolean",
            Family::Binary => "a binary",
            Family::IpAddress => "an IP address",
            Family::Arn => "an ARN",
            Family::Null => "a null-check",
        }
    }
}

/// Set operator prefix of a condition operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SetOp {
    None,
    ForAllValues,
    ForAnyValue,
}

/// A condition operator taken apart: `ForAnyValue:StringLikeIfExists` is
/// `{set: ForAnyValue, base: "StringLike", if_exists: true, family: String}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Operator {
    pub set: SetOp,
    /// Canonical spelling of the base operator.
    pub base: &'static str,
    pub if_exists: bool,
    pub family: Family,
}

const OPERATORS: &[(&str, Family)] = &[
    ("StringEquals", Family::String),
    ("StringNotEquals", Family::String),
    ("StringEqualsIgnoreCase", Family::String),
    ("StringNotEqualsIgnoreCase", Family::String),
    ("StringLike", Family::String),
    ("StringNotLike", Family::String),
    ("NumericEquals", Family::Numeric),
    ("NumericNotEquals", Family::Numeric),
    ("NumericLessThan", Family::Numeric),
    ("NumericLessThanEquals", Family::Numeric),
    ("NumericGreaterThan", Family::Numeric),
    ("NumericGreaterThanEquals", Family::Numeric),
    ("DateEquals", Family::Date),
    ("DateNotEquals", Family::Date),
    ("DateLessThan", Family::Date),
    ("DateLessThanEquals", Family::Date),
    ("DateGreaterThan", Family::Date),
    ("DateGreaterThanEquals", Family::Date),
    ("Bool", Family::Bool),
    ("BinaryEquals", Family::Binary),
    ("IpAddress", Family::IpAddress),
    ("NotIpAddress", Family::IpAddress),
    ("ArnEquals", Family::Arn),
    ("ArnNotEquals", Family::Arn),
    ("ArnLike", Family::Arn),
    ("ArnNotLike", Family::Arn),
    ("Null", Family::Null),
];

impl Operator {
    /// `None` for an operator IAM does not know. Spelling is compared without regard to
    /// case, so that a misspelt case is reported once, by the grammar rule, not here.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (set, rest) = if let Some(rest) = strip_prefix_ci(text, "ForAllValues:") {
            (SetOp::ForAllValues, rest)
        } else if let Some(rest) = strip_prefix_ci(text, "ForAnyValue:") {
            (SetOp::ForAnyValue, rest)
        } else {
            (SetOp::None, text)
        };
        let (rest, if_exists) = match rest.len().checked_sub("IfExists".len()) {
            Some(at)
                if rest.is_char_boundary(at) && rest[at..].eq_ignore_ascii_case("IfExists") =>
            {
                (&rest[..at], true)
            }
            _ => (rest, false),
        };
        let &(base, family) = OPERATORS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(rest))?;
        if family == Family::Null && (if_exists || set != SetOp::None) {
            return None;
        }
        Some(Operator {
            set,
            base,
            if_exists,
            family,
        })
    }

    pub(crate) fn of(clause: &ConditionClause) -> Option<Self> {
        Self::parse(&clause.operator.value)
    }

    /// Exact string comparison, where `*` and `?` are literal characters.
    pub(crate) fn is_string_equality(&self) -> bool {
        matches!(
            self.base,
            "StringEquals"
                | "StringNotEquals"
                | "StringEqualsIgnoreCase"
                | "StringNotEqualsIgnoreCase"
        )
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .map(|_| &text[prefix.len()..])
}

/// Keys whose provider name contains a dot or slash (`token.actions.githubusercontent.com:sub`,
/// `oidc.eks.us-east-1.amazonaws.com/id/X:aud`, `accounts.google.com:aud`) belong to identity
/// providers. Each OIDC provider defines its own claims, so the catalog cannot list them all.
pub(crate) fn is_identity_provider_key(key: &str) -> bool {
    key.split_once(':')
        .is_some_and(|(prefix, _)| prefix.contains(['.', '/']))
}

/// Keys the catalog types as single strings that carry several values in the request
/// context. AWS documents `amr` with `ForAnyValue:StringLike`.
const MULTIVALUED_STRING_KEYS: &[&str] = &["cognito-identity.amazonaws.com:amr"];

/// The catalog entry of a key, with corrections for keys the data types wrongly.
pub(crate) fn key_info(key: &str) -> Option<ConditionKey<'static>> {
    let mut info = catalog().condition_key(key)?;
    if MULTIVALUED_STRING_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key))
    {
        info.kind = ConditionType::ArrayOfString;
    }
    Some(info)
}

/// The operator family a key type calls for, ignoring `ArrayOf`.
pub(crate) fn family_of(kind: ConditionType) -> Option<Family> {
    use ConditionType::*;
    Some(match kind {
        String | ArrayOfString => Family::String,
        Arn | ArrayOfArn => Family::Arn,
        Numeric | ArrayOfNumeric => Family::Numeric,
        Date => Family::Date,
        Bool | ArrayOfBool => Family::Bool,
        IpAddress | ArrayOfIpAddress => Family::IpAddress,
        Binary => Family::Binary,
        Other => return None,
    })
}

/// `${aws:username}` and friends are filled in at evaluation time; the value's shape cannot
/// be judged from the policy.
pub(crate) fn has_policy_variable(value: &PolicyValue) -> bool {
    !value.resolved || value.text.contains("${")
}

/// `*` and `?` outside `${...}` policy variables (`${*}`, `${?}` escape the characters).
pub(crate) fn has_bare_wildcard(text: &str) -> bool {
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            b'*' | b'?' if depth == 0 => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_set_prefix_if_exists_and_family() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(op.set, SetOp::ForAnyValue);
        assert_eq!(op.base, "StringLike");
        assert!(op.if_exists);
        assert_eq!(op.family, Family::String);
        assert_eq!(
            Operator::parse("BoolIfExists").unwrap().family,
            Family::Bool
        );
        assert_eq!(Operator::parse("Null").unwrap().family, Family::Null);
        assert!(Operator::parse("NullIfExists").is_none());
        assert_eq!(
            Operator::parse("stringequals").unwrap().base,
            "StringEquals"
        );
        assert!(Operator::parse("StringMatches").is_none());
        assert!(Operator::parse("StringEquals")
            .unwrap()
            .is_string_equality());
        assert!(!Operator::parse("StringLike").unwrap().is_string_equality());
    }

    #[test]
    fn bare_wildcards_ignore_policy_variables() {
        assert!(has_bare_wildcard("arn:aws:s3:::bucket/*"));
        assert!(has_bare_wildcard("home/${aws:username}/?"));
        assert!(!has_bare_wildcard("home/${aws:username}"));
        assert!(!has_bare_wildcard("literal-${*}-star"));
        assert!(!has_bare_wildcard("plain"));
    }

    #[test]
    fn identity_provider_keys() {
        assert!(is_identity_provider_key(
            "token.actions.githubusercontent.com:sub"
        ));
        assert!(is_identity_provider_key(
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud"
        ));
        assert!(!is_identity_provider_key("aws:SourceArn"));
        assert!(!is_identity_provider_key("s3:prefix"));
    }

    #[test]
    fn amr_is_multivalued() {
        assert!(key_info("cognito-identity.amazonaws.com:amr")
            .unwrap()
            .kind
            .is_multivalued());
        assert!(!key_info("aws:SourceVpce").unwrap().kind.is_multivalued());
    }
}
