//! `holdfast runbook ADDRESS`: one Aurora cluster's encryption migration as a runbook.

use anyhow::{Context, bail};
use holdfast_planner::Kind;

use crate::args::RunbookArgs;
use crate::commands::{live, load_desired};
use crate::output::{self, Status};
use crate::stats::Stats;

pub fn run(args: &RunbookArgs) -> anyhow::Result<Status> {
    let desired = load_desired(&args.desired.desired)?;
    let cluster = cluster_of(&args.address)?;
    let inventory = match &args.snapshot {
        Some(snapshot) => super::load_snapshot(&desired, snapshot)?,
        None => live::read_and_plan(&desired, &args.aws, &Stats::default())?.0,
    };
    let migration = match holdfast_planner::aurora_migration(&desired, &inventory, cluster) {
        Some(Ok(migration)) => migration,
        Some(Err(problem)) => bail!("the encryption migration of {cluster} cannot go on: {problem}"),
        None if !inventory.aurora.clusters.iter().any(|found| found.identifier == cluster) => {
            bail!("there is no Aurora cluster {cluster} that the desired state selects\n  hint: `holdfast plan` names each cluster as aurora.cluster/ID")
        }
        None => bail!("{cluster} needs no encryption migration: it is encrypted as its entry asks, or no single entry selects it"),
    };
    let text = holdfast_planner::render::runbook(
        &migration,
        &inventory.account_id,
        &inventory.region,
        &inventory.taken_at,
        &args.desired.desired.display().to_string(),
    );
    match &args.out {
        Some(path) => std::fs::write(path, &text).with_context(|| format!("cannot write the runbook {}", path.display()))?,
        None => output::stdout(&text),
    }
    Ok(Status::Success)
}

/// `aurora.cluster/ID`, `aurora.cluster/ID/encryption/...` or `ID`.
fn cluster_of(address: &str) -> anyhow::Result<&str> {
    let rest = address.strip_prefix(Kind::AuroraCluster.as_str()).map_or(address, |rest| rest.trim_start_matches('/'));
    let id = rest.split('/').next().unwrap_or_default();
    if id.is_empty() || address.contains('/') && !address.starts_with(Kind::AuroraCluster.as_str()) {
        bail!("`{address}` is not an Aurora cluster's address\n  hint: write it as the plan does, aurora.cluster/ID");
    }
    Ok(id)
}
