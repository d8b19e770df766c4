//! Security Hub: whether it is enabled in the region, and its standards subscriptions.
//!
//! The functions take the Security Hub client itself, so the paths the emulator does not
//! serve (the standards operations) are tested with recorded responses.

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::operation::describe_hub::DescribeHubError;
use aws_sdk_securityhub::types::StandardsSubscriptionRequest;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use holdfast_desired::Desired;
use holdfast_inventory::securityhub::{Hub, SecurityHub, Standard};

use crate::Aws;
use crate::error::{AwsError, call_error};

/// The error codes Security Hub answers with in a region where it is not enabled.
const NOT_ENABLED: [&str; 2] = ["InvalidAccessException", "ResourceNotFoundException"];

/// With `audit`, standards that cannot be read are recorded as not read (None) rather
/// than failing the read: the audit reports that check as not assessed, and the rest.
pub(crate) async fn read(aws: &Aws, desired: &Desired, audit: bool) -> Result<SecurityHub, AwsError> {
    let Some(declared) = desired.securityhub.as_deref() else { return Ok(SecurityHub::default()) };
    let _permit = aws.permit().await;
    if audit {
        let mut hub = read_with(&aws.securityhub, false).await?;
        if let Some(found) = hub.hub.as_mut() {
            found.standards = enabled_standards(&aws.securityhub).await.ok();
        }
        return Ok(hub);
    }
    read_with(&aws.securityhub, !declared.standards.is_empty()).await
}

/// The hub, and its standards when `standards` asks for them.
pub(crate) async fn read_with(client: &Client, standards: bool) -> Result<SecurityHub, AwsError> {
    let arn = match client.describe_hub().send().await {
        Ok(output) => output.hub_arn().unwrap_or_default().to_owned(),
        Err(error)
            if matches!(error.as_service_error(), Some(DescribeHubError::InvalidAccessException(_) | DescribeHubError::ResourceNotFoundException(_)))
                || error.code().is_some_and(|code| NOT_ENABLED.contains(&code)) =>
        {
            return Ok(SecurityHub { hub: None });
        }
        Err(error) => return Err(call_error("securityhub:DescribeHub", "Security Hub", error)),
    };
    let standards = if standards { Some(enabled_standards(client).await?) } else { None };
    Ok(SecurityHub { hub: Some(Hub { arn, standards }) })
}

async fn enabled_standards(client: &Client) -> Result<Vec<Standard>, AwsError> {
    let subscriptions = client
        .get_enabled_standards()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|error| call_error("securityhub:GetEnabledStandards", "Security Hub standards", error))?;
    Ok(subscriptions
        .iter()
        .map(|subscription| Standard {
            standards_arn: subscription.standards_arn().unwrap_or_default().to_owned(),
            subscription_arn: subscription.standards_subscription_arn().unwrap_or_default().to_owned(),
            status: subscription.standards_status().map(|status| status.as_str().to_owned()).unwrap_or_default(),
        })
        .collect())
}

/// Whether Security Hub is enabled in the region now.
pub async fn is_enabled(aws: &Aws) -> Result<bool, AwsError> {
    let _permit = aws.permit().await;
    Ok(read_with(&aws.securityhub, false).await?.hub.is_some())
}

/// `EnableSecurityHub` without AWS's default standards (the desired state names its own).
pub async fn enable(aws: &Aws) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    match aws.securityhub.enable_security_hub().enable_default_standards(false).send().await {
        Ok(_) => Ok(()),
        // Enabled meanwhile: what was wanted.
        Err(error) if error.code() == Some("ResourceConflictException") => Ok(()),
        Err(error) => Err(call_error("securityhub:EnableSecurityHub", "Security Hub", error)),
    }
}

pub async fn enable_standards(aws: &Aws, standards: &[String]) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    enable_standards_with(&aws.securityhub, standards).await
}

/// `BatchEnableStandards`; a standard it could not enable is an error naming it.
pub(crate) async fn enable_standards_with(client: &Client, standards: &[String]) -> Result<(), AwsError> {
    if standards.is_empty() {
        return Ok(());
    }
    let requests = standards.iter().map(|arn| StandardsSubscriptionRequest::builder().standards_arn(arn).build()).collect::<Vec<_>>();
    let output = client
        .batch_enable_standards()
        .set_standards_subscription_requests(Some(requests))
        .send()
        .await
        .map_err(|error| call_error("securityhub:BatchEnableStandards", "Security Hub standards", error))?;
    let failed: Vec<String> = output
        .standards_subscriptions()
        .iter()
        .filter(|subscription| subscription.standards_status().is_some_and(|status| status.as_str() == "FAILED"))
        .map(|subscription| {
            let reason = subscription.standards_status_reason().and_then(|reason| reason.status_reason_code()).map_or("no reason given", |code| code.as_str());
            format!("{} ({reason})", subscription.standards_arn().unwrap_or_default())
        })
        .collect();
    if !failed.is_empty() {
        return Err(AwsError::Setup(format!("securityhub:BatchEnableStandards could not enable {}", failed.join(", "))));
    }
    Ok(())
}

