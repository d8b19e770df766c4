//! `[guardduty]`: the account's detector in its region.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::check::Checker;
use crate::origin::{Origin, impl_has_origin};

/// The detector features GuardDuty knows (`DetectorFeature`).
pub const FEATURES: [&str; 7] =
    ["S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "EKS_RUNTIME_MONITORING", "LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING"];

pub const FREQUENCIES: [&str; 3] = ["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"];

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardDuty {
    /// `false` deletes the detector, and its findings, only with `--allow-delete`.
    #[serde(default = "yes")]
    pub enabled: bool,
    #[schemars(with = "Option<String>", extend("enum" = ["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"]))]
    pub finding_frequency: Option<Spanned<String>>,
    /// Features that must be on; features left out are left as they are.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub features: Vec<Spanned<String>>,
    #[serde(skip)]
    pub origin: Origin,
}

fn yes() -> bool {
    true
}

impl_has_origin!(GuardDuty);

impl GuardDuty {
    pub fn features(&self) -> impl Iterator<Item = &str> {
        self.features.iter().map(|feature| feature.get_ref().as_str())
    }
}

pub(crate) fn check(checker: &mut Checker<'_>) {
    let Some(guardduty) = checker.desired.guardduty.as_deref() else { return };
    if let Some(frequency) = &guardduty.finding_frequency
        && !FREQUENCIES.contains(&frequency.get_ref().as_str())
    {
        let hint = crate::diagnostic::did_you_mean(frequency.get_ref(), FREQUENCIES).unwrap_or_else(|| format!("one of {}", FREQUENCIES.join(", ")));
        checker.error(&guardduty.origin, frequency.span(), format!("unknown finding_frequency `{}`", frequency.get_ref()), Some(hint));
    }
    let mut seen: Vec<&str> = Vec::new();
    for feature in &guardduty.features {
        let name = feature.get_ref().as_str();
        if !FEATURES.contains(&name) {
            let hint = crate::diagnostic::did_you_mean(name, FEATURES).unwrap_or_else(|| format!("one of {}", FEATURES.join(", ")));
            checker.error(&guardduty.origin, feature.span(), format!("unknown GuardDuty feature `{name}`"), Some(hint));
        } else if seen.contains(&name) {
            checker.error(&guardduty.origin, feature.span(), format!("feature `{name}` is listed twice"), Some("list each feature once".to_owned()));
        }
        seen.push(name);
    }
    if !guardduty.enabled && (guardduty.finding_frequency.is_some() || !guardduty.features.is_empty()) {
        checker.entry_error(
            &guardduty.origin,
            "[guardduty] is `enabled = false` but also sets its configuration",
            Some("a detector to delete has nothing to configure: remove finding_frequency and features".to_owned()),
        );
    }
}
