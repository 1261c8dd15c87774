//! AWS CLI output describing deployed roles and functions (JSON, or YAML with
//! `--output yaml`). The user runs the CLI with their own credentials; iamlint only reads
//! what it printed:
//!
//! - `aws iam get-account-authorization-details` (`RoleDetailList`, `Policies`, ...),
//! - `aws iam get-role`, `get-role-policy`, `get-policy-version`,
//! - `aws lambda list-functions`, `get-function`, `get-function-configuration`,
//!   `get-function-url-config` and `get-policy` (a function's resource policy).
//!
//! Several dumps of one account form one unit ([`load_unit`]): functions are tied to roles,
//! and roles to customer managed policies, by ARN across all of them.

mod decode;

use std::collections::HashMap;

use super::policy_reader::{read_policy, Literal};
use super::{LoadNote, Loaded};
use crate::model::{
    Boundary, EnvValue, EnvVar, EventSource, FileModel, Function, FunctionUrl, LambdaPermission,
    ManagedPolicyRef, PolicyDocument, PolicyKind, Role,
};
use crate::source::{FileId, Spanned};
use crate::syntax::Node;

/// Which command printed a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DumpKind {
    AuthorizationDetails,
    GetRole,
    GetRolePolicy,
    GetPolicyVersion,
    ListFunctions,
    FunctionConfiguration,
    FunctionUrlConfig,
    LambdaPolicy,
    EventInvokeConfig,
}

/// The command whose output this is, judged by its top-level keys.
pub fn dump_kind(root: &Node) -> Option<DumpKind> {
    root.as_map()?;
    let has = |k: &str| root.get(k).is_some();
    Some(
        if has("RoleDetailList") || (has("UserDetailList") && has("Policies")) {
            DumpKind::AuthorizationDetails
        } else if root
            .get("Role")
            .is_some_and(|r| r.get("RoleName").is_some())
        {
            DumpKind::GetRole
        } else if has("RoleName") && has("PolicyName") && has("PolicyDocument") {
            DumpKind::GetRolePolicy
        } else if root
            .get("PolicyVersion")
            .is_some_and(|v| v.get("Document").is_some())
        {
            DumpKind::GetPolicyVersion
        } else if root
            .get("Functions")
            .and_then(Node::as_seq)
            .is_some_and(|f| f.iter().all(|x| x.get("FunctionName").is_some()))
        {
            DumpKind::ListFunctions
        } else if (has("FunctionName") && has("Role"))
            || root
                .get("Configuration")
                .is_some_and(|c| c.get("FunctionName").is_some())
        {
            DumpKind::FunctionConfiguration
        } else if has("FunctionUrl") && has("AuthType") && has("FunctionArn") {
            DumpKind::FunctionUrlConfig
        } else if has("RevisionId") && root.get("Policy").is_some_and(|p| p.as_str().is_some()) {
            DumpKind::LambdaPolicy
        } else if has("FunctionEventInvokeConfigs")
            || (has("FunctionArn") && has("DestinationConfig"))
        {
            DumpKind::EventInvokeConfig
        } else {
            return None;
        },
    )
}

pub fn sniff(root: &Node) -> bool {
    dump_kind(root).is_some()
}

/// One parsed dump file of a unit.
pub struct DumpFile<'a> {
    pub file: FileId,
    pub text: &'a str,
    pub root: &'a Node,
}

/// Load one dump file.
pub fn load(root: &Node, file: FileId, text: &str, loaded: &mut Loaded) {
    load_unit(&[DumpFile { file, text, root }], loaded);
}

