//! How much of the account the desired state governs: every resource of a kind holdfast
//! manages that no entry selects is unmanaged, as driftctl and Firefly report it, but
//! scoped to the kinds holdfast manages.

use holdfast_desired::Desired;
use holdfast_inventory::Inventory;
use holdfast_inventory::census::Census;
use serde::{Deserialize, Serialize};

/// At most this many unmanaged names are listed per kind; the count is always whole.
pub const LISTED: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindCoverage {
    pub kind: String,
    pub total: usize,
    pub managed: usize,
    /// Managed resources as a share of all, 100 when there are none.
    pub percent: f64,
    /// The first [`LISTED`] unmanaged resources, by name.
    pub unmanaged: Vec<String>,
}

/// Coverage per kind; None when the inventory has no census (a snapshot, or `plan`).
pub fn coverage(desired: &Desired, inventory: &Inventory) -> Option<Vec<KindCoverage>> {
    let census: &Census = inventory.census.as_ref()?;
    let ecs = &desired.ecs;
    let service_tags = |cluster: &str, service: &str| {
        let found = inventory.ecs.clusters.iter().find(|found| found.name == cluster)?;
        found.services.iter().find(|found| found.name == service).map(|found| &found.tags)
    };
    let services = count("ecs.service", census.ecs_services.iter().map(String::as_str), |address| {
        let (cluster, service) = address.split_once('/').unwrap_or((address, ""));
        let selectors = ecs.service.iter().map(|entry| (&entry.cluster, &entry.service, &entry.tags));
        let mut selectors = selectors.chain(ecs.task_secrets.iter().map(|entry| (&entry.cluster, &entry.service, &entry.tags)));
        selectors.any(|(cluster_glob, service_glob, tags)| {
            cluster_glob.matches(cluster)
                && service_glob.matches(service)
                && (tags.is_empty() || service_tags(cluster, service).is_some_and(|found| tags.matches(found)))
        })
    });
    let clusters = count("aurora.cluster", census.aurora_clusters.iter().map(|cluster| cluster.id.as_str()), |id| {
        let tags = census.aurora_clusters.iter().find(|cluster| cluster.id == id).map(|cluster| &cluster.tags);
        desired.aurora.cluster.iter().any(|entry| entry.name.matches(id) && tags.is_some_and(|tags| entry.tags.matches(tags)))
    });
    let buckets = count("s3.bucket", census.s3_buckets.iter().map(String::as_str), |name| desired.s3.bucket.iter().any(|entry| entry.name.matches(name)));
    let vpcs = count("vpc", census.vpcs.iter().map(|vpc| vpc.id.as_str()), |id| {
        let Some(vpc) = census.vpcs.iter().find(|vpc| vpc.id == id) else { return false };
        let name = vpc.name().unwrap_or(&vpc.id);
        desired.vpc.flow_logs.iter().any(|entry| (entry.vpc.matches(name) || entry.vpc.matches(&vpc.id)) && entry.tags.matches(&vpc.tags))
    });
    let mut vpcs = vpcs;
    // A VPC is shown by its name where it has one.
    vpcs.unmanaged = vpcs
        .unmanaged
        .iter()
        .map(|id| match census.vpcs.iter().find(|vpc| &vpc.id == id).and_then(|vpc| vpc.name()) {
            Some(name) => format!("{id} ({name})"),
            None => id.clone(),
        })
        .collect();
    Some(vec![services, clusters, buckets, vpcs])
}

fn count<'a>(kind: &str, names: impl Iterator<Item = &'a str>, selected: impl Fn(&str) -> bool) -> KindCoverage {
    let mut total = 0;
    let mut unmanaged = Vec::new();
    let mut unmanaged_count = 0;
    for name in names {
        total += 1;
        if !selected(name) {
            unmanaged_count += 1;
            if unmanaged.len() < LISTED {
                unmanaged.push(name.to_owned());
            }
        }
    }
    let managed = total - unmanaged_count;
    let percent = if total == 0 { 100.0 } else { (managed as f64 * 1000.0 / total as f64).round() / 10.0 };
    KindCoverage { kind: kind.to_owned(), total, managed, percent, unmanaged }
}
