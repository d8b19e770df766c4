//! What a check remembers for the next: the drift it saw, since when, and what was last
//! notified. The store (a JSON-lines file, an S3 object) is the caller's; this is the
//! format and the comparison.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Finding, Report, Resolved, Severity, Status};

/// A history keeps the newest this many records, and the newest of every account and
/// region whatever its age; older ones are dropped when it is rewritten.
pub const KEPT_RECORDS: usize = 50;

/// One check, as remembered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub account_id: String,
    pub region: String,
    pub checked_at: String,
    pub checked_epoch: u64,
    /// Every finding, ignored and below-threshold ones too.
    pub drift: Vec<Remembered>,
    /// What each notification target was last told, by [`target key`](Notified): each
    /// target has its own memory, so one that fails is retried without the others
    /// hearing the same news again.
    #[serde(default)]
    pub notified: BTreeMap<String, Notified>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    pub address: String,
    pub severity: Severity,
    pub since: String,
}

/// The last notification that went out: when, and the drift it reported, each with the
/// fingerprint of what differed. Notifications compare with this, not with the last
/// check, so one that failed is sent again, and drift that got worse is news.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notified {
    pub epoch: Option<u64>,
    pub drift: BTreeMap<String, Told>,
}

/// One drifted resource as a target was told of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Told {
    pub severity: Severity,
    pub fingerprint: String,
}

/// A history: one record per check, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    pub records: Vec<Record>,
}

impl Memory {
    /// Reads JSON lines. A line that is not a record (a write cut short by a crash or a
    /// full disk) is skipped and named, so one torn line never wedges every later check.
    pub fn parse(text: &str) -> (Memory, Vec<String>) {
        let mut records = Vec::new();
        let mut skipped = Vec::new();
        for (index, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
            match serde_json::from_str(line) {
                Ok(record) => records.push(record),
                Err(error) => skipped.push(format!("line {} is not a holdfast drift record ({error}): skipped", index + 1)),
            }
        }
        (Memory { records }, skipped)
    }

    /// The last check of this account and region.
    pub fn last(&self, account_id: &str, region: &str) -> Option<&Record> {
        self.records.iter().rev().find(|record| record.account_id == account_id && record.region == region)
    }

    /// Adds a record, keeping the newest [`KEPT_RECORDS`] and the newest of every
    /// account and region (a history shared by a thousand accounts keeps each one's).
    pub fn push(&mut self, record: Record) {
        self.records.push(record);
        if self.records.len() > KEPT_RECORDS {
            let cutoff = self.records.len() - KEPT_RECORDS;
            let mut newest: BTreeMap<(&str, &str), usize> = BTreeMap::new();
            for (index, record) in self.records.iter().enumerate() {
                newest.insert((&record.account_id, &record.region), index);
            }
            let keep: std::collections::BTreeSet<usize> = newest.into_values().collect();
            let records = std::mem::take(&mut self.records);
            self.records = records.into_iter().enumerate().filter(|(index, _)| *index >= cutoff || keep.contains(index)).map(|(_, record)| record).collect();
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
    let present: std::collections::BTreeSet<&str> = findings.iter().map(|finding| finding.address.as_str()).collect();
    last.drift
        .iter()
        .filter(|remembered| !present.contains(remembered.address.as_str()))
        .map(|remembered| Resolved { address: remembered.address.clone(), severity: remembered.severity, since: remembered.since.clone() })
        .collect()
}

/// Whether a check notifies, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Decision {
    /// Since the last notification, reported drift appeared, got worse or otherwise
    /// changed what differs, or went away from the account.
    Changed { new: Vec<String>, changed: Vec<String>, resolved: Vec<String> },
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
/// every `remind_every` seconds; never on every run (cloud-custodian#3828). Drift that is
/// still there but no longer reported (below `--min-severity`, or ignored) is not
/// "resolved": only drift gone from the account is. `told` is what this target was last
/// told, if anything.
pub fn decide(report: &Report, told: Option<&Notified>, now_epoch: u64, remind_every: u64) -> Decision {
    let before = told.map(|told| &told.drift);
    let present: std::collections::BTreeSet<&str> = report.all_findings().map(|finding| finding.address.as_str()).collect();
    let mut new = Vec::new();
    let mut changed = Vec::new();
    for finding in &report.drift {
        match before.and_then(|before| before.get(&finding.address)) {
            None => new.push(finding.address.clone()),
            Some(told) if told.fingerprint != finding.fingerprint() => changed.push(finding.address.clone()),
            Some(_) => {}
        }
    }
    let resolved: Vec<String> = before.into_iter().flat_map(|before| before.keys()).filter(|address| !present.contains(address.as_str())).cloned().collect();
    if !new.is_empty() || !changed.is_empty() || !resolved.is_empty() {
        return Decision::Changed { new, changed, resolved };
    }
    let due = told.and_then(|told| told.epoch).is_none_or(|epoch| now_epoch.saturating_sub(epoch) >= remind_every);
    if !report.drift.is_empty() && due { Decision::Reminder } else { Decision::Quiet }
}

/// What a target has been told after this check. When a notification went out: this
/// check's reported drift, plus what it was told before that is now only below the
/// threshold (so lowering the threshold again is no news). Otherwise what it was told.
pub fn told_after(report: &Report, told: Option<&Notified>, sent: bool, now_epoch: u64) -> Notified {
    let previous = told.cloned().unwrap_or_default();
    if !sent {
        return previous;
    }
    let mut drift: BTreeMap<String, Told> =
        report.drift.iter().map(|finding| (finding.address.clone(), Told { severity: finding.severity, fingerprint: finding.fingerprint() })).collect();
    for finding in &report.below_threshold {
        if let Some(told) = previous.drift.get(&finding.address) {
            drift.insert(finding.address.clone(), told.clone());
        }
    }
    Notified { epoch: Some(now_epoch), drift }
}

/// FNV-1a, 64 bits: stable across builds and platforms, unlike `std`'s hasher. Not for
/// security: it tells whether what differs about a resource changed.
pub fn fingerprint(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}
