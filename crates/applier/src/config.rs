//! AWS Config: the recorder and delivery channel put, recording started or stopped, or
//! both deleted.

use holdfast_aws::{Aws, config, iam};
use holdfast_planner::Plan;
use holdfast_planner::operation::Operation;

use crate::execute::Executed;

pub(crate) async fn execute(aws: &Aws, plan: &Plan, operation: &Operation) -> Result<Executed, String> {
    let text = |error: holdfast_aws::AwsError| error.to_string();
    let mut warnings = Vec::new();
    match operation {
        Operation::SetConfigRecorder { recorder, channel, recording } => {
            let current = config::current(aws).await.map_err(text)?;
            if let Some(recorder) = recorder {
                if let Some(other) = current.recorders.iter().find(|live| live.name != recorder.name) {
                    return Err(format!("the region has the recorder {} now, and AWS allows one: left as it is; plan again", other.name));
                }
                if recorder.role_arn == holdfast_desired::config::service_linked_role(&plan.account_id) {
                    iam::ensure_config_role(aws).await.map_err(text)?;
                }
                let new = config::NewRecorder {
                    name: &recorder.name,
                    role_arn: &recorder.role_arn,
                    all_supported: recorder.all_supported,
                    include_global: recorder.include_global_resources,
                    resource_types: &recorder.resource_types,
                    recording_frequency: recorder.recording_frequency.as_deref(),
                };
                config::put_recorder(aws, &new).await.map_err(text)?;
            }
            if let Some(channel) = channel {
                let new = config::NewChannel {
                    name: &channel.name,
                    bucket: &channel.bucket,
                    prefix: channel.prefix.as_deref(),
                    kms_key_arn: channel.kms_key_arn.as_deref(),
                    sns_topic_arn: channel.sns_topic_arn.as_deref(),
                    snapshot_frequency: channel.snapshot_frequency.as_deref(),
                };
                config::put_channel(aws, &new).await.map_err(text)?;
            }
            if let Some(on) = recording {
                let name = match recorder {
                    Some(recorder) => recorder.name.clone(),
                    None => current.recorders.first().map(|live| live.name.clone()).ok_or_else(|| "the region's recorder is gone: plan again".to_owned())?,
                };
                config::set_recording(aws, &name, *on).await.map_err(text)?;
            }
        }
        Operation::DeleteConfigRecorder { recorder, channels } => {
            let current = config::current(aws).await.map_err(text)?;
            if !current.recorders.iter().any(|live| &live.name == recorder) {
                warnings.push(format!("the recorder {recorder} was already gone"));
            } else {
                let channels: Vec<String> = channels.iter().filter(|name| current.channels.iter().any(|live| &&live.name == name)).cloned().collect();
                config::delete(aws, recorder, &channels).await.map_err(text)?;
            }
        }
        _ => unreachable!("only AWS Config operations are sent here"),
    }
    Ok(Executed::Yes(warnings))
}
