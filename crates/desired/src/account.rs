//! `[account]`: which account and region this desired state describes.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::check::Checker;
use crate::origin::Origin;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The 12-digit account id. Reading or applying refuses any other account.
    #[schemars(with = "String", regex(pattern = r"^[0-9]{12}$"))]
    pub id: Spanned<String>,
    #[schemars(with = "String", regex(pattern = r"^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$"))]
    pub region: Spanned<String>,
    #[serde(skip)]
    pub origin: Origin,
}

impl Account {
    pub fn id(&self) -> &str {
        self.id.get_ref()
    }

    pub fn region(&self) -> &str {
        self.region.get_ref()
    }
}

pub(crate) fn check(checker: &mut Checker<'_>) {
    let Some(account) = &checker.desired.account else { return };
    let id = account.id.get_ref();
    if id.len() != 12 || !id.bytes().all(|byte| byte.is_ascii_digit()) {
        checker.error(
            &account.origin,
            account.id.span(),
            format!("account id `{id}` is not 12 digits"),
            Some("write it as a quoted string so leading zeros survive: id = \"012345678901\"".to_owned()),
        );
    }
    let region = account.region.get_ref();
    if !looks_like_region(region) {
        checker.error(
            &account.origin,
            account.region.span(),
            format!("`{region}` is not an AWS region name"),
            Some("regions look like `us-east-1` or `eu-central-2`".to_owned()),
        );
    }
}

/// `us-east-1`, `eu-central-2`: lowercase words and a number, by dashes.
pub fn looks_like_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit()))
        && parts.last().is_some_and(|last| last.bytes().all(|byte| byte.is_ascii_digit()))
}
