//! GuardDuty: the region's detector, its frequency and features.

use aws_sdk_guardduty::types::{DetectorFeature, DetectorFeatureConfiguration, DetectorStatus, FeatureStatus, FindingPublishingFrequency};
use holdfast_desired::Desired;
use holdfast_inventory::guardduty::{Detector, GuardDuty};

use crate::Aws;
use crate::error::{AwsError, call_error};

pub(crate) async fn read(aws: &Aws, desired: &Desired) -> Result<GuardDuty, AwsError> {
    if desired.guardduty.is_none() {
        return Ok(GuardDuty::default());
    }
    Ok(GuardDuty { detector: detector(aws).await? })
}

/// The region's detector (GuardDuty allows one), described.
pub async fn detector(aws: &Aws) -> Result<Option<Detector>, AwsError> {
    let ids = {
        let _permit = aws.permit().await;
        aws.guardduty.list_detectors().send().await.map_err(|error| call_error("guardduty:ListDetectors", "detectors", error))?.detector_ids().to_vec()
    };
    let Some(id) = ids.first() else { return Ok(None) };
    let _permit = aws.permit().await;
    let output =
        aws.guardduty.get_detector().detector_id(id).send().await.map_err(|error| call_error("guardduty:GetDetector", format!("detector {id}"), error))?;
    Ok(Some(Detector {
        id: id.clone(),
        enabled: output.status() == Some(&DetectorStatus::Enabled),
        finding_frequency: output.finding_publishing_frequency().map(|frequency| frequency.as_str().to_owned()),
        features: output.features().iter().filter_map(|feature| Some((feature.name()?.as_str().to_owned(), feature.status()?.as_str().to_owned()))).collect(),
        additional: output
            .features()
            .iter()
            .filter_map(|feature| {
                let settings: std::collections::BTreeMap<String, String> = feature
                    .additional_configuration()
                    .iter()
                    .filter_map(|setting| Some((setting.name()?.as_str().to_owned(), setting.status()?.as_str().to_owned())))
                    .collect();
                if settings.is_empty() { None } else { Some((feature.name()?.as_str().to_owned(), settings)) }
            })
            .collect(),
    }))
}

fn configurations(features: &[(String, String)], additional: &[(String, String, String)]) -> Vec<DetectorFeatureConfiguration> {
    use aws_sdk_guardduty::types::{DetectorAdditionalConfiguration, FeatureAdditionalConfiguration};
    features
        .iter()
        .map(|(name, status)| {
            let settings: Vec<DetectorAdditionalConfiguration> = additional
                .iter()
                .filter(|(feature, _, _)| feature == name)
                .map(|(_, setting, status)| {
                    DetectorAdditionalConfiguration::builder()
                        .name(FeatureAdditionalConfiguration::from(setting.as_str()))
                        .status(FeatureStatus::from(status.as_str()))
                        .build()
                })
                .collect();
            DetectorFeatureConfiguration::builder()
                .name(DetectorFeature::from(name.as_str()))
                .status(FeatureStatus::from(status.as_str()))
                .set_additional_configuration((!settings.is_empty()).then_some(settings))
                .build()
        })
        .collect()
}

pub async fn create(aws: &Aws, frequency: Option<&str>, features: &[String]) -> Result<String, AwsError> {
    let features: Vec<(String, String)> = features.iter().map(|name| (name.clone(), "ENABLED".to_owned())).collect();
    let _permit = aws.permit().await;
    let output = aws
        .guardduty
        .create_detector()
        .enable(true)
        .set_finding_publishing_frequency(frequency.map(FindingPublishingFrequency::from))
        .set_features((!features.is_empty()).then(|| configurations(&features, &[])))
        .send()
        .await
        .map_err(|error| call_error("guardduty:CreateDetector", "a detector", error))?;
    Ok(output.detector_id().unwrap_or_default().to_owned())
}

pub async fn update(
    aws: &Aws,
    id: &str,
    frequency: Option<&str>,
    features: &[(String, String)],
    additional: &[(String, String, String)],
) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.guardduty
        .update_detector()
        .detector_id(id)
        .enable(true)
        .set_finding_publishing_frequency(frequency.map(FindingPublishingFrequency::from))
        .set_features((!features.is_empty()).then(|| configurations(features, additional)))
        .send()
        .await
        .map_err(|error| call_error("guardduty:UpdateDetector", format!("detector {id}"), error))?;
    Ok(())
}

pub async fn delete(aws: &Aws, id: &str) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.guardduty.delete_detector().detector_id(id).send().await.map_err(|error| call_error("guardduty:DeleteDetector", format!("detector {id}"), error))?;
    Ok(())
}
