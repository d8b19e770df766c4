//! The planner alone on a large synthetic account: `cargo bench -p holdfast-planner`.
//!
//! Writes the account with `scripts/make_large_account.py` (default 30,000 services in
//! 600 clusters, 1,500 Aurora clusters, 10,000 buckets, 10,000 declared parameters of
//! which 5,000 exist, 5,000 VPCs: about 52,000 resources and 30,000 task definitions),
//! or reads one already written from `HOLDFAST_BENCH_ACCOUNT=DIR`. Prints the median of
//! five runs of each step; the plan step is `holdfast_planner::plan` and nothing else.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn timed<T>(runs: usize, mut work: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(work());
        times.push(started.elapsed());
    }
    (median(times), last.expect("at least one run"))
}

fn account() -> (PathBuf, Option<tempfile::TempDir>) {
    if let Some(dir) = std::env::var_os("HOLDFAST_BENCH_ACCOUNT") {
        return (PathBuf::from(dir), None);
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/make_large_account.py");
    let status = std::process::Command::new("python3")
        .arg(script)
        .arg(dir.path())
        .args(["30000", "10000", "10000", "5000"])
        .status()
        .expect("python3 runs the account generator");
    assert!(status.success(), "make_large_account.py failed");
    (dir.path().to_path_buf(), Some(dir))
}

#[expect(clippy::print_stdout, reason = "the figures are the benchmark's output")]
fn main() {
    let (dir, _keep) = account();
    let (load, desired) = timed(5, || holdfast_desired::load_dir(&dir.join("desired")).expect("the desired state loads"));
    let text = std::fs::read_to_string(dir.join("snapshot.json")).expect("the snapshot");
    let (read, inventory) = timed(5, || holdfast_inventory::Inventory::from_snapshot(&text).expect("the snapshot reads"));
    let (plan, made) = timed(5, || holdfast_planner::plan(&desired, &inventory));
    let services: usize = inventory.ecs.clusters.iter().map(|cluster| cluster.services.len()).sum();
    let resources = services
        + inventory.ecs.clusters.len()
        + inventory.aurora.clusters.len()
        + inventory.s3.buckets.len()
        + inventory.ssm.parameters.len()
        + inventory.vpc.vpcs.len();
    println!(
        "{resources} resources ({} task definitions): load and validate the desired state {:.3} s, read the snapshot {:.3} s, plan {:.3} s ({} changes); medians of 5",
        inventory.ecs.task_definitions.len(),
        load.as_secs_f64(),
        read.as_secs_f64(),
        plan.as_secs_f64(),
        made.changes.len()
    );
}
