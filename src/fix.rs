//! `--fix` and `--diff`: apply the text edits findings carry to the files they came from,
//! or show them as a unified diff.
//!
//! Only fixes marked safe are applied unless unsafe ones are asked for; a fix whose edits
//! overlap one already taken waits for the next run, and a fix after which the file would no
//! longer parse, or would no longer deploy (a new CloudFormation dependency cycle), is left
//! out. Edits replace byte ranges of the original text: every
//! byte outside them stays as it was. Files are written atomically (a temporary file in
//! the same folder, then a rename), and a file that changed on disk since it was read is
//! not touched.

use std::io::{self, Write};
use std::path::Path;

use crate::finding::{Applicability, Edit};
use crate::lint::Outcome;
use crate::source::FileId;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FixSummary {
    pub fixes: usize,
    pub files: usize,
    /// Files left alone because they changed on disk after they were read.
    pub changed_on_disk: usize,
}

/// One file's planned fixes: the new text and how many fixes it holds.
pub struct Planned {
    pub file: FileId,
    pub text: String,
    pub fixes: usize,
}

/// The text of one file with the chosen fixes applied, or None when nothing applies.
pub fn fixed_text(text: &str, fixes: &[&[Edit]]) -> Option<(String, usize)> {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut count = 0;
    for edits in fixes {
        let overlaps = edits
            .iter()
            .any(|e| taken.iter().any(|t| conflict(e.span, t.span)));
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

/// Two edits that cannot both apply: their ranges overlap, or they start at the same byte
/// (an insertion there and a replacement starting there have no defined order).
fn conflict(a: crate::source::Span, b: crate::source::Span) -> bool {
    a.start < b.end && b.start < a.end || a.start == b.start
}

/// What `--fix` would write: per file, the fixed text, when it still parses.
pub fn plan(outcome: &Outcome, include_unsafe: bool) -> Vec<Planned> {
    let mut planned = Vec::new();
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
        let check = |text: &str| crate::load::check_fixed(&source.display, &source.text, text);
        let Some((mut text, mut count)) = fixed_text(&source.text, &fixes) else {
            continue;
        };
        // A fix that breaks parsing or deployment is not offered. When the fixes together
        // fail, they are taken one at a time, keeping those the file survives, so one
        // fix that would add a dependency cycle does not hold back the others.
        if check(&text).is_err() {
            let mut kept: Vec<&[Edit]> = Vec::new();
            for edits in &fixes {
                kept.push(edits);
                let survives = fixed_text(&source.text, &kept)
                    .is_some_and(|(candidate, n)| n == kept.len() && check(&candidate).is_ok());
                if !survives {
                    kept.pop();
                }
            }
            match fixed_text(&source.text, &kept) {
                Some((kept_text, n)) => (text, count) = (kept_text, n),
                None => continue,
            }
        }
        planned.push(Planned {
            file,
            text,
            fixes: count,
        });
    }
    planned
}

/// Apply fixes to the files on disk.
pub fn apply(outcome: &Outcome, include_unsafe: bool) -> io::Result<FixSummary> {
    let mut summary = FixSummary::default();
    for planned in plan(outcome, include_unsafe) {
        let source = &outcome.sources[planned.file];
        // The file must still hold the text the fixes were computed from.
        match std::fs::read_to_string(&source.path) {
            Ok(now) if now == source.text => {}
            _ => {
                summary.changed_on_disk += 1;
                continue;
            }
        }
        write_atomically(&source.path, &planned.text)?;
        summary.fixes += planned.fixes;
        summary.files += 1;
    }
    Ok(summary)
}

/// Write through a temporary file in the same folder, then rename over the original, so a
/// reader never sees half a file. The original's permissions are kept.
fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile_in(dir, path)?;
    let result = (|| {
        temp.1.write_all(text.as_bytes())?;
        temp.1.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&temp.0, meta.permissions())?;
        }
        std::fs::rename(&temp.0, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp.0);
    }
    result
}

