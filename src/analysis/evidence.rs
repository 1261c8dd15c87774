//! What the model says a function needs, as evidence for fixes: whether a hand-written log
//! statement repeats what AWS's basic execution policy already gives the role, and the log
//! groups a log statement of an explicit role can be scoped to.

use crate::finding::{Applicability, Edit, Fix};
use crate::model::{
    FileModel, Function, LogGroupRef, PolicyDocument, PolicyValue, Role, Statement,
};

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

/// The actions a scoped log statement lists, as a flow list that reads the same in JSON
/// and YAML.
const LOG_ACTIONS_LIST: &str =
    "[\"logs:CreateLogGroup\", \"logs:CreateLogStream\", \"logs:PutLogEvents\"]";

/// A fix that scopes a statement granting log writing on `*` to the log groups of the
/// functions whose explicit role holds it: `logs:*` becomes the three log actions and `*`
/// the groups' ARNs, written as the loader names them (`!Sub` with the function's
/// `FunctionName`). Unsafe: a function that writes to other log groups loses that.
/// Display-only when the only name is the function's own reference and the policy sits
/// inside the role (Function → Role → Function would be a dependency cycle). `None` when
/// the statement is not of that shape, a role is generated, or a group cannot be named.
pub fn scoped_log_fix(
    model: &FileModel,
    policy: &PolicyDocument,
    statement: &Statement,
) -> Option<Fix> {
    let (actions, resources) = (statement.action.as_ref()?, statement.resource.as_ref()?);
    let star = match resources.values.as_slice() {
        [only] if only.is_star() && !resources.negated => only,
        _ => return None,
    };
    if !statement.is_allow()
        || !statement.condition.is_empty()
        || statement.principal.is_some()
        || actions.negated
        || actions.has_unknown
        || !actions.values.iter().all(is_log_writing_action)
    {
        return None;
    }
    let index = model
        .policies
        .iter()
        .position(|p| std::ptr::eq(p, policy))?;
    let roles: Vec<(usize, &Role)> = model
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| r.policies.contains(&index))
        .collect();
    if roles.is_empty() || roles.iter().any(|(_, r)| r.origin.is_generated()) {
        return None;
    }
    let functions: Vec<&Function> = roles
        .iter()
        .flat_map(|(i, _)| model.functions_of_role(*i))
        .collect();
    let mut groups: Vec<&LogGroupRef> = Vec::new();
    for function in &functions {
        let group = function.log_group.as_ref()?;
        if !groups.iter().any(|g| g.arn == group.arn) {
            groups.push(group);
        }
    }
    let mut edits = Vec::new();
    if actions
        .values
        .iter()
        .any(|a| a.text.eq_ignore_ascii_case("logs:*"))
    {
        // Only a lone `logs:*` is replaced: inside a list the surrounding syntax (a YAML
        // block list) is not known here.
        match actions.values.as_slice() {
            [only] if only.span == actions.span => edits.push(Edit {
                span: only.span,
                replacement: LOG_ACTIONS_LIST.to_string(),
            }),
            _ => return None,
        }
    }
    let replacement = match groups.as_slice() {
        [] => return None,
        [one] => one.arn.clone(),
        // Several values only where the value is a scalar of its own (not a list item).
        many if star.span == resources.span => {
            let arns: Vec<&str> = many.iter().map(|g| g.arn.as_str()).collect();
            format!("[{}]", arns.join(", "))
        }
        _ => return None,
    };
    edits.push(Edit {
        span: star.span,
        replacement,
    });
    let names: Vec<String> = functions.iter().map(|f| f.display_name()).collect();
    let inline = policy
        .related
        .iter()
        .any(|r| roles.iter().any(|(_, role)| role.span == r.span));
    let (title, applicability) = if inline && groups.iter().any(|g| g.refers_to_function) {
        (
            format!(
                "give {} an explicit name to scope its logs by, or grant its log group from a policy attached outside the role: the role's own policy naming the function is a dependency cycle",
                names.join(", ")
            ),
            Applicability::DisplayOnly,
        )
    } else {
        (
            format!("scope log writing to the log group of {}", names.join(", ")),
            Applicability::Unsafe,
        )
    };
    Some(Fix {
        title,
        applicability,
        edits,
    })
}

/// For a policy no function is known to use (a standalone policy file): the scoped shape
/// of a log-writing statement on `*`, with placeholders a person fills in. Display-only.
pub fn placeholder_log_fix(statement: &Statement) -> Option<Fix> {
    let (actions, resources) = (statement.action.as_ref()?, statement.resource.as_ref()?);
    let [star] = resources.values.as_slice() else {
        return None;
    };
    if !statement.is_allow()
        || !statement.condition.is_empty()
        || actions.negated
        || actions.has_unknown
        || resources.negated
        || !star.is_star()
        || !actions.values.iter().all(is_log_writing_action)
    {
        return None;
    }
    let mut edits = Vec::new();
    if actions
        .values
        .iter()
        .any(|a| a.text.eq_ignore_ascii_case("logs:*"))
    {
        match actions.values.as_slice() {
            [only] if only.span == actions.span => edits.push(Edit {
                span: only.span,
                replacement: LOG_ACTIONS_LIST.to_string(),
            }),
            _ => return None,
        }
    }
    edits.push(Edit {
        span: star.span,
        replacement:
            "\"arn:aws:logs:<region>:<account-id>:log-group:/aws/lambda/<function-name>:*\""
                .to_string(),
    });
    Some(Fix {
        title:
            "scope log writing to the function's log group, filling in its region, account and name"
                .to_string(),
        applicability: Applicability::DisplayOnly,
        edits,
    })
}
