//! `holdfast apply`: converge the account, safely.
//!
//! Under the account's lock (a lease this process renews): read the account, plan (or
//! check a saved plan is exactly what a fresh plan gives), ask, apply in dependency
//! order, read again and verify, report. The first Ctrl-C or SIGTERM stops starting
//! changes, lets those in progress finish, reports and releases the lock; a second one
//! aborts at once.

use std::io::{BufRead, IsTerminal};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use holdfast_applier::{Options, Report, Stop};
use holdfast_aws::lock::{self, Acquired, Lease, Released, Renewal, Unlocked};
use holdfast_aws::{Aws, Identity};
use holdfast_desired::Desired;
use holdfast_planner::{Plan, render};
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::Notify;

use crate::args::{ApplyArgs, ReportFormat};
use crate::commands::{live, load_desired};
use crate::output::{self, Status};
use crate::stats::Stats;

pub fn run(args: &ApplyArgs) -> anyhow::Result<Status> {
    let desired = load_desired(&args.desired.desired)?;
    let saved = match &args.plan_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the plan file {}", path.display()))?;
            Some(Plan::from_json(&text).with_context(|| format!("cannot use the plan file {}", path.display()))?)
        }
        None => None,
    };
    let runtime = live::runtime()?;
    let result = runtime.block_on(async {
        let listening = Signals::listen();
        let (aws, identity) = live::connect(&desired, &args.aws).await?;
        let account_id = identity.account_id.clone();
        if let Some(saved) = &saved
            && (saved.account_id != account_id || saved.region != aws.region())
        {
            bail!(
                "the plan file is for account {} in {}, but these credentials are for account {account_id} in {}",
                saved.account_id,
                saved.region,
                aws.region()
            );
        }
        if let Some(id) = &args.force_unlock {
            force_unlock(&aws, id, args.even_if_live).await?;
        }
        // The lease runs from when it was asked for: a slow answer has already used some.
        let asked = Instant::now();
        let lease = match lock::acquire(&aws, &holder(&identity), lock::lease_seconds()).await? {
            Acquired::Yes(lease) => lease,
            Acquired::HeldBy(found) => {
                let now = lock::now();
                let hint = if found.is_live(now) {
                    "wait for that apply to finish".to_owned()
                } else {
                    format!("its holder died without releasing it: check nothing is still applying, then run `holdfast apply --force-unlock {}`", found.id())
                };
                bail!("another apply holds the lock of account {account_id} in {}: {}\n  hint: {hint}", aws.region(), found.describe(now));
            }
        };
        let stop = Arc::new(Stop::default());
        let signals = tokio::spawn(watch_signals(listening, Arc::clone(&stop)));
        let done = Arc::new(Notify::new());
        let heartbeat = tokio::spawn(renew_lease(aws.clone(), lease.clone(), asked, Arc::clone(&stop), Arc::clone(&done)));
        let result = apply_locked(&aws, &account_id, &desired, saved, args, &stop).await;
        signals.abort();
        // Let a renewal in flight land before releasing, or it could write the lock back.
        done.notify_one();
        let abandoned = heartbeat.await.unwrap_or(true);
        let mut released = lock::release(&aws, &lease.id).await;
        if abandoned && matches!(released, Ok(Released::Yes)) {
            // A renewal that timed out may still reach SSM: look once more, a renewal later.
            tokio::time::sleep(renewal_period(&lease)).await;
            released = lock::release(&aws, &lease.id).await.map(|again| if matches!(again, Released::NotOurs(_)) { again } else { Released::Yes });
        }
        let status = result?;
        match released.context("applied, but could not remove the apply lock")? {
            Released::Yes | Released::AlreadyGone => {}
            Released::NotOurs(found) => {
                output::stderr(&format!("The lock was broken during this apply and is now another's; it was left alone: {}\n", found.describe(lock::now())))
            }
        }
        Ok(status)
    });
    // A prompt interrupted by Ctrl-C may still wait on the terminal: do not wait for it.
    runtime.shutdown_background();
    result
}

