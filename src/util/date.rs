//! Calendar dates without a time zone library, for runtime deprecation schedules.

/// A calendar date (proleptic Gregorian), stored as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(i64);

impl Date {
    /// Parse `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let year: i64 = parts.next()?.parse().ok()?;
        let month: i64 = parts.next()?.parse().ok()?;
        let day: i64 = parts.next()?.parse().ok()?;
        if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        Some(Date::from_civil(year, month, day))
    }

    /// Days from the civil date (Howard Hinnant's algorithm).
    fn from_civil(year: i64, month: i64, day: i64) -> Date {
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Date(era * 146_097 + doe - 719_468)
    }

    /// Today in UTC, from the system clock (1970-01-01 if the clock is before it).
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.0 - self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days() {
        let a = Date::parse("2024-02-28").expect("valid date");
        let b = Date::parse("2024-03-01").expect("valid date");
        assert_eq!(a.days_until(b), 2);
        assert_eq!(
            Date::parse("1970-01-01").map(|d| d.days_until(Date(0))),
            Some(0)
        );
        assert_eq!(Date::parse("2026-13-01"), None);
        assert_eq!(Date::parse("2026-1"), None);
        assert!(Date::today() > Date::parse("2024-01-01").expect("valid date"));
    }
}
