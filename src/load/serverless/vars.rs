//! Serverless Framework variables (`${source:address, fallback}`).
//!
//! Only `${self:...}` can be evaluated offline: it names another value of the same
//! configuration. Every other source (`opt`, `env`, `ssm`, `cf`, `sls`, `param`, ...) needs the
//! deploy environment, so such a value stays as written and is read as unresolved, never as
//! `*`. IAM policy variables (`${aws:username}`) look alike but are not Serverless variables.

use std::cell::Cell;

use crate::source::Span;
use crate::syntax::{Entry, Node, NodeKind, Scalar, ScalarStyle};

/// Variable sources the Framework (v1 to v4) and its common plugins resolve at deploy time.
const SOURCES: &[&str] = &[
    "self:",
    "opt:",
    "env:",
    "ssm:",
    "file(",
    "cf:",
    "cf(",
    "s3:",
    "sls:",
    "param:",
    "aws:accountId",
    "aws:region",
    "strToBool(",
    "git:",
    "construct:",
    "secrets:",
    "terraform:",
    "vault:",
    "doppler:",
];

/// Chains of `${self:...}` deeper than this are left unresolved (and cycles stop here).
const MAX_DEPTH: usize = 12;
/// Upper bound on nodes copied while resolving, against references that multiply.
const MAX_COPIED_NODES: usize = 100_000;

/// One `${...}` in a string: the byte range of the whole variable and its inner text.
#[derive(Debug, PartialEq, Eq)]
pub struct VarRef<'t> {
    pub start: usize,
    pub end: usize,
    pub inner: &'t str,
}

/// The outermost `${...}` occurrences of a string, nested braces included.
pub fn find_vars(text: &str) -> Vec<VarRef<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let mut depth = 0usize;
            let mut j = i + 1;
            let mut close = None;
            while j < bytes.len() {
                match bytes[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(j);
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            let Some(close) = close else { break };
            out.push(VarRef {
                start: i,
                end: close + 1,
                // Both ends are ASCII braces, so the slice is on char boundaries.
                inner: text.get(i + 2..close).unwrap_or(""),
            });
            i = close + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Whether the inner text of `${...}` is a Serverless variable (and not an IAM policy
/// variable or a CloudFormation `Fn::Sub` reference).
pub fn is_serverless_var(inner: &str) -> bool {
    let inner = inner.trim_start();
    SOURCES.iter().any(|s| inner.starts_with(s))
}

/// Whether a string still holds a Serverless variable after resolution.
pub fn has_unresolved(text: &str) -> bool {
    find_vars(text).iter().any(|v| is_serverless_var(v.inner))
}

/// The sources of `${a, b, 'c'}` split at top-level commas.
fn sources(inner: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '{' | '(') => depth += 1,
            (None, '}' | ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(inner[start..].trim());
    out
}

/// A `${file(path):address}` include: the path and the optional address inside the file.
pub fn file_include(inner: &str) -> Option<(&str, Option<&str>)> {
    let first = *sources(inner).first()?;
    let rest = first.strip_prefix("file(")?;
    let close = rest.find(')')?;
    let path = rest[..close].trim().trim_matches(['\'', '"']);
    let address = rest[close + 1..].strip_prefix(':').map(str::trim);
    // A path built from other variables cannot be read offline.
    if path.is_empty() || path.contains("${") {
        return None;
    }
    Some((path, address.filter(|a| !a.is_empty())))
}

/// The value at a dotted address (`custom.tables.users`, `functions.0`).
pub fn lookup<'n>(root: &'n Node, address: &str) -> Option<&'n Node> {
    let mut node = root;
    for part in address.split('.').filter(|p| !p.is_empty()) {
        node = match &node.kind {
            NodeKind::Map(_) => node.get(part)?,
            NodeKind::Seq(items) => items.get(part.parse::<usize>().ok()?)?,
            NodeKind::Scalar(_) => return None,
        };
    }
    Some(node)
}

/// What a whole-value variable stands for.
enum Value {
    Node(Node),
    Text(String),
}

/// Resolves `${self:...}` against the configuration's root.
pub struct SelfRefs<'r> {
    root: &'r Node,
    budget: Cell<usize>,
}

