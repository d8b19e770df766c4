//! S3: the buckets the desired state names, in the account's region, with their
//! encryption, lifecycle, tags and (for buckets to delete) whether they are empty.

use std::collections::BTreeMap;

use aws_sdk_s3::operation::get_bucket_encryption::GetBucketEncryptionError;
use aws_sdk_s3::operation::get_bucket_lifecycle_configuration::GetBucketLifecycleConfigurationError;
use aws_sdk_s3::operation::get_bucket_policy::GetBucketPolicyError;
use aws_sdk_s3::operation::get_bucket_tagging::GetBucketTaggingError;
use aws_sdk_s3::operation::get_public_access_block::GetPublicAccessBlockError;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures_util::future::try_join_all;
use holdfast_desired::Desired;
use holdfast_desired::s3::{BucketEntry, Ensure};
use holdfast_inventory::s3::{Bucket, Encryption, Lifecycle, LifecycleFilter, LifecycleRule, PublicAccessBlock, S3, Transition};

use crate::Aws;
use crate::error::{AwsError, call_error};
use crate::progress::Progress;

const KIND: &str = "S3";

/// The buckets the desired state selects, and this region's bucket names when the
/// listing gave them alone (for the census, which then costs no call of its own).
pub(crate) async fn read(aws: &Aws, desired: &Desired, progress: &dyn Progress) -> Result<(S3, Option<Vec<String>>), AwsError> {
    let entries = &desired.s3.bucket;
    if !holdfast_desired::reads::needs_bucket_names(desired) {
        return Ok((S3::default(), None));
    }
    progress.started(KIND);
    let listing = list_regional(aws).await?;
    let names = listing.names.clone();
    let selected: Vec<(String, Vec<&BucketEntry>)> = names
        .iter()
        .filter_map(|name| {
            let chosen: Vec<&BucketEntry> = entries.iter().filter(|entry| entry.name.matches(name)).collect();
            (!chosen.is_empty()).then(|| (name.clone(), chosen))
        })
        .collect();
    let buckets = try_join_all(selected.iter().map(|(name, chosen)| read_bucket(aws, desired, name, chosen, listing.filtered))).await?;
    let buckets: Vec<Bucket> = buckets.into_iter().flatten().collect();
    progress.advanced(KIND, buckets.len());
    progress.finished(KIND);
    // A bucket named but not listed here may be another region's or another account's:
    // HeadBucket tells whether it exists at all. Only a bucket to create is asked (those
    // are named exactly). With the fallback listing, `names` already holds every region's.
    let literal = entries.iter().filter(|entry| entry.ensure == Ensure::Present && entry.name.is_literal()).map(|entry| entry.name.as_str().to_owned());
    let trails = desired.cloudtrail.trail.iter().filter_map(|entry| entry.bucket().map(str::to_owned));
    let config = desired.config.as_deref().and_then(|config| config.bucket().map(str::to_owned));
    let destinations: std::collections::BTreeSet<String> = desired
        .vpc
        .flow_logs
        .iter()
        .filter_map(|entry| match entry.destination() {
            Ok(holdfast_desired::vpc::Destination::S3(arn)) => Some(arn.trim_start_matches("arn:aws:s3:::").split('/').next().unwrap_or_default().to_owned()),
            _ => None,
        })
        .chain(trails)
        .chain(config)
        .chain(literal)
        .filter(|bucket| !names.contains(bucket))
        .collect();
    let found = try_join_all(destinations.iter().map(|bucket| exists_elsewhere(aws, bucket))).await?;
    let elsewhere = destinations.into_iter().zip(found).filter(|(_, exists)| *exists).map(|(bucket, _)| bucket).collect();
    let regional = listing.filtered.then(|| names.clone());
    Ok((S3 { buckets, names, elsewhere }, regional))
}

/// The bucket names ListBuckets gave, and whether they are this region's alone.
struct Listing {
    names: Vec<String>,
    filtered: bool,
}

