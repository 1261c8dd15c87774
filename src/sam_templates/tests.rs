#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

use super::*;
use crate::load::policy_reader::{read_policy, Resolver};
use crate::model::{PolicyKind, PolicyValue};
use crate::syntax::{parse_yaml, Scalar, ScalarStyle};

fn at() -> Span {
    Span::new(7, 19)
}

/// The first root of a YAML text.
fn yaml(text: &str) -> Node {
    parse_yaml(text)
        .expect("valid YAML")
        .roots
        .into_iter()
        .next()
        .expect("one document")
}

/// Statements as JSON, spans dropped; `{"Fn::GetAtt": "A.B"}` (the short-tag form) becomes
/// `["A", "B"]` as SAM writes it.
fn to_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Scalar(s) => Value::String(s.text.clone()),
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => {
            let mut map = serde_json::Map::new();
            for e in entries {
                let value = match (e.key.value.as_str(), e.value.as_str()) {
                    ("Fn::GetAtt", Some(text)) if text.contains('.') => {
                        let (a, b) = text.split_once('.').unwrap();
                        Value::Array(vec![a.into(), b.into()])
                    }
                    _ => to_json(&e.value),
                };
                map.insert(e.key.value.clone(), value);
            }
            Value::Object(map)
        }
    }
}

/// JSON scalars as strings, so `true` and `"true"` compare equal (our tree keeps text).
fn normalise(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalise(v))).collect())
        }
        Value::String(s) => Value::String(s.clone()),
        other => Value::String(other.to_string()),
    }
}

/// Every span in the tree.
fn spans(node: &Node, out: &mut Vec<Span>) {
    out.push(node.span);
    match &node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter().for_each(|n| spans(n, out)),
        NodeKind::Map(entries) => {
            for e in entries {
                out.push(e.key.span);
                spans(&e.value, out);
            }
        }
    }
}

/// Template values stay unevaluated (as the CloudFormation loader's do when it cannot know
/// them), so the reader sees strings where the definition has `Fn::Sub`.
struct Placeholders;
impl Resolver for Placeholders {
    fn strings(&self, node: &Node, out: &mut Vec<PolicyValue>) -> bool {
        out.push(match node.as_scalar() {
            Some(s) => PolicyValue::literal(s.text.clone(), node.span),
            None => PolicyValue {
                text: "${unresolved}".into(),
                span: node.span,
                resolved: false,
            },
        });
        true
    }
}

fn wrap(statements: Node) -> Node {
    let scalar = |text: &str| Node {
        span: at(),
        kind: NodeKind::Scalar(Scalar {
            text: text.into(),
            style: ScalarStyle::Quoted,
        }),
    };
    Node {
        span: at(),
        kind: NodeKind::Map(vec![
            Entry {
                key: Spanned::new("Version".into(), at()),
                value: scalar("2012-10-17"),
            },
            Entry {
                key: Spanned::new("Statement".into(), at()),
                value: statements,
            },
        ]),
    }
}

/// Parameters with a literal value for each of the template's parameters.
fn dummy_params(name: &str) -> Node {
    let params: Vec<String> = parameters(name)
        .unwrap()
        .map(|p| format!("{p}: value-of-{p}"))
        .collect();
    yaml(&format!("{{{}}}", params.join(", ")))
}

#[test]
fn knows_the_81_templates_by_exact_name() {
    let names: Vec<&str> = template_names().collect();
    assert_eq!(names.len(), 81);
    assert!(names.windows(2).all(|w| w[0] < w[1]));
    for name in [
        "S3ReadPolicy",
        "DynamoDBCrudPolicy",
        "KMSEncryptPolicy_v2",
        "VPCAccessPolicy",
    ] {
        assert!(is_template(name), "{name}");
    }
    for name in [
        "s3readpolicy",
        "S3ReadPolicy ",
        "AmazonS3FullAccess",
        "Statement",
        "",
    ] {
        assert!(!is_template(name), "{name}");
    }
    assert_eq!(
        parameters("DynamoDBStreamReadPolicy")
            .unwrap()
            .collect::<Vec<_>>(),
        ["StreamName", "TableName"]
    );
    assert_eq!(parameters("EC2DescribePolicy").unwrap().count(), 0);
    assert!(parameters("Nope").is_none());
}

