//! Reading the live account: the one path every command that talks to AWS takes.

use std::collections::BTreeMap;

use anyhow::Context;
use holdfast_aws::{Aws, ConnectOptions, Identity, Progress, Silent};
use holdfast_desired::Desired;
use holdfast_inventory::Inventory;

use crate::args::AwsArgs;
use crate::output;
use crate::progress::Bars;

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

/// Connects, checks the credentials are for the declared account and region before
/// reading anything, and reads what the desired state can select.
pub fn read(desired: &Desired, args: &AwsArgs) -> anyhow::Result<Inventory> {
    runtime()?.block_on(async {
        let (aws, identity) = connect(desired, args).await?;
        read_inventory(&aws, &identity.account_id, desired).await
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

/// Reads with progress on a terminal, and says on stderr what the read cost.
pub async fn read_inventory(aws: &Aws, account_id: &str, desired: &Desired) -> anyhow::Result<Inventory> {
    let started = std::time::Instant::now();
    let before = aws.api_calls();
    let bars = output::stderr_is_terminal().then(Bars::new);
    let progress: &dyn Progress = match &bars {
        Some(bars) => bars,
        None => &Silent,
    };
    let inventory = holdfast_aws::read_inventory(aws, account_id, desired, progress).await?;
    drop(bars);
    output::stderr(&summary(aws, started.elapsed(), before));
    Ok(inventory)
}

/// Planning or applying one account against another's desired state is the worst
/// mistake this tool could make, so a mismatch stops everything.
pub fn check_account(desired: &Desired, account_id: &str, region: &str, what: &str) -> anyhow::Result<()> {
    desired.check_account(account_id, region, what).map_err(anyhow::Error::msg)
}

/// The calls made since `before`, by service: what this one read cost.
fn summary(aws: &Aws, elapsed: std::time::Duration, before: BTreeMap<(String, String), usize>) -> String {
    let mut by_service: BTreeMap<&str, usize> = BTreeMap::new();
    let calls = aws.api_calls();
    for ((service, operation), count) in &calls {
        let earlier = before.get(&(service.clone(), operation.clone())).copied().unwrap_or(0);
        if *count > earlier {
            *by_service.entry(service.as_str()).or_default() += count - earlier;
        }
    }
    let total: usize = by_service.values().sum();
    let parts: Vec<String> = by_service.iter().map(|(service, count)| format!("{service} {count}")).collect();
    let detail = if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) };
    format!("Read the account in {:.1} s with {total} API calls{detail}.\n", elapsed.as_secs_f64())
}
