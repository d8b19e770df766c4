//! `holdfast snapshot`: the account as read now, written as a snapshot file.

use anyhow::Context;

use crate::args::SnapshotArgs;
use crate::commands::{live, load_desired};
use crate::output::{self, Status};

pub fn run(args: &SnapshotArgs) -> anyhow::Result<Status> {
    let desired = load_desired(&args.desired.desired)?;
    let inventory = live::read(&desired, &args.aws)?;
    std::fs::write(&args.out, inventory.to_snapshot()).with_context(|| format!("cannot write the snapshot {}", args.out.display()))?;
    output::stderr(&format!("Wrote {}.\n", args.out.display()));
    Ok(Status::Success)
}
