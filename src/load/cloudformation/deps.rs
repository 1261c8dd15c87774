//! The dependency graph of a template's resources, to tell whether it can deploy: an edge
//! from A to B means A cannot be created before B (`Ref`, `Fn::GetAtt`, `${B}` in
//! `Fn::Sub`, a resource's `DependsOn`). SAM adds edges of its own: a function's generated role is part of
//! the function, and an `S3` event writes the function into the bucket's notification
//! configuration, so the bucket depends on the function.

use std::collections::{BTreeMap, BTreeSet};

use super::entry_type;
use crate::syntax::{Node, NodeKind};

/// A cycle of logical ids (the first repeated at the end), when the template has one.
pub fn dependency_cycle(root: &Node) -> Option<Vec<String>> {
    let resources = root.get("Resources")?.as_map()?;
    let names: BTreeSet<&str> = resources.iter().map(|r| r.key.value.as_str()).collect();
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for resource in resources {
        let from = resource.key.value.as_str();
        let targets = edges.entry(from).or_default();
        let sam_function = entry_type(resource) == Some("AWS::Serverless::Function");
        for entry in resource.value.as_map().unwrap_or_default() {
            match (entry.key.value.as_str(), &entry.value.kind) {
                ("DependsOn", _) => {
                    for item in entry.value.one_or_many() {
                        targets.extend(item.scalar_text().and_then(|t| names.get(t).copied()));
                    }
                }
                // SAM turns a function's events into resources of their own (permissions,
                // mappings, notifications): the function itself does not wait for them.
                ("Properties", NodeKind::Map(props)) if sam_function => {
                    for prop in props.iter().filter(|p| p.key.value != "Events") {
                        collect_refs(&prop.value, &names, targets);
                    }
                }
                _ => collect_refs(&entry.value, &names, targets),
            }
        }
        targets.remove(from);
        if sam_function {
            for bucket in s3_event_buckets(&resource.value, &names) {
                edges.entry(bucket).or_default().insert(from);
            }
        }
    }
    find_cycle(&edges)
}

/// Buckets named by the function's `S3` events (`Bucket: !Ref Uploads`).
fn s3_event_buckets<'a>(function: &'a Node, names: &BTreeSet<&'a str>) -> Vec<&'a str> {
    let Some(events) = function
        .get("Properties")
        .and_then(|p| p.get("Events"))
        .and_then(Node::as_map)
    else {
        return Vec::new();
    };
    events
        .iter()
        .filter(|e| e.value.get("Type").and_then(Node::scalar_text) == Some("S3"))
        .filter_map(|e| {
            e.value
                .get("Properties")?
                .get("Bucket")?
                .get("Ref")?
                .scalar_text()
        })
        .filter_map(|name| names.get(name).copied())
        .collect()
}

/// Every resource the node refers to.
fn collect_refs<'a>(node: &'a Node, names: &BTreeSet<&'a str>, out: &mut BTreeSet<&'a str>) {
    match &node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter().for_each(|i| collect_refs(i, names, out)),
        NodeKind::Map(entries) => {
            for entry in entries {
                let value = &entry.value;
                match entry.key.value.as_str() {
                    "Ref" => out.extend(value.scalar_text().and_then(|t| names.get(t).copied())),
                    "Fn::GetAtt" => {
                        let target = match value.as_seq() {
                            Some([first, ..]) => first.scalar_text(),
                            _ => value.scalar_text().and_then(|t| t.split('.').next()),
                        };
                        out.extend(target.and_then(|t| names.get(t).copied()));
                    }
                    "Fn::Sub" => {
                        let template = match value.as_seq() {
                            Some([text, ..]) => text.scalar_text(),
                            _ => value.scalar_text(),
                        };
                        if let Some(text) = template {
                            out.extend(sub_refs(text).filter_map(|t| names.get(t).copied()));
                        }
                    }
                    _ => {}
                }
                collect_refs(value, names, out);
            }
        }
    }
}

/// `${Name}` and `${Name.Attr}` references in a `Fn::Sub` string (not `${!Literal}`).
fn sub_refs(text: &str) -> impl Iterator<Item = &str> {
    text.split("${").skip(1).filter_map(|part| {
        let inner = part.split('}').next()?;
        (!inner.starts_with('!')).then(|| inner.split('.').next().unwrap_or(inner))
    })
}

fn find_cycle<'a>(edges: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    let mut marks: BTreeMap<&str, Mark> = BTreeMap::new();
    for &start in edges.keys() {
        if marks.contains_key(start) {
            continue;
        }
        // Iterative depth-first search; `path` holds the open nodes.
        let mut path: Vec<(&str, Vec<&str>)> =
            vec![(start, edges[start].iter().copied().collect())];
        marks.insert(start, Mark::Open);
        while let Some((node, pending)) = path.last_mut() {
            let node = *node;
            match pending.pop() {
                Some(next) => match marks.get(next) {
                    Some(Mark::Open) => {
                        let from = path.iter().position(|(n, _)| *n == next).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            path[from..].iter().map(|(n, _)| n.to_string()).collect();
                        cycle.push(next.to_string());
                        return Some(cycle);
                    }
                    Some(Mark::Done) => {}
                    None => {
                        marks.insert(next, Mark::Open);
                        let children = edges
                            .get(next)
                            .map(|s| s.iter().copied().collect())
                            .unwrap_or_default();
                        path.push((next, children));
                    }
                },
                None => {
                    marks.insert(node, Mark::Done);
                    path.pop();
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_yaml;

    fn cycle(text: &str) -> Option<Vec<String>> {
        let doc = parse_yaml(text).expect("valid YAML");
        dependency_cycle(&doc.roots[0])
    }

    #[test]
    fn finds_ref_getatt_sub_and_depends_on_cycles() {
        let text = "Resources:\n  A:\n    Type: AWS::X::Y\n    Properties: {P: !Ref B}\n  B:\n    Type: AWS::X::Y\n    Properties: {P: !Sub '${C.Arn}'}\n  C:\n    Type: AWS::X::Y\n    DependsOn: A\n";
        assert_eq!(
            cycle(text),
            Some(vec!["A".into(), "B".into(), "C".into(), "A".into()])
        );
        let acyclic = "Resources:\n  A:\n    Type: AWS::X::Y\n    Properties: {P: !GetAtt B.Arn, Q: !Sub '${!Literal}-${AWS::Region}'}\n  B:\n    Type: AWS::X::Y\n";
        assert_eq!(cycle(acyclic), None);
    }

    #[test]
    fn a_function_policy_naming_its_s3_event_bucket_is_a_cycle() {
        let text = "Resources:\n  Uploads:\n    Type: AWS::S3::Bucket\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Policies:\n        - S3ReadPolicy: {BucketName: !Ref Uploads}\n      Events:\n        Up: {Type: S3, Properties: {Bucket: !Ref Uploads, Events: 's3:ObjectCreated:*'}}\n";
        assert!(cycle(text).is_some());
        let by_parameter = text.replace("{BucketName: !Ref Uploads}", "{BucketName: !Ref Name}");
        assert_eq!(cycle(&by_parameter), None);
    }
}
