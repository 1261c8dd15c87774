//! Mutation fuzzing of the parsers and loaders on the repository's own fixtures: truncated,
//! spliced and corrupted inputs must produce findings or errors, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use iamlint::load;
use iamlint::source::SourceFile;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "{", "}", "[", "]", ",", ":", "\"", "'", "!Sub ", "!Ref ", "- ", "\n", "  ", "\t", "*", "#",
    "&a ", "*a", "\\u", "\\", "\u{feff}", "é", "---\n", "? ", "|\n", "${", "}}",
];

fn inputs() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["fixtures", "examples"] {
        for entry in walk(&root.join(dir)) {
            if let Ok(text) = std::fs::read_to_string(&entry) {
                files.push((entry.to_string_lossy().to_string(), text));
            }
        }
    }
    files.sort();
    files
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else if iamlint::discover::is_candidate(&path) {
                out.push(path);
            }
        }
    }
    out
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1).min(chars.len());
        match rng.below(4) {
            0 => chars.truncate(at),
            1 => {
                let end = (at + rng.below(20)).min(chars.len());
                chars.drain(at..end);
            }
            2 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                for (i, c) in token.chars().enumerate() {
                    chars.insert(at + i, c);
                }
            }
            _ => {
                // Duplicate a slice elsewhere: produces duplicate keys and deep nesting.
                let end = (at + rng.below(40)).min(chars.len());
                let slice: Vec<char> = chars[at..end].to_vec();
                let to = rng.below(chars.len() + 1).min(chars.len());
                for (i, c) in slice.into_iter().enumerate() {
                    chars.insert(to + i, c);
                }
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn mutated_inputs_never_panic() {
    let inputs = inputs();
    assert!(
        inputs.len() > 20,
        "expected fixtures to fuzz, found {}",
        inputs.len()
    );
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let rules: Vec<_> = iamlint::rules::RULES.to_vec();
    let mut loaded = 0;
    for (name, text) in &inputs {
        for _ in 0..40 {
            let mutated = mutate(text, &mut rng);
            let display = format!("{name}.mutated");
            let source = SourceFile::new(PathBuf::from(&display), display, mutated);
            if let Ok(result) = load::load(0, &source, true) {
                let mut findings = Vec::new();
                iamlint::rules::check_model(
                    &result.model,
                    &rules,
                    &Default::default(),
                    &mut findings,
                );
                for f in &findings {
                    // Every span must lie inside the text on character boundaries.
                    assert!(
                        source.text.get(f.span.range()).is_some(),
                        "{}: bad span {:?} for {}",
                        source.display,
                        f.span,
                        f.rule.name
                    );
                    let _ = source.line_col(f.span.start);
                }
                loaded += 1;
            }
        }
    }
    assert!(loaded > 0);
}

#[test]
fn pathological_inputs_are_errors_not_crashes() {
    let cases = [
        "[".repeat(100_000),
        "{\"a\":".repeat(50_000),
        "- ".repeat(50_000),
        format!(
            "a: &x [{}]\nb: [*x, *x, *x, *x, *x, *x, *x, *x]\n",
            "1,".repeat(20_000)
        ),
        "\u{feff}{\"Statement\": []}".to_string(),
        "Resources:\n  A: !Sub\n".to_string(),
        "\"\\ud800\"".to_string(),
    ];
    for text in cases {
        let source = SourceFile::new(PathBuf::from("x.json"), "x.json".into(), text);
        let _ = load::load(0, &source, true);
    }
}
