//! AWS SAM connectors: `AWS::Serverless::Connector` resources and `Connectors:` embedded in
//! a resource, expanded with SAM's connector profiles, embedded from
//! `data/sam/connector_profiles.json` (aws-sam-translator).
//!
//! SAM looks up the profile of the (source type, destination type) pair. A profile of type
//! `AWS_IAM_ROLE_MANAGED_POLICY` becomes a managed policy on the source's role
//! (`SourcePolicy: true`), or on the destination's (a function reading a queue or a table
//! stream), holding the statements of the requested access categories with
//! `%{Destination.Arn}` and the like replaced. The replacements are the nodes SAM puts there
//! (`Fn::GetAtt [Table, Arn]`, `Ref StateMachine`, or the user's `Arn`), inside `Fn::Sub`
//! when a pattern is part of a string, so the template's intrinsic evaluator gives them
//! their ARN shapes. Profiles that write resource policies (queue and topic policies,
//! Lambda permissions) are not modelled.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::entry_type;
use super::intrinsics::single_key;
use super::Template;
use crate::load::policy_reader::{read_policy, Resolver};
use crate::load::LoadNote;
use crate::model::{FileModel, PolicyKind, Related, Role};
use crate::source::{Span, Spanned};
use crate::syntax::{self, Entry, Node, NodeKind, Scalar, ScalarStyle};

static PROFILES_JSON: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/sam/connector_profiles.json"
));

/// The only profile type that grants a role permissions.
const ROLE_POLICY: &str = "AWS_IAM_ROLE_MANAGED_POLICY";

/// Serverless types SAM maps to the CloudFormation type it looks profiles up by.
const SAM_TO_CFN: &[(&str, &str)] = &[
    ("AWS::Serverless::Function", "AWS::Lambda::Function"),
    (
        "AWS::Serverless::StateMachine",
        "AWS::StepFunctions::StateMachine",
    ),
    ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi"),
    ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"),
    ("AWS::Serverless::SimpleTable", "AWS::DynamoDB::Table"),
];

/// The values SAM substitutes, in its order, with the `CfnResourceProperties` output each
/// takes for a resource given by `Id`.
const VALUES: [(&str, &str); 4] = [
    ("Arn", "Arn"),
    ("ResourceId", "Id"),
    ("Name", "Name"),
    ("Qualifier", "Qualifier"),
];

struct Profile {
    kind: String,
    source_policy: bool,
    /// Access category (`Read`, `Write`) and its statements, in the file's order (SAM's).
    categories: Vec<(String, Node)>,
    /// Allowed sets of categories, when the profile restricts them.
    combinations: Vec<Vec<String>>,
}

/// `CfnResourceProperties` of one type: where its role is, and its `Id`-based values.
struct ResourceProperties {
    role: RoleInput,
    outputs: Node,
}

enum RoleInput {
    None,
    /// The property holding the role (`Role`, `RoleArn`, `ServiceRoleArn`).
    Property(String),
    /// `GetEventsRuleRole`: the `RoleArn` of the rule's target that is the other end.
    EventsRuleTarget,
}

#[derive(Default)]
struct Profiles {
    /// By (source type, destination type).
    permissions: HashMap<(String, String), Profile>,
    resources: HashMap<String, ResourceProperties>,
}

fn profiles() -> &'static Profiles {
    static PROFILES: OnceLock<Profiles> = OnceLock::new();
    PROFILES.get_or_init(|| parse_profiles(PROFILES_JSON))
}

fn parse_profiles(json: &str) -> Profiles {
    let Some(root) = syntax::parse_json(json)
        .ok()
        .and_then(|d| d.roots.into_iter().next())
    else {
        return Profiles::default();
    };
    let entries = |node: Option<&Node>| node.and_then(Node::as_map).unwrap_or_default().to_vec();
    let mut out = Profiles::default();
    for source in entries(root.get("Permissions")) {
        for destination in entries(Some(&source.value)) {
            let properties = destination.value.get("Properties");
            let profile = Profile {
                kind: text(destination.value.get("Type")).to_string(),
                source_policy: text(properties.and_then(|p| p.get("SourcePolicy"))) == "true",
                categories: entries(properties.and_then(|p| p.get("AccessCategories")))
                    .into_iter()
                    .map(|c| {
                        let statements = c.value.get("Statement").cloned().unwrap_or(c.value);
                        (c.key.value, statements)
                    })
                    .collect(),
                combinations: properties
                    .and_then(|p| p.get("ValidAccessCategories"))
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .map(|set| {
                        set.one_or_many()
                            .iter()
                            .map(|c| text(Some(c)).to_string())
                            .collect()
                    })
                    .collect(),
            };
            out.permissions
                .insert((source.key.value.clone(), destination.key.value), profile);
        }
    }
    for resource in entries(root.get("CfnResourceProperties")) {
        let role = match resource.value.get("Inputs").and_then(|i| i.get("Role")) {
            Some(role) if role.as_scalar().is_some() => {
                RoleInput::Property(text(Some(role)).into())
            }
            Some(role) if text(role.get("Function")) == "GetEventsRuleRole" => {
                RoleInput::EventsRuleTarget
            }
            _ => RoleInput::None,
        };
        let outputs = resource
            .value
            .get("Outputs")
            .cloned()
            .unwrap_or(resource.value);
        out.resources
            .insert(resource.key.value, ResourceProperties { role, outputs });
    }
    out
}

