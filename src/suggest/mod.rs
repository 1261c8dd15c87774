//! `iamlint suggest`: the least-privilege identity policy each function needs, derived from
//! the evidence in its template and handler code, and how it differs from what its role
//! grants now. `derive` builds the suggestion from the model; `render` prints it.

mod derive;
mod render;
mod terraform;
#[cfg(test)]
mod tests;

pub use derive::of_model;
pub use render::{render, SuggestFormat};

/// Why a statement (or one of its actions) is suggested, with where the evidence is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub text: String,
    /// `path:line` (template) or `path:line:column` (code call), when known.
    pub location: Option<String>,
}

/// One suggested Allow statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuggestedStatement {
    pub sid: String,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    pub reasons: Vec<Reason>,
}

/// What happens to a currently granted action pattern under the suggestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// No suggested action falls under it.
    Removed,
    /// It covers suggested actions, but more actions or resources than they need.
    Narrowed,
    /// It grants exactly a suggested action on the suggested resources (or could not be
    /// judged: the handler code was not read).
    Kept,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Removed => "removed",
            Change::Narrowed => "narrowed",
            Change::Kept => "kept",
        }
    }
}

/// One currently granted action pattern and what the suggestion does with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantChange {
    pub action: String,
    pub resources: Vec<String>,
    /// `path:line` of the action value.
    pub location: String,
    pub change: Change,
    /// The suggested actions it is narrowed to (for `Narrowed`), or why it changes.
    pub detail: String,
}

/// The suggestion for one function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionSuggestion {
    pub logical_id: String,
    /// `path:line` of the function's resource.
    pub location: String,
    pub statements: Vec<SuggestedStatement>,
    pub changes: Vec<GrantChange>,
    /// What the suggestion could not cover (code not read, calls not tied to a resource).
    pub notes: Vec<String>,
}
