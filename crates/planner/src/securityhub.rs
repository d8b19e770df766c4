//! Security Hub: enabled in the region, with the declared standards subscribed.
//! Standards not declared are left as they are.

use holdfast_desired::securityhub::{SecurityHub, standard_arn};

use crate::context::{Context, regional_change};
use crate::operation::Operation;
use crate::plan::{Action, AttributeChange, Change, Flag, Kind};

pub(crate) fn plan(cx: &mut Context<'_>) {
    let Some(declared) = cx.desired.securityhub.as_deref() else { return };
    let region = &cx.inventory.region;
    let wanted: Vec<String> = declared.standards.iter().map(|standard| standard_arn(standard.get_ref(), region)).collect();
    let hub = cx.inventory.securityhub.hub.as_ref();
    let change = match (declared.enabled, hub) {
        (true, None) => {
            let mut attributes = vec![AttributeChange::new("status", None, Some("enabled".to_owned()))];
            attributes.extend(wanted.iter().map(|arn| AttributeChange::new(format!("standard {}", short(arn)), None, Some("enabled".to_owned()))));
            Some(change(cx, declared, Action::Create, attributes, Operation::EnableSecurityHub { standards: wanted }))
        }
        (true, Some(hub)) => {
            let enabled: Vec<&str> = hub
                .standards
                .iter()
                .flatten()
                .filter(|standard| matches!(standard.status.as_str(), "READY" | "PENDING" | "INCOMPLETE"))
                .map(|standard| standard.standards_arn.as_str())
                .collect();
            let missing: Vec<String> = wanted.into_iter().filter(|arn| !enabled.contains(&arn.as_str())).collect();
            if hub.standards.is_none() && !missing.is_empty() {
                cx.warn("Security Hub's enabled standards were not read, so they are neither compared nor changed", Some(&declared.origin));
                None
            } else if missing.is_empty() {
                None
            } else {
                let attributes = missing
                    .iter()
                    .map(|arn| {
                        let status = hub.standards.iter().flatten().find(|standard| &standard.standards_arn == arn).map(|standard| standard.status.clone());
                        AttributeChange::new(
                            format!("standard {}", short(arn)),
                            Some(status.unwrap_or_else(|| "not enabled".to_owned())),
                            Some("enabled".to_owned()),
                        )
                    })
                    .collect();
                Some(change(cx, declared, Action::Update, attributes, Operation::EnableStandards { standards: missing }))
            }
        }
        (false, Some(_)) => {
            let mut change =
                change(cx, declared, Action::Delete, vec![AttributeChange::new("status", Some("enabled".to_owned()), None)], Operation::DisableSecurityHub);
            change.flags = vec![Flag::DeletesData];
            change.reason =
                Some("[securityhub] enabled = false: Security Hub is disabled in this region, its findings and standards subscriptions are dropped".to_owned());
            Some(change)
        }
        (false, None) => None,
    };
    cx.changes.extend(change);
}

/// `aws-foundational-security-best-practices/v/1.0.0` from its ARN.
fn short(arn: &str) -> &str {
    arn.split_once(":standards/").or_else(|| arn.split_once(":ruleset/")).map_or(arn, |(_, rest)| rest)
}

fn change(cx: &Context<'_>, declared: &SecurityHub, action: Action, attributes: Vec<AttributeChange>, operation: Operation) -> Change {
    regional_change(cx, Kind::SecurityHub, &declared.origin, action, attributes, operation)
}