fn text(node: Option<&Node>) -> &str {
    node.and_then(Node::scalar_text).unwrap_or("")
}

fn cfn_type(resource_type: &str) -> &str {
    SAM_TO_CFN
        .iter()
        .find(|(sam, _)| *sam == resource_type)
        .map_or(resource_type, |(_, cfn)| cfn)
}

/// A connector as SAM sees it after moving embedded connectors out of their resource.
struct Connector<'a> {
    /// How notes and labels name it: "`C`", or "`C` of `Resource`" when embedded.
    name: String,
    /// The connector's key, where notes point.
    span: Span,
    /// `Source`; for an embedded connector `{Id: <resource>}` plus `SourceReference`.
    source: Option<Node>,
    destination: Option<&'a Node>,
    permissions: Option<&'a Node>,
}

/// A problem SAM rejects the connector for (or that keeps it from being linted).
type Problem = (Span, String);

pub fn load(template: &Template<'_>, model: &mut FileModel, notes: &mut Vec<LoadNote>) {
    if !template.sam {
        return;
    }
    for resource in &template.resources {
        for connector in connectors_of(template.file, resource, notes) {
            if let Err((span, message)) = load_connector(template, &connector, model) {
                notes.push(LoadNote {
                    file: template.file,
                    span,
                    message,
                });
            }
        }
    }
}

/// The standalone connector a resource is, or the connectors embedded in it.
fn connectors_of<'a>(
    file: crate::source::FileId,
    resource: &'a Entry,
    notes: &mut Vec<LoadNote>,
) -> Vec<Connector<'a>> {
    let props = resource.value.get("Properties");
    let mut out = Vec::new();
    if entry_type(resource) == Some("AWS::Serverless::Connector") {
        out.push(Connector {
            name: format!("`{}`", resource.key.value),
            span: resource.key.span,
            source: props.and_then(|p| p.get("Source")).cloned(),
            destination: props.and_then(|p| p.get("Destination")),
            permissions: props.and_then(|p| p.get("Permissions")),
        });
    }
    let Some(embedded) = resource.value.get("Connectors") else {
        return out;
    };
    let Some(entries) = embedded.as_map() else {
        notes.push(LoadNote {
            file,
            span: embedded.span,
            message: format!(
                "`Connectors` of `{}` must be a map of connector names to connectors",
                resource.key.value
            ),
        });
        return out;
    };
    for entry in entries {
        let name = format!("`{}` of `{}`", entry.key.value, resource.key.value);
        let Some(props) = entry
            .value
            .get("Properties")
            .filter(|p| p.as_map().is_some())
        else {
            notes.push(LoadNote {
                file,
                span: entry.key.span,
                message: format!("connector {name} has no `Properties` map"),
            });
            continue;
        };
        // SAM gives the connector `Source: {Id: <resource>}` plus the `SourceReference`.
        let mut source = vec![Entry {
            key: Spanned::new("Id".into(), entry.key.span),
            value: scalar(&resource.key.value, entry.key.span),
        }];
        if let Some(reference) = props.get("SourceReference") {
            match reference.as_map() {
                Some(extra) if reference.get("Id").is_none() => source.extend(extra.to_vec()),
                _ => {
                    notes.push(LoadNote {
                        file,
                        span: reference.span,
                        message: format!(
                            "`SourceReference` of connector {name} must be a map without `Id`"
                        ),
                    });
                    continue;
                }
            }
        }
        out.push(Connector {
            name,
            span: entry.key.span,
            source: Some(Node {
                span: entry.key.span,
                kind: NodeKind::Map(source),
            }),
            destination: props.get("Destination"),
            permissions: props.get("Permissions"),
        });
    }
    out
}

/// A policy for one destination, ready to be added.
struct Generated {
    document: Node,
    role: RoleTarget,
    label: String,
}

/// Build the policies of every destination; add them only when all can be built, since SAM
/// rejects the whole connector otherwise.
/// S3, SNS and EventBridge invoke functions asynchronously: such a connector is an event
/// source for `lambda-no-dlq`, as the matching SAM event would be.
fn note_async_invoker(model: &mut FileModel, src: &End<'_>, dest: &End<'_>, span: Span) {
    const ASYNC_SOURCES: &[&str] = &["AWS::S3::Bucket", "AWS::SNS::Topic", "AWS::Events::Rule"];
    if dest.cfn_type != "AWS::Lambda::Function" || !ASYNC_SOURCES.contains(&src.cfn_type.as_str()) {
        return;
    }
    let Some(function) = dest
        .id
        .and_then(|id| model.functions.iter_mut().find(|f| f.logical_id == id))
    else {
        return;
    };
    function.events.push(crate::model::EventSource {
        kind: src.cfn_type.clone(),
        span,
        asynchronous: true,
    });
}