/// The account's buckets in this region: ListBuckets with `BucketRegion` lists only
/// those, in pages of up to 10,000, so no bucket is asked for its location. Where the
/// endpoint refuses the parameter (an older S3-compatible one), every bucket is listed
/// and each selected one is asked with GetBucketLocation instead.
async fn list_regional(aws: &Aws) -> Result<Listing, AwsError> {
    let _permit = aws.permit().await;
    let pages = aws.s3.list_buckets().bucket_region(aws.region()).max_buckets(MAX_BUCKETS).into_paginator().send().collect::<Result<Vec<_>, _>>().await;
    match pages {
        Ok(pages) => {
            // AWS names each bucket's region too; an endpoint that ignored the filter
            // but names regions is filtered here.
            let names = pages
                .iter()
                .flat_map(|page| page.buckets())
                .filter(|bucket| bucket.bucket_region().is_none_or(|region| region == aws.region()))
                .filter_map(|bucket| bucket.name().map(str::to_owned))
                .collect();
            Ok(Listing { names, filtered: true })
        }
        Err(error) if refuses_region_filter(&error) => {
            let output = aws.s3.list_buckets().send().await.map_err(|error| call_error("s3:ListAllMyBuckets", "buckets", error))?;
            Ok(Listing { names: output.buckets().iter().filter_map(|bucket| bucket.name().map(str::to_owned)).collect(), filtered: false })
        }
        Err(error) => Err(call_error("s3:ListAllMyBuckets", "buckets", error)),
    }
}

/// ListBuckets takes at most 10,000 buckets a page.
const MAX_BUCKETS: i32 = 10_000;

/// Whether ListBuckets failed because the endpoint does not know its `BucketRegion` or
/// `max-buckets` parameters (AWS has taken them since 2024).
fn refuses_region_filter<R>(error: &SdkError<aws_sdk_s3::operation::list_buckets::ListBucketsError, R>) -> bool {
    matches!(error.code(), Some("InvalidArgument" | "NotImplemented" | "InvalidRequest"))
}

/// One bucket, or None when it lives in another region than the account's. `listed_here`
/// says the listing was this region's alone; otherwise the bucket is asked where it is.
async fn read_bucket(aws: &Aws, desired: &Desired, name: &str, entries: &[&BucketEntry], listed_here: bool) -> Result<Option<Bucket>, AwsError> {
    if !listed_here && region_of(aws, name).await? != aws.region() {
        return Ok(None);
    }
    let present =
        entries.iter().any(|entry| entry.ensure == Ensure::Present && (entry.encryption.is_some() || holdfast_desired::reads::keys_to_delete(desired)));
    let manages_lifecycle = entries.iter().any(|entry| entry.lifecycle.is_some() || entry.transition_minimum_object_size.is_some());
    let to_delete = entries.iter().any(|entry| entry.ensure == Ensure::Absent);
    let blocks = entries.iter().any(|entry| entry.public_access_block.is_some());
    let policies = entries.iter().any(|entry| entry.manages_policy());
    // Tags select only where an entry has a tag selector; for an ownership note they are
    // read after planning, for changed buckets alone (`read_tags_of`).
    let selects_by_tag = entries.iter().any(|entry| !entry.tags.is_empty());
    // Independent reads of one bucket run concurrently.
    let (encryption, lifecycle, empty, tags, public_access_block, policy) = tokio::try_join!(
        async { if present { read_encryption(aws, name).await } else { Ok(None) } },
        async { if manages_lifecycle { read_lifecycle(aws, name).await } else { Ok(None) } },
        async { if to_delete { is_empty(aws, name).await.map(Some) } else { Ok(None) } },
        async { if selects_by_tag { read_tags(aws, name).await.map(Some) } else { Ok(None) } },
        async { if blocks { read_public_access_block(aws, name).await.map(Some) } else { Ok(None) } },
        async { if policies { read_policy(aws, name).await } else { Ok(None) } },
    )?;
    Ok(Some(Bucket { name: name.to_owned(), encryption, lifecycle, empty, tags, public_access_block, policy, storage: None }))
}

