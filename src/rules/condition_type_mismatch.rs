//! A condition operator of the wrong family for its key, or a value the operator cannot
//! read (`NumericLessThan: "abc"`, `DateGreaterThan: "yesterday"`).

use std::net::IpAddr;

use super::{rule_meta, PolicyCx, Rule};
use crate::analysis::conditions::{family_of, has_policy_variable, key_info, Family, Operator};
use crate::finding::{Finding, RuleMeta};
use crate::model::{ConditionEntry, Statement};

pub struct ConditionTypeMismatch;

static META: RuleMeta = rule_meta!(
    "IAM105",
    "condition-type-mismatch",
    PolicyMistake,
    Medium,
    "a condition operator does not fit the type of its key, or a value does not fit the operator"
);

impl Rule for ConditionTypeMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_statement(
        &self,
        cx: &PolicyCx<'_, '_>,
        statement: &Statement,
        out: &mut Vec<Finding>,
    ) {
        for clause in &statement.condition {
            let Some(op) = Operator::of(clause) else {
                continue;
            };
            let written = clause.operator.value.as_str();
            for entry in &clause.entries {
                let key = entry.key.value.as_str();
                let expected = key_info(key).and_then(|info| family_of(info.kind));
                if let Some(expected) = expected {
                    // ARN operators compare any ARN-valued key segment by segment
                    // (`kms:EncryptionContext:aws:logs:arn` is typed String).
                    let arn_values = op.family == Family::Arn
                        && expected == Family::String
                        && entry
                            .values
                            .iter()
                            .all(|v| v.text.starts_with("arn:") || !v.resolved);
                    if !accepts(op.family, expected, key) && !arn_values {
                        out.push(
                            Finding::new(
                                &META,
                                cx.policy.file,
                                entry.key.span,
                                format!(
                                    "`{written}` is {} operator but `{key}` is {} key",
                                    op.family.name(),
                                    expected.name()
                                ),
                            )
                            .help(format!("use {} for this key", suggestion(expected))),
                        );
                        continue;
                    }
                }
                check_values(cx, written, op.family, entry, out);
            }
        }
    }
}

/// Can an operator of `family` compare a key of type `expected`?
fn accepts(family: Family, expected: Family, key: &str) -> bool {
    match family {
        Family::Null => true,
        // ARN keys take string operators as well (StringLike on aws:SourceArn is common).
        Family::String => matches!(expected, Family::String | Family::Arn),
        // aws:EpochTime is a date that AWS documents with numeric operators too.
        Family::Numeric => {
            expected == Family::Numeric
                || (expected == Family::Date && key.eq_ignore_ascii_case("aws:EpochTime"))
        }
        _ => family == expected,
    }
}

fn suggestion(expected: Family) -> &'static str {
    match expected {
        Family::String => "a string operator (`StringEquals`, `StringLike`)",
        Family::Arn => "an ARN operator (`ArnLike`, `ArnEquals`) or a string operator",
        Family::Numeric => "a numeric operator (`NumericLessThan`, `NumericEquals`)",
        Family::Date => "a date operator (`DateGreaterThan`, `DateLessThan`)",
        Family::Bool => "`Bool` with \"true\" or \"false\"",
        Family::IpAddress => "`IpAddress` or `NotIpAddress`",
        Family::Binary => "`BinaryEquals`",
        Family::Null => "`Null`",
    }
}

