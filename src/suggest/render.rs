//! Print suggestions: an IAM policy per function, a versioned JSON document, or YAML
//! statements to paste into a SAM function's `Policies:` list.

use std::io::{self, Write};

use serde::Serialize;

use super::{FunctionSuggestion, SuggestedStatement};

/// Version of the `suggest --format json` output; bump it when a field changes meaning.
const JSON_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestFormat {
    Policy,
    Json,
    Yaml,
    Terraform,
}

pub fn render(
    suggestions: &[FunctionSuggestion],
    format: SuggestFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        SuggestFormat::Policy => policy(suggestions, out),
        SuggestFormat::Json => json(suggestions, out),
        SuggestFormat::Yaml => yaml(suggestions, out),
        SuggestFormat::Terraform => super::terraform::render(suggestions, out),
    }
}

#[derive(Serialize)]
struct PolicyDoc<'a> {
    #[serde(rename = "Version")]
    version: &'static str,
    #[serde(rename = "Statement")]
    statement: Vec<PolicyStatement<'a>>,
}

#[derive(Serialize)]
struct PolicyStatement<'a> {
    #[serde(rename = "Sid")]
    sid: &'a str,
    #[serde(rename = "Effect")]
    effect: &'static str,
    #[serde(rename = "Action")]
    action: &'a [String],
    #[serde(rename = "Resource")]
    resource: &'a [String],
}

fn document(statements: &[SuggestedStatement]) -> PolicyDoc<'_> {
    PolicyDoc {
        version: "2012-10-17",
        statement: statements
            .iter()
            .map(|s| PolicyStatement {
                sid: &s.sid,
                effect: "Allow",
                action: &s.actions,
                resource: &s.resources,
            })
            .collect(),
    }
}

fn policy(suggestions: &[FunctionSuggestion], out: &mut dyn Write) -> io::Result<()> {
    for (i, s) in suggestions.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "// {} ({})", s.logical_id, s.location)?;
        for statement in &s.statements {
            for reason in &statement.reasons {
                writeln!(
                    out,
                    "// {}: {}{}",
                    statement.sid,
                    reason.text,
                    at(&reason.location)
                )?;
            }
        }
        for change in &s.changes {
            writeln!(
                out,
                "// {} `{}` ({}): {}",
                change.change.as_str(),
                change.action,
                change.location,
                change.detail
            )?;
        }
        for note in &s.notes {
            writeln!(out, "// note: {note}")?;
        }
        let text =
            serde_json::to_string_pretty(&document(&s.statements)).map_err(io::Error::other)?;
        writeln!(out, "{text}")?;
    }
    Ok(())
}

pub(super) fn at(location: &Option<String>) -> String {
    location
        .as_ref()
        .map_or_else(String::new, |l| format!(" ({l})"))
}

#[derive(Serialize)]
struct JsonOutput<'a> {
    version: u32,
    functions: Vec<JsonFunction<'a>>,
}

#[derive(Serialize)]
struct JsonFunction<'a> {
    function: &'a str,
    location: &'a str,
    statements: Vec<JsonStatement<'a>>,
    changes: Vec<JsonChange<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonStatement<'a> {
    sid: &'a str,
    actions: &'a [String],
    resources: &'a [String],
    reasons: Vec<JsonReason<'a>>,
}

#[derive(Serialize)]
struct JsonReason<'a> {
    reason: &'a str,
    location: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    action: &'a str,
    resources: &'a [String],
    location: &'a str,
    change: &'static str,
    detail: &'a str,
}

fn json(suggestions: &[FunctionSuggestion], out: &mut dyn Write) -> io::Result<()> {
    let output = JsonOutput {
        version: JSON_VERSION,
        functions: suggestions
            .iter()
            .map(|s| JsonFunction {
                function: &s.logical_id,
                location: &s.location,
                statements: s
                    .statements
                    .iter()
                    .map(|st| JsonStatement {
                        sid: &st.sid,
                        actions: &st.actions,
                        resources: &st.resources,
                        reasons: st
                            .reasons
                            .iter()
                            .map(|r| JsonReason {
                                reason: &r.text,
                                location: r.location.as_deref(),
                            })
                            .collect(),
                    })
                    .collect(),
                changes: s
                    .changes
                    .iter()
                    .map(|c| JsonChange {
                        action: &c.action,
                        resources: &c.resources,
                        location: &c.location,
                        change: c.change.as_str(),
                        detail: &c.detail,
                    })
                    .collect(),
                notes: &s.notes,
            })
            .collect(),
    };
    let text = serde_json::to_string_pretty(&output).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}

/// A YAML scalar: JSON string quoting is valid YAML; `${...}` values go through `!Sub`.
fn scalar(value: &str) -> String {
    let quoted = serde_json::to_string(value).unwrap_or_else(|_| format!("'{value}'"));
    if value.contains("${") {
        format!("!Sub {quoted}")
    } else {
        quoted
    }
}

fn yaml(suggestions: &[FunctionSuggestion], out: &mut dyn Write) -> io::Result<()> {
    for (i, s) in suggestions.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "# {} ({}): paste under its Policies:",
            s.logical_id, s.location
        )?;
        for note in &s.notes {
            writeln!(out, "# note: {note}")?;
        }
        if s.statements.is_empty() {
            writeln!(
                out,
                "# nothing beyond what the role already has from AWS managed policies"
            )?;
            continue;
        }
        writeln!(out, "- Version: \"2012-10-17\"")?;
        writeln!(out, "  Statement:")?;
        for statement in &s.statements {
            for reason in &statement.reasons {
                writeln!(out, "    # {}{}", reason.text, at(&reason.location))?;
            }
            writeln!(out, "    - Sid: {}", scalar(&statement.sid))?;
            writeln!(out, "      Effect: Allow")?;
            writeln!(out, "      Action:")?;
            for action in &statement.actions {
                writeln!(out, "        - {}", scalar(action))?;
            }
            writeln!(out, "      Resource:")?;
            for resource in &statement.resources {
                writeln!(out, "        - {}", scalar(resource))?;
            }
        }
    }
    Ok(())
}
