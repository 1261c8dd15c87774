//! A policy as iamlint resolved it, written back as JSON text for IAM Access Analyzer, with a
//! map from JSON paths (`Statement[0].Action[1]`) to the spans they came from.
//!
//! The text is built from the model, not copied from the file: templates hold YAML, short tags
//! and `!Sub` strings that the service cannot read. Values a loader could not resolve keep a
//! neutral stand-in (`${Bucket}` becomes `Bucket`, `${AWS::Partition}` becomes `aws`), so the
//! service judges the shape of the policy and not iamlint's placeholder syntax.

use serde_json::{Map, Value};

use crate::model::{Effect, PolicyDocument, PolicyValue, Principal, ValueList};
use crate::source::Span;

/// One step of a JSON path: an object key or an array index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// Where a JSON path of the sent text came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    pub path: Vec<Step>,
    /// The value's span in the original file.
    pub span: Span,
    /// The span of the key that names this value, when the value sits under a key.
    pub key_span: Option<Span>,
    /// The sent text replaced a placeholder iamlint could not resolve.
    pub stand_in: bool,
}

/// The JSON text sent for one policy and where each of its parts came from.
#[derive(Clone, Debug)]
pub(crate) struct Rendered {
    pub json: String,
    pub origins: Vec<Origin>,
}

impl Rendered {
    /// The deepest recorded path that is a prefix of `path` (the service may point inside a
    /// value, e.g. at a substring, or at a key iamlint did not record).
    pub(crate) fn locate(&self, path: &[Step]) -> Option<&Origin> {
        self.origins
            .iter()
            .filter(|o| path.starts_with(&o.path))
            .max_by_key(|o| o.path.len())
    }
}

struct Writer {
    origins: Vec<Origin>,
}

impl Writer {
    fn record(&mut self, path: &[Step], span: Span, key_span: Option<Span>, stand_in: bool) {
        self.origins.push(Origin {
            path: path.to_vec(),
            span,
            key_span,
            stand_in,
        });
    }

    fn value(&mut self, path: &[Step], value: &PolicyValue) -> Value {
        let text = if value.resolved {
            value.text.clone()
        } else {
            stand_in(&value.text)
        };
        self.record(path, value.span, None, !value.resolved);
        Value::String(text)
    }

    /// A string for one value, an array for several (as IAM writes them). The caller has
    /// recorded the key's path; a single value takes that path over, keeping the key's span.
    fn values(&mut self, path: &mut Vec<Step>, values: &[PolicyValue]) -> Value {
        if let [one] = values {
            if let Some(last) = self.origins.last_mut().filter(|o| o.path == *path) {
                last.span = one.span;
                last.stand_in = !one.resolved;
                return Value::String(if one.resolved {
                    one.text.clone()
                } else {
                    stand_in(&one.text)
                });
            }
            return self.value(path, one);
        }
        let mut items = Vec::with_capacity(values.len());
        for (i, value) in values.iter().enumerate() {
            path.push(Step::Index(i));
            items.push(self.value(path, value));
            path.pop();
        }
        Value::Array(items)
    }

    fn list(&mut self, path: &mut Vec<Step>, key: &str, list: &ValueList) -> Value {
        path.push(Step::Key(key.to_string()));
        self.record(path, list.span, Some(list.key_span), false);
        let value = self.values(path, &list.values);
        path.pop();
        value
    }

    fn principal(&mut self, path: &mut Vec<Step>, key: &str, principal: &Principal) -> Value {
        path.push(Step::Key(key.to_string()));
        self.record(path, principal.span, Some(principal.key_span), false);
        let value = if principal.entries.iter().any(|e| e.kind.value == "*") {
            Value::String("*".into())
        } else {
            let mut map = Map::new();
            for entry in &principal.entries {
                path.push(Step::Key(entry.kind.value.clone()));
                let span = entry
                    .values
                    .iter()
                    .fold(entry.kind.span, |span, v| span.cover(v.span));
                self.record(path, span, Some(entry.kind.span), false);
                let value = self.values(path, &entry.values);
                path.pop();
                merge(&mut map, &entry.kind.value, value);
            }
            Value::Object(map)
        };
        path.pop();
        value
    }
}

