//! What every check reads: the inventory, the desired state (to point a failure at the
//! entry that fixes it), and the day, for ages. Nothing here reads a clock.

use holdfast_desired::{Desired, Origin};
use holdfast_inventory::Inventory;

use crate::report::{Finding, Fix, SourceLocation};

pub(crate) struct Context<'a> {
    pub desired: &'a Desired,
    pub inventory: &'a Inventory,
    /// `YYYY-MM-DD`, UTC.
    pub today: &'a str,
}

/// The noun of a check made once for the whole account.
pub(crate) const ACCOUNT: &str = "accounts";

/// One check's evaluation: its findings, or why it could not be made.
pub(crate) struct Outcome {
    pub id: &'static str,
    /// What the check counts, plural: "clusters", "buckets".
    pub noun: &'static str,
    pub evaluated: Result<Vec<Finding>, String>,
}

impl Outcome {
    pub fn new(id: &'static str, noun: &'static str, evaluated: Result<Vec<Finding>, String>) -> Self {
        Self { id, noun, evaluated }
    }
}

impl Context<'_> {
    /// Whether the read covered this key (`holdfast_desired::reads`), or says why not.
    pub fn read(&self, key: &str) -> Result<(), String> {
        let kind = key.split(['.', ' ']).next().unwrap_or(key);
        if let Some(error) = self.inventory.read_errors.get(kind) {
            let error = error.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>().join("; ");
            return Err(format!("reading {kind} failed: {error}"));
        }
        if self.inventory.coverage.covers(key) {
            Ok(())
        } else {
            Err(format!("the account was read without `{key}`: audit it live, or from a snapshot taken with `holdfast snapshot --audit`"))
        }
    }
}

pub(crate) fn location(origin: &Origin) -> SourceLocation {
    SourceLocation { file: origin.location.file.clone(), line: origin.location.line, column: origin.location.column }
}

pub(crate) fn pass(resource: impl Into<String>, attribute: impl Into<String>, observed: impl Into<String>) -> Finding {
    Finding { resource: resource.into(), passed: true, attribute: attribute.into(), observed: observed.into(), note: None, fix: None }
}

pub(crate) fn fail(resource: impl Into<String>, attribute: impl Into<String>, observed: impl Into<String>, fix: Fix) -> Finding {
    Finding { resource: resource.into(), passed: false, attribute: attribute.into(), observed: observed.into(), note: None, fix: Some(fix) }
}

/// The fix for a setting of a single table (`[guardduty]`, ...): the declared table, which
/// `apply` enforces; the setting to add to it; or the whole table when there is none.
pub(crate) fn table_fix(declared: Option<&Origin>, declares: bool, setting: &str, new_table: &str) -> Fix {
    match declared {
        Some(origin) if declares => Fix::Declared { location: location(origin), note: "declared: `holdfast apply` sets it".to_owned() },
        Some(origin) => Fix::AddToEntry { location: location(origin), toml: setting.to_owned() },
        None => Fix::NewEntry { toml: new_table.to_owned() },
    }
}

/// A finding that passes or fails as `passed` says; `fix` is used only on failure.
pub(crate) fn finding(passed: bool, resource: String, attribute: &str, observed: String, fix: impl FnOnce() -> Fix) -> Finding {
    if passed { pass(resource, attribute, observed) } else { fail(resource, attribute, observed, fix()) }
}

/// Days from one `YYYY-MM-DD` (or RFC 3339 time, whose day is used) to another.
pub(crate) fn days_between(from: &str, to: &str) -> Option<i64> {
    Some(day_number(to)? - day_number(from)?)
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn day_number(text: &str) -> Option<i64> {
    let day = text.get(..10)?;
    let mut parts = day.split('-');
    let (year, month, day): (i64, i64, i64) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

pub(crate) use holdfast_desired::toml_text::{key as toml_key, quoted};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_across_months_leap_years_and_times() {
        assert_eq!(days_between("2026-01-01", "2026-01-01"), Some(0));
        assert_eq!(days_between("2026-02-28", "2026-03-01"), Some(1));
        assert_eq!(days_between("2024-02-28", "2024-03-01"), Some(2));
        assert_eq!(days_between("2025-11-27T10:00:00Z", "2026-11-27"), Some(365));
        assert_eq!(days_between("1970-01-01", "2000-01-01"), Some(10_957));
        assert_eq!(days_between("soon", "2026-01-01"), None);
    }
}
