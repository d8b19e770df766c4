//! `[[kms.key]]`: customer managed keys, named by alias.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::check::Checker;
use crate::origin::{Ensure, Entries, Origin, impl_has_origin};

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Kms {
    #[serde(default)]
    pub key: Entries<KeyEntry>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    /// `alias/name`: a key is created with it when it does not exist; an existing alias's
    /// key is adopted, never recreated.
    #[schemars(with = "String")]
    pub alias: Spanned<String>,
    pub description: Option<String>,
    /// Automatic yearly rotation of the key material. Unmanaged when left out.
    pub rotation: Option<bool>,
    /// `absent` schedules the key's deletion, with KMS's longest waiting period (30 days),
    /// only with `--allow-delete`.
    #[serde(default)]
    pub ensure: Ensure,
    #[serde(skip)]
    pub origin: Origin,
}

impl_has_origin!(KeyEntry);

impl KeyEntry {
    pub fn alias(&self) -> &str {
        self.alias.get_ref()
    }
}

/// Whether `alias` is spelt as KMS accepts an alias name.
fn alias_problem(alias: &str) -> Option<(String, String)> {
    let Some(name) = alias.strip_prefix("alias/") else {
        return Some((format!("`{alias}` is not an alias name"), "KMS alias names start with `alias/`: alias/z360-phi".to_owned()));
    };
    if name.starts_with("aws/") {
        return Some((format!("`{alias}` is an AWS managed alias"), "AWS creates and owns alias/aws/*; declare a customer managed key of your own".to_owned()));
    }
    if name.is_empty() || name.len() > 250 || !name.chars().all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c)) {
        return Some((format!("`{alias}` is not a valid alias name"), "after `alias/`, 1 to 250 letters, digits, `/`, `_` and `-`".to_owned()));
    }
    None
}

pub(crate) fn check(checker: &mut Checker<'_>) {
    for entry in checker.desired.kms.key.iter() {
        if let Some((message, hint)) = alias_problem(entry.alias()) {
            checker.error(&entry.origin, entry.alias.span(), message, Some(hint));
        }
        if entry.ensure == Ensure::Absent && (entry.description.is_some() || entry.rotation.is_some()) {
            checker.entry_error(
                &entry.origin,
                format!("key `{}` is `ensure = \"absent\"` but also sets its configuration", entry.alias()),
                Some("a key to delete has nothing to configure: remove description and rotation".to_owned()),
            );
        }
    }
    let keys = &checker.desired.kms.key;
    checker.duplicates("KMS key", keys.iter().map(|entry| (entry.alias().to_owned(), &entry.origin)));
}

/// The declared key an alias reference names, in any spelling (`alias/x` or its ARN).
pub fn declared<'a>(kms: &'a Kms, reference: &str) -> Option<&'a KeyEntry> {
    let alias = match reference.find(":alias/") {
        Some(position) => &reference[position + 1..],
        None => reference,
    };
    kms.key.iter().find(|entry| entry.alias() == alias)
}
