//! `[[s3.bucket]]`: default encryption, lifecycle rules, and buckets that must not exist.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::check::Checker;
pub use crate::origin::Ensure;
use crate::origin::{Entries, Origin, impl_has_origin};
use crate::selector::{NameGlob, TagSelector, describe};

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3 {
    #[serde(default)]
    pub bucket: Entries<BucketEntry>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketEntry {
    pub name: NameGlob,
    #[serde(default)]
    pub tags: TagSelector,
    /// `absent` marks an orphan to remove; deleting needs `--allow-delete` at apply.
    #[serde(default)]
    pub ensure: Ensure,
    #[schemars(with = "Option<Encryption>")]
    pub encryption: Option<Spanned<Encryption>>,
    /// The bucket's whole lifecycle configuration: rules not listed here are removed.
    /// Leave it out to leave lifecycle unmanaged.
    #[schemars(with = "Option<Vec<LifecycleRule>>")]
    pub lifecycle: Option<Vec<Spanned<LifecycleRule>>>,
    /// `all_storage_classes_128K` (AWS's default since September 2024) or
    /// `varies_by_storage_class`. Unmanaged when left out, so the changed default
    /// never shows as drift.
    #[schemars(with = "Option<String>", extend("enum" = ["all_storage_classes_128K", "varies_by_storage_class"]))]
    pub transition_minimum_object_size: Option<Spanned<String>>,
    /// All four public access block settings on (`true`) or off; unmanaged when left out.
    pub public_access_block: Option<bool>,
    /// A `holdfast-require-tls` statement in the bucket policy denies every request made
    /// without TLS; `false` removes it. Other statements are never touched.
    pub require_tls: Option<bool>,
    /// The AWS services that deliver logs here: each gets the policy statements it needs
    /// (`holdfast-cloudtrail-*`, ...). Services left out lose holdfast's statements only.
    #[schemars(with = "Option<Vec<Delivery>>")]
    pub deliveries: Option<Vec<Spanned<Delivery>>>,
    #[serde(skip)]
    pub origin: Origin,
}

/// A service that writes log files into a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    Cloudtrail,
    Config,
    FlowLogs,
}

impl Delivery {
    pub const ALL: [Delivery; 3] = [Delivery::Cloudtrail, Delivery::Config, Delivery::FlowLogs];

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Cloudtrail => "cloudtrail",
            Delivery::Config => "config",
            Delivery::FlowLogs => "flow-logs",
        }
    }
}

impl BucketEntry {
    /// Whether the entry manages the bucket policy at all.
    pub fn manages_policy(&self) -> bool {
        self.require_tls.is_some() || self.deliveries.is_some()
    }

    pub fn delivers(&self, delivery: Delivery) -> bool {
        self.deliveries.as_ref().is_some_and(|deliveries| deliveries.iter().any(|declared| *declared.get_ref() == delivery))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Encryption {
    pub algorithm: SseAlgorithm,
    /// A key id, key ARN or `alias/...`; for `aws:kms` without one, AWS uses `alias/aws/s3`.
    pub kms_key: Option<String>,
    /// S3 Bucket Keys cut KMS request costs; AWS's default for new configurations is off.
    pub bucket_key: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum SseAlgorithm {
    #[serde(rename = "AES256")]
    Aes256,
    #[serde(rename = "aws:kms")]
    AwsKms,
    #[serde(rename = "aws:kms:dsse")]
    AwsKmsDsse,
}

impl SseAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            SseAlgorithm::Aes256 => "AES256",
            SseAlgorithm::AwsKms => "aws:kms",
            SseAlgorithm::AwsKmsDsse => "aws:kms:dsse",
        }
    }

    pub fn uses_kms(self) -> bool {
        !matches!(self, SseAlgorithm::Aes256)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRule {
    pub id: String,
    /// Objects under this prefix; left out (or `""`) means the whole bucket.
    pub prefix: Option<String>,
    #[serde(default = "enabled")]
    pub enabled: bool,
    #[serde(default)]
    pub transitions: Vec<Transition>,
    pub expiration_days: Option<u32>,
    pub noncurrent_expiration_days: Option<u32>,
    pub abort_incomplete_multipart_days: Option<u32>,
}

fn enabled() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub days: u32,
    pub class: StorageClass,
}

/// Storage classes a lifecycle transition can target, in the order S3 lets objects
/// move down through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StorageClass {
    StandardIa,
    IntelligentTiering,
    OnezoneIa,
    GlacierIr,
    Glacier,
    DeepArchive,
}

