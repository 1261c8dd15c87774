//! YAML to the shared tree, from granit-parser's event stream.
//!
//! CloudFormation short-form tags become their long form here (`!Sub x` is read as
//! `{"Fn::Sub": x}`), so every later stage sees one shape whatever the template's style.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle as YamlStyle, Span as YamlSpan, Tag};

use super::{
    Comment, Document, Entry, Node, NodeKind, Scalar, ScalarStyle, SyntaxError, MAX_DEPTH,
};
use crate::source::{Span, Spanned};

/// Upper bound on nodes produced by alias expansion ("billion laughs" inputs).
const MAX_ALIAS_NODES: usize = 100_000;

pub fn parse_yaml(text: &str) -> Result<Document, SyntaxError> {
    let mut builder = Builder {
        text,
        stack: Vec::new(),
        doc: Document::default(),
        anchors: HashMap::new(),
        alias_budget: MAX_ALIAS_NODES,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|err| SyntaxError {
            message: err.info(),
            offset: byte_offset_of_char(text, err.marker().index()),
        })?;
        builder.event(event, span)?;
    }
    Ok(builder.doc)
}

/// granit reports byte offsets in spans but character indices in errors.
fn byte_offset_of_char(text: &str, char_index: usize) -> usize {
    text.char_indices()
        .nth(char_index)
        .map_or(text.len(), |(i, _)| i)
}

struct Pending {
    start: usize,
    flow: bool,
    tag: Option<TagInfo>,
    anchor: usize,
    kind: PendingKind,
}

enum PendingKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<Entry>,
        key: Option<Spanned<String>>,
    },
}

#[derive(Clone)]
struct TagInfo {
    long_name: &'static str,
    span: Span,
}

struct Builder<'t> {
    text: &'t str,
    stack: Vec<Pending>,
    doc: Document,
    anchors: HashMap<usize, Node>,
    alias_budget: usize,
}

impl Builder<'_> {
    fn span_of(&self, span: &YamlSpan) -> Span {
        match span.byte_range() {
            Some(r) => Span::new(r.start, r.end),
            None => Span::empty(self.text.len()),
        }
    }

    fn event(&mut self, event: Event<'_>, yspan: YamlSpan) -> Result<(), SyntaxError> {
        let span = self.span_of(&yspan);
        match event {
            Event::Comment(text, _) => self.doc.comments.push(Comment {
                span,
                text: text.into_owned(),
                // After the one-byte `#`.
                text_start: span.start + 1,
            }),
            Event::Scalar(text, style, anchor, tag) => {
                let style = match style {
                    YamlStyle::Plain => ScalarStyle::Plain,
                    YamlStyle::SingleQuoted | YamlStyle::DoubleQuoted => ScalarStyle::Quoted,
                    _ => ScalarStyle::Block,
                };
                let tag = self.tag_info(tag.as_deref(), &yspan);
                // A YAML key-only entry like `Condition: !Ref X` keeps its plain text.
                let node = Node {
                    span,
                    kind: NodeKind::Scalar(Scalar {
                        text: text.into_owned(),
                        style,
                    }),
                };
                self.finish(node, tag, anchor)?;
            }
            Event::SequenceStart(style, anchor, tag) => {
                let tag = self.tag_info(tag.as_deref(), &yspan);
                self.open(span, style, tag, anchor, PendingKind::Seq(Vec::new()))?;
            }
            Event::MappingStart(style, anchor, tag) => {
                let tag = self.tag_info(tag.as_deref(), &yspan);
                let kind = PendingKind::Map {
                    entries: Vec::new(),
                    key: None,
                };
                self.open(span, style, tag, anchor, kind)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().ok_or_else(|| SyntaxError {
                    message: "alias to an unknown anchor".into(),
                    offset: span.start as usize,
                })?;
                let size = count_nodes(&node);
                if size > self.alias_budget {
                    return Err(SyntaxError {
                        message: "aliases expand to too many nodes".into(),
                        offset: span.start as usize,
                    });
                }
                self.alias_budget -= size;
                // The copy points at the alias, so findings land where the reader looks.
                let node = Node { span, ..node };
                self.finish(node, None, 0)?;
            }
            Event::UnresolvedAlias(name) => {
                return Err(SyntaxError {
                    message: format!("alias `*{name}` has no anchor"),
                    offset: span.start as usize,
                })
            }
            _ => {}
        }
        Ok(())
    }

    fn open(
        &mut self,
        span: Span,
        style: granit_parser::StructureStyle,
        tag: Option<TagInfo>,
        anchor: usize,
        kind: PendingKind,
    ) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(SyntaxError {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                offset: span.start as usize,
            });
        }
        self.stack.push(Pending {
            start: span.start as usize,
            flow: style == granit_parser::StructureStyle::Flow,
            tag,
            anchor,
            kind,
        });
        Ok(())
    }

    fn close(&mut self, end_span: Span) -> Result<(), SyntaxError> {
        let Some(pending) = self.stack.pop() else {
            return Ok(());
        };
        let (kind, last_end) = match pending.kind {
            PendingKind::Seq(items) => {
                let last = items.last().map(|n| n.span.end as usize);
                (NodeKind::Seq(items), last)
            }
            PendingKind::Map { entries, key } => {
                if let Some(key) = key {
                    return Err(SyntaxError {
                        message: format!("mapping key `{}` has no value", key.value),
                        offset: key.span.start as usize,
                    });
                }
                let last = entries.last().map(|e| e.value.span.end as usize);
                (NodeKind::Map(entries), last)
            }
        };
        // Block collections end where their last child ends; the end event of a block
        // collection sits at the next token, possibly lines later.
        let end = if pending.flow {
            end_span.end as usize
        } else {
            last_end.unwrap_or(pending.start)
        };
        let node = Node {
            span: Span::new(pending.start, end),
            kind,
        };
        self.finish(node, pending.tag, pending.anchor)
    }

    /// Place a completed node into its parent, or make it a document root.
    fn finish(
        &mut self,
        node: Node,
        tag: Option<TagInfo>,
        anchor: usize,
    ) -> Result<(), SyntaxError> {
        let node = match tag {
            Some(tag) => Node {
                span: tag.span.cover(node.span),
                kind: NodeKind::Map(vec![Entry {
                    key: Spanned::new(tag.long_name.to_string(), tag.span),
                    value: node,
                }]),
            },
            None => node,
        };
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.doc.roots.push(node),
            Some(Pending {
                kind: PendingKind::Seq(items),
                ..
            }) => items.push(node),
            Some(Pending {
                kind: PendingKind::Map { entries, key },
                ..
            }) => match key.take() {
                None => {
                    let text = match &node.kind {
                        NodeKind::Scalar(s) => s.text.clone(),
                        _ => self.text.get(node.span.range()).unwrap_or("").to_string(),
                    };
                    *key = Some(Spanned::new(text, node.span));
                }
                Some(k) => entries.push(Entry {
                    key: k,
                    value: node,
                }),
            },
        }
        Ok(())
    }

    fn tag_info(&self, tag: Option<&Tag>, yspan: &YamlSpan) -> Option<TagInfo> {
        let tag = tag?;
        if tag.handle() != "!" {
            return None;
        }
        let long_name = cloudformation_long_name(tag.suffix())?;
        let span = yspan
            .tag_span()
            .map_or_else(|| self.span_of(yspan), |s| self.span_of(&s));
        Some(TagInfo { long_name, span })
    }
}