/// Reads the tags of these buckets into the inventory, where they were not read: the
/// ownership notes of changes the first plan found.
pub async fn read_tags_of(aws: &Aws, s3: &mut S3, names: &[String]) -> Result<(), AwsError> {
    let read = try_join_all(names.iter().map(|name| read_tags(aws, name))).await?;
    for (name, tags) in names.iter().zip(read) {
        if let Some(bucket) = s3.buckets.iter_mut().find(|bucket| &bucket.name == name) {
            bucket.tags = Some(tags);
        }
    }
    Ok(())
}

/// The bucket's public access block; all four off when it has none.
async fn read_public_access_block(aws: &Aws, name: &str) -> Result<PublicAccessBlock, AwsError> {
    let _permit = aws.permit().await;
    match aws.s3.get_public_access_block().bucket(name).send().await {
        Ok(output) => Ok(output.public_access_block_configuration().map_or_else(PublicAccessBlock::default, |block| PublicAccessBlock {
            block_public_acls: block.block_public_acls().unwrap_or(false),
            ignore_public_acls: block.ignore_public_acls().unwrap_or(false),
            block_public_policy: block.block_public_policy().unwrap_or(false),
            restrict_public_buckets: block.restrict_public_buckets().unwrap_or(false),
        })),
        Err(error) if is_absent::<GetPublicAccessBlockError, _>(&error, &["NoSuchPublicAccessBlockConfiguration"]) => Ok(PublicAccessBlock::default()),
        Err(error) => Err(call_error("s3:GetBucketPublicAccessBlock", format!("bucket {name}"), error)),
    }
}

/// The bucket policy exactly as S3 returns it; None when the bucket has none.
pub async fn read_policy(aws: &Aws, name: &str) -> Result<Option<String>, AwsError> {
    let _permit = aws.permit().await;
    match aws.s3.get_bucket_policy().bucket(name).send().await {
        Ok(output) => Ok(output.policy().map(str::to_owned)),
        Err(error) if is_absent::<GetBucketPolicyError, _>(&error, &["NoSuchBucketPolicy"]) => Ok(None),
        Err(error) => Err(call_error("s3:GetBucketPolicy", format!("bucket {name}"), error)),
    }
}

pub async fn put_public_access_block(aws: &Aws, name: &str, on: bool) -> Result<(), AwsError> {
    let block = aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(on)
        .ignore_public_acls(on)
        .block_public_policy(on)
        .restrict_public_buckets(on)
        .build();
    let _permit = aws.permit().await;
    aws.s3
        .put_public_access_block()
        .bucket(name)
        .public_access_block_configuration(block)
        .send()
        .await
        .map_err(|error| call_error("s3:PutBucketPublicAccessBlock", format!("bucket {name}"), error))?;
    Ok(())
}

/// Puts the policy text, or deletes the policy when there is none left.
pub async fn put_policy(aws: &Aws, name: &str, policy: Option<&str>) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    match policy {
        Some(policy) => {
            aws.s3
                .put_bucket_policy()
                .bucket(name)
                .policy(policy)
                .send()
                .await
                .map_err(|error| call_error("s3:PutBucketPolicy", format!("bucket {name}"), error))?;
        }
        None => {
            aws.s3.delete_bucket_policy().bucket(name).send().await.map_err(|error| call_error("s3:DeleteBucketPolicy", format!("bucket {name}"), error))?;
        }
    }
    Ok(())
}

async fn region_of(aws: &Aws, name: &str) -> Result<String, AwsError> {
    let _permit = aws.permit().await;
    let output = aws.s3.get_bucket_location().bucket(name).send().await.map_err(|error| call_error("s3:GetBucketLocation", format!("bucket {name}"), error))?;
    // us-east-1 answers with no constraint, and the oldest eu-west-1 buckets with `EU`.
    Ok(match output.location_constraint().map(|constraint| constraint.as_str()) {
        None | Some("") => "us-east-1".to_owned(),
        Some("EU") => "eu-west-1".to_owned(),
        Some(region) => region.to_owned(),
    })
}