/// Load the dumps of one account together, linking functions, roles and policies by ARN.
pub fn load_unit(files: &[DumpFile<'_>], loaded: &mut Loaded) {
    let mut b = Builder::default();
    // Managed policies first, so roles can find the documents they attach.
    for f in files {
        if dump_kind(f.root) == Some(DumpKind::AuthorizationDetails) {
            b.managed_policies(f);
        }
        if dump_kind(f.root) == Some(DumpKind::GetPolicyVersion) {
            b.policy_version(f);
        }
    }
    for f in files {
        match dump_kind(f.root) {
            Some(DumpKind::AuthorizationDetails) => b.authorization_details(f),
            Some(DumpKind::GetRole) => {
                if let Some(role) = f.root.get("Role") {
                    b.role(f, role);
                }
            }
            Some(DumpKind::GetRolePolicy) => b.role_policy(f),
            _ => {}
        }
    }
    for f in files {
        match dump_kind(f.root) {
            Some(DumpKind::ListFunctions) => {
                for function in f
                    .root
                    .get("Functions")
                    .map(Node::one_or_many)
                    .unwrap_or_default()
                {
                    b.function(f, function);
                }
            }
            Some(DumpKind::FunctionConfiguration) => {
                let config = f.root.get("Configuration").unwrap_or(f.root);
                b.function(f, config);
                if let Some(concurrency) = f
                    .root
                    .get("Concurrency")
                    .and_then(|c| c.get("ReservedConcurrentExecutions"))
                {
                    if let Some(last) = b.model.functions.last_mut() {
                        last.reserved_concurrency = Some(concurrency.span);
                    }
                }
            }
            _ => {}
        }
    }
    for f in files {
        match dump_kind(f.root) {
            Some(DumpKind::FunctionUrlConfig) => b.function_url(f),
            Some(DumpKind::LambdaPolicy) => b.lambda_policy(f),
            Some(DumpKind::EventInvokeConfig) => b.event_invoke_configs(f),
            _ => {}
        }
    }
    b.link_roles();
    loaded.notes.append(&mut b.notes);
    loaded.model = b.model;
}

#[derive(Default)]
struct Builder {
    model: FileModel,
    /// Customer managed policy ARN to its default version's document index.
    managed: HashMap<String, usize>,
    /// Role ARN to its index.
    roles_by_arn: HashMap<String, usize>,
    /// Function role ARNs, resolved once every role is read.
    function_roles: Vec<(usize, Spanned<String>)>,
    notes: Vec<LoadNote>,
}

fn str_of<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    node.get(key).and_then(Node::scalar_text)
}

fn spanned(node: &Node, key: &str) -> Option<Spanned<String>> {
    let value = node.get(key)?;
    Some(Spanned::new(value.scalar_text()?.to_string(), value.span))
}

impl Builder {
    /// A policy document given as an object or as a (possibly URL-encoded) JSON string.
    fn document(
        &mut self,
        f: &DumpFile<'_>,
        node: &Node,
        kind: PolicyKind,
        label: String,
    ) -> Option<usize> {
        let decoded;
        let doc = if node.as_map().is_some() {
            node
        } else {
            match decode::string_policy(f.text, node) {
                Some(d) => {
                    decoded = d;
                    &decoded
                }
                None => {
                    self.notes.push(LoadNote {
                        file: f.file,
                        span: node.span,
                        message: format!(
                            "{label} is not a JSON policy document and is not checked"
                        ),
                    });
                    return None;
                }
            }
        };
        let mut policy: PolicyDocument = read_policy(doc, f.file, Some(kind), &Literal);
        policy.label = Some(label);
        self.model.policies.push(policy);
        Some(self.model.policies.len() - 1)
    }

    /// `Policies[]` of the authorization details: customer managed policies by their
    /// default version. AWS managed ones are known to iamlint and stay references.
    fn managed_policies(&mut self, f: &DumpFile<'_>) {
        for policy in f
            .root
            .get("Policies")
            .map(Node::one_or_many)
            .unwrap_or_default()
        {
            let Some(arn) = str_of(policy, "Arn") else {
                continue;
            };
            if arn.contains(":iam::aws:policy/") {
                continue;
            }
            let name = str_of(policy, "PolicyName").unwrap_or(arn).to_string();
            let versions = policy
                .get("PolicyVersionList")
                .map(Node::one_or_many)
                .unwrap_or_default();
            let default_id = str_of(policy, "DefaultVersionId");
            let default = versions.iter().find(|v| {
                v.get("IsDefaultVersion").and_then(Node::scalar_text) == Some("true")
                    || (default_id.is_some() && str_of(v, "VersionId") == default_id)
            });
            let Some(document) = default.and_then(|v| v.get("Document")) else {
                continue;
            };
            if let Some(i) = self.document(
                f,
                document,
                PolicyKind::Identity,
                format!("managed policy `{name}`"),
            ) {
                self.managed.insert(arn.to_string(), i);
            }
        }
    }

