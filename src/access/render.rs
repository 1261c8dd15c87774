//! Text and JSON output of `iamlint access`.

use std::io::{self, Write};

use serde::Serialize;

use super::{Removed, RoleAccess};

/// Version of the `access --format json` output; bump it when a field changes meaning.
const ACCESS_JSON_VERSION: u32 = 1;

/// Actions listed by name per access level before the text output only counts them.
const SHOWN: usize = 6;

/// Services listed one by one; past this (a `*` grant) the text output counts by level.
const SERVICES_SHOWN: usize = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessFormat {
    Text,
    Json,
}

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    roles: &'a [RoleAccess],
}

pub fn render(roles: &[RoleAccess], format: AccessFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        AccessFormat::Json => {
            let output = Output {
                version: ACCESS_JSON_VERSION,
                roles,
            };
            serde_json::to_writer_pretty(&mut *out, &output).map_err(io::Error::other)?;
            writeln!(out)
        }
        AccessFormat::Text => {
            for (i, role) in roles.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                text(role, out)?;
            }
            Ok(())
        }
    }
}

fn names(actions: &[String]) -> String {
    let shown: Vec<&str> = actions.iter().take(SHOWN).map(String::as_str).collect();
    match actions.len().saturating_sub(SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

fn text(role: &RoleAccess, out: &mut dyn Write) -> io::Result<()> {
    let who = match (&role.role, role.functions.as_slice()) {
        (Some(r), []) => format!("role {r}"),
        (Some(r), fns) => format!("role {r} (function {})", fns.join(", ")),
        (None, _) => "policy of no role".to_string(),
    };
    writeln!(out, "{who}  [{}]", role.file)?;
    match (&role.boundary, role.boundary_known) {
        (Some(b), true) => writeln!(out, "  permissions boundary: {b}")?,
        (Some(b), false) => writeln!(
            out,
            "  permissions boundary: {b} (not in the input: effective access not known)"
        )?,
        (None, _) => writeln!(out, "  permissions boundary: none")?,
    }
    if role.services.is_empty() {
        writeln!(out, "  effective actions: none")?;
    } else {
        writeln!(out, "  effective actions:")?;
    }
    if role.services.len() > SERVICES_SHOWN {
        let mut levels: Vec<(&str, usize)> = Vec::new();
        for level in role.services.iter().flat_map(|s| s.levels.iter()) {
            match levels.iter_mut().find(|(l, _)| *l == level.level) {
                Some((_, n)) => *n += level.actions.len(),
                None => levels.push((&level.level, level.actions.len())),
            }
        }
        let counts: Vec<String> = levels.iter().map(|(l, n)| format!("{n} {l}")).collect();
        writeln!(
            out,
            "    {} services: {} (`--format json` lists every action)",
            role.services.len(),
            counts.join(", ")
        )?;
    }
    for service in role
        .services
        .iter()
        .filter(|_| role.services.len() <= SERVICES_SHOWN)
    {
        let total: usize = service.levels.iter().map(|l| l.actions.len()).sum();
        writeln!(out, "    {} ({total})", service.service)?;
        for level in &service.levels {
            // Group by reach, widest first, so "every resource" stands out.
            let mut by_reach: Vec<(&str, Vec<String>)> = Vec::new();
            for a in &level.actions {
                match by_reach.iter_mut().find(|(r, _)| *r == a.resources) {
                    Some((_, list)) => list.push(a.action.clone()),
                    None => by_reach.push((a.resources, vec![a.action.clone()])),
                }
            }
            for (reach, actions) in by_reach {
                writeln!(
                    out,
                    "      {}: {} on {reach}: {}",
                    level.level,
                    actions.len(),
                    names(&actions)
                )?;
            }
        }
    }
    removals(out, "removed", &role.removed)?;
    if !role.narrowed.is_empty() {
        writeln!(out, "  narrowed:")?;
        for n in &role.narrowed {
            writeln!(
                out,
                "    {} from {} to {} by {}",
                n.action, n.from, n.to, n.by
            )?;
        }
    }
    removals(
        out,
        "may be denied (the deny has a condition)",
        &role.maybe_denied,
    )?;
    Ok(())
}

/// A heading and one line per service of actions taken away (or possibly taken away).
fn removals(out: &mut dyn Write, heading: &str, list: &[Removed]) -> io::Result<()> {
    if list.is_empty() {
        return Ok(());
    }
    writeln!(out, "  {heading}:")?;
    for r in list {
        writeln!(
            out,
            "    {} ({}) by {}: {}",
            r.service,
            r.actions.len(),
            r.by,
            names(&r.actions)
        )?;
    }
    Ok(())
}