impl StorageClass {
    pub fn as_str(self) -> &'static str {
        match self {
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::OnezoneIa => "ONEZONE_IA",
            StorageClass::GlacierIr => "GLACIER_IR",
            StorageClass::Glacier => "GLACIER",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
        }
    }

    /// S3 refuses transitions into the infrequent-access classes before 30 days.
    fn minimum_days(self) -> u32 {
        match self {
            StorageClass::StandardIa | StorageClass::OnezoneIa => 30,
            _ => 0,
        }
    }
}

impl_has_origin!(BucketEntry);

/// What is wrong with a bucket name, as S3's naming rules say.
pub fn bucket_name_problem(name: &str) -> Option<String> {
    let valid = (3..=63).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    (!valid).then(|| format!("`{name}` is not a valid bucket name"))
}

pub(crate) const BUCKET_NAME_HINT: &str =
    "3 to 63 lowercase letters, digits, `.` and `-`, starting and ending with a letter or digit; the name alone, no s3:// or ARN";

const MINIMUM_OBJECT_SIZES: [&str; 2] = ["all_storage_classes_128K", "varies_by_storage_class"];

pub(crate) fn check(checker: &mut Checker<'_>) {
    for entry in checker.desired.s3.bucket.iter() {
        if entry.ensure == Ensure::Absent {
            if entry.encryption.is_some()
                || entry.lifecycle.is_some()
                || entry.transition_minimum_object_size.is_some()
                || entry.public_access_block.is_some()
                || entry.manages_policy()
            {
                checker.entry_error(
                    &entry.origin,
                    format!("bucket `{}` is `ensure = \"absent\"` but also sets its configuration", entry.name),
                    Some("an absent bucket has nothing to configure: remove encryption, lifecycle and policy settings".to_owned()),
                );
            }
            if !entry.name.is_literal() {
                checker.entry_error(
                    &entry.origin,
                    format!("`ensure = \"absent\"` needs an exact bucket name, not the glob `{}`", entry.name),
                    Some("a glob could delete buckets nobody meant to; name each bucket".to_owned()),
                );
            }
        }
        if let Some(encryption) = &entry.encryption {
            let value = encryption.get_ref();
            if value.kms_key.is_some() && !value.algorithm.uses_kms() {
                checker.error(
                    &entry.origin,
                    encryption.span(),
                    "kms_key is set with algorithm = \"AES256\"",
                    Some("SSE-S3 (AES256) uses S3's own keys: use algorithm = \"aws:kms\" for a KMS key".to_owned()),
                );
            }
            if value.bucket_key.is_some() && !value.algorithm.uses_kms() {
                checker.error(
                    &entry.origin,
                    encryption.span(),
                    "bucket_key is set with algorithm = \"AES256\"",
                    Some("S3 Bucket Keys apply to SSE-KMS only".to_owned()),
                );
            }
        }
        if let Some(size) = &entry.transition_minimum_object_size
            && !MINIMUM_OBJECT_SIZES.contains(&size.get_ref().as_str())
        {
            let hint =
                crate::diagnostic::did_you_mean(size.get_ref(), MINIMUM_OBJECT_SIZES).unwrap_or_else(|| format!("one of {}", MINIMUM_OBJECT_SIZES.join(", ")));
            checker.error(&entry.origin, size.span(), format!("unknown transition_minimum_object_size `{}`", size.get_ref()), Some(hint));
        }
        if let Some(deliveries) = &entry.deliveries {
            for (index, delivery) in deliveries.iter().enumerate() {
                if deliveries[..index].iter().any(|earlier| earlier.get_ref() == delivery.get_ref()) {
                    checker.error(&entry.origin, delivery.span(), format!("delivery `{}` is listed twice", delivery.get_ref().as_str()), None);
                }
            }
            if !entry.name.is_literal() {
                checker.entry_error(
                    &entry.origin,
                    format!("deliveries need an exact bucket name, not the glob `{}`", entry.name),
                    Some("name the logging bucket: the statements name it in their resources".to_owned()),
                );
            }
        }
        let rules = entry.lifecycle.as_deref().unwrap_or_default();
        if rules.len() > 1000 {
            checker.entry_error(&entry.origin, format!("{} lifecycle rules; S3 takes at most 1000", rules.len()), None);
        }
        let mut ids: Vec<&str> = Vec::new();
        for rule in rules {
            check_rule(checker, &entry.origin, rule);
            let id = rule.get_ref().id.as_str();
            if ids.contains(&id) {
                checker.error(
                    &entry.origin,
                    rule.span(),
                    format!("lifecycle rule id `{id}` is used twice in bucket `{}`", entry.name),
                    Some("rule ids must be unique within a bucket".to_owned()),
                );
            }
            ids.push(id);
        }
    }
    let buckets = &checker.desired.s3.bucket;
    checker.duplicates("bucket selector", buckets.iter().map(|entry| (describe(&entry.name, &entry.tags), &entry.origin)));
}

