//! One check of one account and region: read (census included), plan, report, and then
//! remember and tell. The check never writes to the account and takes no lock.

use std::path::PathBuf;
use std::time::Duration;

use holdfast_aws::{Aws, ConnectOptions, ReadOptions, Silent};
use holdfast_desired::Desired;
use holdfast_planner::drift::{Decision, Memory, Now, Report, Severity, memory};

use crate::DriftError;
use crate::history::History;
use crate::metrics::{self, Sample};
use crate::notify::{self, Notification, Target};

/// What every check of a run shares.
#[derive(Debug)]
pub struct Settings {
    pub min_severity: Severity,
    /// Persisting drift is notified again only this often.
    pub remind_every: Duration,
    pub history: Option<History>,
    pub notify: Vec<Target>,
    pub metrics_namespace: Option<String>,
    pub metrics_file: Option<PathBuf>,
}

/// One account and region to check.
#[derive(Debug)]
pub struct Check {
    pub desired: Desired,
    pub connect: ConnectOptions,
    /// The account id expected, for naming the row when the check fails before STS answers.
    pub account_id: Option<String>,
}

/// How one check went.
#[derive(Debug)]
pub struct CheckOutcome {
    pub account_id: String,
    pub region: String,
    /// None when the check itself failed.
    pub report: Option<Report>,
    pub failure: Option<DriftError>,
    /// The check was made, but remembering, notifying or metrics failed.
    pub output_errors: Vec<DriftError>,
    /// Worth saying, not failures: lines of the history that were skipped.
    pub warnings: Vec<String>,
    /// AWS calls the check made in the account.
    pub api_calls: usize,
    /// Calls to the account that were not reads (Describe, List, Get, Head): always none,
    /// and checked, not assumed.
    pub writes: Vec<String>,
    pub checked_epoch: u64,
}

impl CheckOutcome {
    /// A check of this account and region, at `epoch`, with nothing found yet.
    pub fn new(account_id: String, region: String, epoch: u64) -> Self {
        CheckOutcome {
            account_id,
            region,
            report: None,
            failure: None,
            output_errors: Vec::new(),
            warnings: Vec::new(),
            api_calls: 0,
            writes: Vec::new(),
            checked_epoch: epoch,
        }
    }

    pub fn failed(&self) -> bool {
        self.failure.is_some() || !self.output_errors.is_empty()
    }

    pub fn drifted(&self) -> bool {
        self.report.as_ref().is_some_and(|report| !report.in_sync())
    }

    pub fn sample(&self) -> Sample<'_> {
        Sample {
            account_id: &self.account_id,
            region: &self.region,
            report: self.report.as_ref(),
            output_failed: !self.output_errors.is_empty(),
            checked_epoch: self.checked_epoch,
        }
    }
}

/// Runs one check. `home` is where history, notifications and metrics go when the
/// account is reached through an assumed role; None means the account's own connection.
pub async fn run(check: &Check, settings: &Settings, home: Option<&Aws>, now: &Now) -> CheckOutcome {
    let account_id = check.account_id.clone().or_else(|| check.desired.account_id().map(str::to_owned)).unwrap_or_else(|| "unknown".to_owned());
    let mut outcome = CheckOutcome::new(account_id, check.connect.region.clone().unwrap_or_default(), now.epoch);
    let aws = match Aws::connect(&check.connect).await {
        Ok(aws) => aws,
        Err(error) => {
            outcome.failure = Some(error.into());
            return outcome;
        }
    };
    outcome.region = aws.region().to_owned();
    let home = home.unwrap_or(&aws);
    let read = read_and_plan(&aws, check).await;
    outcome.api_calls = aws.api_calls().values().sum();
    let (inventory, plan) = match read {
        Ok(read) => read,
        Err(error) => {
            outcome.failure = Some(error);
            return outcome;
        }
    };
    outcome.account_id = inventory.account_id.clone();

    let (account_id, region) = (inventory.account_id.clone(), inventory.region.clone());
    // Run inside the history's transaction, so the check that records a notification is
    // the one that sends it, however many runners share the history. Each target keeps
    // its own memory of what it was told.
    let decide = |memory: &Memory| {
        let last = memory.last(&account_id, &region).cloned();
        let report = Report::new(&check.desired, &inventory, &plan, now, last.as_ref(), settings.min_severity);
        let mut decisions = Vec::new();
        let mut told = std::collections::BTreeMap::new();
        for target in &settings.notify {
            let before = last.as_ref().and_then(|record| record.notified.get(&target.key())).cloned();
            let decision = memory::decide(&report, before.as_ref(), now.epoch, settings.remind_every.as_secs());
            told.insert(target.key(), memory::told_after(&report, before.as_ref(), decision != Decision::Quiet, now.epoch));
            decisions.push((decision, before));
        }
        let record = report.record(now, told);
        (record.clone(), (report, decisions, record))
    };
    let (report, decisions, record) = match &settings.history {
        Some(history) => match history.transact(home, decide).await {
            Ok((value, skipped)) => {
                outcome.warnings.extend(skipped.into_iter().map(|line| format!("the drift history {}: {line}", history.place())));
                value
            }
            Err(error) => {
                // Without a memory there is no telling new drift from old: the drift is
                // reported, and nothing is notified rather than everything again.
                outcome.output_errors.push(error);
                let report = Report::new(&check.desired, &inventory, &plan, now, None, settings.min_severity);
                let record = report.record(now, Default::default());
                (report, Vec::new(), record)
            }
        },
        None => decide(&Memory::default()).1,
    };

    // Drift seen while an apply is under way may be that apply's work in progress.
    let mut report = report;
    match holdfast_aws::lock::read(&aws).await {
        Ok(Some(lock)) if lock.is_live(holdfast_aws::lock::now()) => report.warnings.push(format!(
            "an apply is under way ({}): some of this drift may be its work in progress; the next check will tell",
            lock.describe(holdfast_aws::lock::now())
        )),
        Ok(_) => {}
        Err(error) => outcome.warnings.push(format!("the apply lock could not be read, so an apply under way would go unmentioned: {error}")),
    }

    // Every target at once: one slow receiver must not keep the others waiting past a
    // signal's grace.
    let sends = settings.notify.iter().zip(&decisions).filter(|(_, (decision, _))| *decision != Decision::Quiet).map(|(target, (decision, before))| {
        let report = &report;
        async move {
            let notification = Notification::new(report, decision, before.as_ref());
            (target, before, notify::send(home, target, &notification).await)
        }
    });
    let mut unclaimed = record.notified.clone();
    let mut failures = Vec::new();
    for (target, before, sent) in futures_util::future::join_all(sends).await {
        if let Err(error) = sent {
            failures.push(error);
            // What this target was told stays as it was: the next check tries it again.
            unclaimed.insert(target.key(), before.clone().unwrap_or_default());
        }
    }
    if !failures.is_empty()
        && let Some(history) = &settings.history
    {
        let mut corrected = record.clone();
        corrected.notified = unclaimed;
        if let Err(error) = history.transact(home, |_: &Memory| (corrected.clone(), ())).await {
            outcome.output_errors.push(error);
        }
    }
    outcome.output_errors.extend(failures);
    outcome.api_calls = aws.api_calls().values().sum();
    outcome.writes = writes(&aws);
    outcome.report = Some(report);
    outcome
}

