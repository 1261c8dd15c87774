//! Byte ranges for structural edits that keep the rest of a file as written: what to
//! delete to take one item out of a YAML block sequence or a JSON/flow list.

use crate::source::Span;

/// The range that removes the list item whose value spans `item`, with its `- ` marker
/// (YAML block sequence) or its separating comma (JSON or flow list). `None` when the item
/// is not laid out in a way this can remove cleanly; callers then offer no fix.
pub fn list_item_removal(text: &str, item: Span) -> Option<Span> {
    let (start, end) = (item.start as usize, item.end as usize);
    let before = text.get(..start)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let lead = &before[line_start..];
    // YAML block sequence: only indentation and `-` before the value on its line.
    if let Some(rest) = lead.trim_start_matches([' ', '\t']).strip_prefix('-') {
        if !rest.is_empty() && rest.trim_matches([' ', '\t']).is_empty() {
            // Through the end of the item's last line, newline included.
            let after = text.get(end..)?;
            let line_end = after.find('\n').map_or(text.len(), |i| end + i + 1);
            let tail = text[end..line_end].trim();
            if !tail.is_empty() && !tail.starts_with('#') {
                return None;
            }
            return Some(Span::new(line_start, line_end));
        }
    }
    // JSON or flow list: take the comma after the item, or else the one before it.
    let after = text.get(end..)?;
    let next = after.trim_start();
    if let Some(rest) = next.strip_prefix(',') {
        let gap = after.len() - rest.len();
        let trailing_ws = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        return Some(Span::new(start, end + gap + trailing_ws));
    }
    if next.starts_with(']') {
        let trimmed = before.trim_end();
        if let Some(comma) = trimmed.strip_suffix(',') {
            return Some(Span::new(comma.len(), end));
        }
        if trimmed.ends_with('[') {
            // The only item: leave the empty list.
            return Some(Span::new(trimmed.len(), end + (after.len() - next.len())));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remove(text: &str, item: &str) -> Option<String> {
        let at = text.find(item)?;
        let span = list_item_removal(text, Span::new(at, at + item.len()))?;
        let mut out = text.to_string();
        out.replace_range(span.range(), "");
        Some(out)
    }

    #[test]
    fn removes_a_yaml_block_item_with_its_dash() {
        let text = "Policies:\n  - Version: 1\n    Statement: []\n  - S3ReadPolicy: {}\nNext: 1\n";
        assert_eq!(
            remove(text, "Version: 1\n    Statement: []").as_deref(),
            Some("Policies:\n  - S3ReadPolicy: {}\nNext: 1\n")
        );
        assert_eq!(
            remove(text, "S3ReadPolicy: {}").as_deref(),
            Some("Policies:\n  - Version: 1\n    Statement: []\nNext: 1\n")
        );
    }

    #[test]
    fn removes_a_json_item_with_one_comma() {
        let text = r#"{"P": [{"a": 1}, {"b": 2}, {"c": 3}]}"#;
        assert_eq!(
            remove(text, r#"{"a": 1}"#).as_deref(),
            Some(r#"{"P": [{"b": 2}, {"c": 3}]}"#)
        );
        assert_eq!(
            remove(text, r#"{"c": 3}"#).as_deref(),
            Some(r#"{"P": [{"a": 1}, {"b": 2}]}"#)
        );
        assert_eq!(
            remove(r#"{"P": [ {"a": 1} ]}"#, r#"{"a": 1}"#).as_deref(),
            Some(r#"{"P": []}"#)
        );
    }

    #[test]
    fn refuses_what_it_cannot_remove_cleanly() {
        // A mapping value, not a list item.
        assert_eq!(remove("Key: value\n", "value"), None);
        // Something else follows on the item's last line.
        assert_eq!(remove("- {a: 1} ]\n", "{a: 1}"), None);
    }
}