/// Two entries under one key (YAML allows repeating `AWS:` in separate maps) become one list.
fn merge(map: &mut Map<String, Value>, key: &str, value: Value) {
    match map.get_mut(key) {
        None => {
            map.insert(key.to_string(), value);
        }
        Some(existing) => {
            let mut items = match existing.take() {
                Value::Array(items) => items,
                other => vec![other],
            };
            match value {
                Value::Array(more) => items.extend(more),
                other => items.push(other),
            }
            *existing = Value::Array(items);
        }
    }
}

/// Render a policy document as IAM policy JSON.
pub(crate) fn render(policy: &PolicyDocument) -> Rendered {
    let mut w = Writer {
        origins: Vec::new(),
    };
    let mut root = Map::new();
    if let Some(version) = &policy.version {
        let path = [Step::Key("Version".into())];
        w.record(&path, version.span, None, false);
        root.insert("Version".into(), Value::String(version.value.clone()));
    }
    let mut statements = Vec::with_capacity(policy.statements.len());
    for (i, st) in policy.statements.iter().enumerate() {
        let mut path = vec![Step::Key("Statement".into()), Step::Index(i)];
        w.record(&path, st.span, None, false);
        let mut map = Map::new();
        if let Some(sid) = &st.sid {
            path.push(Step::Key("Sid".into()));
            w.record(&path, sid.span, None, false);
            path.pop();
            map.insert("Sid".into(), Value::String(sid.value.clone()));
        }
        if let Some(effect) = &st.effect {
            path.push(Step::Key("Effect".into()));
            w.record(&path, effect.span, None, false);
            path.pop();
            let text = match effect.value {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            };
            map.insert("Effect".into(), Value::String(text.into()));
        }
        if let Some(principal) = &st.principal {
            let key = if principal.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            let value = w.principal(&mut path, key, principal);
            map.insert(key.into(), value);
        }
        if let Some(action) = &st.action {
            let key = if action.negated {
                "NotAction"
            } else {
                "Action"
            };
            let value = w.list(&mut path, key, action);
            map.insert(key.into(), value);
        }
        if let Some(resource) = &st.resource {
            let key = if resource.negated {
                "NotResource"
            } else {
                "Resource"
            };
            let value = w.list(&mut path, key, resource);
            map.insert(key.into(), value);
        }
        if !st.condition.is_empty() {
            path.push(Step::Key("Condition".into()));
            if let Some(span) = st.condition_span {
                w.record(&path, span, None, false);
            }
            let mut conditions = Map::new();
            for clause in &st.condition {
                path.push(Step::Key(clause.operator.value.clone()));
                let clause_span = clause
                    .entries
                    .iter()
                    .fold(clause.operator.span, |s, e| s.cover(e.span));
                w.record(&path, clause_span, Some(clause.operator.span), false);
                let mut entries = Map::new();
                for entry in &clause.entries {
                    path.push(Step::Key(entry.key.value.clone()));
                    w.record(&path, entry.span, Some(entry.key.span), false);
                    let value = w.values(&mut path, &entry.values);
                    path.pop();
                    merge(&mut entries, &entry.key.value, value);
                }
                path.pop();
                merge(
                    &mut conditions,
                    &clause.operator.value,
                    Value::Object(entries),
                );
            }
            path.pop();
            map.insert("Condition".into(), Value::Object(conditions));
        }
        statements.push(Value::Object(map));
    }
    root.insert("Statement".into(), Value::Array(statements));
    // serde_json's map keeps keys sorted, so the text is stable for the cache key.
    let json = Value::Object(root).to_string();
    Rendered {
        json,
        origins: w.origins,
    }
}

