//! KMS: aliases, so keys named by alias, id or ARN compare equal.

use holdfast_desired::Desired;
use holdfast_inventory::kms::{Alias, Key, Kms, Orphan};

use crate::Aws;
use crate::error::{AwsError, call_error};

/// Aliases are needed when anything the desired state declares is keyed.
/// With `every_alias` (for `holdfast import`), every key an alias of the account's own
/// names is described too, as if the desired state named it.
pub(crate) async fn read(aws: &Aws, desired: &Desired, every_alias: bool) -> Result<Kms, AwsError> {
    if !holdfast_desired::reads::needs_kms(desired) && !every_alias {
        return Ok(Kms::default());
    }
    // Aliases compare keys however they are named; the key list resolves the keys the
    // desired state names, so it is read only when it names some.
    let mut named = holdfast_desired::reads::key_references(desired);
    let (aliases, mut keys) =
        tokio::try_join!(list_aliases(aws), async { if named.is_empty() && !every_alias { Ok(Vec::new()) } else { list_keys(aws).await } })?;
    if every_alias {
        named.extend(aliases.iter().filter(|alias| !alias.name.starts_with("alias/aws/") && alias.target_key_id.is_some()).map(|alias| alias.name.clone()));
        named.sort();
        named.dedup();
    }
    let missing: Vec<&str> = desired
        .kms
        .key
        .iter()
        .filter(|entry| entry.ensure == holdfast_desired::Ensure::Present && !aliases.iter().any(|alias| alias.name == entry.alias()))
        .map(|entry| entry.alias())
        .collect();
    let orphans = if missing.is_empty() { Vec::new() } else { orphans(aws, &missing, &keys, &aliases).await? };
    // The keys the desired state names: their state decides whether they may be used.
    let described = futures_util::future::try_join_all(named.iter().map(|reference| describe_named(aws, desired, &aliases, reference, every_alias))).await?;
    // One key may be named twice (its alias and its ARN): what either read found is kept.
    for described in described.into_iter().flatten() {
        if let Some(key) = keys.iter_mut().find(|key| key.arn == described.arn) {
            key.state = described.state.or(key.state.take());
            key.description = described.description.or(key.description.take());
            key.rotation = described.rotation.or(key.rotation);
            key.manager = described.manager.or(key.manager.take());
            key.policy = described.policy.or(key.policy.take());
        }
    }
    Ok(Kms { aliases, keys, orphans })
}

/// A named key as the planner needs it: its state, description and manager; its
/// rotation when `[[kms.key]]` declares it; its policy when a trail encrypts with it.
/// None when it does not exist (the planner says so).
async fn describe_named(aws: &Aws, desired: &Desired, aliases: &[Alias], reference: &str, every_alias: bool) -> Result<Option<Key>, AwsError> {
    let output = {
        let _permit = aws.permit().await;
        match aws.kms.describe_key().key_id(reference).send().await {
            Ok(output) => output,
            Err(error) if matches!(error.as_service_error(), Some(aws_sdk_kms::operation::describe_key::DescribeKeyError::NotFoundException(_))) => {
                return Ok(None);
            }
            Err(error) => return Err(call_error("kms:DescribeKey", format!("key {reference}"), error)),
        }
    };
    let Some(metadata) = output.key_metadata() else { return Ok(None) };
    let (Some(arn), id) = (metadata.arn(), metadata.key_id()) else { return Ok(None) };
    let customer_managed = metadata.key_manager() != Some(&aws_sdk_kms::types::KeyManagerType::Aws);
    let declared = holdfast_desired::kms::declared(&desired.kms, reference).or_else(|| {
        // Named by key id or ARN: the entry whose alias points at this key.
        desired.kms.key.iter().find(|entry| aliases.iter().any(|alias| alias.name == entry.alias() && alias.target_key_id.as_deref() == Some(id)))
    });
    let rotation = match declared {
        Some(entry) if entry.rotation.is_some() && customer_managed && metadata.key_state().is_some_and(|state| state.as_str() == "Enabled") => {
            Some(rotation_enabled(aws, id).await?)
        }
        // The import writes each key's rotation as it is.
        _ if every_alias && customer_managed && metadata.key_state().is_some_and(|state| state.as_str() == "Enabled") => Some(rotation_enabled(aws, id).await?),
        _ => None,
    };
    let used_by_trail = desired.cloudtrail.trail.iter().any(|trail| trail.kms_key.as_deref() == Some(reference));
    let policy = if used_by_trail && customer_managed { Some(key_policy_text(aws, id).await?) } else { None };
    Ok(Some(Key {
        id: id.to_owned(),
        arn: arn.to_owned(),
        state: metadata.key_state().map(|state| state.as_str().to_owned()),
        description: metadata.description().map(str::to_owned),
        rotation,
        manager: metadata.key_manager().map(|manager| manager.as_str().to_owned()),
        policy,
    }))
}