#[test]
fn expands_s3_read_policy_with_the_users_nodes() {
    let params = yaml("BucketName: !Ref UploadBucket\n");
    let user_value = params.get("BucketName").unwrap().clone();
    let out = expand("S3ReadPolicy", &params, at()).unwrap();
    assert_eq!(
        to_json(&out),
        serde_json::json!([{
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation",
                       "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"],
            "Resource": [
                {"Fn::Sub": ["arn:${AWS::Partition}:s3:::${bucketName}", {"bucketName": {"Ref": "UploadBucket"}}]},
                {"Fn::Sub": ["arn:${AWS::Partition}:s3:::${bucketName}/*", {"bucketName": {"Ref": "UploadBucket"}}]}
            ]
        }])
    );
    // The user's node is inserted as it is, spans included; everything else is `at`.
    let resource = out.as_seq().unwrap()[0].get("Resource").unwrap();
    let sub = resource.as_seq().unwrap()[0].get("Fn::Sub").unwrap();
    let inserted = sub.as_seq().unwrap()[1].get("bucketName").unwrap();
    assert_eq!(inserted, &user_value);
    assert_ne!(inserted.span, at());
    let mut inside_user = Vec::new();
    spans(&user_value, &mut inside_user);
    let mut all = Vec::new();
    spans(&out, &mut all);
    assert!(all.iter().all(|s| *s == at() || inside_user.contains(s)));
    assert_eq!(
        all.iter().filter(|s| inside_user.contains(s)).count(),
        2 * inside_user.len()
    );
}

#[test]
fn template_without_parameters_takes_an_empty_map_and_ignores_extras() {
    let out = expand("VPCAccessPolicy", &yaml("{}"), at()).unwrap();
    let statements = out.as_seq().unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(
        statements[0].get("Resource").and_then(Node::as_str),
        Some("*")
    );
    let with_extra = expand("VPCAccessPolicy", &yaml("Unused: 1"), at()).unwrap();
    assert_eq!(to_json(&with_extra), to_json(&out));
    let params = yaml("QueueName: !GetAtt Queue.QueueName\nExtra: x\n");
    let out = expand("SQSPollerPolicy", &params, at()).unwrap();
    assert!(!to_json(&out).to_string().contains("Extra"));
}

#[test]
fn reports_the_errors_sam_reports() {
    assert_eq!(
        expand("S3ReedPolicy", &yaml("BucketName: b"), at()).unwrap_err(),
        "unknown SAM policy template `S3ReedPolicy`"
    );
    assert_eq!(
        expand("LambdaInvokePolicy", &yaml("SomeParam: Value"), at()).unwrap_err(),
        "missing parameter `FunctionName`"
    );
    assert_eq!(
        expand("DynamoDBStreamReadPolicy", &yaml("{}"), at()).unwrap_err(),
        "missing parameters `StreamName`, `TableName`"
    );
    assert_eq!(
        expand("LambdaInvokePolicy", &yaml("BadValue"), at()).unwrap_err(),
        "parameters must be a map of parameter names to values, found a string"
    );
    assert_eq!(
        expand("EC2DescribePolicy", &yaml("~"), at()).unwrap_err(),
        "parameters must be a map of parameter names to values, found null (write `{}` for a template without parameters)"
    );
    assert_eq!(
        expand("S3ReadPolicy", &yaml("BucketName:\n"), at()).unwrap_err(),
        "parameter `BucketName` has no value"
    );
    // `!If` as the whole parameter map is a map without the parameter, for SAM as for us.
    assert!(expand(
        "S3ReadPolicy",
        &yaml("!If [C, {BucketName: a}, {BucketName: b}]"),
        at()
    )
    .unwrap_err()
    .starts_with("missing parameter"));
}

