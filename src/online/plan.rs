//! Which requests to send: one `ValidatePolicy` per policy, plus the custom checks asked for.

use std::collections::HashMap;

use super::document::{self, Rendered};
use super::git;
use super::service::OnlineError;
use super::{Options, Request};
use crate::lint::Outcome;
use crate::load;
use crate::model::{PolicyDocument, PolicyKind};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::Node;

/// A policy sent to the service, with what is needed to place the answers.
#[derive(Debug)]
pub(crate) struct Target {
    pub file: FileId,
    pub policy: PolicyDocument,
    pub rendered: Rendered,
    /// "policy `S3Access` of role `FnRole` in template.yaml", for messages and errors.
    pub label: String,
    pub policy_type: &'static str,
    /// The template resource type holding a resource policy (`AWS::S3::BucketPolicy`).
    pub resource_type: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Job {
    pub target: usize,
    pub request: Request,
}

/// A policy that grants nothing, the reference for a policy that did not exist at the
/// revision `--no-new-access-since` names: all its access is new.
const NOTHING_IDENTITY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
const NOTHING_RESOURCE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#;

pub(crate) fn plan(
    outcome: &Outcome,
    options: &Options,
) -> (Vec<Target>, Vec<Job>, Vec<OnlineError>) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    let revision = match &options.no_new_access_since {
        Some(rev) => match git::verify(rev) {
            Ok(()) => Some(rev.as_str()),
            Err(err) => {
                errors.push(err);
                None
            }
        },
        None => None,
    };
    let mut jobs = Vec::new();
    for (file, source) in outcome.sources.iter().enumerate() {
        // Explicit: a file that loaded offline loads again; one that did not is skipped.
        let document = crate::syntax::parse_auto(
            &source.text,
            crate::load::extension(&source.display) == "json",
        )
        .ok();
        let Ok(loaded) = load::load(file, source, false) else {
            continue;
        };
        let mut previous = revision.map(|rev| Previous::read(rev, source));
        for policy in &loaded.model.policies {
            let resource_type = resource_type(document.as_ref(), policy).map(str::to_string);
            let target = Target {
                file,
                rendered: document::render(policy),
                label: describe(policy, source),
                policy_type: policy_type(policy.kind, resource_type.as_deref()),
                resource_type,
                policy: policy.clone(),
            };
            let index = targets.len();
            let policy_json = target.rendered.json.clone();
            jobs.push(Job {
                target: index,
                request: Request::Validate {
                    policy: policy_json.clone(),
                    policy_type: target.policy_type,
                    resource_type: validate_resource_type(
                        policy.kind,
                        target.resource_type.as_deref(),
                    ),
                },
            });
            let check_type = access_check_policy_type(policy.kind);
            if let (Some(check_type), Some(previous)) = (check_type, previous.as_mut()) {
                let existing = previous.take(policy);
                // An unchanged policy grants nothing new: no call (custom checks are billed).
                if existing.as_deref() != Some(policy_json.as_str()) {
                    let existing = existing.unwrap_or_else(|| {
                        if policy.kind == PolicyKind::Identity {
                            NOTHING_IDENTITY.to_string()
                        } else {
                            NOTHING_RESOURCE.to_string()
                        }
                    });
                    jobs.push(Job {
                        target: index,
                        request: Request::NoNewAccess {
                            policy: policy_json.clone(),
                            existing,
                            policy_type: check_type,
                        },
                    });
                }
            }
            if let (Some(check_type), false) = (check_type, options.deny_actions.is_empty()) {
                if policy.kind != PolicyKind::Trust {
                    jobs.push(Job {
                        target: index,
                        request: Request::AccessNotGranted {
                            policy: policy_json.clone(),
                            actions: options.deny_actions.clone(),
                            policy_type: check_type,
                        },
                    });
                }
            }
            if let Some(public_type) =
                public_access_type(policy.kind, target.resource_type.as_deref())
            {
                jobs.push(Job {
                    target: index,
                    request: Request::NoPublicAccess {
                        policy: policy_json,
                        resource_type: public_type,
                    },
                });
            }
            targets.push(target);
        }
    }
    (targets, jobs, errors)
}