/// Whether a bucket the account does not list exists anyway (HeadBucket: 403 or a
/// redirect means it does, owned by another account or in another region).
async fn exists_elsewhere(aws: &Aws, name: &str) -> Result<bool, AwsError> {
    let _permit = aws.permit().await;
    match aws.s3.head_bucket().bucket(name).send().await {
        Ok(_) => Ok(true),
        Err(error) => match error.raw_response().map(|response| response.status().as_u16()) {
            Some(301 | 403) => Ok(true),
            Some(404) => Ok(false),
            _ => Err(call_error("s3:ListBucket", format!("bucket {name}"), error)),
        },
    }
}

/// True when the error is the answer "this bucket has none of that".
fn is_absent<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>, codes: &[&str]) -> bool {
    error.code().is_some_and(|code| codes.contains(&code))
}

async fn read_encryption(aws: &Aws, name: &str) -> Result<Option<Encryption>, AwsError> {
    let _permit = aws.permit().await;
    match aws.s3.get_bucket_encryption().bucket(name).send().await {
        Ok(output) => Ok(output.server_side_encryption_configuration().and_then(|configuration| {
            let rule = configuration.rules().first()?;
            let default = rule.apply_server_side_encryption_by_default()?;
            Some(Encryption {
                algorithm: default.sse_algorithm().as_str().to_owned(),
                kms_key: default.kms_master_key_id().map(str::to_owned),
                bucket_key: rule.bucket_key_enabled().unwrap_or(false),
            })
        })),
        // AWS now always answers with SSE-S3; older buckets and emulators may have none.
        Err(error) if is_absent::<GetBucketEncryptionError, _>(&error, &["ServerSideEncryptionConfigurationNotFoundError"]) => Ok(None),
        Err(error) => Err(call_error("s3:GetEncryptionConfiguration", format!("bucket {name}"), error)),
    }
}

/// A bucket's lifecycle configuration as it is now; None when it has none.
pub async fn read_lifecycle(aws: &Aws, name: &str) -> Result<Option<Lifecycle>, AwsError> {
    let _permit = aws.permit().await;
    match aws.s3.get_bucket_lifecycle_configuration().bucket(name).send().await {
        Ok(output) => Ok(Some(Lifecycle {
            rules: output.rules().iter().map(lifecycle_rule).collect(),
            transition_minimum_object_size: output.transition_default_minimum_object_size().map(|size| size.as_str().to_owned()),
        })),
        Err(error) if is_absent::<GetBucketLifecycleConfigurationError, _>(&error, &["NoSuchLifecycleConfiguration"]) => Ok(None),
        Err(error) => Err(call_error("s3:GetLifecycleConfiguration", format!("bucket {name}"), error)),
    }
}

