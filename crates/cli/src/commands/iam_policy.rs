//! `holdfast iam-policy`: the least-privilege policy for this desired state.

use holdfast_aws::permissions::{Uses, policy};
use holdfast_drift::history::History;
use holdfast_drift::notify::Target;

use crate::args::IamPolicyArgs;
use crate::commands::load_desired;
use crate::output::{self, Status};

pub fn run(args: &IamPolicyArgs) -> anyhow::Result<Status> {
    // An account being imported has no desired state yet: the import's policy needs none.
    let desired = if args.import && !args.desired.desired.exists() { holdfast_desired::Desired::default() } else { load_desired(&args.desired.desired)? };
    let history = match args.history.as_deref().map(History::parse).transpose()? {
        Some(History::S3 { bucket, key }) => Some((bucket, key)),
        Some(_) => anyhow::bail!("--history: only an s3://BUCKET/KEY history needs a permission"),
        None => None,
    };
    let mut topics = Vec::new();
    for target in &args.notify {
        if let Target::Sns(arn) = Target::parse(target)? {
            topics.push(arn);
        }
    }
    let metrics = match &args.metrics {
        Some(metrics) => match metrics.strip_prefix("cloudwatch:") {
            Some(namespace) if !namespace.is_empty() => Some(namespace.to_owned()),
            _ => anyhow::bail!("--metrics {metrics}: write cloudwatch:NAMESPACE"),
        },
        None => None,
    };
    // The census of `holdfast drift` is part of reading: every read-only policy allows it.
    let uses = Uses { apply: !args.read_only, census: true, audit: args.audit, import: args.import, cost: !args.no_cost, history, topics, metrics };
    output::stdout(&format!("{:#}\n", policy(&desired, &uses)));
    Ok(Status::Success)
}
