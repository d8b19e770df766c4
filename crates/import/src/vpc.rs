//! `[[vpc.flow_logs]]`: VPCs with the same flow logs, one entry per destination. A VPC
//! without flow logs gets no entry (one would ask for them): the file names it for review.

use std::collections::BTreeMap;

use holdfast_inventory::Inventory;
use holdfast_inventory::vpc::{FlowLog, Vpc};

use crate::names::{Reach, globs};
use crate::{Section, plural, short_list};

/// The default record format, which AWS uses when none is given.
const DEFAULT_FORMAT: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";

/// One flow log as an entry declares it: destination, traffic, interval, format.
#[derive(PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Declared {
    destination: String,
    traffic: String,
    interval: Option<u32>,
    format: Option<String>,
}

fn declared(inventory: &Inventory, flow_log: &FlowLog) -> Declared {
    // CloudWatch Logs destinations are read as the group's name; entries name its ARN.
    let destination = if flow_log.destination.starts_with("arn:") {
        flow_log.destination.trim_end_matches(":*").to_owned()
    } else {
        format!("arn:aws:logs:{}:{}:log-group:{}", inventory.region, inventory.account_id, flow_log.destination)
    };
    Declared {
        destination,
        traffic: flow_log.traffic_type.clone(),
        interval: (flow_log.max_aggregation_interval != 600).then_some(flow_log.max_aggregation_interval),
        format: flow_log.log_format.clone().filter(|format| format != DEFAULT_FORMAT),
    }
}

/// How an entry selects a VPC: its `Name` tag where no other VPC has that name, else its id.
fn label<'v>(vpc: &'v Vpc, vpcs: &[Vpc]) -> &'v str {
    match vpc.tags.get("Name") {
        Some(name) if vpcs.iter().filter(|other| other.tags.get("Name") == Some(name)).count() == 1 && !name.is_empty() => name,
        _ => &vpc.id,
    }
}

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    let vpcs = &inventory.vpc.vpcs;
    // A glob must miss every other VPC by its name and by its id.
    let mut universe: Vec<&str> = vpcs.iter().map(|vpc| label(vpc, vpcs)).chain(vpcs.iter().map(|vpc| vpc.id.as_str())).collect();
    universe.sort_unstable();
    universe.dedup();
    let mut groups: BTreeMap<Vec<Declared>, Vec<&Vpc>> = BTreeMap::new();
    let mut without = Vec::new();
    for vpc in vpcs {
        let mut flow_logs: Vec<Declared> = vpc.flow_logs.iter().map(|flow_log| declared(inventory, flow_log)).collect();
        flow_logs.sort();
        flow_logs.dedup();
        if flow_logs.is_empty() {
            without.push(label(vpc, vpcs).to_owned());
        } else {
            groups.entry(flow_logs).or_default().push(vpc);
        }
    }
    // In name order, as a reader looks for a resource: not in the order of their settings.
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| a.1.first().map(|first| label(first, vpcs)).cmp(&b.1.first().map(|first| label(first, vpcs))));
    for (flow_logs, members) in &groups {
        let labels: Vec<&str> = members.iter().map(|vpc| label(vpc, vpcs)).collect();
        // Each member's id may match the glob too: it is the same VPC.
        let group_universe: Vec<&str> = universe.iter().copied().filter(|name| labels.contains(name) || !members.iter().any(|vpc| vpc.id == *name)).collect();
        for (glob, group) in globs(&labels, &group_universe, members.len() == vpcs.len(), Reach::Names) {
            for flow_log in flow_logs {
                let listed: Vec<String> = group.iter().map(|name| (*name).to_owned()).collect();
                out.entry("[[vpc.flow_logs]]", &[format!("{}: {}", plural(group.len(), "VPC", "VPCs"), short_list(&listed))], group.len());
                out.string("vpc", &glob);
                out.string("destination", &flow_log.destination);
                out.string("traffic", &flow_log.traffic);
                if let Some(interval) = flow_log.interval {
                    out.line(format!("max_aggregation_interval = {interval}"));
                }
                if let Some(format) = &flow_log.format {
                    out.string("log_format", format);
                }
            }
        }
    }
    if !without.is_empty() {
        out.text.push('\n');
        out.review(format!("{} no flow logs: {}", plural(without.len(), "VPC has", "VPCs have"), short_list(&without)));
    }
}
