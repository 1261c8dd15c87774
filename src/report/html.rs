//! `--format html`: one self-contained page for reviewers. A summary (findings by severity
//! and rule, functions riskiest first), then each function with its role, where its
//! permissions come from, a bar per service of what it is granted by access level, and its
//! findings; findings outside any function follow.
//!
//! Nothing is fetched: styles and the filter script are inline and a Content-Security-Policy
//! forbids every other source. The only absolute URLs are links to the rule docs. Without
//! JavaScript everything is shown; the script only adds the severity, rule and file filters.
//! Source lines come from the redacted text, so secrets never reach the page.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{redacted_text, severity_counts};
use crate::catalog::{catalog, AccessLevel};
use crate::finding::{Category, Finding, RuleMeta, Severity};
use crate::inventory::{FunctionInventory, RoleRef, ServiceAccess};
use crate::lint::Outcome;
use crate::source::Span;

pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

/// Services with at most this many granted actions list them by name.
const LIST_ACTIONS_UP_TO: usize = 40;

#[derive(Clone, Debug, Default)]
pub struct HtmlOptions {
    /// Prefix that turns a source's display path into a link from the report's folder
    /// (`../` when the report is written one level down). No file links when unset.
    pub link_prefix: Option<String>,
}

/// The rule's doc in the repository.
pub fn doc_url(meta: &RuleMeta) -> String {
    format!(
        "{}/blob/main/rules/{}.md",
        env!("CARGO_PKG_REPOSITORY"),
        meta.name
    )
}

pub fn write(outcome: &Outcome, options: &HtmlOptions, out: &mut dyn Write) -> io::Result<()> {
    let page = Page::new(outcome, options);
    let mut html = String::with_capacity(64 * 1024);
    page.render(&mut html);
    out.write_all(html.as_bytes())
}

/// The outcome, indexed for rendering.
struct Page<'a> {
    outcome: &'a Outcome,
    options: &'a HtmlOptions,
    /// Each file's text with its findings' secrets masked.
    redacted: Vec<Cow<'a, str>>,
    /// Functions, riskiest first, each with the indices of its findings.
    functions: Vec<(&'a FunctionInventory, Vec<usize>)>,
    /// Findings that belong to no function.
    loose: Vec<usize>,
}

fn weight(severity: Severity) -> u64 {
    match severity {
        Severity::Critical => 1000,
        Severity::High => 100,
        Severity::Medium => 10,
        Severity::Low => 1,
        Severity::Info => 0,
    }
}

fn contains(region: Span, span: Span) -> bool {
    region.start <= span.start && span.end <= region.end
}

/// Whether a finding points into a function's resource, role or policies.
fn belongs(function: &FunctionInventory, finding: &Finding) -> bool {
    let primary = (finding.file, finding.span);
    let related = finding.related.iter().map(|r| (r.file, r.span));
    std::iter::once(primary).chain(related).any(|(file, span)| {
        file == function.file && function.regions.iter().any(|&r| contains(r, span))
    })
}

