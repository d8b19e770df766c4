//! `holdfast drift` as data: which planned changes are drift, how severe each is, which
//! an ignore rule accepts for now, what is new since the last check, and how much of the
//! account the desired state governs. Pure like the rest of the planner: the caller
//! passes the time, and keeps the memory between checks.

pub mod memory;
pub mod render;
pub mod severity;
pub mod unmanaged;

use holdfast_desired::Desired;
use holdfast_inventory::Inventory;
use serde::{Deserialize, Serialize};

pub use memory::{Decision, KEPT_RECORDS, Memory, Notified, Record, Remembered, Told};
pub use severity::Severity;
pub use unmanaged::KindCoverage;

use crate::plan::{Action, AttributeChange, Plan};

/// The report format this build writes.
pub const FORMAT_VERSION: u32 = 1;

/// One moment, as the caller's clock gives it: the planner has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Now {
    /// RFC 3339, UTC: `2026-11-27T09:00:00Z`.
    pub rfc3339: String,
    /// Seconds since the Unix epoch.
    pub epoch: u64,
}

impl Now {
    /// `YYYY-MM-DD`, the day ignore rules are compared with.
    pub fn today(&self) -> &str {
        self.rfc3339.get(..10).unwrap_or(&self.rfc3339)
    }
}

/// One resource that differs from the desired state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub address: String,
    pub kind: String,
    pub severity: Severity,
    /// What the drift means, in a phrase.
    pub meaning: String,
    /// What `holdfast apply` would do about it.
    pub action: Action,
    /// Before (live) and after (declared); secret values are never here, only "(sensitive)".
    pub attributes: Vec<AttributeChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The desired-state entry, `file:line`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub status: Status,
    /// When this drift was first seen: this check, or an earlier one the memory recalls.
    pub since: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignored: Option<Ignored>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not there at the last check (or no memory was kept).
    New,
    /// There at the last check too.
    Persisting,
}

/// The rule that accepts a finding for now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ignored {
    pub rule: String,
    pub until: String,
    pub reason: String,
    pub source: String,
}

/// Drift the last check saw that is gone now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub address: String,
    pub severity: Severity,
    pub since: String,
}

/// A rule past its date: it hides nothing any more, and says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiredRule {
    pub rule: String,
    pub until: String,
    pub reason: String,
    pub source: String,
    /// The findings it would still match.
    pub matches: Vec<String>,
}

/// Counts of reported drift by severity, with the ignored and the resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub new: usize,
    pub ignored: usize,
    pub resolved: usize,
    /// Drift below `--min-severity`: counted, not listed.
    pub below_threshold: usize,
}

impl Counts {
    pub fn of(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }

    pub fn drifted(&self) -> usize {
        self.critical + self.high + self.medium + self.low
    }
}

/// One check of one account and region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub format_version: u32,
    pub account_id: String,
    pub region: String,
    pub checked_at: String,
    pub min_severity: Severity,
    pub counts: Counts,
    /// Drift at or above `min_severity` that no rule ignores, most severe first.
    pub drift: Vec<Finding>,
    /// Drift an ignore rule accepts until its date: listed, never hidden.
    pub ignored: Vec<Finding>,
    pub resolved: Vec<Resolved>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expired_rules: Vec<ExpiredRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Vec<KindCoverage>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The drift below `min_severity`, remembered but not reported.
    #[serde(skip)]
    pub below_threshold: Vec<Finding>,
}

