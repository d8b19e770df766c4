//! VPC flow logs: every selected VPC gets the declared flow log. Flow logs cannot be
//! modified, so a different one is replaced; flow logs not declared are left alone.

use holdfast_desired::vpc::{Destination, FlowLogEntry};
use holdfast_inventory::vpc::{FlowLog, Vpc};

use crate::context::{Context, ownership_notes, source};
use crate::operation::Operation;
use crate::plan::{Action, AttributeChange, Change, Flag, Kind};
use crate::select::Hits;

/// AWS's default aggregation interval, in seconds.
const DEFAULT_INTERVAL: u32 = 600;

pub(crate) fn plan(cx: &mut Context<'_>) {
    let entries = &cx.desired.vpc.flow_logs;
    let mut hits = Hits::new(entries.len());
    for vpc in &cx.inventory.vpc.vpcs {
        let name = vpc.name().unwrap_or(&vpc.id);
        let chosen = hits.select(entries, |entry| (entry.vpc.matches(name) || entry.vpc.matches(&vpc.id)) && entry.tags.matches(&vpc.tags));
        // Several entries may select one VPC: each declares its own destination.
        for entry in chosen {
            let Ok(destination) = entry.destination() else { continue };
            cx.changes.extend(plan_flow_log(entry, vpc, &destination));
        }
    }
    hits.warn_unmatched(cx, entries, |entry| format!("[[vpc.flow_logs]] vpc `{}`", entry.vpc));
}

fn destination_parts(destination: &Destination) -> (&'static str, &str) {
    match destination {
        Destination::S3(arn) => ("s3", arn),
        Destination::CloudWatchLogs(arn) => ("cloud-watch-logs", arn),
    }
}

fn same_destination(live: &FlowLog, kind: &str, arn: &str) -> bool {
    live.destination_type == kind && live.destination.trim_end_matches('/').trim_end_matches(":*") == arn
}

fn plan_flow_log(entry: &FlowLogEntry, vpc: &Vpc, destination: &Destination) -> Option<Change> {
    let (kind, arn) = destination_parts(destination);
    let traffic = entry.traffic.as_str();
    let interval = entry.max_aggregation_interval.as_ref().map(|interval| *interval.get_ref());
    let live = vpc.flow_logs.iter().find(|flow_log| same_destination(flow_log, kind, arn));
    let mut attributes = Vec::new();
    if let Some(live) = live {
        if live.traffic_type != traffic {
            attributes.push(AttributeChange::new("traffic_type", Some(live.traffic_type.clone()), Some(traffic.to_owned())));
        }
        if let Some(want) = interval
            && live.max_aggregation_interval != want
        {
            attributes.push(AttributeChange::new("max_aggregation_interval", Some(live.max_aggregation_interval.to_string()), Some(want.to_string())));
        }
        if let Some(want) = &entry.log_format
            && live.log_format.as_deref() != Some(want.as_str())
        {
            attributes.push(AttributeChange::new("log_format", live.log_format.clone(), Some(want.clone())));
        }
        if attributes.is_empty() {
            return None;
        }
    } else {
        attributes.push(AttributeChange::new("destination", None, Some(arn.to_owned())));
        attributes.push(AttributeChange::new("traffic_type", None, Some(traffic.to_owned())));
        attributes.push(AttributeChange::new("max_aggregation_interval", None, Some(interval.unwrap_or(DEFAULT_INTERVAL).to_string())));
        if let Some(format) = &entry.log_format {
            attributes.push(AttributeChange::new("log_format", None, Some(format.clone())));
        }
    }
    let target = arn.trim_start_matches("arn:aws:s3:::").trim_start_matches("arn:aws:logs:");
    let bucket = matches!(destination, Destination::S3(_)).then(|| target.split('/').next().unwrap_or(target).to_owned());
    Some(Change {
        address: Kind::VpcFlowLog.address(&format!("{}/{target}", vpc.id)),
        kind: Kind::VpcFlowLog,
        action: if live.is_some() { Action::Replace } else { Action::Create },
        label: Some(vpc.name().map_or_else(|| if vpc.is_default { "default VPC".to_owned() } else { vpc.id.clone() }, str::to_owned)),
        attributes,
        flags: if live.is_some() { vec![Flag::ForcesReplacement] } else { Vec::new() },
        source: source(&entry.origin),
        reason: live.map(|live| {
            format!("flow logs cannot be modified: {} is deleted and a new one created; no log records are lost, the old ones stay in the destination", live.id)
        }),
        notes: ownership_notes(&vpc.tags),
        depends_on: bucket.into_iter().map(|bucket| Kind::S3Bucket.address(&bucket)).collect(),
        operation: Operation::CreateFlowLog {
            vpc_id: vpc.id.clone(),
            destination_type: kind.to_owned(),
            destination: arn.to_owned(),
            traffic_type: traffic.to_owned(),
            max_aggregation_interval: interval,
            log_format: entry.log_format.clone(),
            replaces: live.map(|live| live.id.clone()),
        },
    })
}