impl<'a> Page<'a> {
    fn new(outcome: &'a Outcome, options: &'a HtmlOptions) -> Self {
        // Secrets of suppressed findings are masked too: another finding's source line
        // (an environment variable's KMS finding) can show the same value.
        let mut by_file: Vec<Vec<&Finding>> = vec![Vec::new(); outcome.sources.len()];
        let suppressed = outcome.suppressed.iter().map(|s| &s.finding);
        for finding in outcome.findings.iter().chain(suppressed) {
            if let Some(list) = by_file.get_mut(finding.file) {
                list.push(finding);
            }
        }
        let redacted = outcome
            .sources
            .iter()
            .zip(&by_file)
            .map(|(source, findings)| redacted_text(source, findings))
            .collect();
        // Findings by the files they touch, so each function looks only at its own file's.
        let mut touching: Vec<Vec<usize>> = vec![Vec::new(); outcome.sources.len()];
        for (i, finding) in outcome.findings.iter().enumerate() {
            let mut files: Vec<usize> = finding.related.iter().map(|r| r.file).collect();
            files.push(finding.file);
            files.sort_unstable();
            files.dedup();
            for file in files {
                if let Some(list) = touching.get_mut(file) {
                    list.push(i);
                }
            }
        }
        let mut owned = vec![false; outcome.findings.len()];
        let mut functions: Vec<(&FunctionInventory, Vec<usize>)> = outcome
            .inventory
            .iter()
            .map(|function| {
                let candidates = touching.get(function.file).map_or(&[][..], Vec::as_slice);
                let mut mine: Vec<usize> = candidates
                    .iter()
                    .copied()
                    .filter(|&i| belongs(function, &outcome.findings[i]))
                    .collect();
                // Most severe first within a function; report order among equals.
                mine.sort_by_key(|&i| std::cmp::Reverse(outcome.findings[i].severity));
                for &i in &mine {
                    owned[i] = true;
                }
                (function, mine)
            })
            .collect();
        let score = |(function, findings): &(&FunctionInventory, Vec<usize>)| {
            let findings: u64 = findings
                .iter()
                .map(|&i| weight(outcome.findings[i].severity))
                .sum();
            (
                findings,
                function.level_total(AccessLevel::PermissionsManagement),
                function.total_actions(),
            )
        };
        functions.sort_by(|a, b| {
            score(b)
                .cmp(&score(a))
                .then_with(|| a.0.file.cmp(&b.0.file))
                .then_with(|| a.0.span.start.cmp(&b.0.span.start))
        });
        let loose = (0..outcome.findings.len()).filter(|&i| !owned[i]).collect();
        Page {
            outcome,
            options,
            redacted,
            functions,
            loose,
        }
    }

    fn file_name(&self, file: usize) -> &str {
        self.outcome
            .sources
            .get(file)
            .map_or("?", |s| s.display.as_str())
    }

    /// `file:line:col`, a link to the file when the report knows where it lies.
    fn location(&self, html: &mut String, file: usize, span: Span) {
        let Some(source) = self.outcome.sources.get(file) else {
            return;
        };
        let at = source.line_col(span.start);
        let text = format!("{}:{}:{}", source.display, at.line, at.column);
        match &self.options.link_prefix {
            Some(prefix) => {
                let path = url_path(&source.display);
                let href = if source.display.starts_with('/') {
                    path
                } else {
                    format!("{prefix}{path}")
                };
                let _ = write!(
                    html,
                    "<a class=\"loc\" href=\"{}\">{}</a>",
                    esc(&href),
                    esc(&text)
                );
            }
            None => {
                let _ = write!(html, "<code class=\"loc\">{}</code>", esc(&text));
            }
        }
    }

    fn render(&self, html: &mut String) {
        let outcome = self.outcome;
        html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        let _ = writeln!(
            html,
            "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
        );
        html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.push_str("<title>iamlint report</title>\n<style>\n");
        html.push_str(STYLE);
        html.push_str("</style>\n</head>\n<body>\n");
        let _ = writeln!(
            html,
            "<header><h1>iamlint report</h1><p class=\"meta\">{} · {} · iamlint {} · IAM catalog of {}</p></header>",
            esc(&super::summary_line(outcome)),
            plural(self.functions.len(), "function", "functions"),
            env!("CARGO_PKG_VERSION"),
            esc(catalog().date())
        );
        self.filters(html);
        html.push_str("<main>\n");
        self.summary(html);
        html.push_str("<section id=\"functions\">\n<h2>Functions</h2>\n");
        if self.functions.is_empty() {
            html.push_str(
                "<p class=\"none\">No Lambda function was found in the linted files.</p>\n",
            );
        }
        for (n, (function, findings)) in self.functions.iter().enumerate() {
            self.function(html, n, function, findings);
        }
        html.push_str("</section>\n");
        if !self.loose.is_empty() {
            html.push_str("<section id=\"other\">\n<h2>Findings outside functions</h2>\n<p class=\"note\">Policies no function of the linted files runs with (policy files, roles of other stacks), and settings.</p>\n");
            self.findings(html, &self.loose);
            html.push_str("</section>\n");
        }
        self.errors(html);
        self.rules(html);
        html.push_str("</main>\n<script>\n");
        html.push_str(SCRIPT);
        html.push_str("</script>\n</body>\n</html>\n");
    }

