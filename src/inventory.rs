//! The function inventory: for each function of a model, its role, where each of its
//! permissions comes from and what it is granted per service and access level. Built only
//! when a report shows it (`--format html`): expanding `*` touches every catalog action.
//!
//! Grants are read from the Allow statements of the role's identity policies and the AWS
//! managed policies it attaches. An unconditional `Deny` on every resource takes actions
//! away; conditions and resource scoping are not evaluated here (the rules judge those), so
//! the counts say what a function may call at most, on some resource.

use std::collections::BTreeMap;

use crate::analysis::managed;
use crate::catalog::{catalog, AccessLevel, AccessLevelSummary, Action, Expansion};
use crate::model::{Effect, FileModel, Function, PolicyDocument, PolicyKind, Statement};
use crate::source::{FileId, Span};

/// One function and what it may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionInventory {
    pub file: FileId,
    pub logical_id: String,
    /// Framework path (CDK construct path), when there is one.
    pub path: Option<String>,
    /// The logical id key: where `file:line` links point.
    pub span: Span,
    pub runtime: Option<String>,
    pub role: RoleRef,
    pub sources: Vec<PermissionSource>,
    /// Services with at least one granted action, by prefix.
    pub services: Vec<ServiceAccess>,
    /// Action values the catalog cannot expand: unresolved (`!Sub`, parameters), unknown
    /// services or patterns that match nothing.
    pub unevaluated: Vec<String>,
    /// Places that belong to the function: its resource, its role's resource, its
    /// policies and the references that attach managed policies. A finding pointing into
    /// one of them is about this function.
    pub regions: Vec<Span>,
}

/// The role a function runs as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleRef {
    /// Declared in the template (or generated from it by SAM, `generated` set).
    Declared {
        name: String,
        generated: bool,
        span: Span,
        /// How many functions of the file share it.
        shared_by: usize,
    },
    /// An ARN or import from outside the template: its policies are not known.
    External(String),
    None,
}

/// Where a permission comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SourceKind {
    /// A policy written in the role (or in a SAM function's `Policies`).
    Inline,
    /// An `AWS::IAM::Policy` attached to the role.
    Attached,
    /// An `AWS::IAM::ManagedPolicy` of the template, or a customer managed ARN.
    CustomerManaged,
    AwsManaged,
    SamPolicyTemplate,
    SamConnector,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Inline => "inline policy",
            SourceKind::Attached => "attached policy",
            SourceKind::CustomerManaged => "customer managed policy",
            SourceKind::AwsManaged => "AWS managed policy",
            SourceKind::SamPolicyTemplate => "SAM policy template",
            SourceKind::SamConnector => "SAM connector",
        }
    }
}

/// One policy that grants the function permissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionSource {
    pub kind: SourceKind,
    /// The policy's label or the managed policy's name.
    pub name: String,
    /// The document, or the reference that attaches a managed policy.
    pub span: Span,
    /// Catalog actions this policy alone allows (before other policies' denies).
    pub actions: usize,
    /// Wildcard action values it allows (`*`, `s3:*`, `s3:Get*`, `NotAction`).
    pub wildcards: Vec<String>,
    /// Its document is not known (a customer managed ARN from elsewhere, a retired
    /// AWS managed policy): what it grants is not counted.
    pub opaque: bool,
}

/// Granted actions of one service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceAccess {
    pub prefix: &'static str,
    pub name: &'static str,
    /// Actions of the service in the catalog.
    pub catalog_actions: usize,
    pub levels: AccessLevelSummary,
    /// Granted actions by name, in catalog order.
    pub actions: Vec<&'static str>,
    /// Some action is granted only through a wildcard value.
    pub by_wildcard: bool,
    /// Some action is allowed on every resource (`*` or `NotResource`).
    pub any_resource: bool,
}

impl ServiceAccess {
    pub fn count(&self, level: AccessLevel) -> usize {
        self.levels.count(level)
    }
}

impl FunctionInventory {
    pub fn total_actions(&self) -> usize {
        self.services.iter().map(|s| s.levels.total()).sum()
    }

