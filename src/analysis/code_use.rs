//! What a role's functions call in their code (from `Function::code_calls`), shared by
//! `unused-permission` and `missing-permission`.

use super::grants::{Holder, Subject};
use crate::catalog::{catalog, glob_match_ci};
use crate::model::{FileModel, Function, SdkCall};

/// A role whose functions all had their code read.
pub(crate) struct RoleCode<'m> {
    pub role: usize,
    pub functions: Vec<&'m Function>,
    pub calls: Vec<&'m SdkCall>,
    /// Places where the code picks services or methods at run time.
    pub dynamic: Vec<&'m str>,
    pub files: usize,
}

impl RoleCode<'_> {
    /// The distinct actions the calls need that the pattern covers, sorted.
    pub fn used_under(&self, pattern: &str) -> Vec<&str> {
        let mut used: Vec<&str> = self
            .calls
            .iter()
            .flat_map(|c| c.actions.iter().flatten())
            .filter(|action| glob_match_ci(pattern, action))
            .map(String::as_str)
            .collect();
        used.sort_unstable();
        used.dedup();
        used
    }

    /// Whether the code calls an operation of the pattern's service whose IAM action the
    /// catalog does not know: what that call needs is unknown, so no grant of the service
    /// can be called unused.
    pub fn unsure_about(&self, pattern: &str) -> bool {
        let Some((service, _)) = pattern.split_once(':') else {
            return true;
        };
        self.calls.iter().any(|call| {
            call.service.eq_ignore_ascii_case(service)
                && call
                    .actions
                    .iter()
                    .flatten()
                    .any(|a| catalog().action(a).is_none())
        })
    }

    /// How sure a "never called" statement is, for messages.
    pub fn certainty(&self) -> String {
        let files = if self.files == 1 { "file" } else { "files" };
        match self.dynamic.first() {
            None => format!("{} code {files} read, no dynamic client creation seen", self.files),
            Some(first) => format!(
                "{} code {files} read; the code also chooses clients or methods at run time ({first}), so this may be in use",
                self.files
            ),
        }
    }
}

/// Roles of the template whose functions all have analysed code, with their calls.
pub(crate) fn roles_with_code(model: &FileModel) -> Vec<RoleCode<'_>> {
    let mut out = Vec::new();
    for role in 0..model.roles.len() {
        let functions: Vec<&Function> = model.functions_of_role(role).collect();
        if functions.is_empty() || functions.iter().any(|f| f.code_calls.is_none()) {
            continue;
        }
        let analysed = functions.iter().filter_map(|f| f.code_calls.as_ref());
        let mut calls = Vec::new();
        let mut dynamic = Vec::new();
        let mut files = 0;
        for code in analysed {
            calls.extend(code.calls.iter());
            dynamic.extend(code.dynamic.iter().map(String::as_str));
            files += code.files.len();
        }
        out.push(RoleCode {
            role,
            functions,
            calls,
            dynamic,
            files,
        });
    }
    out
}

/// The subject holding a role's permissions; `None` when the role has no policy at all.
pub(crate) fn subject_of_role<'a, 'm>(
    subjects: &'a [Subject<'m>],
    role: usize,
) -> Option<&'a Subject<'m>> {
    subjects
        .iter()
        .find(|s| matches!(s.holder, Holder::Role { index, .. } if index == role))
}

/// Actions Lambda itself uses with the function's role, whatever the code does: writing
/// logs and traces, attaching to a VPC, reading event sources, sending to a dead-letter
/// queue, decrypting environment variables.
const PLATFORM_ACTIONS: &[&str] = &[
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "kms:Decrypt",
];

/// Event-source pollers and destinations: actions the Lambda service calls with the role
/// for a function that has such a trigger or target.
const EVENT_ACTIONS: &[&str] = &[
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",
    "sqs:SendMessage",
    "sns:Publish",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:ListShards",
    "kinesis:ListStreams",
    "kinesis:SubscribeToShard",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:DescribeStream",
    "dynamodb:ListStreams",
    "kafka:DescribeCluster",
    "kafka:GetBootstrapBrokers",
];

/// What the poller of an Amazon MQ or Kafka event source uses: the broker or cluster, its
/// credentials secret and the network it runs in.
const BROKER_ACTIONS: &[&str] = &[
    "mq:DescribeBroker",
    "secretsmanager:GetSecretValue",
    "kafka:DescribeClusterV2",
    "kafka:ListScramSecrets",
    "ec2:DescribeVpcs",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
];

/// Whether a granted pattern covers an action the Lambda service uses on the function's
/// behalf, so that not seeing it in the code proves nothing.
pub(crate) fn used_by_platform(pattern: &str, functions: &[&Function]) -> bool {
    let triggered = functions
        .iter()
        .any(|f| !f.events.is_empty() || f.dead_letter.is_some() || f.on_failure_destination);
    let events: &[&str] = if triggered { EVENT_ACTIONS } else { &[] };
    let brokered = functions.iter().any(|f| {
        f.events
            .iter()
            .any(|e| matches!(e.kind.as_str(), "MQ" | "MSK" | "SelfManagedKafka"))
    });
    let brokers: &[&str] = if brokered { BROKER_ACTIONS } else { &[] };
    PLATFORM_ACTIONS
        .iter()
        .chain(events)
        .chain(brokers)
        .any(|action| glob_match_ci(pattern, action))
}
