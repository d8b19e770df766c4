//! The report: every check's result with its evidence, and the scores. Serialised, it is
//! the JSON format (`docs/audit.md`), which `--compare` reads back.

use serde::{Deserialize, Serialize};

use crate::catalogue::{Category, MappedBy};

/// The JSON report's format; a change that breaks readers bumps it.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub format_version: u32,
    pub account_id: String,
    pub region: String,
    /// When the account was read (RFC 3339): every result is as of then.
    pub read_at: String,
    /// The day the report was made (UTC), which attestation ages count to.
    pub generated_on: String,
    pub score: Score,
    pub checks: Vec<CheckResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The mean of the category scores that have one, in percent, one decimal.
    pub overall: f64,
    pub categories: Vec<CategoryScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryScore {
    pub category: Category,
    pub title: String,
    /// Percent, one decimal; None when no check of the category could be scored.
    pub score: Option<f64>,
    pub passed: usize,
    pub failed: usize,
    pub not_applicable: usize,
    pub not_assessed: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    /// Nothing to check: no trail to validate, no user with a password.
    NotApplicable,
    /// What the check needs was not read (a snapshot without it, a call the emulator or a
    /// permission refused). Scores 0, and is listed, so silence never reads as a pass.
    NotAssessed,
    /// A manual check a person vouched for within the last year.
    Attested,
    /// A manual check nobody has vouched for, or whose attestation is over a year old.
    NeedsAttestation,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not applicable",
            Status::NotAssessed => "not assessed",
            Status::Attested => "attested",
            Status::NeedsAttestation => "needs attestation",
        }
    }

    /// Counted against the score.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Fail | Status::NeedsAttestation)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub clauses: Vec<String>,
    pub mapped_by: MappedBy,
    pub config_rules: Vec<String>,
    pub prowler: Vec<String>,
    pub status: Status,
    /// The share of evaluated resources that pass, 0 to 1; None when not scored.
    pub score: Option<f64>,
    /// One line: "3 of 4 clusters unencrypted".
    pub summary: String,
    /// Every resource evaluated, passing or failing: the evidence.
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<AttestationSeen>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The resource, as an address: `aurora.cluster/NAME`, `s3.bucket/NAME`, `account`.
    pub resource: String,
    pub passed: bool,
    /// What was looked at: `StorageEncrypted`, `environment REVERB_APP_KEY`.
    pub attribute: String,
    /// The value seen. Never a secret's value: a plaintext secret is named, not shown.
    pub observed: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a failure: the desired-state change that fixes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// How to fix a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fix {
    /// An entry declares it: apply (or finish what apply cannot do alone, in `note`).
    Declared { location: SourceLocation, note: String },
    /// An entry selects the resource but does not declare this: add `toml` to it.
    AddToEntry { location: SourceLocation, toml: String },
    /// No entry selects it: a new entry.
    NewEntry { toml: String },
    /// holdfast does not manage it: what a person does.
    Manual { text: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationSeen {
    pub by: String,
    pub date: String,
    pub evidence: String,
    /// Days from `date` to the report's day.
    pub age_days: i64,
    /// Over a year old, or dated after the report: no longer counted.
    pub counted: bool,
    pub location: SourceLocation,
}

impl Report {
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a report always serialises");
        text.push('\n');
        text
    }

    pub fn from_json(text: &str) -> Result<Report, ReportError> {
        #[derive(Deserialize)]
        struct Version {
            format_version: u64,
        }
        let version: Version = serde_json::from_str(text)?;
        if version.format_version != u64::from(FORMAT_VERSION) {
            return Err(ReportError::UnsupportedVersion { found: version.format_version });
        }
        Ok(serde_json::from_str(text)?)
    }

    /// Results that count against the score.
    pub fn failures(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|check| check.status.is_failure())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("not a holdfast audit report in JSON")]
    Malformed(#[from] serde_json::Error),
    #[error("the report has format_version {found}; this holdfast reads version {FORMAT_VERSION}: make it again with `holdfast audit --format json`")]
    UnsupportedVersion { found: u64 },
}
