//! GuardDuty: enabled, its four protection features, and 15-minute findings.

use crate::context::{ACCOUNT, Context, Outcome, finding, table_fix};
use crate::report::Finding;

/// The protections the seeds' report lists: S3 data events, RDS logins, Lambda's network
/// and EBS malware scanning.
pub(crate) const FEATURES: [&str; 4] = ["S3_DATA_EVENTS", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS", "EBS_MALWARE_PROTECTION"];
const FIFTEEN_MINUTES: &str = "FIFTEEN_MINUTES";

const NEW_ENTRY: &str = "[guardduty]\nenabled = true\nfinding_frequency = \"FIFTEEN_MINUTES\"\nfeatures = [\"S3_DATA_EVENTS\", \"RDS_LOGIN_EVENTS\", \"LAMBDA_NETWORK_LOGS\", \"EBS_MALWARE_PROTECTION\"]";

pub(crate) fn evaluate(cx: &Context<'_>) -> Vec<Outcome> {
    let read = cx.read("guardduty.detector");
    let detector = cx.inventory.guardduty.detector.as_ref();
    let declared = cx.desired.guardduty.as_deref();
    let fix = |declares: bool, setting: &str| table_fix(declared.map(|entry| &entry.origin), declares, setting, NEW_ENTRY);
    let enabled = read.clone().map(|()| {
        let observed = match detector {
            Some(found) if found.enabled => format!("detector {} enabled", found.id),
            Some(found) => format!("detector {} suspended", found.id),
            None => "no detector".to_owned(),
        };
        vec![finding(detector.is_some_and(|found| found.enabled), "account".to_owned(), "detector", observed, || {
            fix(declared.is_some_and(|entry| entry.enabled), "enabled = true")
        })]
    });
    let features = read.clone().map(|()| -> Vec<Finding> {
        let Some(found) = detector else { return Vec::new() };
        FEATURES
            .iter()
            .map(|feature| {
                let status = found.features.get(*feature).cloned().unwrap_or_else(|| "not configured".to_owned());
                finding(status == "ENABLED", format!("guardduty.detector/{}", found.id), &format!("feature {feature}"), status, || {
                    let features = FEATURES.map(|name| format!("\"{name}\"")).join(", ");
                    fix(declared.is_some_and(|entry| entry.features().any(|name| name == *feature)), &format!("features = [{features}]"))
                })
            })
            .collect()
    });
    let frequency = read.map(|()| -> Vec<Finding> {
        let Some(found) = detector else { return Vec::new() };
        let observed = found.finding_frequency.clone().unwrap_or_else(|| "not reported".to_owned());
        vec![finding(observed == FIFTEEN_MINUTES, format!("guardduty.detector/{}", found.id), "FindingPublishingFrequency", observed, || {
            let declares = declared.and_then(|entry| entry.finding_frequency.as_ref()).is_some_and(|frequency| frequency.get_ref() == FIFTEEN_MINUTES);
            fix(declares, "finding_frequency = \"FIFTEEN_MINUTES\"")
        })]
    });
    vec![
        Outcome::new("guardduty.enabled", ACCOUNT, enabled),
        Outcome::new("guardduty.protection_features", "features", features),
        Outcome::new("guardduty.finding_frequency", "detectors", frequency),
    ]
}