fn load_connector(
    template: &Template<'_>,
    connector: &Connector<'_>,
    model: &mut FileModel,
) -> Result<(), Problem> {
    let name = &connector.name;
    let missing = |property: &str| {
        (
            connector.span,
            format!("connector {name} has no `{property}`"),
        )
    };
    let source = connector.source.as_ref().ok_or_else(|| missing("Source"))?;
    let destination = connector
        .destination
        .ok_or_else(|| missing("Destination"))?;
    let permissions = connector
        .permissions
        .ok_or_else(|| missing("Permissions"))?;
    let requested: Vec<&str> = permissions
        .as_seq()
        .and_then(|items| items.iter().map(Node::as_str).collect::<Option<Vec<_>>>())
        .ok_or_else(|| {
            (
                permissions.span,
                format!("`Permissions` of connector {name} must be a list of access categories (`Read`, `Write`)"),
            )
        })?;
    let destinations = destination.one_or_many();
    if destinations.is_empty() {
        return Err((
            destination.span,
            format!("`Destination` of connector {name} is an empty list"),
        ));
    }
    let at = permissions.span;
    let mut generated = Vec::new();
    for (index, destination) in destinations.iter().enumerate() {
        let in_connector =
            |(span, message): Problem| (span, format!("connector {name}: {message}"));
        let dest = End::read(template, destination, at).map_err(in_connector)?;
        let src = End::read(template, source, at).map_err(in_connector)?;
        let Some(profile) = profiles()
            .permissions
            .get(&(src.cfn_type.clone(), dest.cfn_type.clone()))
        else {
            return Err((
                destination.span,
                format!(
                    "connector from `{}` to `{}` is not in SAM's connector profiles",
                    src.cfn_type, dest.cfn_type
                ),
            ));
        };
        let statements = statements(profile, &requested, &src, &dest, permissions, name)?;
        if profile.kind != ROLE_POLICY {
            // A queue or topic policy, or a Lambda permission: not modelled as a policy, but
            // a bucket, topic or rule that may invoke a function invokes it asynchronously.
            note_async_invoker(model, &src, &dest, connector.span);
            continue;
        }
        let (holder, other, side) = if profile.source_policy {
            (&src, &dest, "source")
        } else {
            (&dest, &src, "destination")
        };
        let role = holder.role(template, model, other).map_err(|problem| {
            let end = holder.describe();
            let message = match problem {
                NoRole::Missing => format!(
                    "connector {name}: SAM finds no IAM role for its {side} `{end}`"
                ),
                NoRole::External(role) => format!(
                    "connector {name}: role `{role}` of its {side} `{end}` is not declared in this template, so the permissions the connector grants are not linted"
                ),
            };
            (holder.node.span, message)
        })?;
        let label = if destinations.len() > 1 {
            format!("SAM connector {name} (destination {})", index + 1)
        } else {
            format!("SAM connector {name}")
        };
        generated.push(Generated {
            document: map(
                vec![
                    ("Version", scalar("2012-10-17", at)),
                    (
                        "Statement",
                        Node {
                            span: at,
                            kind: NodeKind::Seq(statements),
                        },
                    ),
                ],
                at,
            ),
            role,
            label,
        });
    }
    for policy in generated {
        let role = match policy.role {
            RoleTarget::Index(i) => i,
            RoleTarget::Generated(logical_id, span) => {
                match model.roles.iter().position(|r| r.logical_id == logical_id) {
                    Some(i) => i,
                    None => {
                        model.roles.push(Role {
                            file: template.file,
                            logical_id,
                            span,
                            policies: Vec::new(),
                            managed_policies: Vec::new(),
                            trust: None,
                            boundary: None,
                            origin: super::generated_by_sam(),
                        });
                        model.roles.len() - 1
                    }
                }
            }
        };
        let mut document = read_policy(
            &policy.document,
            template.file,
            Some(PolicyKind::Identity),
            template,
        );
        document.synthesized = true;
        document.label = Some(policy.label);
        document.related.push(Related {
            label: format!("connector {name}"),
            file: template.file,
            span: connector.span,
        });
        model.policies.push(document);
        model.roles[role].policies.push(model.policies.len() - 1);
    }
    Ok(())
}

