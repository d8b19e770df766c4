//! `[[audit.attestation]]`: what a person vouches for that no API can show (a signed BAA,
//! a risk assessment), and the audit's whole-account read scope.
//!
//! `holdfast audit` shows each attestation with its author, date and evidence, and its
//! age: an attestation older than a year counts no more.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::check::Checker;
use crate::diagnostic::did_you_mean;
use crate::drift::Day;
use crate::origin::{Entries, Origin, impl_has_origin};

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    #[serde(default)]
    pub attestation: Entries<Attestation>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// The manual check this vouches for: one of [`MANUAL_CHECKS`].
    #[schemars(with = "String")]
    pub check: Spanned<String>,
    /// Who vouches: a name and role, `"Dana Reyes (compliance officer)"`.
    #[schemars(with = "String")]
    pub by: Spanned<String>,
    /// The day it was last confirmed, `2026-01-20`.
    #[schemars(with = "Day")]
    pub date: Spanned<Day>,
    /// Where the proof is kept: a document, a ticket, an AWS Artifact agreement id.
    #[schemars(with = "String")]
    pub evidence: Spanned<String>,
    #[serde(skip)]
    pub origin: Origin,
}

impl_has_origin!(Attestation);

/// The checks only a person can answer, by id. The audit crate's catalogue holds their
/// titles and clauses; a test there keeps the two lists equal.
pub const MANUAL_CHECKS: &[&str] =
    &["manual.baa", "manual.risk_assessment", "manual.incident_response", "manual.security_policies", "manual.workforce_training"];

pub(crate) fn check(checker: &mut Checker<'_>) {
    let mut seen: Vec<(&str, &Origin)> = Vec::new();
    for attestation in checker.desired.audit.attestation.iter() {
        let check = attestation.check.get_ref().as_str();
        if !MANUAL_CHECKS.contains(&check) {
            let hint = did_you_mean(check, MANUAL_CHECKS.iter().copied())
                .unwrap_or_else(|| format!("attestations are for the checks only a person can answer: {}", MANUAL_CHECKS.join(", ")));
            checker.error(&attestation.origin, attestation.check.span(), format!("`{check}` is not a check that takes an attestation"), Some(hint));
        }
        for (field, value) in [("by", &attestation.by), ("evidence", &attestation.evidence)] {
            if value.get_ref().trim().is_empty() {
                let hint = match field {
                    "by" => "name who vouches, and their role: by = \"Dana Reyes (compliance officer)\"",
                    _ => "say where the proof is kept: evidence = \"AWS Artifact, BAA accepted 2026-01-20, ticket SEC-112\"",
                };
                checker.error(&attestation.origin, value.span(), format!("an attestation has an empty `{field}`"), Some(hint.to_owned()));
            }
        }
        if let Some((_, first)) = seen.iter().find(|(earlier, _)| *earlier == check) {
            let message = format!("`{check}` is attested twice: here and at {}", first.location);
            checker.entry_error(&attestation.origin, message, Some("keep the latest attestation of each check".to_owned()));
        } else {
            seen.push((check, &attestation.origin));
        }
    }
}

/// The audit's read scope, as desired-state entries the reader understands: every ECS
/// service with its task definition, every Aurora cluster, every bucket in the region with
/// its encryption, policy and public access block, every VPC with its flow logs, and the
/// region's GuardDuty, Security Hub (with standards) and Config. Merged into a desired
/// state with [`crate::Desired::with_audit_scope`], for reading only: never planned.
pub(crate) const AUDIT_SCOPE: &str = r#"
[[ecs.task_secrets]]
cluster = "*"
service = "*"
secrets = {}

[[aurora.cluster]]
match = "*"

[[s3.bucket]]
name = "*"
encryption = { algorithm = "aws:kms" }
public_access_block = true
require_tls = true

[[vpc.flow_logs]]
vpc = "*"
destination = "arn:aws:logs:us-east-1:000000000000:log-group:audit-scope"

[guardduty]
enabled = true

[securityhub]
enabled = true
standards = ["aws-foundational-security-best-practices/v/1.0.0"]

[config]
recording = true
"#;

/// What `holdfast import` reads beyond the audit's scope: every bucket's lifecycle rules,
/// and every load balancer. Merged with [`crate::Desired::with_import_scope`].
pub(crate) const IMPORT_SCOPE: &str = r#"
[[s3.bucket]]
name = "*"
lifecycle = []

[[elb.load_balancer]]
name = "*"
"#;

/// The file name audit-scope entries report as their origin.
pub const AUDIT_SCOPE_FILE: &str = "<audit scope>";
