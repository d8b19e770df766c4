//! VPC flow logs: every selected VPC gets the declared flow log. Flow logs cannot be
//! modified, so a different one is replaced; flow logs not declared are left alone.

use holdfast_desired::s3::Ensure;
use holdfast_desired::vpc::{Destination, FlowLogEntry};
use holdfast_inventory::vpc::{FlowLog, Vpc};

use crate::context::{Context, ownership_notes, source};
use crate::operation::Operation;
use crate::plan::{Action, AttributeChange, Change, Flag, Kind};
use crate::select::Hits;

/// The tag on a flow log holdfast created to replace another: the id of the one replaced.
const REPLACES_TAG: &str = "holdfast:replaces";

/// AWS's default aggregation interval, in seconds.
const DEFAULT_INTERVAL: u32 = 600;

pub(crate) fn plan(cx: &mut Context<'_>) {
    check_destinations(cx);
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

/// An S3 destination must be a bucket that exists or that this desired state creates;
/// otherwise every CreateFlowLogs fails, after the changes before it are made.
fn check_destinations(cx: &mut Context<'_>) {
    let desired = cx.desired;
    for entry in desired.vpc.flow_logs.iter() {
        let Ok(Destination::S3(arn)) = entry.destination() else { continue };
        let bucket = bucket_of(&arn);
        if let Some(doomed) = desired.s3.bucket.iter().find(|bucket_entry| bucket_entry.ensure == Ensure::Absent && bucket_entry.name.as_str() == bucket) {
            cx.error(
                format!(
                    "the flow logs deliver to the bucket `{bucket}`, which {} marks ensure = \"absent\": deliver elsewhere, or keep the bucket",
                    crate::context::source(&doomed.origin)
                ),
                Some(&entry.origin),
            );
            continue;
        }
        let exists = cx.inventory.s3.names.iter().chain(&cx.inventory.s3.elsewhere).any(|name| name == bucket);
        let created = desired
            .s3
            .bucket
            .iter()
            .any(|bucket_entry| bucket_entry.ensure == Ensure::Present && bucket_entry.name.is_literal() && bucket_entry.name.as_str() == bucket);
        if !exists && !created {
            cx.error(
                format!("the flow-log destination bucket `{bucket}` does not exist, and no [[s3.bucket]] entry creates it: declare it with [[s3.bucket]] name = \"{bucket}\", or deliver elsewhere"),
                Some(&entry.origin),
            );
        }
    }
}

/// The bucket of an S3 destination ARN: `arn:aws:s3:::bucket/prefix` gives `bucket`.
fn bucket_of(arn: &str) -> &str {
    let target = arn.trim_start_matches("arn:aws:s3:::");
    target.split('/').next().unwrap_or(target)
}

fn destination_parts(destination: &Destination) -> (&'static str, &str) {
    match destination {
        Destination::S3(arn) => ("s3", arn),
        Destination::CloudWatchLogs(arn) => ("cloud-watch-logs", arn),
    }
}

fn same_destination(live: &FlowLog, kind: &str, arn: &str) -> bool {
    if live.destination_type != kind {
        return false;
    }
    let have = live.destination.trim_end_matches('/').trim_end_matches(":*");
    // A flow log made with a log group name reports the name, not the group's ARN.
    have == arn || (kind == "cloud-watch-logs" && !have.starts_with("arn:") && arn.rsplit_once(":log-group:").is_some_and(|(_, group)| group == have))
}

/// What differs between a live flow log and the entry: only what the entry declares.
fn differences(entry: &FlowLogEntry, live: &FlowLog) -> Vec<AttributeChange> {
    let traffic = entry.traffic.as_str();
    let mut attributes = Vec::new();
    if live.traffic_type != traffic {
        attributes.push(AttributeChange::new("traffic_type", Some(live.traffic_type.clone()), Some(traffic.to_owned())));
    }
    if let Some(want) = entry.max_aggregation_interval.as_ref().map(|interval| *interval.get_ref())
        && live.max_aggregation_interval != want
    {
        attributes.push(AttributeChange::new("max_aggregation_interval", Some(live.max_aggregation_interval.to_string()), Some(want.to_string())));
    }
    if let Some(want) = &entry.log_format
        && live.log_format.as_deref() != Some(want.as_str())
    {
        attributes.push(AttributeChange::new("log_format", live.log_format.clone(), Some(want.clone())));
    }
    attributes
}

fn plan_flow_log(entry: &FlowLogEntry, vpc: &Vpc, destination: &Destination) -> Vec<Change> {
    let (kind, arn) = destination_parts(destination);
    let traffic = entry.traffic.as_str();
    let interval = entry.max_aggregation_interval.as_ref().map(|interval| *interval.get_ref());
    let target = arn.trim_start_matches("arn:aws:s3:::").trim_start_matches("arn:aws:logs:");
    let address = Kind::VpcFlowLog.address(&format!("{}/{target}", vpc.id));
    let label = vpc.name().map_or_else(|| if vpc.is_default { "default VPC".to_owned() } else { vpc.id.clone() }, str::to_owned);
    let same: Vec<&FlowLog> = vpc.flow_logs.iter().filter(|flow_log| same_destination(flow_log, kind, arn)).collect();
    if let Some(declared) = same.iter().find(|live| differences(entry, live).is_empty()) {
        // The declared flow log exists. The one it replaced, still there, is what an
        // interrupted replacement leaves: holdfast tags each replacement with it. Any other
        // flow log to the same destination is someone else's, and left alone.
        let replaced = declared.tags.get(REPLACES_TAG);
        return same.iter().filter(|live| Some(&live.id) == replaced).map(|old| leftover(entry, vpc, &address, &label, old)).collect();
    }
    let live = same.first().copied();
    let attributes = match live {
        Some(live) => differences(entry, live),
        None => {
            let mut attributes = vec![
                AttributeChange::new("destination", None, Some(arn.to_owned())),
                AttributeChange::new("traffic_type", None, Some(traffic.to_owned())),
                AttributeChange::new("max_aggregation_interval", None, Some(interval.unwrap_or(DEFAULT_INTERVAL).to_string())),
            ];
            if let Some(format) = &entry.log_format {
                attributes.push(AttributeChange::new("log_format", None, Some(format.clone())));
            }
            attributes
        }
    };
    let bucket = matches!(destination, Destination::S3(_)).then(|| bucket_of(arn).to_owned());
    // A replacement keeps every setting the entry does not declare.
    let operation = Operation::CreateFlowLog {
        vpc_id: vpc.id.clone(),
        destination_type: kind.to_owned(),
        destination: arn.to_owned(),
        traffic_type: traffic.to_owned(),
        max_aggregation_interval: interval.or(live.map(|live| live.max_aggregation_interval)),
        log_format: entry.log_format.clone().or_else(|| live.and_then(|live| live.log_format.clone())),
        deliver_logs_permission_arn: live.and_then(|live| live.deliver_logs_permission_arn.clone()),
        destination_options: live.and_then(|live| live.destination_options.clone()),
        tags: live
            .map(|live| {
                let kept = live.tags.iter().filter(|(key, _)| key.as_str() != REPLACES_TAG).map(|(key, value)| (key.clone(), value.clone()));
                kept.chain([(REPLACES_TAG.to_owned(), live.id.clone())]).collect()
            })
            .unwrap_or_default(),
        replaces: live.map(|live| live.id.clone()),
    };
    vec![Change {
        address,
        kind: Kind::VpcFlowLog,
        action: if live.is_some() { Action::Replace } else { Action::Create },
        label: Some(label),
        attributes,
        flags: if live.is_some() { vec![Flag::ForcesReplacement] } else { Vec::new() },
        source: source(&entry.origin),
        reason: live.map(|live| {
            format!(
                "flow logs cannot be modified: a new one is created before {} is deleted, with every setting not declared here carried over; the old records stay in the destination",
                live.id
            )
        }),
        notes: ownership_notes(&vpc.tags),
        depends_on: bucket.into_iter().map(|bucket| Kind::S3Bucket.address(&bucket)).collect(),
        cost: None,
        operation,
    }]
}

/// The old flow log an interrupted replacement left beside the new one.
fn leftover(entry: &FlowLogEntry, vpc: &Vpc, address: &str, label: &str, old: &FlowLog) -> Change {
    Change {
        address: format!("{address}/{}", old.id),
        kind: Kind::VpcFlowLog,
        action: Action::Delete,
        label: Some(label.to_owned()),
        attributes: differences(entry, old).into_iter().map(|attribute| AttributeChange::new(attribute.name, attribute.before, None)).collect(),
        flags: Vec::new(),
        source: source(&entry.origin),
        reason: Some(format!(
            "{} delivers to the same destination as the declared flow log, which holdfast created to replace it: an apply stopped before deleting it",
            old.id
        )),
        notes: ownership_notes(&vpc.tags),
        depends_on: Vec::new(),
        cost: None,
        operation: Operation::DeleteFlowLog { vpc_id: vpc.id.clone(), flow_log_id: old.id.clone() },
    }
}
