//! Load balancers: the hourly charge, and capacity units where they are used.

use holdfast_planner::Change;
use holdfast_planner::operation::Operation;

use crate::money::{number, price};
use crate::{Estimated, Pricing, estimate_of, free};

pub(crate) fn change(change: &Change, pricing: &Pricing<'_>) -> Option<Estimated> {
    Some(match &change.operation {
        Operation::DeleteLoadBalancer { name, .. } => hourly(pricing, name).map(|(usd, arithmetic, basis)| estimate_of(usd, 0.0, arithmetic, basis)),
        Operation::SetDeletionProtection { .. } => Ok(free("no charge: deletion protection costs nothing")),
        _ => return None,
    })
}

/// What a load balancer costs a month: its hours, and no capacity units (LCU use is not
/// read; an idle one uses almost none).
pub(crate) fn hourly(pricing: &Pricing<'_>, name: &str) -> Result<(f64, String, Vec<String>), String> {
    let load_balancer = pricing.load_balancer(name)?;
    if load_balancer.kind != "application" {
        return Err(format!("{} load balancers are not priced", load_balancer.kind));
    }
    let (hour, lcu) = (pricing.usd("alb_hour")?, pricing.usd("alb_lcu_hour")?);
    let hours = pricing.hours();
    let targets: usize = load_balancer.target_groups.iter().flatten().map(|group| group.registered_targets).sum();
    let basis = vec![format!(
        "capacity units ({} per LCU-hour) not counted: use not read; {} registered",
        price(lcu),
        if targets == 1 { "1 target".to_owned() } else { format!("{targets} targets") }
    )];
    Ok((hour * hours, format!("{} h × {} per hour", number(hours), price(hour)), basis))
}