    /// `aws iam get-policy-version`: one version of a managed policy (no ARN in the output).
    fn policy_version(&mut self, f: &DumpFile<'_>) {
        let Some(version) = f.root.get("PolicyVersion") else {
            return;
        };
        let Some(document) = version.get("Document") else {
            return;
        };
        let id = str_of(version, "VersionId").unwrap_or("?");
        self.document(
            f,
            document,
            PolicyKind::Identity,
            format!("managed policy version `{id}`"),
        );
    }

    fn authorization_details(&mut self, f: &DumpFile<'_>) {
        for role in f
            .root
            .get("RoleDetailList")
            .map(Node::one_or_many)
            .unwrap_or_default()
        {
            self.role(f, role);
        }
        for (list, what, inline_key) in [
            ("UserDetailList", "user", "UserPolicyList"),
            ("GroupDetailList", "group", "GroupPolicyList"),
        ] {
            for holder in f.root.get(list).map(Node::one_or_many).unwrap_or_default() {
                let name = str_of(
                    holder,
                    if what == "user" {
                        "UserName"
                    } else {
                        "GroupName"
                    },
                )
                .unwrap_or("?")
                .to_string();
                for policy in holder
                    .get(inline_key)
                    .map(Node::one_or_many)
                    .unwrap_or_default()
                {
                    if let Some(doc) = policy.get("PolicyDocument") {
                        let pname = str_of(policy, "PolicyName").unwrap_or("inline");
                        self.document(
                            f,
                            doc,
                            PolicyKind::Identity,
                            format!("policy `{pname}` of {what} `{name}`"),
                        );
                    }
                }
            }
        }
    }

    /// A role from the authorization details or `get-role`.
    fn role(&mut self, f: &DumpFile<'_>, node: &Node) {
        let Some(name) = spanned(node, "RoleName") else {
            return;
        };
        let mut role = Role {
            file: f.file,
            logical_id: name.value.clone(),
            span: name.span,
            policies: Vec::new(),
            managed_policies: Vec::new(),
            trust: None,
            boundary: None,
            origin: crate::model::Origin::new(&crate::load::aws_cli::DEPLOYED),
        };
        if let Some(trust) = node.get("AssumeRolePolicyDocument") {
            self.document(
                f,
                trust,
                PolicyKind::Trust,
                format!("trust policy of role `{}`", name.value),
            );
        }
        for policy in node
            .get("RolePolicyList")
            .map(Node::one_or_many)
            .unwrap_or_default()
        {
            if let Some(doc) = policy.get("PolicyDocument") {
                let pname = str_of(policy, "PolicyName").unwrap_or("inline");
                let label = format!("policy `{pname}` of role `{}`", name.value);
                if let Some(i) = self.document(f, doc, PolicyKind::Identity, label) {
                    role.policies.push(i);
                }
            }
        }
        for attached in node
            .get("AttachedManagedPolicies")
            .map(Node::one_or_many)
            .unwrap_or_default()
        {
            let Some(arn) = attached.get("PolicyArn") else {
                continue;
            };
            let Some(text) = arn.scalar_text() else {
                continue;
            };
            if let Some(&i) = self.managed.get(text) {
                role.policies.push(i);
            } else if text.contains(":iam::aws:policy/") {
                role.managed_policies.push(ManagedPolicyRef {
                    name: text.rsplit('/').next().unwrap_or(text).to_string(),
                    span: arn.span,
                    aws_managed: true,
                });
            } else {
                self.notes.push(LoadNote {
                    file: f.file,
                    span: arn.span,
                    message: format!("customer managed policy `{text}` is not in the dump, so role `{}` is checked without it; dump it with `aws iam get-account-authorization-details`", name.value),
                });
            }
        }
        // A customer managed boundary is found among the dump's policies by ARN.
        role.boundary = node
            .get("PermissionsBoundary")
            .and_then(|b| b.get("PermissionsBoundaryArn"))
            .and_then(|b| {
                let text = b.scalar_text()?;
                let mut boundary = Boundary::named(text, b.span);
                boundary.policy = self.managed.get(text).copied();
                Some(boundary)
            });
        if let Some(arn) = str_of(node, "Arn") {
            self.roles_by_arn
                .insert(arn.to_string(), self.model.roles.len());
        }
        self.model.roles.push(role);
    }

