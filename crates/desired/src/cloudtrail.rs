//! `[[cloudtrail.trail]]`: trails, where they deliver, and whether they are logging.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::check::Checker;
use crate::origin::{Ensure, Entries, Origin, impl_has_origin};

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloudTrail {
    #[serde(default)]
    pub trail: Entries<TrailEntry>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailEntry {
    /// The trail's exact name; trails are planned from their home region.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    pub multi_region: Option<bool>,
    pub log_file_validation: Option<bool>,
    pub global_service_events: Option<bool>,
    /// The bucket the trail delivers to; required unless `ensure = "absent"`.
    #[schemars(with = "Option<String>")]
    pub bucket: Option<Spanned<String>>,
    /// The key prefix in the bucket; left out means none.
    pub prefix: Option<String>,
    /// A key id, key ARN or alias that encrypts the log files; unmanaged when left out.
    pub kms_key: Option<String>,
    /// StartLogging / StopLogging.
    #[serde(default = "yes")]
    pub logging: bool,
    #[serde(default)]
    pub ensure: Ensure,
    #[serde(skip)]
    pub origin: Origin,
}

fn yes() -> bool {
    true
}

impl_has_origin!(TrailEntry);

impl TrailEntry {
    pub fn name(&self) -> &str {
        self.name.get_ref()
    }

    pub fn bucket(&self) -> Option<&str> {
        self.bucket.as_ref().map(|bucket| bucket.get_ref().as_str())
    }

    /// The prefix as CloudTrail stores it: no slashes around it, None when empty.
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref().map(|prefix| prefix.trim_matches('/')).filter(|prefix| !prefix.is_empty())
    }
}

pub(crate) fn check(checker: &mut Checker<'_>) {
    for entry in checker.desired.cloudtrail.trail.iter() {
        let name = entry.name();
        let valid = (3..=128).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !valid {
            checker.error(
                &entry.origin,
                entry.name.span(),
                format!("`{name}` is not a valid trail name"),
                Some("3 to 128 letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit".to_owned()),
            );
        }
        match (entry.ensure, &entry.bucket) {
            (Ensure::Present, None) => checker.entry_error(
                &entry.origin,
                format!("trail `{name}` has no bucket"),
                Some("add bucket = \"...\": the S3 bucket the trail delivers its log files to".to_owned()),
            ),
            (Ensure::Absent, _) if entry.bucket.is_some() || entry.multi_region.is_some() || entry.log_file_validation.is_some() || entry.kms_key.is_some() => {
                checker.entry_error(
                    &entry.origin,
                    format!("trail `{name}` is `ensure = \"absent\"` but also sets its configuration"),
                    Some("a trail to delete has nothing to configure: keep name and ensure".to_owned()),
                );
            }
            _ => {}
        }
        if let Some(bucket) = &entry.bucket
            && let Some(problem) = crate::s3::bucket_name_problem(bucket.get_ref())
        {
            checker.error(&entry.origin, bucket.span(), problem, Some(crate::s3::BUCKET_NAME_HINT.to_owned()));
        }
    }
    let trails = &checker.desired.cloudtrail.trail;
    checker.duplicates("trail", trails.iter().map(|entry| (entry.name().to_owned(), &entry.origin)));
}