impl Report {
    /// Compares the plan's changes (and errors) with the ignore rules and the memory of
    /// the last check.
    pub fn new(desired: &Desired, inventory: &Inventory, plan: &Plan, now: &Now, memory: Option<&Record>, min_severity: Severity) -> Report {
        let mut findings: Vec<Finding> =
            plan.changes.iter().filter(|change| change.migration_step().is_none()).map(|change| finding_of_change(change, now)).collect();
        findings.extend(migration_findings(inventory, plan, now));
        let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        findings.extend(plan.errors.iter().map(|error| Finding {
            // Named by what is wrong, not where, so editing the file moves no error; the
            // same problem in several entries is counted, so fixing one of them shows.
            address: {
                let hash = memory::fingerprint(&error.message)[..8].to_owned();
                let count = seen.entry(hash.clone()).or_default();
                *count += 1;
                if *count == 1 { format!("error/{hash}") } else { format!("error/{hash}/{count}") }
            },
            kind: "error".to_owned(),
            severity: Severity::Critical,
            meaning: "the desired state cannot be applied to the account as it is".to_owned(),
            action: Action::Manual,
            attributes: Vec::new(),
            reason: Some(error.message.clone()),
            source: error.source.clone(),
            status: Status::New,
            since: now.rfc3339.clone(),
            ignored: None,
        }));

        let today = now.today();
        let mut expired_rules = Vec::new();
        let mut unused_rules = Vec::new();
        for rule in desired.drift.ignore.iter() {
            let matches: Vec<String> =
                findings.iter().filter(|finding| rule.address.matches(&finding.address)).map(|finding| finding.address.clone()).collect();
            if !rule.is_active(today) {
                if !matches.is_empty() {
                    expired_rules.push(ExpiredRule {
                        rule: rule.address.to_string(),
                        until: rule.until.get_ref().as_str().to_owned(),
                        reason: rule.reason.get_ref().clone(),
                        source: crate::context::source(&rule.origin),
                        matches,
                    });
                }
                continue;
            }
            if matches.is_empty() {
                unused_rules.push(format!(
                    "the ignore rule `{}` at {} matches no drift: remove it once what it was for is settled",
                    rule.address,
                    crate::context::source(&rule.origin)
                ));
            }
            for finding in findings.iter_mut().filter(|finding| finding.ignored.is_none() && rule.address.matches(&finding.address)) {
                finding.ignored = Some(Ignored {
                    rule: rule.address.to_string(),
                    until: rule.until.get_ref().as_str().to_owned(),
                    reason: rule.reason.get_ref().clone(),
                    source: crate::context::source(&rule.origin),
                });
            }
        }

        let resolved = memory::recall(&mut findings, memory);
        findings.sort_by(|a, b| (std::cmp::Reverse(a.severity), &a.address).cmp(&(std::cmp::Reverse(b.severity), &b.address)));
        let (ignored, active): (Vec<Finding>, Vec<Finding>) = findings.into_iter().partition(|finding| finding.ignored.is_some());
        let (drift, below): (Vec<Finding>, Vec<Finding>) = active.into_iter().partition(|finding| finding.severity >= min_severity);
        let mut counts = Counts { ignored: ignored.len(), resolved: resolved.len(), below_threshold: below.len(), ..Counts::default() };
        for finding in &drift {
            *match finding.severity {
                Severity::Critical => &mut counts.critical,
                Severity::High => &mut counts.high,
                Severity::Medium => &mut counts.medium,
                Severity::Low => &mut counts.low,
            } += 1;
            if finding.status == Status::New {
                counts.new += 1;
            }
        }
        Report {
            format_version: FORMAT_VERSION,
            account_id: inventory.account_id.clone(),
            region: inventory.region.clone(),
            checked_at: now.rfc3339.clone(),
            min_severity,
            counts,
            drift,
            ignored,
            resolved,
            expired_rules,
            coverage: unmanaged::coverage(desired, inventory),
            warnings: plan.warnings.iter().map(|warning| warning.message.clone()).chain(unused_rules).collect(),
            below_threshold: below,
        }
    }

    pub fn in_sync(&self) -> bool {
        self.drift.is_empty()
    }

    /// Every finding: reported, ignored and below the threshold.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.drift.iter().chain(&self.ignored).chain(&self.below_threshold)
    }

    /// What to remember of this check, so the next can tell new from persisting.
    /// Everything is remembered, ignored and below-threshold drift too, so changing a
    /// rule or the threshold does not make old drift look new.
    pub fn record(&self, now: &Now, notified: std::collections::BTreeMap<String, Notified>) -> Record {
        let all = self.all_findings();
        Record {
            account_id: self.account_id.clone(),
            region: self.region.clone(),
            checked_at: now.rfc3339.clone(),
            checked_epoch: now.epoch,
            drift: all.map(|finding| Remembered { address: finding.address.clone(), severity: finding.severity, since: finding.since.clone() }).collect(),
            notified,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a report always serialises");
        text.push('\n');
        text
    }
}