pub async fn disable(aws: &Aws) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.securityhub.disable_security_hub().send().await.map_err(|error| call_error("securityhub:DisableSecurityHub", "Security Hub", error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The emulator (moto 5.2.5) answers 404 to every standards operation, so these paths
    //! are tested with responses in the shapes the Security Hub API reference documents.

    use aws_sdk_securityhub::operation::batch_enable_standards::BatchEnableStandardsOutput;
    use aws_sdk_securityhub::operation::describe_hub::DescribeHubOutput;
    use aws_sdk_securityhub::operation::get_enabled_standards::GetEnabledStandardsOutput;
    use aws_sdk_securityhub::types::error::InvalidAccessException;
    use aws_sdk_securityhub::types::{StandardsStatus, StandardsSubscription};
    use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};

    use super::*;

    const FSBP: &str = "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0";

    fn client(rules: &[&Rule]) -> Client {
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in rules {
            interceptor = interceptor.with_rule(rule);
        }
        let config = aws_sdk_securityhub::Config::builder()
            .behavior_version(aws_sdk_securityhub::config::BehaviorVersion::latest())
            .region(aws_sdk_securityhub::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_securityhub::config::Credentials::new("test", "test", None, None, "test"))
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        Client::from_conf(config)
    }

    fn subscription(arn: &str, status: StandardsStatus) -> StandardsSubscription {
        StandardsSubscription::builder().standards_arn(arn).standards_subscription_arn(format!("{arn}/subscription")).standards_status(status).build()
    }

    #[tokio::test]
    async fn a_region_without_security_hub_reads_as_no_hub_and_no_standards_call() {
        let describe = mock!(Client::describe_hub).then_error(|| {
            DescribeHubError::InvalidAccessException(
                InvalidAccessException::builder().message("Account 108782097218 is not subscribed to AWS Security Hub").build(),
            )
        });
        let standards = mock!(Client::get_enabled_standards).then_output(|| GetEnabledStandardsOutput::builder().build());
        let client = client(&[&describe, &standards]);
        let read = read_with(&client, true).await.unwrap();
        assert_eq!(read.hub, None);
        assert_eq!(standards.num_calls(), 0);
    }

    #[tokio::test]
    async fn enabled_standards_are_read_with_their_status() {
        let describe =
            mock!(Client::describe_hub).then_output(|| DescribeHubOutput::builder().hub_arn("arn:aws:securityhub:us-east-1:108782097218:hub/default").build());
        let standards = mock!(Client::get_enabled_standards)
            .then_output(|| GetEnabledStandardsOutput::builder().standards_subscriptions(subscription(FSBP, StandardsStatus::Ready)).build());
        let client = client(&[&describe, &standards]);
        let hub = read_with(&client, true).await.unwrap().hub.unwrap();
        let read = hub.standards.unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].standards_arn, FSBP);
        assert_eq!(read[0].status, "READY");
    }

    #[tokio::test]
    async fn enabling_sends_each_declared_standard_and_a_failed_one_is_an_error() {
        let enabled = mock!(Client::batch_enable_standards)
            .match_requests(|request| request.standards_subscription_requests().iter().map(|item| item.standards_arn()).collect::<Vec<_>>() == [Some(FSBP)])
            .then_output(|| BatchEnableStandardsOutput::builder().standards_subscriptions(subscription(FSBP, StandardsStatus::Pending)).build());
        enable_standards_with(&client(&[&enabled]), &[FSBP.to_owned()]).await.unwrap();
        assert_eq!(enabled.num_calls(), 1);

        let failed = mock!(Client::batch_enable_standards)
            .then_output(|| BatchEnableStandardsOutput::builder().standards_subscriptions(subscription(FSBP, StandardsStatus::Failed)).build());
        let error = enable_standards_with(&client(&[&failed]), &[FSBP.to_owned()]).await.unwrap_err().to_string();
        assert!(error.contains("could not enable") && error.contains(FSBP), "{error}");
    }
}
