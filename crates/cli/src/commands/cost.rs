//! `holdfast cost`, and what `plan` needs to estimate: prices (the AWS Price List API,
//! cached for the day, else the shipped table) and the usage estimates price.

use std::fmt::Write;

use anyhow::Context;
use holdfast_aws::Aws;
use holdfast_aws::pricing::PriceQuery;
use holdfast_cost::{Prices, UsageWanted, run_rate::RunRate};
use holdfast_inventory::Inventory;
use holdfast_planner::Plan;
use holdfast_planner::render::money;

use crate::args::{CostCommandArgs, CostFormat, PricesArgs};
use crate::commands::{live, load_desired, load_snapshot};
use crate::output::{self, Status};
use crate::stats::Stats;

pub fn run(args: &CostCommandArgs) -> anyhow::Result<Status> {
    let desired = load_desired(&args.desired.desired)?;
    let (inventory, prices) = match &args.snapshot {
        Some(path) => {
            let inventory = load_snapshot(&desired, path)?;
            let prices = offline_prices(&inventory.region, &args.prices)?;
            (inventory, prices)
        }
        None => live::runtime()?.block_on(async {
            let (aws, identity) = live::connect(&desired, &args.aws).await?;
            let stats = Stats::default();
            let (mut inventory, _) = live::read_planned(&aws, &identity.account_id, &desired, &stats).await?;
            let wanted = holdfast_cost::usage_wanted(None, &inventory);
            read_usage(&aws, &mut inventory, &wanted, &stats).await?;
            let prices = prices(Some(&aws), aws.region(), &args.prices).await?;
            anyhow::Ok((inventory, prices))
        })?,
    };
    let rate = holdfast_cost::run_rate(&desired, &inventory, &prices);
    output::stdout(&match args.format {
        CostFormat::Text => render(&rate),
        CostFormat::Json => format!("{}\n", serde_json::to_string_pretty(&rate).context("cannot write the run-rate as JSON")?),
    });
    Ok(Status::Success)
}

/// Estimates a plan read live: reads the usage its changes need, then prices them.
pub(crate) async fn estimate_live(aws: &Aws, inventory: &mut Inventory, plan: &mut Plan, options: &PricesArgs, stats: &Stats) -> anyhow::Result<()> {
    let wanted = holdfast_cost::usage_wanted(Some(plan), inventory);
    read_usage(aws, inventory, &wanted, stats).await?;
    let prices = stats.time_calls("read prices", aws, prices(Some(aws), aws.region(), options)).await?;
    holdfast_cost::estimate(plan, inventory, &prices);
    Ok(())
}

/// Reads what the estimates need and the inventory lacks; each read is a few calls.
pub(crate) async fn read_usage(aws: &Aws, inventory: &mut Inventory, wanted: &UsageWanted, stats: &Stats) -> anyhow::Result<()> {
    if wanted.is_empty() {
        return Ok(());
    }
    let before = aws.api_stats();
    let started = std::time::Instant::now();
    let salt = inventory.salt.clone();
    // A usage read that fails costs the estimate its figure, never the plan: the estimate
    // then says what was not read.
    let results = [
        (
            "task sizes",
            stats.time_calls("read task sizes", aws, holdfast_aws::ecs::read_task_definitions(aws, &mut inventory.ecs, &wanted.task_definitions, &salt)).await,
        ),
        (
            "ACU use",
            stats.time_calls("read ACU use (CloudWatch)", aws, holdfast_aws::aurora::read_usage(aws, &mut inventory.aurora, &wanted.aurora_clusters)).await,
        ),
        (
            "bucket sizes",
            stats.time_calls("read bucket sizes (CloudWatch)", aws, holdfast_aws::s3::read_storage(aws, &mut inventory.s3, &wanted.buckets)).await,
        ),
        (
            "flow-log volume",
            stats.time_calls("read flow-log volume (CloudWatch)", aws, holdfast_aws::vpc::read_volume(aws, &mut inventory.vpc, &wanted.log_groups)).await,
        ),
    ];
    for (what, result) in results {
        if let Err(error) = result {
            output::stderr(&output::plain(&format!(
                "warning: {what} could not be read for cost estimates, which say so: {error}\n  (holdfast iam-policy lists what estimates read)\n"
            )));
        }
    }
    output::stderr(&live::summary_of("Read usage for cost estimates", aws, started.elapsed(), before));
    Ok(())
}