    /// Filter controls, hidden until the script shows them.
    fn filters(&self, html: &mut String) {
        let findings = &self.outcome.findings;
        html.push_str("<form id=\"filters\" hidden><label>Severity at least <select name=\"severity\"><option value=\"\">any</option>");
        for (severity, n) in severity_counts(findings) {
            if n > 0 {
                let s = severity.as_str();
                let _ = write!(html, "<option value=\"{s}\">{s} ({n})</option>");
            }
        }
        html.push_str(
            "</select></label> <label>Rule <select name=\"rule\"><option value=\"\">any</option>",
        );
        for (meta, n) in rule_counts(findings) {
            let _ = write!(
                html,
                "<option value=\"{0}\">{0} ({n})</option>",
                esc(meta.name)
            );
        }
        html.push_str(
            "</select></label> <label>File <select name=\"file\"><option value=\"\">any</option>",
        );
        let mut files: Vec<usize> = findings.iter().map(|f| f.file).collect();
        files.extend(self.functions.iter().map(|(f, _)| f.file));
        files.sort_unstable();
        files.dedup();
        for file in files {
            let name = esc(self.file_name(file));
            let _ = write!(html, "<option value=\"{name}\">{name}</option>");
        }
        html.push_str("</select></label> <button type=\"reset\">Show all</button> <output name=\"shown\"></output></form>\n");
    }

