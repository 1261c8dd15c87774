//! `--format github`: GitHub Actions workflow commands, shown as annotations on the pull
//! request diff. `error` for critical and high, `warning` for medium and low, `notice` for info.

use std::io::{self, Write};

use crate::finding::Severity;
use crate::lint::Outcome;

pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    for f in &outcome.findings {
        let source = &outcome.sources[f.file];
        let (start, end) = super::start_end(source, f.span);
        let command = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium | Severity::Low => "warning",
            Severity::Info => "notice",
        };
        let mut props = format!("file={},line={},", property(&source.display), start.line);
        // Annotations take columns only when they start and end on the same line.
        if start.line == end.line {
            props.push_str(&format!("col={},", start.column));
        }
        props.push_str(&format!("endLine={}", end.line));
        if start.line == end.line {
            props.push_str(&format!(",endColumn={}", end.column));
        }
        let title = format!("{} ({})", f.rule.name, f.rule.code);
        let mut message = f.message.clone();
        if !f.help.is_empty() {
            message.push_str(". ");
            message.push_str(&f.help);
        }
        writeln!(
            out,
            "::{command} {props},title={}::{}",
            property(&title),
            data(&message)
        )?;
    }
    for e in &outcome.errors {
        let at = e
            .file
            .zip(e.span)
            .map(|(file, span)| outcome.sources[file].line_col(span.start));
        let mut props = format!("file={}", property(&e.path));
        if let Some(at) = at {
            props.push_str(&format!(",line={},col={}", at.line, at.column));
        }
        writeln!(out, "::error {props}::{}", data(&e.message))?;
    }
    Ok(())
}

/// Escape a command's message: `%`, CR and LF.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value: as for data, plus `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::lint::FileError;
    use crate::rules::RULES;
    use crate::source::{SourceFile, Span};

    fn render(outcome: &Outcome) -> String {
        let mut out = Vec::new();
        write(outcome, &mut out).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    fn sample() -> Outcome {
        let text = "{\n  \"Action\": \"*\",\n  \"Resource\": [\n    \"*\"\n  ]\n}\n";
        let meta = RULES[0].meta();
        Outcome {
            sources: vec![SourceFile::new(
                "dir, x:y/p.json".into(),
                "dir, x:y/p.json".into(),
                text.into(),
            )],
            findings: vec![
                Finding::new(meta, 0, Span::new(14, 17), "action `*` is 100%\nwild")
                    .help("list only the actions: s3:GetObject, s3:PutObject")
                    .severity(Severity::High),
                Finding::new(meta, 0, Span::new(33, 46), "multi-line span").severity(Severity::Low),
                Finding::new(meta, 0, Span::new(39, 42), "note").severity(Severity::Info),
            ],
            errors: vec![
                FileError {
                    path: "bad.json".into(),
                    message: "invalid JSON:\r\nexpected `,`".into(),
                    file: Some(0),
                    span: Some(Span::empty(3)),
                },
                FileError {
                    path: "gone.json".into(),
                    message: "permission denied".into(),
                    file: None,
                    span: None,
                },
            ],
            files_linted: 1,
            ..Outcome::default()
        }
    }

    #[test]
    fn workflow_commands_with_escaping() {
        let m = RULES[0].meta();
        let title = format!("title={} ({})", m.name, m.code);
        let expected = format!(
            "::error file=dir%2C x%3Ay/p.json,line=2,col=13,endLine=2,endColumn=16,{title}::action `*` is 100%25%0Awild. list only the actions: s3:GetObject, s3:PutObject\n\
             ::warning file=dir%2C x%3Ay/p.json,line=3,endLine=5,{title}::multi-line span\n\
             ::notice file=dir%2C x%3Ay/p.json,line=4,col=5,endLine=4,endColumn=8,{title}::note\n\
             ::error file=bad.json,line=2,col=2::invalid JSON:%0D%0Aexpected `,`\n\
             ::error file=gone.json::permission denied\n"
        );
        assert_eq!(render(&sample()), expected);
    }

    #[test]
    fn escaping_rules() {
        assert_eq!(data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
        // `%` first, so an escape is never escaped twice.
        assert_eq!(data("%0A"), "%250A");
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(render(&sample()), render(&sample()));
        assert_eq!(render(&Outcome::default()), "");
    }
}
