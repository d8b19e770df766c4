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

use holdfast_inventory::Inventory;
use holdfast_planner::{Change, CostSummary, Estimate, Kind, Plan};

pub use money::{dollars, monthly};
pub use prices::{PriceError, Prices};
pub use run_rate::{RunRate, run_rate};
pub use usage::{UsageWanted, usage_wanted};

/// What estimators read: the prices and the account as read.
pub(crate) struct Pricing<'a> {
    pub prices: &'a Prices,
    pub inventory: &'a Inventory,
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
    let pricing = Pricing { prices, inventory };
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
    summary.monthly_usd = money::cents(summary.after_usd - summary.before_usd);
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

/// An estimate from the monthly cost before and after, in cents.
pub(crate) fn estimate_of(before: f64, after: f64, arithmetic: impl Into<String>, basis: Vec<String>) -> Estimate {
    let (before, after) = (money::cents(before), money::cents(after));
    Estimate { monthly_usd: money::cents(after - before), before_usd: before, after_usd: after, arithmetic: arithmetic.into(), basis, worst_case: None }
}

/// A change that costs nothing, and why.
pub(crate) fn free(why: impl Into<String>) -> Estimate {
    estimate_of(0.0, 0.0, why, Vec::new())
}
