//! IAM resources (roles, policies, users, groups) and resource policies in a template.

use super::{cdk_path, entry_type, Template};
use crate::load::policy_reader::read_policy;
use crate::model::{Boundary, FileModel, ManagedPolicyRef, PolicyKind, Related, Role};
use crate::source::Spanned;
use crate::syntax::{Entry, Node, NodeKind};

pub fn load(template: &Template<'_>, model: &mut FileModel) {
    // Roles first, so attached policies found later can point at them.
    for resource in &template.resources {
        if entry_type(resource) == Some("AWS::IAM::Role") {
            load_role(template, resource, model);
        }
    }
    for resource in &template.resources {
        let props = resource.value.get("Properties");
        match entry_type(resource) {
            Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") => {
                load_attached_policy(template, resource, model)
            }
            Some("AWS::IAM::User" | "AWS::IAM::Group") => {
                for (name, doc) in inline_policies(props) {
                    let label = format!("policy `{name}` of {}", describe(resource));
                    push_policy(template, model, resource, doc, PolicyKind::Identity, label);
                }
            }
            Some(kind) => {
                if let Some((key, policy_kind)) = resource_policy_property(kind) {
                    if let Some(doc) = props.and_then(|p| p.get(key)) {
                        let label = format!("`{key}` of {}", describe(resource));
                        push_policy(template, model, resource, doc, policy_kind, label);
                    }
                }
            }
            None => {}
        }
    }
}

/// A `PermissionsBoundary` value: a literal or `!Sub` ARN, or `!Ref` of a template's
/// `AWS::IAM::ManagedPolicy` (whose document `link_boundaries` finds once it is read).
pub fn read_boundary(template: &Template<'_>, node: &Node) -> Option<Boundary> {
    use crate::load::policy_reader::Resolver;
    if let Some(id) = template.referenced_resource(node) {
        if template.resource_type(id) == Some("AWS::IAM::ManagedPolicy") {
            return Some(Boundary {
                text: id.to_string(),
                span: node.span,
                policy: None,
                aws_managed: None,
            });
        }
    }
    let mut values = Vec::new();
    template.strings(node, &mut values);
    let value = values.into_iter().next()?;
    Some(Boundary::named(&value.text, node.span))
}

/// Point each boundary naming a template's managed policy at that policy's document.
pub fn link_boundaries(template: &Template<'_>, model: &mut FileModel) {
    for r in 0..model.roles.len() {
        let Some(boundary) = model.roles[r].boundary.as_ref() else {
            continue;
        };
        if boundary.policy.is_some() || boundary.aws_managed.is_some() {
            continue;
        }
        let Some(resource) = template
            .resources
            .iter()
            .find(|e| e.key.value == boundary.text)
        else {
            continue;
        };
        let found = model.policies.iter().position(|p| {
            p.kind == PolicyKind::Identity
                && p.related
                    .iter()
                    .any(|rel| rel.file == template.file && rel.span == resource.key.span)
        });
        if let Some(b) = model.roles[r].boundary.as_mut() {
            b.policy = found;
        }
    }
}

/// "role `FnRole`", with the CDK construct path when the template is CDK output.
fn describe(resource: &Entry) -> String {
    let kind = entry_type(resource).unwrap_or("resource");
    let short = kind.rsplit("::").next().unwrap_or(kind);
    match cdk_path(resource) {
        Some(path) => format!(
            "{} `{}` ({path})",
            short.to_ascii_lowercase(),
            resource.key.value
        ),
        None => format!("{} `{}`", short.to_ascii_lowercase(), resource.key.value),
    }
}

/// Which property of a resource type holds a resource policy.
fn resource_policy_property(kind: &str) -> Option<(&'static str, PolicyKind)> {
    Some(match kind {
        "AWS::S3::BucketPolicy"
        | "AWS::SQS::QueuePolicy"
        | "AWS::SNS::TopicPolicy"
        | "AWS::Logs::ResourcePolicy"
        | "AWS::OpenSearchService::Domain" => ("PolicyDocument", PolicyKind::Resource),
        "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => ("KeyPolicy", PolicyKind::Resource),
        "AWS::SecretsManager::ResourcePolicy" => ("ResourcePolicy", PolicyKind::Resource),
        "AWS::ECR::Repository" => ("RepositoryPolicyText", PolicyKind::Resource),
        "AWS::Elasticsearch::Domain" => ("AccessPolicies", PolicyKind::Resource),
        "AWS::ApiGateway::RestApi" => ("Policy", PolicyKind::Resource),
        "AWS::Events::EventBusPolicy" => ("Statement", PolicyKind::Resource),
        _ => return None,
    })
}

/// `Policies: [{PolicyName, PolicyDocument}]` of a role, user or group.
fn inline_policies(props: Option<&Node>) -> Vec<(String, &Node)> {
    let Some(policies) = props.and_then(|p| p.get("Policies")) else {
        return Vec::new();
    };
    policies
        .one_or_many()
        .iter()
        .filter_map(|p| {
            let doc = p.get("PolicyDocument")?;
            let name = p
                .get("PolicyName")
                .and_then(Node::scalar_text)
                .unwrap_or("inline")
                .to_string();
            Some((name, doc))
        })
        .collect()
}