/// For the audit: the manager (AWS or customer) of each key these references name that
/// no alias already answers for, by DescribeKey. An unknown key is left out.
pub(crate) async fn describe_managers(aws: &Aws, kms: &mut Kms, references: &[String]) -> Result<(), AwsError> {
    let unresolved: Vec<&String> = references
        .iter()
        .filter(|reference| !reference.starts_with("alias/") && !reference.contains(":alias/"))
        .filter(|reference| {
            let id = reference.rsplit('/').next().unwrap_or(reference);
            !kms.aliases.iter().any(|alias| alias.target_key_id.as_deref() == Some(id))
                && !kms.keys.iter().any(|key| (key.id == id || &key.arn == *reference) && key.manager.is_some())
        })
        .collect();
    let described = futures_util::future::try_join_all(unresolved.iter().map(|reference| async move {
        let _permit = aws.permit().await;
        match aws.kms.describe_key().key_id(reference.as_str()).send().await {
            Ok(output) => Ok(output.key_metadata().cloned()),
            Err(error) if matches!(error.as_service_error(), Some(aws_sdk_kms::operation::describe_key::DescribeKeyError::NotFoundException(_))) => Ok(None),
            Err(error) => Err(call_error("kms:DescribeKey", format!("key {reference}"), error)),
        }
    }))
    .await?;
    for metadata in described.into_iter().flatten() {
        let (Some(arn), id) = (metadata.arn(), metadata.key_id()) else { continue };
        let manager = metadata.key_manager().map(|manager| manager.as_str().to_owned());
        match kms.keys.iter_mut().find(|key| key.id == id) {
            Some(key) => key.manager = manager.or(key.manager.take()),
            None => kms.keys.push(Key {
                id: id.to_owned(),
                arn: arn.to_owned(),
                state: metadata.key_state().map(|state| state.as_str().to_owned()),
                description: None,
                rotation: None,
                manager,
                policy: None,
            }),
        }
    }
    Ok(())
}

async fn rotation_enabled(aws: &Aws, key_id: &str) -> Result<bool, AwsError> {
    let _permit = aws.permit().await;
    let output = aws
        .kms
        .get_key_rotation_status()
        .key_id(key_id)
        .send()
        .await
        .map_err(|error| call_error("kms:GetKeyRotationStatus", format!("key {key_id}"), error))?;
    Ok(output.key_rotation_enabled())
}

pub async fn key_policy_text(aws: &Aws, key_id: &str) -> Result<String, AwsError> {
    let _permit = aws.permit().await;
    let output = aws
        .kms
        .get_key_policy()
        .key_id(key_id)
        .policy_name("default")
        .send()
        .await
        .map_err(|error| call_error("kms:GetKeyPolicy", format!("key {key_id}"), error))?;
    Ok(output.policy().unwrap_or_default().to_owned())
}

/// The tag a key created by holdfast carries: the alias it was created for, so a key whose
/// alias could not be made is found again and given it, not created twice.
const ALIAS_TAG: &str = "holdfast:alias";

