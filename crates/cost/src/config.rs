//! AWS Config: each configuration item recorded.

use holdfast_planner::Change;
use holdfast_planner::operation::Operation;

use crate::money::{number, price};
use crate::{Estimated, Pricing, estimate_of, free};

pub(crate) fn change(change: &Change, pricing: &Pricing<'_>) -> Option<Estimated> {
    let recording_now = pricing.inventory.config.recorders.iter().any(|recorder| recorder.recording);
    let daily_now = pricing.inventory.config.recorders.iter().any(|recorder| recorder.recording_frequency.as_deref() == Some("DAILY"));
    Some(match &change.operation {
        Operation::SetConfigRecorder { recorder, recording, .. } => {
            let daily = recorder.as_ref().map_or(daily_now, |recorder| recorder.recording_frequency.as_deref() == Some("DAILY"));
            let recording_after = recording.unwrap_or(recording_now);
            match (recording_now, recording_after) {
                (false, true) => items(pricing, daily).map(|(usd, arithmetic, basis)| estimate_of(0.0, usd, arithmetic, basis)),
                (true, false) => items(pricing, daily_now).map(|(usd, arithmetic, basis)| estimate_of(usd, 0.0, arithmetic, basis)),
                (true, true) if daily != daily_now => {
                    let (before, _, _) = match items(pricing, daily_now) {
                        Ok(found) => found,
                        Err(error) => return Some(Err(error)),
                    };
                    items(pricing, daily).map(|(after, arithmetic, basis)| estimate_of(before, after, arithmetic, basis))
                }
                _ => Ok(free("no charge: the recorder's settings cost nothing of their own")),
            }
        }
        Operation::DeleteConfigRecorder { .. } if recording_now => {
            items(pricing, daily_now).map(|(usd, arithmetic, basis)| estimate_of(usd, 0.0, arithmetic, basis))
        }
        Operation::DeleteConfigRecorder { .. } => Ok(free("the recorder records nothing now")),
        _ => return None,
    })
}

/// A month of configuration items, recorded continuously or daily.
pub(crate) fn items(pricing: &Pricing<'_>, daily: bool) -> Result<(f64, String, Vec<String>), String> {
    let unit = pricing.usd(if daily { "config_item_daily" } else { "config_item" })?;
    let count = pricing.assumed("config_items_per_month")?;
    let mut basis = vec![pricing.assumption("config_items_per_month"), "rule evaluations and conformance packs are not counted".to_owned()];
    if daily {
        basis.push("daily recording: one item a day for each resource that changed".to_owned());
    }
    Ok((count * unit, format!("{} configuration items × {} each", number(count), price(unit)), basis))
}
