//! Actions that change who can reach a resource (its resource policy, ACL, grants or
//! sharing), allowed on every resource.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::grants::report_on_every_resource;
use crate::finding::{Finding, RuleMeta, Severity};

pub struct ResourceExposure;

static META: RuleMeta = rule_meta!(
    "IAM205",
    "resource-exposure",
    Risk,
    High,
    "actions that change a resource's policy, ACL or sharing, allowed on every resource"
);

const H: Severity = Severity::High;
const M: Severity = Severity::Medium;

/// policy_sentry's `resource-policies` audit list (write actions that change a resource
/// policy), less reads, creations and IAM paths that `privilege-escalation` reports, plus
/// sharing actions from its `resource-exposure` list and iamlint's additions (see
/// `rules/resource-exposure.md`).
pub(crate) static ACTIONS: &[(&str, Severity)] = &[
    ("s3:PutBucketPolicy", H),
    ("s3:DeleteBucketPolicy", H),
    ("s3:PutBucketAcl", H),
    ("s3:PutObjectAcl", H),
    ("s3:PutObjectVersionAcl", H),
    ("s3:PutBucketPublicAccessBlock", H),
    ("s3:PutAccountPublicAccessBlock", H),
    ("s3:PutAccessPointPolicy", H),
    ("lambda:AddPermission", H),
    ("lambda:AddLayerVersionPermission", H),
    ("kms:PutKeyPolicy", H),
    ("kms:CreateGrant", H),
    ("secretsmanager:PutResourcePolicy", H),
    ("secretsmanager:DeleteResourcePolicy", H),
    ("sqs:AddPermission", H),
    ("sqs:SetQueueAttributes", M),
    ("sns:AddPermission", H),
    ("sns:SetTopicAttributes", M),
    ("ecr:SetRepositoryPolicy", H),
    ("ecr-public:SetRepositoryPolicy", H),
    ("iam:UpdateAssumeRolePolicy", H),
    ("glacier:SetVaultAccessPolicy", H),
    ("glacier:DeleteVaultAccessPolicy", H),
    ("backup:PutBackupVaultAccessPolicy", H),
    ("backup:DeleteBackupVaultAccessPolicy", H),
    ("logs:PutResourcePolicy", M),
    ("events:PutPermission", H),
    ("glue:PutResourcePolicy", H),
    ("dynamodb:PutResourcePolicy", H),
    ("kinesis:PutResourcePolicy", H),
    ("elasticfilesystem:PutFileSystemPolicy", H),
    ("ses:PutIdentityPolicy", H),
    ("ssm:ModifyDocumentPermission", H),
    ("codeartifact:PutRepositoryPermissionsPolicy", H),
    ("codeartifact:PutDomainPermissionsPolicy", H),
    ("serverlessrepo:PutApplicationPolicy", H),
    ("schemas:PutResourcePolicy", H),
    ("mediastore:PutContainerPolicy", H),
    ("imagebuilder:PutComponentPolicy", H),
    ("imagebuilder:PutImagePolicy", H),
    ("imagebuilder:PutImageRecipePolicy", H),
    ("acm-pca:CreatePermission", H),
    ("cloudsearch:UpdateServiceAccessPolicies", H),
    ("iot:AttachPolicy", H),
    ("lakeformation:GrantPermissions", H),
    ("lakeformation:BatchGrantPermissions", H),
    ("lakeformation:PutDataLakeSettings", H),
    ("ram:CreateResourceShare", H),
    ("ram:AssociateResourceShare", H),
    ("ram:EnableSharingWithAwsOrganization", H),
    ("ec2:ModifySnapshotAttribute", H),
    ("ec2:ModifyImageAttribute", H),
    ("rds:ModifyDBSnapshotAttribute", H),
    ("rds:ModifyDBClusterSnapshotAttribute", H),
    ("redshift:AuthorizeSnapshotAccess", H),
    ("servicecatalog:CreatePortfolioShare", H),
    ("elasticmapreduce:PutBlockPublicAccessConfiguration", H),
];

impl Rule for ResourceExposure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        report_on_every_resource(
            &META,
            cx.analysis,
            ACTIONS,
            |who| format!("{who} can open such resources to other accounts or the public"),
            "remove the policy-changing actions the function does not call, or name the one resource it manages",
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
