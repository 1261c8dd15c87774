//! AWS SDK calls in JavaScript and TypeScript: SDK v3 (`client.send(new XCommand(..))`,
//! aggregated clients, `@aws-sdk/lib-dynamodb`, `paginateX`, presigners) and SDK v2
//! (`new AWS.S3()` and its methods, `DocumentClient`).

use std::collections::HashMap;

use tree_sitter::{Node, Parser};

use super::services::services;
use super::syntax::{all_nodes, first_arg, string_value, text};
use super::{Extracted, Found, DOC_CLIENT_METHODS, RESOURCE_KEYS};
use crate::model::ResourceHint;

/// What a name or expression stands for.
#[derive(Clone, Debug)]
enum Value<'t> {
    /// An import: package and imported name (`*` for a namespace or default import).
    Import {
        package: String,
        name: String,
    },
    /// An SDK v2 client class (`AWS.S3`).
    V2Class(usize),
    /// SDK v2 `AWS.DynamoDB.DocumentClient`.
    DocClass,
    /// A client whose methods are operations (SDK v2, aggregated v3 `new S3()`).
    Methods(usize),
    /// A v3 client used through `send` (commands are counted where they are built).
    Sender,
    /// A document client with methods (`DocumentClient`, `DynamoDBDocument`).
    DocMethods,
    EnvObject,
    Env(String),
    Literal(String),
    Object(Node<'t>),
}

struct Scope<'t, 's> {
    src: &'s str,
    names: HashMap<String, Value<'t>>,
}

