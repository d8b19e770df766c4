//! GuardDuty: CloudTrail management events and VPC flow and DNS logs analysed.

use holdfast_planner::Change;
use holdfast_planner::operation::Operation;

use crate::money::{number, price, size};
use crate::{Estimated, Pricing, estimate_of, free, vpc};

pub(crate) fn change(change: &Change, pricing: &Pricing<'_>) -> Option<Estimated> {
    Some(match &change.operation {
        Operation::CreateDetector { features, .. } => analysis(pricing, features).map(|(usd, arithmetic, basis)| estimate_of(0.0, usd, arithmetic, basis)),
        Operation::DeleteDetector { .. } => {
            let features: Vec<String> = pricing
                .inventory
                .guardduty
                .detector
                .iter()
                .flat_map(|detector| detector.features.iter())
                .filter(|(_, status)| *status == "ENABLED")
                .map(|(name, _)| name.clone())
                .collect();
            analysis(pricing, &features).map(|(usd, arithmetic, basis)| estimate_of(usd, 0.0, arithmetic, basis))
        }
        Operation::UpdateDetector { features, .. } => {
            let enabling: Vec<&str> = features
                .iter()
                .filter(|(name, status)| {
                    status == "ENABLED" && !pricing.inventory.guardduty.detector.as_ref().is_some_and(|detector| detector.feature_enabled(name))
                })
                .map(|(name, _)| name.as_str())
                .collect();
            if enabling.is_empty() {
                Ok(free("no charge: the detector's settings cost nothing of their own"))
            } else {
                Err(format!(
                    "{} {} charged by its own usage, which the price table does not hold",
                    enabling.join(", "),
                    if enabling.len() == 1 { "is" } else { "are" }
                ))
            }
        }
        _ => return None,
    })
}

/// A month of the detector's foundational analysis: events and the VPCs' logs.
pub(crate) fn analysis(pricing: &Pricing<'_>, features: &[String]) -> Result<(f64, String, Vec<String>), String> {
    let (per_million, per_gb) = (pricing.usd("guardduty_events_million")?, pricing.usd("guardduty_log_gb")?);
    let events = pricing.assumed("cloudtrail_events_per_month")?;
    let vpcs = &pricing.inventory.vpc.vpcs;
    let mut gb = 0.0;
    let mut basis = vec![pricing.assumption("cloudtrail_events_per_month")];
    let mut assumed = 0;
    for vpc in vpcs {
        let (volume, vpc_basis) = vpc::volume(pricing, &vpc.id, None);
        gb += volume;
        if vpc_basis.iter().any(|line| line.starts_with("assumed")) {
            assumed += 1;
        }
    }
    if vpcs.is_empty() {
        basis.push("no VPC was read (no flow-log entry selects one): their flow and DNS logs, which GuardDuty analyses too, are not counted".to_owned());
    } else {
        basis.push(format!("the {} VPCs the flow-log entries select; any other VPC's logs are not counted", vpcs.len()));
    }
    if assumed > 0 {
        let assumption = pricing.assumption("flow_log_gb_per_vpc_month");
        basis.push(format!("for {assumed} of {} VPCs, {assumption}", vpcs.len()));
    }
    if !features.is_empty() {
        basis.push(format!("{} charged by their own usage, not counted", features.join(", ")));
    }
    let usd = events / 1_000_000.0 * per_million + gb * per_gb;
    Ok((
        usd,
        format!(
            "{} events × {} per million + {} of flow and DNS logs ({} VPCs) × {} per GB",
            number(events),
            price(per_million),
            size(gb),
            vpcs.len(),
            price(per_gb)
        ),
        basis,
    ))
}
