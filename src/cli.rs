//! Command-line interface: arguments, exit codes and output selection.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::baseline::Baseline;
use crate::config::{self, Config};
use crate::finding::Severity;
use crate::lint::{self, Outcome};
use crate::report;
use crate::rules::persona::{self, Persona};
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
    Check(Box<CheckArgs>),
    /// List every rule with its code, category and default severity.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print the documentation of one rule, by name or code.
    Rule { name: String },
    /// Print the embedded IAM catalog's date, version and counts.
    Catalog,
    /// List the actions that action patterns grant, with their access levels.
    Expand {
        /// Action patterns such as `s3:Get*`, `logs:*` or `*`.
        #[arg(required = true)]
        patterns: Vec<String>,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Write a commented default iamlint.toml in the current directory.
    Init,
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), of iamlint or of one subcommand.
    Man { command: Option<String> },
    /// Print each function's least-privilege policy, derived from its template and handler
    /// code, with why each statement is there and what changes against its role.
    Suggest {
        /// Files or folders to read (default: the current directory).
        paths: Vec<PathBuf>,
        /// Only this function (logical id).
        #[arg(long, value_name = "NAME")]
        function: Option<String>,
        #[arg(long, value_enum, default_value_t = SuggestFormat::Policy)]
        format: SuggestFormat,
    },
    /// Print each role's effective actions by service and access level, and what its
    /// permissions boundary, Denies and the organization's policies took away.
    Access {
        /// Files or folders to read (default: the current directory).
        paths: Vec<PathBuf>,
        /// Only the role of this function (logical id).
        #[arg(long, value_name = "NAME")]
        function: Option<String>,
        /// Apply these organization policies (SCPs, RCPs): a folder of policy JSON or
        /// `aws organizations describe-policy` output.
        #[arg(long, value_name = "DIR")]
        org_policies: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum SuggestFormat {
    Policy,
    Json,
    Yaml,
    /// A `data "aws_iam_policy_document"` block per function.
    Terraform,
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
    Sarif,
    Junit,
    Github,
    /// One self-contained page: functions, their grants and findings (use with --output).
    Html,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files or directories to lint (default: the current directory).
    #[arg(conflicts_with = "stdin")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit with 1 when a finding is at or above this severity [default: `fail-on` from the
    /// config, else low].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Which findings to show: regular (what to act on), pedantic (also advice such as
    /// tracing and reserved concurrency), auditor (everything, suppressed findings included)
    /// [default: `persona` from the config, else regular].
    #[arg(long, value_name = "PERSONA", value_parser = parse_persona)]
    persona: Option<Persona>,
    /// Only run these rules (names, codes or categories; comma-separated or repeated).
    /// Replaces `select` from the config.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these rules (names, codes or categories), in addition to `ignore` from the config.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Skip files and folders matching this gitignore-like pattern, relative to the current
    /// directory (`legacy/`, `**/fixtures/*.json`); repeatable. Same rules as config `exclude`.
    #[arg(long, value_name = "PATTERN")]
    exclude: Vec<String>,
    /// Files larger than this many bytes are reported and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = lint::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
    /// Read every file as this format instead of recognising it by content
    /// (one of the names in `iamlint check --help`).
    #[arg(long, value_name = "FORMAT")]
    input_format: Option<String>,
    /// Worker threads (default: one per CPU).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Print only findings, no summary line or progress.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Read settings from this file instead of looking for iamlint.toml or .iamlint.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long)]
    no_config: bool,
    /// Also list suppressed findings, with the reason they are suppressed.
    #[arg(long)]
    show_suppressed: bool,
    /// Apply safe fixes to the files, then report what remains.
    #[arg(long, conflicts_with = "stdin")]
    fix: bool,
    /// Print the changes --fix would make as a unified diff and write nothing; the exit code
    /// is that of a check.
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// With --fix or --diff, also apply fixes that narrow permissions (review them: they can
    /// break a function).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file and print nothing else; exits 0
    /// (2 when a file could not be read).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Apply these organization policies (SCPs, RCPs) to every role: a folder of policy JSON
    /// or `aws organizations describe-policy` output [default: `org-policies` from the config].
    #[arg(long, value_name = "DIR")]
    org_policies: Option<PathBuf>,
    /// Lint standard input instead of files.
    #[arg(long)]
    stdin: bool,
    /// The path standard input stands for: decides the format, config path patterns and
    /// the name in reports.
    #[arg(long, value_name = "NAME", requires = "stdin")]
    stdin_filename: Option<PathBuf>,
    /// Also check every policy with IAM Access Analyzer (needs AWS credentials and a build
    /// with the `access-analyzer` feature). With `=optional`, a failure of the online part is
    /// reported but does not make the exit code 2.
    #[arg(long, value_name = "MODE", value_enum, num_args = 0..=1, require_equals = true,
          default_missing_value = "required")]
    access_analyzer: Option<OnlineMode>,
    /// AWS profile for --access-analyzer (default: the standard chain, AWS_PROFILE).
    #[arg(long, requires = "access_analyzer")]
    profile: Option<String>,
    /// AWS region for --access-analyzer (default: AWS_REGION or the profile's).
    #[arg(long, requires = "access_analyzer")]
    region: Option<String>,
    /// Report access each policy grants that its version at this git revision did not
    /// (IAM Access Analyzer CheckNoNewAccess; billed per policy changed).
    #[arg(long, value_name = "GIT_REF", requires = "access_analyzer")]
    no_new_access_since: Option<String>,
    /// Report policies that grant any of these actions (CheckAccessNotGranted), in addition
    /// to `deny-actions` from the config.
    #[arg(
        long,
        value_name = "ACTIONS",
        value_delimiter = ',',
        requires = "access_analyzer"
    )]
    deny_actions: Vec<String>,
    /// Do not read or write the cache of IAM Access Analyzer answers.
    #[arg(long, requires = "access_analyzer")]
    no_cache: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum OnlineMode {
    /// A failure of the online part exits with 2.
    Required,
    /// A failure of the online part is reported; the exit code is the offline one.
    Optional,
}

