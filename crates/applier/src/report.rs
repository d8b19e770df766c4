//! What an apply did, change by change: the answer to "what state is the account in now?"

use std::fmt::Write;

use holdfast_planner::Action;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub changes: Vec<ChangeReport>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeReport {
    pub address: String,
    pub action: Action,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Things the person applying should know, such as a check that could not be made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// After a re-read: whether the account now matches the desired state here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Done,
    Failed {
        error: String,
    },
    Skipped {
        reason: String,
    },
    /// The apply was stopped before this change started.
    NotStarted {
        reason: String,
    },
    /// Started, and still being made on AWS when the wait for it ended: running apply
    /// again continues from there.
    InProgress {
        state: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
    pub not_started: usize,
    pub in_progress: usize,
    pub unverified: usize,
}

impl Report {
    pub fn new(changes: Vec<ChangeReport>) -> Report {
        let mut report = Report { changes, summary: Summary::default() };
        report.count();
        report
    }

    pub fn count(&mut self) {
        let mut summary = Summary::default();
        for change in &self.changes {
            match change.outcome {
                Outcome::Done => summary.done += 1,
                Outcome::Failed { .. } => summary.failed += 1,
                Outcome::Skipped { .. } => summary.skipped += 1,
                Outcome::NotStarted { .. } => summary.not_started += 1,
                Outcome::InProgress { .. } => summary.in_progress += 1,
            }
            if change.verified == Some(false) {
                summary.unverified += 1;
            }
        }
        self.summary = summary;
    }

    /// True when something failed or did not take effect: the exit code is then 1.
    pub fn failed(&self) -> bool {
        self.summary.failed > 0 || self.summary.unverified > 0 || self.summary.not_started > 0 || self.summary.in_progress > 0
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a report always serialises");
        text.push('\n');
        text
    }

    /// Every change with its outcome, so after a partial failure it is exact what was done.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for change in &self.changes {
            let (word, detail) = match &change.outcome {
                Outcome::Done => (if change.verified == Some(false) { "unverified" } else { "done" }, String::new()),
                Outcome::Failed { error } => ("failed", format!(": {error}")),
                Outcome::Skipped { reason } => ("skipped", format!(": {reason}")),
                Outcome::NotStarted { reason } => ("not started", format!(": {reason}")),
                Outcome::InProgress { state } => ("in progress", format!(": {state}")),
            };
            let detail = if change.verified == Some(false) { ": applied, but the account still differs here".to_owned() } else { detail };
            let _ = writeln!(out, "  {word:<11} {} {}{detail}", change.action.marker(), change.address);
            for warning in &change.warnings {
                let _ = writeln!(out, "{:14}! {warning}", "");
            }
        }
        let summary = &self.summary;
        let _ = write!(out, "\nApply: {} done, {} failed, {} skipped", summary.done, summary.failed, summary.skipped);
        if summary.not_started > 0 {
            let _ = write!(out, ", {} not started", summary.not_started);
        }
        if summary.in_progress > 0 {
            let _ = write!(out, ", {} still in progress on AWS", summary.in_progress);
        }
        if summary.unverified > 0 {
            let _ = write!(out, ", {} not verified", summary.unverified);
        }
        out.push_str(".\n");
        if self.summary.in_progress > 0 && self.summary.failed == 0 && self.summary.unverified == 0 {
            out.push_str("Run apply again to continue what is still in progress; nothing is made twice.\n");
        } else if self.failed() {
            out.push_str("Nothing was rolled back; run apply again to converge what failed.\n");
        }
        out
    }
}