fn check_rule(checker: &mut Checker<'_>, origin: &Origin, rule: &Spanned<LifecycleRule>) {
    let span = rule.span();
    let rule = rule.get_ref();
    let mut error = |message: String, hint: &str| checker.error(origin, span.clone(), message, Some(hint.to_owned()));
    if rule.id.is_empty() || rule.id.len() > 255 {
        error(format!("lifecycle rule id `{}` must be 1 to 255 characters", rule.id), "give each rule a short, unique id");
    }
    if rule.transitions.is_empty()
        && rule.expiration_days.is_none()
        && rule.noncurrent_expiration_days.is_none()
        && rule.abort_incomplete_multipart_days.is_none()
    {
        error(format!("lifecycle rule `{}` does nothing", rule.id), "give it transitions, expiration_days or abort_incomplete_multipart_days");
    }
    for transition in &rule.transitions {
        let minimum = transition.class.minimum_days();
        if transition.days < minimum {
            error(
                format!(
                    "lifecycle rule `{}`: a transition to {} after {} days; S3 requires at least {minimum}",
                    rule.id,
                    transition.class.as_str(),
                    transition.days
                ),
                "objects must stay 30 days in S3 Standard before moving to STANDARD_IA or ONEZONE_IA",
            );
        }
    }
    let mut sorted = rule.transitions.clone();
    sorted.sort_by_key(|transition| transition.days);
    for pair in sorted.windows(2) {
        let (earlier, later) = (pair[0], pair[1]);
        if earlier.days == later.days {
            error(format!("lifecycle rule `{}`: two transitions on day {}", rule.id, earlier.days), "each transition needs its own day");
        } else if later.class <= earlier.class {
            error(
                format!(
                    "lifecycle rule `{}`: {} on day {} comes after {} on day {}, which S3 cannot move objects back up from",
                    rule.id,
                    later.class.as_str(),
                    later.days,
                    earlier.class.as_str(),
                    earlier.days
                ),
                "order transitions down the waterfall: STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE",
            );
        } else if matches!(earlier.class, StorageClass::StandardIa | StorageClass::OnezoneIa) && later.days - earlier.days < 30 {
            error(
                format!(
                    "lifecycle rule `{}`: objects leave {} after {} days, before the 30 days S3 requires",
                    rule.id,
                    earlier.class.as_str(),
                    later.days - earlier.days
                ),
                "leave at least 30 days between a transition to an infrequent-access class and the next one",
            );
        }
    }
    if let (Some(expiration), Some(last)) = (rule.expiration_days, sorted.last())
        && expiration <= last.days
    {
        error(
            format!("lifecycle rule `{}`: objects expire on day {expiration}, not after their last transition on day {}", rule.id, last.days),
            "expiration_days must be later than every transition",
        );
    }
    if rule.expiration_days == Some(0) || rule.abort_incomplete_multipart_days == Some(0) || rule.noncurrent_expiration_days == Some(0) {
        error(format!("lifecycle rule `{}`: a day count of 0", rule.id), "expirations take a positive number of days");
    }
}
