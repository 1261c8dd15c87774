//! Policy documents written as JSON strings (`AWS::Logs::ResourcePolicy` requires it, and
//! some templates use `!Sub |` blocks): parsed, with spans mapped back into the template.

use crate::source::Span;
use crate::syntax::{parse_json, Node, NodeKind, ScalarStyle};

use super::intrinsics::single_key;

/// The policy node inside a JSON string value (plain or `Fn::Sub`), if it parses.
pub fn json_policy(text: &str, node: &Node) -> Option<Node> {
    let string_node = match single_key(node) {
        Some(("Fn::Sub", arg)) => arg.as_seq().and_then(|s| s.first()).unwrap_or(arg),
        _ => node,
    };
    let scalar = string_node.as_scalar()?;
    if !scalar.text.trim_start().starts_with('{') {
        return None;
    }
    let doc = parse_json(&scalar.text).ok()?;
    let mut root = doc.roots.into_iter().next()?;
    let map = OffsetMap::new(text, string_node, &scalar.text, scalar.style);
    remap(&mut root, &map);
    Some(root)
}

/// Maps offsets in a scalar's value to offsets in the file. Literal block scalars map line by
/// line (their content is the file's lines minus indentation); other styles, whose escapes
/// shift offsets, map everything onto the whole scalar.
struct OffsetMap {
    whole: Span,
    /// The scalar's value, in which parsed offsets count.
    value: String,
    /// File offset and length of each value line.
    lines: Vec<(usize, usize)>,
}

impl OffsetMap {
    fn new(text: &str, node: &Node, value: &str, style: ScalarStyle) -> Self {
        let mut lines = Vec::new();
        if style == ScalarStyle::Block {
            // A block scalar's span starts at its first content character, after the
            // indentation; every later line carries the same indentation.
            let start = (node.span.start as usize).min(text.len());
            let end = (node.span.end as usize).min(text.len());
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let indent = start - line_start;
            let mut offset = start;
            for (i, line) in text
                .get(start..end)
                .unwrap_or("")
                .split_inclusive('\n')
                .enumerate()
            {
                let skip = if i == 0 {
                    0
                } else {
                    line.bytes().take_while(|b| *b == b' ').count().min(indent)
                };
                lines.push((offset + skip, line.len() - skip));
                offset += line.len();
            }
        }
        OffsetMap {
            whole: node.span,
            value: value.to_string(),
            lines,
        }
    }

    fn map(&self, span: Span) -> Span {
        if self.lines.is_empty() {
            return self.whole;
        }
        let value = self.value.as_str();
        let to_file = |offset: usize| {
            let line = value[..offset.min(value.len())].matches('\n').count();
            let line_start = value[..offset.min(value.len())]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            self.lines
                .get(line)
                .map_or(self.whole.end as usize, |(start, len)| {
                    start + (offset - line_start).min(*len)
                })
        };
        Span::new(to_file(span.start as usize), to_file(span.end as usize))
    }
}

fn remap(node: &mut Node, map: &OffsetMap) {
    node.span = map.map(node.span);
    match &mut node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter_mut().for_each(|n| remap(n, map)),
        NodeKind::Map(entries) => {
            for entry in entries {
                entry.key.span = map.map(entry.key.span);
                remap(&mut entry.value, map);
            }
        }
    }
}
