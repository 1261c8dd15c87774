//! CloudFormation intrinsic functions, evaluated with placeholders.
//!
//! A value that cannot be known offline becomes a `${...}` placeholder and is marked
//! unresolved: `!Sub arn:${AWS::Partition}:s3:::${Bucket}/*` reads as
//! `arn:aws:s3:::${Bucket}/*`, an object ARN of some bucket, and never as `*`.

use super::Template;
use crate::load::policy_reader::Resolver;
use crate::model::PolicyValue;
use crate::syntax::{Node, NodeKind};

/// Cap on the values one expression may expand to (`Fn::If` inside `Fn::Join` multiplies).
const MAX_ALTERNATIVES: usize = 16;

/// A partly known string: text plus whether every part was known.
#[derive(Clone, Debug)]
struct Part {
    text: String,
    resolved: bool,
}

impl Resolver for Template<'_> {
    fn strings(&self, node: &Node, out: &mut Vec<PolicyValue>) -> bool {
        match self.evaluate(node, 0) {
            Some(parts) => {
                out.extend(parts.into_iter().map(|p| PolicyValue {
                    text: p.text,
                    span: node.span,
                    resolved: p.resolved,
                }));
                true
            }
            None => false,
        }
    }

    fn alternatives<'n>(&self, node: &'n Node) -> Vec<&'n Node> {
        if is_no_value(node) {
            return Vec::new();
        }
        match single_key(node) {
            Some(("Fn::If", args)) => match args.as_seq() {
                Some([_, yes, no]) => {
                    let mut alts = self.alternatives(yes);
                    alts.extend(self.alternatives(no));
                    alts
                }
                _ => vec![node],
            },
            _ => vec![node],
        }
    }
}

/// The one key and value of a single-entry map: the shape of every intrinsic.
pub fn single_key(node: &Node) -> Option<(&str, &Node)> {
    match node.as_map()? {
        [entry] => Some((entry.key.value.as_str(), &entry.value)),
        _ => None,
    }
}

pub fn is_no_value(node: &Node) -> bool {
    matches!(single_key(node), Some(("Ref", v)) if v.scalar_text() == Some("AWS::NoValue"))
}

fn known(text: impl Into<String>) -> Part {
    Part {
        text: text.into(),
        resolved: true,
    }
}

fn unknown(name: &str) -> Part {
    Part {
        text: format!("${{{name}}}"),
        resolved: false,
    }
}