    pub fn level_total(&self, level: AccessLevel) -> usize {
        self.services.iter().map(|s| s.count(level)).sum()
    }

    /// The function's name as shown: logical id, then the framework path.
    pub fn display_name(&self) -> String {
        match &self.path {
            Some(path) => format!("{} ({path})", self.logical_id),
            None => self.logical_id.clone(),
        }
    }
}

/// How an action was granted, merged over every statement that grants it.
#[derive(Clone, Copy, Default)]
struct Reach {
    by_name: bool,
    any_resource: bool,
}

/// The inventory of every function a unit loaded. The resource spans of each function's
/// file (logical id through the end of the definition) give a function and its role their
/// whole extent.
pub fn of_model(loaded: &crate::load::Loaded) -> Vec<FunctionInventory> {
    let model = &loaded.model;
    model
        .functions
        .iter()
        .enumerate()
        .map(|(index, function)| {
            let resources = loaded
                .file(function.file)
                .map(|f| f.resources.as_slice())
                .unwrap_or_default();
            of_function(model, index, function, resources)
        })
        .collect()
}

fn of_function(
    model: &FileModel,
    index: usize,
    function: &Function,
    resources: &[Span],
) -> FunctionInventory {
    let extent = |span: Span| {
        resources
            .iter()
            .find(|r| r.start <= span.start && span.end <= r.end)
            .copied()
            .unwrap_or(span)
    };
    let mut regions = vec![extent(function.span).cover(function.properties_span)];
    // Resource-based permissions (`AWS::Lambda::Permission`) that name the function.
    let permissions = model
        .permissions
        .iter()
        .filter(|p| p.function == Some(index));
    regions.extend(permissions.map(|p| extent(p.span)));
    let mut sources = Vec::new();
    let mut granted: BTreeMap<Action<'static>, Reach> = BTreeMap::new();
    let mut denied: Vec<Action<'static>> = Vec::new();
    let mut unevaluated = Vec::new();
    let role = match (function.role, &function.external_role) {
        (Some(role_index), _) => match model.roles.get(role_index) {
            Some(role) => {
                regions.push(extent(role.span));
                let policies = role
                    .policies
                    .iter()
                    .filter_map(|&i| model.policies.get(i))
                    .filter(|p| p.kind == PolicyKind::Identity);
                for policy in policies {
                    regions.push(policy.span);
                    let mut own = Grants::default();
                    own.add_policy(policy, &mut unevaluated);
                    sources.push(own.source(classify(policy), label(policy), policy.span));
                    own.merge_into(&mut granted, &mut denied);
                }
                for reference in &role.managed_policies {
                    regions.push(reference.span);
                    let resolved = reference
                        .aws_managed
                        .then(|| managed::resolve(&reference.name))
                        .flatten()
                        .filter(|r| r.policy.document_json.is_some());
                    let kind = if reference.aws_managed {
                        SourceKind::AwsManaged
                    } else {
                        SourceKind::CustomerManaged
                    };
                    match resolved {
                        Some(resolved) => {
                            let mut own = Grants::default();
                            own.add_policy(resolved.document, &mut unevaluated);
                            sources.push(own.source(kind, reference.name.clone(), reference.span));
                            own.merge_into(&mut granted, &mut denied);
                        }
                        None => sources.push(PermissionSource {
                            kind,
                            name: reference.name.clone(),
                            span: reference.span,
                            actions: 0,
                            wildcards: Vec::new(),
                            opaque: true,
                        }),
                    }
                }
                RoleRef::Declared {
                    name: role.logical_id.clone(),
                    generated: role.origin.is_generated(),
                    span: role.span,
                    shared_by: model.functions_of_role(role_index).count(),
                }
            }
            None => RoleRef::None,
        },
        (None, Some(external)) => RoleRef::External(external.value.clone()),
        (None, None) => RoleRef::None,
    };
    for action in &denied {
        granted.remove(action);
    }
    unevaluated.sort();
    unevaluated.dedup();
    FunctionInventory {
        file: function.file,
        logical_id: function.logical_id.clone(),
        path: function.origin.path.clone(),
        span: function.span,
        runtime: function.runtime.as_ref().map(|r| r.value.clone()),
        role,
        sources,
        services: by_service(&granted),
        unevaluated,
        regions,
    }
}

