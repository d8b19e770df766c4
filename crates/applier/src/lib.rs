//! The applier: carries out a plan through `crates/aws`, in dependency order, with
//! independent changes in parallel, then verifies by reading the account again.
//!
//! # Guarantees
//! - Nothing is decided here that the plan did not decide: each change's `operation`
//!   is executed as written, or not at all.
//! - `replace` and `delete` run only with their flag; a realtime service is never moved
//!   to `FARGATE_SPOT`, whatever the plan file says.
//! - A failed change stops the changes that depend on it, and nothing else.
//! - Every executor is idempotent in effect, so running apply again converges.

mod execute;
mod report;

use std::collections::BTreeMap;

use futures_util::future::join_all;
use holdfast_aws::Aws;
use holdfast_planner::{Action, Change, Plan};

pub use report::{ChangeReport, Outcome, Report, Summary};

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub allow_replace: bool,
    pub allow_delete: bool,
}

/// Reads an environment variable for `value = { env = ... }`; the caller decides where
/// from, so tests need not touch the process environment.
pub type Env<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// Applies the plan's changes in waves: each wave runs every change whose
/// dependencies are all done, concurrently (the `Aws` bound limits calls in flight).
pub async fn apply(aws: &Aws, plan: &Plan, options: &Options, env: Env<'_>) -> Report {
    let mut outcomes: BTreeMap<&str, Outcome> = BTreeMap::new();
    let mut warnings: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    loop {
        let mut ready = Vec::new();
        for change in &plan.changes {
            if outcomes.contains_key(change.address.as_str()) {
                continue;
            }
            let blocking =
                change.depends_on.iter().find(|dependency| matches!(outcomes.get(dependency.as_str()), Some(Outcome::Failed { .. } | Outcome::Skipped { .. })));
            if let Some(dependency) = blocking {
                let why = match &outcomes[dependency.as_str()] {
                    Outcome::Failed { .. } => "failed",
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
        let results = join_all(ready.iter().map(|change| run(aws, plan, change, options, env))).await;
        for (change, (outcome, said)) in ready.into_iter().zip(results) {
            outcomes.insert(&change.address, outcome);
            warnings.insert(&change.address, said);
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

async fn run(aws: &Aws, plan: &Plan, change: &Change, options: &Options, env: Env<'_>) -> (Outcome, Vec<String>) {
    let skipped = |reason: String| (Outcome::Skipped { reason }, Vec::new());
    match change.action {
        Action::Replace if !options.allow_replace => return skipped("a replacement needs --allow-replace".to_owned()),
        Action::Delete if !options.allow_delete => return skipped("a deletion needs --allow-delete".to_owned()),
        Action::Manual => return skipped(format!("needs a person: {}", change.reason.as_deref().unwrap_or("see the plan"))),
        _ => {}
    }
    match execute::operation(aws, plan, &change.operation, env).await {
        Ok(execute::Executed::Yes(warnings)) => (Outcome::Done, warnings),
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

/// The changes of a saved plan that no longer hold: the resource changed since the
/// plan was made (or already converged). Empty when the plan can be applied as is.
pub fn stale_changes(saved: &Plan, fresh: &Plan) -> Vec<String> {
    let mut stale = Vec::new();
    for change in &saved.changes {
        match fresh.changes.iter().find(|candidate| candidate.address == change.address) {
            None => stale.push(format!("{}: no longer needs changing (someone changed it since the plan)", change.address)),
            Some(now) if now.action != change.action => {
                stale.push(format!("{}: was planned to {}, now needs to {}", change.address, change.action.as_str(), now.action.as_str()))
            }
            Some(now) => {
                for attribute in &change.attributes {
                    let current = now.attributes.iter().find(|candidate| candidate.name == attribute.name);
                    if current.map(|current| &current.before) != Some(&attribute.before) {
                        let shown = |value: Option<&Option<String>>| match value {
                            Some(Some(text)) if !attribute.sensitive => text.clone(),
                            Some(Some(_)) => "(sensitive)".to_owned(),
                            _ => "(absent)".to_owned(),
                        };
                        stale.push(format!(
                            "{}: {} was {} when planned, is {} now",
                            change.address,
                            attribute.name,
                            shown(Some(&attribute.before)),
                            shown(current.map(|current| &current.before))
                        ));
                    }
                }
            }
        }
    }
    stale
}