/// The prices for `region` without calling AWS: the table given with `--prices`, else the
/// shipped one, else, for a region none ships for, the latest an online run cached.
pub(crate) fn offline_prices(region: &str, options: &PricesArgs) -> anyhow::Result<Prices> {
    if let Some(path) = &options.prices {
        let text = read_small(path).with_context(|| format!("cannot read the price table {}", path.display()))?;
        let mut prices = Prices::parse(region, &text).with_context(|| format!("cannot use the price table {}", path.display()))?;
        let unknown = prices.unknown_keys(&Prices::shipped("us-east-1")?);
        if !unknown.is_empty() {
            anyhow::bail!("cannot use the price table {}: holdfast prices nothing called {} (a misspelt key?)", path.display(), unknown.join(", "));
        }
        let today = today();
        let future: Vec<&String> = prices
            .price
            .iter()
            .map(|(key, price)| (key, &price.read))
            .chain(prices.assume.iter().map(|(key, assumption)| (key, &assumption.read)))
            .filter(|(_, read)| read.as_str() > today.as_str())
            .map(|(key, _)| key)
            .collect();
        if !future.is_empty() {
            anyhow::bail!(
                "cannot use the price table {}: {} read after today",
                path.display(),
                future.iter().map(|key| format!("`{key}`")).collect::<Vec<_>>().join(", ")
            );
        }
        prices.origin = match prices.origin.as_str() {
            "" => format!("the price table {} (read {})", path.display(), prices.oldest_read()),
            origin => format!("{origin}, from {}", path.display()),
        };
        return Ok(prices);
    }
    match Prices::shipped(region) {
        Ok(prices) => Ok(prices),
        Err(missing) => latest_cached(region).ok_or_else(|| anyhow::anyhow!("{missing}")),
    }
}

/// A price table is a few kilobytes: a file far larger is not one.
const LARGEST_PRICE_TABLE: u64 = 1024 * 1024;

fn read_small(path: &std::path::Path) -> anyhow::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?.take(LARGEST_PRICE_TABLE + 1).read_to_string(&mut text)?;
    anyhow::ensure!(text.len() as u64 <= LARGEST_PRICE_TABLE, "it is larger than a price table ({} KiB at most)", LARGEST_PRICE_TABLE / 1024);
    Ok(text)
}

/// The newest cached prices for `region` from a day up to today, and how old they are.
fn latest_cached(region: &str) -> Option<Prices> {
    let folder = dirs::cache_dir()?.join("holdfast");
    let prefix = format!("prices-{region}-");
    let today = today();
    let mut days: Vec<String> = std::fs::read_dir(&folder)
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| Some(name.strip_prefix(&prefix)?.strip_suffix(".toml")?.to_owned()))
        // A day written as holdfast writes it, and not after today.
        .filter(|day| {
            day.len() == 10 && day.bytes().enumerate().all(|(at, byte)| if at == 4 || at == 7 { byte == b'-' } else { byte.is_ascii_digit() }) && *day <= today
        })
        .collect();
    days.sort();
    days.iter().rev().find_map(|day| cached(&folder.join(format!("{prefix}{day}.toml")), region))
}

/// A cached table, saying where its figures came from.
fn cached(path: &std::path::Path, region: &str) -> Option<Prices> {
    let mut prices = Prices::parse(region, &std::fs::read_to_string(path).ok()?).ok()?;
    if prices.origin.is_empty() {
        // `prices-REGION-YYYY-MM-DD.toml`: the day it was read.
        let stem = path.file_stem()?.to_str()?;
        prices.origin = format!("the AWS Price List API, read {}", &stem[stem.len().saturating_sub(10)..]);
    }
    let day = path.file_stem()?.to_str()?;
    let day = &day[day.len().saturating_sub(10)..];
    if day == today() {
        prices.origin.push_str(" (cached)");
    } else {
        prices.origin.push_str(&format!(" (cached on {day}: run online to read today's)"));
    }
    Some(prices)
}