    /// `aws iam get-role-policy`: an inline policy of a role, attached when the role is in
    /// the unit.
    fn role_policy(&mut self, f: &DumpFile<'_>) {
        let role_name = str_of(f.root, "RoleName").unwrap_or("?").to_string();
        let pname = str_of(f.root, "PolicyName").unwrap_or("inline");
        let Some(doc) = f.root.get("PolicyDocument") else {
            return;
        };
        let label = format!("policy `{pname}` of role `{role_name}`");
        if let Some(i) = self.document(f, doc, PolicyKind::Identity, label) {
            if let Some(role) = self
                .model
                .roles
                .iter_mut()
                .find(|r| r.logical_id == role_name)
            {
                role.policies.push(i);
            }
        }
    }

    /// A function configuration (`list-functions` item, `get-function-configuration`).
    fn function(&mut self, f: &DumpFile<'_>, node: &Node) {
        let Some(name) = spanned(node, "FunctionName") else {
            return;
        };
        let mut function = Function::new(f.file, name.value.clone(), name.span, node.span);
        function.runtime = spanned(node, "Runtime");
        function.package_image = str_of(node, "PackageType") == Some("Image");
        function.kms_key = node
            .get("KMSKeyArn")
            .filter(|k| k.scalar_text().is_some_and(|t| !t.is_empty()))
            .map(|k| k.span);
        // `list-functions` prints an empty `VpcConfig` for functions outside a VPC.
        function.vpc_config = node
            .get("VpcConfig")
            .filter(|v| {
                v.get("SubnetIds")
                    .and_then(Node::as_seq)
                    .is_some_and(|s| !s.is_empty())
            })
            .map(|v| v.span);
        function.dead_letter = node
            .get("DeadLetterConfig")
            .and_then(|d| d.get("TargetArn"))
            .map(|t| t.span);
        function.tracing = node.get("TracingConfig").and_then(|t| spanned(t, "Mode"));
        if let Some(variables) = node.get("Environment").and_then(|e| e.get("Variables")) {
            function.environment_span = Some(variables.span);
            function.environment = variables
                .as_map()
                .unwrap_or_default()
                .iter()
                .map(|entry| EnvVar {
                    name: entry.key.clone(),
                    // A deployed value is what the function reads: always literal.
                    value: EnvValue::Literal(entry.value.scalar_text().unwrap_or("").to_string()),
                    value_span: entry.value.span,
                })
                .collect();
        }
        if let Some(role) = spanned(node, "Role") {
            self.function_roles.push((self.model.functions.len(), role));
        }
        self.model.functions.push(function);
    }

    /// The function of this unit an ARN or name refers to.
    fn function_by_ref(&self, reference: &str) -> Option<usize> {
        // `arn:aws:lambda:region:account:function:name[:qualifier]`
        let name = match reference.split(':').collect::<Vec<_>>().as_slice() {
            ["arn", _, "lambda", _, _, "function", name, ..] => *name,
            _ => reference,
        };
        self.model
            .functions
            .iter()
            .position(|f| f.logical_id == name)
    }

    fn function_url(&mut self, f: &DumpFile<'_>) {
        let Some(auth) = spanned(f.root, "AuthType") else {
            return;
        };
        let target = str_of(f.root, "FunctionArn").and_then(|a| self.function_by_ref(a));
        match target {
            Some(i) => self.model.functions[i].url = Some(FunctionUrl { auth_type: auth }),
            None => self.notes.push(LoadNote {
                file: f.file,
                span: auth.span,
                message: "the function of this URL is not in the dump; add its `get-function-configuration` output to check it".into(),
            }),
        }
    }