const ONLINE_PREFIX: &str = "access-analyzer/";
const ONLINE_DOC: &str = include_str!("../docs/access-analyzer.md");

/// Show progress only for runs this long (in files).
const PROGRESS_MIN_FILES: usize = 200;
const PROGRESS_INTERVAL_MS: u64 = 100;

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text)
        .ok_or_else(|| format!("expected one of critical, high, medium, low, info; found `{text}`"))
}

fn parse_persona(text: &str) -> Result<Persona, String> {
    Persona::parse(text)
        .ok_or_else(|| format!("expected one of regular, pedantic, auditor; found `{text}`"))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // `iamlint rules | head` closes the pipe early; that is not an error worth a message.
        Err(err)
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
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
        Command::Check(args) => check(*args),
        Command::Rules { format } => {
            list_rules(format, &mut out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rule { name } => match rules::find(&name) {
            Some(rule) => {
                out.write_all(rule.meta().doc.as_bytes())?;
                Ok(ExitCode::SUCCESS)
            }
            // Online findings are named after the service's issue codes; one page covers them.
            None if name
                .get(..ONLINE_PREFIX.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(ONLINE_PREFIX)) =>
            {
                out.write_all(ONLINE_DOC.as_bytes())?;
                Ok(ExitCode::SUCCESS)
            }
            None => bail!("no rule named `{name}`; `iamlint rules` lists them"),
        },
        Command::Catalog => {
            crate::commands::print_catalog(&mut out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Expand { patterns, format } => {
            let known =
                crate::commands::print_expand(&patterns, format == ListFormat::Json, &mut out)?;
            Ok(if known {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Suggest {
            paths,
            function,
            format,
        } => suggest(paths, function.as_deref(), format, &mut out),
        Command::Access {
            paths,
            function,
            org_policies,
            format,
        } => access(paths, function.as_deref(), org_policies, format, &mut out),
        Command::Init => {
            init(Path::new(config::FILE_NAMES[0]))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "iamlint", &mut out);
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { command } => {
            let cli = Cli::command();
            let page = match &command {
                None => cli,
                Some(name) => match cli.find_subcommand(name) {
                    Some(sub) => sub.clone().display_name(format!("iamlint-{name}")),
                    None => bail!("no subcommand `{name}`"),
                },
            };
            clap_mangen::Man::new(page).render(&mut out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `iamlint init`: write the commented default config, never over an existing one.
fn init(path: &Path) -> Result<()> {
    if let Some(existing) = config::FILE_NAMES.iter().find(|n| Path::new(n).exists()) {
        bail!("{existing} already exists; not overwriting it");
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    file.write_all(config::DEFAULT_CONFIG.as_bytes())
        .with_context(|| format!("could not write {}", path.display()))?;
    writeln!(
        std::io::stderr(),
        "wrote {}: every setting is commented out",
        path.display()
    )?;
    Ok(())
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
    for key in select.iter().chain(ignore) {
        if !crate::rules::selection::is_known_selector(key) {
            bail!(
                "unknown rule, code or category `{key}`{}; `iamlint rules` lists them",
                crate::rules::selection::suggestion(key)
            );
        }
    }
    Ok(crate::rules::selection::selected_rules(select, ignore))
}

/// The config for this run: `--config`, else the nearest config file, else none.
fn load_config(args: &CheckArgs, cwd: &Path) -> Result<Config> {
    if args.no_config {
        return Ok(Config::default());
    }
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => Config::discover(cwd)?,
    };
    Ok(match path {
        Some(path) => Config::load(&path, cwd)?,
        None => Config::default(),
    })
}

/// A single `linting 12/3400 files` line on stderr, redrawn at most every 100 ms.
struct ProgressLine {
    start: Instant,
    last_ms: AtomicU64,
    shown: AtomicBool,
}

impl ProgressLine {
    fn new() -> Self {
        ProgressLine {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            shown: AtomicBool::new(false),
        }
    }

    fn update(&self, done: usize, total: usize) {
        if total <= PROGRESS_MIN_FILES || done >= total {
            return;
        }
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.last_ms.load(Ordering::Relaxed);
        if now < last + PROGRESS_INTERVAL_MS
            || self
                .last_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        self.shown.store(true, Ordering::Relaxed);
        let _ = write!(std::io::stderr(), "\rlinting {done}/{total} files");
    }

    /// Erase the line, if it was drawn.
    fn finish(&self) {
        if self.shown.load(Ordering::Relaxed) {
            let _ = write!(std::io::stderr(), "\r{:40}\r", "");
        }
    }
}

/// `iamlint suggest`: load the inputs (no rules run) and print the suggested policies.
fn suggest(
    paths: Vec<PathBuf>,
    function: Option<&str>,
    format: SuggestFormat,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let settings = lint::Settings {
        suggest: true,
        ..lint::Settings::default()
    };
    let outcome = load_inputs(paths, &settings)?;
    let mut suggestions = outcome.suggestions;
    if let Some(name) = function {
        suggestions.retain(|s| s.logical_id == name);
        if suggestions.is_empty() {
            bail!("no function named `{name}` in the inputs");
        }
    }
    let format = match format {
        SuggestFormat::Policy => crate::suggest::SuggestFormat::Policy,
        SuggestFormat::Json => crate::suggest::SuggestFormat::Json,
        SuggestFormat::Yaml => crate::suggest::SuggestFormat::Yaml,
        SuggestFormat::Terraform => crate::suggest::SuggestFormat::Terraform,
    };
    crate::suggest::render(&suggestions, format, out)?;
    Ok(load_exit_code(&outcome.errors))
}

/// `iamlint access`: load the inputs (no rules run) and print each role's effective access.
fn access(
    paths: Vec<PathBuf>,
    function: Option<&str>,
    org_policies: Option<PathBuf>,
    format: ListFormat,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let org = match org_policies {
        Some(dir) => Some(crate::load::org::read_dir(&dir)?),
        None => None,
    };
    let settings = lint::Settings {
        access: true,
        org,
        ..lint::Settings::default()
    };
    let outcome = load_inputs(paths, &settings)?;
    let mut roles = outcome.access;
    if let Some(name) = function {
        roles.retain(|r| r.functions.iter().any(|f| f == name));
        if roles.is_empty() {
            bail!("no function named `{name}` with a role in the inputs");
        }
    }
    let format = match format {
        ListFormat::Text => crate::access::AccessFormat::Text,
        ListFormat::Json => crate::access::AccessFormat::Json,
    };
    crate::access::render(&roles, format, out)?;
    Ok(load_exit_code(&outcome.errors))
}

/// Load the inputs for a command that runs no rules (`suggest`, `access`), printing each
/// load error to standard error.
fn load_inputs(paths: Vec<PathBuf>, settings: &lint::Settings<'_>) -> Result<lint::Outcome> {
    let options = lint::Options {
        paths: if paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            paths
        },
        excludes: Vec::new(),
        max_file_size: lint::DEFAULT_MAX_FILE_SIZE,
        rules: Vec::new(),
        input_format: None,
    };
    let outcome = lint::run_with(&options, settings);
    for error in &outcome.errors {
        writeln!(
            std::io::stderr(),
            "error: {}: {}",
            error.path,
            error.message
        )?;
    }
    Ok(outcome)
}

/// 2 when an input could not be loaded, else 0: these commands report no findings.
fn load_exit_code<E>(errors: &[E]) -> ExitCode {
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    if let Some(jobs) = args.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global()
            .context("could not start worker threads")?;
    }
    let cwd = std::env::current_dir().context("could not read the current directory")?;
    let config = load_config(&args, &cwd)?;
    let select = if args.select.is_empty() {
        config.select.clone()
    } else {
        args.select.clone()
    };
    let ignore: Vec<String> = config.ignore.iter().chain(&args.ignore).cloned().collect();
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(Severity::Low);
    let persona = args.persona.or(config.persona).unwrap_or_default();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    // Reject a bad pattern up front rather than as a walk error after linting starts.
    crate::discover::PathPatterns::new(args.exclude.iter().map(String::as_str))
        .context("--exclude")?;
    let options = lint::Options {
        paths,
        excludes: args.exclude.clone(),
        max_file_size: args.max_file_size,
        rules: selected_rules(&select, &ignore)?,
        input_format: match &args.input_format {
            None => None,
            Some(name) => Some(crate::load::format_named(name).with_context(|| {
                format!(
                    "unknown input format `{name}`; known formats: {}",
                    crate::load::format_names().join(", ")
                )
            })?),
        },
    };
    let stdin = if args.stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("could not read standard input")?;
        let path = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("<stdin>"));
        Some(lint::InMemoryFile { path, text })
    } else {
        None
    };
    let progress = ProgressLine::new();
    let update = |done: usize, total: usize| progress.update(done, total);
    let show_progress =
        !args.quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let org = match args.org_policies.as_ref().or(config.org_policies.as_ref()) {
        Some(dir) => Some(crate::load::org::read_dir(dir)?),
        None => None,
    };
    let settings = lint::Settings {
        config,
        stdin,
        progress: show_progress.then_some(&update as lint::Progress<'_>),
        inventory: args.format == Format::Html,
        suggest: false,
        org,
        access: false,
    };
    let mut outcome = lint::run_with(&options, &settings);
    progress.finish();
    if args.unsafe_fixes && !(args.fix || args.diff) {
        bail!("--unsafe-fixes needs --fix or --diff");
    }
    if args.fix {
        let applied = crate::fix::apply(&outcome, args.unsafe_fixes)
            .context("could not write a fixed file")?;
        if applied.fixes > 0 {
            if !args.quiet {
                writeln!(
                    std::io::stderr(),
                    "fixed {} {} in {} {}",
                    applied.fixes,
                    if applied.fixes == 1 {
                        "finding"
                    } else {
                        "findings"
                    },
                    applied.files,
                    if applied.files == 1 { "file" } else { "files" }
                )?;
            }
            outcome = lint::run_with(&options, &settings);
        }
        if applied.changed_on_disk > 0 && !args.quiet {
            writeln!(
                std::io::stderr(),
                "left {} {} alone: changed on disk while iamlint ran",
                applied.changed_on_disk,
                if applied.changed_on_disk == 1 {
                    "file"
                } else {
                    "files"
                }
            )?;
        }
    }
    let online_failed = match args.access_analyzer {
        Some(mode) => {
            let failed = online(&args, &settings.config, &mut outcome)?;
            failed && mode == OnlineMode::Required
        }
        None => false,
    };

    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::from_outcome(&outcome, path, &cwd);
        baseline.write(path)?;
        if !args.quiet {
            writeln!(
                std::io::stderr(),
                "wrote {} findings to {}",
                baseline.entries.len(),
                path.display()
            )?;
        }
        return Ok(if outcome.errors.is_empty() && !online_failed {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        });
    }
    let baselined = match &args.baseline {
        Some(path) => {
            let applied = Baseline::read(path)?.apply(&mut outcome, path, &cwd);
            if applied.outdated && !args.quiet {
                writeln!(
                    std::io::stderr(),
                    "note: {} uses baseline format {}; it still works, but run `iamlint check --write-baseline {}` to upgrade it to format {}",
                    path.display(),
                    crate::baseline::LEGACY_VERSION,
                    path.display(),
                    crate::baseline::VERSION
                )?;
            }
            Some(applied)
        }
        None => None,
    };
    // The persona decides what every reporter and the exit code see.
    let hidden = persona::select(persona, &mut outcome.findings, &outcome.sources, &select).len();
    // One finding per flagged value, except for auditors.
    let folded = if persona == Persona::Auditor {
        0
    } else {
        crate::rules::pileup::fold(&mut outcome.findings)
    };
    let suppressed = outcome.suppressed.len();
    if !args.show_suppressed && !persona.shows_suppressed() {
        outcome.suppressed.clear();
    }

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let mut buffer = Vec::new();
    if args.diff {
        // The diff replaces the report; the summary line still goes to stderr.
        let fixes = crate::fix::write_diff(&mut buffer, &outcome, args.unsafe_fixes)?;
        std::io::stdout().lock().write_all(&buffer)?;
        if !args.quiet {
            writeln!(
                std::io::stderr(),
                "{}; {fixes} {} would be applied, nothing was written",
                report::summary_line(&outcome),
                if fixes == 1 { "fix" } else { "fixes" }
            )?;
        }
        return Ok(exit_code(&outcome, fail_on));
    }
    let link_prefix = args
        .output
        .as_deref()
        .and_then(|o| html_link_prefix(o, &cwd));
    write_report(&outcome, args.format, color, link_prefix, &mut buffer)?;
    if args.format == Format::Human && !outcome.suppressed.is_empty() {
        write_suppressed(&outcome, &mut buffer)?;
    }
    match &args.output {
        Some(path) => std::fs::write(path, &buffer)
            .with_context(|| format!("could not write {}", path.display()))?,
        None => std::io::stdout().lock().write_all(&buffer)?,
    }
    if !args.quiet && (args.format == Format::Human || args.output.is_some()) {
        let mut summary = report::summary_line(&outcome);
        if suppressed > 0 {
            summary.push_str(&format!(", {suppressed} suppressed"));
        }
        if let Some(applied) = baselined {
            summary.push_str(&format!(
                "; {} {} in baseline, {} fixed since",
                applied.matched,
                if applied.matched == 1 {
                    "finding"
                } else {
                    "findings"
                },
                applied.fixed
            ));
        }
        if let Some(note) = persona::hidden_note(hidden) {
            summary.push_str(&format!("; {note}"));
        }
        if let Some(note) = crate::rules::pileup::folded_note(folded) {
            summary.push_str(&format!("; {note}"));
        }
        writeln!(std::io::stderr(), "{summary}")?;
    }
    if online_failed {
        return Ok(ExitCode::from(2));
    }
    Ok(exit_code(&outcome, fail_on))
}

/// `--access-analyzer`: add IAM Access Analyzer's findings to `outcome`. Each failure is
/// printed once on stderr; returns whether the online part failed. The offline results
/// stay whatever happens.
#[cfg(feature = "access-analyzer")]
fn online(args: &CheckArgs, config: &Config, outcome: &mut Outcome) -> Result<bool> {
    let options = crate::online::Options {
        profile: args.profile.clone(),
        region: args.region.clone(),
        no_new_access_since: args.no_new_access_since.clone(),
        deny_actions: deny_actions(args, config)?,
        cache: !args.no_cache,
    };
    let report = crate::online::run(outcome, &options);
    let mut err = std::io::stderr().lock();
    for e in &report.errors {
        writeln!(err, "error: access analyzer: {e}")?;
    }
    if !args.quiet {
        writeln!(
            err,
            "access analyzer: requests sent {}, answered from cache {}, findings merged into offline ones {}",
            report.sent, report.cached, report.merged
        )?;
    }
    Ok(!report.errors.is_empty())
}

#[cfg(not(feature = "access-analyzer"))]
fn online(args: &CheckArgs, config: &Config, _outcome: &mut Outcome) -> Result<bool> {
    deny_actions(args, config)?;
    writeln!(
        std::io::stderr(),
        "error: access analyzer: this iamlint was built without online mode; install it with `cargo install iamlint --features access-analyzer`"
    )?;
    Ok(true)
}

/// `--deny-actions` and `deny-actions` from the config, each `service:Action`.
fn deny_actions(args: &CheckArgs, config: &Config) -> Result<Vec<String>> {
    let mut actions = config.deny_actions.clone();
    for action in &args.deny_actions {
        if !config::is_action_name(action) {
            bail!("--deny-actions: `{action}` is not an action (`service:Action`, no wildcards)");
        }
        if !actions.contains(action) {
            actions.push(action.clone());
        }
    }
    Ok(actions)
}

/// `--show-suppressed` in human output: one line per suppressed finding, with the reason.
fn write_suppressed(outcome: &Outcome, out: &mut dyn Write) -> Result<()> {
    writeln!(out, "suppressed findings:")?;
    for s in &outcome.suppressed {
        let f = &s.finding;
        let Some(source) = outcome.sources.get(f.file) else {
            continue;
        };
        let at = source.line_col(f.span.start);
        writeln!(
            out,
            "  {}:{}:{}: {} {}({}) {} [{}: {}]",
            source.display,
            at.line,
            at.column,
            f.severity,
            f.rule.name,
            f.rule.code,
            f.message,
            s.by.as_str(),
            s.reason
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn write_report(
    outcome: &Outcome,
    format: Format,
    color: bool,
    link_prefix: Option<String>,
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        Format::Human => report::human::write(
            outcome,
            &report::human::HumanOptions { color, width: None },
            out,
        )?,
        Format::Json => report::json::write(outcome, out)?,
        Format::Sarif => {
            let catalog = crate::catalog::catalog();
            let options = report::sarif::SarifOptions {
                tool_properties: vec![
                    ("catalogDate", catalog.date().to_string()),
                    ("catalogVersion", catalog.version().to_string()),
                ],
                ..Default::default()
            };
            report::sarif::write_with(outcome, &options, out)?
        }
        Format::Junit => report::junit::write(outcome, out)?,
        Format::Github => report::github::write(outcome, out)?,
        Format::Html => {
            let options = report::html::HtmlOptions { link_prefix };
            report::html::write(outcome, &options, out)?
        }
    }
    Ok(())
}

/// How the HTML report at `output` reaches files named relative to `cwd`: `../` per
/// folder the report sits below `cwd`. `None` (no file links) when it is elsewhere.
fn html_link_prefix(output: &Path, cwd: &Path) -> Option<String> {
    let output = cwd.join(output);
    let dir = output.parent()?;
    let dir = std::fs::canonicalize(dir).ok()?;
    let cwd = std::fs::canonicalize(cwd).ok()?;
    let below = dir.strip_prefix(&cwd).ok()?;
    Some("../".repeat(below.components().count()))
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