impl Template<'_> {
    /// Evaluate a value node to its possible strings; None when it is not string-like.
    fn evaluate(&self, node: &Node, depth: usize) -> Option<Vec<Part>> {
        if depth > 32 {
            return Some(vec![unknown("...")]);
        }
        if let Some(s) = node.as_scalar() {
            return Some(vec![known(s.text.clone())]);
        }
        let (key, arg) = single_key(node)?;
        let parts = match key {
            "Ref" => vec![self.reference(arg.scalar_text()?)],
            "Fn::Sub" => self.sub(arg, depth)?,
            "Fn::GetAtt" => vec![self.get_att(arg)?],
            "Fn::Join" => self.join(arg, depth)?,
            "Fn::If" => match arg.as_seq() {
                Some([_, yes, no]) => {
                    let mut all = Vec::new();
                    for branch in [yes, no] {
                        if !is_no_value(branch) {
                            all.extend(self.evaluate(branch, depth + 1)?);
                        }
                    }
                    all
                }
                _ => return None,
            },
            "Fn::Select" => self.select(arg, depth),
            "Fn::FindInMap" => self.find_in_map(arg),
            "Fn::ImportValue" => {
                let name = self
                    .evaluate(arg, depth + 1)
                    .and_then(|p| p.into_iter().next())
                    .map_or_else(|| "?".to_string(), |p| p.text);
                vec![unknown(&format!("ImportValue:{name}"))]
            }
            "Fn::Base64" | "Fn::Split" | "Fn::Cidr" | "Fn::GetAZs" | "Fn::Transform"
            | "Fn::ToJsonString" | "Fn::Length" => {
                vec![unknown(key)]
            }
            _ => return None,
        };
        Some(parts)
    }

    /// `Ref`: a parameter's default, a pseudo parameter, or a resource's reference value.
    fn reference(&self, name: &str) -> Part {
        if let Some(value) = pseudo_parameter(name) {
            return value;
        }
        if let Some(param) = self.parameters.get(name) {
            // A default is what a plain deploy uses; a `List<...>` default stays one string.
            if let Some(default) = param.default.as_ref() {
                return known(default.clone());
            }
            return unknown(name);
        }
        if let Some(resource_type) = self.resource_type(name) {
            if let Some(arn) = ref_arn(resource_type, name) {
                return Part {
                    text: arn,
                    resolved: false,
                };
            }
        }
        unknown(name)
    }

    fn get_att(&self, arg: &Node) -> Option<Part> {
        let (resource, attribute) = match &arg.kind {
            NodeKind::Scalar(s) => {
                let (r, a) = s.text.split_once('.')?;
                (r.to_string(), a.to_string())
            }
            NodeKind::Seq(items) => match items.as_slice() {
                [r, a] => (
                    r.scalar_text()?.to_string(),
                    a.scalar_text().unwrap_or("?").to_string(),
                ),
                _ => return None,
            },
            NodeKind::Map(_) => return None,
        };
        if let Some(resource_type) = self.resource_type(&resource) {
            if let Some(arn) = attribute_arn(resource_type, &resource, &attribute) {
                return Some(Part {
                    text: arn,
                    resolved: false,
                });
            }
        }
        Some(unknown(&format!("{resource}.{attribute}")))
    }

    fn sub(&self, arg: &Node, depth: usize) -> Option<Vec<Part>> {
        let (template, vars) = match &arg.kind {
            NodeKind::Scalar(s) => (s.text.as_str(), None),
            NodeKind::Seq(items) => match items.as_slice() {
                [t, v] => (t.scalar_text()?, Some(v)),
                [t] => (t.scalar_text()?, None),
                _ => return None,
            },
            NodeKind::Map(_) => return None,
        };
        let mut results = vec![known(String::new())];
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            append(&mut results, &[known(&rest[..start])]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                append(&mut results, &[known(&rest[start..])]);
                rest = "";
                break;
            };
            let name = &after[..end];
            let values = if let Some(literal) = name.strip_prefix('!') {
                // `${!Literal}` is an escaped, literal `${Literal}`.
                vec![known(format!("${{{literal}}}"))]
            } else if let Some(value) = vars.and_then(|v| v.get(name)) {
                self.evaluate(value, depth + 1)
                    .unwrap_or_else(|| vec![unknown(name)])
            } else if let Some((resource, attribute)) = name.split_once('.') {
                let arg = format!("{resource}.{attribute}");
                self.resource_type(resource)
                    .and_then(|t| attribute_arn(t, resource, attribute))
                    .map_or_else(
                        || vec![unknown(&arg)],
                        |arn| {
                            vec![Part {
                                text: arn,
                                resolved: false,
                            }]
                        },
                    )
            } else {
                vec![self.reference(name)]
            };
            append(&mut results, &values);
            rest = &after[end + 1..];
        }
        append(&mut results, &[known(rest)]);
        Some(results)
    }

    fn join(&self, arg: &Node, depth: usize) -> Option<Vec<Part>> {
        let [delimiter, list] = arg.as_seq()? else {
            return None;
        };
        let delimiter = delimiter.scalar_text().unwrap_or("");
        let Some(items) = list.as_seq() else {
            return Some(vec![unknown("Fn::Join")]);
        };
        let mut results = vec![known(String::new())];
        // `AWS::NoValue` items are dropped with their delimiter.
        for (i, item) in items.iter().filter(|item| !is_no_value(item)).enumerate() {
            if i > 0 {
                append(&mut results, &[known(delimiter)]);
            }
            let values = self
                .evaluate(item, depth + 1)
                .unwrap_or_else(|| vec![unknown("?")]);
            append(&mut results, &values);
        }
        Some(results)
    }

    fn select(&self, arg: &Node, depth: usize) -> Vec<Part> {
        if let Some([index, list]) = arg.as_seq() {
            if let (Some(i), Some(items)) = (
                index.scalar_text().and_then(|t| t.parse::<usize>().ok()),
                list.as_seq(),
            ) {
                if let Some(item) = items.get(i) {
                    return self
                        .evaluate(item, depth + 1)
                        .unwrap_or_else(|| vec![unknown("Fn::Select")]);
                }
            }
        }
        vec![unknown("Fn::Select")]
    }

    /// `Fn::FindInMap`: the value when keys are literal; with a `Ref` key (typically the
    /// region), every value the map holds for the second key.
    fn find_in_map(&self, arg: &Node) -> Vec<Part> {
        let fallback = || vec![unknown("Fn::FindInMap")];
        let Some([map, top, second, ..]) = arg.as_seq() else {
            return fallback();
        };
        let Some(map) = map
            .scalar_text()
            .and_then(|m| self.mappings.and_then(|all| all.get(m)))
        else {
            return fallback();
        };
        let Some(second) = second.scalar_text() else {
            return fallback();
        };
        let tops: Vec<&Node> = match top.scalar_text() {
            Some(key) => map.get(key).into_iter().collect(),
            None => map
                .as_map()
                .unwrap_or_default()
                .iter()
                .map(|e| &e.value)
                .collect(),
        };
        let mut values: Vec<Part> = Vec::new();
        for value in tops.into_iter().filter_map(|t| t.get(second)) {
            if let Some(text) = value.scalar_text() {
                if !values.iter().any(|v| v.text == text) {
                    values.push(known(text));
                }
            }
        }
        if values.is_empty() || values.len() > MAX_ALTERNATIVES {
            fallback()
        } else {
            values
        }
    }
}

