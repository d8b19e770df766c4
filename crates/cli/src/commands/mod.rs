//! One module per subcommand.

mod live;
mod plan;
mod snapshot;
mod validate;

use crate::args::{Args, Command};
use crate::output::Status;

pub fn run(args: Args) -> anyhow::Result<Status> {
    match args.command {
        Command::Plan(plan_args) => plan::run(&plan_args),
        Command::Validate(desired_args) => validate::run(&desired_args),
        Command::Snapshot(snapshot_args) => snapshot::run(&snapshot_args),
    }
}

/// Loads the desired state; its errors already name file, line and column.
fn load_desired(dir: &std::path::Path) -> anyhow::Result<holdfast_desired::Desired> {
    holdfast_desired::load_dir(dir).map_err(|error| anyhow::anyhow!("{error}"))
}