/// Read a policy document node (an object, or a JSON string policy) and add it.
fn push_policy(
    template: &Template<'_>,
    model: &mut FileModel,
    resource: &Entry,
    doc: &Node,
    kind: PolicyKind,
    label: String,
) -> Option<usize> {
    let embedded;
    // A JSON string (or `!Sub` of one) is parsed; an object is the document itself.
    let doc = if doc.as_scalar().is_some() || doc.get("Fn::Sub").is_some() {
        match super::embedded::json_policy(template.text, doc) {
            Some(node) => {
                embedded = node;
                &embedded
            }
            // A plain string that is not a JSON object: the reader reports it as malformed.
            // A `!Sub` string may only become JSON once substituted, so it is left alone.
            None if doc.as_scalar().is_some() => doc,
            None => return None,
        }
    } else if doc.as_map().is_some() {
        doc
    } else {
        return None;
    };
    // `AWS::Events::EventBusPolicy` has a single statement, not a document: wrap it.
    let mut policy = if doc.get("Statement").is_none() && doc.get("Effect").is_some() {
        let wrapper = Node {
            span: doc.span,
            kind: NodeKind::Map(vec![Entry {
                key: Spanned::new("Statement".into(), doc.span),
                value: doc.clone(),
            }]),
        };
        let mut p = read_policy(&wrapper, template.file, Some(kind), template);
        p.version = Some(Spanned::new("2012-10-17".into(), doc.span));
        p
    } else {
        read_policy(doc, template.file, Some(kind), template)
    };
    policy.label = Some(label);
    policy.related.push(Related {
        label: describe(resource),
        file: template.file,
        span: resource.key.span,
    });
    model.policies.push(policy);
    Some(model.policies.len() - 1)
}

fn load_role(template: &Template<'_>, resource: &Entry, model: &mut FileModel) {
    let props = resource.value.get("Properties");
    let mut role = Role {
        file: template.file,
        logical_id: resource.key.value.clone(),
        span: resource.key.span,
        policies: Vec::new(),
        managed_policies: Vec::new(),
        trust: None,
        boundary: None,
        origin: super::origin(false, resource),
    };
    role.boundary = props
        .and_then(|p| p.get("PermissionsBoundary"))
        .and_then(|b| read_boundary(template, b));
    if let Some(trust) = props.and_then(|p| p.get("AssumeRolePolicyDocument")) {
        let label = format!("trust policy of {}", describe(resource));
        role.trust = push_policy(template, model, resource, trust, PolicyKind::Trust, label);
    }
    for (name, doc) in inline_policies(props) {
        let label = format!("policy `{name}` of {}", describe(resource));
        if let Some(index) =
            push_policy(template, model, resource, doc, PolicyKind::Identity, label)
        {
            role.policies.push(index);
        }
    }
    if let Some(arns) = props.and_then(|p| p.get("ManagedPolicyArns")) {
        for alt in template_alternatives(template, arns) {
            for arn in alt.one_or_many() {
                // A customer managed policy of this template is attached when its document is read.
                if template
                    .referenced_resource(arn)
                    .is_some_and(|r| template.resource_type(r) == Some("AWS::IAM::ManagedPolicy"))
                {
                    continue;
                }
                if let Some(reference) = managed_policy_ref(template, arn) {
                    role.managed_policies.push(reference);
                }
            }
        }
    }
    model.roles.push(role);
}

fn template_alternatives<'n>(template: &Template<'_>, node: &'n Node) -> Vec<&'n Node> {
    use crate::load::policy_reader::Resolver;
    template.alternatives(node)
}

/// A managed policy ARN (literal or `!Sub arn:${AWS::Partition}:iam::aws:policy/X`) as a
/// reference by name.
pub fn managed_policy_ref(template: &Template<'_>, node: &Node) -> Option<ManagedPolicyRef> {
    use crate::load::policy_reader::Resolver;
    let mut values = Vec::new();
    template.strings(node, &mut values);
    let value = values.into_iter().next()?;
    let text = value.text;
    let aws_managed = text.contains(":iam::aws:policy/") || !text.contains(':');
    let name = text.rsplit('/').next().unwrap_or(&text).to_string();
    Some(ManagedPolicyRef {
        name,
        span: node.span,
        aws_managed,
    })
}

/// `AWS::IAM::Policy` / `ManagedPolicy`: the document, attached to the template's roles it
/// names (and to roles that list a managed policy in `ManagedPolicyArns`).
fn load_attached_policy(template: &Template<'_>, resource: &Entry, model: &mut FileModel) {
    let props = resource.value.get("Properties");
    let Some(doc) = props.and_then(|p| p.get("PolicyDocument")) else {
        return;
    };
    let name = props
        .and_then(|p| p.get("PolicyName").or_else(|| p.get("ManagedPolicyName")))
        .and_then(Node::scalar_text)
        .unwrap_or(&resource.key.value)
        .to_string();
    let label = format!("policy `{name}`");
    let Some(index) = push_policy(template, model, resource, doc, PolicyKind::Identity, label)
    else {
        return;
    };
    let mut role_names: Vec<String> = props
        .and_then(|p| p.get("Roles"))
        .map(Node::one_or_many)
        .unwrap_or_default()
        .iter()
        .filter_map(|r| template.referenced_resource(r).map(str::to_string))
        .collect();
    // Roles that attach this managed policy by reference.
    for role_entry in &template.resources {
        let arns = role_entry
            .value
            .get("Properties")
            .and_then(|p| p.get("ManagedPolicyArns"));
        if arns
            .map(Node::one_or_many)
            .unwrap_or_default()
            .iter()
            .any(|a| template.referenced_resource(a) == Some(resource.key.value.as_str()))
        {
            role_names.push(role_entry.key.value.clone());
        }
    }
    for role in model
        .roles
        .iter_mut()
        .filter(|r| role_names.contains(&r.logical_id))
    {
        if !role.policies.contains(&index) {
            role.policies.push(index);
        }
    }
}
