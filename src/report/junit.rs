//! `--format junit`: JUnit XML for CI test report views (GitLab, Jenkins, Azure DevOps).
//!
//! One `<testsuite>` per file; one `<testcase>` per file and rule with findings, holding one
//! `<failure>` per finding; a passing `iamlint` case for a clean file; load errors as `<error>`
//! cases. `tests`, `failures` and `errors` count test cases, so passed = tests - failures - errors.

use std::io::{self, Write};

use crate::finding::Finding;
use crate::lint::{FileError, Outcome};

/// Test case name for a file without findings or errors.
const CLEAN_CASE: &str = "iamlint";
/// Test case name for a file that could not be read or parsed.
const ERROR_CASE: &str = "load-error";

struct Suite<'a> {
    path: &'a str,
    /// Findings grouped by rule, in order of each rule's first finding in the file.
    cases: Vec<(&'static str, Vec<&'a Finding>)>,
    errors: Vec<&'a FileError>,
}

impl Suite<'_> {
    fn tests(&self) -> usize {
        self.failures() + self.error_cases() + usize::from(self.is_clean())
    }

    fn failures(&self) -> usize {
        self.cases.len()
    }

    fn error_cases(&self) -> usize {
        usize::from(!self.errors.is_empty())
    }

    fn is_clean(&self) -> bool {
        self.cases.is_empty() && self.errors.is_empty()
    }
}

pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let suites = suites(outcome);
    let tests: usize = suites.iter().map(Suite::tests).sum();
    let failures: usize = suites.iter().map(Suite::failures).sum();
    let errors: usize = suites.iter().map(Suite::error_cases).sum();

    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="iamlint" tests="{tests}" failures="{failures}" errors="{errors}">"#
    )?;
    for suite in &suites {
        let path = escape(suite.path);
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="{}" failures="{}" errors="{}">"#,
            suite.tests(),
            suite.failures(),
            suite.error_cases()
        )?;
        if suite.is_clean() {
            writeln!(
                out,
                r#"    <testcase classname="{path}" name="{CLEAN_CASE}"/>"#
            )?;
        }
        for (rule, findings) in &suite.cases {
            writeln!(
                out,
                r#"    <testcase classname="{path}" name="{}">"#,
                escape(rule)
            )?;
            for f in findings {
                let source = &outcome.sources[f.file];
                let at = source.line_col(f.span.start);
                let headline = format!("{}:{} {}", at.line, at.column, f.message);
                let mut body = headline.clone();
                if !f.help.is_empty() {
                    body.push_str("\nhelp: ");
                    body.push_str(&f.help);
                }
                writeln!(
                    out,
                    r#"      <failure type="{}" message="{}">{}</failure>"#,
                    f.severity,
                    escape(&headline),
                    escape(&body)
                )?;
            }
            writeln!(out, "    </testcase>")?;
        }
        if !suite.errors.is_empty() {
            writeln!(
                out,
                r#"    <testcase classname="{path}" name="{ERROR_CASE}">"#
            )?;
            for e in &suite.errors {
                let at = e
                    .file
                    .zip(e.span)
                    .map(|(file, span)| outcome.sources[file].line_col(span.start));
                let text = match at {
                    Some(at) => format!("{}:{} {}", at.line, at.column, e.message),
                    None => e.message.clone(),
                };
                let text = escape(&text);
                writeln!(
                    out,
                    r#"      <error type="{ERROR_CASE}" message="{text}">{text}</error>"#
                )?;
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Suites in source order, then files that could not be read, in error order.
fn suites(outcome: &Outcome) -> Vec<Suite<'_>> {
    let mut suites: Vec<Suite<'_>> = outcome
        .sources
        .iter()
        .map(|s| Suite {
            path: &s.display,
            cases: Vec::new(),
            errors: Vec::new(),
        })
        .collect();
    for f in &outcome.findings {
        let Some(suite) = suites.get_mut(f.file) else {
            continue;
        };
        match suite
            .cases
            .iter_mut()
            .find(|(rule, _)| *rule == f.rule.name)
        {
            Some((_, list)) => list.push(f),
            None => suite.cases.push((f.rule.name, vec![f])),
        }
    }
    for e in &outcome.errors {
        let index = match e.file.filter(|&id| id < outcome.sources.len()) {
            Some(id) => id,
            None => match suites.iter().position(|s| s.path == e.path) {
                Some(i) => i,
                None => {
                    suites.push(Suite {
                        path: &e.path,
                        cases: Vec::new(),
                        errors: Vec::new(),
                    });
                    suites.len() - 1
                }
            },
        };
        suites[index].errors.push(e);
    }
    suites
}

/// Escape text for XML 1.0 attributes and content. Characters XML 1.0 cannot hold at all
/// (most C0 controls, U+FFFE, U+FFFF) become U+FFFD; tabs and line breaks become character
/// references so attribute values keep them.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RULES;
    use crate::source::{SourceFile, Span};

    fn render(outcome: &Outcome) -> String {
        let mut out = Vec::new();
        write(outcome, &mut out).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    fn sample() -> Outcome {
        let text = "{\n  \"Action\": \"*\",\n  \"Resource\": \"*\"\n}\n";
        let source = |name: &str| SourceFile::new(name.into(), name.into(), text.into());
        let first = RULES[0].meta();
        let second = RULES[1].meta();
        let findings = vec![
            Finding::new(first, 0, Span::new(14, 17), "action `*` <all> & \"more\"")
                .help("list only the actions the function calls"),
            Finding::new(second, 0, Span::new(33, 36), "second rule's finding"),
            Finding::new(first, 0, Span::new(33, 36), "again\u{1}here"),
        ];
        Outcome {
            sources: vec![source("a&b.json"), source("clean.json"), source("bad.json")],
            findings,
            errors: vec![
                FileError {
                    path: "bad.json".into(),
                    message: "invalid JSON: expected `}`".into(),
                    file: Some(2),
                    span: Some(Span::empty(3)),
                },
                FileError {
                    path: "gone.json".into(),
                    message: "permission denied".into(),
                    file: None,
                    span: None,
                },
            ],
            files_linted: 2,
            ..Outcome::default()
        }
    }

    #[test]
    fn groups_by_file_and_rule() {
        let first = RULES[0].meta().name;
        let second = RULES[1].meta().name;
        let expected = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="iamlint" tests="5" failures="2" errors="2">
  <testsuite name="a&amp;b.json" tests="2" failures="2" errors="0">
    <testcase classname="a&amp;b.json" name="{first}">
      <failure type="{s1}" message="2:13 action `*` &lt;all&gt; &amp; &quot;more&quot;">2:13 action `*` &lt;all&gt; &amp; &quot;more&quot;&#10;help: list only the actions the function calls</failure>
      <failure type="{s1}" message="3:15 again&#xFFFD;here">3:15 again&#xFFFD;here</failure>
    </testcase>
    <testcase classname="a&amp;b.json" name="{second}">
      <failure type="{s2}" message="3:15 second rule&apos;s finding">3:15 second rule&apos;s finding</failure>
    </testcase>
  </testsuite>
  <testsuite name="clean.json" tests="1" failures="0" errors="0">
    <testcase classname="clean.json" name="iamlint"/>
  </testsuite>
  <testsuite name="bad.json" tests="1" failures="0" errors="1">
    <testcase classname="bad.json" name="load-error">
      <error type="load-error" message="2:2 invalid JSON: expected `}}`">2:2 invalid JSON: expected `}}`</error>
    </testcase>
  </testsuite>
  <testsuite name="gone.json" tests="1" failures="0" errors="1">
    <testcase classname="gone.json" name="load-error">
      <error type="load-error" message="permission denied">permission denied</error>
    </testcase>
  </testsuite>
</testsuites>
"#,
            s1 = RULES[0].meta().severity,
            s2 = RULES[1].meta().severity,
        )
        .replace("&#xFFFD;", "\u{fffd}");
        assert_eq!(render(&sample()), expected);
    }

    #[test]
    fn escapes_everything_xml_needs() {
        assert_eq!(
            escape("a&b<c>d\"e'f\tg\nh\ri\u{0}j\u{1b}k\u{ffff}é"),
            "a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;i\u{fffd}j\u{fffd}k\u{fffd}é"
        );
    }

    #[test]
    fn output_is_deterministic_and_empty_run_is_valid() {
        assert_eq!(render(&sample()), render(&sample()));
        assert_eq!(
            render(&Outcome::default()),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"iamlint\" tests=\"0\" failures=\"0\" errors=\"0\">\n</testsuites>\n"
        );
    }

    #[test]
    fn never_prints_source_text() {
        let text = "{\"Action\": \"*\", \"Secret\": \"AKIAIOSFODNN7EXAMPLE\"}";
        let secret = text.find("AKIA").expect("secret");
        let o = Outcome {
            sources: vec![SourceFile::new(
                "p.json".into(),
                "p.json".into(),
                text.into(),
            )],
            findings: vec![Finding::new(RULES[0].meta(), 0, Span::new(11, 14), "m")
                .sensitive(Span::new(secret, secret + 20))],
            ..Outcome::default()
        };
        assert!(!render(&o).contains("AKIAIOSFODNN7EXAMPLE"));
    }
}