async fn force_unlock(aws: &Aws, id: &str, even_if_live: bool) -> anyhow::Result<()> {
    let now = lock::now();
    match lock::force_unlock(aws, id, even_if_live).await? {
        Unlocked::Yes(found) => output::stderr(&format!("Removed the apply lock: {}\n", found.describe(now))),
        Unlocked::NotLocked => output::stderr(&format!("There is no apply lock to remove (lock {id} is already gone).\n")),
        Unlocked::OtherId(found) => bail!(
            "the apply lock is not {id}, so it was left alone: {}\n  hint: a newer apply may have taken it; check before naming its id",
            found.describe(now)
        ),
        Unlocked::Live(found) => bail!(
            "the apply lock is still being renewed, so its holder looks alive; it was left alone: {}\n  hint: if you are sure that apply is gone, add --even-if-live",
            found.describe(now)
        ),
    }
    Ok(())
}

fn renewal_period(lease: &Lease) -> Duration {
    Duration::from_secs((lease.lease_seconds / 3).max(1))
}

/// Renews the lease every third of it until `done`. A lock taken away, or one not renewed
/// for two thirds of its lease (a renewal that fails or hangs, each bounded by a third),
/// stops the apply before another apply could see the lease expire and take the lock.
/// Returns whether a renewal was abandoned unanswered, which may still land later.
async fn renew_lease(aws: Aws, mut lease: Lease, asked: Instant, stop: Arc<Stop>, done: Arc<Notify>) -> bool {
    let period = renewal_period(&lease);
    let lease_seconds = lease.lease_seconds;
    let deadline = Duration::from_secs(lease_seconds) * 2 / 3;
    let mut renewed = asked;
    let mut abandoned = false;
    let lapsed = |renewed: Instant| {
        (renewed.elapsed() >= deadline).then(|| {
            format!(
                "the apply lock could not be renewed for {} s of its {} s lease: stopping before another apply could take it",
                renewed.elapsed().as_secs(),
                lease_seconds
            )
        })
    };
    loop {
        if let Some(reason) = lapsed(renewed) {
            stop.request(reason);
            return abandoned;
        }
        tokio::select! {
            () = tokio::time::sleep(period) => {}
            () = done.notified() => return abandoned,
        }
        // The lease is stamped when the renewal is sent, so it counts from then.
        let sent = Instant::now();
        match tokio::time::timeout(period, lock::renew(&aws, &mut lease)).await {
            Ok(Ok(Renewal::Renewed)) => renewed = sent,
            Ok(Ok(Renewal::Lost(found))) => {
                let holder = found.map_or_else(|| "nobody holds it now".to_owned(), |found| found.describe(lock::now()));
                stop.request(format!("the apply lock was broken while this apply ran ({holder})"));
                return abandoned;
            }
            Ok(Err(error)) => output::stderr(&format!("warning: could not renew the apply lock: {error}\n")),
            Err(_) => {
                abandoned = true;
                output::stderr(&format!("warning: renewing the apply lock got no answer within {} s\n", period.as_secs()));
            }
        }
    }
}

/// SIGINT and SIGTERM, listened for from the start: a signal that arrived before a
/// listener existed would kill the process mid-apply.
struct Signals {
    interrupt: Option<Signal>,
    terminate: Option<Signal>,
}

impl Signals {
    fn listen() -> Signals {
        Signals { interrupt: signal(SignalKind::interrupt()).ok(), terminate: signal(SignalKind::terminate()).ok() }
    }

