//! The applier: carries out a plan through `crates/aws`, in dependency order, with
//! independent changes in parallel, then verifies by reading the account again.
//!
//! # Guarantees
//! - Nothing is decided here that the plan did not decide: each change's `operation`
//!   is executed as written, or not at all. A saved plan file is applied only where it is
//!   exactly what a fresh plan computes ([`changes_to_apply`]), and then the fresh plan's
//!   operations run, so guards such as `realtime` come from the desired state.
//! - Each executor confirms, at the moment of acting, what its change rests on (the
//!   parameter exists and holds the value the service runs with, the execution role may
//!   read it), instead of trusting the plan or AWS to refuse.
//! - `replace` and `delete` run only with their flag; a realtime service is never moved
//!   to `FARGATE_SPOT`, whatever the plan file says.
//! - A failed change stops the changes that depend on it, and nothing else; once a stop
//!   is requested no change starts, and the ones in progress finish.
//! - Every executor is idempotent in effect, so running apply again converges.

mod aurora;
mod cloudtrail;
mod config;
mod elb;
mod execute;
mod guardduty;
mod kms;
mod report;
mod securityhub;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use holdfast_aws::Aws;
use holdfast_planner::{Action, Change, Plan};

pub use report::{ChangeReport, Outcome, Report, Summary};

#[derive(Clone, Default)]
pub struct Options {
    pub allow_replace: bool,
    pub allow_delete: bool,
    /// At most this many changes in progress at once.
    pub concurrency: usize,
    /// How long one step of a long operation (an Aurora snapshot, copy, restore) is waited
    /// for; past it, the step is reported in progress and a re-run continues.
    pub wait: Duration,
    /// How often AWS is asked while waiting.
    pub poll: Duration,
    /// Told of each wait, for a progress display.
    pub watch: Option<Arc<dyn Watch>>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Options")
            .field("allow_replace", &self.allow_replace)
            .field("allow_delete", &self.allow_delete)
            .field("concurrency", &self.concurrency)
            .field("wait", &self.wait)
            .field("poll", &self.poll)
            .finish_non_exhaustive()
    }
}

/// Hears about the steps apply waits for: what, its state on AWS, how long so far.
pub trait Watch: Send + Sync {
    fn waiting(&self, what: &str, state: &str, elapsed: Duration, timeout: Duration);
    fn finished(&self, what: &str);
}

/// Reads an environment variable for `value = { env = ... }`; the caller decides where
/// from, so tests need not touch the process environment.
pub type Env<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// Asked to stop (Ctrl-C, SIGTERM, a lost lock): no change starts after that; the ones in
/// progress finish, so nothing is left half-made by holdfast itself.
#[derive(Debug, Default)]
pub struct Stop {
    requested: AtomicBool,
    reason: Mutex<Option<String>>,
}

impl Stop {
    pub fn request(&self, reason: impl Into<String>) {
        let mut slot = self.reason.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.get_or_insert_with(|| reason.into());
        self.requested.store(true, Ordering::SeqCst);
    }

