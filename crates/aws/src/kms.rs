//! KMS: aliases, so keys named by alias, id or ARN compare equal.

use holdfast_desired::Desired;
use holdfast_inventory::kms::{Alias, Kms};

use crate::Aws;
use crate::error::{AwsError, call_error};

/// Aliases are needed when anything the desired state declares is keyed.
pub(crate) async fn read(aws: &Aws, desired: &Desired) -> Result<Kms, AwsError> {
    if desired.s3.bucket.is_empty() && desired.ssm.parameter.is_empty() && desired.aurora.cluster.is_empty() {
        return Ok(Kms::default());
    }
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
    Ok(Kms {
        aliases: aliases
            .iter()
            .filter_map(|alias| Some(Alias { name: alias.alias_name()?.to_owned(), target_key_id: alias.target_key_id().map(str::to_owned) }))
            .collect(),
    })
}
