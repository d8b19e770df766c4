//! GuardDuty: the detector created, updated with its whole feature list, or deleted, each
//! after reading the detector as it is now.

use holdfast_aws::{Aws, guardduty};
use holdfast_planner::operation::Operation;

use crate::execute::Executed;

pub(crate) async fn execute(aws: &Aws, operation: &Operation) -> Result<Executed, String> {
    let text = |error: holdfast_aws::AwsError| error.to_string();
    let current = guardduty::detector(aws).await.map_err(text)?;
    let mut warnings = Vec::new();
    match operation {
        Operation::CreateDetector { finding_frequency, features } => {
            if let Some(detector) = current {
                return Err(format!("the region has a detector now ({}): left as it is; plan again", detector.id));
            }
            guardduty::create(aws, finding_frequency.as_deref(), features).await.map_err(text)?;
        }
        Operation::UpdateDetector { detector_id, finding_frequency, features, additional } => {
            if current.as_ref().map(|detector| &detector.id) != Some(detector_id) {
                return Err(format!("detector {detector_id} is no longer the region's detector: plan again"));
            }
            guardduty::update(aws, detector_id, finding_frequency.as_deref(), features, additional).await.map_err(text)?;
        }
        Operation::DeleteDetector { detector_id } => match current {
            None => warnings.push(format!("detector {detector_id} was already gone")),
            Some(detector) if &detector.id != detector_id => {
                return Err(format!("the region's detector is now {}, not {detector_id}: left alone", detector.id));
            }
            Some(_) => guardduty::delete(aws, detector_id).await.map_err(text)?,
        },
        _ => unreachable!("only GuardDuty operations are sent here"),
    }
    Ok(Executed::Yes(warnings))
}