/// What one policy grants and denies.
#[derive(Default)]
struct Grants {
    allowed: BTreeMap<Action<'static>, Reach>,
    denied: Vec<Action<'static>>,
    wildcards: Vec<String>,
}

impl Grants {
    fn add_policy(&mut self, policy: &PolicyDocument, unevaluated: &mut Vec<String>) {
        for statement in &policy.statements {
            let effect = statement.effect.as_ref().map(|e| e.value);
            match effect {
                Some(Effect::Allow) => self.add_allow(statement, unevaluated),
                Some(Effect::Deny) if denies_everywhere(statement) => {
                    let mut actions = BTreeMap::new();
                    expand_list(statement, &mut actions, &mut Vec::new(), &mut Vec::new());
                    self.denied.extend(actions.into_keys());
                }
                _ => {}
            }
        }
    }

    fn add_allow(&mut self, statement: &Statement, unevaluated: &mut Vec<String>) {
        let any_resource = statement
            .resource
            .as_ref()
            .is_none_or(|r| r.negated || r.values.iter().any(|v| v.is_star()));
        let mut actions = BTreeMap::new();
        expand_list(statement, &mut actions, &mut self.wildcards, unevaluated);
        for (action, by_name) in actions {
            let reach = self.allowed.entry(action).or_default();
            reach.by_name |= by_name;
            reach.any_resource |= any_resource;
        }
    }

    fn source(&self, kind: SourceKind, name: String, span: Span) -> PermissionSource {
        let mut wildcards: Vec<String> = Vec::new();
        for w in &self.wildcards {
            if !wildcards.contains(w) {
                wildcards.push(w.clone());
            }
        }
        PermissionSource {
            kind,
            name,
            span,
            actions: self.allowed.len(),
            wildcards,
            opaque: false,
        }
    }

    fn merge_into(
        self,
        granted: &mut BTreeMap<Action<'static>, Reach>,
        denied: &mut Vec<Action<'static>>,
    ) {
        for (action, reach) in self.allowed {
            let merged = granted.entry(action).or_default();
            merged.by_name |= reach.by_name;
            merged.any_resource |= reach.any_resource;
        }
        denied.extend(self.denied);
    }
}

/// An unconditional Deny on every resource: it takes its actions away whatever the Allow.
fn denies_everywhere(statement: &Statement) -> bool {
    let everywhere = statement
        .resource
        .as_ref()
        .is_some_and(|r| !r.negated && r.values.iter().any(|v| v.is_star()));
    everywhere && statement.condition.is_empty()
}

/// The catalog actions a statement's `Action` (or `NotAction`) names, each with whether
/// some value names it exactly. Wildcard values go to `wildcards`, values the catalog
/// cannot expand to `unevaluated`.
fn expand_list(
    statement: &Statement,
    out: &mut BTreeMap<Action<'static>, bool>,
    wildcards: &mut Vec<String>,
    unevaluated: &mut Vec<String>,
) {
    let Some(list) = &statement.action else {
        return;
    };
    let cat = catalog();
    if list.negated {
        // Everything the list leaves out; an unresolved value could leave out more.
        let excluded: Vec<&str> = list
            .values
            .iter()
            .filter(|v| v.resolved)
            .map(|v| v.text.as_str())
            .collect();
        wildcards.push("NotAction".into());
        for action in cat.services().flat_map(|s| s.actions()) {
            let name = action.full_name();
            if !excluded
                .iter()
                .any(|p| crate::catalog::glob_match_ci(p, &name))
            {
                out.insert(action, false);
            }
        }
        return;
    }
    for value in &list.values {
        if !value.resolved {
            unevaluated.push(value.text.clone());
            continue;
        }
        let text = value.text.as_str();
        let wildcard = text.contains(['*', '?']);
        match cat.expand(text) {
            Expansion::Actions(actions) if !actions.is_empty() => {
                if wildcard {
                    wildcards.push(text.to_string());
                }
                for action in actions {
                    *out.entry(action).or_default() |= !wildcard;
                }
            }
            _ => unevaluated.push(text.to_string()),
        }
    }
}

