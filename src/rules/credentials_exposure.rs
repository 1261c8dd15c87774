//! Actions that return or activate credentials, allowed on every resource.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::grants::report_on_every_resource;
use crate::finding::{Finding, RuleMeta, Severity};

pub struct CredentialsExposure;

static META: RuleMeta = rule_meta!(
    "IAM204",
    "credentials-exposure",
    Risk,
    High,
    "actions that return or activate credentials, allowed on every resource"
);

const H: Severity = Severity::High;
const M: Severity = Severity::Medium;
const L: Severity = Severity::Low;

/// policy_sentry's `credentials-exposure` audit list, less what identity policies cannot
/// control, plus iamlint's additions (see `rules/credentials-exposure.md`).
pub(crate) static ACTIONS: &[(&str, Severity)] = &[
    ("iam:CreateAccessKey", H),
    ("iam:UpdateAccessKey", H),
    ("iam:CreateLoginProfile", H),
    ("iam:CreateServiceSpecificCredential", H),
    ("iam:ResetServiceSpecificCredential", H),
    ("sts:GetFederationToken", M),
    ("sts:GetSessionToken", L),
    ("redshift:GetClusterCredentials", H),
    ("redshift-serverless:GetCredentials", H),
    ("rds-db:connect", H),
    ("lightsail:GetInstanceAccessDetails", H),
    ("lightsail:GetRelationalDatabaseMasterUserPassword", H),
    ("ec2:GetPasswordData", H),
    ("cognito-identity:GetOpenIdTokenForDeveloperIdentity", H),
    ("cognito-idp:AssociateSoftwareToken", M),
    ("connect:GetFederationToken", M),
    ("codepipeline:PollForJobs", L),
    ("gamelift:RequestUploadCredentials", M),
    ("mediapackage:RotateIngestEndpointCredentials", M),
    ("sts:AssumeRole", H),
];

impl Rule for CredentialsExposure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        report_on_every_resource(
            &META,
            cx.analysis,
            ACTIONS,
            |who| format!("{who} can obtain or activate credentials of other identities"),
            "remove the credential actions the function does not call, and name the users, clusters or databases it needs",
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