/// Check the requested categories against the profile (as SAM does) and expand them into
/// statements, in the profile's order.
fn statements(
    profile: &Profile,
    requested: &[&str],
    src: &End<'_>,
    dest: &End<'_>,
    permissions: &Node,
    name: &str,
) -> Result<Vec<Node>, Problem> {
    let valid: Vec<&str> = profile.categories.iter().map(|(c, _)| c.as_str()).collect();
    let pair = format!("from `{}` to `{}`", src.cfn_type, dest.cfn_type);
    if requested.is_empty() {
        return Err((
            permissions.span,
            format!(
                "`Permissions` of connector {name} is empty; valid values are {}",
                valid.join(", ")
            ),
        ));
    }
    if let Some((i, bad)) = requested
        .iter()
        .enumerate()
        .find(|(_, r)| !valid.contains(r))
    {
        let span = permissions
            .as_seq()
            .map_or(permissions.span, |items| items[i].span);
        return Err((
            span,
            format!(
                "connector {name}: `{bad}` is not an access category of a connector {pair}; valid values are {}",
                valid.join(", ")
            ),
        ));
    }
    let mut wanted: Vec<&str> = requested.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    if !profile.combinations.is_empty()
        && !profile.combinations.iter().any(|set| {
            let mut set: Vec<&str> = set.iter().map(String::as_str).collect();
            set.sort_unstable();
            set == wanted
        })
    {
        let combinations: Vec<String> = profile
            .combinations
            .iter()
            .map(|set| set.join(" + "))
            .collect();
        return Err((
            permissions.span,
            format!(
                "connector {name}: a connector {pair} takes {}, not {}",
                combinations.join(" or "),
                wanted.join(" + ")
            ),
        ));
    }
    // SAM's order: Source.Arn, Destination.Arn, Source.ResourceId, ...
    let mut replacements: Vec<(String, Option<&Node>)> = Vec::new();
    for (i, (key, _)) in VALUES.iter().enumerate() {
        replacements.push((format!("Source.{key}"), src.values[i].as_ref()));
        replacements.push((format!("Destination.{key}"), dest.values[i].as_ref()));
    }
    // SAM replaces in every category, so a missing value fails whatever was requested.
    for (_, statements) in &profile.categories {
        if let Some(key) = unreplaced(statements, &replacements) {
            return Err((
                permissions.span,
                format!("connector {name}: `{key}` is missing"),
            ));
        }
    }
    let replacements: Vec<(String, &Node)> = replacements
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    let at = permissions.span;
    Ok(profile
        .categories
        .iter()
        .filter(|(category, _)| wanted.contains(&category.as_str()))
        .flat_map(|(_, statements)| statements.one_or_many())
        .map(|statement| replace(statement, &replacements, at))
        .collect())
}

/// The first `%{Key}` in the statements whose value is missing.
fn unreplaced(node: &Node, replacements: &[(String, Option<&Node>)]) -> Option<String> {
    match &node.kind {
        NodeKind::Scalar(s) => replacements
            .iter()
            .find(|(key, value)| value.is_none() && s.text.contains(&format!("%{{{key}}}")))
            .map(|(key, _)| key.clone()),
        NodeKind::Seq(items) => items.iter().find_map(|n| unreplaced(n, replacements)),
        NodeKind::Map(entries) => entries
            .iter()
            .find_map(|e| unreplaced(&e.value, replacements)),
    }
}

/// Copy a profile node with the span `at`, replacing `%{Key}` as SAM does: a string that
/// is exactly the pattern becomes the value's node; a string containing it becomes
/// `Fn::Sub` with `${Key}` (dots removed) in a variable map; any other string with `${...}`
/// becomes `Fn::Sub` of itself.
fn replace(node: &Node, replacements: &[(String, &Node)], at: Span) -> Node {
    match &node.kind {
        NodeKind::Scalar(s) => {
            let mut text = s.text.clone();
            let mut variables = Vec::new();
            for (key, value) in replacements {
                let pattern = format!("%{{{key}}}");
                if text == pattern {
                    return (*value).clone();
                }
                if text.contains(&pattern) {
                    let variable = key.replace('.', "");
                    text = text.replace(&pattern, &format!("${{{variable}}}"));
                    variables.push(Entry {
                        key: Spanned::new(variable, at),
                        value: (*value).clone(),
                    });
                }
            }
            let needs_sub = text
                .find("${")
                .is_some_and(|start| text[start + 2..].contains('}'));
            if !needs_sub {
                return Node {
                    span: at,
                    kind: NodeKind::Scalar(s.clone()),
                };
            }
            let argument = if variables.is_empty() {
                scalar(&text, at)
            } else {
                Node {
                    span: at,
                    kind: NodeKind::Seq(vec![
                        scalar(&text, at),
                        Node {
                            span: at,
                            kind: NodeKind::Map(variables),
                        },
                    ]),
                }
            };
            map(vec![("Fn::Sub", argument)], at)
        }
        NodeKind::Seq(items) => Node {
            span: at,
            kind: NodeKind::Seq(items.iter().map(|n| replace(n, replacements, at)).collect()),
        },
        NodeKind::Map(entries) => Node {
            span: at,
            kind: NodeKind::Map(
                entries
                    .iter()
                    .map(|e| Entry {
                        key: Spanned::new(e.key.value.clone(), at),
                        value: replace(&e.value, replacements, at),
                    })
                    .collect(),
            ),
        },
    }
}

/// Where a connector's policy goes.
enum RoleTarget {
    /// One of the file's roles.
    Index(usize),
    /// The role SAM generates for a state machine without `Role` (created when missing: the
    /// SAM loader adds it only when the state machine has `Policies`).
    Generated(String, Span),
}

