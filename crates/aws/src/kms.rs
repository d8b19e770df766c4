//! KMS: aliases, so keys named by alias, id or ARN compare equal.

use holdfast_desired::Desired;
use holdfast_inventory::kms::{Alias, Key, Kms};

use crate::Aws;
use crate::error::{AwsError, call_error};

/// Aliases are needed when anything the desired state declares is keyed.
pub(crate) async fn read(aws: &Aws, desired: &Desired) -> Result<Kms, AwsError> {
    if !holdfast_desired::reads::needs_kms(desired) {
        return Ok(Kms::default());
    }
    let (aliases, mut keys) = tokio::try_join!(list_aliases(aws), list_keys(aws))?;
    // The keys the desired state names: their state decides whether they may be used.
    let named = holdfast_desired::reads::key_references(desired);
    let described = futures_util::future::try_join_all(named.iter().map(|reference| describe_key_state(aws, reference))).await?;
    for (arn, state) in described.into_iter().flatten() {
        if let Some(key) = keys.iter_mut().find(|key| key.arn == arn) {
            key.state = Some(state);
        }
    }
    Ok(Kms { aliases, keys })
}

/// A named key's ARN and state; None when it does not exist (the planner says so).
async fn describe_key_state(aws: &Aws, reference: &str) -> Result<Option<(String, String)>, AwsError> {
    let _permit = aws.permit().await;
    match aws.kms.describe_key().key_id(reference).send().await {
        Ok(output) => Ok(output.key_metadata().and_then(|metadata| Some((metadata.arn()?.to_owned(), metadata.key_state()?.as_str().to_owned())))),
        Err(error) if matches!(error.as_service_error(), Some(aws_sdk_kms::operation::describe_key::DescribeKeyError::NotFoundException(_))) => Ok(None),
        Err(error) => Err(call_error("kms:DescribeKey", format!("key {reference}"), error)),
    }
}

async fn list_keys(aws: &Aws) -> Result<Vec<Key>, AwsError> {
    let _permit = aws.permit().await;
    let keys = aws
        .kms
        .list_keys()
        .limit(1000)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|error| call_error("kms:ListKeys", "keys", error))?;
    Ok(keys.iter().filter_map(|key| Some(Key { id: key.key_id()?.to_owned(), arn: key.key_arn()?.to_owned(), state: None })).collect())
}

async fn list_aliases(aws: &Aws) -> Result<Vec<Alias>, AwsError> {
    let _permit = aws.permit().await;
    let aliases = aws
        .kms
        .list_aliases()
        .limit(100)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|error| call_error("kms:ListAliases", "aliases", error))?;
    Ok(aliases
        .iter()
        .filter_map(|alias| Some(Alias { name: alias.alias_name()?.to_owned(), target_key_id: alias.target_key_id().map(str::to_owned) }))
        .collect())
}

/// A key as the execution-role check needs it.
#[derive(Debug)]
pub struct KeyFacts {
    pub arn: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, ...
    pub state: String,
    /// AWS managed keys (`alias/aws/ssm`) let every principal of the account use them
    /// through the service; a customer managed key needs a grant of its own.
    pub customer_managed: bool,
}

pub async fn describe_key(aws: &Aws, key: &str) -> Result<KeyFacts, AwsError> {
    let _permit = aws.permit().await;
    let output = aws.kms.describe_key().key_id(key).send().await.map_err(|error| call_error("kms:DescribeKey", format!("key {key}"), error))?;
    let metadata = output.key_metadata().ok_or_else(|| AwsError::Setup(format!("kms:DescribeKey returned nothing for {key}")))?;
    Ok(KeyFacts {
        state: metadata.key_state().map_or_else(|| "unknown".to_owned(), |state| state.as_str().to_owned()),
        arn: metadata.arn().unwrap_or(key).to_owned(),
        customer_managed: metadata.key_manager() != Some(&aws_sdk_kms::types::KeyManagerType::Aws),
    })
}

/// The key's `default` policy document, parsed.
pub async fn key_policy(aws: &Aws, key: &str) -> Result<serde_json::Value, AwsError> {
    let _permit = aws.permit().await;
    let output = aws
        .kms
        .get_key_policy()
        .key_id(key)
        .policy_name("default")
        .send()
        .await
        .map_err(|error| call_error("kms:GetKeyPolicy", format!("key {key}"), error))?;
    Ok(output.policy().and_then(|text| serde_json::from_str(text).ok()).unwrap_or(serde_json::Value::Null))
}
