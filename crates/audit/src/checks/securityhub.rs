//! Security Hub: enabled, and subscribed to AWS Foundational Security Best Practices.

use crate::context::{ACCOUNT, Context, Outcome, finding, table_fix};
use crate::report::Finding;

const FSBP: &str = "aws-foundational-security-best-practices";
const NEW_ENTRY: &str = "[securityhub]\nenabled = true\nstandards = [\"aws-foundational-security-best-practices/v/1.0.0\"]";

pub(crate) fn evaluate(cx: &Context<'_>) -> Vec<Outcome> {
    let read = cx.read("securityhub.hub");
    let hub = cx.inventory.securityhub.hub.as_ref();
    let declared = cx.desired.securityhub.as_deref();
    let fix = |declares: bool, setting: &str| table_fix(declared.map(|entry| &entry.origin), declares, setting, NEW_ENTRY);
    let enabled = read.clone().map(|()| {
        let observed = hub.map_or_else(|| "not enabled".to_owned(), |found| format!("enabled ({})", found.arn));
        vec![finding(hub.is_some(), "account".to_owned(), "hub", observed, || fix(declared.is_some_and(|entry| entry.enabled), "enabled = true"))]
    });
    let standards = read.and_then(|()| -> Result<Vec<Finding>, String> {
        let Some(found) = hub else { return Ok(Vec::new()) };
        let Some(standards) = &found.standards else {
            return Err("Security Hub's enabled standards could not be read (securityhub:GetEnabledStandards was refused or is not served here)".to_owned());
        };
        let subscribed = standards.iter().find(|standard| standard.standards_arn.contains(FSBP));
        let observed = match subscribed {
            Some(standard) => format!("{} {}", standard.standards_arn, standard.status),
            None if standards.is_empty() => "no standard enabled".to_owned(),
            None => format!("not subscribed ({} other standard(s))", standards.len()),
        };
        let passed = subscribed.is_some_and(|standard| standard.status == "READY");
        Ok(vec![finding(passed, "securityhub.hub".to_owned(), "standards", observed, || {
            fix(
                declared.is_some_and(|entry| entry.standards.iter().any(|standard| standard.get_ref().contains(FSBP))),
                "standards = [\"aws-foundational-security-best-practices/v/1.0.0\"]",
            )
        })])
    });
    vec![Outcome::new("securityhub.enabled", ACCOUNT, enabled), Outcome::new("securityhub.fsbp", "hubs", standards)]
}
