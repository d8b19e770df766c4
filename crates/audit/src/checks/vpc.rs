//! VPC flow logs: every VPC, with network interfaces or without.

use holdfast_inventory::vpc::Vpc;

use crate::context::{Context, Outcome, finding, location, quoted};
use crate::report::Fix;

pub(crate) fn evaluate(cx: &Context<'_>) -> Vec<Outcome> {
    let evaluated = cx.read("vpc *").map(|()| {
        cx.inventory
            .vpc
            .vpcs
            .iter()
            .map(|vpc| {
                // Accepted and rejected traffic both: an intrusion shows in either.
                let logs = |traffic: &str| {
                    vpc.flow_logs
                        .iter()
                        .any(|flow_log| flow_log.status.eq_ignore_ascii_case("ACTIVE") && (flow_log.traffic_type == "ALL" || flow_log.traffic_type == traffic))
                };
                let complete = logs("ACCEPT") && logs("REJECT");
                let observed = if vpc.flow_logs.is_empty() {
                    "no flow log".to_owned()
                } else {
                    let seen: Vec<String> = vpc
                        .flow_logs
                        .iter()
                        .map(|flow_log| {
                            format!("{} ({} traffic to {}, {})", flow_log.id, flow_log.traffic_type, flow_log.destination, flow_log.status.to_lowercase())
                        })
                        .collect();
                    seen.join(", ")
                };
                finding(complete, address(vpc), "flow logs", observed, || fix(cx, vpc))
            })
            .collect()
    });
    vec![Outcome::new("vpc.flow_logs", "VPCs", evaluated)]
}

fn address(vpc: &Vpc) -> String {
    match vpc.name() {
        Some(name) => format!("vpc/{} ({name})", vpc.id),
        None if vpc.is_default => format!("vpc/{} (default VPC)", vpc.id),
        None => format!("vpc/{}", vpc.id),
    }
}

fn fix(cx: &Context<'_>, vpc: &Vpc) -> Fix {
    let entry = cx
        .desired
        .vpc
        .flow_logs
        .iter()
        .find(|entry| (entry.vpc.matches(&vpc.id) || vpc.name().is_some_and(|name| entry.vpc.matches(name))) && entry.tags.matches(&vpc.tags));
    match entry {
        Some(entry) => Fix::Declared { location: location(&entry.origin), note: "declared: `holdfast apply` creates the flow log".to_owned() },
        None => Fix::NewEntry {
            toml: format!(
                "[[vpc.flow_logs]]\nvpc = {}\ndestination = \"s3://your-log-bucket/flow-logs/\"\ntraffic = \"ALL\"",
                quoted(vpc.name().unwrap_or(&vpc.id))
            ),
        },
    }
}
