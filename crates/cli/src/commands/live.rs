//! Reading the live account: the one path every command that talks to AWS takes.

use std::collections::BTreeMap;

use anyhow::Context;
use holdfast_aws::{Aws, CallCount, ConnectOptions, Identity, Progress, Silent};
use holdfast_desired::Desired;
use holdfast_inventory::Inventory;

use holdfast_planner::Plan;

use crate::args::AwsArgs;
use crate::commands::make_plan;
use crate::output;
use crate::progress::Bars;
use crate::stats::Stats;

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

/// Connects, checks the credentials are for the declared account and region before
/// reading anything, reads what the desired state can select, and plans.
pub fn read_and_plan(desired: &Desired, args: &AwsArgs, stats: &Stats) -> anyhow::Result<(Inventory, Plan)> {
    runtime()?.block_on(async {
        let started = std::time::Instant::now();
        let (aws, identity) = connect(desired, args).await?;
        stats.connected("connect (credentials, STS)", started, &aws);
        read_planned(&aws, &identity.account_id, desired, stats).await
    })
}
/// A connection to the account the desired state declares, and its id; refuses any other.
pub async fn connect(desired: &Desired, args: &AwsArgs) -> anyhow::Result<(Aws, Identity)> {
    let options = ConnectOptions {
        profile: args.profile.clone(),
        region: args.region.clone().or_else(|| desired.account.as_ref().map(|account| account.region().to_owned())),
        endpoint_url: args.endpoint_url.clone(),
        concurrency: usize::from(args.concurrency),
        assume_role: None,
    };
    let aws = Aws::connect(&options).await?;
    let identity = aws.identity().await?;
    check_account(desired, &identity.account_id, aws.region(), "these credentials are for")?;
    Ok((aws, identity))
}

/// Reads, plans, and where a change wants what the first read left out (the tags of a
/// changed bucket, for its ownership note), reads that too and plans again.
pub async fn read_planned(aws: &Aws, account_id: &str, desired: &Desired, stats: &Stats) -> anyhow::Result<(Inventory, Plan)> {
    let started = std::time::Instant::now();
    let before = aws.api_stats();
    let mut inventory = read_inventory(aws, account_id, desired, stats).await?;
    let mut plan = stats.time("plan", || make_plan(desired, &inventory));
    let buckets = holdfast_planner::buckets_needing_tags(&plan, &inventory);
    let definitions = holdfast_planner::task_definitions_for_cutover(&plan, &inventory);
    if !buckets.is_empty() {
        let phase = format!("read tags of {} changed {}", buckets.len(), if buckets.len() == 1 { "bucket" } else { "buckets" });
        stats.time_calls(phase, aws, holdfast_aws::s3::read_tags_of(aws, &mut inventory.s3, &buckets)).await?;
    }
    if !definitions.is_empty() {
        let phase = format!("read {} task definitions for a cutover", definitions.len());
        let salt = inventory.salt.clone();
        stats.time_calls(phase, aws, holdfast_aws::ecs::read_task_definitions(aws, &mut inventory.ecs, &definitions, &salt)).await?;
    }
    if !buckets.is_empty() || !definitions.is_empty() {
        plan = stats.time("plan again", || make_plan(desired, &inventory));
    }
    output::stderr(&summary(aws, started.elapsed(), before));
    Ok((inventory, plan))
}

/// Connects and reads what `holdfast audit` checks, across the whole account.
pub fn read_for_audit(desired: &Desired, args: &AwsArgs) -> anyhow::Result<Inventory> {
    read_whole_account(desired, args, holdfast_aws::ReadOptions { audit: true, ..Default::default() })
}

/// Connects and reads the whole account, for the audit or the import (`options` says
/// which); a kind that cannot be read is reported, and left empty.
pub fn read_whole_account(desired: &Desired, args: &AwsArgs, options: holdfast_aws::ReadOptions) -> anyhow::Result<Inventory> {
    runtime()?.block_on(async {
        let started = std::time::Instant::now();
        let (aws, identity) = connect(desired, args).await?;
        let before = aws.api_stats();
        let bars = output::stderr_is_terminal().then(Bars::new);
        let shown: &dyn Progress = match &bars {
            Some(bars) => bars,
            None => &Silent,
        };
        let audit = options.audit;
        let inventory = holdfast_aws::read_inventory_with(&aws, &identity.account_id, desired, shown, options).await?;
        drop(bars);
        for (kind, error) in &inventory.read_errors {
            let consequence = if audit { "its checks are not assessed" } else { "it is not imported" };
            output::stderr(&output::plain(&format!("warning: reading {kind} failed, and {consequence}: {error}\n")));
        }
        output::stderr(&summary(&aws, started.elapsed(), before));
        Ok(inventory)
    })
}

/// Reads with progress on a terminal.
async fn read_inventory(aws: &Aws, account_id: &str, desired: &Desired, stats: &Stats) -> anyhow::Result<Inventory> {
    let bars = output::stderr_is_terminal().then(Bars::new);
    let shown: &dyn Progress = match &bars {
        Some(bars) => bars,
        None => &Silent,
    };
    let progress = stats.progress(shown);
    let inventory = stats.time_calls("read", aws, holdfast_aws::read_inventory(aws, account_id, desired, &progress)).await?;
    drop(bars);
    Ok(inventory)
}

/// Planning or applying one account against another's desired state is the worst
/// mistake this tool could make, so a mismatch stops everything.
pub fn check_account(desired: &Desired, account_id: &str, region: &str, what: &str) -> anyhow::Result<()> {
    desired.check_account(account_id, region, what).map_err(anyhow::Error::msg)
}

/// The calls made since `before`, by service, and their retries: what this one read cost.
fn summary(aws: &Aws, elapsed: std::time::Duration, before: BTreeMap<(String, String), CallCount>) -> String {
    summary_of("Read the account", aws, elapsed, before)
}

/// `WHAT in 1.2 s with N API calls (service n, ...)`.
pub fn summary_of(what: &str, aws: &Aws, elapsed: std::time::Duration, before: BTreeMap<(String, String), CallCount>) -> String {
    let mut by_service: BTreeMap<String, usize> = BTreeMap::new();
    let mut retries = 0;
    for (key, count) in aws.api_stats() {
        let earlier = before.get(&key).copied().unwrap_or_default();
        if count.calls > earlier.calls {
            *by_service.entry(key.0).or_default() += count.calls - earlier.calls;
        }
        retries += count.retries().saturating_sub(earlier.retries());
    }
    let total: usize = by_service.values().sum();
    let parts: Vec<String> = by_service.iter().map(|(service, count)| format!("{service} {count}")).collect();
    let detail = if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) };
    let retried = match retries {
        0 => String::new(),
        1 => " and 1 retry".to_owned(),
        _ => format!(" and {retries} retries"),
    };
    let calls = if total == 1 { "1 API call".to_owned() } else { format!("{total} API calls") };
    format!("{what} in {:.1} s with {calls}{detail}{retried}.\n", elapsed.as_secs_f64())
}