#[expect(deprecated, reason = "the legacy top-level Prefix must still be read: old rules use it")]
fn lifecycle_rule(rule: &aws_sdk_s3::types::LifecycleRule) -> LifecycleRule {
    let filter = rule.filter().map(|filter| {
        let mut tags = BTreeMap::new();
        if let Some(tag) = filter.tag() {
            tags.insert(tag.key().to_owned(), tag.value().to_owned());
        }
        let mut result = LifecycleFilter {
            prefix: filter.prefix().map(str::to_owned),
            tags,
            object_size_greater_than: filter.object_size_greater_than(),
            object_size_less_than: filter.object_size_less_than(),
        };
        if let Some(and) = filter.and() {
            result.prefix = result.prefix.or_else(|| and.prefix().map(str::to_owned));
            result.tags.extend(and.tags().iter().map(|tag| (tag.key().to_owned(), tag.value().to_owned())));
            result.object_size_greater_than = result.object_size_greater_than.or(and.object_size_greater_than());
            result.object_size_less_than = result.object_size_less_than.or(and.object_size_less_than());
        }
        result
    });
    LifecycleRule {
        id: rule.id().unwrap_or_default().to_owned(),
        status: rule.status().as_str().to_owned(),
        filter,
        legacy_prefix: rule.prefix().map(str::to_owned),
        transitions: rule
            .transitions()
            .iter()
            .map(|transition| Transition {
                days: transition.days().and_then(|days| u32::try_from(days).ok()),
                storage_class: transition.storage_class().map(|class| class.as_str().to_owned()).unwrap_or_default(),
            })
            .collect(),
        expiration_days: rule.expiration().and_then(|expiration| expiration.days()).and_then(|days| u32::try_from(days).ok()),
        noncurrent_expiration_days: rule
            .noncurrent_version_expiration()
            .and_then(|expiration| expiration.noncurrent_days())
            .and_then(|days| u32::try_from(days).ok()),
        abort_incomplete_multipart_days: rule
            .abort_incomplete_multipart_upload()
            .and_then(|abort| abort.days_after_initiation())
            .and_then(|days| u32::try_from(days).ok()),
        unmodelled: unmodelled(rule),
    }
}

/// The settings of a rule the desired state has no words for, by their API names.
fn unmodelled(rule: &aws_sdk_s3::types::LifecycleRule) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(expiration) = rule.expiration() {
        if expiration.date().is_some() {
            found.push("Expiration.Date");
        }
        if expiration.expired_object_delete_marker().is_some() {
            found.push("Expiration.ExpiredObjectDeleteMarker");
        }
    }
    if rule.transitions().iter().any(|transition| transition.date().is_some()) {
        found.push("Transition.Date");
    }
    if !rule.noncurrent_version_transitions().is_empty() {
        found.push("NoncurrentVersionTransitions");
    }
    if rule.noncurrent_version_expiration().is_some_and(|expiration| expiration.newer_noncurrent_versions().is_some()) {
        found.push("NoncurrentVersionExpiration.NewerNoncurrentVersions");
    }
    if rule.id().is_none_or(str::is_empty) {
        found.push("an empty ID");
    }
    found.into_iter().map(str::to_owned).collect()
}

async fn read_tags(aws: &Aws, name: &str) -> Result<BTreeMap<String, String>, AwsError> {
    let _permit = aws.permit().await;
    match aws.s3.get_bucket_tagging().bucket(name).send().await {
        Ok(output) => Ok(output.tag_set().iter().map(|tag| (tag.key().to_owned(), tag.value().to_owned())).collect()),
        Err(error) if is_absent::<GetBucketTaggingError, _>(&error, &["NoSuchTagSet", "NoSuchTagSetError"]) => Ok(BTreeMap::new()),
        Err(error) => Err(call_error("s3:GetBucketTagging", format!("bucket {name}"), error)),
    }
}

/// Whether a one-key listing finds no object.
pub async fn is_empty(aws: &Aws, name: &str) -> Result<bool, AwsError> {
    let _permit = aws.permit().await;
    let output =
        aws.s3.list_objects_v2().bucket(name).max_keys(1).send().await.map_err(|error| call_error("s3:ListBucket", format!("bucket {name}"), error))?;
    Ok(output.key_count().unwrap_or(0) == 0 && output.contents().is_empty())
}

fn build_error(error: aws_smithy_types::error::operation::BuildError) -> AwsError {
    AwsError::Setup(error.to_string())
}

/// `CreateBucket` in the client's region.
pub async fn create_bucket(aws: &Aws, name: &str) -> Result<(), AwsError> {
    let mut request = aws.s3.create_bucket().bucket(name);
    // us-east-1 takes no location constraint; every other region needs one.
    if aws.region() != "us-east-1" {
        request = request.create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(aws.region()))
                .build(),
        );
    }
    let _permit = aws.permit().await;
    request.send().await.map_err(|error| call_error("s3:CreateBucket", format!("bucket {name}"), error))?;
    Ok(())
}

