//! What a plan's changes cost or save a month, and what the resources a desired state
//! selects cost now.
//!
//! Pure, as the planner is: a plan, the inventory (with the usage read for costs) and a
//! price table in, estimates out. Each resource kind estimates in its own module; every
//! estimate carries its arithmetic and says which usage it read and which it assumed.

mod aurora;
mod cloudtrail;
mod config;
mod ecs;
mod elb;
mod guardduty;
mod kms;
mod money;
pub mod prices;
pub mod run_rate;
mod s3;
mod securityhub;
mod ssm;
mod usage;
mod vpc;

use std::collections::HashMap;

use holdfast_inventory::Inventory;
use holdfast_inventory::aurora::Cluster as AuroraCluster;
use holdfast_inventory::ecs::{Cluster as EcsCluster, Service as EcsService, TaskDefinition};
use holdfast_inventory::elb::LoadBalancer;
use holdfast_inventory::s3::Bucket;
use holdfast_inventory::vpc::Vpc;
use holdfast_planner::{Change, CostSummary, Estimate, Kind, Plan};

pub use money::{dollars, monthly};
pub use prices::{PriceError, Prices};
pub use run_rate::{RunRate, run_rate};
pub use usage::{UsageWanted, usage_wanted};

/// What estimators read: the prices and the account as read, indexed once so a plan of
/// thousands of changes looks each resource up in constant time.
pub(crate) struct Pricing<'a> {
    pub prices: &'a Prices,
    pub inventory: &'a Inventory,
    services: HashMap<(&'a str, &'a str), (&'a EcsCluster, &'a EcsService)>,
    task_definitions: HashMap<&'a str, &'a TaskDefinition>,
    aurora_clusters: HashMap<&'a str, &'a AuroraCluster>,
    buckets: HashMap<&'a str, &'a Bucket>,
    vpcs: HashMap<&'a str, &'a Vpc>,
    load_balancers: HashMap<&'a str, &'a LoadBalancer>,
    /// The scaling each encryption migration's new cluster is restored with, by source.
    migration_scaling: HashMap<String, holdfast_inventory::aurora::Scaling>,
}

impl<'a> Pricing<'a> {
    pub fn new(prices: &'a Prices, inventory: &'a Inventory) -> Self {
        Self {
            prices,
            inventory,
            services: inventory
                .ecs
                .clusters
                .iter()
                .flat_map(|cluster| cluster.services.iter().map(move |service| ((cluster.name.as_str(), service.name.as_str()), (cluster, service))))
                .collect(),
            task_definitions: inventory.ecs.task_definitions.iter().map(|definition| (definition.arn.as_str(), definition)).collect(),
            aurora_clusters: inventory.aurora.clusters.iter().map(|cluster| (cluster.identifier.as_str(), cluster)).collect(),
            buckets: inventory.s3.buckets.iter().map(|bucket| (bucket.name.as_str(), bucket)).collect(),
            vpcs: inventory.vpc.vpcs.iter().map(|network| (network.id.as_str(), network)).collect(),
            load_balancers: inventory.elb.load_balancers.iter().map(|load_balancer| (load_balancer.name.as_str(), load_balancer)).collect(),
            migration_scaling: HashMap::new(),
        }
    }

    /// Notes what the plan's migrations restore their new clusters with.
    fn with_plan(mut self, plan: &Plan) -> Self {
        for change in &plan.changes {
            if let holdfast_planner::operation::Operation::RestoreEncryptedCluster { source, scaling: Some(scaling), .. } = &change.operation {
                self.migration_scaling.insert(source.clone(), *scaling);
            }
        }
        self
    }

    pub fn migration_scaling(&self, source: &str) -> Option<holdfast_inventory::aurora::Scaling> {
        self.migration_scaling.get(source).copied()
    }

    pub fn service(&self, cluster: &str, service: &str) -> Result<(&'a EcsCluster, &'a EcsService), String> {
        self.services.get(&(cluster, service)).copied().ok_or_else(|| "the service was not read".to_owned())
    }

    pub fn task_definition(&self, arn: &str) -> Option<&'a TaskDefinition> {
        self.task_definitions.get(arn).copied()
    }

    pub fn aurora_cluster(&self, identifier: &str) -> Result<&'a AuroraCluster, String> {
        self.aurora_clusters.get(identifier).copied().ok_or_else(|| "the cluster was not read".to_owned())
    }

    pub fn bucket(&self, name: &str) -> Result<&'a Bucket, String> {
        self.buckets.get(name).copied().ok_or_else(|| "the bucket was not read".to_owned())
    }

    pub fn vpc(&self, id: &str) -> Option<&'a Vpc> {
        self.vpcs.get(id).copied()
    }

    pub fn load_balancer(&self, name: &str) -> Result<&'a LoadBalancer, String> {
        self.load_balancers.get(name).copied().ok_or_else(|| "the load balancer was not read".to_owned())
    }
}

