//! Access levels and per-level counts for messages like
//! `86 actions (3 permissions management, 40 write, 20 read, 18 list, 5 tagging)`.

use std::fmt;

use super::Action;

/// The data's combined levels count as their first part:
/// "Permissions management, Write" is `PermissionsManagement`, "Tagging, Write" is `Tagging`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    PermissionsManagement,
    Tagging,
}

impl AccessLevel {
    pub const ALL: [AccessLevel; 5] = [
        Self::List,
        Self::Read,
        Self::Write,
        Self::PermissionsManagement,
        Self::Tagging,
    ];

    pub(crate) fn from_code(code: u8) -> Self {
        match code {
            0 => Self::List,
            1 => Self::Read,
            3 => Self::PermissionsManagement,
            4 => Self::Tagging,
            _ => Self::Write,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "list",
            Self::Read => "read",
            Self::Write => "write",
            Self::PermissionsManagement => "permissions management",
            Self::Tagging => "tagging",
        }
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Number of actions per access level.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct AccessLevelSummary {
    counts: [usize; 5],
}

/// Most dangerous first, the order of the summary text.
const DISPLAY_ORDER: [AccessLevel; 5] = [
    AccessLevel::PermissionsManagement,
    AccessLevel::Write,
    AccessLevel::Read,
    AccessLevel::List,
    AccessLevel::Tagging,
];

impl AccessLevelSummary {
    pub fn of(actions: &[Action<'_>]) -> Self {
        actions.iter().map(Action::access_level).collect()
    }

    pub fn add(&mut self, level: AccessLevel) {
        self.counts[level as usize] += 1;
    }

    pub fn count(&self, level: AccessLevel) -> usize {
        self.counts[level as usize]
    }

    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

impl FromIterator<AccessLevel> for AccessLevelSummary {
    fn from_iter<I: IntoIterator<Item = AccessLevel>>(iter: I) -> Self {
        let mut summary = Self::default();
        for level in iter {
            summary.add(level);
        }
        summary
    }
}

impl fmt::Display for AccessLevelSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.total();
        write!(
            f,
            "{total} {}",
            if total == 1 { "action" } else { "actions" }
        )?;
        let mut parts = DISPLAY_ORDER
            .iter()
            .filter(|l| self.count(**l) > 0)
            .peekable();
        if parts.peek().is_none() {
            return Ok(());
        }
        f.write_str(" (")?;
        for (i, level) in parts.enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} {level}", self.count(*level))?;
        }
        f.write_str(")")
    }
}