impl<'r> SelfRefs<'r> {
    pub fn new(root: &'r Node) -> Self {
        SelfRefs {
            root,
            budget: Cell::new(MAX_COPIED_NODES),
        }
    }

    /// A copy of `node` with every resolvable `${self:...}` replaced. A value that is one
    /// variable becomes the referenced node, keeping its spans (the reader sees where the value
    /// is written); a variable inside a longer string is substituted into the text, which keeps
    /// the string's span. `respan` is set for nodes of another file: references into this
    /// configuration then take the span of the variable instead.
    pub fn resolve(&self, node: &Node, respan: bool) -> Node {
        self.resolve_at(node, 0, respan)
    }

    fn take_budget(&self) -> bool {
        let left = self.budget.get();
        if left == 0 {
            return false;
        }
        self.budget.set(left - 1);
        true
    }

    fn resolve_at(&self, node: &Node, depth: usize, respan: bool) -> Node {
        if !self.take_budget() {
            return node.clone();
        }
        match &node.kind {
            NodeKind::Scalar(scalar) => self.scalar(node, scalar, depth, respan),
            NodeKind::Seq(items) => Node {
                span: node.span,
                kind: NodeKind::Seq(
                    items
                        .iter()
                        .map(|i| self.resolve_at(i, depth, respan))
                        .collect(),
                ),
            },
            NodeKind::Map(entries) => Node {
                span: node.span,
                kind: NodeKind::Map(
                    entries
                        .iter()
                        .map(|e| Entry {
                            key: e.key.clone(),
                            value: self.resolve_at(&e.value, depth, respan),
                        })
                        .collect(),
                ),
            },
        }
    }

    fn scalar(&self, node: &Node, scalar: &Scalar, depth: usize, respan: bool) -> Node {
        if !scalar.text.contains("${") || depth > MAX_DEPTH {
            return node.clone();
        }
        let vars = find_vars(&scalar.text);
        let whole = matches!(vars.as_slice(), [v] if v.start == 0 && v.end == scalar.text.len());
        if whole {
            if let Some(var) = vars.first() {
                return match self.value(var.inner, depth) {
                    Some(Value::Node(target)) if respan => with_span(&target, node.span),
                    Some(Value::Node(target)) => target,
                    Some(Value::Text(text)) => text_node(text, node.span, scalar.style),
                    None => node.clone(),
                };
            }
        }
        let mut text = String::with_capacity(scalar.text.len());
        let mut last = 0;
        for var in &vars {
            text.push_str(&scalar.text[last..var.start]);
            let replacement = match self.value(var.inner, depth) {
                Some(Value::Text(t)) => Some(t),
                Some(Value::Node(n)) => n.as_scalar().map(|s| s.text.clone()),
                None => None,
            };
            match replacement {
                Some(t) => text.push_str(&t),
                None => text.push_str(&scalar.text[var.start..var.end]),
            }
            last = var.end;
        }
        text.push_str(&scalar.text[last..]);
        text_node(text, node.span, scalar.style)
    }

    /// The first source of `${a, b, 'c'}` that can be known offline, if the sources before
    /// it are `self` references that do not exist.
    fn value(&self, inner: &str, depth: usize) -> Option<Value> {
        for source in sources(inner) {
            if let Some(address) = source.strip_prefix("self:") {
                // An address assembled from other variables is unknown.
                if address.contains("${") {
                    return None;
                }
                match lookup(self.root, address.trim()) {
                    Some(target) => {
                        return Some(Value::Node(self.resolve_at(target, depth + 1, false)))
                    }
                    None => continue,
                }
            }
            if let Some(text) = quoted(source) {
                return Some(Value::Text(text.to_string()));
            }
            if !source.is_empty() && source.parse::<f64>().is_ok() {
                return Some(Value::Text(source.to_string()));
            }
            // `opt:`, `env:`, `ssm:` ...: known only at deploy time.
            return None;
        }
        None
    }
}

fn quoted(source: &str) -> Option<&str> {
    let inner = source
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| source.strip_prefix('"').and_then(|s| s.strip_suffix('"')))?;
    Some(inner)
}

