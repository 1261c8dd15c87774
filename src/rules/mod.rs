//! The rule engine: the `Rule` trait, the registry and the per-file driver.

mod context;
pub mod persona;
pub mod pileup;
pub mod selection;
pub mod settings;

mod admin_managed_policy;
mod bad_mfa_condition;
mod broad_managed_policy;
mod condition_type_mismatch;
mod condition_wildcard_no_like;
mod credentials_exposure;
mod data_exfiltration;
mod duplicate_sid;
mod execution_role_trust;
mod forallvalues_single_valued_key;
mod lambda_deprecated_runtime;
mod lambda_env_no_kms;
mod lambda_env_secret;
mod lambda_no_dlq;
mod lambda_no_reserved_concurrency;
mod lambda_no_tracing;
mod lambda_no_vpc;
mod lambda_permission_no_source;
mod lambda_role_missing_logs;
mod lambda_url_public;
mod malformed_policy;
mod missing_permission;
mod missing_version;
mod not_action;
mod not_principal;
mod not_resource;
mod pass_role_wildcard;
mod privilege_escalation;
mod public_principal;
mod redundant_action;
mod redundant_statement;
mod resource_exposure;
mod resource_mismatch;
mod service_wildcard_action;
mod shared_role;
mod unknown_action;
mod unknown_condition_key;
mod unknown_service;
mod unused_permission;
mod unused_suppression;
mod wildcard_action;
mod wildcard_resource;

use crate::analysis::Analysis;
use crate::finding::{Finding, RuleMeta};
use crate::model::{FileModel, Function, PolicyDocument, Statement};
pub use settings::{OptionSpec, RuleSettings};

/// Everything a rule can see of one model: the model, its shared analysis and the rule
/// settings of the run.
pub struct ModelCx<'a> {
    pub model: &'a FileModel,
    pub analysis: &'a Analysis<'a>,
    pub settings: &'a RuleSettings,
}

/// A policy and the model it belongs to.
pub struct PolicyCx<'a, 'm> {
    pub policy: &'a PolicyDocument,
    pub model: &'a FileModel,
    pub file: &'a ModelCx<'m>,
}

/// A function and the model around it (its role, policies and permissions).
pub struct FunctionCx<'a, 'm> {
    pub function: &'a Function,
    pub model: &'a FileModel,
    pub file: &'a ModelCx<'m>,
}

/// A lint rule. Rules read the model and its analysis only; a rule overrides the level it
/// needs, and the defaults walk down from the model to policies, statements and functions.
pub trait Rule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;

    /// The options the rule reads from `[rules.<name>]` in `iamlint.toml`.
    fn options(&self) -> &'static [OptionSpec] {
        &[]
    }

    /// Whether the policy and statement hooks also see generated policies (SAM policy
    /// templates, AWS managed policies): their text is AWS's, not the author's, so by default
    /// they are skipped. This is the one place that decides it.
    fn reads_generated_policies(&self) -> bool {
        false
    }

    fn check_model(&self, cx: &ModelCx<'_>, out: &mut Vec<Finding>) {
        let policies = cx.model.policies.iter();
        for policy in policies.filter(|p| !p.synthesized || self.reads_generated_policies()) {
            self.check_policy(
                &PolicyCx {
                    policy,
                    model: cx.model,
                    file: cx,
                },
                out,
            );
        }
        for function in &cx.model.functions {
            self.check_function(
                &FunctionCx {
                    function,
                    model: cx.model,
                    file: cx,
                },
                out,
            );
        }
    }

    fn check_function(&self, _cx: &FunctionCx<'_, '_>, _out: &mut Vec<Finding>) {}

    fn check_policy(&self, cx: &PolicyCx<'_, '_>, out: &mut Vec<Finding>) {
        for statement in &cx.policy.statements {
            self.check_statement(cx, statement, out);
        }
    }

    fn check_statement(
        &self,
        _cx: &PolicyCx<'_, '_>,
        _statement: &Statement,
        _out: &mut Vec<Finding>,
    ) {
    }
}

/// Declares a rule's static metadata, embedding its doc from `rules/<name>.md`.
macro_rules! rule_meta {
    ($code:literal, $name:literal, $category:ident, $severity:ident, $summary:literal) => {
        $crate::finding::RuleMeta {
            code: $code,
            name: $name,
            category: $crate::finding::Category::$category,
            severity: $crate::finding::Severity::$severity,
            summary: $summary,
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $name, ".md")),
        }
    };
}
pub(crate) use rule_meta;