/// The key policy of a new key: the account's own IAM policies decide, as in KMS's
/// default policy, and each service named may encrypt with it.
fn new_key_policy(account_id: &str, services: &[String]) -> String {
    let mut statements = vec![serde_json::json!({
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": { "AWS": format!("arn:aws:iam::{account_id}:root") },
        "Action": "kms:*",
        "Resource": "*",
    })];
    if services.iter().any(|service| service == "cloudtrail.amazonaws.com") {
        statements.extend(holdfast_inventory::policy::cloudtrail_key_statements(account_id));
    }
    serde_json::json!({ "Version": "2012-10-17", "Statement": statements }).to_string()
}

/// The key id an alias points at now; None when the alias does not exist.
pub async fn alias_target(aws: &Aws, alias: &str) -> Result<Option<KeyFacts>, AwsError> {
    let _permit = aws.permit().await;
    match aws.kms.describe_key().key_id(alias).send().await {
        Ok(output) => Ok(output.key_metadata().map(|metadata| KeyFacts {
            arn: metadata.arn().unwrap_or_default().to_owned(),
            state: metadata.key_state().map_or_else(|| "unknown".to_owned(), |state| state.as_str().to_owned()),
            customer_managed: metadata.key_manager() != Some(&aws_sdk_kms::types::KeyManagerType::Aws),
            id: metadata.key_id().to_owned(),
        })),
        Err(error) if matches!(error.as_service_error(), Some(aws_sdk_kms::operation::describe_key::DescribeKeyError::NotFoundException(_))) => Ok(None),
        Err(error) => Err(call_error("kms:DescribeKey", format!("key {alias}"), error)),
    }
}

/// Keys holdfast created for the aliases given whose alias was never made (an apply
/// stopped between CreateKey and CreateAlias): keys without any alias, tagged with one of
/// them. Read only when a declared alias is missing: one ListResourceTags per unnamed key.
async fn orphans(aws: &Aws, missing: &[&str], keys: &[Key], aliases: &[Alias]) -> Result<Vec<Orphan>, AwsError> {
    let named: Vec<&str> = aliases.iter().filter_map(|alias| alias.target_key_id.as_deref()).collect();
    let candidates: Vec<&Key> = keys.iter().filter(|key| !named.contains(&key.id.as_str())).collect();
    let tagged = futures_util::future::try_join_all(candidates.into_iter().map(|key| async move {
        let output = {
            let _permit = aws.permit().await;
            // AWS managed keys and keys in other states may refuse: they are not ours.
            let Ok(output) = aws.kms.list_resource_tags().key_id(&key.id).send().await else { return Ok::<_, AwsError>(None) };
            output
        };
        let Some(alias) =
            output.tags().iter().find(|tag| tag.tag_key() == ALIAS_TAG && missing.contains(&tag.tag_value())).map(|tag| tag.tag_value().to_owned())
        else {
            return Ok(None);
        };
        let facts = describe_key(aws, &key.id).await?;
        Ok(Some(Orphan { alias, key_id: key.id.clone(), state: facts.state }))
    }))
    .await?;
    Ok(tagged.into_iter().flatten().collect())
}

/// Creates a key for the alias, then the alias. Returns the key id.
pub async fn create_key(aws: &Aws, account_id: &str, alias: &str, description: Option<&str>, services: &[String]) -> Result<String, AwsError> {
    let id = {
        let _permit = aws.permit().await;
        let tag = aws_sdk_kms::types::Tag::builder().tag_key(ALIAS_TAG).tag_value(alias).build().map_err(|error| AwsError::Setup(error.to_string()))?;
        let output = aws
            .kms
            .create_key()
            .set_description(description.map(str::to_owned))
            .policy(new_key_policy(account_id, services))
            .tags(tag)
            .send()
            .await
            .map_err(|error| call_error("kms:CreateKey", format!("a key for {alias}"), error))?;
        output.key_metadata().map(|metadata| metadata.key_id().to_owned()).ok_or_else(|| AwsError::Setup("kms:CreateKey returned no key".to_owned()))?
    };
    create_alias(aws, alias, &id).await?;
    Ok(id)
}