/// A new file next to `path`, named after it, that did not exist before.
fn tempfile_in(dir: &Path, path: &Path) -> io::Result<(std::path::PathBuf, std::fs::File)> {
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    for attempt in 0..100u32 {
        let candidate = dir.join(format!(".{name}.iamlint-{}-{attempt}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "could not create a temporary file next to the fixed file",
    ))
}

/// `--diff`: every planned change as a unified diff, files in report order.
pub fn write_diff(
    out: &mut dyn Write,
    outcome: &Outcome,
    include_unsafe: bool,
) -> io::Result<usize> {
    let planned = plan(outcome, include_unsafe);
    for p in &planned {
        let source = &outcome.sources[p.file];
        out.write_all(unified_diff(&source.display, &source.text, &p.text).as_bytes())?;
    }
    Ok(planned.iter().map(|p| p.fixes).sum())
}

/// Lines of context around each change, as `diff -u` prints.
const CONTEXT: usize = 3;

/// A unified diff of two texts. Fixes change few lines of large files, so the common
/// prefix and suffix are cut first and the middle is compared line by line with a small
/// LCS table.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = line_ops(&a, &b);
    // `a/` and `b/` prefixes as git writes them, for relative paths only.
    let (a_path, b_path) = if path.starts_with('/') {
        (path.to_string(), path.to_string())
    } else {
        (format!("a/{path}"), format!("b/{path}"))
    };
    let mut out = format!("--- {a_path}\n+++ {b_path}\n");
    // Group the operations into hunks: changes closer than 2*CONTEXT lines share one.
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Op::Same(..)))
        .map(|(i, _)| i)
        .collect();
    let mut i = 0;
    while i < changed.len() {
        let first = changed[i];
        let mut last = first;
        while i + 1 < changed.len() && changed[i + 1] - last <= 2 * CONTEXT + 1 {
            i += 1;
            last = changed[i];
        }
        i += 1;
        let start = first.saturating_sub(CONTEXT);
        let end = (last + CONTEXT + 1).min(ops.len());
        let hunk = &ops[start..end];
        let (old_start, new_start) = position(&ops[..start]);
        let old_len = hunk.iter().filter(|o| !matches!(o, Op::Insert(_))).count();
        let new_len = hunk.iter().filter(|o| !matches!(o, Op::Delete(_))).count();
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(old_start, old_len),
            range(new_start, new_len)
        ));
        for op in hunk {
            let (mark, line) = match op {
                Op::Same(line) => (' ', *line),
                Op::Delete(line) => ('-', *line),
                Op::Insert(line) => ('+', *line),
            };
            out.push(mark);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op<'a> {
    Same(&'a str),
    Delete(&'a str),
    Insert(&'a str),
}

/// 1-based start lines after the given operations.
fn position(ops: &[Op<'_>]) -> (usize, usize) {
    let old = ops.iter().filter(|o| !matches!(o, Op::Insert(_))).count();
    let new = ops.iter().filter(|o| !matches!(o, Op::Delete(_))).count();
    (old + 1, new + 1)
}

fn range(start: usize, len: usize) -> String {
    match len {
        // An empty range names the line before it, as diff does.
        0 => format!("{},0", start - 1),
        1 => start.to_string(),
        _ => format!("{start},{len}"),
    }
}

fn line_ops<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Op<'a>> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op<'a>> = a[..prefix].iter().map(|l| Op::Same(l)).collect();
    // LCS over the changed middle; fixes keep it small. Past a size limit, fall back to
    // "delete all, insert all", which is still a correct diff.
    if ma.len().saturating_mul(mb.len()) > 4_000_000 {
        ops.extend(ma.iter().map(|l| Op::Delete(l)));
        ops.extend(mb.iter().map(|l| Op::Insert(l)));
    } else {
        let mut table = vec![vec![0u32; mb.len() + 1]; ma.len() + 1];
        for i in (0..ma.len()).rev() {
            for j in (0..mb.len()).rev() {
                table[i][j] = if ma[i] == mb[j] {
                    table[i + 1][j + 1] + 1
                } else {
                    table[i + 1][j].max(table[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < ma.len() || j < mb.len() {
            if i < ma.len() && j < mb.len() && ma[i] == mb[j] {
                ops.push(Op::Same(ma[i]));
                i += 1;
                j += 1;
            } else if i < ma.len() && (j == mb.len() || table[i + 1][j] >= table[i][j + 1]) {
                // Deletions before insertions, as diff prints them.
                ops.push(Op::Delete(ma[i]));
                i += 1;
            } else {
                ops.push(Op::Insert(mb[j]));
                j += 1;
            }
        }
    }
    ops.extend(a[a.len() - suffix..].iter().map(|l| Op::Same(l)));
    ops
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

    /// A small deterministic generator, so the property test needs no extra crate.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, below: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) as usize) % below.max(1)
        }
    }

    #[test]
    fn bytes_outside_the_taken_edits_never_change() {
        let mut rng = Lcg(7);
        for _ in 0..2_000 {
            let len = 1 + rng.next(60);
            let text: String = (0..len)
                .map(|_| (b"ab \n{}:\"x"[rng.next(9)]) as char)
                .collect();
            let fixes: Vec<Vec<Edit>> = (0..1 + rng.next(4))
                .map(|_| {
                    let start = rng.next(len + 1);
                    let end = (start + rng.next(8)).min(len + 3);
                    let replacement = "XY".repeat(rng.next(3));
                    vec![edit(start, end, &replacement)]
                })
                .collect();
            let refs: Vec<&[Edit]> = fixes.iter().map(Vec::as_slice).collect();
            let Some((fixed, _)) = fixed_text(&text, &refs) else {
                continue;
            };
            // Rebuild the expected text from the edits that were taken: walking the
            // original, every byte outside a taken edit must appear unchanged, in order.
            let mut taken: Vec<&Edit> = Vec::new();
            for edits in &refs {
                let e = &edits[0];
                let free = taken.iter().all(|t| !conflict(e.span, t.span));
                if free && text.get(e.span.range()).is_some() {
                    taken.push(e);
                }
            }
            taken.sort_by_key(|e| e.span.start);
            let mut expected = String::new();
            let mut at = 0;
            for e in &taken {
                expected.push_str(&text[at..e.span.start as usize]);
                expected.push_str(&e.replacement);
                at = e.span.end as usize;
            }
            expected.push_str(&text[at..]);
            assert_eq!(fixed, expected, "text {text:?} fixes {fixes:?}");
        }
    }

    #[test]
    fn unified_diff_shows_changed_lines_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\n";
        assert_eq!(
            unified_diff("t.yaml", old, new),
            "--- a/t.yaml\n+++ b/t.yaml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
        let removed = unified_diff("t.yaml", "a\nb\n", "a\n");
        assert_eq!(
            removed,
            "--- a/t.yaml\n+++ b/t.yaml\n@@ -1,2 +1 @@\n a\n-b\n"
        );
        assert_eq!(unified_diff("t", "x", "y"), "--- a/t\n+++ b/t\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n");
        assert_eq!(unified_diff("t", "same\n", "same\n"), "--- a/t\n+++ b/t\n");
    }

    #[test]
    fn distant_changes_get_separate_hunks() {
        let old: String = (0..30).map(|i| format!("line{i}\n")).collect();
        let new = old
            .replace("line2\n", "two\n")
            .replace("line27\n", "twenty-seven\n");
        let diff = unified_diff("f", &old, &new);
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
    }
}