/// `PutBucketEncryption`: the bucket's default encryption.
pub async fn put_encryption(aws: &Aws, name: &str, encryption: &Encryption) -> Result<(), AwsError> {
    use aws_sdk_s3::types::{ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule};
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::from(encryption.algorithm.as_str()))
        .set_kms_master_key_id(encryption.kms_key.clone())
        .build()
        .map_err(build_error)?;
    let rule = ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(default).bucket_key_enabled(encryption.bucket_key).build();
    let configuration = ServerSideEncryptionConfiguration::builder().rules(rule).build().map_err(build_error)?;
    let _permit = aws.permit().await;
    aws.s3
        .put_bucket_encryption()
        .bucket(name)
        .server_side_encryption_configuration(configuration)
        .send()
        .await
        .map_err(|error| call_error("s3:PutEncryptionConfiguration", format!("bucket {name}"), error))?;
    Ok(())
}

/// Puts the whole lifecycle configuration at once; no rules deletes it.
pub async fn put_lifecycle(aws: &Aws, name: &str, rules: &[LifecycleRule], minimum_object_size: Option<&str>) -> Result<(), AwsError> {
    use aws_sdk_s3::types::{
        AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRuleFilter, NoncurrentVersionExpiration,
        TransitionDefaultMinimumObjectSize, TransitionStorageClass,
    };
    if rules.is_empty() {
        let _permit = aws.permit().await;
        aws.s3
            .delete_bucket_lifecycle()
            .bucket(name)
            .send()
            .await
            .map_err(|error| call_error("s3:PutLifecycleConfiguration", format!("bucket {name}"), error))?;
        return Ok(());
    }
    let days = |days: u32| i32::try_from(days).unwrap_or(i32::MAX);
    let rules = rules
        .iter()
        .map(|rule| {
            let filter = rule.filter.clone().unwrap_or_default();
            aws_sdk_s3::types::LifecycleRule::builder()
                .id(&rule.id)
                .status(ExpirationStatus::from(rule.status.as_str()))
                .filter(LifecycleRuleFilter::builder().prefix(filter.prefix.unwrap_or_default()).build())
                .set_transitions(Some(
                    rule.transitions
                        .iter()
                        .map(|transition| {
                            aws_sdk_s3::types::Transition::builder()
                                .set_days(transition.days.map(days))
                                .storage_class(TransitionStorageClass::from(transition.storage_class.as_str()))
                                .build()
                        })
                        .collect(),
                ))
                .set_expiration(rule.expiration_days.map(|expire| LifecycleExpiration::builder().days(days(expire)).build()))
                .set_noncurrent_version_expiration(
                    rule.noncurrent_expiration_days.map(|expire| NoncurrentVersionExpiration::builder().noncurrent_days(days(expire)).build()),
                )
                .set_abort_incomplete_multipart_upload(
                    rule.abort_incomplete_multipart_days.map(|abort| AbortIncompleteMultipartUpload::builder().days_after_initiation(days(abort)).build()),
                )
                .build()
                .map_err(build_error)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let configuration = BucketLifecycleConfiguration::builder().set_rules(Some(rules)).build().map_err(build_error)?;
    let _permit = aws.permit().await;
    aws.s3
        .put_bucket_lifecycle_configuration()
        .bucket(name)
        .lifecycle_configuration(configuration)
        .set_transition_default_minimum_object_size(minimum_object_size.map(TransitionDefaultMinimumObjectSize::from))
        .send()
        .await
        .map_err(|error| call_error("s3:PutLifecycleConfiguration", format!("bucket {name}"), error))?;
    Ok(())
}

/// `DeleteBucket`; S3 refuses a bucket that still holds objects.
pub async fn delete_bucket(aws: &Aws, name: &str) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.s3.delete_bucket().bucket(name).send().await.map_err(|error| call_error("s3:DeleteBucket", format!("bucket {name}"), error))?;
    Ok(())
}

/// Every bucket in the account's region, for the coverage census, when `read` did not
/// list them already.
pub(crate) async fn census(aws: &Aws) -> Result<Vec<String>, AwsError> {
    let listing = list_regional(aws).await?;
    if listing.filtered {
        return Ok(listing.names);
    }
    let regions = try_join_all(listing.names.iter().map(|name| region_of(aws, name))).await?;
    Ok(listing.names.into_iter().zip(regions).filter(|(_, region)| region == aws.region()).map(|(name, _)| name).collect())
}

/// Above this many buckets, one account-wide `ListMetrics` is cheaper than one a bucket.
const LIST_METRICS_PER_BUCKET_UP_TO: usize = 20;

/// Reads what each named bucket stores, from S3's daily storage metrics: the latest
/// `BucketSizeBytes` of each storage type the bucket has (`ListMetrics` says which) and
/// its `NumberOfObjects`. A bucket S3 reports nothing for stores nothing.
pub async fn read_storage(aws: &Aws, s3: &mut S3, names: &[String]) -> Result<(), AwsError> {
    use crate::metrics::{Series, by_name, client, list, read, window};
    if names.is_empty() {
        return Ok(());
    }
    let client = client(aws);
    let wanted: std::collections::BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let mut types: Vec<(String, String)> = Vec::new();
    let listings = if names.len() > LIST_METRICS_PER_BUCKET_UP_TO {
        vec![list(aws, &client, "AWS/S3", "BucketSizeBytes", None).await?]
    } else {
        try_join_all(names.iter().map(|name| list(aws, &client, "AWS/S3", "BucketSizeBytes", Some(("BucketName", name))))).await?
    };
    for dimensions in listings.iter().flatten() {
        let named = by_name(dimensions);
        if let (Some(bucket), Some(storage_type)) = (named.get("BucketName"), named.get("StorageType"))
            && wanted.contains(bucket)
            && named.len() == 2
        {
            types.push(((*bucket).to_owned(), (*storage_type).to_owned()));
        }
    }
    types.sort();
    types.dedup();
    let day = 86_400;
    let mut series: Vec<Series> = types
        .iter()
        .map(|(bucket, storage_type)| Series {
            namespace: "AWS/S3",
            metric: "BucketSizeBytes",
            dimensions: vec![("BucketName", bucket.clone()), ("StorageType", storage_type.clone())],
            stat: "Average",
            period_seconds: day,
        })
        .collect();
    series.extend(names.iter().map(|bucket| Series {
        namespace: "AWS/S3",
        metric: "NumberOfObjects",
        dimensions: vec![("BucketName", bucket.clone()), ("StorageType", "AllStorageTypes".to_owned())],
        stat: "Average",
        period_seconds: day,
    }));
    // S3 publishes once a day: three days find the latest even when a day is late.
    let values = read(aws, &client, &series, window(3, i64::from(day))).await?;
    // An exabyte is far beyond any bucket: a figure above it is not a reading.
    let latest =
        |at: usize| values.get(at).and_then(|points| points.last()).map(|(_, value)| *value).filter(|value| value.is_finite() && (0.0..=1e18).contains(value));
    // Each bucket's series, gathered in one pass: thousands of buckets, thousands of series.
    let mut read: BTreeMap<&str, holdfast_inventory::s3::Storage> = BTreeMap::new();
    for (at, (bucket, storage_type)) in types.iter().enumerate() {
        if let Some(bytes) = latest(at) {
            read.entry(bucket.as_str()).or_default().bytes.insert(storage_type.clone(), bytes as u64);
        }
    }
    for (at, name) in names.iter().enumerate() {
        read.entry(name.as_str()).or_default().objects = latest(types.len() + at).map(|objects| objects as u64);
    }
    for bucket in &mut s3.buckets {
        if let Some(storage) = read.remove(bucket.name.as_str()) {
            bucket.storage = Some(storage);
        }
    }
    Ok(())
}
