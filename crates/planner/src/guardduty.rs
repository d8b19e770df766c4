//! GuardDuty: the region's detector exists, is enabled, reports at the declared
//! frequency, and has the declared features on. Features not declared keep their status.

use holdfast_desired::guardduty::{FEATURES, GuardDuty};
use holdfast_inventory::guardduty::Detector;

use crate::context::{Context, regional_change};
use crate::operation::Operation;
use crate::plan::{Action, AttributeChange, Change, Flag, Kind};

pub(crate) fn plan(cx: &mut Context<'_>) {
    let Some(guardduty) = cx.desired.guardduty.as_deref() else { return };
    let detector = cx.inventory.guardduty.detector.as_ref();
    let change = match (guardduty.enabled, detector) {
        (true, None) => Some(create(cx, guardduty)),
        (true, Some(detector)) => update(cx, guardduty, detector),
        (false, Some(detector)) => Some(delete(cx, guardduty, detector)),
        (false, None) => None,
    };
    cx.changes.extend(change);
}

fn change(cx: &Context<'_>, guardduty: &GuardDuty, action: Action, attributes: Vec<AttributeChange>, operation: Operation) -> Change {
    regional_change(cx, Kind::GuardDutyDetector, &guardduty.origin, action, attributes, operation)
}

fn create(cx: &Context<'_>, guardduty: &GuardDuty) -> Change {
    let mut attributes = vec![AttributeChange::new("status", None, Some("ENABLED".to_owned()))];
    let frequency = guardduty.finding_frequency.as_ref().map(|frequency| frequency.get_ref().clone());
    if let Some(frequency) = &frequency {
        attributes.push(AttributeChange::new("finding_frequency", None, Some(frequency.clone())));
    }
    let features: Vec<String> = guardduty.features().map(str::to_owned).collect();
    for feature in &features {
        attributes.push(AttributeChange::new(format!("feature {feature}"), None, Some("ENABLED".to_owned())));
    }
    change(cx, guardduty, Action::Create, attributes, Operation::CreateDetector { finding_frequency: frequency, features })
}

fn update(cx: &Context<'_>, guardduty: &GuardDuty, detector: &Detector) -> Option<Change> {
    let mut attributes = Vec::new();
    if !detector.enabled {
        attributes.push(AttributeChange::new("status", Some("DISABLED".to_owned()), Some("ENABLED".to_owned())));
    }
    let frequency = guardduty.finding_frequency.as_ref().map(|frequency| frequency.get_ref().clone());
    if let Some(want) = &frequency
        && detector.finding_frequency.as_deref() != Some(want.as_str())
    {
        attributes.push(AttributeChange::new("finding_frequency", detector.finding_frequency.clone(), Some(want.clone())));
    }
    for feature in guardduty.features() {
        if !detector.feature_enabled(feature) {
            let have = detector.features.get(feature).cloned().unwrap_or_else(|| "(not set)".to_owned());
            attributes.push(AttributeChange::new(format!("feature {feature}"), Some(have), Some("ENABLED".to_owned())));
        }
    }
    if attributes.is_empty() {
        return None;
    }
    // The whole list, every live feature with its status and the declared ones on.
    // Only features that can be configured: GetDetector also reports foundational sources
    // (CLOUD_TRAIL, DNS_LOGS, FLOW_LOGS) that UpdateDetector refuses.
    let mut features: Vec<(String, String)> =
        detector.features.iter().filter(|(name, _)| FEATURES.contains(&name.as_str())).map(|(name, status)| (name.clone(), status.clone())).collect();
    for feature in guardduty.features() {
        match features.iter_mut().find(|(name, _)| name == feature) {
            Some(entry) => entry.1 = "ENABLED".to_owned(),
            None => features.push((feature.to_owned(), "ENABLED".to_owned())),
        }
    }
    features.sort();
    let additional: Vec<(String, String, String)> = detector
        .additional
        .iter()
        .filter(|(feature, _)| FEATURES.contains(&feature.as_str()))
        .flat_map(|(feature, settings)| settings.iter().map(move |(name, status)| (feature.clone(), name.clone(), status.clone())))
        .collect();
    let operation = Operation::UpdateDetector { detector_id: detector.id.clone(), finding_frequency: frequency, features, additional };
    Some(change(cx, guardduty, Action::Update, attributes, operation))
}

fn delete(cx: &Context<'_>, guardduty: &GuardDuty, detector: &Detector) -> Change {
    let mut change = change(
        cx,
        guardduty,
        Action::Delete,
        vec![AttributeChange::new("status", Some(if detector.enabled { "ENABLED" } else { "DISABLED" }.to_owned()), None)],
        Operation::DeleteDetector { detector_id: detector.id.clone() },
    );
    change.flags = vec![Flag::DeletesData];
    change.reason =
        Some(format!("[guardduty] enabled = false: detector {} is deleted with every finding it holds, and threats stop being detected", detector.id));
    change
}
