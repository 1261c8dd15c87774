//! "Did you mean" for unknown action and service names.

use strsim::osa_distance;

use super::glob::has_wildcard;
use super::Catalog;

impl Catalog {
    /// Nearest known action for an unknown one: `s3:GetObjets` gives `s3:GetObject`.
    /// A misspelt prefix is fixed first (`s4:GetObject` gives `s3:GetObject`). None
    /// when the action exists, when nothing is close, or for wildcard patterns.
    pub fn suggest_action(&self, full_name: &str) -> Option<String> {
        let (prefix, name) = full_name.split_once(':')?;
        if name.is_empty() || has_wildcard(full_name) {
            return None;
        }
        let (service, fixed_prefix) = match self.service(prefix) {
            Some(s) => (s, false),
            None => (self.service(&self.suggest_service(prefix)?)?, true),
        };
        if let Some(action) = service.action(name) {
            return fixed_prefix.then(|| action.full_name());
        }
        let wanted = name.to_ascii_lowercase();
        nearest(
            &wanted,
            service
                .actions()
                .map(|a| (a.name().to_ascii_lowercase(), a)),
        )
        .map(|a| a.full_name())
    }

    /// Nearest known service prefix: `lamda` gives `lambda`. None for a known prefix.
    pub fn suggest_service(&self, prefix: &str) -> Option<String> {
        if prefix.is_empty() || self.service(prefix).is_some() {
            return None;
        }
        let wanted = prefix.to_ascii_lowercase();
        nearest(
            &wanted,
            self.services()
                .map(|s| (s.prefix().to_ascii_lowercase(), s)),
        )
        .map(|s| s.prefix().to_owned())
    }
}

/// Smallest edit distance (transpositions count once) within a third of the
/// length, like rustc's suggestions; the first candidate wins ties.
fn nearest<T>(wanted: &str, candidates: impl Iterator<Item = (String, T)>) -> Option<T> {
    let limit = (wanted.len() / 3).max(1);
    let mut best: Option<(usize, T)> = None;
    for (name, item) in candidates {
        // The distance is at least the length difference: skip the costly comparison.
        if name.len().abs_diff(wanted.len()) > limit {
            continue;
        }
        let distance = osa_distance(wanted, &name);
        if distance <= limit && best.as_ref().is_none_or(|(d, _)| distance < *d) {
            best = Some((distance, item));
        }
    }
    best.map(|(_, item)| item)
}