    async fn next(&mut self) {
        async fn one(signal: &mut Option<Signal>) {
            match signal {
                Some(signal) => {
                    signal.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            () = one(&mut self.interrupt) => {},
            () = one(&mut self.terminate) => {},
        }
    }
}

/// The first Ctrl-C or SIGTERM stops new changes; the second aborts at once.
async fn watch_signals(mut signals: Signals, stop: Arc<Stop>) {
    signals.next().await;
    stop.request("the apply was interrupted");
    output::stderr("\nInterrupted: no new change starts; waiting for those in progress. Interrupt again to abort at once.\n");
    signals.next().await;
    output::stderr("Aborted. The apply lock stays until its lease expires; the next apply says how to remove it.\n");
    std::process::exit(130);
}

async fn apply_locked(aws: &Aws, account_id: &str, desired: &Desired, saved: Option<Plan>, args: &ApplyArgs, stop: &Stop) -> anyhow::Result<Status> {
    // Always act on what the account is now, never on what it was.
    let (_, fresh) = live::read_planned(aws, account_id, desired, &Stats::default()).await?;
    if fresh.has_errors() {
        output::stdout(&render::text(&fresh, output::use_color(args.color)));
        bail!("the plan has errors, so nothing was applied");
    }
    let plan = match saved {
        Some(saved) => holdfast_applier::changes_to_apply(&saved, &fresh).map_err(|mismatches| {
            anyhow::anyhow!(
                "the plan file does not match what the desired state and the account give now, so nothing was applied\n  {}\n  hint: run holdfast plan --out again, and review it",
                mismatches.join("\n  ")
            )
        })?,
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
    if args.plan_file.is_none() && !args.auto_approve && !confirm(&plan, account_id, stop).await? {
        output::stderr("Apply cancelled; nothing was changed.\n");
        return Ok(Status::Failure);
    }

    let options = Options {
        allow_replace: args.allow_replace,
        allow_delete: args.allow_delete,
        concurrency: usize::from(args.aws.concurrency),
        wait: args.wait,
        // Every 30 s on real AWS; more often for a short wait.
        poll: (args.wait / 20).clamp(Duration::from_secs(1), Duration::from_secs(30)),
        watch: Some(Arc::new(crate::progress::Waits::new(output::stderr_is_terminal()))),
    };
    let mut report = holdfast_applier::apply(aws, &plan, &options, &|name| std::env::var(name).ok(), stop).await;
    if stop.is_requested() {
        output::stderr("The apply was stopped: what was done is not verified by a second read.\n");
    } else {
        match live::read_planned(aws, account_id, desired, &Stats::default()).await {
            Ok((_, after)) => holdfast_applier::verify(&mut report, &after),
            // What was done must still be said: the report is printed, then why it is not verified.
            Err(error) => {
                print_report(&report, args.format);
                output::stderr(&format!("\nWhat was done above is not verified: reading the account again failed: {error:#}\n"));
                return Ok(Status::Failure);
            }
        }
    }
    print_report(&report, args.format);
    Ok(if report.failed() { Status::Failure } else { Status::Success })
}

fn print_report(report: &Report, format: ReportFormat) {
    match format {
        ReportFormat::Text => output::stdout(&format!("\n{}", report.to_text())),
        ReportFormat::Json => output::stdout(&report.to_json()),
    }
}

/// Asks on the terminal; without one, refuses rather than guess. Ctrl-C at the question
/// is a no.
async fn confirm(plan: &Plan, account_id: &str, stop: &Stop) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!("there is no terminal to confirm the apply on: review the plan and pass --auto-approve, or apply a saved plan file");
    }
    let changes = render::count(plan.summary.total(), "change");
    output::stderr(&format!("\nApply {changes} to account {account_id}? Only `yes` is accepted: "));
    let answer = tokio::task::spawn_blocking(|| {
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).map(|_| answer)
    });
    tokio::pin!(answer);
    loop {
        tokio::select! {
            read = &mut answer => return Ok(read.context("cannot read the answer")?.context("cannot read the answer")?.trim() == "yes"),
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                if stop.is_requested() {
                    output::stderr("\n");
                    return Ok(false);
                }
            }
        }
    }
}

/// Who holds the lock: the AWS identity (what an audit trail names), host and process.
fn holder(identity: &Identity) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|name| name.trim().to_owned())
        .ok()
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "an unnamed host".to_owned());
    let who = if identity.arn.is_empty() {
        std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "an unknown user".to_owned())
    } else {
        identity.arn.clone()
    };
    format!("{who} on {host} (pid {})", std::process::id())
}
