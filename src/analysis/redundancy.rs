//! Coverage between action and resource patterns, and removal of a list entry, shared by
//! `redundant-action` and `redundant-statement`.

use crate::analysis::statement::{has_wildcard, is_full_wildcard};
use crate::catalog::glob_match_ci;
use crate::finding::{Applicability, Edit, Fix};
use crate::model::{PolicyDocument, ValueList};
use crate::source::Span;

/// Does every action `inner` stands for also match `outer`? IAM compares names ignoring
/// case; `*` is any run and `?` one character.
pub(crate) fn action_covers(outer: &str, inner: &str) -> bool {
    if is_full_wildcard(outer) {
        return true;
    }
    if !has_wildcard(outer) || !has_wildcard(inner) {
        // A literal action is covered by a pattern that matches its name, or by itself.
        return glob_match_ci(outer, inner) && (has_wildcard(outer) || !has_wildcard(inner));
    }
    // Two patterns: only the plain `prefix*` form is compared (`s3:*` covers `s3:Get*`),
    // which is exact; anything subtler is left alone rather than guessed.
    match outer.strip_suffix('*') {
        Some(prefix) if !has_wildcard(prefix) => {
            inner.len() >= prefix.len()
                && inner.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        }
        _ => false,
    }
}

/// Does every resource `inner` stands for also match `outer`? ARNs compare case-sensitively;
/// a pattern covers another pattern only in the plain `prefix*` form, which is exact.
pub(crate) fn resource_covers(outer: &str, inner: &str) -> bool {
    if outer == "*" {
        return true;
    }
    if !has_wildcard(inner) {
        return glob_match(outer, inner);
    }
    match outer.strip_suffix('*') {
        Some(prefix) if !has_wildcard(prefix) => inner.starts_with(prefix),
        _ => outer == inner,
    }
}

/// Case-sensitive glob: `*` any run, `?` one character.
fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Delete `values[i]` with the separator next to it, as a byte-range edit. The edit is only
/// built when every value of the list comes from its own node, in source order, inside the
/// list (a plain JSON or YAML list, flow or block): then the text between two neighbours
/// is only the separator (`, `, `,\n    `, `\n  - `) and maybe a YAML comment.
pub(crate) fn removal(policy: &PolicyDocument, list: &ValueList, i: usize) -> Option<Fix> {
    let values = &list.values;
    if policy.synthesized || values.len() < 2 {
        return None;
    }
    let inside = |s: Span| s.start >= list.span.start && s.end <= list.span.end && s != list.span;
    let ordered = values.windows(2).all(|w| w[0].span.end <= w[1].span.start);
    if !ordered
        || !values
            .iter()
            .all(|v| inside(v.span) && v.span.start < v.span.end)
    {
        return None;
    }
    // An entry before the last takes the separator after it; the last takes the one before,
    // so a list never ends in a dangling comma.
    let span = match values.get(i + 1) {
        Some(next) => Span::new(values[i].span.start as usize, next.span.start as usize),
        None => Span::new(values[i - 1].span.end as usize, values[i].span.end as usize),
    };
    Some(Fix {
        title: format!("remove the redundant `{}`", values[i].text),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            span,
            replacement: String::new(),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_coverage_is_exact_and_case_sensitive() {
        let f = "arn:aws:lambda:us-east-1:123456789012:function:";
        assert!(resource_covers(
            &format!("{f}orders*"),
            &format!("{f}orders-api")
        ));
        assert!(resource_covers(
            &format!("{f}orders*"),
            &format!("{f}orders-api:*")
        ));
        assert!(resource_covers("*", &format!("{f}orders")));
        assert!(resource_covers(&format!("{f}*"), &format!("{f}orders*")));
        assert!(!resource_covers(
            &format!("{f}orders*"),
            &format!("{f}Orders-api")
        ));
        assert!(!resource_covers(
            &format!("{f}orders-api"),
            &format!("{f}orders*")
        ));
        assert!(!resource_covers(
            &format!("{f}orders?"),
            &format!("{f}orders*")
        ));
        assert!(!resource_covers(
            &format!("{f}orders"),
            &format!("{f}orders-api")
        ));
    }
}