    fn summary(&self, html: &mut String) {
        let findings = &self.outcome.findings;
        html.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<ul class=\"tiles\">");
        for (severity, n) in severity_counts(findings) {
            let s = severity.as_str();
            let _ = write!(
                html,
                "<li class=\"tile sev-{s}\"><span class=\"n\" data-count=\"{s}\">{n}</span> {s}</li>"
            );
        }
        html.push_str("</ul>\n");
        if !findings.is_empty() {
            html.push_str("<h3>Findings by rule</h3>\n<table class=\"by-rule\"><thead><tr><th>Rule</th><th>Severity</th><th>Findings</th><th>What it flags</th></tr></thead><tbody>\n");
            for (meta, n) in rule_counts(findings) {
                let worst = findings
                    .iter()
                    .filter(|f| std::ptr::eq(f.rule, meta))
                    .map(|f| f.severity)
                    .max()
                    .unwrap_or(meta.severity);
                let _ = writeln!(
                    html,
                    "<tr data-rule=\"{name}\"><td><a href=\"#rule-{name}\">{name}</a> <span class=\"code\">{code}</span></td><td>{sev}</td><td class=\"num\">{n}</td><td>{summary}</td></tr>",
                    name = esc(meta.name),
                    code = esc(meta.code),
                    sev = severity_badge(worst),
                    summary = inline_code(meta.summary)
                );
            }
            html.push_str("</tbody></table>\n");
        }
        if !self.functions.is_empty() {
            html.push_str("<h3>Functions, riskiest first</h3>\n<table class=\"by-function\"><thead><tr><th>Function</th><th>File</th><th>Role</th><th>Findings</th><th class=\"num\">Actions</th><th class=\"num\">Permissions mgmt</th><th>Wildcards</th></tr></thead><tbody>\n");
            for (n, (function, mine)) in self.functions.iter().enumerate() {
                let mut counts = String::new();
                for severity in Severity::ALL {
                    let c = mine
                        .iter()
                        .filter(|&&i| self.outcome.findings[i].severity == severity)
                        .count();
                    if c > 0 {
                        let s = severity.as_str();
                        let _ = write!(counts, "<span class=\"sev sev-{s}\">{c} {s}</span> ");
                    }
                }
                let wildcards = function.services.iter().filter(|s| s.by_wildcard).count();
                let _ = writeln!(
                    html,
                    "<tr data-file=\"{file}\"><td><a href=\"#fn-{n}\">{name}</a></td><td>{file}</td><td>{role}</td><td>{counts}</td><td class=\"num\">{actions}</td><td class=\"num\">{pm}</td><td>{wild}</td></tr>",
                    file = esc(self.file_name(function.file)),
                    name = esc(&function.display_name()),
                    role = esc(&role_text(&function.role)),
                    actions = function.total_actions(),
                    pm = function.level_total(AccessLevel::PermissionsManagement),
                    wild = match wildcards {
                        0 => String::new(),
                        w => format!("<span class=\"flag wild\">{}</span>", plural(w, "service", "services")),
                    }
                );
            }
            html.push_str("</tbody></table>\n");
        }
        html.push_str("</section>\n");
    }

    fn function(&self, html: &mut String, n: usize, function: &FunctionInventory, mine: &[usize]) {
        let file = self.file_name(function.file);
        let _ = write!(
            html,
            "<article class=\"function\" id=\"fn-{n}\" data-file=\"{}\">\n<h3>{}",
            esc(file),
            esc(&function.display_name())
        );
        if let Some(runtime) = &function.runtime {
            let _ = write!(html, " <span class=\"runtime\">{}</span>", esc(runtime));
        }
        html.push_str("</h3>\n<p class=\"where\">");
        self.location(html, function.file, function.span);
        let _ = write!(html, " · {}", esc(&role_text(&function.role)));
        html.push_str("</p>\n");

        // Risk categories and wildcards first: what a reviewer should look at.
        let mut risks: Vec<&'static RuleMeta> = mine
            .iter()
            .map(|&i| self.outcome.findings[i].rule)
            .filter(|m| m.category == Category::Risk)
            .collect();
        risks.sort_by_key(|m| m.code);
        risks.dedup_by_key(|m| m.code);
        let wildcards: Vec<&str> = function
            .sources
            .iter()
            .flat_map(|s| s.wildcards.iter().map(String::as_str))
            .collect();
        let pm = function.level_total(AccessLevel::PermissionsManagement);
        if !risks.is_empty() || !wildcards.is_empty() || pm > 0 {
            html.push_str("<p class=\"flags\">");
            for meta in risks {
                let _ = write!(
                    html,
                    "<a class=\"flag risk\" href=\"#rule-{0}\" title=\"{1}\">{0}</a> ",
                    esc(meta.name),
                    esc(meta.summary)
                );
            }
            let mut seen: Vec<&str> = Vec::new();
            for w in wildcards {
                if !seen.contains(&w) {
                    seen.push(w);
                    let _ = write!(html, "<span class=\"flag wild\">{}</span> ", esc(w));
                }
            }
            if pm > 0 {
                let _ = write!(
                    html,
                    "<span class=\"flag pm\">{}</span>",
                    plural(
                        pm,
                        "permissions management action",
                        "permissions management actions"
                    )
                );
            }
            html.push_str("</p>\n");
        }

        html.push_str("<h4>Where its permissions come from</h4>\n");
        if function.sources.is_empty() {
            html.push_str(
                "<p class=\"none\">No identity policy is known for this function's role.</p>\n",
            );
        } else {
            html.push_str("<table class=\"sources\"><thead><tr><th>Kind</th><th>Policy</th><th class=\"num\">Actions</th><th>Wildcards</th><th>At</th></tr></thead><tbody>\n");
            for source in &function.sources {
                let actions = if source.opaque {
                    "<span class=\"muted\" title=\"document not known to iamlint\">not known</span>"
                        .to_string()
                } else {
                    source.actions.to_string()
                };
                let wild: Vec<String> = source
                    .wildcards
                    .iter()
                    .map(|w| format!("<span class=\"flag wild\">{}</span>", esc(w)))
                    .collect();
                let _ = write!(
                    html,
                    "<tr><td>{}</td><td>{}</td><td class=\"num\">{actions}</td><td>{}</td><td>",
                    esc(source.kind.as_str()),
                    inline_code(&source.name),
                    wild.join(" ")
                );
                self.location(html, function.file, source.span);
                html.push_str("</td></tr>\n");
            }
            html.push_str("</tbody></table>\n");
        }

        let _ = writeln!(
            html,
            "<h4>Granted actions by service <span class=\"muted\">({} in {})</span></h4>",
            plural(function.total_actions(), "action", "actions"),
            plural(function.services.len(), "service", "services")
        );
        if !function.services.is_empty() {
            html.push_str(LEGEND);
            html.push_str("<table class=\"services\"><tbody>\n");
            for service in &function.services {
                service_row(html, service);
            }
            html.push_str("</tbody></table>\n");
        }
        if !function.unevaluated.is_empty() {
            let values: Vec<String> = function
                .unevaluated
                .iter()
                .map(|v| format!("<code>{}</code>", esc(v)))
                .collect();
            let _ = writeln!(
                html,
                "<p class=\"note\">Not counted (unresolved or unknown to the catalog): {}</p>",
                values.join(", ")
            );
        }

        let _ = writeln!(
            html,
            "<h4>Findings <span class=\"muted\">({})</span></h4>",
            mine.len()
        );
        if mine.is_empty() {
            html.push_str("<p class=\"none\">No findings.</p>\n");
        } else {
            self.findings(html, mine);
        }
        html.push_str("</article>\n");
    }

    fn findings(&self, html: &mut String, indices: &[usize]) {
        html.push_str("<ul class=\"findings\">\n");
        for &i in indices {
            let Some(f) = self.outcome.findings.get(i) else {
                continue;
            };
            let s = f.severity.as_str();
            let _ = write!(
                html,
                "<li class=\"finding sev-{s}\" data-finding=\"{i}\" data-severity=\"{s}\" data-rule=\"{rule}\" data-file=\"{file}\">{badge} <a class=\"rule\" href=\"#rule-{rule}\" title=\"{summary}\">{rule}</a> <a class=\"code\" href=\"{doc}\" title=\"rule documentation\">{code}</a> ",
                rule = esc(f.rule.name),
                code = esc(f.rule.code),
                file = esc(self.file_name(f.file)),
                badge = severity_badge(f.severity),
                summary = esc(f.rule.summary),
                doc = esc(&doc_url(f.rule)),
            );
            self.location(html, f.file, f.span);
            let _ = write!(html, "<div class=\"msg\">{}</div>", inline_code(&f.message));
            if !f.help.is_empty() {
                let _ = write!(html, "<div class=\"help\">{}</div>", inline_code(&f.help));
            }
            if let Some(line) = self.line_of(f.file, f.span) {
                let _ = write!(html, "<pre class=\"src\">{}</pre>", esc(line));
            }
            html.push_str("</li>\n");
        }
        html.push_str("</ul>\n");
    }

    /// The redacted source line where a span starts, trimmed.
    fn line_of(&self, file: usize, span: Span) -> Option<&str> {
        let text: &str = self.redacted.get(file)?;
        let start = span.start as usize;
        let head = text.get(..start)?;
        let from = head.rfind('\n').map_or(0, |i| i + 1);
        let to = text
            .get(start..)?
            .find('\n')
            .map_or(text.len(), |i| start + i);
        let line = text.get(from..to)?.trim();
        (!line.is_empty()).then_some(line)
    }

    fn errors(&self, html: &mut String) {
        if self.outcome.errors.is_empty() {
            return;
        }
        html.push_str("<section id=\"errors\">\n<h2>Files that could not be read</h2>\n<ul>\n");
        for e in &self.outcome.errors {
            let at = e.file.zip(e.span).and_then(|(file, span)| {
                self.outcome
                    .sources
                    .get(file)
                    .map(|s| s.line_col(span.start))
            });
            let place = match at {
                Some(at) => format!("{}:{}:{}", e.path, at.line, at.column),
                None => e.path.clone(),
            };
            let _ = writeln!(
                html,
                "<li><code>{}</code> {}</li>",
                esc(&place),
                esc(&e.message)
            );
        }
        html.push_str("</ul>\n</section>\n");
    }

    /// The rules that fired, with their summary and a link to the full doc.
    fn rules(&self, html: &mut String) {
        let counts = rule_counts(&self.outcome.findings);
        if counts.is_empty() {
            return;
        }
        html.push_str("<section id=\"rules\">\n<h2>Rules</h2>\n<dl>\n");
        for (meta, _) in counts {
            let _ = writeln!(
                html,
                "<dt id=\"rule-{name}\">{name} <span class=\"code\">{code}</span> <span class=\"muted\">{category}, default {severity}</span></dt><dd>{summary}. <a href=\"{url}\">Rule documentation</a></dd>",
                name = esc(meta.name),
                code = esc(meta.code),
                category = meta.category.as_str(),
                severity = meta.severity.as_str(),
                summary = inline_code(meta.summary),
                url = esc(&doc_url(meta))
            );
        }
        html.push_str("</dl>\n</section>\n");
    }
}

