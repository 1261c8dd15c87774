//! ASCII case-insensitive helpers for action names (IAM action names are
//! case-insensitive and all ASCII in the data).

use std::cmp::Ordering;

pub(crate) fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

pub(crate) fn cmp_ci(a: &str, b: &str) -> Ordering {
    let lower = |c: u8| c.to_ascii_lowercase();
    a.bytes().map(lower).cmp(b.bytes().map(lower))
}

pub(crate) fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

pub(crate) fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// Position of `needle` in `hay` at or after `from`, ignoring ASCII case.
pub(crate) fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(from);
    }
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

/// `*` matches any run (also empty), `?` one byte; everything else ignores ASCII case.
/// Linear backtracking to the last `*`, so no pattern can blow up.
pub fn glob_match_ci(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == b'?' || c.eq_ignore_ascii_case(&t[ti]) => {
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
