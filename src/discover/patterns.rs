//! The one path-matching rule: gitignore-like globs, shared by `--exclude`, the config's
//! `exclude` and `[[suppress]]` paths. Patterns see `/`-separated paths relative to a base
//! directory: the current directory for command-line patterns, the config file's directory
//! for config patterns.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// A pattern that is empty or not a valid glob.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatternError(String);

impl From<PatternError> for String {
    fn from(error: PatternError) -> String {
        error.0
    }
}

/// Gitignore-like path patterns: `name` (or `name/`) matches a file or directory at any
/// depth, a pattern with a slash (`dir/name`, `/name`) matches from the base directory, `*`
/// stays within one path segment and `**` crosses segments. A matching directory matches
/// everything below it.
#[derive(Debug, Clone, Default)]
pub struct PathPatterns {
    set: GlobSet,
}

impl PathPatterns {
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Result<Self, PatternError> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let text = pattern.trim();
            // A leading `/` or `./` anchors to the base, as a slash elsewhere does.
            let (text, rooted) = match text.strip_prefix("./").or_else(|| text.strip_prefix('/')) {
                Some(rest) => (rest, true),
                None => (text, false),
            };
            let text = text.trim_end_matches('/');
            if text.is_empty() {
                return Err(PatternError(format!("empty path pattern `{pattern}`")));
            }
            let anchored = rooted || text.contains('/') || text.starts_with("**");
            let base = if anchored {
                text.to_string()
            } else {
                format!("**/{text}")
            };
            for glob in [base.clone(), format!("{base}/**")] {
                let glob = GlobBuilder::new(&glob)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| {
                        PatternError(format!("invalid path pattern `{pattern}`: {}", e.kind()))
                    })?;
                builder.add(glob);
            }
        }
        let set = builder
            .build()
            .map_err(|e| PatternError(format!("invalid path pattern: {e}")))?;
        Ok(PathPatterns { set })
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Whether a `/`-separated relative path matches.
    pub fn matches(&self, relative_path: &str) -> bool {
        !self.set.is_empty() && self.set.is_match(relative_path)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_match_at_any_depth_and_slashes_anchor() {
        let p = PathPatterns::new(["legacy", "**/fixtures/*.json", "policies/old/"]).unwrap();
        assert!(p.matches("legacy"));
        assert!(p.matches("legacy/a.json"));
        assert!(p.matches("stacks/legacy/deep/a.yaml"));
        assert!(!p.matches("legacy-new/a.json"), "whole segments only");
        assert!(!p.matches("stacks/mylegacy/a.json"));
        assert!(p.matches("fixtures/a.json"));
        assert!(p.matches("x/y/fixtures/a.json"));
        assert!(
            !p.matches("x/fixtures/sub/a.json"),
            "`*` stays in one segment"
        );
        assert!(!p.matches("x/fixtures/a.yaml"));
        assert!(p.matches("policies/old/a.json"));
        assert!(
            !p.matches("app/policies/old/a.json"),
            "a slash anchors to the base"
        );
        // Paths outside the base stay absolute: unanchored names still match them.
        assert!(p.matches("/elsewhere/legacy/a.json"));
        assert!(!p.matches("/elsewhere/policies/old/a.json"));
    }

    #[test]
    fn trailing_slash_and_dot_slash_are_accepted() {
        let p = PathPatterns::new(["legacy/", "./top.json"]).unwrap();
        assert!(p.matches("a/legacy/x.json"));
        assert!(p.matches("top.json"));
        assert!(!p.matches("a/top.json"));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert_eq!(
            PathPatterns::new(["  "]).unwrap_err().to_string(),
            "empty path pattern `  `"
        );
        let err = PathPatterns::new(["a/[b"]).unwrap_err().to_string();
        assert!(err.starts_with("invalid path pattern `a/[b`"), "{err}");
        assert!(PathPatterns::new(Vec::<&str>::new()).unwrap().is_empty());
    }
}