fn by_service(granted: &BTreeMap<Action<'static>, Reach>) -> Vec<ServiceAccess> {
    let cat = catalog();
    let mut services: Vec<ServiceAccess> = Vec::new();
    // The map is in catalog order, which groups actions by service.
    for (action, reach) in granted {
        let prefix = action.service();
        let current = match services.last_mut() {
            Some(s) if s.prefix == prefix => s,
            _ => {
                let Some(service) = cat.service(prefix) else {
                    continue;
                };
                services.push(ServiceAccess {
                    prefix,
                    name: service.name(),
                    catalog_actions: service.action_count(),
                    levels: AccessLevelSummary::default(),
                    actions: Vec::new(),
                    by_wildcard: false,
                    any_resource: false,
                });
                match services.last_mut() {
                    Some(s) => s,
                    None => continue,
                }
            }
        };
        current.levels.add(action.access_level());
        current.actions.push(action.name());
        current.by_wildcard |= !reach.by_name;
        current.any_resource |= reach.any_resource;
    }
    services
}

/// The policy's label, or a generic name when the loader gave none.
fn label(policy: &PolicyDocument) -> String {
    policy.label.clone().unwrap_or_else(|| "policy".into())
}

/// Which kind of policy a role policy is. The model records this only in the loaders'
/// labels (`SAM policy template ...`) and in the resource a policy came from (the related
/// location `managedpolicy ...` / `policy ...`); `kinds_of_a_loaded_template` pins the
/// loaders' wording so a change there fails a test rather than mislabelling.
fn classify(policy: &PolicyDocument) -> SourceKind {
    let label = policy.label.as_deref().unwrap_or("");
    let resource = policy.related.first().map_or("", |r| r.label.as_str());
    if label.starts_with("SAM policy template") {
        SourceKind::SamPolicyTemplate
    } else if label.starts_with("SAM connector") {
        SourceKind::SamConnector
    } else if resource.starts_with("managedpolicy ") {
        SourceKind::CustomerManaged
    } else if resource.starts_with("policy ") {
        SourceKind::Attached
    } else {
        SourceKind::Inline
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn inventory(text: &str) -> Vec<FunctionInventory> {
        let source = SourceFile::new("t.yaml".into(), "t.yaml".into(), text.into());
        let loaded = crate::load::load(0, &source, true).expect("loads");
        of_model(&loaded)
    }

    const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - DynamoDBReadPolicy:
            TableName: !Ref Table
        - Statement:
            - Effect: Allow
              Action: logs:*
              Resource: "*"
  Writer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Role: !GetAtt WriterRole.Arn
  WriterRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
        - !Ref SharedPolicy
        - arn:aws:iam::111122223333:policy/elsewhere
      Policies:
        - PolicyName: own
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [sqs:SendMessage, "${Undefined}"]
                Resource: !GetAtt Queue.Arn
              - Effect: Deny
                Action: s3:GetObjectTagging
                Resource: "*"
  SharedPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: dynamodb:PutItem
            Resource: "*"
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref WriterRole]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: ["sns:Publish", "nosuch:Thing"]
            Resource: "*"
"#;

    fn kinds(f: &FunctionInventory) -> Vec<(SourceKind, &str)> {
        f.sources
            .iter()
            .map(|s| (s.kind, s.name.as_str()))
            .collect()
    }

    #[test]
    fn kinds_of_a_loaded_template() {
        let inv = inventory(TEMPLATE);
        assert_eq!(inv.len(), 2);
        let reader = &inv[0];
        assert_eq!(reader.logical_id, "Reader");
        assert!(matches!(
            &reader.role,
            RoleRef::Declared { name, generated: true, shared_by: 1, .. } if name == "ReaderRole"
        ));
        let reader_kinds: Vec<SourceKind> = reader.sources.iter().map(|s| s.kind).collect();
        assert_eq!(
            reader_kinds,
            [
                SourceKind::SamPolicyTemplate,
                SourceKind::Inline,
                SourceKind::AwsManaged
            ]
        );
        assert_eq!(reader.sources[1].wildcards, ["logs:*"]);
        assert_eq!(reader.sources[2].name, "AWSLambdaBasicExecutionRole");

        let writer = &inv[1];
        let mut writer_kinds = kinds(writer);
        writer_kinds.sort();
        assert_eq!(
            writer_kinds.iter().map(|k| k.0).collect::<Vec<_>>(),
            [
                SourceKind::Inline,
                SourceKind::Attached,
                SourceKind::CustomerManaged,
                SourceKind::CustomerManaged,
                SourceKind::AwsManaged,
            ]
        );
        let opaque: Vec<&str> = writer
            .sources
            .iter()
            .filter(|s| s.opaque)
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(opaque, ["elsewhere"]);
        assert_eq!(writer.unevaluated, ["${Undefined}", "nosuch:Thing"]);
    }

    #[test]
    fn counts_per_service_and_level() {
        let inv = inventory(TEMPLATE);
        let reader = &inv[0];
        let logs = reader
            .services
            .iter()
            .find(|s| s.prefix == "logs")
            .expect("logs");
        // `logs:*` grants the whole service, through a wildcard, on every resource.
        assert_eq!(logs.levels.total(), logs.catalog_actions);
        assert!(logs.by_wildcard && logs.any_resource);
        let dynamodb = reader
            .services
            .iter()
            .find(|s| s.prefix == "dynamodb")
            .expect("dynamodb");
        assert!(dynamodb.actions.contains(&"GetItem"));
        assert_eq!(dynamodb.count(AccessLevel::Write), 0);
        assert!(!dynamodb.by_wildcard && !dynamodb.any_resource);

        let writer = &inv[1];
        let s3 = writer
            .services
            .iter()
            .find(|s| s.prefix == "s3")
            .expect("s3");
        // The role's unconditional Deny takes one action of the read-only policy away.
        assert!(!s3.actions.contains(&"GetObjectTagging"));
        assert!(s3.actions.contains(&"GetObject"));
        assert!(s3.by_wildcard);
        let sqs = writer
            .services
            .iter()
            .find(|s| s.prefix == "sqs")
            .expect("sqs");
        assert_eq!(sqs.actions, ["SendMessage"]);
        assert!(!sqs.any_resource);
        assert_eq!(
            writer.total_actions(),
            writer
                .services
                .iter()
                .map(|s| s.actions.len())
                .sum::<usize>()
        );
    }

    #[test]
    fn regions_cover_the_function_its_role_and_policies() {
        let inv = inventory(TEMPLATE);
        let writer = &inv[1];
        let at = |needle: &str| TEMPLATE.find(needle).expect("needle") as u32;
        let inside = |offset: u32| {
            writer
                .regions
                .iter()
                .any(|r| r.start <= offset && offset < r.end)
        };
        assert!(inside(at("Role: !GetAtt WriterRole.Arn")));
        assert!(inside(at("sts:AssumeRole")));
        assert!(inside(at("sns:Publish")));
        assert!(!inside(at("DynamoDBReadPolicy")));
    }

    #[test]
    fn not_action_grants_the_rest_and_external_roles_are_opaque() {
        let text = r#"Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt R.Arn
  R:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                NotAction: iam:*
                Resource: "*"
  Other:
    Type: AWS::Lambda::Function
    Properties:
      Role: arn:aws:iam::111122223333:role/x
"#;
        let inv = inventory(text);
        assert_eq!(inv.len(), 2);
        let f = &inv[0];
        assert!(f.services.iter().all(|s| s.prefix != "iam"));
        assert!(f.services.len() > 100);
        assert_eq!(f.sources[0].wildcards, ["NotAction"]);
        assert!(matches!(&inv[1].role, RoleRef::External(arn) if arn.contains("role/x")));
        assert!(inv[1].services.is_empty());
    }
}
