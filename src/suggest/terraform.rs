//! `suggest --format terraform`: each function's suggested policy as a
//! `data "aws_iam_policy_document"` block. References the evidence wrote in Terraform
//! (`${aws_sqs_queue.dlq.arn}`) stay as they are; a template's pseudo parameters become
//! the data sources that give the same values, and its references to its own resources
//! become `<Name.Arn>` placeholders to fill in.

use std::io::{self, Write};

use super::render::at;
use super::FunctionSuggestion;

/// CloudFormation pseudo parameters and the Terraform data source attribute that gives
/// the same value, with the data block it needs.
const PSEUDO: &[(&str, &str, &str)] = &[
    (
        "AWS::Partition",
        "data.aws_partition.current.partition",
        "data \"aws_partition\" \"current\" {}",
    ),
    (
        "AWS::Region",
        "data.aws_region.current.name",
        "data \"aws_region\" \"current\" {}",
    ),
    (
        "AWS::AccountId",
        "data.aws_caller_identity.current.account_id",
        "data \"aws_caller_identity\" \"current\" {}",
    ),
];

/// Prefixes of Terraform references, which stay interpolations.
const REFERENCES: &[&str] = &["aws_", "data.", "var.", "local.", "module."];

pub fn render(suggestions: &[FunctionSuggestion], out: &mut dyn Write) -> io::Result<()> {
    let mut data_blocks: Vec<&'static str> = Vec::new();
    let mut blocks = String::new();
    for (i, s) in suggestions.iter().enumerate() {
        if i > 0 {
            blocks.push('\n');
        }
        blocks.push_str(&format!("# {} ({})\n", s.logical_id, s.location));
        for note in &s.notes {
            blocks.push_str(&format!("# note: {note}\n"));
        }
        if s.statements.is_empty() {
            blocks
                .push_str("# nothing beyond what the role already has from AWS managed policies\n");
            continue;
        }
        blocks.push_str(&format!(
            "data \"aws_iam_policy_document\" \"{}\" {{\n",
            block_name(&s.logical_id)
        ));
        for (j, statement) in s.statements.iter().enumerate() {
            if j > 0 {
                blocks.push('\n');
            }
            for reason in &statement.reasons {
                blocks.push_str(&format!("  # {}{}\n", reason.text, at(&reason.location)));
            }
            let resources: Vec<String> = statement
                .resources
                .iter()
                .map(|r| string(r, &mut data_blocks))
                .collect();
            let actions: Vec<String> = statement
                .actions
                .iter()
                .map(|a| string(a, &mut data_blocks))
                .collect();
            blocks.push_str("  statement {\n");
            blocks.push_str(&format!("    sid       = {}\n", quote(&statement.sid)));
            blocks.push_str("    effect    = \"Allow\"\n");
            blocks.push_str(&format!("    actions   = [{}]\n", actions.join(", ")));
            blocks.push_str(&format!("    resources = [{}]\n", resources.join(", ")));
            blocks.push_str("  }\n");
        }
        blocks.push_str("}\n");
    }
    for block in &data_blocks {
        writeln!(out, "{block}")?;
    }
    if !data_blocks.is_empty() {
        writeln!(out)?;
    }
    out.write_all(blocks.as_bytes())
}

/// A value as an HCL string: `${...}` of a pseudo parameter becomes its data source,
/// a Terraform reference stays, anything else `${...}` becomes a `<...>` placeholder;
/// other text is escaped.
fn string(value: &str, data_blocks: &mut Vec<&'static str>) -> String {
    let mut out = String::from("\"");
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&escape(&rest[..start]));
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&escape(&rest[start..]));
            rest = "";
            break;
        };
        let inner = &after[..end];
        if let Some((_, attribute, block)) = PSEUDO.iter().find(|(p, _, _)| *p == inner) {
            if !data_blocks.contains(block) {
                data_blocks.push(block);
            }
            out.push_str(&format!("${{{attribute}}}"));
        } else if REFERENCES.iter().any(|p| inner.starts_with(p)) {
            out.push_str(&format!("${{{inner}}}"));
        } else {
            out.push_str(&format!("<{}>", escape(inner)));
        }
        rest = &after[end + 1..];
    }
    out.push_str(&escape(rest));
    out.push('"');
    out
}

/// HCL string escapes, and `$${`/`%%{` so literal text is never read as a template.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("${", "$${")
        .replace("%{", "%%{")
}

fn quote(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

/// A block label from a logical id or Terraform address: `ProcessUploadedFile` →
/// `process_uploaded_file`, `aws_lambda_function.worker` → `worker`.
fn block_name(id: &str) -> String {
    let last = id.rsplit('.').next().unwrap_or(id);
    let mut name = String::new();
    let mut previous_lower = false;
    for c in last.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                name.push('_');
            }
            name.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_ascii_alphanumeric() {
            name.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            name.push('_');
            previous_lower = false;
        }
    }
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "function_");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_hcl_strings() {
        let mut blocks = Vec::new();
        assert_eq!(
            string(
                "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Jobs.Arn}",
                &mut blocks
            ),
            "\"arn:${data.aws_partition.current.partition}:sqs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:<Jobs.Arn>\""
        );
        assert_eq!(blocks.len(), 3);
        assert_eq!(
            string("${aws_sqs_queue.dlq.arn}", &mut blocks),
            "\"${aws_sqs_queue.dlq.arn}\""
        );
        assert_eq!(string("a\"b%{c", &mut blocks), "\"a\\\"b%%{c\"");
        assert_eq!(string("x${unclosed", &mut blocks), "\"x$${unclosed\"");
    }

    #[test]
    fn block_names_are_snake_case_labels() {
        assert_eq!(block_name("ProcessUploadedFile"), "process_uploaded_file");
        assert_eq!(block_name("aws_lambda_function.worker"), "worker");
        assert_eq!(block_name("processUploadedFile"), "process_uploaded_file");
        assert_eq!(block_name("9lives"), "function_9lives");
    }
}
