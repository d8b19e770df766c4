//! `holdfast snapshot`: the account as read now, written as a snapshot file.

use anyhow::Context;

use crate::args::SnapshotArgs;
use crate::commands::{cost, live, load_desired};
use crate::output::{self, Status};
use crate::stats::Stats;

pub fn run(args: &SnapshotArgs) -> anyhow::Result<Status> {
    // An account read to be imported has no desired state yet: none is needed for it.
    let desired = if args.import && !args.desired.desired.exists() { holdfast_desired::Desired::default() } else { load_desired(&args.desired.desired)? };
    let mut inventory = if args.audit || args.import {
        let options = holdfast_aws::ReadOptions { audit: args.audit, import: args.import, ..Default::default() };
        live::read_whole_account(&desired, &args.aws, options)?
    } else {
        // Planned as well: a change's ownership note wants the tags of its bucket in the file.
        live::read_and_plan(&desired, &args.aws, &Stats::default())?.0
    };
    if args.usage {
        live::runtime()?.block_on(async {
            let (aws, _) = live::connect(&desired, &args.aws).await?;
            let wanted = holdfast_cost::usage_wanted(None, &inventory);
            cost::read_usage(&aws, &mut inventory, &wanted, &Stats::default()).await
        })?;
    }
    write_private(&args.out, &inventory.to_snapshot()).with_context(|| format!("cannot write the snapshot {}", args.out.display()))?;
    output::stderr(&format!("Wrote {}.\n", args.out.display()));
    Ok(Status::Success)
}

/// A snapshot holds salted hashes of secret values, which confirm a guessed secret: it is
/// written readable by its owner only (mode 0600), like a credentials file.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    // An existing file keeps its mode when opened: set it.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(text.as_bytes())
}
