//! iamlint: a least-privilege linter for AWS Lambda functions, their IAM roles and the
//! templates that deploy them.
//!
//! The pipeline reads top to bottom: `discover` finds files, `syntax` parses them into
//! span-preserving trees, `load` builds the `model`, `analysis` works out what
//! several rules need to know about it once, `rules` produce `finding`s, and
//! `report` prints them.

pub mod access;
pub mod analysis;
pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod code;
pub mod commands;
pub mod config;
pub mod discover;
pub mod finding;
pub mod fix;
pub mod inventory;
pub mod lint;
pub mod load;
pub mod managed;
pub mod model;
#[cfg(feature = "access-analyzer")]
pub mod online;
pub mod report;
pub mod rules;
pub mod sam_templates;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod syntax;
pub mod util;