#[test]
fn every_expansion_reads_as_a_policy_without_grammar_problems() {
    for name in template_names() {
        let out = expand(name, &dummy_params(name), at()).unwrap();
        let doc = read_policy(&wrap(out), 0, Some(PolicyKind::Identity), &Placeholders);
        assert!(doc.problems.is_empty(), "{name}: {:?}", doc.problems);
        assert!(!doc.statements.is_empty(), "{name}");
        assert!(
            doc.statements
                .iter()
                .all(|s| s.is_allow() && s.action.is_some()),
            "{name}"
        );
    }
}

/// The expansion relies on this shape of the data: parameters reach `Fn::Sub` only through
/// its variable map, every `Ref` names a parameter, every parameter is used. A refreshed
/// data file that breaks it needs a look at `expand`.
#[test]
fn definitions_use_parameters_only_through_ref() {
    fn walk(node: &Node, params: &[&str], used: &mut BTreeSet<String>, problems: &mut Vec<String>) {
        if let Some(entries) = node.as_map() {
            if let [e] = entries {
                if e.key.value == "Ref" {
                    let target = e.value.as_str().unwrap_or_default().to_string();
                    if !params.contains(&target.as_str()) {
                        problems.push(format!("Ref to `{target}` is no parameter"));
                    }
                    used.insert(target);
                    return;
                }
                if e.key.value == "Fn::Sub" {
                    let (text, vars) = match &e.value.kind {
                        NodeKind::Seq(items) if items.len() == 2 => {
                            (items[0].as_str(), Some(&items[1]))
                        }
                        _ => (e.value.as_str(), None),
                    };
                    let text = text.unwrap_or_default();
                    for var in text
                        .split("${")
                        .skip(1)
                        .filter_map(|s| s.split_once('}'))
                        .map(|(v, _)| v)
                    {
                        if !var.starts_with("AWS::") && vars.and_then(|m| m.get(var)).is_none() {
                            problems.push(format!(
                                "`${{{var}}}` in Fn::Sub is not in its variable map"
                            ));
                        }
                    }
                }
            }
            for e in entries {
                walk(&e.value, params, used, problems);
            }
        } else if let Some(items) = node.as_seq() {
            for item in items {
                walk(item, params, used, problems);
            }
        }
    }
    let mut problems = Vec::new();
    for template in templates() {
        let params: Vec<&str> = template.parameters.iter().map(String::as_str).collect();
        let mut used = BTreeSet::new();
        let mut found = Vec::new();
        walk(&template.statement, &params, &mut used, &mut found);
        for p in &params {
            if !used.contains(*p) {
                found.push(format!("parameter `{p}` is never used"));
            }
        }
        problems.extend(found.into_iter().map(|p| format!("{}: {p}", template.name)));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

fn translator_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sam-translator")
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A single-key map naming a template: its name and parameters.
fn template_use(item: &Node) -> Option<(&str, &Node)> {
    match item.as_map()? {
        [e] if is_template(&e.key.value) => Some((&e.key.value, &e.value)),
        _ => None,
    }
}

/// Compare expansions with what the SAM translator generated for the same inputs: every
/// policy template used by a function or state machine becomes the inline policy
/// `<Id>RolePolicy<index>` of the role `<Id>Role`, also inside `Fn::If`.
#[test]
fn expansions_match_the_sam_translator() {
    const PAIRS: &[&str] = &[
        "all_policy_templates",
        "function_with_policy_templates",
        "function_with_conditional_policy_template",
        "function_with_conditional_policy_template_and_ref_no_value",
        "policy_template_import_vaule_refs_parameters_with_same_name_as_policy_parameter",
        "state_machine_with_sam_policy_templates",
    ];
    let mut covered = BTreeSet::new();
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for pair in PAIRS {
        let input = yaml(&read(translator_dir().join(format!("input/{pair}.yaml"))));
        let output: Value =
            serde_json::from_str(&read(translator_dir().join(format!("output/{pair}.json"))))
                .unwrap();
        for resource in input.get("Resources").and_then(Node::as_map).unwrap() {
            let kind = resource.value.get("Type").and_then(Node::as_str);
            if !matches!(
                kind,
                Some("AWS::Serverless::Function" | "AWS::Serverless::StateMachine")
            ) {
                continue;
            }
            let Some(policies) = resource
                .value
                .get("Properties")
                .and_then(|p| p.get("Policies"))
            else {
                continue;
            };
            let id = &resource.key.value;
            let generated = output["Resources"][format!("{id}Role")]["Properties"]["Policies"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let by_name = |policy_name: &str| {
                generated.iter().find_map(|p| {
                    if p["PolicyName"] == policy_name {
                        return Some(p["PolicyDocument"]["Statement"].clone());
                    }
                    None
                })
            };
            for (index, item) in policies.one_or_many().iter().enumerate() {
                let policy_name = format!("{id}RolePolicy{index}");
                // (use, expected statements)
                let mut cases: Vec<((&str, &Node), Value)> = Vec::new();
                if let Some(used) = template_use(item) {
                    let expected = by_name(&policy_name)
                        .unwrap_or_else(|| panic!("{pair}: no {policy_name} in the output"));
                    cases.push((used, expected));
                } else if let Some(branches) = item.get("Fn::If").and_then(Node::as_seq) {
                    let generated_if = generated
                        .iter()
                        .find(|p| p["Fn::If"][1]["PolicyName"] == policy_name.as_str())
                        .unwrap_or_else(|| panic!("{pair}: no Fn::If {policy_name}"));
                    for (branch, node) in branches.iter().enumerate().skip(1) {
                        if let Some(used) = template_use(node) {
                            let expected = generated_if["Fn::If"][branch]["PolicyDocument"]
                                ["Statement"]
                                .clone();
                            cases.push((used, expected));
                        }
                    }
                }
                for ((name, params), expected) in cases {
                    let actual = to_json(&expand(name, params, at()).unwrap());
                    if actual != normalise(&expected) {
                        mismatches.push(format!(
                            "{pair} {policy_name} {name}:\n  ours: {actual}\n  SAM:  {expected}"
                        ));
                    }
                    covered.insert(name.to_string());
                    compared += 1;
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(compared >= 77, "compared only {compared} expansions");
    // The translator's tests cover 66 of the 81 templates; the rest are checked by the
    // shape and grammar tests above.
    let uncovered: Vec<&str> = template_names().filter(|n| !covered.contains(*n)).collect();
    assert_eq!(covered.len(), 66, "uncovered: {uncovered:?}");
}

#[test]
fn rejects_what_the_sam_translator_rejects() {
    let cases = [
        (
            "error_function_policy_template_invalid_value",
            "LambdaInvokePolicy",
            "parameters must be a map",
        ),
        (
            "error_function_policy_template_with_missing_parameter",
            "LambdaInvokePolicy",
            "missing parameter `FunctionName`",
        ),
    ];
    for (pair, name, message) in cases {
        let input = yaml(&read(translator_dir().join(format!("input/{pair}.yaml"))));
        let output = read(translator_dir().join(format!("output/{pair}.json")));
        assert!(output.contains(&format!("template '{name}'")), "{pair}");
        let policies = input
            .get("Resources")
            .and_then(|r| r.get("MyFunction"))
            .and_then(|f| f.get("Properties"))
            .and_then(|p| p.get("Policies"))
            .unwrap();
        let params = policies.get(name).unwrap();
        let err = expand(name, params, at()).unwrap_err();
        assert!(err.starts_with(message), "{pair}: {err}");
    }
    // The unknown template SAM rejects is not one of ours either.
    let input =
        read(translator_dir().join("input/error_function_with_unknown_policy_template.yaml"));
    assert!(input.contains("SomeUnknownPolicyTemplate"));
    assert!(!is_template("SomeUnknownPolicyTemplate"));
}
