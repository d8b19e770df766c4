//! `holdfast plan`: how the account differs from the desired state.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use holdfast_desired::{Desired, NameGlob};
use holdfast_inventory::{Inventory, SecretHash};
use holdfast_planner::{Plan, Planner, render};

use crate::args::{Format, PlanArgs};
use crate::commands::load_desired;
use crate::output::{self, Status};

pub fn run(args: &PlanArgs) -> anyhow::Result<Status> {
    let desired = load_desired(&args.desired.desired)?;
    let targets = globs("--target", &args.target)?;
    let excludes = globs("--exclude", &args.exclude)?;
    let Some(snapshot) = &args.snapshot else {
        bail!("reading the live account is not built yet: pass --snapshot FILE (examples/z360-before-sprint.json is one)");
    };
    let text = std::fs::read_to_string(snapshot).with_context(|| format!("cannot read the snapshot {}", snapshot.display()))?;
    let inventory = Inventory::from_snapshot(&text).with_context(|| format!("cannot use the snapshot {}", snapshot.display()))?;
    check_account(&desired, &inventory)?;

    let plan = Planner::new(&desired, &inventory).with_env_hashes(env_hashes(&desired, &inventory)).plan().select(&targets, &excludes);
    if let Some(out) = &args.out {
        std::fs::write(out, plan.to_json()).with_context(|| format!("cannot write the plan file {}", out.display()))?;
    }
    output::stdout(&render_plan(&plan, args));
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

/// Planning one account against another's desired state is the worst mistake this
/// tool could make, so a mismatch stops everything.
fn check_account(desired: &Desired, inventory: &Inventory) -> anyhow::Result<()> {
    let Some(account) = &desired.account else { return Ok(()) };
    if account.id() != inventory.account_id {
        bail!(
            "the desired state is for account {} ({}), but the snapshot is of account {}: refusing to plan one account against another's desired state",
            account.id(),
            account.origin.location,
            inventory.account_id
        );
    }
    if account.region() != inventory.region {
        bail!("the desired state is for region {} ({}), but the snapshot is of {}", account.region(), account.origin.location, inventory.region);
    }
    Ok(())
}

/// Hashes the secret values the desired state reads from the environment, with the
/// snapshot's salt, and keeps nothing else of them.
fn env_hashes(desired: &Desired, inventory: &Inventory) -> BTreeMap<String, SecretHash> {
    holdfast_planner::env_variables(desired)
        .into_iter()
        .filter_map(|name| {
            let value = std::env::var(&name).ok()?;
            Some((name, SecretHash::of(&inventory.salt, &value)))
        })
        .collect()
}
