//! AWS SDK calls in Python: boto3 clients (`boto3.client("s3")`, `session.client(...)`),
//! DynamoDB and S3 resources (`boto3.resource("dynamodb").Table(...)`), paginators, waiters
//! and presigned URLs, with names followed through assignments in the module.

use std::collections::HashMap;

use tree_sitter::{Node, Parser};

use super::services::services;
use super::syntax::{all_nodes, first_arg, string_value, text};
use super::{Extracted, Found, DOC_CLIENT_METHODS, RESOURCE_KEYS};
use crate::model::ResourceHint;

#[derive(Clone, Debug)]
enum Value {
    Boto3,
    Session,
    Client(usize),
    /// `boto3.resource(name)`.
    Resource(usize),
    /// A DynamoDB `Table`, with the table it names.
    Table(Option<ResourceHint>),
    /// `table.batch_writer()`.
    BatchWriter(Option<ResourceHint>),
    /// An S3 `Bucket` or `Object`, with the bucket it names.
    Bucket(Option<ResourceHint>),
    Object(Option<ResourceHint>),
    Environ,
    Env(String),
    Literal(String),
}

struct Scope<'s> {
    src: &'s str,
    names: HashMap<String, Value>,
}

pub(crate) fn extract(src: &str) -> Option<Extracted> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .ok()?;
    let tree = parser.parse(src, None)?;
    let nodes = all_nodes(&tree);
    let mut scope = Scope {
        src,
        names: HashMap::new(),
    };
    let mut out = Extracted::default();
    for _ in 0..2 {
        for &node in &nodes {
            scope.bind(node, &mut out);
        }
    }
    for &node in &nodes {
        scope.call(node, &mut out);
    }
    Some(out)
}