pub(crate) fn extract(src: &str, typescript: bool) -> Option<Extracted> {
    let mut parser = Parser::new();
    let language = if typescript {
        tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
    } else {
        tree_sitter_javascript::LANGUAGE.into()
    };
    parser.set_language(&language).ok()?;
    let tree = parser.parse(src, None)?;
    let nodes = all_nodes(&tree);
    let mut scope = Scope {
        src,
        names: HashMap::new(),
    };
    let mut out = Extracted::default();
    // Two passes over the bindings, so a client built from a name bound later in the file
    // (hoisting, helper modules) is still known.
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

impl<'t> Scope<'t, '_> {
    fn bind(&mut self, node: Node<'t>, out: &mut Extracted) {
        match node.kind() {
            "import_statement" | "export_statement" => {
                let Some(source) = node
                    .child_by_field_name("source")
                    .and_then(|s| string_value(s, self.src))
                else {
                    return;
                };
                if source.starts_with('.') && !out.imports.contains(&source) {
                    out.imports.push(source.clone());
                }
                let mut cursor = node.walk();
                for clause in node.named_children(&mut cursor) {
                    if clause.kind() == "import_clause" {
                        self.bind_import_clause(clause, &source);
                    }
                }
            }
            "variable_declarator" => {
                let (Some(name), Some(value)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) else {
                    return;
                };
                self.bind_pattern(name, value, out);
            }
            "assignment_expression" => {
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return;
                };
                self.bind_pattern(left, right, out);
            }
            "call_expression" => {
                // `require('./lib')` and `import('./lib')` anywhere.
                if let Some(source) = self.required(node) {
                    if source.starts_with('.') && !out.imports.contains(&source) {
                        out.imports.push(source);
                    }
                }
            }
            _ => {}
        }
    }

    fn bind_import_clause(&mut self, clause: Node<'t>, source: &str) {
        let mut cursor = clause.walk();
        for part in clause.named_children(&mut cursor) {
            match part.kind() {
                "identifier" => self.set(part, import(source, "*")),
                "namespace_import" => {
                    let mut c = part.walk();
                    let id = part
                        .named_children(&mut c)
                        .find(|n| n.kind() == "identifier");
                    if let Some(id) = id {
                        self.set(id, import(source, "*"));
                    }
                }
                "named_imports" => {
                    let mut c = part.walk();
                    for spec in part.named_children(&mut c) {
                        let Some(name) = spec.child_by_field_name("name") else {
                            continue;
                        };
                        let local = spec.child_by_field_name("alias").unwrap_or(name);
                        let imported = text(name, self.src).trim_matches(['"', '\'']);
                        self.set(local, import(source, imported));
                    }
                }
                _ => {}
            }
        }
    }

    fn bind_pattern(&mut self, target: Node<'t>, value: Node<'t>, out: &mut Extracted) {
        if let Some(source) = self.required(value) {
            if source.starts_with('.') && !out.imports.contains(&source) {
                out.imports.push(source);
            }
        }
        match target.kind() {
            "identifier" | "member_expression" => {
                if let Some(v) = self.value(value) {
                    self.set(target, v);
                }
            }
            "object_pattern" => {
                let Some(base) = self.value(value) else {
                    return;
                };
                let mut cursor = target.walk();
                for part in target.named_children(&mut cursor) {
                    let (key, local) = match part.kind() {
                        "shorthand_property_identifier_pattern" => (part, part),
                        "pair_pattern" => match (
                            part.child_by_field_name("key"),
                            part.child_by_field_name("value"),
                        ) {
                            (Some(k), Some(v)) if v.kind() == "identifier" => (k, v),
                            _ => continue,
                        },
                        _ => continue,
                    };
                    let key = text(key, self.src).trim_matches(['"', '\'']).to_string();
                    if let Some(v) = member(&base, &key) {
                        self.set(local, v);
                    }
                }
            }
            _ => {}
        }
    }

    fn set(&mut self, name: Node<'t>, value: Value<'t>) {
        self.names.insert(text(name, self.src).to_string(), value);
    }

    /// The module a `require("x")` / `import("x")` call loads.
    fn required(&self, node: Node<'t>) -> Option<String> {
        let node = unwrap(node);
        if node.kind() != "call_expression" {
            return None;
        }
        let function = node.child_by_field_name("function")?;
        if !matches!(text(function, self.src), "require" | "import") {
            return None;
        }
        string_value(first_arg(node.child_by_field_name("arguments")?)?, self.src)
    }

    /// What an expression stands for.
    fn value(&self, node: Node<'t>) -> Option<Value<'t>> {
        let node = unwrap(node);
        match node.kind() {
            "identifier" | "this" => self.names.get(text(node, self.src)).cloned(),
            "member_expression" => {
                if let Some(v) = self.names.get(text(node, self.src)) {
                    return Some(v.clone());
                }
                if text(node, self.src) == "process.env" {
                    return Some(Value::EnvObject);
                }
                let object = self.value(node.child_by_field_name("object")?)?;
                member(
                    &object,
                    text(node.child_by_field_name("property")?, self.src),
                )
            }
            "subscript_expression" => {
                let object = self.value(node.child_by_field_name("object")?)?;
                let key = string_value(node.child_by_field_name("index")?, self.src)?;
                member(&object, &key)
            }
            "string" | "template_string" => string_value(node, self.src).map(Value::Literal),
            "object" => Some(Value::Object(node)),
            "binary_expression" => {
                // `process.env.TABLE || "default"`: the variable decides.
                self.value(node.child_by_field_name("left")?)
            }
            "new_expression" => {
                let class = self.value(node.child_by_field_name("constructor")?)?;
                construct(&class)
            }
            "call_expression" => {
                if let Some(package) = self.required(node) {
                    return Some(import(&package, "*"));
                }
                // `DynamoDBDocumentClient.from(client)`, `DynamoDBDocument.from(client)`.
                let function = node.child_by_field_name("function")?;
                if function.kind() != "member_expression" {
                    return None;
                }
                let property = text(function.child_by_field_name("property")?, self.src);
                let object = self.value(function.child_by_field_name("object")?)?;
                match (&object, property) {
                    (Value::Import { package, name }, "from")
                        if package == "@aws-sdk/lib-dynamodb" =>
                    {
                        construct(&import(package, name))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn call(&self, node: Node<'t>, out: &mut Extracted) {
        match node.kind() {
            "new_expression" => {
                let Some(constructor) = node.child_by_field_name("constructor") else {
                    return;
                };
                if constructor.kind() == "subscript_expression"
                    && constructor
                        .child_by_field_name("object")
                        .and_then(|o| self.value(o))
                        .is_some_and(|v| matches!(v, Value::Import { .. }))
                {
                    out.dynamic(node, self.src, "a client class chosen at run time");
                    return;
                }
                let Some(Value::Import { package, name }) = self.value(constructor) else {
                    return;
                };
                let Some(command) = name.strip_suffix("Command") else {
                    return;
                };
                let args = node.child_by_field_name("arguments");
                if package == "@aws-sdk/lib-dynamodb" {
                    self.record_doc(command, args, node, out);
                } else if let Some(service) = v3_service(&package) {
                    self.record(service, command, args, node, out);
                }
            }
            "call_expression" => {
                let Some(function) = node.child_by_field_name("function") else {
                    return;
                };
                let args = node.child_by_field_name("arguments");
                match function.kind() {
                    "identifier" => {
                        let Some(Value::Import { package, name }) = self.value(function) else {
                            return;
                        };
                        let Some(op) = name.strip_prefix("paginate") else {
                            return;
                        };
                        // `paginateX(config, params)`: the parameters come second.
                        let params = args.map(|a| {
                            let mut c = a.walk();
                            let second = a.named_children(&mut c).nth(1);
                            (a, second)
                        });
                        let params = params.and_then(|(_, second)| second);
                        if package == "@aws-sdk/lib-dynamodb" {
                            self.record_doc(op, None, node, out);
                            if let (Some(last), Some(p)) = (out.calls.last_mut(), params) {
                                last.resource = self.resource(p);
                            }
                        } else if let Some(service) = v3_service(&package) {
                            self.record(service, op, None, node, out);
                            if let (Some(last), Some(p)) = (out.calls.last_mut(), params) {
                                last.resource = self.resource(p);
                            }
                        }
                    }
                    "member_expression" => {
                        let (Some(object), Some(property)) = (
                            function.child_by_field_name("object"),
                            function.child_by_field_name("property"),
                        ) else {
                            return;
                        };
                        let method = text(property, self.src);
                        match self.value(object) {
                            Some(Value::Methods(service)) => {
                                self.record_method(service, method, args, node, out)
                            }
                            Some(Value::DocMethods) => self.record_doc(method, args, node, out),
                            _ => {}
                        }
                    }
                    "subscript_expression" => {
                        let client = function
                            .child_by_field_name("object")
                            .and_then(|o| self.value(o));
                        if matches!(client, Some(Value::Methods(_) | Value::DocMethods)) {
                            out.dynamic(node, self.src, "an SDK method chosen at run time");
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn record_method(
        &self,
        service: usize,
        method: &str,
        args: Option<Node<'t>>,
        at: Node<'t>,
        out: &mut Extracted,
    ) {
        let Some(svc) = services().get(service) else {
            return;
        };
        let first = args.and_then(first_arg);
        let named = |n: Option<Node<'t>>| n.and_then(|n| string_value(n, self.src));
        let op = match method {
            // Presigned URLs and waiters name the operation in their first argument.
            "getSignedUrl" | "getSignedUrlPromise" => {
                named(first).and_then(|o| svc.operation(&o).map(str::to_string))
            }
            "createPresignedPost" => Some("PutObject".to_string()),
            "waitFor" => named(first).and_then(|w| svc.waiter(&w).map(str::to_string)),
            _ => svc.operation(method).map(str::to_string),
        };
        let Some(op) = op else {
            return;
        };
        let params = match method {
            "getSignedUrl" | "getSignedUrlPromise" | "waitFor" => args.and_then(|a| {
                let mut c = a.walk();
                let second = a.named_children(&mut c).nth(1);
                second
            }),
            _ => first,
        };
        out.calls.push(Found {
            service,
            operation: op,
            resource: params.and_then(|p| self.resource(p)),
            offset: at.start_byte(),
        });
    }

    fn record(
        &self,
        service: usize,
        name: &str,
        args: Option<Node<'t>>,
        at: Node<'t>,
        out: &mut Extracted,
    ) {
        let Some(op) = services().get(service).and_then(|s| s.operation(name)) else {
            return;
        };
        out.calls.push(Found {
            service,
            operation: op.to_string(),
            resource: self.params_resource(args),
            offset: at.start_byte(),
        });
    }

    /// A document-client method or command (`put`, `Put`, `batchWrite`): its DynamoDB operation.
    fn record_doc(&self, name: &str, args: Option<Node<'t>>, at: Node<'t>, out: &mut Extracted) {
        let Some(service) = services().by_boto("dynamodb") else {
            return;
        };
        let lower = name.to_ascii_lowercase();
        let op = DOC_CLIENT_METHODS
            .iter()
            .find(|(m, _)| m.replace('_', "") == lower)
            .map(|(_, op)| (*op).to_string())
            .or_else(|| {
                services()
                    .get(service)
                    .and_then(|s| s.operation(name))
                    .map(str::to_string)
            });
        let Some(op) = op else {
            return;
        };
        out.calls.push(Found {
            service,
            operation: op,
            resource: self.params_resource(args),
            offset: at.start_byte(),
        });
    }

    fn params_resource(&self, args: Option<Node<'t>>) -> Option<ResourceHint> {
        self.resource(args.and_then(first_arg)?)
    }

    /// The resource a parameter object names (`{ TableName: process.env.TABLE }`).
    fn resource(&self, params: Node<'t>) -> Option<ResourceHint> {
        let Some(Value::Object(object)) = self.value(params) else {
            return None;
        };
        let mut cursor = object.walk();
        for pair in object.named_children(&mut cursor) {
            let (key, value) = match pair.kind() {
                "pair" => (
                    pair.child_by_field_name("key")?,
                    pair.child_by_field_name("value")?,
                ),
                "shorthand_property_identifier" => (pair, pair),
                _ => continue,
            };
            let key = text(key, self.src).trim_matches(['"', '\'']);
            if !RESOURCE_KEYS.contains(&key) {
                continue;
            }
            let value = if value.kind() == "shorthand_property_identifier" {
                self.names.get(text(value, self.src)).cloned()
            } else {
                self.value(value)
            };
            match value {
                Some(Value::Env(name)) => return Some(ResourceHint::EnvVar(name)),
                Some(Value::Literal(text)) => return Some(ResourceHint::Literal(text)),
                _ => {}
            }
        }
        None
    }
}

fn import<'t>(package: &str, name: &str) -> Value<'t> {
    Value::Import {
        package: package.to_string(),
        name: name.to_string(),
    }
}

/// `(expr)`, `await expr`, `expr as T`, `expr!`: the expression.
fn unwrap(mut node: Node<'_>) -> Node<'_> {
    while matches!(
        node.kind(),
        "parenthesized_expression"
            | "await_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
    ) {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// The service of an `@aws-sdk/client-<name>` package.
fn v3_service(package: &str) -> Option<usize> {
    services().by_class(package.strip_prefix("@aws-sdk/client-")?)
}

/// `base.key`: a member of an import or namespace, or an environment variable.
fn member<'t>(base: &Value<'t>, key: &str) -> Option<Value<'t>> {
    match base {
        Value::EnvObject => Some(Value::Env(key.to_string())),
        Value::Import { package, name } if name == "*" || name == "default" => {
            if package == "aws-sdk" {
                services().by_class(key).map(Value::V2Class)
            } else if package.starts_with("@aws-sdk/") {
                Some(import(package, key))
            } else {
                None
            }
        }
        Value::Import { package, name } if package == "aws-sdk" => {
            // `const { DynamoDB } = require('aws-sdk')` then `DynamoDB.DocumentClient`.
            let service = services().by_class(name)?;
            (key == "DocumentClient" && Some(service) == services().by_boto("dynamodb"))
                .then_some(Value::DocClass)
        }
        Value::V2Class(service)
            if key == "DocumentClient" && Some(*service) == services().by_boto("dynamodb") =>
        {
            Some(Value::DocClass)
        }
        _ => None,
    }
}

/// What `new Class(...)` builds.
fn construct<'t>(class: &Value<'t>) -> Option<Value<'t>> {
    match class {
        Value::V2Class(service) => Some(Value::Methods(*service)),
        Value::DocClass => Some(Value::DocMethods),
        Value::Import { package, name } => {
            if package == "@aws-sdk/lib-dynamodb" {
                return match name.as_str() {
                    "DynamoDBDocumentClient" => Some(Value::Sender),
                    "DynamoDBDocument" => Some(Value::DocMethods),
                    _ => None,
                };
            }
            if package == "aws-sdk" {
                return services().by_class(name).map(Value::Methods);
            }
            if let Some(client) = package.strip_prefix("aws-sdk/clients/") {
                return services().by_class(client).map(Value::Methods);
            }
            let service = v3_service(package)?;
            if name.ends_with("Client") {
                Some(Value::Sender)
            } else if name == "*" || name == "default" {
                None
            } else {
                Some(Value::Methods(service))
            }
        }
        _ => None,
    }
}
