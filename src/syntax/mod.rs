//! One span-preserving tree for JSON and YAML documents.
//!
//! Scalars stay strings (no YAML 1.1 coercion of `yes`/`on`); the style records whether a
//! scalar was quoted so rules can tell `"true"` from `true`. Mappings keep every entry in
//! source order, duplicates included, because IAM silently keeps the last duplicate key.

pub mod edit;
pub mod hcl;
mod json;
mod yaml;

pub use json::parse_json;
pub use yaml::parse_yaml;

use crate::source::{Span, Spanned};

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    /// Unquoted: JSON numbers, `true`, `false`, `null`; YAML plain scalars.
    Plain,
    /// A quoted string (JSON strings, YAML single or double quotes).
    Quoted,
    /// A YAML literal or folded block scalar.
    Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub style: ScalarStyle,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Spanned<String>,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

/// A comment in a YAML (or HCL) source, kept for suppressions.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub span: Span,
    /// Text after the comment marker (`#`, `//`, `/*`).
    pub text: String,
    /// Byte offset where `text` starts in the file.
    pub text_start: u32,
}

/// A parsed file: one root per YAML document (JSON has exactly one).
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub roots: Vec<Node>,
    pub comments: Vec<Comment>,
}

/// A syntax error at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    pub message: String,
    pub offset: usize,
}

/// Nesting deeper than this is rejected instead of risking stack exhaustion.
pub(crate) const MAX_DEPTH: usize = 256;

impl Node {
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar that is a string: quoted, block, or plain but not a JSON/YAML
    /// null, boolean or number.
    pub fn as_str(&self) -> Option<&str> {
        let s = self.as_scalar()?;
        match s.style {
            ScalarStyle::Plain if s.is_null() || s.is_bool() || s.is_number() => None,
            _ => Some(&s.text),
        }
    }

    /// The text of any scalar, whatever its type.
    pub fn scalar_text(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of the last entry with this key (IAM and CloudFormation keep the last one).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .rev()
            .find(|e| e.key.value == key)
            .map(|e| &e.value)
    }

    pub fn get_entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().rev().find(|e| e.key.value == key)
    }

    pub fn is_null(&self) -> bool {
        self.as_scalar().is_some_and(Scalar::is_null)
    }

    /// A human name for the node's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Map(_) => "an object",
            NodeKind::Seq(_) => "a list",
            NodeKind::Scalar(s) if s.style != ScalarStyle::Plain => "a string",
            NodeKind::Scalar(s) if s.is_null() => "null",
            NodeKind::Scalar(s) if s.is_bool() => "a boolean",
            NodeKind::Scalar(s) if s.is_number() => "a number",
            NodeKind::Scalar(_) => "a string",
        }
    }

    /// Items of a list, or the node itself when a single value stands for a one-item list
    /// (IAM's `"Action": "s3:GetObject"`).
    pub fn one_or_many(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Seq(items) => items,
            _ => std::slice::from_ref(self),
        }
    }
}

impl Scalar {
    pub fn is_null(&self) -> bool {
        self.style == ScalarStyle::Plain
            && matches!(self.text.as_str(), "" | "null" | "~" | "Null" | "NULL")
    }

    pub fn is_bool(&self) -> bool {
        self.style == ScalarStyle::Plain
            && matches!(
                self.text.as_str(),
                "true" | "false" | "True" | "False" | "TRUE" | "FALSE"
            )
    }

    pub fn is_number(&self) -> bool {
        self.style == ScalarStyle::Plain
            && !self.text.is_empty()
            && self.text.parse::<f64>().is_ok()
            && !self.text.chars().any(char::is_alphabetic)
    }
}

/// Parse by content: JSON when the first non-blank byte opens an object or array (falling back
/// to YAML only for the extension-less case is not needed: YAML flow syntax is a superset).
pub fn parse_auto(text: &str, json_hint: bool) -> Result<Document, SyntaxError> {
    let first = text
        .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
        .bytes()
        .next();
    if json_hint || matches!(first, Some(b'{' | b'[')) {
        match parse_json(text) {
            Ok(doc) => Ok(doc),
            // A `.json` file that is not JSON is an error; YAML that happens to start with `{`
            // (flow mapping) is rare but legal, so give YAML a chance when the hint is absent.
            Err(err) if json_hint => Err(err),
            Err(err) => parse_yaml(text).map_err(|_| err),
        }
    } else {
        parse_yaml(text)
    }
}
