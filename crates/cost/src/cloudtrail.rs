//! CloudTrail: the first copy of management events in a region is free; each further
//! trail that records them pays per event.

use holdfast_planner::Change;
use holdfast_planner::operation::Operation;

use crate::money::{number, price};
use crate::{Estimated, Figure, Pricing, estimate_of, free};

pub(crate) fn change(change: &Change, pricing: &Pricing<'_>) -> Option<Estimated> {
    let name = match &change.operation {
        Operation::CreateTrail { name, logging: true, .. } => name,
        Operation::UpdateTrail { name, logging: Some(true), .. } => name,
        Operation::DeleteTrail { name, .. } | Operation::UpdateTrail { name, logging: Some(false), .. } => {
            return Some(others_logging(pricing, name).map(|others| {
                let (usd, arithmetic, basis) = copy(pricing, others);
                estimate_of(usd.unwrap_or(0.0), 0.0, arithmetic, basis)
            }));
        }
        Operation::CreateTrail { .. } | Operation::UpdateTrail { .. } => return Some(Ok(free("no charge: a trail's settings cost nothing of their own"))),
        _ => return None,
    };
    Some(others_logging(pricing, name).map(|others| {
        let (usd, arithmetic, basis) = copy(pricing, others);
        estimate_of(0.0, usd.unwrap_or(0.0), arithmetic, basis)
    }))
}

/// How many other trails log now: a trail is the free first copy when none does.
fn others_logging(pricing: &Pricing<'_>, name: &str) -> Result<usize, String> {
    Ok(pricing.inventory.cloudtrail.trails.iter().filter(|trail| trail.name != name && trail.logging != Some(false)).count())
}

/// A copy of the management events: free when it is the first, else per event.
fn copy(pricing: &Pricing<'_>, others: usize) -> (Option<f64>, String, Vec<String>) {
    let storage = "log files add S3 storage (about a GB a million events, compressed), not counted".to_owned();
    if others == 0 {
        return (None, "the first copy of management events in the region is free".to_owned(), vec![storage]);
    }
    let (Ok(per_100k), Ok(events)) = (pricing.usd("cloudtrail_paid_events_100k"), pricing.assumed("cloudtrail_events_per_month")) else {
        return (None, "not priced".to_owned(), Vec::new());
    };
    let usd = events / 100_000.0 * per_100k;
    (
        Some(usd),
        format!("another copy of management events: {} events × {} per 100,000", number(events), price(per_100k)),
        vec![pricing.assumption("cloudtrail_events_per_month"), storage],
    )
}

/// What the trails cost a month: for `holdfast cost`; the first logging trail is free.
pub(crate) fn run_rate(pricing: &Pricing<'_>, index_among_logging: usize) -> Figure {
    let (usd, arithmetic, basis) = copy(pricing, index_among_logging);
    Figure { usd: usd.unwrap_or(0.0), arithmetic, basis }
}
