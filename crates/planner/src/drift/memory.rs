//! What a check remembers for the next: the drift it saw, since when, and what was last
//! notified. The store (a JSON-lines file, an S3 object) is the caller's; this is the
//! format and the comparison.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Finding, Report, Resolved, Severity, Status};

/// A history keeps this many records; older ones are dropped when it is rewritten.
pub const KEPT_RECORDS: usize = 2000;

/// One check, as remembered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub account_id: String,
    pub region: String,
    pub checked_at: String,
    pub checked_epoch: u64,
    /// Every finding, ignored and below-threshold ones too.
    pub drift: Vec<Remembered>,
    #[serde(default)]
    pub notified: Notified,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    pub address: String,
    pub severity: Severity,
    pub since: String,
}

/// The last notification that went out: when, and the drift it reported. Notifications
/// compare with this, not with the last check, so one that failed is sent again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notified {
    pub epoch: Option<u64>,
    pub addresses: Vec<String>,
}

/// A history: one record per check, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    pub records: Vec<Record>,
}

impl Memory {
    /// Reads JSON lines; a line that is not a record is an error naming the line.
    pub fn parse(text: &str) -> Result<Memory, String> {
        let records = text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(index, line)| serde_json::from_str(line).map_err(|error| format!("line {} is not a holdfast drift record: {error}", index + 1)))
            .collect::<Result<Vec<Record>, String>>()?;
        Ok(Memory { records })
    }

    /// The last check of this account and region.
    pub fn last(&self, account_id: &str, region: &str) -> Option<&Record> {
        self.records.iter().rev().find(|record| record.account_id == account_id && record.region == region)
    }

    /// Adds a record, keeping the newest [`KEPT_RECORDS`].
    pub fn push(&mut self, record: Record) {
        self.records.push(record);
        if self.records.len() > KEPT_RECORDS {
            let excess = self.records.len() - KEPT_RECORDS;
            self.records.drain(..excess);
        }
    }

    pub fn to_text(&self) -> String {
        self.records.iter().map(Record::to_line).collect()
    }
}

impl Record {
    /// One JSON line, newline included.
    pub fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).expect("a record always serialises");
        line.push('\n');
        line
    }
}

/// Marks each finding new or persisting (with the time it was first seen) from the last
/// record, and returns what that record had that is gone now.
pub(crate) fn recall(findings: &mut [Finding], last: Option<&Record>) -> Vec<Resolved> {
    let Some(last) = last else { return Vec::new() };
    let earlier: BTreeMap<&str, &Remembered> = last.drift.iter().map(|remembered| (remembered.address.as_str(), remembered)).collect();
    for finding in findings.iter_mut() {
        if let Some(remembered) = earlier.get(finding.address.as_str()) {
            finding.status = Status::Persisting;
            finding.since = remembered.since.clone();
        }
    }
    last.drift
        .iter()
        .filter(|remembered| !findings.iter().any(|finding| finding.address == remembered.address))
        .map(|remembered| Resolved { address: remembered.address.clone(), severity: remembered.severity, since: remembered.since.clone() })
        .collect()
}

/// Whether a check notifies, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Decision {
    /// Reported drift appeared or went away since the last notification.
    Changed { new: Vec<String>, resolved: Vec<String> },
    /// The same drift as last notified, and the reminder interval has passed.
    Reminder,
    /// Nothing to say: unchanged drift within the reminder interval, or none at all.
    Quiet,
}

impl Decision {
    pub fn event_type(&self) -> &'static str {
        match self {
            Decision::Changed { .. } => "drift.changed",
            Decision::Reminder => "drift.reminder",
            Decision::Quiet => "drift.quiet",
        }
    }
}

/// Notifications fire when the reported drift changes, and for drift that persists only
/// every `remind_every` seconds; never on every run (cloud-custodian#3828).
pub fn decide(report: &Report, last: Option<&Record>, now_epoch: u64, remind_every: u64) -> Decision {
    let notified = last.map(|record| &record.notified);
    let before: Vec<&str> = notified.map(|notified| notified.addresses.iter().map(String::as_str).collect()).unwrap_or_default();
    let reported: Vec<&str> = report.drift.iter().map(|finding| finding.address.as_str()).collect();
    let new: Vec<String> = reported.iter().filter(|address| !before.contains(address)).map(|address| (*address).to_owned()).collect();
    let resolved: Vec<String> = before.iter().filter(|address| !reported.contains(address)).map(|address| (*address).to_owned()).collect();
    if !new.is_empty() || !resolved.is_empty() {
        return Decision::Changed { new, resolved };
    }
    let due = notified.and_then(|notified| notified.epoch).is_none_or(|epoch| now_epoch.saturating_sub(epoch) >= remind_every);
    if !reported.is_empty() && due { Decision::Reminder } else { Decision::Quiet }
}

/// What the next record says was notified: this check's drift when a notification went
/// out, else whatever the last record said.
pub fn notified_after(report: &Report, last: Option<&Record>, sent: bool, now_epoch: u64) -> Notified {
    if sent {
        Notified { epoch: Some(now_epoch), addresses: report.drift.iter().map(|finding| finding.address.clone()).collect() }
    } else {
        last.map(|record| record.notified.clone()).unwrap_or_default()
    }
}