    /// `list-function-event-invoke-configs` / `get-function-event-invoke-config`: an
    /// on-failure destination stands in for a dead-letter queue.
    fn event_invoke_configs(&mut self, f: &DumpFile<'_>) {
        let configs = match f.root.get("FunctionEventInvokeConfigs") {
            Some(list) => list.one_or_many(),
            None => std::slice::from_ref(f.root),
        };
        for config in configs {
            let on_failure = config
                .get("DestinationConfig")
                .and_then(|d| d.get("OnFailure"))
                .and_then(|o| o.get("Destination"))
                .is_some_and(|d| d.scalar_text().is_some_and(|t| !t.is_empty()));
            let target = str_of(config, "FunctionArn").and_then(|a| self.function_by_ref(a));
            if let (true, Some(i)) = (on_failure, target) {
                self.model.functions[i].on_failure_destination = true;
            }
        }
    }

    /// `aws lambda get-policy`: the resource policy, and a permission per statement.
    fn lambda_policy(&mut self, f: &DumpFile<'_>) {
        let Some(policy_node) = f.root.get("Policy") else {
            return;
        };
        let Some(index) = self.document(
            f,
            policy_node,
            PolicyKind::Resource,
            "resource policy of a function".into(),
        ) else {
            return;
        };
        let policy = self.model.policies[index].clone();
        let mut function_name = None;
        for statement in policy.allow_statements() {
            let Some(principal) = &statement.principal else {
                continue;
            };
            let Some((value, span)) = principal
                .entries
                .iter()
                .flat_map(|e| e.values.iter())
                .map(|v| (v.text.clone(), v.span))
                .next()
            else {
                continue;
            };
            let target = statement
                .resource
                .as_ref()
                .and_then(|r| r.values.first())
                .map(|v| v.text.clone());
            let function = target.as_deref().and_then(|t| self.function_by_ref(t));
            if function_name.is_none() {
                function_name = target.clone();
            }
            let has = |key: &str| statement.has_condition_key(key);
            let url_auth = statement
                .condition_keys()
                .find(|e| {
                    e.key
                        .value
                        .eq_ignore_ascii_case("lambda:FunctionUrlAuthType")
                })
                .and_then(|e| e.values.first())
                .map(|v| v.text.clone());
            if let Some(i) = function {
                if ASYNC_PRINCIPALS.contains(&value.as_str()) {
                    self.model.functions[i].events.push(EventSource {
                        kind: value.clone(),
                        span,
                        asynchronous: true,
                    });
                }
            }
            self.model.permissions.push(LambdaPermission {
                file: f.file,
                span,
                principal: Spanned::new(value, span),
                has_source_arn: has("aws:sourcearn"),
                has_source_account: has("aws:sourceaccount"),
                has_principal_org_id: has("aws:principalorgid"),
                function,
                function_url_auth: url_auth,
                via_function_url: has("lambda:invokedviafunctionurl"),
                logical_id: statement.sid.as_ref().map_or_else(
                    || format!("statement {}", statement.index),
                    |s| s.value.clone(),
                ),
            });
        }
        if let (Some(name), Some(p)) = (function_name, self.model.policies.get_mut(index)) {
            p.label = Some(format!("resource policy of `{name}`"));
        }
    }

