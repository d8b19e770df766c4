//! `holdfast validate`: check the desired-state files, change nothing.

use crate::args::DesiredArgs;
use crate::commands::load_desired;
use crate::output::{self, Status};

pub fn run(args: &DesiredArgs) -> anyhow::Result<Status> {
    let desired = load_desired(&args.desired)?;
    let entries = desired.ecs.service.len()
        + desired.ecs.task_secrets.len()
        + desired.aurora.cluster.len()
        + desired.s3.bucket.len()
        + desired.ssm.parameter.len()
        + desired.vpc.flow_logs.len()
        + desired.kms.key.len()
        + desired.cloudtrail.trail.len()
        + desired.elb.load_balancer.len()
        + usize::from(desired.guardduty.is_some())
        + usize::from(desired.securityhub.is_some())
        + usize::from(desired.config.is_some());
    let files = desired.files.len();
    let (files, entries) = (holdfast_planner::render::count(files, "file"), holdfast_planner::render::count(entries, "entry"));
    output::stdout(&format!("{} is valid: {files}, {entries}.\n", args.desired.display()));
    Ok(Status::Success)
}
