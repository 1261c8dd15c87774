//! Turns HCL expressions into the common syntax tree, following references inside a module.
//!
//! Literals keep their spans and become quoted scalars. Whatever cannot be known offline
//! (resource attributes, variables without a default, `each.value`, most functions) becomes a
//! plain scalar holding `${expression as written}`: [`is_unresolved`] tells the two apart, so
//! a policy never mistakes a placeholder for a literal (and never for `*`).

use std::cell::Cell;
use std::collections::HashMap;

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::{Element, Template};

use crate::source::{Span, Spanned};
use crate::syntax::hcl::span_of;
use crate::syntax::{Entry, Node, NodeKind, Scalar, ScalarStyle};

/// How deep `local.a` -> `local.b` -> ... chains are followed (cycles stop here too).
const MAX_REFERENCE_DEPTH: usize = 8;
/// Nodes one module may produce: references that fan out cannot blow up memory.
const NODE_BUDGET: usize = 200_000;

/// One parsed file of a module.
pub(crate) struct ModuleFile<'a> {
    pub text: &'a str,
    pub body: &'a Body,
}

/// Where module-level names are defined: `locals` and `variable` blocks of every file.
pub(crate) struct Scope<'a> {
    pub files: Vec<ModuleFile<'a>>,
    locals: HashMap<&'a str, (usize, &'a Expression)>,
    variables: HashMap<&'a str, Variable<'a>>,
    /// Values a module call passes in, which win over variable defaults.
    inputs: &'a HashMap<String, Node>,
    budget: Cell<usize>,
    /// `file(...)`/`templatefile(...)` calls met while evaluating: call span -> (file index,
    /// path as written, whether it is a template).
    pub file_calls: std::cell::RefCell<HashMap<(usize, Span), (String, bool)>>,
}

#[derive(Clone, Copy)]
pub(crate) struct Variable<'a> {
    pub file: usize,
    pub default: Option<&'a Expression>,
    pub sensitive: bool,
}