/// The text sent for a value iamlint could not resolve. IAM policy variables
/// (`${aws:username}`) stay; template references become a plausible literal.
pub(crate) fn stand_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match pseudo(name) {
            Some(value) => out.push_str(value),
            // A single colon marks an IAM policy variable, which the service understands.
            None if name.contains(':') && !name.contains("::") => {
                out.push_str(&rest[start..start + 2 + end + 1]);
            }
            None => {
                let clean: String = name
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                out.push_str(if clean.is_empty() {
                    "placeholder"
                } else {
                    &clean
                });
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn pseudo(name: &str) -> Option<&'static str> {
    Some(match name {
        "AWS::Partition" => "aws",
        "AWS::AccountId" => "123456789012",
        "AWS::Region" => "us-east-1",
        "AWS::URLSuffix" => "amazonaws.com",
        "AWS::StackName" => "stack",
        "AWS::StackId" => "arn:aws:cloudformation:us-east-1:123456789012:stack/stack/id",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load;
    use crate::source::SourceFile;

    fn policies(name: &str, text: &str) -> (SourceFile, Vec<PolicyDocument>) {
        let source = SourceFile::new(name.into(), name.into(), text.into());
        let loaded = load::load(0, &source, true).expect("loads");
        (source, loaded.model.policies)
    }

    fn key(k: &str) -> Step {
        Step::Key(k.into())
    }

    #[test]
    fn renders_json_policy_and_maps_paths_back() {
        let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "iam:PassRole"], "Resource": "*"}
  ]
}"#;
        let (source, policies) = policies("p.json", text);
        let rendered = render(&policies[0]);
        let value: Value = serde_json::from_str(&rendered.json).expect("valid JSON");
        assert_eq!(
            value,
            serde_json::json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "iam:PassRole"], "Resource": "*"}]})
        );
        let path = [
            key("Statement"),
            Step::Index(0),
            key("Action"),
            Step::Index(1),
        ];
        let origin = rendered.locate(&path).expect("located");
        assert_eq!(source.slice(origin.span), "\"iam:PassRole\"");
        // A path below a recorded one falls back to the nearest recorded parent.
        let deeper = [
            key("Statement"),
            Step::Index(0),
            key("Resource"),
            Step::Index(3),
        ];
        let origin = rendered.locate(&deeper).expect("located");
        assert_eq!(source.slice(origin.span), "\"*\"");
        assert_eq!(source.slice(origin.key_span.expect("key")), "\"Resource\"");
    }

    #[test]
    fn renders_yaml_template_with_placeholders_principal_and_condition() {
        let text = "Resources:
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Deny
            Principal: {AWS: ['arn:aws:iam::111122223333:root']}
            Action: s3:*
            Resource: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'
            Condition:
              Bool: {aws:SecureTransport: 'false'}
";
        let (source, policies) = policies("t.yaml", text);
        let rendered = render(&policies[0]);
        let value: Value = serde_json::from_str(&rendered.json).expect("valid JSON");
        let st = &value["Statement"][0];
        assert_eq!(st["Resource"], "arn:aws:s3:::Bucket/*");
        assert_eq!(st["Principal"]["AWS"], "arn:aws:iam::111122223333:root");
        assert_eq!(st["Condition"]["Bool"]["aws:SecureTransport"], "false");
        let path = [key("Statement"), Step::Index(0), key("Resource")];
        let origin = rendered.locate(&path).expect("located");
        assert!(origin.stand_in);
        assert!(source.slice(origin.span).contains("${Bucket}"));
        let path = [
            key("Statement"),
            Step::Index(0),
            key("Condition"),
            key("Bool"),
            key("aws:SecureTransport"),
        ];
        let origin = rendered.locate(&path).expect("located");
        assert_eq!(source.slice(origin.span), "'false'");
        assert_eq!(
            source.slice(origin.key_span.expect("key")),
            "aws:SecureTransport"
        );
    }

    #[test]
    fn stand_in_keeps_policy_variables() {
        assert_eq!(
            stand_in("arn:${AWS::Partition}:s3:::${Bucket.Arn}/${aws:username}/*"),
            "arn:aws:s3:::BucketArn/${aws:username}/*"
        );
        assert_eq!(stand_in("${}x${unclosed"), "placeholderx${unclosed");
    }
}
