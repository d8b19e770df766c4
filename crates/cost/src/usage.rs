//! Which usage the estimates of a plan need that the inventory does not hold yet: the
//! reader reads that (it costs calls) and the plan is estimated with it.

use std::collections::BTreeSet;

use holdfast_inventory::Inventory;
use holdfast_planner::Plan;
use holdfast_planner::operation::Operation;

/// What to read for costs, each named once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UsageWanted {
    /// Task definitions not read, whose size an estimate needs (ARNs).
    pub task_definitions: Vec<String>,
    /// Aurora clusters whose ACU use and volume were not read.
    pub aurora_clusters: Vec<String>,
    /// Buckets whose storage was not read.
    pub buckets: Vec<String>,
    /// CloudWatch Logs groups that flow logs deliver to, whose volume was not read: (VPC, flow log id, group).
    pub log_groups: Vec<(String, String, String)>,
}

impl UsageWanted {
    pub fn is_empty(&self) -> bool {
        self.task_definitions.is_empty() && self.aurora_clusters.is_empty() && self.buckets.is_empty() && self.log_groups.is_empty()
    }
}

/// The usage a plan's estimates need, of the resources its changes touch; `everything`
/// asks for every resource read (`holdfast cost`).
pub fn usage_wanted(plan: Option<&Plan>, inventory: &Inventory) -> UsageWanted {
    let mut services = BTreeSet::new();
    let mut clusters = BTreeSet::new();
    let mut buckets = BTreeSet::new();
    let mut vpcs = BTreeSet::new();
    match plan {
        Some(plan) => {
            for change in &plan.changes {
                match &change.operation {
                    Operation::UpdateService { cluster, service, strategy: Some(_), .. } => {
                        services.insert((cluster.as_str(), service.as_str()));
                    }
                    Operation::ModifyAuroraCapacity { cluster, .. } => {
                        clusters.insert(cluster.as_str());
                    }
                    Operation::RestoreEncryptedCluster { source, .. } => {
                        clusters.insert(source.as_str());
                    }
                    Operation::UpdateBucket { bucket, lifecycle: Some(_), .. } | Operation::DeleteBucket { bucket } => {
                        buckets.insert(bucket.as_str());
                    }
                    Operation::CreateFlowLog { vpc_id, .. } | Operation::DeleteFlowLog { vpc_id, .. } => {
                        vpcs.insert(vpc_id.as_str());
                    }
                    // GuardDuty analyses every VPC's logs.
                    Operation::CreateDetector { .. } | Operation::DeleteDetector { .. } => vpcs.extend(inventory.vpc.vpcs.iter().map(|vpc| vpc.id.as_str())),
                    _ => {}
                }
            }
        }
        None => {
            services.extend(
                inventory.ecs.clusters.iter().flat_map(|cluster| cluster.services.iter().map(move |service| (cluster.name.as_str(), service.name.as_str()))),
            );
            clusters.extend(inventory.aurora.clusters.iter().map(|cluster| cluster.identifier.as_str()));
            buckets.extend(inventory.s3.buckets.iter().map(|bucket| bucket.name.as_str()));
            vpcs.extend(inventory.vpc.vpcs.iter().map(|vpc| vpc.id.as_str()));
        }
    }
    let ecs = &inventory.ecs;
    let read: BTreeSet<&str> = ecs.task_definitions.iter().map(|definition| definition.arn.as_str()).collect();
    let mut task_definitions: Vec<String> = ecs
        .clusters
        .iter()
        .flat_map(|cluster| cluster.services.iter().filter(|service| services.contains(&(cluster.name.as_str(), service.name.as_str()))))
        .map(|service| service.task_definition.clone())
        .filter(|arn| !read.contains(arn.as_str()) && !ecs.unreadable_task_definitions.contains_key(arn))
        .collect();
    task_definitions.sort();
    task_definitions.dedup();
    UsageWanted {
        task_definitions,
        aurora_clusters: inventory
            .aurora
            .clusters
            .iter()
            .filter(|cluster| clusters.contains(cluster.identifier.as_str()) && cluster.usage.is_none())
            .map(|cluster| cluster.identifier.clone())
            .collect(),
        buckets: inventory
            .s3
            .buckets
            .iter()
            .filter(|bucket| buckets.contains(bucket.name.as_str()) && bucket.storage.is_none())
            .map(|bucket| bucket.name.clone())
            .collect(),
        log_groups: inventory
            .vpc
            .vpcs
            .iter()
            .filter(|vpc| vpcs.contains(vpc.id.as_str()))
            .flat_map(|vpc| {
                vpc.flow_logs
                    .iter()
                    .filter(|flow_log| flow_log.bytes_per_day.is_none())
                    .filter_map(move |flow_log| Some((vpc.id.clone(), flow_log.id.clone(), flow_log.log_group()?.to_owned())))
            })
            .collect(),
    }
}
