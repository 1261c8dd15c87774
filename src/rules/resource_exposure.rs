//! Actions that change who can reach a resource (its resource policy, ACL, grants or
//! sharing), allowed on every resource.

use super::{rule_meta, ModelCx, Rule};
use crate::analysis::grants::report_on_every_resource;
use crate::analysis::statement::has_caller_scoping_condition;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::model::{PolicyDocument, PolicyKind, Statement};
use crate::util::english::code_list;

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
    ("logs:PutResourcePolicy", Severity::Low),
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
        for policy in cx
            .model
            .policies
            .iter()
            .filter(|p| p.kind == PolicyKind::Resource)
        {
            for statement in policy.allow_statements() {
                resource_policy_statement(policy, statement, out);
            }
        }
    }
}

/// In a resource policy: an Allow for everyone except some principals, and `s3:*` (or `*`)
/// on a bucket itself for principals outside the account, who can then rewrite the
/// bucket's own policy.
fn resource_policy_statement(
    policy: &PolicyDocument,
    statement: &Statement,
    out: &mut Vec<Finding>,
) {
    let Some(principal) = &statement.principal else {
        return;
    };
    if principal.negated {
        if has_caller_scoping_condition(statement) {
            return;
        }
        let except: Vec<&str> = principal
            .entries
            .iter()
            .flat_map(|e| e.values.iter())
            .map(|v| v.text.as_str())
            .collect();
        out.push(
            Finding::new(
                &META,
                policy.file,
                principal.key_span,
                format!(
                    "`NotPrincipal` in an Allow exposes the resource to every principal except {}, anonymous callers and other accounts included",
                    code_list(&except, 3)
                ),
            )
            .severity(Severity::Critical)
            .help("use `Principal` naming the accounts, roles or services that need access; keep `NotPrincipal` for Deny statements"),
        );
        return;
    }
    // Public principals are `public-principal`'s; the account's own root delegates to IAM.
    if principal.public_values().next().is_some() || has_caller_scoping_condition(statement) {
        return;
    }
    // `${AWS::AccountId}` is the template's own account; a literal account may be another.
    let outsiders = principal
        .values_of("AWS")
        .any(|v| v.resolved && !v.text.contains("${AWS::AccountId}"));
    if !outsiders {
        return;
    }
    let Some(action) = statement
        .action
        .as_ref()
        .filter(|a| !a.negated)
        .and_then(|a| {
            a.values
                .iter()
                .find(|v| matches!(v.text.to_ascii_lowercase().as_str(), "*" | "*:*" | "s3:*"))
        })
    else {
        return;
    };
    let bucket = statement
        .resource
        .as_ref()
        .filter(|r| !r.negated)
        .and_then(|r| r.values.iter().find(|v| is_bucket_arn(&v.text)));
    if let Some(bucket) = bucket {
        out.push(
            Finding::new(
                &META,
                policy.file,
                action.span,
                format!(
                    "`{}` on bucket `{}` lets principals of other accounts rewrite the bucket's policy and ACL and open it to anyone",
                    action.text, bucket.text
                ),
            )
            .help("grant the object actions the other account needs (`s3:GetObject`, `s3:PutObject`) on `bucket/*`, not `s3:*` on the bucket"),
        );
    }
}

/// `arn:aws:s3:::name` (the bucket itself, not its objects).
fn is_bucket_arn(text: &str) -> bool {
    text.strip_prefix("arn:")
        .and_then(|rest| rest.split_once(":s3:::"))
        .is_some_and(|(_, name)| !name.is_empty() && !name.contains('/'))
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
