//! Reads of stored data and secrets on every resource.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::grants::report_on_every_resource;
use crate::finding::{Finding, RuleMeta, Severity};

pub struct DataExfiltration;

static META: RuleMeta = rule_meta!(
    "IAM203",
    "data-exfiltration",
    Risk,
    High,
    "actions that read stored data or secrets, allowed on every resource"
);

const H: Severity = Severity::High;
const M: Severity = Severity::Medium;
const L: Severity = Severity::Low;

/// cloudsplaining's `READ_ONLY_DATA_EXFILTRATION_ACTIONS` first, then iamlint's additions
/// (see `rules/data-exfiltration.md` for sources and what is left out on purpose).
pub(crate) static ACTIONS: &[(&str, Severity)] = &[
    ("s3:GetObject", H),
    ("ssm:GetParameter", H),
    ("ssm:GetParameters", H),
    ("ssm:GetParametersByPath", H),
    ("secretsmanager:GetSecretValue", H),
    ("s3:GetObjectVersion", H),
    ("ssm:GetParameterHistory", H),
    ("secretsmanager:BatchGetSecretValue", H),
    ("kms:Decrypt", H),
    ("dynamodb:GetItem", H),
    ("dynamodb:BatchGetItem", H),
    ("dynamodb:Query", H),
    ("dynamodb:Scan", H),
    ("dynamodb:PartiQLSelect", H),
    ("dynamodb:ExportTableToPointInTime", H),
    ("lambda:GetFunction", M),
    ("lambda:GetFunctionConfiguration", M),
    ("glue:GetConnection", M),
    ("glue:GetConnections", M),
    ("codecommit:GitPull", M),
    ("athena:GetQueryResults", L),
    ("logs:GetLogEvents", L),
    ("logs:FilterLogEvents", L),
];

impl Rule for DataExfiltration {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        report_on_every_resource(
            &META,
            cx.analysis,
            ACTIONS,
            |who| format!("{who} can read data and secrets anywhere in the account"),
            "name the buckets, tables, secrets, parameters and keys the function reads, e.g. \"arn:aws:s3:::my-bucket/*\"",
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_action_is_in_the_catalog() {
        let missing: Vec<&str> = super::ACTIONS
            .iter()
            .map(|(a, _)| *a)
            .filter(|a| crate::catalog::catalog().action(a).is_none())
            .collect();
        assert!(missing.is_empty(), "{missing:?}");
    }
}
