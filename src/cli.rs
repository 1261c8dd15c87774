//! Command-line interface: arguments, exit codes and output selection.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use crate::finding::Severity;
use crate::lint::{self, Outcome};
use crate::report;
use crate::rules::{self, Rule, RULES};

#[derive(Parser, Debug)]
#[command(
    name = "iamlint",
    version,
    about = "Least-privilege linter for AWS Lambda functions, their IAM roles and templates"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lint IAM policies and templates under the given paths (default: the current directory).
    Check(CheckArgs),
    /// List every rule with its code, category and default severity.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print the documentation of one rule, by name or code.
    Rule { name: String },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files or directories to lint.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_severity)]
    fail_on: Severity,
    /// Only run these rules (names, codes or categories; comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these rules (names, codes or categories).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Skip paths containing this text.
    #[arg(long, value_name = "PATTERN")]
    exclude: Vec<String>,
    /// Files larger than this many bytes are reported and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = lint::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
    /// Worker threads (default: one per CPU).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Print only findings, no summary line.
    #[arg(long, short = 'q')]
    quiet: bool,
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text)
        .ok_or_else(|| format!("expected one of critical, high, medium, low, info; found `{text}`"))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rules { format } => {
            list_rules(format, &mut out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rule { name } => match rules::find(&name) {
            Some(rule) => {
                out.write_all(rule.meta().doc.as_bytes())?;
                Ok(ExitCode::SUCCESS)
            }
            None => bail!("no rule named `{name}`; `iamlint rules` lists them"),
        },
    }
}

fn list_rules(format: ListFormat, out: &mut dyn Write) -> Result<()> {
    match format {
        ListFormat::Text => {
            for rule in RULES {
                let m = rule.meta();
                writeln!(
                    out,
                    "{:<7} {:<26} {:<16} {:<9} {}",
                    m.code,
                    m.name,
                    m.category.as_str(),
                    m.severity,
                    m.summary
                )?;
            }
        }
        ListFormat::Json => {
            let list: Vec<_> = RULES
                .iter()
                .map(|r| {
                    let m = r.meta();
                    serde_json::json!({"code": m.code, "name": m.name, "category": m.category.as_str(), "severity": m.severity.as_str(), "summary": m.summary})
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Rules enabled by `--select`/`--ignore` (names, codes or categories).
fn selected_rules(select: &[String], ignore: &[String]) -> Result<Vec<&'static dyn Rule>> {
    let matches = |rule: &dyn Rule, key: &str| {
        let m = rule.meta();
        m.name.eq_ignore_ascii_case(key)
            || m.code.eq_ignore_ascii_case(key)
            || m.category.as_str().eq_ignore_ascii_case(key)
    };
    for key in select.iter().chain(ignore) {
        if !RULES.iter().any(|r| matches(*r, key)) {
            bail!("unknown rule, code or category `{key}`; `iamlint rules` lists them");
        }
    }
    Ok(RULES
        .iter()
        .copied()
        .filter(|r| select.is_empty() || select.iter().any(|k| matches(*r, k)))
        .filter(|r| !ignore.iter().any(|k| matches(*r, k)))
        .collect())
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    if let Some(jobs) = args.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global()
            .context("could not start worker threads")?;
    }
    let options = lint::Options {
        paths: args.paths.clone(),
        excludes: args.exclude.clone(),
        max_file_size: args.max_file_size,
        rules: selected_rules(&args.select, &args.ignore)?,
    };
    let outcome = lint::run(&options);

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let mut buffer = Vec::new();
    write_report(&outcome, args.format, color, &mut buffer)?;
    match &args.output {
        Some(path) => std::fs::write(path, &buffer)
            .with_context(|| format!("could not write {}", path.display()))?,
        None => std::io::stdout().lock().write_all(&buffer)?,
    }
    if !args.quiet && (args.format == Format::Human || args.output.is_some()) {
        writeln!(std::io::stderr(), "{}", report::summary_line(&outcome))?;
    }
    Ok(exit_code(&outcome, args.fail_on))
}

fn write_report(outcome: &Outcome, format: Format, color: bool, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Human => report::human::write(
            outcome,
            &report::human::HumanOptions { color, width: None },
            out,
        )?,
        Format::Json => report::json::write(outcome, out)?,
    }
    Ok(())
}

/// 2 when a file could not be read or parsed, else 1 when a finding reaches the threshold.
fn exit_code(outcome: &Outcome, fail_on: Severity) -> ExitCode {
    if !outcome.errors.is_empty() {
        ExitCode::from(2)
    } else if outcome.findings.iter().any(|f| f.severity >= fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
