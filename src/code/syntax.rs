//! Small helpers over tree-sitter trees shared by the extractors.

use tree_sitter::{Node, Tree};

/// Every node of the tree in document order, walked without recursion (deep trees cannot
/// overflow the stack).
pub(crate) fn all_nodes(tree: &Tree) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    loop {
        out.push(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

pub(crate) fn text<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    src.get(node.byte_range()).unwrap_or("")
}

/// The value of a string literal without quotes, when it has no interpolation.
pub(crate) fn string_value(node: Node<'_>, src: &str) -> Option<String> {
    match node.kind() {
        "string" => {
            let mut cursor = node.walk();
            let mut value = String::new();
            for child in node.named_children(&mut cursor) {
                match child.kind() {
                    "string_fragment" | "string_content" | "escape_sequence" => {
                        value.push_str(text(child, src))
                    }
                    "string_start" | "string_end" => {}
                    // An f-string's `{...}`: not a constant.
                    _ => return None,
                }
            }
            Some(value)
        }
        "template_string" if node.named_child_count() == 0 => {
            let raw = text(node, src);
            Some(raw.trim_matches('`').to_string())
        }
        _ => None,
    }
}

/// The first named child, skipping comments.
pub(crate) fn first_arg<'t>(args: Node<'t>) -> Option<Node<'t>> {
    let mut cursor = args.walk();
    let found = args
        .named_children(&mut cursor)
        .find(|n| n.kind() != "comment");
    found
}
