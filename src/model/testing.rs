//! Hand-built models for unit tests.

use crate::model::*;

/// A dialect with SAM's words, so rule tests read like the SAM templates they stand for.
pub static SAM_LIKE: Dialect = Dialect {
    name: "AWS SAM",
    kms_key: "set `KmsKeyArn` to a customer managed KMS key",
    dead_letter: "add a `DeadLetterQueue` (SQS or SNS), or an `EventInvokeConfig` with a `DestinationConfig.OnFailure` destination",
    reserved_concurrency: "set `ReservedConcurrentExecutions`",
    tracing: "set `Tracing: Active`",
    vpc: "attach the function to private subnets with `VpcConfig`",
};
use crate::source::{Span, Spanned};

pub fn span(start: usize, len: usize) -> Span {
    Span::new(start, start + len)
}

pub fn function(logical_id: &str, at: usize) -> Function {
    Function {
        origin: Origin::new(&SAM_LIKE),
        ..Function::new(
            0,
            logical_id,
            span(at, logical_id.len()),
            span(at + 20, 200),
        )
    }
}

pub fn env(name: &str, value: EnvValue, at: usize) -> EnvVar {
    EnvVar {
        name: Spanned::new(name.to_string(), span(at, name.len())),
        value,
        value_span: span(at + name.len() + 2, 30),
    }
}

pub fn literal(name: &str, value: &str, at: usize) -> EnvVar {
    env(name, EnvValue::Literal(value.to_string()), at)
}

pub fn role(logical_id: &str, at: usize, policies: Vec<usize>) -> Role {
    Role {
        file: 0,
        logical_id: logical_id.to_string(),
        span: span(at, logical_id.len()),
        policies,
        managed_policies: Vec::new(),
        trust: None,
        boundary: None,
        origin: Origin::new(&Dialect::GENERIC),
    }
}

pub fn managed(name: &str, aws_managed: bool) -> ManagedPolicyRef {
    ManagedPolicyRef {
        name: name.to_string(),
        span: span(900, name.len()),
        aws_managed,
    }
}

/// An identity policy with one Allow statement per action list.
pub fn allow(statements: &[&[&str]]) -> PolicyDocument {
    PolicyDocument {
        file: 0,
        span: span(500, 300),
        kind: PolicyKind::Identity,
        label: None,
        version: None,
        statements: statements
            .iter()
            .enumerate()
            .map(|(index, actions)| Statement {
                index,
                span: span(500 + index * 50, 40),
                sid: None,
                effect: Some(Spanned::new(Effect::Allow, span(510 + index * 50, 5))),
                action: Some(ValueList {
                    negated: false,
                    key_span: span(520 + index * 50, 6),
                    span: span(528 + index * 50, 10),
                    values: actions
                        .iter()
                        .enumerate()
                        .map(|(i, a)| PolicyValue::literal(*a, span(530 + index * 50 + i, 1)))
                        .collect(),
                    has_unknown: false,
                    alternatives: false,
                }),
                resource: None,
                principal: None,
                condition: Vec::new(),
                condition_span: None,
            })
            .collect(),
        problems: Vec::new(),
        related: Vec::new(),
        synthesized: false,
        removal: None,
    }
}

pub fn permission(logical_id: &str, principal: &str, at: usize) -> LambdaPermission {
    LambdaPermission {
        file: 0,
        span: span(at, principal.len()),
        principal: Spanned::new(principal.to_string(), span(at, principal.len())),
        has_source_arn: false,
        has_source_account: false,
        has_principal_org_id: false,
        function: None,
        function_url_auth: None,
        via_function_url: false,
        logical_id: logical_id.to_string(),
    }
}

pub fn function_of_role(logical_id: &str, role: usize, at: u32) -> Function {
    let at = at as usize;
    Function {
        origin: Origin::new(&SAM_LIKE),
        role: Some(role),
        ..Function::new(
            0,
            logical_id,
            Span::new(at, at + logical_id.len()),
            Span::new(at, at + 1),
        )
    }
}

/// A file with one role holding `policies` (name, aws_managed) and the given functions.
pub fn managed_role_model(
    policies: &[(&str, bool)],
    sam_generated: bool,
    functions: &[&str],
) -> FileModel {
    let role = Role {
        file: 0,
        logical_id: "FnRole".into(),
        span: Span::new(10, 16),
        policies: Vec::new(),
        managed_policies: policies
            .iter()
            .enumerate()
            .map(|(i, (name, aws_managed))| ManagedPolicyRef {
                name: (*name).into(),
                span: Span::new(100 + 50 * i, 120 + 50 * i),
                aws_managed: *aws_managed,
            })
            .collect(),
        trust: None,
        boundary: None,
        origin: Origin {
            generated_by: sam_generated.then_some("SAM"),
            ..Origin::new(&Dialect::GENERIC)
        },
    };
    FileModel {
        roles: vec![role],
        functions: functions
            .iter()
            .enumerate()
            .map(|(i, f)| function_of_role(f, 0, 1000 + 100 * i as u32))
            .collect(),
        ..FileModel::default()
    }
}
