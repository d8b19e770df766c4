//! AWS Config: the region's configuration recorder, its status and delivery channel.

use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel as SdkChannel, RecordingGroup};
use holdfast_desired::Desired;
use holdfast_inventory::config::{Config, DeliveryChannel, Recorder};

use crate::Aws;
use crate::error::{AwsError, call_error};

pub(crate) async fn read(aws: &Aws, desired: &Desired) -> Result<Config, AwsError> {
    if desired.config.is_none() && !holdfast_desired::reads::delivered_to(desired, holdfast_desired::s3::Delivery::Config) {
        return Ok(Config::default());
    }
    current(aws).await
}

/// The recorders with their status, and the delivery channels.
pub async fn current(aws: &Aws) -> Result<Config, AwsError> {
    let (recorders, statuses, channels) = tokio::try_join!(
        async {
            let _permit = aws.permit().await;
            aws.config.describe_configuration_recorders().send().await.map_err(|error| call_error("config:DescribeConfigurationRecorders", "recorders", error))
        },
        async {
            let _permit = aws.permit().await;
            aws.config
                .describe_configuration_recorder_status()
                .send()
                .await
                .map_err(|error| call_error("config:DescribeConfigurationRecorderStatus", "recorders", error))
        },
        async {
            let _permit = aws.permit().await;
            aws.config.describe_delivery_channels().send().await.map_err(|error| call_error("config:DescribeDeliveryChannels", "delivery channels", error))
        },
    )?;
    let recording =
        |name: &str| statuses.configuration_recorders_status().iter().find(|status| status.name() == Some(name)).is_some_and(|status| status.recording());
    Ok(Config {
        recorders: recorders
            .configuration_recorders()
            .iter()
            .map(|recorder| {
                let name = recorder.name().unwrap_or_default().to_owned();
                let group = recorder.recording_group();
                Recorder {
                    recording: recording(&name),
                    name,
                    role_arn: recorder.role_arn().map(str::to_owned),
                    all_supported: group.is_some_and(|group| group.all_supported()),
                    include_global_resources: group.is_some_and(|group| group.include_global_resource_types()),
                    resource_types: group.map(|group| group.resource_types().iter().map(|kind| kind.as_str().to_owned()).collect()).unwrap_or_default(),
                    recording_frequency: recorder.recording_mode().map(|mode| mode.recording_frequency().as_str().to_owned()),
                }
            })
            .collect(),
        channels: channels
            .delivery_channels()
            .iter()
            .map(|channel| DeliveryChannel {
                name: channel.name().unwrap_or_default().to_owned(),
                bucket: channel.s3_bucket_name().map(str::to_owned),
                prefix: channel.s3_key_prefix().map(str::to_owned).filter(|prefix| !prefix.is_empty()),
                kms_key_arn: channel.s3_kms_key_arn().map(str::to_owned),
                sns_topic_arn: channel.sns_topic_arn().map(str::to_owned),
                snapshot_frequency: channel
                    .config_snapshot_delivery_properties()
                    .and_then(|properties| properties.delivery_frequency())
                    .map(|frequency| frequency.as_str().to_owned()),
            })
            .collect(),
    })
}

/// A recorder as PutConfigurationRecorder takes it, which replaces the whole recorder.
pub struct NewRecorder<'a> {
    pub name: &'a str,
    pub role_arn: &'a str,
    pub all_supported: bool,
    pub include_global: bool,
    pub resource_types: &'a [String],
    pub recording_frequency: Option<&'a str>,
}

pub async fn put_recorder(aws: &Aws, new: &NewRecorder<'_>) -> Result<(), AwsError> {
    use aws_sdk_config::types::{RecordingFrequency, RecordingMode, ResourceType};
    let name = new.name;
    let group = RecordingGroup::builder()
        .all_supported(new.all_supported)
        .include_global_resource_types(new.include_global)
        .set_resource_types((!new.resource_types.is_empty()).then(|| new.resource_types.iter().map(|kind| ResourceType::from(kind.as_str())).collect()))
        .build();
    let mode = new
        .recording_frequency
        .map(|frequency| RecordingMode::builder().recording_frequency(RecordingFrequency::from(frequency)).build())
        .transpose()
        .map_err(|error| AwsError::Setup(error.to_string()))?;
    let recorder = ConfigurationRecorder::builder().name(name).role_arn(new.role_arn).recording_group(group).set_recording_mode(mode).build();
    let _permit = aws.permit().await;
    aws.config
        .put_configuration_recorder()
        .configuration_recorder(recorder)
        .send()
        .await
        .map_err(|error| call_error("config:PutConfigurationRecorder", format!("recorder {name}"), error))?;
    Ok(())
}

/// A delivery channel as PutDeliveryChannel takes it, which replaces the whole channel.
pub struct NewChannel<'a> {
    pub name: &'a str,
    pub bucket: &'a str,
    pub prefix: Option<&'a str>,
    pub kms_key_arn: Option<&'a str>,
    pub sns_topic_arn: Option<&'a str>,
    pub snapshot_frequency: Option<&'a str>,
}

pub async fn put_channel(aws: &Aws, new: &NewChannel<'_>) -> Result<(), AwsError> {
    use aws_sdk_config::types::{ConfigSnapshotDeliveryProperties, MaximumExecutionFrequency};
    let name = new.name;
    let channel = SdkChannel::builder()
        .name(name)
        .s3_bucket_name(new.bucket)
        .set_s3_key_prefix(new.prefix.map(str::to_owned))
        .set_s3_kms_key_arn(new.kms_key_arn.map(str::to_owned))
        .set_sns_topic_arn(new.sns_topic_arn.map(str::to_owned))
        .set_config_snapshot_delivery_properties(
            new.snapshot_frequency
                .map(|frequency| ConfigSnapshotDeliveryProperties::builder().delivery_frequency(MaximumExecutionFrequency::from(frequency)).build()),
        )
        .build();
    let _permit = aws.permit().await;
    aws.config
        .put_delivery_channel()
        .delivery_channel(channel)
        .send()
        .await
        .map_err(|error| call_error("config:PutDeliveryChannel", format!("delivery channel {name}"), error))?;
    Ok(())
}

pub async fn set_recording(aws: &Aws, name: &str, on: bool) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    if on {
        aws.config
            .start_configuration_recorder()
            .configuration_recorder_name(name)
            .send()
            .await
            .map_err(|error| call_error("config:StartConfigurationRecorder", format!("recorder {name}"), error))?;
    } else {
        aws.config
            .stop_configuration_recorder()
            .configuration_recorder_name(name)
            .send()
            .await
            .map_err(|error| call_error("config:StopConfigurationRecorder", format!("recorder {name}"), error))?;
    }
    Ok(())
}

pub async fn delete(aws: &Aws, recorder: &str, channels: &[String]) -> Result<(), AwsError> {
    set_recording(aws, recorder, false).await?;
    for channel in channels {
        let _permit = aws.permit().await;
        aws.config
            .delete_delivery_channel()
            .delivery_channel_name(channel)
            .send()
            .await
            .map_err(|error| call_error("config:DeleteDeliveryChannel", format!("delivery channel {channel}"), error))?;
    }
    let _permit = aws.permit().await;
    aws.config
        .delete_configuration_recorder()
        .configuration_recorder_name(recorder)
        .send()
        .await
        .map_err(|error| call_error("config:DeleteConfigurationRecorder", format!("recorder {recorder}"), error))?;
    Ok(())
}