/// The prices for `region`: offline (or with `--prices`), as [`offline_prices`]; else the
/// day's from the AWS Price List API, cached for the day, falling back to the shipped
/// table when the API cannot be read.
pub(crate) async fn prices(aws: Option<&Aws>, region: &str, options: &PricesArgs) -> anyhow::Result<Prices> {
    let Some(aws) = aws.filter(|_| !options.offline && options.prices.is_none()) else { return offline_prices(region, options) };
    let shipped = Prices::shipped(region);
    let today = today();
    let cache = dirs::cache_dir().map(|dir| dir.join("holdfast").join(format!("prices-{region}-{today}.toml")));
    if let Some(prices) = cache.as_ref().and_then(|path| cached(path, region)) {
        return Ok(prices);
    }
    // The queries, and the assumptions, are the same in every region: a region without a
    // table of its own is read with us-east-1's.
    let template = match &shipped {
        Ok(prices) => prices.clone(),
        Err(_) => Prices::shipped("us-east-1")?,
    };
    let queries: Vec<PriceQuery> = template
        .price
        .iter()
        .filter_map(|(key, price)| {
            let query = price.query.as_ref()?;
            Some(PriceQuery {
                key: key.clone(),
                service: query.service.clone(),
                usagetype: query.usagetype.clone(),
                attributes: query.attributes.clone(),
                scale: query.scale,
            })
        })
        .collect();
    let (before, started) = (aws.api_stats(), std::time::Instant::now());
    let read = holdfast_aws::pricing::read_prices(aws, region, &queries).await;
    output::stderr(&live::summary_of("Read prices from the AWS Price List API", aws, started.elapsed(), before));
    let read = match read {
        Ok(read) => read,
        Err(error) => {
            let mut prices = shipped.or_else(|_| latest_cached(region).ok_or(())).map_err(|()| {
                anyhow::anyhow!("the AWS Price List API could not be read for {region}, and holdfast ships no prices for it: {error}\n  hint: give a price table with --prices FILE (docs/cost.md)")
            })?;
            prices.origin = format!("{} (the AWS Price List API could not be read: {})", prices.origin, first_line(&error.to_string()));
            return Ok(prices);
        }
    };
    let mut prices = template;
    prices.region = region.to_owned();
    let mut missing = Vec::new();
    for (key, price) in &mut prices.price {
        match read.iter().find(|found| &found.key == key) {
            Some(found) => {
                price.usd = found.usd;
                // AWS's own words, without anything a terminal would act on.
                price.source = format!("AWS Price List API: {}", found.description.trim().replace(char::is_control, " "));
                price.read = today.clone();
            }
            None => missing.push(key.clone()),
        }
    }
    match (&shipped, missing.is_empty()) {
        (_, true) => prices.origin = format!("the AWS Price List API, read {today}"),
        (Ok(_), false) => prices.origin = format!("the AWS Price List API, read {today}, and the shipped table for {}", missing.join(", ")),
        // Another region's figures are no stand-in: what needs a missing price is not estimated.
        (Err(_), false) => {
            prices.price.retain(|key, _| !missing.contains(key));
            prices.origin = format!("the AWS Price List API, read {today}, which gave no price for {}", missing.join(", "));
        }
    }
    if let Some(path) = &cache {
        // A cache that cannot be written costs the next run its calls, nothing more.
        let _ = path.parent().map(std::fs::create_dir_all);
        let _ = std::fs::write(path, prices.to_toml());
    }
    Ok(prices)
}

fn today() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()[..10].to_owned()
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// The run-rate by kind, then by entry, each resource with its arithmetic.
fn render(rate: &RunRate) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Monthly run-rate of what the desired state selects, account {} in {}, read at {}.", rate.account_id, rate.region, rate.taken_at);
    for kind in &rate.kinds {
        let _ = writeln!(out, "\n{:<48} {:>12}", kind.kind.title(), money::dollars(kind.monthly_usd));
        for entry in &kind.entries {
            let _ = writeln!(out, "  {:<46} {:>12}", format!("entry {}", entry.source), money::dollars(entry.monthly_usd));
            for resource in &entry.resources {
                let _ = writeln!(out, "    {:<44} {:>12}", resource.address, money::dollars(resource.monthly_usd));
                let _ = writeln!(out, "      {}", resource.arithmetic);
                if !resource.basis.is_empty() {
                    let _ = writeln!(out, "      ({})", resource.basis.join("; "));
                }
            }
        }
    }
    if !rate.not_priced.is_empty() {
        let _ = writeln!(out, "\nNot priced");
        for reason in &rate.not_priced {
            let _ = writeln!(out, "  - {reason}");
        }
    }
    let _ = writeln!(out, "\nPrices: {}.", rate.prices);
    if rate.kinds.is_empty() {
        let _ = writeln!(out, "Estimated monthly run-rate: nothing selected could be priced");
    } else {
        let _ = writeln!(out, "Estimated monthly run-rate: about {}", money::whole_dollars(rate.monthly_usd));
    }
    out
}
