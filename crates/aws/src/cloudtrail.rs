//! CloudTrail: the trails the desired state names, their status, and their changes.

use aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusError;
use holdfast_desired::Desired;
use holdfast_inventory::cloudtrail::{CloudTrail, Trail};

use crate::Aws;
use crate::error::{AwsError, call_error};

/// The declared trails, in one DescribeTrails call, and each home-region trail's status.
/// With `audit`, every trail, and the status of every trail whose home is this region.
pub(crate) async fn read(aws: &Aws, desired: &Desired, audit: bool) -> Result<CloudTrail, AwsError> {
    let names: Vec<String> = desired.cloudtrail.trail.iter().map(|entry| entry.name().to_owned()).collect();
    // Every trail, when a bucket's CloudTrail statements are managed: a live trail writing
    // there keeps them.
    let every = audit || holdfast_desired::reads::delivered_to(desired, holdfast_desired::s3::Delivery::Cloudtrail);
    if names.is_empty() && !every {
        return Ok(CloudTrail::default());
    }
    let output = {
        let _permit = aws.permit().await;
        aws.cloudtrail
            .describe_trails()
            .set_trail_name_list((!every).then(|| names.clone()))
            .include_shadow_trails(true)
            .send()
            .await
            .map_err(|error| call_error("cloudtrail:DescribeTrails", "trails", error))?
    };
    let mut trails: Vec<Trail> = output
        .trail_list()
        .iter()
        .filter(|trail| every || trail.name().is_some_and(|name| names.iter().any(|wanted| wanted == name)))
        .map(|trail| Trail {
            name: trail.name().unwrap_or_default().to_owned(),
            arn: trail.trail_arn().unwrap_or_default().to_owned(),
            home_region: trail.home_region().unwrap_or(aws.region()).to_owned(),
            multi_region: trail.is_multi_region_trail().unwrap_or(false),
            log_file_validation: trail.log_file_validation_enabled().unwrap_or(false),
            global_service_events: trail.include_global_service_events().unwrap_or(false),
            bucket: trail.s3_bucket_name().map(str::to_owned),
            prefix: trail.s3_key_prefix().map(str::to_owned).filter(|prefix| !prefix.is_empty()),
            kms_key: trail.kms_key_id().map(str::to_owned),
            logging: None,
        })
        .collect();
    let statuses = futures_util::future::try_join_all(trails.iter().map(|trail| async {
        if !(audit || names.contains(&trail.name)) {
            return Ok(None);
        }
        // Status for the declared trails, from their home region; the audit also asks for a
        // multi-region trail made elsewhere by its ARN, which AWS answers from any region.
        // Where that is refused the status stays unknown, and the audit says so.
        if trail.home_region == aws.region() {
            is_logging(aws, &trail.name).await
        } else if audit && trail.multi_region {
            Ok(is_logging(aws, &trail.arn).await.ok().flatten())
        } else {
            Ok(None)
        }
    }))
    .await?;
    for (trail, logging) in trails.iter_mut().zip(statuses) {
        trail.logging = logging;
    }
    Ok(CloudTrail { trails })
}

/// GetTrailStatus `IsLogging`; None when the trail is gone.
pub async fn is_logging(aws: &Aws, name: &str) -> Result<Option<bool>, AwsError> {
    let _permit = aws.permit().await;
    match aws.cloudtrail.get_trail_status().name(name).send().await {
        Ok(output) => Ok(Some(output.is_logging().unwrap_or(false))),
        Err(error) if matches!(error.as_service_error(), Some(GetTrailStatusError::TrailNotFoundException(_))) => Ok(None),
        Err(error) => Err(call_error("cloudtrail:GetTrailStatus", format!("trail {name}"), error)),
    }
}

/// A trail's settings, as CreateTrail and UpdateTrail take them.
pub struct Settings<'a> {
    pub bucket: &'a str,
    pub prefix: Option<&'a str>,
    pub multi_region: bool,
    pub log_file_validation: bool,
    pub global_service_events: bool,
    pub kms_key: Option<&'a str>,
}

/// The trail as it is now, by name from this region: its ARN and home region.
pub async fn find(aws: &Aws, name: &str) -> Result<Option<(String, String)>, AwsError> {
    let _permit = aws.permit().await;
    let output = aws
        .cloudtrail
        .describe_trails()
        .trail_name_list(name)
        .include_shadow_trails(true)
        .send()
        .await
        .map_err(|error| call_error("cloudtrail:DescribeTrails", format!("trail {name}"), error))?;
    Ok(output
        .trail_list()
        .iter()
        .find(|trail| trail.name() == Some(name))
        .map(|trail| (trail.trail_arn().unwrap_or_default().to_owned(), trail.home_region().unwrap_or(aws.region()).to_owned())))
}

pub async fn create(aws: &Aws, name: &str, settings: &Settings<'_>) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.cloudtrail
        .create_trail()
        .name(name)
        .s3_bucket_name(settings.bucket)
        .set_s3_key_prefix(settings.prefix.map(str::to_owned))
        .is_multi_region_trail(settings.multi_region)
        .enable_log_file_validation(settings.log_file_validation)
        .include_global_service_events(settings.global_service_events)
        .set_kms_key_id(settings.kms_key.map(str::to_owned))
        .send()
        .await
        .map_err(|error| call_error("cloudtrail:CreateTrail", format!("trail {name}"), error))?;
    Ok(())
}

pub async fn update(aws: &Aws, name: &str, settings: &Settings<'_>) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.cloudtrail
        .update_trail()
        .name(name)
        .s3_bucket_name(settings.bucket)
        // An empty prefix removes one.
        .s3_key_prefix(settings.prefix.unwrap_or_default())
        .is_multi_region_trail(settings.multi_region)
        .enable_log_file_validation(settings.log_file_validation)
        .include_global_service_events(settings.global_service_events)
        .set_kms_key_id(settings.kms_key.map(str::to_owned))
        .send()
        .await
        .map_err(|error| call_error("cloudtrail:UpdateTrail", format!("trail {name}"), error))?;
    Ok(())
}

pub async fn set_logging(aws: &Aws, name: &str, on: bool) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    if on {
        aws.cloudtrail.start_logging().name(name).send().await.map_err(|error| call_error("cloudtrail:StartLogging", format!("trail {name}"), error))?;
    } else {
        aws.cloudtrail.stop_logging().name(name).send().await.map_err(|error| call_error("cloudtrail:StopLogging", format!("trail {name}"), error))?;
    }
    Ok(())
}

pub async fn delete(aws: &Aws, arn: &str) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.cloudtrail.delete_trail().name(arn).send().await.map_err(|error| call_error("cloudtrail:DeleteTrail", format!("trail {arn}"), error))?;
    Ok(())
}
