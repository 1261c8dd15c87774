//! Human diagnostics: miette's graphical report with the source line and a caret under the
//! exact value. The only place findings become miette diagnostics.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};

use super::redacted_text;
use crate::finding::Finding;
use crate::lint::Outcome;

pub struct HumanOptions {
    pub color: bool,
    /// Fixed width for reproducible output in tests; terminal width otherwise.
    pub width: Option<usize>,
}

struct Rendered<'a> {
    finding: &'a Finding,
    source: NamedSource<Arc<str>>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let f = self.finding;
        Some(Box::new(format!(
            "{} {}({})",
            f.severity, f.rule.name, f.rule.code
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        use crate::finding::Severity as S;
        Some(match self.finding.severity {
            S::Critical | S::High => miette::Severity::Error,
            S::Medium | S::Low => miette::Severity::Warning,
            S::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.finding.help.is_empty())
            .then(|| Box::new(&self.finding.help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let primary =
            LabeledSpan::new_primary_with_span(Some(f.rule.summary.to_string()), to_miette(f.span));
        // Related places (the function, the role) are often far from the flagged line; they
        // are listed as notes below the snippet instead of stretching it.
        Some(Box::new(std::iter::once(primary)))
    }
}

fn to_miette(span: crate::source::Span) -> SourceSpan {
    SourceSpan::new(
        (span.start as usize).into(),
        (span.end - span.start) as usize,
    )
}

pub fn write(outcome: &Outcome, options: &HumanOptions, out: &mut dyn Write) -> io::Result<()> {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut handler = GraphicalReportHandler::new_themed(theme).with_links(false);
    if let Some(width) = options.width {
        handler = handler.with_width(width);
    }
    let mut file_texts: Vec<Option<Arc<str>>> = vec![None; outcome.sources.len()];
    for finding in &outcome.findings {
        let text = file_texts[finding.file]
            .get_or_insert_with(|| {
                let in_file: Vec<&Finding> = outcome
                    .findings
                    .iter()
                    .filter(|f| f.file == finding.file)
                    .collect();
                Arc::from(redacted_text(&outcome.sources[finding.file], &in_file).as_ref())
            })
            .clone();
        let rendered = Rendered {
            finding,
            source: NamedSource::new(&outcome.sources[finding.file].display, text),
        };
        let mut buf = String::new();
        handler
            .render_report(&mut buf, &rendered)
            .map_err(io::Error::other)?;
        write!(out, "{buf}")?;
        for related in &finding.related {
            let source = &outcome.sources[related.file];
            let at = source.line_col(related.span.start);
            writeln!(
                out,
                "  note: {} at {}:{}:{}",
                related.label, source.display, at.line, at.column
            )?;
        }
        writeln!(out)?;
    }
    for error in &outcome.errors {
        let at = error
            .file
            .zip(error.span)
            .map(|(file, span)| outcome.sources[file].line_col(span.start));
        match at {
            Some(at) => writeln!(
                out,
                "error: {}:{}:{}: {}",
                error.path, at.line, at.column, error.message
            )?,
            None => writeln!(out, "error: {}: {}", error.path, error.message)?,
        }
    }
    for note in &outcome.notes {
        let source = &outcome.sources[note.file];
        let at = source.line_col(note.span.start);
        writeln!(
            out,
            "note: {}:{}:{}: {}",
            source.display, at.line, at.column, note.message
        )?;
    }
    Ok(())
}