/// Rules that fired with their finding counts, in code order.
fn rule_counts(findings: &[Finding]) -> Vec<(&'static RuleMeta, usize)> {
    let mut counts: BTreeMap<&'static str, (&'static RuleMeta, usize)> = BTreeMap::new();
    for f in findings {
        counts.entry(f.rule.code).or_insert((f.rule, 0)).1 += 1;
    }
    counts.into_values().collect()
}

/// One service: a bar as wide as the service's catalog, a segment per access level.
fn service_row(html: &mut String, service: &ServiceAccess) {
    let total = service.catalog_actions.max(1) as f64;
    let _ = write!(
        html,
        "<tr class=\"svc\" data-service=\"{prefix}\"><th title=\"{name}\">{prefix}</th><td class=\"bar\" title=\"{granted} of {all} {prefix} actions\">",
        prefix = esc(service.prefix),
        name = esc(service.name),
        granted = service.levels.total(),
        all = service.catalog_actions,
    );
    for level in BAR_ORDER {
        let n = service.count(level);
        if n > 0 {
            let width = (n as f64 * 100.0 / total).max(1.5);
            let _ = write!(
                html,
                "<span class=\"seg {}\" style=\"width:{width:.1}%\" title=\"{n} {level}\"></span>",
                level_class(level)
            );
        }
    }
    html.push_str("</td><td class=\"counts\">");
    let parts: Vec<String> = BAR_ORDER
        .iter()
        .filter(|l| service.count(**l) > 0)
        .map(|&l| {
            format!(
                "<span class=\"c {}\" data-level=\"{}\">{} {}</span>",
                level_class(l),
                l.as_str(),
                service.count(l),
                short_level(l)
            )
        })
        .collect();
    let _ = write!(
        html,
        "{} <span class=\"muted\">of {}</span>",
        parts.join(" "),
        service.catalog_actions
    );
    html.push_str("</td><td class=\"svc-flags\">");
    if service.by_wildcard {
        html.push_str("<span class=\"flag wild\">wildcard</span> ");
    }
    if service.any_resource {
        html.push_str("<span class=\"flag any\">any resource</span>");
    }
    html.push_str("</td></tr>\n");
    if service.actions.len() <= LIST_ACTIONS_UP_TO {
        let names: Vec<String> = service.actions.iter().map(|a| esc(a)).collect();
        let _ = writeln!(
            html,
            "<tr class=\"acts\"><td></td><td colspan=\"3\">{}</td></tr>",
            names.join(", ")
        );
    }
}