/// Why a change carries no figure: a price or usage holdfast cannot know.
pub(crate) type Estimated = Result<Estimate, String>;

impl Pricing<'_> {
    pub fn usd(&self, key: &str) -> Result<f64, String> {
        self.prices.usd(key).map_err(|error| error.to_string())
    }

    pub fn assumed(&self, key: &str) -> Result<f64, String> {
        self.prices.assumed(key).map_err(|error| error.to_string())
    }

    pub fn hours(&self) -> f64 {
        self.prices.assumed("hours_per_month").unwrap_or(730.0)
    }

    /// `assumed: 20 GB of flow logs a VPC writes a month, ...`, as an estimate's basis says it.
    pub fn assumption(&self, key: &str) -> String {
        match self.prices.assume.get(key) {
            Some(assumption) => {
                let space = if assumption.per.starts_with('%') { "" } else { " " };
                format!("assumed: {}{space}{}", money::number(assumption.value), assumption.per)
            }
            None => format!("assumed: {key}"),
        }
    }
}

/// Adds an estimate to every change that has one, and the plan's total.
pub fn estimate(plan: &mut Plan, inventory: &Inventory, prices: &Prices) {
    let pricing = Pricing::new(prices, inventory).with_plan(plan);
    let mut summary = CostSummary { monthly_usd: 0.0, before_usd: 0.0, after_usd: 0.0, prices: prices.origin.clone(), estimated: 0, not_estimated: Vec::new() };
    for change in &mut plan.changes {
        change.cost = None;
        match estimate_change(change, &pricing) {
            None => {}
            Some(Ok(estimate)) => {
                summary.estimated += 1;
                summary.before_usd += estimate.before_usd;
                summary.after_usd += estimate.after_usd;
                change.cost = Some(estimate);
            }
            Some(Err(reason)) => summary.not_estimated.push(format!("{}: {reason}", change.address)),
        }
    }
    summary.before_usd = money::cents(summary.before_usd);
    summary.after_usd = money::cents(summary.after_usd);
    summary.monthly_usd = money::cents(plan.changes.iter().filter_map(|change| change.cost.as_ref()).map(|estimate| estimate.monthly_usd).sum());
    plan.cost = Some(summary);
}

/// One change's estimate; None for a change with nothing to price (a person's step).
fn estimate_change(change: &Change, pricing: &Pricing<'_>) -> Option<Estimated> {
    match change.kind {
        Kind::EcsService | Kind::EcsCluster => ecs::change(change, pricing),
        Kind::AuroraCluster => aurora::change(change, pricing),
        Kind::S3Bucket => s3::change(change, pricing),
        Kind::VpcFlowLog => vpc::change(change, pricing),
        Kind::ElbLoadBalancer => elb::change(change, pricing),
        Kind::CloudTrailTrail => cloudtrail::change(change, pricing),
        Kind::ConfigRecorder => config::change(change, pricing),
        Kind::GuardDutyDetector => guardduty::change(change, pricing),
        Kind::SecurityHub => securityhub::change(change, pricing),
        Kind::KmsKey => kms::change(change, pricing),
        Kind::SsmParameter => ssm::change(change, pricing),
    }
}

/// What a resource costs a month now, for `holdfast cost`: the figure, its arithmetic,
/// and the usage it rests on (read or assumed).
pub(crate) struct Figure {
    pub usd: f64,
    pub arithmetic: String,
    pub basis: Vec<String>,
}

/// An estimate from the monthly cost before and after, in cents.
pub(crate) fn estimate_of(before: f64, after: f64, arithmetic: impl Into<String>, basis: Vec<String>) -> Estimate {
    // The change is rounded from the exact figures: the rounded ends may differ by a cent.
    Estimate {
        monthly_usd: money::cents(after - before),
        before_usd: money::cents(before),
        after_usd: money::cents(after),
        arithmetic: arithmetic.into(),
        basis,
        worst_case: None,
    }
}

/// A change that costs nothing, and why.
pub(crate) fn free(why: impl Into<String>) -> Estimate {
    estimate_of(0.0, 0.0, why, Vec::new())
}