impl Finding {
    /// What differs about the resource, as a short stable hash: its severity and every
    /// attribute before and after (secrets appear only as their labels).
    /// A new task-definition revision from a routine deploy is not news: revisions, and
    /// values described by where they come from, are left out.
    pub fn fingerprint(&self) -> String {
        let mut text = self.severity.as_str().to_owned();
        for attribute in self.attributes.iter().filter(|attribute| attribute.name != "task_definition") {
            let described = |value: &Option<String>| value.as_deref().is_some_and(|value| value.contains("task definition") || value.contains(":("));
            if attribute.sensitive || described(&attribute.before) || described(&attribute.after) {
                text.push_str(&format!("\n{}", attribute.name));
            } else {
                text.push_str(&format!("\n{}={:?}->{:?}", attribute.name, attribute.before, attribute.after));
            }
        }
        memory::fingerprint(&text)
    }
}

/// An Aurora encryption migration is one finding per cluster, whatever step it is at: the
/// drift is the cluster's encryption, which stays until the cutover, so it neither
/// resolves nor changes name while the migration goes on.
fn migration_findings(inventory: &Inventory, plan: &Plan, now: &Now) -> Vec<Finding> {
    let mut clusters: Vec<&str> = plan.changes.iter().filter_map(|change| change.migration_step().map(|(cluster, _)| cluster)).collect();
    clusters.dedup();
    clusters
        .into_iter()
        .map(|cluster| {
            let steps: Vec<&crate::plan::Change> = plan.changes.iter().filter(|change| change.migration_step().is_some_and(|(of, _)| of == cluster)).collect();
            let left: Vec<&str> = steps.iter().filter_map(|change| change.migration_step().map(|(_, step)| step)).filter(|step| *step != "cutover").collect();
            let name = crate::plan::Kind::AuroraCluster.name_in(cluster);
            let encrypted =
                inventory.aurora.clusters.iter().find(|found| found.identifier == name).is_some_and(holdfast_inventory::aurora::Cluster::encrypted_at_rest);
            let progress = if left.is_empty() {
                "the encryption migration is made; the cutover is left for a person".to_owned()
            } else {
                format!("an encryption migration has {} left ({})", crate::render::count(left.len(), "step"), left.join(", "))
            };
            let (severity, what) = if encrypted {
                (Severity::High, "the cluster is encrypted under another key than declared")
            } else {
                (Severity::Critical, "the cluster's storage is not encrypted")
            };
            let first = steps[0];
            Finding {
                address: format!("{cluster}/encryption"),
                kind: first.kind.as_str().to_owned(),
                severity,
                meaning: format!("{what}: {progress}"),
                action: if left.is_empty() { Action::Manual } else { Action::Replace },
                attributes: steps
                    .iter()
                    .flat_map(|change| change.attributes.iter().filter(|attribute| matches!(attribute.name.as_str(), "storage_encrypted" | "kms_key")).cloned())
                    .take(2)
                    .collect(),
                reason: steps.iter().find_map(|change| change.reason.clone()),
                source: Some(first.source.clone()),
                status: Status::New,
                since: now.rfc3339.clone(),
                ignored: None,
            }
        })
        .collect()
}

fn finding_of_change(change: &crate::plan::Change, now: &Now) -> Finding {
    let (severity, meaning) = severity::of_change(change);
    Finding {
        address: change.address.clone(),
        kind: change.kind.as_str().to_owned(),
        severity,
        meaning,
        action: change.action,
        attributes: change.attributes.clone(),
        reason: change.reason.clone(),
        source: Some(change.source.clone()),
        status: Status::New,
        since: now.rfc3339.clone(),
        ignored: None,
    }
}