/// Values the operator cannot parse. Policy variables and template expressions are
/// filled in later and not judged.
fn check_values(
    cx: &PolicyCx<'_, '_>,
    written: &str,
    family: Family,
    entry: &ConditionEntry,
    out: &mut Vec<Finding>,
) {
    let (valid, what): (fn(&str) -> bool, &str) = match family {
        Family::Numeric => (is_number, "a number"),
        Family::Date => (is_date, "an ISO 8601 date or epoch seconds"),
        Family::Bool | Family::Null => (is_bool, "\"true\" or \"false\""),
        Family::IpAddress => (is_ip_range, "an IPv4 or IPv6 address or CIDR range"),
        _ => return,
    };
    for value in entry.values.iter().filter(|v| !has_policy_variable(v)) {
        if !valid(value.text.trim()) {
            out.push(
                Finding::new(
                    &META,
                    cx.policy.file,
                    value.span,
                    format!(
                        "`{written}` value `{}` for `{}` is not {what}",
                        value.text, entry.key.value
                    ),
                )
                .help(format!("write {what}")),
            );
        }
    }
}

fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn is_bool(text: &str) -> bool {
    text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false")
}

fn is_ip_range(text: &str) -> bool {
    let (addr, prefix) = match text.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (text, None),
    };
    let Ok(ip) = addr.parse::<IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|n| n <= max))
}

/// `2024-01-31`, `2024-01-31T12:00:00Z`, `2024-01-31T12:00:00.123+02:00`, `2024-01-31T12:00Z`,
/// or epoch seconds (`1706702400`).
fn is_date(text: &str) -> bool {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let num = |r: std::ops::Range<usize>| {
        text.get(r)
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(99)
    };
    let date = b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (1..=12).contains(&num(5..7))
        && (1..=31).contains(&num(8..10));
    if !date {
        return false;
    }
    let rest = &text[10..];
    if rest.is_empty() {
        return true;
    }
    let Some(time) = rest.strip_prefix(['T', 't']) else {
        return false;
    };
    let t = time.as_bytes();
    let hm = t.len() >= 5
        && t[..2].iter().all(u8::is_ascii_digit)
        && t[2] == b':'
        && t[3..5].iter().all(u8::is_ascii_digit);
    if !hm {
        return false;
    }
    let mut rest = &time[5..];
    if let Some(sec) = rest.strip_prefix(':') {
        let s = sec.as_bytes();
        if s.len() < 2 || !s[..2].iter().all(u8::is_ascii_digit) {
            return false;
        }
        rest = &sec[2..];
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return false;
            }
            rest = &frac[n..];
        }
    }
    match rest {
        "" | "Z" | "z" => true,
        zone => {
            let z = zone.as_bytes();
            z.len() == 6
                && (z[0] == b'+' || z[0] == b'-')
                && z[1..3].iter().all(u8::is_ascii_digit)
                && z[3] == b':'
                && z[4..].iter().all(u8::is_ascii_digit)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_shapes() {
        for ok in ["10", "-1", "3600", "0.5"] {
            assert!(is_number(ok), "{ok}");
        }
        for bad in ["abc", "", "1e3", "1.", ".5", "--1"] {
            assert!(!is_number(bad), "{bad}");
        }
        for ok in [
            "2024-01-31",
            "2024-01-31T12:00:00Z",
            "2024-01-31T12:00Z",
            "2024-01-31T12:00:00.123+02:00",
            "1706702400",
        ] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "yesterday",
            "2024-13-01",
            "2024-01-31 12:00",
            "2024/01/31",
            "2024-01-31T12",
            "",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
        for ok in ["10.0.0.0/8", "203.0.113.7", "2001:db8::/32"] {
            assert!(is_ip_range(ok), "{ok}");
        }
        for bad in ["10.0.0.0/33", "vpc-123", "10.0.0"] {
            assert!(!is_ip_range(bad), "{bad}");
        }
    }

    #[test]
    fn families() {
        assert!(accepts(Family::String, Family::Arn, "aws:SourceArn"));
        assert!(!accepts(Family::Arn, Family::String, "s3:prefix"));
        assert!(accepts(Family::Numeric, Family::Date, "aws:EpochTime"));
        assert!(!accepts(Family::Numeric, Family::Date, "aws:CurrentTime"));
        assert!(!accepts(
            Family::String,
            Family::Bool,
            "aws:SecureTransport"
        ));
    }
}