/// The operations sent to the account that are not reads. The account's connection is
/// used for nothing but the check (outputs go through `home` when it is another).
fn writes(aws: &Aws) -> Vec<String> {
    aws.api_calls()
        .into_keys()
        .filter(|(_, operation)| !["Describe", "List", "Get", "Head"].iter().any(|read| operation.starts_with(read)))
        .map(|(service, operation)| format!("{service}:{operation}"))
        .collect()
}

async fn read_and_plan(aws: &Aws, check: &Check) -> Result<(holdfast_inventory::Inventory, holdfast_planner::Plan), DriftError> {
    let identity = aws.identity().await?;
    match &check.account_id {
        // From an accounts file, which names the regions: the desired state's `[account]`
        // region is where `plan` and `apply` go, not a limit on where drift is checked.
        Some(expected) => {
            if expected != &identity.account_id {
                return Err(DriftError::Input(format!("the accounts file says {expected}, but the credentials are for account {}", identity.account_id)));
            }
            check.desired.check_account_id(&identity.account_id, "these credentials are for").map_err(DriftError::Input)?;
        }
        None => check.desired.check_account(&identity.account_id, aws.region(), "these credentials are for").map_err(DriftError::Input)?,
    }
    let mut inventory =
        holdfast_aws::read_inventory_with(aws, &identity.account_id, &check.desired, &Silent, ReadOptions { census: true, ..ReadOptions::default() }).await?;
    let plan = holdfast_planner::plan_with_environment(&check.desired, &inventory, |name| std::env::var(name).ok());
    // A changed bucket's ownership note wants its tags, which only changed buckets pay for.
    let buckets = holdfast_planner::buckets_needing_tags(&plan, &inventory);
    if buckets.is_empty() {
        return Ok((inventory, plan));
    }
    holdfast_aws::s3::read_tags_of(aws, &mut inventory.s3, &buckets).await?;
    let plan = holdfast_planner::plan_with_environment(&check.desired, &inventory, |name| std::env::var(name).ok());
    Ok((inventory, plan))
}

/// Publishes the metrics of every outcome of a run: `--metrics` and `--metrics-file`.
pub async fn publish_metrics(settings: &Settings, home: Option<&Aws>, outcomes: &[CheckOutcome]) -> Vec<DriftError> {
    let samples: Vec<Sample<'_>> = outcomes.iter().map(CheckOutcome::sample).collect();
    let mut errors = Vec::new();
    if let Some(path) = &settings.metrics_file
        && let Err(error) = metrics::write_file(path, &samples)
    {
        errors.push(error);
    }
    if let Some(namespace) = &settings.metrics_namespace {
        match home {
            Some(aws) => {
                if let Err(error) = metrics::publish(aws, namespace, &samples).await {
                    errors.push(error);
                }
            }
            None => errors.push(DriftError::Metrics { target: format!("cloudwatch:{namespace}"), message: "no AWS connection to publish with".to_owned() }),
        }
    }
    errors
}