/// Why a connector's policy has no role to go to.
enum NoRole {
    /// SAM rejects the connector: it finds no role.
    Missing,
    /// The role is not one of this template's (an ARN, a name, an import).
    External(String),
}

/// One end of a connector, as SAM's `get_resource_reference` reads it.
struct End<'n> {
    /// The reference as written.
    node: &'n Node,
    /// The logical id, when given by `Id`.
    id: Option<&'n str>,
    /// The type in the template (or as given by `Type`).
    resource_type: String,
    /// The CloudFormation type profiles are looked up by.
    cfn_type: String,
    /// The nodes for `Arn`, `ResourceId`, `Name`, `Qualifier` (see `VALUES`).
    values: [Option<Node>; 4],
}

impl<'n> End<'n> {
    fn read(template: &Template<'_>, node: &'n Node, at: Span) -> Result<Self, Problem> {
        let Some(entries) = node.as_map() else {
            return Err((node.span, "`Source` and `Destination` must be maps".into()));
        };
        let has_id = node.get("Id").is_some();
        let has_other = entries
            .iter()
            .any(|e| e.key.value != "Id" && e.key.value != "Qualifier");
        if has_id == has_other {
            return Err((
                node.span,
                "give `Id` (with an optional `Qualifier`) or `Type` with `Arn`, `RoleName`, ..., not both".into(),
            ));
        }
        if !has_id {
            let Some(resource_type) = node.get("Type").and_then(Node::as_str) else {
                return Err((node.span, "`Type` is missing or not a string".into()));
            };
            return Ok(End {
                node,
                id: None,
                resource_type: resource_type.to_string(),
                cfn_type: cfn_type(resource_type).to_string(),
                values: VALUES.map(|(key, _)| node.get(key).cloned()),
            });
        }
        let id_node = node
            .get("Id")
            .filter(|id| id.as_str().is_some_and(|t| !t.is_empty()));
        let Some(id) = id_node.and_then(Node::as_str) else {
            return Err((node.span, "`Id` must be a logical id".into()));
        };
        let span = id_node.map_or(node.span, |n| n.span);
        if template.resource(id).is_none() {
            return Err((span, format!("no resource `{id}` in this template")));
        }
        let Some(resource_type) = template.resource_type(id) else {
            return Err((span, format!("resource `{id}` has no `Type`")));
        };
        let mut cfn = cfn_type(resource_type).to_string();
        // The GraphQL API SAM generates keeps the logical id (only `Id` reaches it).
        if resource_type == "AWS::Serverless::GraphQLApi" {
            cfn = "AWS::AppSync::GraphQLApi".into();
        }
        // SAM fills the type's outputs in with the logical id, the way it fills profiles in.
        let outputs = profiles().resources.get(&cfn).map(|r| &r.outputs);
        let logical_id = [("logicalId".to_string(), &scalar(id, at))];
        let mut values = VALUES.map(|(_, output)| {
            outputs
                .and_then(|o| o.get(output))
                .map(|n| replace(n, &logical_id, at))
        });
        if let Some(qualifier) = node.get("Qualifier") {
            values[3] = Some(qualifier.clone());
        }
        Ok(End {
            node,
            id: Some(id),
            resource_type: resource_type.to_string(),
            cfn_type: cfn,
            values,
        })
    }

    fn describe(&self) -> String {
        self.id.unwrap_or(&self.resource_type).to_string()
    }

    /// The role SAM attaches the policy to: from `RoleName`, or the resource's own role.
    /// `other` is the connector's other end (an events rule's role is its target's).
    fn role(
        &self,
        template: &Template<'_>,
        model: &FileModel,
        other: &End<'_>,
    ) -> Result<RoleTarget, NoRole> {
        let Some(id) = self.id else {
            let name = self.node.get("RoleName").ok_or(NoRole::Missing)?;
            return role_named(template, model, name);
        };
        let resource = template.resource(id).ok_or(NoRole::Missing)?;
        let props = resource.value.get("Properties");
        match self.resource_type.as_str() {
            "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
                let function = model
                    .functions
                    .iter()
                    .find(|f| f.logical_id == id)
                    .ok_or(NoRole::Missing)?;
                match (function.role, &function.external_role) {
                    (Some(role), _) => Ok(RoleTarget::Index(role)),
                    (None, Some(external)) => Err(NoRole::External(external.value.clone())),
                    (None, None) => Err(NoRole::Missing),
                }
            }
            "AWS::Serverless::StateMachine" => match props.and_then(|p| p.get("Role")) {
                Some(role) => role_of(template, model, role),
                None => Ok(RoleTarget::Generated(
                    format!("{id}Role"),
                    resource.key.span,
                )),
            },
            _ => {
                let input = profiles().resources.get(&self.cfn_type).map(|r| &r.role);
                let role = match input {
                    Some(RoleInput::Property(property)) => props.and_then(|p| p.get(property)),
                    Some(RoleInput::EventsRuleTarget) => events_rule_role(template, props, other),
                    Some(RoleInput::None) | None => None,
                };
                role_of(template, model, role.ok_or(NoRole::Missing)?)
            }
        }
    }
}

