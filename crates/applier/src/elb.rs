//! Load balancers: deletion protection changed, or the load balancer deleted, after
//! confirming at that moment that it is the one planned and that its protection is off.
//! An emulator deletes a protected load balancer; AWS refuses: neither is relied on.

use holdfast_aws::{Aws, elb};
use holdfast_planner::operation::Operation;

use crate::execute::Executed;

pub(crate) async fn execute(aws: &Aws, operation: &Operation) -> Result<Executed, String> {
    let text = |error: holdfast_aws::AwsError| error.to_string();
    let mut warnings = Vec::new();
    match operation {
        Operation::SetDeletionProtection { name, arn, enabled, .. } => {
            same(aws, name, arn).await?.ok_or_else(|| format!("the load balancer {name} no longer exists: plan again"))?;
            elb::set_deletion_protection(aws, arn, *enabled).await.map_err(text)?;
        }
        Operation::DeleteLoadBalancer { name, arn, turn_off_protection } => match same(aws, name, arn).await? {
            None => warnings.push(format!("the load balancer {name} was already gone")),
            Some(()) => {
                if *turn_off_protection && elb::deletion_protection(aws, arn).await.map_err(text)? == Some(true) {
                    elb::set_deletion_protection(aws, arn, false).await.map_err(text)?;
                }
                if elb::deletion_protection(aws, arn).await.map_err(text)? == Some(true) {
                    return Err(format!(
                        "deletion protection is on for {name} now: it was not deleted; plan again (with deletion_protection = false declared, turning it off is planned first), then apply"
                    ));
                }
                elb::delete(aws, arn).await.map_err(text)?;
            }
        },
        _ => unreachable!("only load balancer operations are sent here"),
    }
    Ok(Executed::Yes(warnings))
}

/// Some when the load balancer of that name is still the one planned; None when gone.
async fn same(aws: &Aws, name: &str, arn: &str) -> Result<Option<()>, String> {
    match elb::arn_of(aws, name).await.map_err(|error| error.to_string())? {
        Some(now) if now == arn => Ok(Some(())),
        Some(now) => Err(format!("{name} is now another load balancer ({now}): left alone; plan again")),
        None => Ok(None),
    }
}
