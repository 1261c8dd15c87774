//! HCL (Terraform) reading: `hcl-edit` builds the tree with byte spans on every block,
//! attribute, expression and template part; this module adds the comments (`#`, `//`,
//! `/* */`), which `hcl-edit` keeps only as raw decor, for suppressions.

use hcl_edit::structure::Body;

use super::{Comment, SyntaxError};

/// A parsed HCL file.
#[derive(Debug)]
pub struct HclFile {
    pub body: Body,
    pub comments: Vec<Comment>,
}

/// Parse HCL text. `hcl-edit` caps nesting depth itself, so hostile input cannot overflow the
/// stack.
pub fn parse_hcl(text: &str) -> Result<HclFile, SyntaxError> {
    let body = hcl_edit::parser::parse_body(text).map_err(|err| SyntaxError {
        message: first_line(err.message()),
        offset: err.location().offset().min(text.len()),
    })?;
    Ok(HclFile {
        body,
        comments: comments(text),
    })
}

/// Byte range of anything `hcl-edit` parsed (present for every parsed node).
pub fn span_of(node: &impl hcl_edit::Span) -> crate::source::Span {
    node.span().map_or(crate::source::Span::default(), |r| {
        crate::source::Span::new(r.start, r.end)
    })
}

fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or("syntax error").trim();
    if line.is_empty() {
        "syntax error".into()
    } else {
        line.to_string()
    }
}

/// Comments of HCL text, skipping quoted strings (with `${...}` nesting) and heredocs. The
/// text is known to parse, so an unterminated construct only ends the scan. Like YAML
/// comments, a comment's text starts one byte after its span (`//` and `/*` comments start
/// at their second character), which is where suppressions locate rule names.
pub fn comments(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => i = line_comment(text, i, 1, &mut out),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = line_comment(text, i, 2, &mut out),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(text.len(), |e| i + 2 + e + 2);
                out.push(Comment {
                    span: crate::source::Span::new(i, end),
                    text: text
                        .get(i + 2..end.saturating_sub(2).max(i + 2))
                        .unwrap_or("")
                        .to_string(),
                    text_start: (i + 2) as u32,
                });
                i = end;
            }
            b'"' => i = skip_string(bytes, i + 1),
            b'<' if bytes.get(i + 1) == Some(&b'<') => i = skip_heredoc(text, i),
            _ => i += 1,
        }
    }
    out
}

fn line_comment(text: &str, start: usize, marker: usize, out: &mut Vec<Comment>) -> usize {
    let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
    let body_end = if text[..end].ends_with('\r') {
        end - 1
    } else {
        end
    };
    out.push(Comment {
        span: crate::source::Span::new(start, body_end),
        text: text[start + marker..body_end.max(start + marker)].to_string(),
        text_start: (start + marker) as u32,
    });
    end
}

/// Past the closing quote of a string whose opening quote is just before `i`.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    // Depth of template braces: a quote inside `${ ... }` starts a nested string.
    let mut depth = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'$' | b'%' if depth == 0 && bytes.get(i + 1) == Some(&b'{') => {
                if i > 0 && bytes[i - 1] == bytes[i] {
                    // `$${` is an escaped literal.
                    i += 2;
                } else {
                    depth += 1;
                    i += 2;
                }
            }
            b'{' if depth > 0 => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => {
                depth -= 1;
                i += 1;
            }
            b'"' if depth > 0 => i = skip_string(bytes, i + 1),
            b'"' | b'\n' if depth == 0 => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// Past the end of a heredoc starting at `<<`, or just past `<<` when it is not one.
fn skip_heredoc(text: &str, start: usize) -> usize {
    let rest = &text[start + 2..];
    let rest_trimmed = rest.strip_prefix('-').unwrap_or(rest);
    let ident_len = rest_trimmed
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest_trimmed.len());
    if ident_len == 0 {
        return start + 2;
    }
    let ident = &rest_trimmed[..ident_len];
    let Some(first_newline) = rest.find('\n') else {
        return text.len();
    };
    let mut at = start + 2 + first_newline + 1;
    while at < text.len() {
        let line_end = text[at..].find('\n').map_or(text.len(), |e| at + e);
        if text[at..line_end].trim() == ident {
            return line_end;
        }
        at = line_end + 1;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_outside_strings_and_heredocs() {
        let text = "# one\na = \"x # not\" // two\nb = <<EOF\n# not either\nEOF\n/* three */\nc = \"${f(\"#\")}\" # four\n";
        let found: Vec<&str> = comments(text)
            .iter()
            .map(|c| &text[c.span.range()])
            .collect();
        assert_eq!(found, ["# one", "// two", "/* three */", "# four"]);
        assert_eq!(comments(text)[1].text, " two");
        assert_eq!(
            comments(text)[1].text_start as usize,
            text.find("// two").unwrap() + 2
        );
        assert_eq!(comments(text)[0].text, " one");
    }

    #[test]
    fn reports_syntax_errors_with_an_offset() {
        let err = parse_hcl("resource \"a\" {\n  x = \n}").unwrap_err();
        assert!(err.offset > 0, "{err:?}");
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "\"",
            "<<",
            "<<EOF",
            "/*",
            "a = \"${",
            "#",
            "<<-\n",
            "é\"${\"é",
        ] {
            let _ = comments(text);
            let _ = parse_hcl(text);
        }
    }
}