/// The `RoleArn` of the events rule target that is the connector's other end.
fn events_rule_role<'p>(
    template: &Template<'_>,
    props: Option<&'p Node>,
    other: &End<'_>,
) -> Option<&'p Node> {
    let other_arn = other.node.get("Arn");
    props?
        .get("Targets")?
        .as_seq()?
        .iter()
        .find(|target| {
            let Some(arn) = target.get("Arn") else {
                return false;
            };
            let by_id = matches!(single_key(arn), Some(("Ref" | "Fn::GetAtt", _)))
                && other.id.is_some()
                && template.referenced_resource(arn) == other.id;
            by_id || other_arn.is_some_and(|o| same_value(o, arn))
        })?
        .get("RoleArn")
}

/// The role a `Role`/`RoleArn` value refers to.
fn role_of(template: &Template<'_>, model: &FileModel, node: &Node) -> Result<RoleTarget, NoRole> {
    if let Some(name) = template.referenced_resource(node) {
        if let Some(i) = model.roles.iter().position(|r| r.logical_id == name) {
            return Ok(RoleTarget::Index(i));
        }
    }
    Err(not_declared(template, node))
}

/// The role a `RoleName` names: `!Ref Role`, or the `RoleName` of one of the template's roles.
fn role_named(
    template: &Template<'_>,
    model: &FileModel,
    node: &Node,
) -> Result<RoleTarget, NoRole> {
    if let Some(name) = node.as_str() {
        let declared = template.resources.iter().find(|r| {
            entry_type(r) == Some("AWS::IAM::Role")
                && r.value
                    .get("Properties")
                    .and_then(|p| p.get("RoleName"))
                    .and_then(Node::scalar_text)
                    == Some(name)
        });
        if let Some(i) = declared.and_then(|r| {
            model
                .roles
                .iter()
                .position(|role| role.logical_id == r.key.value)
        }) {
            return Ok(RoleTarget::Index(i));
        }
        return Err(not_declared(template, node));
    }
    role_of(template, model, node)
}

fn not_declared(template: &Template<'_>, node: &Node) -> NoRole {
    let mut values = Vec::new();
    template.strings(node, &mut values);
    NoRole::External(
        values
            .first()
            .map_or_else(|| "?".into(), |v| v.text.clone()),
    )
}

/// Whether two nodes are the same value, spans aside.
fn same_value(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::Scalar(x), NodeKind::Scalar(y)) => x.text == y.text,
        (NodeKind::Seq(x), NodeKind::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(a, b)| a.key.value == b.key.value && same_value(&a.value, &b.value))
        }
        _ => false,
    }
}

fn scalar(text: &str, span: Span) -> Node {
    Node {
        span,
        kind: NodeKind::Scalar(Scalar {
            text: text.to_string(),
            style: ScalarStyle::Quoted,
        }),
    }
}

