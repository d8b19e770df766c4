//! Security Hub: enabled with the declared standards, standards added, or disabled.

use holdfast_aws::{Aws, securityhub};
use holdfast_planner::operation::Operation;

use crate::execute::Executed;

pub(crate) async fn execute(aws: &Aws, operation: &Operation) -> Result<Executed, String> {
    let text = |error: holdfast_aws::AwsError| error.to_string();
    let mut warnings = Vec::new();
    match operation {
        Operation::EnableSecurityHub { standards } => {
            securityhub::enable(aws).await.map_err(text)?;
            securityhub::enable_standards(aws, standards).await.map_err(text)?;
        }
        Operation::EnableStandards { standards } => {
            if !securityhub::is_enabled(aws).await.map_err(text)? {
                return Err("Security Hub is no longer enabled in this region: plan again".to_owned());
            }
            securityhub::enable_standards(aws, standards).await.map_err(text)?;
        }
        Operation::DisableSecurityHub => {
            if securityhub::is_enabled(aws).await.map_err(text)? {
                securityhub::disable(aws).await.map_err(text)?;
            } else {
                warnings.push("Security Hub was already disabled".to_owned());
            }
        }
        _ => unreachable!("only Security Hub operations are sent here"),
    }
    Ok(Executed::Yes(warnings))
}
