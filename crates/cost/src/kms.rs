//! KMS: each customer managed key, a month.

use holdfast_planner::Change;
use holdfast_planner::operation::Operation;

use crate::money::price;
use crate::{Estimated, Figure, Pricing, estimate_of, free};

pub(crate) fn change(change: &Change, pricing: &Pricing<'_>) -> Option<Estimated> {
    Some(match &change.operation {
        Operation::CreateKey { adopt: Some(_), .. } => Ok(free("the key exists already: it is given its alias")),
        Operation::CreateKey { .. } => {
            key_month(pricing).map(|(usd, arithmetic)| estimate_of(0.0, usd, arithmetic, vec!["requests ($0.03 per 10,000) not counted".to_owned()]))
        }
        Operation::ScheduleKeyDeletion { .. } => {
            key_month(pricing).map(|(usd, arithmetic)| estimate_of(usd, 0.0, arithmetic, vec!["from the end of the waiting period".to_owned()]))
        }
        Operation::UpdateKey { rotation: Some(true), .. } => Ok(estimate_of(
            0.0,
            0.0,
            "nothing until the first rotation, a year on",
            vec!["each of the first two yearly rotations then adds the key's monthly price again".to_owned()],
        )),
        Operation::UpdateKey { .. } => Ok(free("no charge: a key's description and policy cost nothing")),
        _ => return None,
    })
}

fn key_month(pricing: &Pricing<'_>) -> Result<(f64, String), String> {
    let usd = pricing.usd("kms_key_month")?;
    Ok((usd, format!("1 customer managed key × {} a month", price(usd))))
}

/// What a selected key costs a month: a customer managed key that is not pending
/// deletion; AWS managed keys cost nothing.
pub(crate) fn run_rate(pricing: &Pricing<'_>, key_id: &str) -> Result<Figure, String> {
    let key = pricing.inventory.kms.keys.iter().find(|key| key.id == key_id).ok_or("the key was not read")?;
    if key.manager.as_deref() == Some("AWS") || key.state.as_deref() == Some("PendingDeletion") {
        return Ok(Figure { usd: 0.0, arithmetic: "an AWS managed key, or one pending deletion: no monthly charge".to_owned(), basis: Vec::new() });
    }
    let (usd, arithmetic) = key_month(pricing)?;
    Ok(Figure { usd, arithmetic, basis: vec!["requests ($0.03 per 10,000) not counted".to_owned()] })
}
