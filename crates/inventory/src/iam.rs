//! IAM, read for the audit only and never changed: each user's console access, MFA and
//! access keys, and the root user's, from the credential report.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Iam {
    /// When AWS generated the credential report these rows come from (RFC 3339).
    pub report_generated: Option<String>,
    pub users: Vec<User>,
    /// None when neither the report nor the account summary said.
    pub root: Option<Root>,
    /// Rows of the report that could not be read as a user: the user checks say so.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unparsed_rows: usize,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub arn: String,
    /// Whether the user has a console password.
    pub console_access: bool,
    pub mfa_active: bool,
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
}

/// One of a user's two access key slots, as the credential report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// 1 or 2: the report names keys by slot, not by id.
    pub slot: u8,
    pub active: bool,
    /// RFC 3339; None when the report says N/A.
    pub last_rotated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Root {
    pub mfa_active: bool,
    pub access_keys_present: bool,
    /// Where the answer came from: `credential report` or `account summary`.
    pub source: String,
}

/// The entropy of a text, in bits per character (Shannon, over its characters): what the
/// reader measures of a plaintext value to tell a generated one, which it reports by name.
pub fn bits_per_character(text: &str) -> f64 {
    let mut counts = std::collections::BTreeMap::new();
    let mut total = 0usize;
    for character in text.chars() {
        *counts.entry(character).or_insert(0usize) += 1;
        total += 1;
    }
    counts
        .values()
        .map(|count| {
            let p = *count as f64 / total as f64;
            -p * p.log2()
        })
        .sum()
}
