//! Policy documents that AWS CLI output holds as strings: a JSON string literal (Lambda's
//! `get-policy`), possibly URL-encoded (IAM's API encoding, kept by some tools). The document
//! is decoded and parsed, and every span is mapped back into the literal in the file, so a
//! finding points at the value inside the string when the escapes allow it.

use crate::source::Span;
use crate::syntax::{parse_json, Node, NodeKind, ScalarStyle};

/// The policy inside a string node. `text` is the file's text; None when the string does not
/// hold a JSON object.
pub fn string_policy(text: &str, node: &Node) -> Option<Node> {
    let scalar = node.as_scalar()?;
    // Offsets of the value's bytes in the file: exact for a JSON string literal, else the
    // whole scalar (a YAML scalar's escapes and folding are not tracked).
    let exact = literal_body(text, node);
    let (mut value, mut offsets) = match exact {
        Some((body, start)) => json_unescape(body, start)?,
        None => (
            scalar.text.clone(),
            vec![node.span.start as usize; scalar.text.len() + 1],
        ),
    };
    if !value.trim_start().starts_with('{') && value.contains('%') {
        let (decoded, map) = url_decode(&value, &offsets)?;
        value = decoded;
        offsets = map;
    }
    if !value.trim_start().starts_with('{') {
        return None;
    }
    let doc = parse_json(&value).ok()?;
    let mut root = doc.roots.into_iter().next()?;
    let whole = node.span;
    if exact.is_some() {
        remap(&mut root, &|span: Span| map_span(span, &offsets, whole));
    } else {
        remap(&mut root, &|_| whole);
    }
    Some(root)
}

/// The text between the quotes of a JSON string literal, and its file offset.
fn literal_body<'t>(text: &'t str, node: &Node) -> Option<(&'t str, usize)> {
    if node.as_scalar()?.style != ScalarStyle::Quoted {
        return None;
    }
    let raw = text.get(node.span.range())?;
    let body = raw.strip_prefix('"')?.strip_suffix('"')?;
    Some((body, node.span.start as usize + 1))
}

/// Undo JSON string escapes; each output byte records the file offset it came from, and a
/// last entry the offset just past the text.
fn json_unescape(body: &str, start: usize) -> Option<(String, Vec<usize>)> {
    let bytes = body.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut map = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let at = start + i;
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            map.push(at);
            i += 1;
            continue;
        }
        let escape = *bytes.get(i + 1)?;
        let simple = match escape {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            map.push(at);
            i += 2;
            continue;
        }
        if escape != b'u' {
            return None;
        }
        let hex = |from: usize| {
            body.get(from..from + 4)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
        };
        let mut code = hex(i + 2)?;
        let mut len = 6;
        if (0xD800..0xDC00).contains(&code) && body.get(i + 6..i + 8) == Some("\\u") {
            let low = hex(i + 8)?;
            code = 0x10000 + ((code - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
            len = 12;
        }
        let c = char::from_u32(code).unwrap_or('\u{FFFD}');
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            out.push(b);
            map.push(at);
        }
        i += len;
    }
    map.push(start + bytes.len());
    Some((String::from_utf8(out).ok()?, map))
}

/// Undo URL (percent) encoding, carrying the offsets through.
fn url_decode(value: &str, offsets: &[usize]) -> Option<(String, Vec<usize>)> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut map = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let at = offsets.get(i).copied().unwrap_or(0);
        match bytes[i] {
            b'%' => {
                let hex = value.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                map.push(at);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                map.push(at);
                i += 1;
            }
            b => {
                out.push(b);
                map.push(at);
                i += 1;
            }
        }
    }
    map.push(offsets.last().copied().unwrap_or(0));
    Some((String::from_utf8(out).ok()?, map))
}

fn map_span(span: Span, offsets: &[usize], whole: Span) -> Span {
    // An output byte ends where the next one starts (the last entry is the text's end).
    match (
        offsets.get(span.start as usize),
        offsets.get(span.end as usize),
    ) {
        (Some(&start), Some(&end)) => Span::new(start, end.max(start)),
        _ => whole,
    }
}

fn remap(node: &mut Node, map: &dyn Fn(Span) -> Span) {
    node.span = map(node.span);
    match &mut node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter_mut().for_each(|n| remap(n, map)),
        NodeKind::Map(entries) => {
            for entry in entries {
                entry.key.span = map(entry.key.span);
                remap(&mut entry.value, map);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_root(text: &str) -> Node {
        parse_json(text).unwrap().roots.remove(0)
    }

    #[test]
    fn json_string_spans_land_inside_the_literal() {
        let text = r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}"#;
        let root = first_root(text);
        let doc = string_policy(text, root.get("Policy").unwrap()).unwrap();
        let action = doc.get("Statement").unwrap().as_seq().unwrap()[0]
            .get("Action")
            .unwrap();
        assert_eq!(action.as_str(), Some("*"));
        // The span covers the escaped quotes and the star: `\"*\"`.
        assert_eq!(&text[action.span.range()], r#"\"*\""#);
    }

    #[test]
    fn url_encoded_documents_decode() {
        let text = r#"{"PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"}"#;
        let root = first_root(text);
        let doc = string_policy(text, root.get("PolicyDocument").unwrap()).unwrap();
        let st = &doc.get("Statement").unwrap().as_seq().unwrap()[0];
        let action = st.get("Action").unwrap();
        assert_eq!(action.as_str(), Some("s3:*"));
        assert_eq!(&text[action.span.range()], "%22s3%3A%2A%22");
    }

    #[test]
    fn odd_strings_are_none_not_panics() {
        for text in [
            r#"{"P": "%zz"}"#,
            r#"{"P": "\ud800"}"#,
            r#"{"P": "%7B"}"#,
            r#"{"P": "not a policy"}"#,
            r#"{"P": "\u00e9%C3"}"#,
        ] {
            let root = first_root(text);
            assert!(
                string_policy(text, root.get("P").unwrap()).is_none(),
                "{text}"
            );
        }
    }
}
