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
    let (mut loaded, mut errors) = (0, 0);
    for (name, text) in &inputs {
        for _ in 0..40 {
            let mutated = mutate(text, &mut rng);
            let display = format!("{name}.mutated");
            let source = SourceFile::new(PathBuf::from(&display), display.clone(), mutated);
            let result = match load::load(0, &source, true) {
                Ok(result) => result,
                Err(e) => {
                    // An error says what is wrong and, when it has one, points into the text.
                    assert!(!e.message.is_empty(), "{display}: empty error");
                    if let Some(span) = e.span {
                        assert!(
                            source.text.get(span.range()).is_some(),
                            "{display}: error span {span:?} outside the text: {}",
                            e.message
                        );
                    }
                    errors += 1;
                    continue;
                }
            };
            {
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
                    let at = source.line_col(f.span.start);
                    let lines = source.text.lines().count().max(1);
                    assert!(
                        at.line >= 1 && at.line <= lines + 1 && at.column >= 1,
                        "{}: {at:?} outside a text of {lines} lines",
                        source.display
                    );
                }
                loaded += 1;
            }
        }
    }
    // Mutations must exercise both paths, or the fuzzing proves little.
    assert!(loaded > 0 && errors > 0, "{loaded} loaded, {errors} errors");
}

/// What loading a pathological input must give: an error with its message and position, or
/// a load of the given kind (`None`: not an input iamlint reads).
enum Expect {
    Error(&'static str, usize, usize),
    Loaded(Option<&'static str>),
}

#[test]
fn pathological_inputs_are_errors_not_crashes() {
    use Expect::{Error, Loaded};
    let alias_bomb = format!(
        "a: &x [{}]\nb: [*x, *x, *x, *x, *x, *x, *x, *x]\n",
        "1,".repeat(20_000)
    );
    let cases = [
        (
            "x.json",
            "[".repeat(100_000),
            Error("invalid JSON: nesting deeper than 256 levels", 1, 258),
        ),
        (
            "x.yaml",
            "[".repeat(100_000),
            Error("invalid YAML: nesting deeper than 256 levels", 1, 258),
        ),
        (
            "x.json",
            "{\"a\":".repeat(50_000),
            Error("invalid JSON: nesting deeper than 256 levels", 1, 1286),
        ),
        (
            "x.yaml",
            "- ".repeat(50_000),
            Error("invalid YAML: recursion limit exceeded", 1, 511),
        ),
        (
            "x.json",
            "- ".repeat(50_000),
            Error("invalid JSON: invalid number", 1, 2),
        ),
        (
            "x.yaml",
            alias_bomb,
            Error("invalid YAML: aliases expand to too many nodes", 2, 21),
        ),
        (
            "x.json",
            "\u{feff}{\"Statement\": []}".to_string(),
            Loaded(Some("iam-policy")),
        ),
        (
            "x.json",
            "Resources:\n  A: !Sub\n".to_string(),
            Error("invalid JSON: expected a JSON value, found `R`", 1, 1),
        ),
        ("x.yaml", "Resources:\n  A: !Sub\n".to_string(), Loaded(None)),
        (
            "x.yaml",
            "\"\\ud800\"".to_string(),
            Error(
                "invalid YAML: while parsing a quoted scalar, found high surrogate without following low surrogate",
                1,
                1,
            ),
        ),
        ("x.json", "\"\\ud800\"".to_string(), Loaded(None)),
    ];
    for (name, text, expect) in cases {
        let head: String = text.chars().take(30).collect();
        let source = SourceFile::new(PathBuf::from(name), name.into(), text);
        match (load::load(0, &source, true), expect) {
            (Err(e), Error(message, line, column)) => {
                assert_eq!(e.message, message, "{name} {head:?}");
                let span = e
                    .span
                    .unwrap_or_else(|| panic!("{name} {head:?}: no position"));
                let at = source.line_col(span.start);
                assert_eq!((at.line, at.column), (line, column), "{name} {head:?}");
            }
            (Ok(loaded), Loaded(kind)) => {
                assert_eq!(loaded.format.map(|f| f.name), kind, "{name} {head:?}");
            }
            (Err(e), Loaded(kind)) => {
                panic!(
                    "{name} {head:?}: expected a load of {kind:?}, got {:?}",
                    e.message
                )
            }
            (Ok(loaded), Error(message, ..)) => {
                panic!(
                    "{name} {head:?}: expected {message:?}, loaded {:?}",
                    loaded.format.map(|f| f.name)
                )
            }
        }
    }
}

/// Through the whole pipeline a bad file named on the command line is one error naming the
/// file and position, and the run goes on with the other files. (While walking a folder,
/// a file that is no recognised input is skipped quietly.)
#[test]
fn a_bad_file_is_reported_with_its_position_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), "[".repeat(1_000)).unwrap();
    std::fs::write(
        dir.path().join("good.json"),
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    )
    .unwrap();
    let outcome = lint_files(&[dir.path().join("bad.json"), dir.path().join("good.json")]);
    assert_eq!(outcome.files_linted, 1);
    assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
    let error = &outcome.errors[0];
    assert!(error.path.ends_with("bad.json"), "{}", error.path);
    assert_eq!(
        error.message,
        "invalid JSON: nesting deeper than 256 levels"
    );
    let (file, span) = (error.file.unwrap(), error.span.unwrap());
    assert!(outcome.sources[file].display.ends_with("bad.json"));
    let at = outcome.sources[file].line_col(span.start);
    assert_eq!((at.line, at.column), (1, 258));
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| f.rule.name == "wildcard-action"),
        "the good file was not linted"
    );
}

/// The one call into the linter: every rule on the given files.
fn lint_files(paths: &[PathBuf]) -> iamlint::lint::Outcome {
    iamlint::lint::run(&iamlint::lint::Options {
        paths: paths.to_vec(),
        excludes: Vec::new(),
        max_file_size: iamlint::lint::DEFAULT_MAX_FILE_SIZE,
        rules: iamlint::rules::RULES.to_vec(),
        input_format: None,
    })
}