impl Scope<'_> {
    fn bind(&mut self, node: Node<'_>, out: &mut Extracted) {
        match node.kind() {
            "import_statement" => {
                let mut cursor = node.walk();
                for name in node.children_by_field_name("name", &mut cursor) {
                    let (module, local) = match name.kind() {
                        "aliased_import" => (
                            name.child_by_field_name("name"),
                            name.child_by_field_name("alias"),
                        ),
                        _ => (Some(name), Some(name)),
                    };
                    let (Some(module), Some(local)) = (module, local) else {
                        continue;
                    };
                    let module = text(module, self.src);
                    match module {
                        "boto3" => self.set_text(local, Value::Boto3),
                        "os" => {}
                        _ => push_import(out, module),
                    }
                }
            }
            "import_from_statement" => {
                let Some(module) = node.child_by_field_name("module_name") else {
                    return;
                };
                let module_text = text(module, self.src);
                if module_text == "boto3" || module_text == "boto3.session" {
                    let mut cursor = node.walk();
                    for name in node.children_by_field_name("name", &mut cursor) {
                        if text(name, self.src) == "Session" {
                            self.names.insert("Session".into(), Value::Boto3);
                        }
                    }
                    return;
                }
                if module_text == "os" {
                    let mut cursor = node.walk();
                    for name in node.children_by_field_name("name", &mut cursor) {
                        if text(name, self.src) == "environ" {
                            self.names.insert("environ".into(), Value::Environ);
                        }
                    }
                    return;
                }
                // `from . import db`: each name may be a module.
                if module_text.chars().all(|c| c == '.') {
                    let mut cursor = node.walk();
                    for name in node.children_by_field_name("name", &mut cursor) {
                        let name = name.child_by_field_name("name").unwrap_or(name);
                        push_import(out, &format!("{module_text}{}", text(name, self.src)));
                    }
                } else {
                    push_import(out, module_text);
                }
            }
            "assignment" => {
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return;
                };
                if matches!(left.kind(), "identifier" | "attribute") {
                    if let Some(value) = self.value(right, out) {
                        self.set_text(left, value);
                    }
                }
            }
            // `with table.batch_writer() as batch:`
            "as_pattern" => {
                let (Some(value), Some(alias)) =
                    (node.named_child(0), node.child_by_field_name("alias"))
                else {
                    return;
                };
                let alias = alias.named_child(0).unwrap_or(alias);
                if let Some(v) = self.value(value, out) {
                    self.set_text(alias, v);
                }
            }
            _ => {}
        }
    }

    fn set_text(&mut self, node: Node<'_>, value: Value) {
        self.names.insert(text(node, self.src).to_string(), value);
    }

    fn value(&self, node: Node<'_>, out: &mut Extracted) -> Option<Value> {
        let node = unwrap(node);
        match node.kind() {
            "identifier" | "attribute" => {
                if let Some(v) = self.names.get(text(node, self.src)) {
                    return Some(v.clone());
                }
                if text(node, self.src) == "os.environ" {
                    return Some(Value::Environ);
                }
                if node.kind() == "attribute" {
                    let object = self.value(node.child_by_field_name("object")?, out)?;
                    let attribute = text(node.child_by_field_name("attribute")?, self.src);
                    return match (object, attribute) {
                        (Value::Boto3, "session") => Some(Value::Boto3),
                        // `s3_resource.meta.client`
                        (Value::Resource(s), "meta") => Some(Value::Resource(s)),
                        (Value::Resource(s), "client") => Some(Value::Client(s)),
                        _ => None,
                    };
                }
                None
            }
            "string" => string_value(node, self.src).map(Value::Literal),
            "subscript" => {
                let object = self.value(node.child_by_field_name("value")?, out)?;
                let key = string_value(node.child_by_field_name("subscript")?, self.src)?;
                matches!(object, Value::Environ).then_some(Value::Env(key))
            }
            "boolean_operator" => self.value(node.child_by_field_name("left")?, out),
            "call" => self.call_value(node, out),
            _ => None,
        }
    }

    fn call_value(&self, node: Node<'_>, out: &mut Extracted) -> Option<Value> {
        let function = node.child_by_field_name("function")?;
        let args = node.child_by_field_name("arguments");
        let first = args.and_then(first_arg);
        if text(function, self.src) == "os.getenv" {
            return first
                .and_then(|a| string_value(a, self.src))
                .map(Value::Env);
        }
        if function.kind() == "identifier" {
            return match self.names.get(text(function, self.src)) {
                Some(Value::Boto3) => Some(Value::Session),
                _ => None,
            };
        }
        if function.kind() != "attribute" {
            return None;
        }
        let object = self.value(function.child_by_field_name("object")?, out)?;
        let method = text(function.child_by_field_name("attribute")?, self.src);
        let hint = || first.and_then(|a| self.hint(a));
        match (object, method) {
            (Value::Boto3, "Session") => Some(Value::Session),
            (Value::Boto3 | Value::Session, "client" | "resource") => {
                let Some(name) = first.and_then(|a| string_value(a, self.src)) else {
                    out.dynamic(
                        node,
                        self.src,
                        "a client whose service is chosen at run time",
                    );
                    return None;
                };
                let service = services().by_boto(&name)?;
                Some(if method == "client" {
                    Value::Client(service)
                } else {
                    Value::Resource(service)
                })
            }
            (Value::Environ, "get") => first
                .and_then(|a| string_value(a, self.src))
                .map(Value::Env),
            (Value::Resource(_), "Table") => Some(Value::Table(hint())),
            (Value::Resource(_), "Bucket") => Some(Value::Bucket(hint())),
            (Value::Resource(_), "Object") => Some(Value::Object(hint())),
            (Value::Bucket(b), "Object") => Some(Value::Object(b)),
            (Value::Table(t), "batch_writer") => Some(Value::BatchWriter(t)),
            _ => None,
        }
    }

    fn hint(&self, node: Node<'_>) -> Option<ResourceHint> {
        let mut scratch = Extracted::default();
        match self.value(node, &mut scratch)? {
            Value::Env(name) => Some(ResourceHint::EnvVar(name)),
            Value::Literal(text) => Some(ResourceHint::Literal(text)),
            _ => None,
        }
    }

    fn call(&self, node: Node<'_>, out: &mut Extracted) {
        if node.kind() != "call" {
            return;
        }
        let Some(function) = node.child_by_field_name("function") else {
            return;
        };
        let args = node.child_by_field_name("arguments");
        let first = args.and_then(first_arg);
        if text(function, self.src) == "getattr" {
            let mut scratch = Extracted::default();
            if first
                .and_then(|a| self.value(a, &mut scratch))
                .is_some_and(|v| matches!(v, Value::Client(_) | Value::Table(_)))
            {
                out.dynamic(node, self.src, "an SDK method chosen at run time");
            }
            return;
        }
        if function.kind() != "attribute" {
            return;
        }
        let (Some(object), Some(attribute)) = (
            function.child_by_field_name("object"),
            function.child_by_field_name("attribute"),
        ) else {
            return;
        };
        let mut scratch = Extracted::default();
        let Some(object) = self.value(object, &mut scratch) else {
            return;
        };
        let method = text(attribute, self.src);
        let s3 = services().by_boto("s3");
        let dynamodb = services().by_boto("dynamodb");
        let named = |n: Option<Node<'_>>| n.and_then(|n| string_value(n, self.src));
        let (service, op, resource) = match object {
            Value::Client(service) => {
                let Some(svc) = services().get(service) else {
                    return;
                };
                let op = match method {
                    "get_paginator" | "generate_presigned_url" | "can_paginate" => {
                        named(first).and_then(|o| svc.operation(&o).map(str::to_string))
                    }
                    "get_waiter" => named(first).and_then(|w| svc.waiter(&w).map(str::to_string)),
                    "upload_file" | "upload_fileobj" if Some(service) == s3 => {
                        Some("PutObject".into())
                    }
                    "download_file" | "download_fileobj" if Some(service) == s3 => {
                        Some("GetObject".into())
                    }
                    "copy" if Some(service) == s3 => Some("CopyObject".into()),
                    _ => svc.operation(method).map(str::to_string),
                };
                (Some(service), op, self.kwargs_resource(args))
            }
            Value::Table(ref table) | Value::BatchWriter(ref table) => {
                let op = match (method, &object) {
                    ("put_item" | "delete_item", Value::BatchWriter(_)) => {
                        Some("BatchWriteItem".to_string())
                    }
                    ("load" | "reload", _) => Some("DescribeTable".to_string()),
                    _ => DOC_CLIENT_METHODS
                        .iter()
                        .find(|(m, _)| *m == method)
                        .map(|(_, op)| (*op).to_string()),
                };
                (dynamodb, op, table.clone())
            }
            Value::Resource(service) if Some(service) == dynamodb => {
                let op = services()
                    .get(service)
                    .and_then(|s| s.operation(method))
                    .map(str::to_string);
                (dynamodb, op, self.kwargs_resource(args))
            }
            Value::Bucket(bucket) => {
                let op = match method {
                    "put_object" | "upload_file" | "upload_fileobj" => Some("PutObject"),
                    "download_file" | "download_fileobj" => Some("GetObject"),
                    "delete_objects" => Some("DeleteObjects"),
                    "copy" => Some("CopyObject"),
                    _ => None,
                };
                (s3, op.map(str::to_string), bucket)
            }
            Value::Object(bucket) => {
                let op = match method {
                    "get" | "download_file" | "download_fileobj" => Some("GetObject"),
                    "put" | "upload_file" | "upload_fileobj" => Some("PutObject"),
                    "delete" => Some("DeleteObject"),
                    "copy_from" | "copy" => Some("CopyObject"),
                    "load" | "reload" => Some("HeadObject"),
                    _ => None,
                };
                (s3, op.map(str::to_string), bucket)
            }
            _ => return,
        };
        if let (Some(service), Some(operation)) = (service, op) {
            out.calls.push(Found {
                service,
                operation,
                resource,
                offset: node.start_byte(),
            });
        }
    }

    /// The resource a call names by keyword (`TableName=os.environ["TABLE"]`).
    fn kwargs_resource(&self, args: Option<Node<'_>>) -> Option<ResourceHint> {
        let args = args?;
        let mut cursor = args.walk();
        let found = args
            .named_children(&mut cursor)
            .filter(|a| a.kind() == "keyword_argument")
            .find_map(|a| {
                let name = text(a.child_by_field_name("name")?, self.src);
                if !RESOURCE_KEYS.contains(&name) {
                    return None;
                }
                self.hint(a.child_by_field_name("value")?)
            });
        found
    }
}

fn push_import(out: &mut Extracted, module: &str) {
    if !out.imports.iter().any(|m| m == module) {
        out.imports.push(module.to_string());
    }
}

fn unwrap(mut node: Node<'_>) -> Node<'_> {
    while matches!(node.kind(), "parenthesized_expression" | "await") {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}
