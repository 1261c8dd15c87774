//! Condition keys: global `aws:` keys and service keys, including keys with a variable
//! part (`aws:ResourceTag/${TagKey}`, `s3:ExistingObjectTag/<key>`).

use super::glob::{ends_with_ci, find_ci, starts_with_ci};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ConditionKey<'a> {
    /// Catalog spelling; for a key matched through a variable this is the template
    /// (`s3:ExistingObjectTag/<key>` for `s3:ExistingObjectTag/team`).
    pub name: &'a str,
    pub kind: ConditionType,
    /// In the global key list (`aws:SourceArn`, also `ec2:SourceInstanceArn`, ...).
    pub global: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ConditionType {
    String,
    ArrayOfString,
    Arn,
    ArrayOfArn,
    Numeric,
    ArrayOfNumeric,
    Date,
    Bool,
    ArrayOfBool,
    IpAddress,
    ArrayOfIpAddress,
    Binary,
    Other,
}

impl ConditionType {
    pub(crate) fn from_code(code: u8) -> Self {
        use ConditionType::*;
        const ALL: [ConditionType; 13] = [
            String,
            ArrayOfString,
            Arn,
            ArrayOfArn,
            Numeric,
            ArrayOfNumeric,
            Date,
            Bool,
            ArrayOfBool,
            IpAddress,
            ArrayOfIpAddress,
            Binary,
            Other,
        ];
        ALL.get(code as usize).copied().unwrap_or(Other)
    }

    /// Multi-valued keys need `ForAnyValue:`/`ForAllValues:` operators.
    pub fn is_multivalued(self) -> bool {
        matches!(
            self,
            Self::ArrayOfString
                | Self::ArrayOfArn
                | Self::ArrayOfNumeric
                | Self::ArrayOfBool
                | Self::ArrayOfIpAddress
        )
    }
}

/// Does `key` fit `template`, whose `${Var}` / `<var>` parts stand for one or more
/// characters (the `.+?` of `conditionPatterns.json`)? Literal parts ignore ASCII case.
pub(crate) fn template_matches(template: &str, key: &str) -> bool {
    // Cheap reject on the head (usually `service:Name/`) before splitting the template.
    let head = &template[..template.find(['$', '<']).unwrap_or(template.len())];
    if !starts_with_ci(key, head) {
        return false;
    }
    let literals = template_literals(template);
    let (Some(first), Some(last)) = (literals.first(), literals.last()) else {
        return false;
    };
    if literals.len() == 1 {
        return key.eq_ignore_ascii_case(first);
    }
    if !starts_with_ci(key, first) || !ends_with_ci(key, last) {
        return false;
    }
    let Some(end) = key.len().checked_sub(last.len()) else {
        return false;
    };
    let bytes = key.as_bytes().get(..end).unwrap_or(&[]);
    let mut pos = first.len();
    for middle in &literals[1..literals.len() - 1] {
        // Leftmost placement leaves the most room for the rest; +1: variables are non-empty.
        match find_ci(bytes, middle.as_bytes(), pos + 1) {
            Some(at) => pos = at + middle.len(),
            None => return false,
        }
    }
    pos < end
}

/// Length of the literal text of a template, a measure of how specific it is.
pub(crate) fn literal_len(template: &str) -> usize {
    template_literals(template).iter().map(|l| l.len()).sum()
}

/// The literal parts around the variables: `a/${X}.b` gives `["a/", ".b"]`.
fn template_literals(template: &str) -> Vec<&str> {
    let mut literals = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let bytes = template.as_bytes();
    while i < bytes.len() {
        let close = match (bytes[i], bytes.get(i + 1)) {
            (b'$', Some(b'{')) => Some(b'}'),
            (b'<', _) => Some(b'>'),
            _ => None,
        };
        if let Some(close) = close {
            if let Some(len) = bytes[i..].iter().position(|&c| c == close) {
                literals.push(&template[start..i]);
                i += len + 1;
                start = i;
                continue;
            }
        }
        i += 1;
    }
    literals.push(&template[start..]);
    literals
}