/// Every rule, in code order. Adding a rule: one file, its doc, its fixtures and one line here.
pub static RULES: &[&dyn Rule] = &[
    &wildcard_action::WildcardAction,
    &service_wildcard_action::ServiceWildcardAction,
    &wildcard_resource::WildcardResource,
    &not_action::NotAction,
    &not_resource::NotResource,
    &not_principal::NotPrincipal,
    &public_principal::PublicPrincipal,
    &missing_version::MissingVersion,
    &duplicate_sid::DuplicateSid,
    &malformed_policy::MalformedPolicy,
    &unknown_service::UnknownService,
    &unknown_action::UnknownAction,
    &resource_mismatch::ResourceMismatch,
    &unknown_condition_key::UnknownConditionKey,
    &condition_type_mismatch::ConditionTypeMismatch,
    &condition_wildcard_no_like::ConditionWildcardNoLike,
    &forallvalues_single_valued_key::ForallvaluesSingleValuedKey,
    &bad_mfa_condition::BadMfaCondition,
    &redundant_action::RedundantAction,
    &redundant_statement::RedundantStatement,
    &privilege_escalation::PrivilegeEscalation,
    &pass_role_wildcard::PassRoleWildcard,
    &data_exfiltration::DataExfiltration,
    &credentials_exposure::CredentialsExposure,
    &resource_exposure::ResourceExposure,
    &execution_role_trust::ExecutionRoleTrust,
    &admin_managed_policy::AdminManagedPolicy,
    &broad_managed_policy::BroadManagedPolicy,
    &unused_suppression::UnusedSuppression,
    &shared_role::SharedRole,
    &lambda_env_secret::LambdaEnvSecret,
    &lambda_env_no_kms::LambdaEnvNoKms,
    &lambda_no_vpc::LambdaNoVpc,
    &lambda_no_reserved_concurrency::LambdaNoReservedConcurrency,
    &lambda_no_dlq::LambdaNoDlq,
    &lambda_no_tracing::LambdaNoTracing,
    &lambda_deprecated_runtime::LambdaDeprecatedRuntime,
    &lambda_url_public::LambdaUrlPublic,
    &lambda_permission_no_source::LambdaPermissionNoSource,
    &lambda_role_missing_logs::LambdaRoleMissingLogs,
    &unused_permission::UnusedPermission,
    &missing_permission::MissingPermission,
];

/// Find a rule by name or code (case-insensitive).
pub fn find(name_or_code: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| {
        let m = r.meta();
        m.name.eq_ignore_ascii_case(name_or_code) || m.code.eq_ignore_ascii_case(name_or_code)
    })
}

/// Run the enabled rules over one model, sharing one analysis between them.
pub fn check_model(
    model: &FileModel,
    rules: &[&'static dyn Rule],
    settings: &RuleSettings,
    out: &mut Vec<Finding>,
) {
    check_model_with(model, None, rules, settings, out);
}

/// As `check_model`, under the organization's SCPs and RCPs.
pub fn check_model_with(
    model: &FileModel,
    org: Option<&crate::model::OrgPolicies>,
    rules: &[&'static dyn Rule],
    settings: &RuleSettings,
    out: &mut Vec<Finding>,
) {
    let first = out.len();
    let analysis = Analysis::with_org(model, org);
    let cx = ModelCx {
        model,
        analysis: &analysis,
        settings,
    };
    for rule in rules {
        rule.check_model(&cx, out);
    }
    context::attach(model, &mut out[first..]);
}

/// Run one rule over a hand-built model with default settings (for unit tests).
#[cfg(test)]
pub(crate) fn run_rule(rule: &dyn Rule, model: &FileModel) -> Vec<Finding> {
    let analysis = Analysis::new(model);
    let settings = RuleSettings::default();
    let cx = ModelCx {
        model,
        analysis: &analysis,
        settings: &settings,
    };
    let mut out = Vec::new();
    rule.check_model(&cx, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for rule in RULES {
            let m = rule.meta();
            assert!(seen.insert(m.code), "duplicate code {}", m.code);
            assert!(seen.insert(m.name), "duplicate name {}", m.name);
            assert!(m
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()));
            let letters = m.code.trim_end_matches(|c: char| c.is_ascii_digit());
            assert_eq!(
                m.code.len() - letters.len(),
                3,
                "code {} needs three digits",
                m.code
            );
            assert!(!m.summary.ends_with('.'));
        }
    }
}