fn map(entries: Vec<(&str, Node)>, span: Span) -> Node {
    Node {
        span,
        kind: NodeKind::Map(
            entries
                .into_iter()
                .map(|(key, value)| Entry {
                    key: Spanned::new(key.to_string(), span),
                    value,
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use crate::load::{load, Loaded};
    use crate::model::{FileModel, PolicyDocument};
    use crate::source::SourceFile;

    fn load_text(name: &str, text: &str) -> Loaded {
        let source = SourceFile::new(name.into(), name.into(), text.into());
        load(0, &source, true).expect("loads")
    }

    /// A policy as (actions, resources) per statement.
    type Summary = Vec<(Vec<String>, Vec<String>)>;

    fn summary(policy: &PolicyDocument) -> Summary {
        policy
            .statements
            .iter()
            .map(|s| {
                let texts = |list: &Option<crate::model::ValueList>| {
                    list.as_ref()
                        .map(|l| l.values.iter().map(|v| v.text.clone()).collect())
                        .unwrap_or_default()
                };
                (texts(&s.action), texts(&s.resource))
            })
            .collect()
    }

    fn connector_policies<'m>(model: &'m FileModel, role: &str) -> Vec<&'m PolicyDocument> {
        let role = model
            .roles
            .iter()
            .find(|r| r.logical_id == role)
            .unwrap_or_else(|| panic!("no role {role}"));
        role.policies
            .iter()
            .map(|&i| &model.policies[i])
            .filter(|p| {
                p.label
                    .as_deref()
                    .is_some_and(|l| l.starts_with("SAM connector"))
            })
            .collect()
    }

    const FUNCTION_TO_TABLE: &str = "\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
  Table:
    Type: AWS::DynamoDB::Table
  FnToTable:
    Type: AWS::Serverless::Connector
    Properties:
      Source:
        Id: Fn
      Destination:
        Id: Table
      Permissions: [Read, Write]
";

    #[test]
    fn function_to_table_grants_the_generated_role_read_and_write() {
        let loaded = load_text("t.yaml", FUNCTION_TO_TABLE);
        assert!(loaded.notes.is_empty(), "{:?}", loaded.notes);
        let model = &loaded.model;
        let role = model
            .roles
            .iter()
            .find(|r| r.logical_id == "FnRole")
            .unwrap();
        assert!(role.origin.is_generated());
        let policies = connector_policies(model, "FnRole");
        assert_eq!(policies.len(), 1);
        let policy = policies[0];
        assert!(policy.synthesized);
        assert_eq!(policy.label.as_deref(), Some("SAM connector `FnToTable`"));
        assert_eq!(policy.related.len(), 1);
        assert_eq!(policy.related[0].label, "connector `FnToTable`");
        assert_eq!(
            &FUNCTION_TO_TABLE[policy.related[0].span.range()],
            "FnToTable"
        );
        assert!(policy.problems.is_empty(), "{:?}", policy.problems);
        let actions: Vec<String> = summary(policy).into_iter().flat_map(|(a, _)| a).collect();
        assert_eq!(
            actions,
            [
                "dynamodb:GetItem",
                "dynamodb:Query",
                "dynamodb:Scan",
                "dynamodb:BatchGetItem",
                "dynamodb:ConditionCheckItem",
                "dynamodb:PartiQLSelect",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:BatchWriteItem",
                "dynamodb:PartiQLDelete",
                "dynamodb:PartiQLInsert",
                "dynamodb:PartiQLUpdate",
            ]
        );
        let table = "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}";
        for statement in &policy.statements {
            let resource = statement.resource.as_ref().unwrap();
            let texts: Vec<&str> = resource.values.iter().map(|v| v.text.as_str()).collect();
            assert_eq!(texts, [table.to_string(), format!("{table}/index/*")]);
            assert!(resource.values.iter().all(|v| !v.resolved));
            // Everything SAM writes points at the connector's `Permissions`.
            assert_eq!(&FUNCTION_TO_TABLE[statement.span.range()], "[Read, Write]");
        }
    }

    #[test]
    fn embedded_connector_grants_the_function_role() {
        let text = "\
Transform: AWS::Serverless-2016-10-31
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Fn:
    Type: AWS::Lambda::Function
    Connectors:
      ToQueue:
        Properties:
          Destination:
            Id: Queue
          Permissions:
            - Write
    Properties:
      Role: !GetAtt Role.Arn
      Runtime: python3.12
      Handler: app.handler
      Code: {ZipFile: x}
  Queue:
    Type: AWS::SQS::Queue
";
        let loaded = load_text("t.yaml", text);
        assert!(loaded.notes.is_empty(), "{:?}", loaded.notes);
        let policies = connector_policies(&loaded.model, "Role");
        assert_eq!(policies.len(), 1);
        assert_eq!(
            policies[0].label.as_deref(),
            Some("SAM connector `ToQueue` of `Fn`")
        );
        assert_eq!(&text[policies[0].related[0].span.range()], "ToQueue");
        assert_eq!(
            summary(policies[0]),
            [(
                vec![
                    "sqs:DeleteMessage".to_string(),
                    "sqs:SendMessage".into(),
                    "sqs:ChangeMessageVisibility".into(),
                    "sqs:PurgeQueue".into(),
                ],
                vec!["arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Queue}".to_string()],
            )]
        );
    }

    #[test]
    fn each_destination_of_a_list_gets_a_policy() {
        let text = "\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
  Bucket:
    Type: AWS::S3::Bucket
  Topic:
    Type: AWS::SNS::Topic
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: A, States: {A: {Type: Succeed}}}
  Out:
    Type: AWS::Serverless::Connector
    Properties:
      Source:
        Id: Fn
      Destination:
        - Id: Bucket
        - Type: AWS::SNS::Topic
          Arn: !Ref Topic
        - Id: Machine
      Permissions:
        - Write
";
        let loaded = load_text("t.yaml", text);
        assert!(loaded.notes.is_empty(), "{:?}", loaded.notes);
        let policies = connector_policies(&loaded.model, "FnRole");
        let labels: Vec<&str> = policies.iter().filter_map(|p| p.label.as_deref()).collect();
        assert_eq!(
            labels,
            [
                "SAM connector `Out` (destination 1)",
                "SAM connector `Out` (destination 2)",
                "SAM connector `Out` (destination 3)",
            ]
        );
        let resources: Vec<Vec<String>> = policies
            .iter()
            .map(|p| summary(p).into_iter().flat_map(|(_, r)| r).collect())
            .collect();
        let machine = "arn:aws:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${Machine}";
        assert_eq!(
            resources,
            [
                vec![
                    "arn:aws:s3:::${Bucket}".to_string(),
                    "arn:aws:s3:::${Bucket}/*".into()
                ],
                vec!["arn:aws:sns:${AWS::Region}:${AWS::AccountId}:${Topic}".into()],
                vec![
                    machine.to_string(),
                    "arn:aws:states:${AWS::Region}:${AWS::AccountId}:execution:${Machine.Name}:*"
                        .into()
                ],
            ]
        );
        // The user's `!Ref Topic` keeps its own span.
        let topic = policies[1].statements[0].resource.as_ref().unwrap();
        assert_eq!(&text[topic.values[0].span.range()], "!Ref Topic");
    }

    #[test]
    fn unsupported_pairs_and_invalid_connectors_give_notes() {
        let text = "\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
  Key:
    Type: AWS::KMS::Key
  Queue:
    Type: AWS::SQS::Queue
  ToKey:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: Fn}
      Destination: {Id: Key}
      Permissions: [Read]
  BadCategory:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: Fn}
      Destination: {Id: Queue}
      Permissions: [Read, Delete]
  Nowhere:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: Fn}
      Destination: {Id: Missing}
      Permissions: [Read]
  ExternalRole:
    Type: AWS::Serverless::Connector
    Properties:
      Source:
        Type: AWS::Lambda::Function
        Arn: !GetAtt Fn.Arn
        RoleName: SomeoneElsesRole
      Destination: {Id: Queue}
      Permissions: [Read]
