//! AWS Config: the region's configuration recorder, its status and delivery channel.

use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel as SdkChannel, RecordingGroup};
use holdfast_desired::Desired;
use holdfast_inventory::config::{Config, DeliveryChannel, Recorder};

use crate::Aws;
use crate::error::{AwsError, call_error};

pub(crate) async fn read(aws: &Aws, desired: &Desired) -> Result<Config, AwsError> {
    if desired.config.is_none() {
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
            })
            .collect(),
    })
}

pub async fn put_recorder(aws: &Aws, name: &str, role_arn: &str, all_supported: bool, include_global: bool) -> Result<(), AwsError> {
    let recorder = ConfigurationRecorder::builder()
        .name(name)
        .role_arn(role_arn)
        .recording_group(RecordingGroup::builder().all_supported(all_supported).include_global_resource_types(include_global).build())
        .build();
    let _permit = aws.permit().await;
    aws.config
        .put_configuration_recorder()
        .configuration_recorder(recorder)
        .send()
        .await
        .map_err(|error| call_error("config:PutConfigurationRecorder", format!("recorder {name}"), error))?;
    Ok(())
}

pub async fn put_channel(aws: &Aws, name: &str, bucket: &str, prefix: Option<&str>) -> Result<(), AwsError> {
    let channel = SdkChannel::builder().name(name).s3_bucket_name(bucket).set_s3_key_prefix(prefix.map(str::to_owned)).build();
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
