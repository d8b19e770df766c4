//! VPC flow logs: the GB delivered a month at the destination's delivery price, and for
//! S3 the month's storage of them.

use holdfast_inventory::vpc::FlowLog;
use holdfast_planner::Change;
use holdfast_planner::operation::Operation;

use crate::money::{gigabytes, number, price, size};
use crate::{Estimated, Figure, Pricing, estimate_of};

pub(crate) fn change(change: &Change, pricing: &Pricing<'_>) -> Option<Estimated> {
    Some(match &change.operation {
        Operation::CreateFlowLog { vpc_id, destination_type, traffic_type, replaces: Some(replaced), log_format, max_aggregation_interval, .. } => {
            replacement(pricing, vpc_id, replaced, destination_type, traffic_type, log_format.as_deref(), *max_aggregation_interval)
        }
        Operation::CreateFlowLog { vpc_id, destination_type, .. } => {
            let (gb, basis) = volume(pricing, vpc_id, None);
            delivery(pricing, destination_type, gb, basis).map(|(usd, arithmetic, basis)| estimate_of(0.0, usd, arithmetic, basis))
        }
        Operation::DeleteFlowLog { vpc_id, flow_log_id } => {
            let existing = flow_log(pricing, vpc_id, flow_log_id);
            let (gb, basis) = volume(pricing, vpc_id, existing);
            let destination_type = existing.map_or("s3", |flow_log| flow_log.destination_type.as_str());
            delivery(pricing, destination_type, gb, basis).map(|(usd, arithmetic, basis)| estimate_of(usd, 0.0, arithmetic, basis))
        }
        _ => return None,
    })
}

/// A flow log made in place of another: the same volume, at the new destination's price,
/// when it logs the same traffic; other traffic is a volume nobody has measured.
fn replacement(
    pricing: &Pricing<'_>,
    vpc_id: &str,
    replaced: &str,
    destination_type: &str,
    traffic_type: &str,
    log_format: Option<&str>,
    max_aggregation_interval: Option<u32>,
) -> Estimated {
    let Some(old) = flow_log(pricing, vpc_id, replaced) else { return Err("the flow log it replaces was not read".to_owned()) };
    if old.traffic_type != traffic_type {
        return Err(format!("it logs {traffic_type} traffic instead of {}: the new volume has not been measured", old.traffic_type));
    }
    if old.log_format.as_deref() != log_format || Some(old.max_aggregation_interval) != max_aggregation_interval {
        return Err("its record format or aggregation interval changes the volume, which has not been measured".to_owned());
    }
    let (gb, basis) = volume(pricing, vpc_id, Some(old));
    let (before, _, _) = delivery(pricing, &old.destination_type, gb, basis.clone())?;
    let (after, arithmetic, basis) = delivery(pricing, destination_type, gb, basis)?;
    let arithmetic =
        if old.destination_type == destination_type { format!("the same traffic to the same kind of destination: {arithmetic}") } else { arithmetic };
    Ok(estimate_of(before, after, arithmetic, basis))
}

fn flow_log<'a>(pricing: &'a Pricing<'_>, vpc_id: &str, id: &str) -> Option<&'a FlowLog> {
    pricing.vpc(vpc_id)?.flow_logs.iter().find(|flow_log| flow_log.id == id)
}

/// The GB a month of a VPC's flow logs: what one of its flow logs delivered (read), else
/// the assumption.
pub(crate) fn volume(pricing: &Pricing<'_>, vpc_id: &str, flow_log: Option<&FlowLog>) -> (f64, Vec<String>) {
    let measured = flow_log
        .filter(|flow_log| flow_log.bytes_per_day.is_some())
        .or_else(|| pricing.vpc(vpc_id)?.flow_logs.iter().find(|flow_log| flow_log.bytes_per_day.is_some()));
    match measured.and_then(|flow_log| Some((flow_log.bytes_per_day?, flow_log.volume_shared_by))) {
        Some((bytes, shared_by)) => {
            let gb = gigabytes(bytes) * 365.0 / 12.0;
            let share = shared_by.map(|count| format!(", its share of a log group {count} flow logs deliver to")).unwrap_or_default();
            (gb, vec![format!("{} a day delivered (read{share})", size(gigabytes(bytes)))])
        }
        None => (pricing.assumed("flow_log_gb_per_vpc_month").unwrap_or(0.0), vec![pricing.assumption("flow_log_gb_per_vpc_month")]),
    }
}

/// A month of `gb` delivered to the destination, and for S3 the month's storage of it.
fn delivery(pricing: &Pricing<'_>, destination_type: &str, gb: f64, mut basis: Vec<String>) -> Result<(f64, String, Vec<String>), String> {
    match destination_type {
        "s3" => {
            let (deliver, store) = (pricing.usd("flow_logs_s3_gb")?, pricing.usd("s3_standard_gb_month")?);
            basis.push("storage grows by each month's logs unless a lifecycle rule expires them".to_owned());
            Ok((gb * (deliver + store), format!("{} a month × ({} delivery + {} a month's S3 storage)", size(gb), price(deliver), price(store)), basis))
        }
        "cloud-watch-logs" => {
            let deliver = pricing.usd("flow_logs_cloudwatch_gb")?;
            basis.push("log group storage is not counted".to_owned());
            Ok((gb * deliver, format!("{} a month × {} delivery to CloudWatch Logs", size(gb), price(deliver)), basis))
        }
        other => Err(format!("delivery to {other} is not priced ({} GB a month)", number(gb))),
    }
}

/// What a flow log costs a month: for `holdfast cost`.
pub(crate) fn run_rate(pricing: &Pricing<'_>, vpc_id: &str, flow_log: &FlowLog) -> Result<Figure, String> {
    let (gb, basis) = volume(pricing, vpc_id, Some(flow_log));
    let (usd, arithmetic, basis) = delivery(pricing, &flow_log.destination_type, gb, basis)?;
    Ok(Figure { usd, arithmetic, basis })
}