";
        let loaded = load_text("t.yaml", text);
        let notes: Vec<(&str, &str)> = loaded
            .notes
            .iter()
            .map(|n| (&text[n.span.range()], n.message.as_str()))
            .collect();
        assert_eq!(
            notes,
            [
                (
                    "{Id: Key}",
                    "connector from `AWS::Lambda::Function` to `AWS::KMS::Key` is not in SAM's connector profiles"
                ),
                (
                    "Delete",
                    "connector `BadCategory`: `Delete` is not an access category of a connector from `AWS::Lambda::Function` to `AWS::SQS::Queue`; valid values are Read, Write"
                ),
                ("Missing", "connector `Nowhere`: no resource `Missing` in this template"),
                (
                    "Type: AWS::Lambda::Function\n        Arn: !GetAtt Fn.Arn\n        RoleName: SomeoneElsesRole",
                    "connector `ExternalRole`: role `SomeoneElsesRole` of its source `AWS::Lambda::Function` is not declared in this template, so the permissions the connector grants are not linted"
                ),
            ]
        );
        assert!(connector_policies(&loaded.model, "FnRole").is_empty());
    }

    fn translator_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sam-translator")
    }

    /// Connector policies per role: the summaries, sorted.
    fn by_role<'m>(
        model: &'m FileModel,
        keep: impl Fn(&PolicyDocument) -> bool,
    ) -> BTreeMap<String, Vec<Summary>> {
        let mut out: BTreeMap<String, Vec<Summary>> = BTreeMap::new();
        for role in &model.roles {
            for &i in &role.policies {
                let policy: &'m PolicyDocument = &model.policies[i];
                if keep(policy) {
                    // The translator's expected outputs list some actions sorted.
                    let mut statements = summary(policy);
                    for (actions, _) in &mut statements {
                        actions.sort();
                    }
                    out.entry(role.logical_id.clone())
                        .or_default()
                        .push(statements);
                }
            }
        }
        for summaries in out.values_mut() {
            summaries.sort();
        }
        out
    }

    /// Compare with what the SAM translator generated for the same inputs: every connector
    /// `AWS::IAM::ManagedPolicy` of the output, loaded as plain CloudFormation, must grant the
    /// same role the same actions on the same resources (both sides evaluated by the same
    /// intrinsic evaluator) as the policies expanded here, and nothing more.
    #[test]
    fn expansions_match_the_sam_translator() {
        const PAIRS: &[&str] = &[
            "connector_function_to_table",
            "connector_sfn_to_sfn",
            "connector_sqs_to_function",
            "connector_rule_to_eventbus",
            "connector_sfn_to_function_without_policy",
            "embedded_connector_function_to_multi_dest",
        ];
        let mut compared = 0;
        for pair in PAIRS {
            let read = |path: PathBuf| {
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            };
            let input = read(translator_dir().join(format!("input/{pair}.yaml")));
            let output = read(translator_dir().join(format!("output/{pair}.json")));
            let ours = load_text(&format!("{pair}.yaml"), &input);
            assert!(ours.notes.is_empty(), "{pair}: {:?}", ours.notes);
            let ours = by_role(&ours.model, |p| {
                p.label
                    .as_deref()
                    .is_some_and(|l| l.starts_with("SAM connector"))
            });
            let json: serde_json::Value = serde_json::from_str(&output).unwrap();
            let generated: Vec<String> = json["Resources"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(_, r)| {
                    r["Type"] == "AWS::IAM::ManagedPolicy"
                        && r["Metadata"].get("aws:sam:connectors").is_some()
                })
                .map(|(id, _)| format!("policy `{id}`"))
                .collect();
            let sam = load_text(&format!("{pair}.json"), &output);
            let sam = by_role(&sam.model, |p| {
                p.label.as_ref().is_some_and(|l| generated.contains(l))
            });
            assert_eq!(
                sam.values().map(Vec::len).sum::<usize>(),
                generated.len(),
                "{pair}: a generated policy is on no role of the output"
            );
            assert_eq!(ours, sam, "{pair}");
            compared += generated.len();
        }
        assert!(compared >= 12, "{compared}");
    }
}
