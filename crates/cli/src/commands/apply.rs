//! `holdfast apply`: converge the account, safely.
//!
//! Under the account's lock: read the account, plan (or check a saved plan is not
//! stale), ask, apply in dependency order, read again and verify, report.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use holdfast_applier::{Options, Report};
use holdfast_aws::Aws;
use holdfast_aws::lock::{self, Acquired};
use holdfast_desired::Desired;
use holdfast_planner::{Plan, render};

use crate::args::{ApplyArgs, ReportFormat};
use crate::commands::{live, load_desired, make_plan};
use crate::output::{self, Status};

pub fn run(args: &ApplyArgs) -> anyhow::Result<Status> {
    let desired = load_desired(&args.desired.desired)?;
    let saved = match &args.plan_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the plan file {}", path.display()))?;
            Some(Plan::from_json(&text).with_context(|| format!("cannot use the plan file {}", path.display()))?)
        }
        None => None,
    };
    live::runtime()?.block_on(async {
        let (aws, account_id) = live::connect(&desired, &args.aws).await?;
        if let Some(saved) = &saved
            && (saved.account_id != account_id || saved.region != aws.region())
        {
            bail!("the plan file is for account {} in {}, but these credentials are for account {account_id} in {}", saved.account_id, saved.region, aws.region());
        }
        if args.force_unlock {
            lock::release(&aws).await?;
            output::stderr("Removed the apply lock.\n");
        }
        let holder = format!("holdfast apply by {} since {}", whoami(), now());
        if let Acquired::HeldBy(holder) = lock::acquire(&aws, &holder).await? {
            bail!(
                "another apply holds the lock for account {account_id} in {}: {holder}\n  hint: wait for it to finish; if it died, run `holdfast apply --force-unlock`",
                aws.region()
            );
        }
        let result = apply_locked(&aws, &account_id, &desired, saved, args).await;
        let released = lock::release(&aws).await;
        let status = result?;
        released.context("applied, but could not remove the apply lock; `holdfast apply --force-unlock` removes it")?;
        Ok(status)
    })
}

async fn apply_locked(aws: &Aws, account_id: &str, desired: &Desired, saved: Option<Plan>, args: &ApplyArgs) -> anyhow::Result<Status> {
    // Always act on what the account is now, never on what it was.
    let inventory = live::read_inventory(aws, account_id, desired).await?;
    let fresh = make_plan(desired, &inventory);
    let plan = match saved {
        Some(saved) => {
            let stale = holdfast_applier::stale_changes(&saved, &fresh);
            if !stale.is_empty() {
                bail!(
                    "the plan file is stale: the account changed since it was made, so nothing was applied\n  {}\n  hint: run holdfast plan --out again",
                    stale.join("\n  ")
                );
            }
            saved
        }
        None => {
            // The plan is for the person confirming; with a JSON report, stdout stays JSON.
            match args.format {
                ReportFormat::Text => output::stdout(&render::text(&fresh, output::use_color(args.color))),
                ReportFormat::Json => output::stderr(&render::text(&fresh, false)),
            }
            fresh
        }
    };
    if plan.is_empty() {
        output::stderr("Nothing to apply.\n");
        if args.format == ReportFormat::Json {
            output::stdout(&Report::new(Vec::new()).to_json());
        }
        return Ok(Status::Success);
    }
    if args.plan_file.is_none() && !args.auto_approve && !confirm(&plan, account_id)? {
        output::stderr("Apply cancelled; nothing was changed.\n");
        return Ok(Status::Failure);
    }

    let options = Options { allow_replace: args.allow_replace, allow_delete: args.allow_delete };
    let mut report = holdfast_applier::apply(aws, &plan, &options, &|name| std::env::var(name).ok()).await;
    let after = live::read_inventory(aws, account_id, desired).await?;
    holdfast_applier::verify(&mut report, &make_plan(desired, &after));
    print_report(&report, args.format);
    Ok(if report.failed() { Status::Failure } else { Status::Success })
}

fn print_report(report: &Report, format: ReportFormat) {
    match format {
        ReportFormat::Text => output::stdout(&format!("\n{}", report.to_text())),
        ReportFormat::Json => output::stdout(&report.to_json()),
    }
}

/// Asks on the terminal; without one, refuses rather than guess.
fn confirm(plan: &Plan, account_id: &str) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!("there is no terminal to confirm the apply on: review the plan and pass --auto-approve, or apply a saved plan file");
    }
    output::stderr(&format!("\nApply these {} changes to account {account_id}? Only `yes` is accepted: ", plan.summary.total()));
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).context("cannot read the answer")?;
    Ok(answer.trim() == "yes")
}

fn whoami() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
    let host = std::fs::read_to_string("/etc/hostname").map(|name| name.trim().to_owned()).unwrap_or_else(|_| "unknown-host".to_owned());
    format!("{user}@{host} (pid {})", std::process::id())
}

fn now() -> String {
    holdfast_aws::timestamp_now().unwrap_or_else(|_| "an unknown time".to_owned())
}
