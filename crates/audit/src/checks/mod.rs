//! The automated checks, one file per kind, in the order the catalogue lists them.

mod aurora;
mod cloudtrail;
mod config;
pub(crate) mod ecs;
mod guardduty;
mod iam;
mod s3;
mod securityhub;
mod ssm;
mod vpc;

use crate::context::{Context, Outcome};

pub(crate) fn evaluate(cx: &Context<'_>) -> Vec<Outcome> {
    [
        cloudtrail::evaluate(cx),
        vpc::evaluate(cx),
        guardduty::evaluate(cx),
        securityhub::evaluate(cx),
        config::evaluate(cx),
        aurora::evaluate(cx),
        s3::evaluate(cx),
        ssm::evaluate(cx),
        ecs::evaluate(cx),
        iam::evaluate(cx),
    ]
    .into_iter()
    .flatten()
    .collect()
}
