//! Suppressions that silence nothing, lack a reason or name no rule.
//!
//! The rule reads no model: its findings are created by the suppression pass
//! (`crate::suppress`), which uses this metadata. Enabling or disabling the rule (`select`,
//! `ignore`) turns those findings on and off like any other rule's.

use super::{rule_meta, Rule};
use crate::finding::RuleMeta;

pub struct UnusedSuppression;

static META: RuleMeta = rule_meta!(
    "SUP001",
    "unused-suppression",
    Meta,
    Low,
    "a suppression silences no finding, has no reason or names no rule"
);

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