impl<'a> Scope<'a> {
    pub fn new(files: Vec<ModuleFile<'a>>, inputs: &'a HashMap<String, Node>) -> Self {
        let mut locals = HashMap::new();
        let mut variables = HashMap::new();
        for (index, file) in files.iter().enumerate() {
            for block in file.body.blocks() {
                match block.ident.as_str() {
                    "locals" => {
                        for attr in block.body.attributes() {
                            locals.insert(attr.key.as_str(), (index, &attr.value));
                        }
                    }
                    "variable" => {
                        if let Some(name) = block.labels.first() {
                            let attr = |k: &str| block.body.get_attribute(k).map(|a| &a.value);
                            variables.insert(
                                name.as_str(),
                                Variable {
                                    file: index,
                                    default: attr("default")
                                        .filter(|d| !matches!(d, Expression::Null(_))),
                                    sensitive: matches!(
                                        attr("sensitive"),
                                        Some(Expression::Bool(b)) if *b.value()
                                    ),
                                },
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
        Scope {
            files,
            locals,
            variables,
            inputs,
            budget: Cell::new(NODE_BUDGET),
            file_calls: std::cell::RefCell::default(),
        }
    }

    pub fn variable(&self, name: &str) -> Option<Variable<'a>> {
        self.variables.get(name).copied()
    }

    /// A block body as a map: attributes by name, nested blocks as a list per block type
    /// (`dynamic "x"` blocks contribute their `content` once). Returns the map and whether a
    /// `dynamic` block was met.
    pub fn block(&self, block: &Block, file: usize) -> (Node, bool) {
        let mut dynamic = false;
        let node = self.body(&block.body, span_of(block), file, 0, &mut dynamic);
        (node, dynamic)
    }

    fn body(&self, body: &Body, span: Span, file: usize, depth: usize, dynamic: &mut bool) -> Node {
        let mut entries: Vec<Entry> = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => entries.push(Entry {
                    key: Spanned::new(attr.key.to_string(), span_of(&attr.key)),
                    value: self.expr(&attr.value, file, depth),
                }),
                Structure::Block(inner) => {
                    let (name, content) = match (inner.ident.as_str(), inner.labels.first()) {
                        ("dynamic", Some(label)) => {
                            *dynamic = true;
                            let Some(content) =
                                inner.body.blocks().find(|b| b.ident.as_str() == "content")
                            else {
                                continue;
                            };
                            (label.as_str().to_string(), content)
                        }
                        (name, _) => (name.to_string(), inner),
                    };
                    let value = self.body(&content.body, span_of(inner), file, depth, dynamic);
                    let existing = entries
                        .iter_mut()
                        .find(|e| e.key.value == name && matches!(e.value.kind, NodeKind::Seq(_)));
                    match existing {
                        Some(Entry {
                            value:
                                Node {
                                    kind: NodeKind::Seq(items),
                                    ..
                                },
                            ..
                        }) => items.push(value),
                        _ => entries.push(Entry {
                            key: Spanned::new(name, span_of(&inner.ident)),
                            value: Node {
                                span: span_of(inner),
                                kind: NodeKind::Seq(vec![value]),
                            },
                        }),
                    }
                }
            }
        }
        Node {
            span,
            kind: NodeKind::Map(entries),
        }
    }

    fn spend(&self) -> bool {
        let left = self.budget.get();
        if left == 0 {
            return false;
        }
        self.budget.set(left - 1);
        true
    }

    fn expr(&self, expr: &Expression, file: usize, depth: usize) -> Node {
        let span = span_of(expr);
        if !self.spend() {
            return self.placeholder(expr, file);
        }
        let plain = |text: String| scalar(text, ScalarStyle::Plain, span);
        match expr {
            Expression::Null(_) => plain("null".into()),
            Expression::Bool(b) => plain(b.value().to_string()),
            Expression::Number(n) => plain(n.value().to_string()),
            Expression::String(s) => scalar(s.value().clone(), ScalarStyle::Quoted, span),
            Expression::Array(items) => Node {
                span,
                kind: NodeKind::Seq(items.iter().map(|i| self.expr(i, file, depth)).collect()),
            },
            Expression::Object(object) => {
                let entries = object
                    .iter()
                    .map(|(key, value)| {
                        let key = match key {
                            ObjectKey::Ident(id) => Spanned::new(id.to_string(), span_of(id)),
                            ObjectKey::Expression(e) => {
                                let k = self.expr(e, file, depth);
                                Spanned::new(k.scalar_text().unwrap_or("").to_string(), k.span)
                            }
                        };
                        Entry {
                            key,
                            value: self.expr(value.expr(), file, depth),
                        }
                    })
                    .collect();
                Node {
                    span,
                    kind: NodeKind::Map(entries),
                }
            }
            Expression::StringTemplate(t) => self.template(t, span, file, depth),
            Expression::HeredocTemplate(h) => {
                // The content, not the `<<EOF` markers, so embedded JSON maps back 1:1.
                let content =
                    hcl_edit::Span::span(&h.template).map_or(span, |r| Span::new(r.start, r.end));
                self.template(&h.template, content, file, depth)
            }
            Expression::Parenthesis(p) => self.expr(p.inner(), file, depth),
            Expression::FuncCall(call) => self.call(call, expr, file, depth),
            Expression::Traversal(t) => self
                .traversal(t, file, depth)
                .unwrap_or_else(|| self.placeholder(expr, file)),
            _ => self.placeholder(expr, file),
        }
    }

    fn template(&self, template: &Template, span: Span, file: usize, depth: usize) -> Node {
        let mut text = String::new();
        let mut resolved = true;
        for element in template.iter() {
            match element {
                Element::Literal(l) => text.push_str(l.value()),
                Element::Interpolation(i) => {
                    let value = self.expr(&i.expr, file, depth);
                    match value.as_scalar() {
                        Some(s) if !is_unresolved(&value) => text.push_str(&s.text),
                        Some(s) => {
                            resolved = false;
                            text.push_str(&s.text);
                        }
                        None => {
                            resolved = false;
                            text.push_str(&format!("${{{}}}", source_of(self, file, &i.expr)));
                        }
                    }
                }
                Element::Directive(d) => {
                    resolved = false;
                    text.push_str(&format!("${{{}}}", slice(self, file, span_of(&**d))));
                }
            }
        }
        let style = if resolved {
            ScalarStyle::Quoted
        } else {
            ScalarStyle::Plain
        };
        scalar(text, style, span)
    }

    fn call(
        &self,
        call: &hcl_edit::expr::FuncCall,
        expr: &Expression,
        file: usize,
        depth: usize,
    ) -> Node {
        let span = span_of(expr);
        let args: Vec<&Expression> = call.args.iter().collect();
        let name = call.name.name.as_str();
        match (name, args.as_slice()) {
            // Values pass through unchanged: the policy reader sees the object itself.
            (
                "jsonencode" | "tolist" | "toset" | "distinct" | "compact" | "sort" | "tomap",
                [arg],
            ) => self.expr(arg, file, depth),
            ("concat" | "flatten", _) => {
                let mut items = Vec::new();
                for arg in &args {
                    let node = self.expr(arg, file, depth);
                    flatten_into(node, name == "flatten", &mut items);
                }
                Node {
                    span,
                    kind: NodeKind::Seq(items),
                }
            }
            ("merge", _) => {
                let mut entries: Vec<Entry> = Vec::new();
                for arg in &args {
                    match self.expr(arg, file, depth).kind {
                        NodeKind::Map(more) => {
                            for entry in more {
                                entries.retain(|e| e.key.value != entry.key.value);
                                entries.push(entry);
                            }
                        }
                        _ => return self.placeholder(expr, file),
                    }
                }
                Node {
                    span,
                    kind: NodeKind::Map(entries),
                }
            }
            ("file" | "templatefile", [path, ..]) => {
                let path = self.expr(path, file, depth);
                if !is_unresolved(&path) {
                    if let Some(p) = path.as_str() {
                        self.file_calls
                            .borrow_mut()
                            .insert((file, span), (p.to_string(), name == "templatefile"));
                    }
                }
                self.placeholder(expr, file)
            }
            _ => self.placeholder(expr, file),
        }
    }

    /// `local.x`, `var.x` (with a default) and `path.module`, with attribute and index steps
    /// applied; None when the value is not known offline.
    fn traversal(&self, t: &hcl_edit::expr::Traversal, file: usize, depth: usize) -> Option<Node> {
        let Expression::Variable(root) = &t.expr else {
            return None;
        };
        let mut ops = t.operators.iter().map(|o| o.value());
        let first = match ops.next()? {
            TraversalOperator::GetAttr(name) => name.as_str(),
            _ => return None,
        };
        let span = span_of(t);
        let (mut node, from) = match root.as_str() {
            "path" if matches!(first, "module" | "root") => {
                (scalar(".".into(), ScalarStyle::Quoted, span), file)
            }
            "local" if depth < MAX_REFERENCE_DEPTH => {
                let (at, expr) = *self.locals.get(first)?;
                (self.expr(expr, at, depth + 1), at)
            }
            // An input is written in the calling module's file and already carries stand-in
            // spans for it (see `load::Relocation`): it keeps them.
            "var" if self.inputs.contains_key(first) => (self.inputs.get(first)?.clone(), file),
            "var" if depth < MAX_REFERENCE_DEPTH => {
                let var = self.variable(first)?;
                let value = self.expr(var.default?, var.file, depth + 1);
                // An empty list default means "nothing passed": the caller supplies the
                // values (often behind a `length(var.x) > 0` guard), so it is not known.
                if value.as_seq().is_some_and(<[Node]>::is_empty) {
                    return None;
                }
                (value, var.file)
            }
            _ => return None,
        };
        for op in ops {
            node = match op {
                TraversalOperator::GetAttr(name) => node.get(name.as_str())?.clone(),
                TraversalOperator::Index(index) => {
                    let key = self.expr(index, file, depth);
                    let key = key.scalar_text()?;
                    match &node.kind {
                        NodeKind::Seq(items) => items.get(key.parse::<usize>().ok()?)?.clone(),
                        NodeKind::Map(_) => node.get(key)?.clone(),
                        NodeKind::Scalar(_) => return None,
                    }
                }
                _ => return None,
            };
        }
        // A value written in another file is located at the reference in this one.
        if from != file {
            respan(&mut node, span);
        }
        Some(node)
    }

    /// A block's `count` when it is known offline: 0 means the resource is not created.
    /// Only literal numbers and conditions over known booleans (`var.attach ? 1 : 0`,
    /// `var.create && var.attach ? 1 : 0`) are judged; anything else is unknown.
    pub fn count(&self, block: &Block, file: usize) -> Option<i64> {
        let count = block.body.get_attribute("count")?;
        self.number(&count.value, file, 0)
    }

    fn number(&self, expr: &Expression, file: usize, depth: usize) -> Option<i64> {
        match expr {
            Expression::Number(n) => n.value().as_i64(),
            Expression::Parenthesis(p) => self.number(p.inner(), file, depth),
            Expression::Conditional(c) if depth < MAX_REFERENCE_DEPTH => {
                let branch = match self.truth(&c.cond_expr, file, depth + 1)? {
                    true => &c.true_expr,
                    false => &c.false_expr,
                };
                self.number(branch, file, depth + 1)
            }
            _ => None,
        }
    }

    /// A boolean known offline: a literal, a variable or local holding one, and `!`, `&&`,
    /// `||` over them.
    fn truth(&self, expr: &Expression, file: usize, depth: usize) -> Option<bool> {
        use hcl_edit::expr::{BinaryOperator, UnaryOperator};
        if depth >= MAX_REFERENCE_DEPTH {
            return None;
        }
        match expr {
            Expression::Bool(b) => Some(*b.value()),
            Expression::Parenthesis(p) => self.truth(p.inner(), file, depth + 1),
            Expression::UnaryOp(op) if *op.operator.value() == UnaryOperator::Not => {
                self.truth(&op.expr, file, depth + 1).map(|b| !b)
            }
            Expression::BinaryOp(op) => {
                let lhs = self.truth(&op.lhs_expr, file, depth + 1);
                let rhs = self.truth(&op.rhs_expr, file, depth + 1);
                match (op.operator.value(), lhs, rhs) {
                    (BinaryOperator::And, Some(false), _)
                    | (BinaryOperator::And, _, Some(false)) => Some(false),
                    (BinaryOperator::And, Some(true), Some(true)) => Some(true),
                    (BinaryOperator::Or, Some(true), _) | (BinaryOperator::Or, _, Some(true)) => {
                        Some(true)
                    }
                    (BinaryOperator::Or, Some(false), Some(false)) => Some(false),
                    _ => None,
                }
            }
            Expression::Traversal(_) => {
                let node = self.expr(expr, file, depth + 1);
                if is_unresolved(&node) {
                    return None;
                }
                match node.scalar_text()? {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn placeholder(&self, expr: &Expression, file: usize) -> Node {
        let text = format!("${{{}}}", source_of(self, file, expr));
        scalar(text, ScalarStyle::Plain, span_of(expr))
    }
}

fn flatten_into(node: Node, deep: bool, out: &mut Vec<Node>) {
    match node.kind {
        NodeKind::Seq(items) => {
            for item in items {
                if deep && item.as_seq().is_some() {
                    flatten_into(item, deep, out);
                } else {
                    out.push(item);
                }
            }
        }
        _ => out.push(node),
    }
}

/// The expression as written, whitespace runs collapsed (for placeholders).
fn source_of(scope: &Scope<'_>, file: usize, expr: &Expression) -> String {
    slice(scope, file, span_of(expr))
}

fn slice(scope: &Scope<'_>, file: usize, span: Span) -> String {
    let text = scope
        .files
        .get(file)
        .and_then(|f| f.text.get(span.range()))
        .unwrap_or("");
    let text = text.trim();
    let text = text
        .strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn scalar(text: String, style: ScalarStyle, span: Span) -> Node {
    Node {
        span,
        kind: NodeKind::Scalar(Scalar { text, style }),
    }
}

/// A value that is not known offline: a plain scalar carrying a `${...}` placeholder. Quoted
/// scalars are literals even when they contain `${` (an escaped `$${aws:username}`).
pub(crate) fn is_unresolved(node: &Node) -> bool {
    node.as_scalar()
        .is_some_and(|s| s.style == ScalarStyle::Plain && s.text.contains("${"))
}

/// The single reference a placeholder stands for: `${aws_iam_role.x.arn}` gives
/// `["aws_iam_role", "x", "arn"]` (`data.` kept as the first part).
pub(crate) fn reference(node: &Node) -> Option<Vec<&str>> {
    if !is_unresolved(node) {
        return None;
    }
    let text = node.scalar_text()?;
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    // `aws_iam_role.x[0].arn` and `aws_iam_role.x["k"].arn` name the same resource.
    let cleaned: String = strip_indexes(inner);
    if cleaned.is_empty() || !cleaned.chars().all(valid) {
        return None;
    }
    let parts: Vec<&str> = inner_parts(inner);
    Some(parts)
}

fn strip_indexes(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn inner_parts(text: &str) -> Vec<&str> {
    text.split('.')
        .map(|p| p.split('[').next().unwrap_or(p))
        .filter(|p| !p.is_empty())
        .collect()
}

/// Move every span of a tree to `span` (a value used away from where it is written).
pub(crate) fn respan(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter_mut().for_each(|i| respan(i, span)),
        NodeKind::Map(entries) => {
            for entry in entries {
                entry.key.span = span;
                respan(&mut entry.value, span);
            }
        }
    }
}
