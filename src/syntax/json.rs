//! A small strict JSON parser that keeps byte spans and duplicate keys.
//!
//! serde_json discards positions and duplicates; both matter for a linter, and a recursive
//! descent over bytes is as fast as the files are small.

use super::{Document, Entry, Node, NodeKind, Scalar, ScalarStyle, SyntaxError, MAX_DEPTH};
use crate::source::{Span, Spanned};

pub fn parse_json(text: &str) -> Result<Document, SyntaxError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    // A UTF-8 byte order mark is tolerated, as AWS tools do.
    if text.starts_with('\u{feff}') {
        p.pos = 3;
    }
    p.skip_ws();
    if p.pos >= p.bytes.len() {
        return Err(p.error("the file has no JSON value"));
    }
    let root = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error("unexpected content after the JSON value"));
    }
    Ok(Document {
        roots: vec![root],
        comments: Vec::new(),
    })
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            message: message.into(),
            offset: self.pos.min(self.bytes.len()),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn describe_here(&self) -> String {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) => format!("`{c}`"),
            None => "end of file".to_string(),
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), SyntaxError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(format!("expected {what}, found {}", self.describe_here())))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let start = self.pos;
                let text = self.string()?;
                Ok(Node {
                    span: Span::new(start, self.pos),
                    kind: NodeKind::Scalar(Scalar {
                        text,
                        style: ScalarStyle::Quoted,
                    }),
                })
            }
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error(format!(
                "expected a JSON value, found {}",
                self.describe_here()
            ))),
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<Node, SyntaxError> {
        let start = self.pos;
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(plain(word.to_string(), start, self.pos))
        } else {
            Err(self.error(format!(
                "expected a JSON value, found {}",
                self.describe_here()
            )))
        }
    }

    fn number(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while let Some(b'0'..=b'9') = p.peek() {
                p.pos += 1;
            }
            p.pos > s
        };
        if !digits(self) {
            return Err(self.error("invalid number"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(self.error("invalid number: digits expected after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.error("invalid number: digits expected in exponent"));
            }
        }
        Ok(plain(
            self.text[start..self.pos].to_string(),
            start,
            self.pos,
        ))
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(b'\n') | None => {
                    self.pos = open;
                    return Err(self.error("unterminated string"));
                }
                Some(_) => return Err(self.error("control character inside a string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let high = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&high) {
                    if self.bytes[self.pos..].starts_with(b"\\u") {
                        self.pos += 2;
                        let low = self.hex4()?;
                        let code =
                            0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                        char::from_u32(code).unwrap_or('\u{FFFD}')
                    } else {
                        '\u{FFFD}'
                    }
                } else {
                    char::from_u32(high).unwrap_or('\u{FFFD}')
                };
                out.push(c);
                return Ok(());
            }
            _ => {
                return Err(self.error(format!(
                    "invalid escape `\\{}`",
                    self.describe_here().trim_matches('`')
                )))
            }
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("invalid \\u escape: four hex digits expected"))?;
        let value =
            u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.pos += 4;
        Ok(value)
    }

    fn object(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let mut entries = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(map(entries, start, self.pos));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error(match self.peek() {
                    Some(b'}') => "trailing comma before `}`".to_string(),
                    _ => format!("expected a quoted key, found {}", self.describe_here()),
                }));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_ws();
            self.expect(b':', "`:` after the key")?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            entries.push(Entry {
                key: Spanned::new(key, key_span),
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(map(entries, start, self.pos));
                }
                _ => {
                    return Err(self.error(format!(
                        "expected `,` or `}}` after an object member, found {}",
                        self.describe_here()
                    )))
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(seq(items, start, self.pos));
        }
        loop {
            self.skip_ws();
            if self.peek() == Some(b']') {
                return Err(self.error("trailing comma before `]`"));
            }
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(seq(items, start, self.pos));
                }
                _ => {
                    return Err(self.error(format!(
                        "expected `,` or `]` after a list item, found {}",
                        self.describe_here()
                    )))
                }
            }
        }
    }
}

fn plain(text: String, start: usize, end: usize) -> Node {
    Node {
        span: Span::new(start, end),
        kind: NodeKind::Scalar(Scalar {
            text,
            style: ScalarStyle::Plain,
        }),
    }
}

fn map(entries: Vec<Entry>, start: usize, end: usize) -> Node {
    Node {
        span: Span::new(start, end),
        kind: NodeKind::Map(entries),
    }
}

fn seq(items: Vec<Node>, start: usize, end: usize) -> Node {
    Node {
        span: Span::new(start, end),
        kind: NodeKind::Seq(items),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_spans_and_duplicates() {
        let text = r#"{"a": "x", "a": [1, true, null], "b": {"c": "\u00e9\ud83d\ude00"}}"#;
        let doc = parse_json(text).unwrap();
        let root = &doc.roots[0];
        let entries = root.as_map().unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(&text[entries[0].value.span.range()], "\"x\"");
        assert_eq!(root.get("a").unwrap().as_seq().unwrap().len(), 3);
        assert_eq!(
            root.get("b").unwrap().get("c").unwrap().as_str(),
            Some("é😀")
        );
    }

    #[test]
    fn reports_error_offsets() {
        let err = parse_json("{\n  \"a\": \"x\",\n}").unwrap_err();
        assert_eq!(err.offset, 14);
        assert!(err.message.contains("trailing comma"));
        assert!(parse_json("").is_err());
        assert!(parse_json("[1,]").is_err());
        assert!(parse_json("{\"a\" 1}").is_err());
        assert!(parse_json("\"abc").is_err());
        assert!(parse_json(&"[".repeat(10_000)).is_err());
    }
}
