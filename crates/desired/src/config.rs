//! `[config]`: the AWS Config recorder of the account's region and its delivery channel.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::check::Checker;
use crate::origin::{Origin, impl_has_origin};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `false` deletes the recorder and its delivery channel, only with `--allow-delete`;
    /// the configuration history already delivered stays in the bucket.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Record every supported resource type.
    pub all_supported: Option<bool>,
    /// Record global resources (IAM) too.
    pub include_global_resources: Option<bool>,
    /// The bucket configuration snapshots and history are delivered to.
    #[schemars(with = "Option<String>")]
    pub bucket: Option<Spanned<String>>,
    pub prefix: Option<String>,
    /// StartConfigurationRecorder / StopConfigurationRecorder.
    #[serde(default = "yes")]
    pub recording: bool,
    /// The role the recorder uses; AWS Config's service-linked role when left out.
    #[schemars(with = "Option<String>")]
    pub role: Option<Spanned<String>>,
    #[serde(skip)]
    pub origin: Origin,
}

fn yes() -> bool {
    true
}

impl_has_origin!(Config);

impl Config {
    pub fn bucket(&self) -> Option<&str> {
        self.bucket.as_ref().map(|bucket| bucket.get_ref().as_str())
    }

    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref().map(|prefix| prefix.trim_matches('/')).filter(|prefix| !prefix.is_empty())
    }
}

/// AWS Config's service-linked role, which AWS recommends for the recorder.
pub fn service_linked_role(account_id: &str) -> String {
    format!("arn:aws:iam::{account_id}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")
}

pub(crate) fn check(checker: &mut Checker<'_>) {
    let Some(config) = checker.desired.config.as_deref() else { return };
    if config.enabled && config.bucket.is_none() {
        checker.entry_error(
            &config.origin,
            "[config] has no bucket",
            Some("add bucket = \"...\": AWS Config cannot record without a delivery channel to an S3 bucket".to_owned()),
        );
    }
    if let Some(role) = &config.role
        && !role.get_ref().starts_with("arn:aws:iam::")
    {
        checker.error(&config.origin, role.span(), format!("`{}` is not an IAM role ARN", role.get_ref()), Some("arn:aws:iam::ACCOUNT:role/NAME".to_owned()));
    }
    if let Some(bucket) = &config.bucket
        && let Some(problem) = crate::s3::bucket_name_problem(bucket.get_ref())
    {
        checker.error(&config.origin, bucket.span(), problem, Some(crate::s3::BUCKET_NAME_HINT.to_owned()));
    }
    if config.all_supported == Some(false) {
        checker.entry_error(
            &config.origin,
            "[config] all_supported = false records nothing: holdfast does not manage a recorder's list of resource types",
            Some("leave all_supported out to keep the recorder's own list, or set it to true".to_owned()),
        );
    }
    if !config.enabled && (config.bucket.is_some() || config.all_supported.is_some() || config.include_global_resources.is_some()) {
        checker.entry_error(
            &config.origin,
            "[config] is `enabled = false` but also sets its configuration",
            Some("a recorder to delete has nothing to configure: keep enabled = false alone".to_owned()),
        );
    }
}
