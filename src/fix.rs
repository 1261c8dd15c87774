//! `--fix`: apply the text edits findings carry to the files they came from.
//!
//! Only fixes marked safe are applied unless unsafe ones are asked for; a fix whose edits
//! overlap one already taken waits for the next run, and a file whose fixed text would no
//! longer parse is left untouched.

use std::io;

use crate::finding::{Applicability, Edit};
use crate::lint::Outcome;
use crate::syntax;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FixSummary {
    pub fixes: usize,
    pub files: usize,
}

/// The text of one file with the chosen fixes applied, or None when nothing applies.
pub fn fixed_text(text: &str, fixes: &[&[Edit]]) -> Option<(String, usize)> {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut count = 0;
    for edits in fixes {
        let overlaps = edits.iter().any(|e| {
            taken
                .iter()
                .any(|t| e.span.start < t.span.end && t.span.start < e.span.end || e.span == t.span)
        });
        let in_bounds = edits.iter().all(|e| text.get(e.span.range()).is_some());
        if !overlaps && in_bounds && !edits.is_empty() {
            taken.extend(edits.iter());
            count += 1;
        }
    }
    if taken.is_empty() {
        return None;
    }
    taken.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    let mut fixed = text.to_string();
    for edit in taken {
        fixed.replace_range(edit.span.range(), &edit.replacement);
    }
    Some((fixed, count))
}

/// Apply fixes to the files on disk.
pub fn apply(outcome: &Outcome, include_unsafe: bool) -> io::Result<FixSummary> {
    let mut summary = FixSummary::default();
    for (file, source) in outcome.sources.iter().enumerate() {
        let fixes: Vec<&[Edit]> = outcome
            .findings
            .iter()
            .filter(|f| f.file == file)
            .filter_map(|f| f.fix.as_ref())
            .filter(|fix| match fix.applicability {
                Applicability::Safe => true,
                Applicability::Unsafe => include_unsafe,
                Applicability::DisplayOnly => false,
            })
            .map(|fix| fix.edits.as_slice())
            .collect();
        let Some((text, count)) = fixed_text(&source.text, &fixes) else {
            continue;
        };
        // A Terraform plan is generated: its fixes belong in the configuration.
        if crate::load::terraform::sniff_plan(&source.text) {
            continue;
        }
        let ext = crate::load::extension(&source.display);
        let parses = if ext == "tf" {
            syntax::hcl::parse_hcl(&text).is_ok()
        } else {
            syntax::parse_auto(&text, ext == "json").is_ok()
        };
        if !parses {
            continue;
        }
        std::fs::write(&source.path, text)?;
        summary.fixes += count;
        summary.files += 1;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn edit(start: usize, end: usize, replacement: &str) -> Edit {
        Edit {
            span: Span::new(start, end),
            replacement: replacement.into(),
        }
    }

    #[test]
    fn applies_non_overlapping_fixes_back_to_front() {
        let text = "[\"a\", \"b\", \"c\"]";
        let first = [edit(1, 6, "")];
        let second = [edit(11, 14, "\"d\"")];
        let overlapping = [edit(3, 8, "x")];
        let (fixed, count) = fixed_text(text, &[&first, &second, &overlapping]).unwrap();
        assert_eq!(fixed, "[\"b\", \"d\"]");
        assert_eq!(count, 2);
        assert!(fixed_text(text, &[]).is_none());
        assert!(fixed_text(text, &[&[edit(3, 99, "")]]).is_none());
    }
}