/// The policies of a file at an earlier revision, matched to today's by identity: kind and
/// label (which names the policy and its resource), then order among equals.
struct Previous {
    by_identity: HashMap<(String, String), Vec<String>>,
}

impl Previous {
    fn read(revision: &str, source: &SourceFile) -> Previous {
        let mut by_identity: HashMap<(String, String), Vec<String>> = HashMap::new();
        if let Some(text) = git::show(revision, &source.path) {
            let old = SourceFile::new(source.path.clone(), source.display.clone(), text);
            if let Ok(loaded) = load::load(0, &old, false) {
                for policy in loaded.model.policies.iter().rev() {
                    by_identity
                        .entry(identity(policy))
                        .or_default()
                        .push(document::render(policy).json);
                }
            }
        }
        Previous { by_identity }
    }

    /// The earlier text of this policy, if it existed.
    fn take(&mut self, policy: &PolicyDocument) -> Option<String> {
        self.by_identity.get_mut(&identity(policy))?.pop()
    }
}

fn identity(policy: &PolicyDocument) -> (String, String) {
    (
        format!("{:?}", policy.kind),
        policy.label.clone().unwrap_or_default(),
    )
}

fn describe(policy: &PolicyDocument, source: &SourceFile) -> String {
    match &policy.label {
        Some(label) => format!("{label} in {}", source.display),
        None => format!("policy {}", source.display),
    }
}

/// The CloudFormation type of the resource a policy belongs to: the loader relates each
/// template policy to its resource's logical id, which is looked up in the parsed template.
fn resource_type<'a>(
    document: Option<&'a crate::syntax::Document>,
    policy: &PolicyDocument,
) -> Option<&'a str> {
    let related = policy.related.first()?;
    let root = document?.roots.first()?;
    let resources = root.get("Resources")?.as_map()?;
    let entry = resources.iter().find(|e| e.key.span == related.span)?;
    entry.value.get("Type").and_then(Node::scalar_text)
}

/// `policyType` of ValidatePolicy. Trust policies are resource policies of the role.
fn policy_type(kind: PolicyKind, resource_type: Option<&str>) -> &'static str {
    match kind {
        PolicyKind::Identity => "IDENTITY_POLICY",
        PolicyKind::Resource | PolicyKind::Trust => "RESOURCE_POLICY",
        PolicyKind::Boundary if resource_type == Some("AWS::Organizations::Policy") => {
            "SERVICE_CONTROL_POLICY"
        }
        // A permissions boundary is written like an identity policy.
        PolicyKind::Boundary => "IDENTITY_POLICY",
    }
}

/// `validatePolicyResourceType`: the service checks these resource policies more closely.
fn validate_resource_type(kind: PolicyKind, resource_type: Option<&str>) -> Option<&'static str> {
    match (kind, resource_type?) {
        (PolicyKind::Trust, _) => Some("AWS::IAM::AssumeRolePolicyDocument"),
        (PolicyKind::Resource, "AWS::S3::BucketPolicy") => Some("AWS::S3::Bucket"),
        (PolicyKind::Resource, "AWS::S3::AccessPoint") => Some("AWS::S3::AccessPoint"),
        (PolicyKind::Resource, "AWS::S3::MultiRegionAccessPointPolicy") => {
            Some("AWS::S3::MultiRegionAccessPoint")
        }
        (PolicyKind::Resource, "AWS::S3ObjectLambda::AccessPointPolicy") => {
            Some("AWS::S3ObjectLambda::AccessPoint")
        }
        (PolicyKind::Resource, "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable") => {
            Some("AWS::DynamoDB::Table")
        }
        _ => None,
    }
    .or(match kind {
        // A trust policy outside a template (raw JSON) is still a role's trust policy.
        PolicyKind::Trust => Some("AWS::IAM::AssumeRolePolicyDocument"),
        _ => None,
    })
}

/// `policyType` of the custom checks, which take identity and resource policies only.
fn access_check_policy_type(kind: PolicyKind) -> Option<&'static str> {
    match kind {
        PolicyKind::Identity => Some("IDENTITY_POLICY"),
        PolicyKind::Resource | PolicyKind::Trust => Some("RESOURCE_POLICY"),
        PolicyKind::Boundary => None,
    }
}

