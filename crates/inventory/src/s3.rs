//! S3 buckets: default encryption, lifecycle configuration, and whether they hold objects.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Tags;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct S3 {
    pub buckets: Vec<Bucket>,
    /// The name of every bucket the account owns in this region: destinations are
    /// checked against it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// Buckets named by the desired state that exist but are not among the account's in
    /// this region (a central logging bucket of another account, or one of this account
    /// in another region): HeadBucket found them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elsewhere: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    /// None when the bucket has no default encryption configuration (before 2023,
    /// or on an emulator); AWS now applies SSE-S3 to such buckets.
    pub encryption: Option<Encryption>,
    /// None when the bucket has no lifecycle configuration at all.
    pub lifecycle: Option<Lifecycle>,
    /// Whether a one-key listing found no object; None when it was not read.
    pub empty: Option<bool>,
    /// None when they were not read: a bucket's tags cost a call, made only where a tag
    /// selector or the ownership note of a change needs them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// The bucket's public access block; all four off when none is configured. None when
    /// it was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<PublicAccessBlock>,
    /// The bucket policy exactly as S3 returns it; None when there is none or it was not
    /// read (the coverage says which).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// What the bucket stores, from S3's daily CloudWatch metrics: read only when costs
    /// are asked for. None when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Storage>,
}

/// A bucket's bytes by storage type, as S3 reports them daily (`BucketSizeBytes` by
/// `StorageType`: `StandardStorage`, `IntelligentTieringFAStorage`, `GlacierStorage`, ...),
/// and its object count (`NumberOfObjects`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Storage {
    pub bytes: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<u64>,
}

impl Storage {
    pub fn total_bytes(&self) -> u64 {
        self.bytes.values().sum()
    }
}

/// What a bucket whose tags were not read is selected with: no tag selector asks for them.
static NO_TAGS: Tags = BTreeMap::new();

impl Bucket {
    /// The tags as read; none when they were not.
    pub fn tags_or_none(&self) -> &Tags {
        self.tags.as_ref().unwrap_or(&NO_TAGS)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub fn all(on: bool) -> Self {
        Self { block_public_acls: on, ignore_public_acls: on, block_public_policy: on, restrict_public_buckets: on }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Encryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    /// As AWS reports it: a key id, key ARN or alias ARN; None means the AWS managed key.
    pub kms_key: Option<String>,
    pub bucket_key: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub rules: Vec<LifecycleRule>,
    /// `all_storage_classes_128K` or `varies_by_storage_class`, when reported.
    pub transition_minimum_object_size: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRule {
    pub id: String,
    /// `Enabled` or `Disabled`.
    pub status: String,
    /// The rule's `Filter`, exactly as stored: absent, `{}`, or with conditions.
    pub filter: Option<LifecycleFilter>,
    /// The deprecated top-level `Prefix`, from before filters existed.
    pub legacy_prefix: Option<String>,
    #[serde(default)]
    pub transitions: Vec<Transition>,
    pub expiration_days: Option<u32>,
    pub noncurrent_expiration_days: Option<u32>,
    pub abort_incomplete_multipart_days: Option<u32>,
    /// The settings of the rule the desired state cannot declare (`NoncurrentVersionTransitions`,
    /// `Expiration.Date`, ...): a put of the rules holdfast models would drop them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmodelled: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleFilter {
    pub prefix: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub object_size_greater_than: Option<i64>,
    pub object_size_less_than: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// None for a date-based transition, which holdfast does not manage.
    pub days: Option<u32>,
    pub storage_class: String,
}