/// The long form of a CloudFormation short-form intrinsic tag.
fn cloudformation_long_name(short: &str) -> Option<&'static str> {
    Some(match short {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "Sub" => "Fn::Sub",
        "GetAtt" => "Fn::GetAtt",
        "Join" => "Fn::Join",
        "If" => "Fn::If",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "ImportValue" => "Fn::ImportValue",
        "FindInMap" => "Fn::FindInMap",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "GetAZs" => "Fn::GetAZs",
        "And" => "Fn::And",
        "Or" => "Fn::Or",
        "Not" => "Fn::Not",
        "Equals" => "Fn::Equals",
        "Transform" => "Fn::Transform",
        "ToJsonString" => "Fn::ToJsonString",
        "Length" => "Fn::Length",
        "ForEach" => "Fn::ForEach",
        _ => return None,
    })
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.kind {
        NodeKind::Scalar(_) => 0,
        NodeKind::Seq(items) => items.iter().map(count_nodes).sum(),
        NodeKind::Map(entries) => entries.iter().map(|e| 1 + count_nodes(&e.value)).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tags_become_long_form_with_spans() {
        let text = "Resources:\n  R:\n    Arn: !Sub 'arn:${AWS::Partition}:s3:::${B}/*'\n    L: !GetAtt [T, Arn]\n# iamlint: ignore[x] because\n";
        let doc = parse_yaml(text).unwrap();
        let r = doc.roots[0].get("Resources").unwrap().get("R").unwrap();
        let sub = r.get("Arn").unwrap();
        let inner = sub.get("Fn::Sub").unwrap();
        assert_eq!(inner.as_str(), Some("arn:${AWS::Partition}:s3:::${B}/*"));
        assert_eq!(
            &text[inner.span.range()],
            "'arn:${AWS::Partition}:s3:::${B}/*'"
        );
        assert!(text[sub.span.range()].starts_with("!Sub"));
        assert_eq!(
            r.get("L")
                .unwrap()
                .get("Fn::GetAtt")
                .unwrap()
                .as_seq()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(doc.comments.len(), 1);
        assert!(doc.comments[0].text.contains("iamlint: ignore[x]"));
    }

    #[test]
    fn block_mapping_span_ends_at_last_value() {
        let text = "a:\n  b: 1\n  c: [x, y]\n\n\nd: 2\n";
        let doc = parse_yaml(text).unwrap();
        let a = doc.roots[0].get("a").unwrap();
        assert_eq!(&text[a.span.range()], "b: 1\n  c: [x, y]");
        assert!(doc.roots[0].get("d").unwrap().as_str().is_none());
    }

    #[test]
    fn errors_have_offsets() {
        let err = parse_yaml("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.offset > 0);
        assert!(parse_yaml("a: *nope\n").is_err());
    }
}
