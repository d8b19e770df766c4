//! CloudTrail trails: created, updated, started or stopped, deleted, each after reading
//! the trail as it is now. An emulator overwrites a trail created twice; AWS refuses it.

use holdfast_aws::{Aws, cloudtrail};
use holdfast_planner::operation::{Operation, TrailSettings};

use crate::execute::{Executed, key_is_enabled};

fn settings(settings: &TrailSettings) -> cloudtrail::Settings<'_> {
    cloudtrail::Settings {
        bucket: &settings.bucket,
        prefix: settings.prefix.as_deref(),
        multi_region: settings.multi_region,
        log_file_validation: settings.log_file_validation,
        global_service_events: settings.global_service_events,
        kms_key: settings.kms_key.as_deref(),
    }
}

pub(crate) async fn execute(aws: &Aws, operation: &Operation) -> Result<Executed, String> {
    let text = |error: holdfast_aws::AwsError| error.to_string();
    let mut warnings = Vec::new();
    match operation {
        Operation::CreateTrail { name, settings: wanted, logging } => {
            if cloudtrail::find(aws, name).await.map_err(text)?.is_some() {
                return Err(format!("a trail named {name} exists now: it was left as it is; plan again"));
            }
            if let Some(key) = &wanted.kms_key {
                key_is_enabled(aws, key).await?;
            }
            cloudtrail::create(aws, name, &settings(wanted)).await.map_err(text)?;
            if *logging {
                cloudtrail::set_logging(aws, name, true).await.map_err(text)?;
            }
        }
        Operation::UpdateTrail { name, settings: wanted, logging } => {
            match cloudtrail::find(aws, name).await.map_err(text)? {
                None => return Err(format!("the trail {name} no longer exists: plan again")),
                Some((_, home)) if home != aws.region() => return Err(format!("the trail {name} now lives in {home}: change it from there")),
                Some(_) => {}
            }
            if let Some(wanted) = wanted {
                if let Some(key) = &wanted.kms_key {
                    key_is_enabled(aws, key).await?;
                }
                cloudtrail::update(aws, name, &settings(wanted)).await.map_err(text)?;
            }
            if let Some(on) = logging {
                cloudtrail::set_logging(aws, name, *on).await.map_err(text)?;
            }
        }
        Operation::DeleteTrail { name, arn } => match cloudtrail::find(aws, name).await.map_err(text)? {
            None => warnings.push(format!("the trail {name} was already gone")),
            Some((now, _)) if &now != arn => return Err(format!("{name} is now another trail ({now}), not {arn}: left alone; plan again")),
            // By name: the trail is in this region (planned only from its home region), and
            // an emulator ignores a DeleteTrail by ARN.
            Some(_) => cloudtrail::delete(aws, name).await.map_err(text)?,
        },
        _ => unreachable!("only CloudTrail operations are sent here"),
    }
    Ok(Executed::Yes(warnings))
}
