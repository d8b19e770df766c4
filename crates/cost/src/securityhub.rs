//! Security Hub: each security check its standards run.

use holdfast_planner::Change;
use holdfast_planner::operation::Operation;

use crate::money::{number, price};
use crate::{Estimated, Pricing, estimate_of};

pub(crate) fn change(change: &Change, pricing: &Pricing<'_>) -> Option<Estimated> {
    Some(match &change.operation {
        Operation::EnableSecurityHub { .. } => checks(pricing).map(|(usd, arithmetic, basis)| estimate_of(0.0, usd, arithmetic, basis)),
        Operation::DisableSecurityHub => checks(pricing).map(|(usd, arithmetic, basis)| estimate_of(usd, 0.0, arithmetic, basis)),
        Operation::EnableStandards { .. } => Err("the checks an added standard runs depend on its controls, which the price table does not hold".to_owned()),
        _ => return None,
    })
}

/// A month of security checks.
pub(crate) fn checks(pricing: &Pricing<'_>) -> Result<(f64, String, Vec<String>), String> {
    let unit = pricing.usd("securityhub_check")?;
    let count = pricing.assumed("securityhub_checks_per_month")?;
    Ok((
        count * unit,
        format!("{} checks × {} each", number(count), price(unit)),
        vec![pricing.assumption("securityhub_checks_per_month"), "findings ingested from other services are free up to a limit, not counted".to_owned()],
    ))
}