fn text_node(text: String, span: Span, style: ScalarStyle) -> Node {
    Node {
        span,
        kind: NodeKind::Scalar(Scalar {
            text,
            // A substituted string is a string, whatever the variable looked like.
            style: if style == ScalarStyle::Plain {
                ScalarStyle::Quoted
            } else {
                style
            },
        }),
    }
}

/// A copy of `node` whose every span (keys included) is `span`.
pub fn with_span(node: &Node, span: Span) -> Node {
    Node {
        span,
        kind: match &node.kind {
            NodeKind::Scalar(s) => NodeKind::Scalar(s.clone()),
            NodeKind::Seq(items) => {
                NodeKind::Seq(items.iter().map(|i| with_span(i, span)).collect())
            }
            NodeKind::Map(entries) => NodeKind::Map(
                entries
                    .iter()
                    .map(|e| Entry {
                        key: crate::source::Spanned::new(e.key.value.clone(), span),
                        value: with_span(&e.value, span),
                    })
                    .collect(),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_yaml;

    #[test]
    fn finds_nested_variables() {
        let vars = find_vars("a-${opt:stage, ${self:x}}-${env:Y}");
        assert_eq!(vars.len(), 2);
        assert_eq!(vars[0].inner, "opt:stage, ${self:x}");
        assert_eq!(vars[1].inner, "env:Y");
        assert!(find_vars("${unclosed").is_empty());
        assert!(is_serverless_var("ssm:/a/b"));
        assert!(!is_serverless_var("aws:username"));
        assert!(is_serverless_var("aws:accountId"));
    }

    #[test]
    fn file_includes_with_and_without_address() {
        assert_eq!(
            file_include("file(./iam.yml):statements"),
            Some(("./iam.yml", Some("statements")))
        );
        assert_eq!(file_include("file('x.json')"), Some(("x.json", None)));
        assert_eq!(file_include("file(./${opt:stage}.yml)"), None);
        assert_eq!(file_include("self:x"), None);
    }

    #[test]
    fn self_references_resolve_with_spans_of_the_definition() {
        let text = "custom:\n  arn: 'arn:aws:s3:::b'\n  list: [a, b]\nx: ${self:custom.arn}\ny: pre-${self:custom.arn}-${opt:stage}\nz: ${self:custom.list}\nw: ${self:custom.nope, 'dflt'}\nv: ${opt:s, self:custom.arn}\n";
        let doc = parse_yaml(text).unwrap();
        let root = &doc.roots[0];
        let resolved = SelfRefs::new(root).resolve(root, false);
        let x = resolved.get("x").unwrap();
        assert_eq!(x.as_str(), Some("arn:aws:s3:::b"));
        assert_eq!(&text[x.span.range()], "'arn:aws:s3:::b'");
        let y = resolved.get("y").unwrap();
        assert_eq!(y.as_str(), Some("pre-arn:aws:s3:::b-${opt:stage}"));
        assert!(has_unresolved(y.as_str().unwrap()));
        assert_eq!(resolved.get("z").unwrap().as_seq().unwrap().len(), 2);
        assert_eq!(resolved.get("w").unwrap().as_str(), Some("dflt"));
        // The first source needs the command line: unknown, whatever follows.
        assert_eq!(
            resolved.get("v").unwrap().as_str(),
            Some("${opt:s, self:custom.arn}")
        );
    }

    #[test]
    fn cycles_and_blowups_stop() {
        let text = "a: ${self:b}\nb: ${self:a}\nc:\n  - ${self:}\n  - ${self:}\n  - ${self:}\n  - ${self:}\n";
        let doc = parse_yaml(text).unwrap();
        let root = &doc.roots[0];
        let resolved = SelfRefs::new(root).resolve(root, false);
        assert!(resolved.get("a").is_some());
        // Each copy of the root holds four more: the node budget stops the growth.
        fn count(n: &Node) -> usize {
            1 + match &n.kind {
                NodeKind::Scalar(_) => 0,
                NodeKind::Seq(items) => items.iter().map(count).sum(),
                NodeKind::Map(entries) => entries.iter().map(|e| count(&e.value)).sum(),
            }
        }
        assert!(count(&resolved) <= 2 * MAX_COPIED_NODES);
    }
}
