//! The planner: a pure function from the desired state and a live inventory to a plan.
//!
//! No I/O, no clock, no AWS types: the same inputs give a byte-identical plan, which
//! is what makes a plan reviewable, savable and testable. Each resource kind plans in
//! its own module, in the order changes must be applied.

mod aurora;
mod bucket_policy;
mod cloudtrail;
mod config;
mod context;
mod coverage;
pub mod drift;
mod ecs;
mod elb;
mod guardduty;
mod kms;
mod normalize;
pub mod operation;
pub mod plan;
pub mod render;
mod s3;
mod securityhub;
mod select;
mod select_changes;
mod ssm;
mod vpc;

use std::collections::BTreeMap;

use holdfast_desired::Desired;
use holdfast_inventory::{Inventory, SecretHash};

pub use aurora::migration::{
    Cutover, DEFAULT_KEY as AURORA_DEFAULT_KEY, Migration, State as StepState, Step as MigrationStep, is_settling as migration_is_settling,
};
pub use plan::{Action, AttributeChange, Bound, Change, CostSummary, Estimate, Flag, Kind, Plan, PlanFileError, Summary, Warning};

/// The encryption migration of one Aurora cluster, every step with its state on AWS, for
/// `holdfast runbook`; None when no entry asks for one, an error when it cannot go on.
pub fn aurora_migration(desired: &Desired, inventory: &Inventory, cluster: &str) -> Option<Result<Migration, String>> {
    aurora::migration_of(desired, inventory, cluster)
}

/// Plans with no secret values from the environment: `{ env = ... }` values that
/// exist live are reported as not compared.
pub fn plan(desired: &Desired, inventory: &Inventory) -> Plan {
    Planner::new(desired, inventory).plan()
}

pub struct Planner<'a> {
    desired: &'a Desired,
    inventory: &'a Inventory,
    env_hashes: BTreeMap<String, SecretHash>,
}

impl<'a> Planner<'a> {
    pub fn new(desired: &'a Desired, inventory: &'a Inventory) -> Self {
        Self { desired, inventory, env_hashes: BTreeMap::new() }
    }

    /// Hashes (with the inventory's salt) of the environment variables that
    /// `value = { env = ... }` entries name and that are set; the caller reads the
    /// environment so the planner stays pure.
    pub fn with_env_hashes(mut self, env_hashes: BTreeMap<String, SecretHash>) -> Self {
        self.env_hashes = env_hashes;
        self
    }

    pub fn plan(&self) -> Plan {
        let mut cx = context::Context::new(self.desired, self.inventory, &self.env_hashes);
        coverage::plan(&mut cx);
        kms::plan(&mut cx);
        ssm::plan(&mut cx);
        s3::plan(&mut cx);
        ecs::plan(&mut cx);
        aurora::plan(&mut cx);
        vpc::plan(&mut cx);
        cloudtrail::plan(&mut cx);
        config::plan(&mut cx);
        guardduty::plan(&mut cx);
        securityhub::plan(&mut cx);
        elb::plan(&mut cx);
        cx.finish()
    }
}

/// Plans with the values `{ env = ... }` entries name, as `lookup` finds them (the
/// caller reads the environment): each is hashed with the inventory's salt at once and
/// nothing else of it is kept.
pub fn plan_with_environment(desired: &Desired, inventory: &Inventory, lookup: impl Fn(&str) -> Option<String>) -> Plan {
    let env_hashes = env_variables(desired).into_iter().filter_map(|name| Some((name.clone(), SecretHash::of(&inventory.salt, &lookup(&name)?)))).collect();
    Planner::new(desired, inventory).with_env_hashes(env_hashes).plan()
}

/// The buckets whose changes in `plan` want their tags for an ownership note ("owned by
/// CloudFormation stack ..."), but whose tags were not read: the reader reads those and
/// the plan is made again. Tags cost a call per bucket, so only changed buckets pay it.
pub fn buckets_needing_tags(plan: &Plan, inventory: &Inventory) -> Vec<String> {
    let changed: std::collections::BTreeSet<&str> =
        plan.changes.iter().filter(|change| change.kind == Kind::S3Bucket).map(|change| change.address.as_str()).collect();
    inventory
        .s3
        .buckets
        .iter()
        .filter(|bucket| bucket.tags.is_none() && changed.contains(Kind::S3Bucket.address(&bucket.name).as_str()))
        .map(|bucket| bucket.name.clone())
        .collect()
}

/// The task definitions of the services read whose variables a migration's cutover would
/// look through for the old cluster's address, but which were not read: the reader reads
/// those and the plan is made again. Only a plan with a cutover pays for them.
pub fn task_definitions_for_cutover(plan: &Plan, inventory: &Inventory) -> Vec<String> {
    if !plan.changes.iter().any(|change| change.migration_step().is_some_and(|(_, step)| step == "cutover")) {
        return Vec::new();
    }
    let ecs = &inventory.ecs;
    let mut arns: Vec<String> = ecs
        .clusters
        .iter()
        .flat_map(|cluster| &cluster.services)
        .map(|service| service.task_definition.clone())
        .filter(|arn| !ecs.task_definitions.iter().any(|definition| &definition.arn == arn) && !ecs.unreadable_task_definitions.contains_key(arn))
        .collect();
    arns.sort();
    arns.dedup();
    arns
}

/// The environment variables a desired state reads secret values from.
pub fn env_variables(desired: &Desired) -> Vec<String> {
    let mut names: Vec<String> = desired
        .ssm
        .parameter
        .iter()
        .filter_map(|entry| match entry.value() {
            Some(holdfast_desired::ssm::ValueSource::Env(name)) => Some(name.clone()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}
