//! One module per subcommand.

mod apply;
mod audit;
mod cost;
mod drift;
mod iam_policy;
mod import;
mod live;
mod plan;
mod reference;
mod runbook;
mod snapshot;
mod validate;

use crate::args::{Args, Command};
use crate::output::Status;

pub fn run(args: Args) -> anyhow::Result<Status> {
    match args.command {
        Command::Plan(plan_args) => plan::run(&plan_args),
        Command::Validate(desired_args) => validate::run(&desired_args),
        Command::Snapshot(snapshot_args) => snapshot::run(&snapshot_args),
        Command::Apply(apply_args) => apply::run(&apply_args),
        Command::Drift(drift_args) => drift::run(&drift_args),
        Command::IamPolicy(policy_args) => iam_policy::run(&policy_args),
        Command::Audit(audit_args) => audit::run(&audit_args),
        Command::Runbook(runbook_args) => runbook::run(&runbook_args),
        Command::Cost(cost_args) => cost::run(&cost_args),
        Command::Import(import_args) => import::run(&import_args),
        Command::Schema => reference::schema(),
        Command::Completions { shell } => reference::completions(shell),
        Command::Man => reference::man(),
    }
}

/// Loads the desired state; its errors already name file, line and column.
fn load_desired(dir: &std::path::Path) -> anyhow::Result<holdfast_desired::Desired> {
    holdfast_desired::load_dir(dir).map_err(|error| anyhow::anyhow!("{error}"))
}

/// A snapshot file, refused when it is of another account or region than the desired state.
fn load_snapshot(desired: &holdfast_desired::Desired, path: &std::path::Path) -> anyhow::Result<holdfast_inventory::Inventory> {
    use anyhow::Context;
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the snapshot {}", path.display()))?;
    let inventory = holdfast_inventory::Inventory::from_snapshot(&text).with_context(|| format!("cannot use the snapshot {}", path.display()))?;
    live::check_account(desired, &inventory.account_id, &inventory.region, "the snapshot is of")?;
    Ok(inventory)
}

/// Plans with the secret values the desired state reads from the environment.
fn make_plan(desired: &holdfast_desired::Desired, inventory: &holdfast_inventory::Inventory) -> holdfast_planner::Plan {
    holdfast_planner::plan_with_environment(desired, inventory, |name| std::env::var(name).ok())
}