/// Gives a key the alias; on failure says how the next apply picks the key up.
pub async fn create_alias(aws: &Aws, alias: &str, key_id: &str) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.kms.create_alias().alias_name(alias).target_key_id(key_id).send().await.map_err(|error| {
        let error = call_error("kms:CreateAlias", alias.to_owned(), error);
        AwsError::Setup(format!("{error}\n  the key {key_id} is tagged {ALIAS_TAG} = {alias}: the next plan shows it adopted, not created again"))
    })?;
    Ok(())
}

/// Whether a key still carries the tag naming the alias it was created for.
pub async fn tagged_for(aws: &Aws, key_id: &str, alias: &str) -> Result<bool, AwsError> {
    let _permit = aws.permit().await;
    let output =
        aws.kms.list_resource_tags().key_id(key_id).send().await.map_err(|error| call_error("kms:ListResourceTags", format!("key {key_id}"), error))?;
    Ok(output.tags().iter().any(|tag| tag.tag_key() == ALIAS_TAG && tag.tag_value() == alias))
}

/// The aliases that name a key now.
pub async fn aliases_of(aws: &Aws, key_id: &str) -> Result<Vec<String>, AwsError> {
    let _permit = aws.permit().await;
    let aliases = aws
        .kms
        .list_aliases()
        .key_id(key_id)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|error| call_error("kms:ListAliases", format!("key {key_id}"), error))?;
    Ok(aliases.iter().filter_map(|alias| alias.alias_name().map(str::to_owned)).collect())
}

pub async fn set_rotation(aws: &Aws, key_id: &str, on: bool) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    if on {
        aws.kms.enable_key_rotation().key_id(key_id).send().await.map_err(|error| call_error("kms:EnableKeyRotation", format!("key {key_id}"), error))?;
    } else {
        aws.kms.disable_key_rotation().key_id(key_id).send().await.map_err(|error| call_error("kms:DisableKeyRotation", format!("key {key_id}"), error))?;
    }
    Ok(())
}

pub async fn set_description(aws: &Aws, key_id: &str, description: &str) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.kms
        .update_key_description()
        .key_id(key_id)
        .description(description)
        .send()
        .await
        .map_err(|error| call_error("kms:UpdateKeyDescription", format!("key {key_id}"), error))?;
    Ok(())
}

/// Cancels a scheduled deletion (which leaves the key disabled) and enables the key.
pub async fn restore(aws: &Aws, key_id: &str, pending_deletion: bool) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    if pending_deletion {
        aws.kms.cancel_key_deletion().key_id(key_id).send().await.map_err(|error| call_error("kms:CancelKeyDeletion", format!("key {key_id}"), error))?;
    }
    aws.kms.enable_key().key_id(key_id).send().await.map_err(|error| call_error("kms:EnableKey", format!("key {key_id}"), error))?;
    Ok(())
}

/// Schedules deletion with KMS's longest waiting period, by key id (not ARN).
pub async fn schedule_deletion(aws: &Aws, key_id: &str) -> Result<String, AwsError> {
    let _permit = aws.permit().await;
    let output = aws
        .kms
        .schedule_key_deletion()
        .key_id(key_id)
        .pending_window_in_days(30)
        .send()
        .await
        .map_err(|error| call_error("kms:ScheduleKeyDeletion", format!("key {key_id}"), error))?;
    Ok(output.deletion_date().map(|date| date.to_string()).unwrap_or_else(|| "in 30 days".to_owned()))
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
    Ok(keys.iter().filter_map(|key| Some(Key { id: key.key_id()?.to_owned(), arn: key.key_arn()?.to_owned(), ..Key::default() })).collect())
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
    pub id: String,
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
        id: metadata.key_id().to_owned(),
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

/// Puts the key's `default` policy.
pub async fn put_key_policy(aws: &Aws, key_id: &str, policy: &str) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.kms
        .put_key_policy()
        .key_id(key_id)
        .policy_name("default")
        .policy(policy)
        .send()
        .await
        .map_err(|error| call_error("kms:PutKeyPolicy", format!("key {key_id}"), error))?;
    Ok(())
}