const BAR_ORDER: [AccessLevel; 5] = [
    AccessLevel::List,
    AccessLevel::Read,
    AccessLevel::Write,
    AccessLevel::PermissionsManagement,
    AccessLevel::Tagging,
];

fn level_class(level: AccessLevel) -> &'static str {
    match level {
        AccessLevel::List => "l-list",
        AccessLevel::Read => "l-read",
        AccessLevel::Write => "l-write",
        AccessLevel::PermissionsManagement => "l-pm",
        AccessLevel::Tagging => "l-tag",
    }
}

fn short_level(level: AccessLevel) -> &'static str {
    match level {
        AccessLevel::PermissionsManagement => "perm. mgmt",
        other => other.as_str(),
    }
}

fn role_text(role: &RoleRef) -> String {
    match role {
        RoleRef::Declared {
            name,
            generated,
            shared_by,
            ..
        } => {
            let mut text = format!("role {name}");
            if *generated {
                text.push_str(" (generated by SAM)");
            }
            if *shared_by > 1 {
                text.push_str(&format!(" shared by {shared_by} functions"));
            }
            text
        }
        RoleRef::External(arn) => format!("role {arn} (not in the linted files)"),
        RoleRef::None => "no role found".into(),
    }
}

fn severity_badge(severity: Severity) -> String {
    let s = severity.as_str();
    format!("<span class=\"sev sev-{s}\">{s}</span>")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A file path as a relative URL: everything but unreserved characters and `/` is
/// percent-encoded, so `#`, `?` and spaces stay part of the name.
fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// Escape text for HTML content and quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escape a message and show its `` `quoted` `` values as code.
fn inline_code(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    // An odd number of backticks leaves the last one unpaired: keep the text as it is.
    if parts.len() % 2 == 0 {
        return esc(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", esc(part))
            } else {
                esc(part)
            }
        })
        .collect()
}

const LEGEND: &str = "<p class=\"legend\"><span class=\"seg l-list\"></span>list <span class=\"seg l-read\"></span>read <span class=\"seg l-write\"></span>write <span class=\"seg l-pm\"></span>permissions management <span class=\"seg l-tag\"></span>tagging <span class=\"muted\">(bar width: share of the service's actions)</span></p>\n";

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/filter.js");

#[cfg(test)]
#[path = "html/tests.rs"]
mod tests;