    /// Point functions at the roles of the unit by ARN; other roles are external.
    fn link_roles(&mut self) {
        let mut missing: Vec<Spanned<String>> = Vec::new();
        let mut missing_file = 0;
        for (function, role) in std::mem::take(&mut self.function_roles) {
            let found = self.roles_by_arn.get(&role.value).copied().or_else(|| {
                // A role ARN may carry a path (`role/service-role/x`); names are unique.
                let name = role.value.rsplit('/').next()?;
                self.model.roles.iter().position(|r| r.logical_id == name)
            });
            let Some(f) = self.model.functions.get_mut(function) else {
                continue;
            };
            match found {
                Some(i) => f.role = Some(i),
                None => {
                    if missing.is_empty() {
                        missing_file = f.file;
                    }
                    missing.push(role.clone());
                    f.external_role = Some(role);
                }
            }
        }
        if let Some(first) = missing.first() {
            self.notes.push(LoadNote {
                file: missing_file,
                span: first.span,
                message: format!("{} function role(s) such as `{}` are not in this dump, so those permissions are not checked; lint the functions together with `aws iam get-account-authorization-details` output", missing.len(), first.value),
            });
        }
    }
}

/// Service principals that invoke functions asynchronously.
const ASYNC_PRINCIPALS: &[&str] = &[
    "s3.amazonaws.com",
    "sns.amazonaws.com",
    "events.amazonaws.com",
    "logs.amazonaws.com",
    "iot.amazonaws.com",
    "ses.amazonaws.com",
    "scheduler.amazonaws.com",
];

#[cfg(test)]
mod tests;

/// Words for settings of a deployed function: the AWS CLI commands that change them.
pub static DEPLOYED: crate::model::Dialect = crate::model::Dialect {
    name: "AWS CLI",
    kms_key: "set a customer managed KMS key (`aws lambda update-function-configuration --kms-key-arn`)",
    dead_letter: "configure a dead-letter queue (`aws lambda update-function-configuration --dead-letter-config`) or an on-failure destination (`aws lambda put-function-event-invoke-config`)",
    reserved_concurrency: "reserve concurrency (`aws lambda put-function-concurrency`)",
    tracing: "turn on active tracing (`aws lambda update-function-configuration --tracing-config Mode=Active`)",
    vpc: "attach the function to private subnets (`aws lambda update-function-configuration --vpc-config`)",
};

pub static FORMAT: super::Format = super::Format {
    name: "aws-cli",
    title: "AWS CLI output",
    extensions: &[
        ("json", Some("json")),
        ("yaml", Some("yaml")),
        ("yml", Some("yaml")),
    ],
    syntax: super::Syntax::JsonOrYaml,
    grouping: super::Grouping::Folder,
    comments: &super::HASH_COMMENTS,
};

/// Keys only AWS CLI output has (never a template or a policy): the files of a folder that
/// carry one are read together, so functions find their roles across files.
const DUMP_MARKERS: &[&str] = &[
    "RoleDetailList",
    "CodeSha256",
    "RoleId",
    "IsDefaultVersion",
    "RevisionId",
    "FunctionEventInvokeConfigs",
];

/// The dumps of one folder (one account), linked by ARN.
pub struct Loader;

impl super::Loader for Loader {
    fn format(&self) -> &'static super::Format {
        &FORMAT
    }

    fn sniff(&self, input: &super::Sniff<'_>) -> bool {
        input.root.is_some_and(sniff)
    }

    fn joins_folder_unit(&self, source: &crate::source::SourceFile) -> bool {
        // The markers are top-level keys or keys of the first item, so the head of the file
        // tells: every JSON/YAML file of a run is asked, and most are not dumps.
        let head = source.text.get(..source.text.len().min(4096)).unwrap_or("");
        let head = if head.is_empty() {
            source.text.as_str()
        } else {
            head
        };
        DUMP_MARKERS.iter().any(|m| head.contains(m))
    }

    fn load(&self, unit: &super::Unit<'_>, out: &mut Loaded) -> Result<(), super::LoadError> {
        let mut dumps = Vec::new();
        for f in &unit.files {
            let Some(root) = f.document.and_then(|d| d.roots.first()) else {
                continue;
            };
            if dump_kind(root).is_some() {
                dumps.push(DumpFile {
                    file: f.id,
                    text: &f.source.text,
                    root,
                });
            } else {
                out.notes.push(LoadNote {
                    file: f.id,
                    span: root.span,
                    message: "this file has keys of AWS CLI output but is not output iamlint reads; it was not linted".into(),
                });
            }
        }
        load_unit(&dumps, out);
        Ok(())
    }
}
