//! What the model says a function needs, as evidence for fixes: here, whether a hand-written
//! log statement repeats what AWS's basic execution policy already gives the role.

use crate::model::{FileModel, PolicyDocument, PolicyValue, Statement};

/// AWS's managed policy for a function's own logs; SAM attaches it to every role it
/// generates.
pub const BASIC_EXECUTION: &str = "AWSLambdaBasicExecutionRole";

/// The three actions a function needs to write its own logs.
pub const LOG_WRITING: &[&str] = &[
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
];

/// Whether the policy only grants log writing (`logs:*` or the three log actions, on any
/// log group) and every role that holds it also holds `AWSLambdaBasicExecutionRole`, so
/// removing the policy takes nothing away that a function needs for its logs.
pub fn repeats_basic_execution(model: &FileModel, policy: &PolicyDocument) -> bool {
    let Some(index) = model.policies.iter().position(|p| std::ptr::eq(p, policy)) else {
        return false;
    };
    let mut holders = model
        .roles
        .iter()
        .filter(|r| r.policies.contains(&index))
        .peekable();
    if holders.peek().is_none() {
        return false;
    }
    let all_have_basic = holders.all(|role| {
        role.managed_policies
            .iter()
            .any(|m| m.aws_managed && m.name == BASIC_EXECUTION)
    });
    all_have_basic
        && !policy.statements.is_empty()
        && policy.statements.iter().all(only_writes_logs)
}

fn only_writes_logs(statement: &Statement) -> bool {
    let (Some(actions), Some(resources)) = (&statement.action, &statement.resource) else {
        return false;
    };
    statement.is_allow()
        && statement.condition.is_empty()
        && statement.principal.is_none()
        && !actions.negated
        && !resources.negated
        && !actions.has_unknown
        && actions.values.iter().all(is_log_writing_action)
        && resources.values.iter().all(is_log_resource)
}

fn is_log_writing_action(value: &PolicyValue) -> bool {
    value.resolved
        && (value.text.eq_ignore_ascii_case("logs:*")
            || LOG_WRITING
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&value.text)))
}

/// `*`, or an ARN in the logs service.
fn is_log_resource(value: &PolicyValue) -> bool {
    value.is_star() || value.resolved && value.text.split(':').nth(2) == Some("logs")
}