/// `resourceType` of CheckNoPublicAccess for a resource policy, when the service knows it.
fn public_access_type(kind: PolicyKind, resource_type: Option<&str>) -> Option<&'static str> {
    if kind == PolicyKind::Trust {
        return Some("AWS::IAM::AssumeRolePolicyDocument");
    }
    if kind != PolicyKind::Resource {
        return None;
    }
    Some(match resource_type? {
        "AWS::S3::BucketPolicy" => "AWS::S3::Bucket",
        "AWS::SQS::QueuePolicy" => "AWS::SQS::Queue",
        "AWS::SNS::TopicPolicy" => "AWS::SNS::Topic",
        "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => "AWS::KMS::Key",
        "AWS::SecretsManager::ResourcePolicy" => "AWS::SecretsManager::Secret",
        "AWS::OpenSearchService::Domain" => "AWS::OpenSearchService::Domain",
        "AWS::ApiGateway::RestApi" => "AWS::ApiGateway::RestApi",
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => "AWS::DynamoDB::Table",
        "AWS::EFS::FileSystem" => "AWS::EFS::FileSystem",
        "AWS::Kinesis::Stream" => "AWS::Kinesis::Stream",
        "AWS::Lambda::Function" => "AWS::Lambda::Function",
        _ => return None,
    })
}

/// The span of statement `index` a check result points at: its `Effect`, else its start.
pub(crate) fn statement_span(policy: &PolicyDocument, index: Option<i64>) -> Span {
    let statement = index
        .and_then(|i| usize::try_from(i).ok())
        .and_then(|i| policy.statements.get(i));
    match statement {
        Some(st) => st.effect.as_ref().map_or_else(|| st.anchor(), |e| e.span),
        None => policy_anchor(policy),
    }
}

/// Where a finding about a whole policy points: its first statement's `Effect`, else the
/// document's start.
pub(crate) fn policy_anchor(policy: &PolicyDocument) -> Span {
    policy
        .statements
        .first()
        .and_then(|st| st.effect.as_ref().map(|e| e.span))
        .unwrap_or_else(|| Span::empty(policy.span.start as usize))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn outcome_of(name: &str, text: &str) -> Outcome {
        Outcome {
            sources: vec![SourceFile::new(name.into(), name.into(), text.into())],
            ..Outcome::default()
        }
    }

    #[test]
    fn picks_policy_and_resource_types_from_the_template() {
        let text = "Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: logs
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: logs:CreateLogGroup
                Resource: '*'
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: b
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: '*'
            Action: s3:GetObject
            Resource: arn:aws:s3:::b/*
";
        let outcome = outcome_of("t.yaml", text);
        let options = Options {
            deny_actions: vec!["iam:PassRole".into()],
            ..Options::default()
        };
        let (targets, jobs, errors) = plan(&outcome, &options);
        assert!(errors.is_empty());
        assert_eq!(targets.len(), 3);
        let summary: Vec<String> = jobs
            .iter()
            .map(|j| match &j.request {
                Request::Validate {
                    policy_type,
                    resource_type,
                    ..
                } => format!("validate {policy_type} {resource_type:?}"),
                Request::AccessNotGranted { policy_type, .. } => format!("denied {policy_type}"),
                Request::NoPublicAccess { resource_type, .. } => format!("public {resource_type}"),
                Request::NoNewAccess { .. } => "new".into(),
            })
            .collect();
        let mut summary = summary;
        summary.sort();
        assert_eq!(
            summary,
            [
                "denied IDENTITY_POLICY",
                "denied RESOURCE_POLICY",
                "public AWS::IAM::AssumeRolePolicyDocument",
                "public AWS::S3::Bucket",
                "validate IDENTITY_POLICY None",
                "validate RESOURCE_POLICY Some(\"AWS::IAM::AssumeRolePolicyDocument\")",
                "validate RESOURCE_POLICY Some(\"AWS::S3::Bucket\")",
            ]
        );
    }
}
