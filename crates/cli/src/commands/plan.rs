//! `holdfast plan`: how the account differs from the desired state.

use anyhow::Context;
use holdfast_desired::NameGlob;
use holdfast_inventory::Inventory;
use holdfast_planner::{Plan, render};

use crate::args::{Format, PlanArgs};
use crate::commands::{cost, live, load_desired, make_plan};
use crate::output::{self, Status};
use crate::stats::Stats;

pub fn run(args: &PlanArgs) -> anyhow::Result<Status> {
    let desired = load_desired(&args.desired.desired)?;
    let targets = globs("--target", &args.target)?;
    let excludes = globs("--exclude", &args.exclude)?;
    let stats = Stats::default();
    let plan = match &args.snapshot {
        Some(snapshot) => {
            let inventory = stats.time("load the snapshot", || {
                let text = std::fs::read_to_string(snapshot).with_context(|| format!("cannot read the snapshot {}", snapshot.display()))?;
                Inventory::from_snapshot(&text).with_context(|| format!("cannot use the snapshot {}", snapshot.display()))
            })?;
            live::check_account(&desired, &inventory.account_id, &inventory.region, "the snapshot is of")?;
            let mut plan = stats.time("plan", || make_plan(&desired, &inventory)).select(&targets, &excludes);
            if !args.cost.no_cost {
                // A snapshot is planned offline: the shipped prices, and the usage it holds.
                let prices = cost::offline_prices(&inventory.region, &args.cost.prices).map_err(|error| anyhow::anyhow!("{error:#}; or pass --no-cost"))?;
                stats.time("estimate costs", || holdfast_cost::estimate(&mut plan, &inventory, &prices));
            }
            plan
        }
        None => live::runtime()?.block_on(async {
            let started = std::time::Instant::now();
            let (aws, identity) = live::connect(&desired, &args.aws).await?;
            stats.connected("connect (credentials, STS)", started, &aws);
            let (mut inventory, plan) = live::read_planned(&aws, &identity.account_id, &desired, &stats).await?;
            let mut plan = plan.select(&targets, &excludes);
            if !args.cost.no_cost {
                cost::estimate_live(&aws, &mut inventory, &mut plan, &args.cost.prices, &stats)
                    .await
                    .map_err(|error| anyhow::anyhow!("{error:#}; or pass --no-cost"))?;
            }
            anyhow::Ok(plan)
        })?,
    };
    if let Some(out) = &args.out {
        std::fs::write(out, plan.to_json()).with_context(|| format!("cannot write the plan file {}", out.display()))?;
    }
    let rendered = stats.time("render", || render_plan(&plan, args));
    output::stdout(&rendered);
    if args.stats {
        output::stderr(&stats.render());
    }
    if plan.has_errors() {
        anyhow::bail!("the plan has {}: nothing can be applied until they are fixed", holdfast_planner::render::count(plan.errors.len(), "error"));
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() { Status::ChangesPresent } else { Status::Success })
}

fn render_plan(plan: &Plan, args: &PlanArgs) -> String {
    match args.format {
        Format::Text => render::text(plan, output::use_color(args.color)),
        Format::Json => plan.to_json(),
        Format::Markdown => render::markdown(plan),
    }
}

fn globs(flag: &str, patterns: &[String]) -> anyhow::Result<Vec<NameGlob>> {
    patterns.iter().map(|pattern| NameGlob::new(pattern).map_err(|message| anyhow::anyhow!("{flag}: {message}"))).collect()
}