/// Append each of `suffixes` to each result (a bounded cross product).
fn append(results: &mut Vec<Part>, suffixes: &[Part]) {
    if suffixes.len() == 1 {
        for r in results.iter_mut() {
            r.text.push_str(&suffixes[0].text);
            r.resolved &= suffixes[0].resolved;
        }
        return;
    }
    let mut next = Vec::new();
    for r in results.iter() {
        for s in suffixes {
            if next.len() < MAX_ALTERNATIVES {
                next.push(Part {
                    text: format!("{}{}", r.text, s.text),
                    resolved: r.resolved && s.resolved,
                });
            }
        }
    }
    *results = next;
}

fn pseudo_parameter(name: &str) -> Option<Part> {
    Some(match name {
        // The partition is part of ARN shapes rules match on; `aws` is the common case and
        // matches the catalog formats whatever the partition.
        "AWS::Partition" => known("aws"),
        "AWS::URLSuffix" => known("amazonaws.com"),
        "AWS::Region"
        | "AWS::AccountId"
        | "AWS::StackName"
        | "AWS::StackId"
        | "AWS::NotificationARNs" => unknown(name),
        _ => return None,
    })
}

/// The ARN a resource's `Ref` returns, for types whose `Ref` is an ARN.
fn ref_arn(resource_type: &str, name: &str) -> Option<String> {
    let r = "${AWS::Region}";
    let a = "${AWS::AccountId}";
    Some(match resource_type {
        "AWS::SNS::Topic" => format!("arn:aws:sns:{r}:{a}:${{{name}}}"),
        "AWS::SecretsManager::Secret" => {
            format!("arn:aws:secretsmanager:{r}:{a}:secret:${{{name}}}")
        }
        "AWS::IAM::ManagedPolicy" => format!("arn:aws:iam::{a}:policy/${{{name}}}"),
        "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
            format!("arn:aws:states:{r}:{a}:stateMachine:${{{name}}}")
        }
        "AWS::CertificateManager::Certificate" => {
            format!("arn:aws:acm:{r}:{a}:certificate/${{{name}}}")
        }
        _ => return None,
    })
}

/// The ARN shape of `!GetAtt Resource.Arn` (and similar attributes) for common types, so
/// resource-type matching works on template values.
fn attribute_arn(resource_type: &str, name: &str, attribute: &str) -> Option<String> {
    let r = "${AWS::Region}";
    let a = "${AWS::AccountId}";
    let n = format!("${{{name}}}");
    let arn = match (resource_type, attribute) {
        ("AWS::S3::Bucket", "Arn") => format!("arn:aws:s3:::{n}"),
        ("AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable", "Arn") => {
            format!("arn:aws:dynamodb:{r}:{a}:table/{n}")
        }
        ("AWS::DynamoDB::Table", "StreamArn") => {
            format!("arn:aws:dynamodb:{r}:{a}:table/{n}/stream/${{{name}.StreamLabel}}")
        }
        ("AWS::SQS::Queue", "Arn") => format!("arn:aws:sqs:{r}:{a}:{n}"),
        ("AWS::SNS::Topic", "TopicArn") => format!("arn:aws:sns:{r}:{a}:{n}"),
        ("AWS::Lambda::Function" | "AWS::Serverless::Function", "Arn") => {
            format!("arn:aws:lambda:{r}:{a}:function:{n}")
        }
        ("AWS::KMS::Key", "Arn") => format!("arn:aws:kms:{r}:{a}:key/{n}"),
        ("AWS::Kinesis::Stream", "Arn") => format!("arn:aws:kinesis:{r}:{a}:stream/{n}"),
        ("AWS::IAM::Role", "Arn") => format!("arn:aws:iam::{a}:role/{n}"),
        ("AWS::IAM::User", "Arn") => format!("arn:aws:iam::{a}:user/{n}"),
        ("AWS::Logs::LogGroup", "Arn") => format!("arn:aws:logs:{r}:{a}:log-group:{n}:*"),
        ("AWS::Events::EventBus", "Arn") => format!("arn:aws:events:{r}:{a}:event-bus/{n}"),
        ("AWS::Events::Rule", "Arn") => format!("arn:aws:events:{r}:{a}:rule/{n}"),
        ("AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine", "Arn") => {
            format!("arn:aws:states:{r}:{a}:stateMachine:{n}")
        }
        ("AWS::ECR::Repository", "Arn") => format!("arn:aws:ecr:{r}:{a}:repository/{n}"),
        ("AWS::SSM::Parameter", "Arn") => format!("arn:aws:ssm:{r}:{a}:parameter/{n}"),
        ("AWS::Kinesis::StreamConsumer", "ConsumerARN") => {
            format!("arn:aws:kinesis:{r}:{a}:stream/${{Stream}}/consumer/{n}")
        }
        ("AWS::CloudWatch::Alarm", "Arn") => format!("arn:aws:cloudwatch:{r}:{a}:alarm:{n}"),
        ("AWS::Cognito::UserPool", "Arn") => format!("arn:aws:cognito-idp:{r}:{a}:userpool/{n}"),
        _ => return None,
    };
    Some(arn)
}

#[cfg(test)]
#[path = "intrinsics_tests.rs"]
mod tests;