    pub fn is_requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    pub fn reason(&self) -> Option<String> {
        self.reason.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// Applies the plan's changes in waves: each wave runs every change whose dependencies
/// are all done, at most `options.concurrency` at a time. Once `stop` is requested no
/// further change starts.
pub async fn apply(aws: &Aws, plan: &Plan, options: &Options, env: Env<'_>, stop: &Stop) -> Report {
    let mut outcomes: BTreeMap<&str, Outcome> = BTreeMap::new();
    let mut warnings: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    loop {
        let mut ready = Vec::new();
        for change in &plan.changes {
            if outcomes.contains_key(change.address.as_str()) {
                continue;
            }
            let blocking = change.depends_on.iter().find(|dependency| {
                matches!(
                    outcomes.get(dependency.as_str()),
                    Some(Outcome::Failed { .. } | Outcome::Skipped { .. } | Outcome::NotStarted { .. } | Outcome::InProgress { .. })
                )
            });
            if let Some(dependency) = blocking {
                let why = match &outcomes[dependency.as_str()] {
                    Outcome::Failed { .. } => "failed",
                    Outcome::NotStarted { .. } => "was not started",
                    Outcome::InProgress { .. } => "is still in progress on AWS",
                    _ => "was skipped",
                };
                outcomes.insert(&change.address, Outcome::Skipped { reason: format!("depends on {dependency}, which {why}") });
                continue;
            }
            let waiting = change
                .depends_on
                .iter()
                .any(|dependency| !outcomes.contains_key(dependency.as_str()) && plan.changes.iter().any(|other| &other.address == dependency));
            if !waiting {
                ready.push(change);
            }
        }
        if ready.is_empty() {
            break;
        }
        let results: Vec<(&str, Outcome, Vec<String>)> = stream::iter(ready)
            .map(|change| async move {
                if stop.is_requested() {
                    return (change.address.as_str(), not_started(stop), Vec::new());
                }
                let (outcome, said) = run(aws, plan, change, options, env, stop).await;
                (change.address.as_str(), outcome, said)
            })
            .buffer_unordered(options.concurrency.max(1))
            .collect()
            .await;
        for (address, outcome, said) in results {
            outcomes.insert(address, outcome);
            warnings.insert(address, said);
        }
    }
    Report::new(
        plan.changes
            .iter()
            .map(|change| ChangeReport {
                address: change.address.clone(),
                action: change.action,
                outcome: outcomes.remove(change.address.as_str()).unwrap_or(Outcome::Skipped { reason: "its dependencies never completed".to_owned() }),
                warnings: warnings.remove(change.address.as_str()).unwrap_or_default(),
                verified: None,
            })
            .collect(),
    )
}

fn not_started(stop: &Stop) -> Outcome {
    Outcome::NotStarted { reason: stop.reason().unwrap_or_else(|| "the apply was stopped".to_owned()) }
}

async fn run(aws: &Aws, plan: &Plan, change: &Change, options: &Options, env: Env<'_>, stop: &Stop) -> (Outcome, Vec<String>) {
    let skipped = |reason: String| (Outcome::Skipped { reason }, Vec::new());
    match change.action {
        Action::Replace if !options.allow_replace => return skipped("a replacement needs --allow-replace".to_owned()),
        Action::Delete if !options.allow_delete => return skipped("a deletion needs --allow-delete".to_owned()),
        _ if change.flags.contains(&holdfast_planner::Flag::ForcesReplacement) && !options.allow_replace => {
            return skipped("a replacement needs --allow-replace".to_owned());
        }
        Action::Manual => return skipped(format!("needs a person: {}", change.reason.as_deref().unwrap_or("see the plan"))),
        _ => {}
    }
    if change.flags.contains(&holdfast_planner::Flag::StopsAudit) && !options.allow_delete {
        return skipped("stopping an audit log needs --allow-delete, as a deletion does".to_owned());
    }
    let waiting = aurora::Waiting { timeout: options.wait, poll: options.poll, stop, watch: options.watch.as_deref() };
    match execute::operation(aws, plan, &change.operation, env, &waiting).await {
        Ok(execute::Executed::Yes(warnings)) => (Outcome::Done, warnings),
        Ok(execute::Executed::InProgress(state)) => (Outcome::InProgress { state }, Vec::new()),
        Ok(execute::Executed::Refused(reason)) => skipped(reason),
        Err(error) => (Outcome::Failed { error }, Vec::new()),
    }
}

/// Marks each done change verified when the fresh plan no longer has it.
pub fn verify(report: &mut Report, fresh: &Plan) {
    for change in &mut report.changes {
        if change.outcome == Outcome::Done {
            change.verified = Some(!fresh.changes.iter().any(|remaining| remaining.address == change.address));
        }
    }
    report.count();
}

/// What to apply for a saved plan file: the fresh plan's own changes at the saved
/// addresses, and only when every saved change is exactly what the fresh plan computes
/// now from the desired state and the live account. A plan file is a request, never an
/// authority: an edited operation, a changed account or a changed desired state are all
/// refused, each named, and nothing is applied.
pub fn changes_to_apply(saved: &Plan, fresh: &Plan) -> Result<Plan, Vec<String>> {
    let mut mismatches = Vec::new();
    for change in &saved.changes {
        let Some(now) = fresh.changes.iter().find(|candidate| candidate.address == change.address) else {
            mismatches.push(format!("{}: no longer needs changing (the account or the desired state changed since the plan)", change.address));
            continue;
        };
        if now.action != change.action {
            mismatches.push(format!("{}: was planned to {}, now needs to {}", change.address, change.action.as_str(), now.action.as_str()));
            continue;
        }
        let before = mismatches.len();
        for attribute in &change.attributes {
            let current = now.attributes.iter().find(|candidate| candidate.name == attribute.name);
            let shown = |value: Option<&Option<String>>| match value {
                Some(Some(text)) if !attribute.sensitive => text.clone(),
                Some(Some(_)) => "(sensitive)".to_owned(),
                _ => "(absent)".to_owned(),
            };
            if current.map(|current| &current.before) != Some(&attribute.before) {
                mismatches.push(format!(
                    "{}: {} was {} when planned, is {} now",
                    change.address,
                    attribute.name,
                    shown(Some(&attribute.before)),
                    shown(current.map(|current| &current.before))
                ));
            } else if current.map(|current| &current.after) != Some(&attribute.after) {
                mismatches.push(format!(
                    "{}: {} was planned to become {}, the desired state now says {}",
                    change.address,
                    attribute.name,
                    shown(Some(&attribute.after)),
                    shown(current.map(|current| &current.after))
                ));
            }
        }
        if mismatches.len() > before {
            continue;
        }
        let fields = differing_fields(&change.operation, &now.operation);
        if !fields.is_empty() || change.attributes.len() != now.attributes.len() || change.flags != now.flags {
            let detail = if fields.is_empty() { "its attributes or flags".to_owned() } else { fields.join(", ") };
            mismatches.push(format!(
                "{}: the saved change is not what the desired state and the account give now ({detail} differ); a plan file must not be edited",
                change.address
            ));
        }
    }
    if !mismatches.is_empty() {
        return Err(mismatches);
    }
    let addresses: Vec<&str> = saved.changes.iter().map(|change| change.address.as_str()).collect();
    let mut plan = fresh.clone();
    plan.changes.retain(|change| addresses.contains(&change.address.as_str()));
    plan.summary = holdfast_planner::Summary::of(&plan.changes);
    Ok(plan)
}

/// The operation fields that differ, by name (`operation.cluster`): never their values,
/// which an edited file could have filled with anything.
fn differing_fields(saved: &holdfast_planner::operation::Operation, fresh: &holdfast_planner::operation::Operation) -> Vec<String> {
    let saved = serde_json::to_value(saved).unwrap_or_default();
    let fresh = serde_json::to_value(fresh).unwrap_or_default();
    match (saved.as_object(), fresh.as_object()) {
        (Some(saved), Some(fresh)) => {
            let mut names: Vec<String> =
                saved.keys().chain(fresh.keys()).filter(|key| saved.get(*key) != fresh.get(*key)).map(|key| format!("operation.{key}")).collect();
            names.sort();
            names.dedup();
            names
        }
        _ if saved != fresh => vec!["operation".to_owned()],
        _ => Vec::new(),
    }
}
