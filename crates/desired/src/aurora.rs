//! `[[aurora.cluster]]`: Aurora Serverless v2 capacity and storage encryption.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::check::Checker;
use crate::origin::{Entries, Origin, impl_has_origin};
use crate::selector::{NameGlob, TagSelector};

/// The capacity range and step Aurora Serverless v2 accepts (0 needs auto-pause support).
pub const MIN_ACU: f64 = 0.0;
pub const MAX_ACU: f64 = 256.0;
pub const ACU_STEP: f64 = 0.5;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Aurora {
    #[serde(default)]
    pub cluster: Entries<ClusterEntry>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterEntry {
    /// Glob over the DB cluster identifier.
    #[serde(rename = "match")]
    pub name: NameGlob,
    #[serde(default)]
    pub tags: TagSelector,
    #[schemars(with = "Option<f64>", range(min = 0, max = 256), extend("multipleOf" = 0.5))]
    pub min_acu: Option<Spanned<f64>>,
    #[schemars(with = "Option<f64>", range(min = 0, max = 256), extend("multipleOf" = 0.5))]
    pub max_acu: Option<Spanned<f64>>,
    /// Can only be chosen when a cluster is created: changing it means a replacement.
    pub storage_encrypted: Option<bool>,
    /// The key for an encrypted cluster; `alias/aws/rds` when left out.
    pub kms_key: Option<String>,
    /// The name of the encrypted cluster a migration restores: a literal for an entry that
    /// selects one cluster, or a pattern with `{name}` (the source's identifier);
    /// `{name}-enc` when left out.
    #[schemars(with = "Option<String>")]
    pub new_name: Option<Spanned<String>>,
    /// How a migration encrypts: by restoring the snapshot straight under the key
    /// (`direct`, the default), or by copying it under the key first (`copy`). Read as
    /// text, so a wrong value is reported with the two that are right.
    #[serde(rename = "migration")]
    #[schemars(with = "Option<String>")]
    pub migration_text: Option<Spanned<String>>,
    #[serde(skip)]
    pub origin: Origin,
}

impl_has_origin!(ClusterEntry);

/// How an encryption migration makes the encrypted data: Aurora restores an unencrypted
/// snapshot to an encrypted cluster when the restore names a key, which saves a full copy
/// of the data; the copy is the older runbook's way, kept for those who want an encrypted
/// snapshot to keep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Migration {
    #[default]
    Direct,
    Copy,
}

/// The suffix of the encrypted cluster's name when the entry gives no `new_name`.
pub const NEW_NAME_SUFFIX: &str = "-enc";

/// The longest DB cluster or instance identifier RDS accepts.
pub const MAX_IDENTIFIER: usize = 63;

impl ClusterEntry {
    /// The name of the encrypted cluster that replaces `source`, lowercased as RDS stores
    /// every identifier.
    pub fn new_name_for(&self, source: &str) -> String {
        match &self.new_name {
            Some(pattern) => pattern.get_ref().replace("{name}", source).to_ascii_lowercase(),
            None => format!("{source}{NEW_NAME_SUFFIX}").to_ascii_lowercase(),
        }
    }

    /// How the migration encrypts; `direct` when not said (a wrong value is a load error).
    pub fn migration(&self) -> Migration {
        match self.migration_text.as_ref().map(|text| text.get_ref().as_str()) {
            Some("copy") => Migration::Copy,
            _ => Migration::Direct,
        }
    }

    /// Whether the entry asks for encryption at all: only then can a migration concern it.
    pub fn asks_encryption(&self) -> bool {
        self.storage_encrypted == Some(true) || (self.kms_key.is_some() && self.storage_encrypted != Some(false))
    }

    /// True when `new_name` names one cluster, not a pattern over the selected ones.
    pub fn new_name_is_literal(&self) -> bool {
        self.new_name.as_ref().is_some_and(|pattern| !pattern.get_ref().contains("{name}"))
    }

    pub fn min_acu(&self) -> Option<f64> {
        self.min_acu.as_ref().map(|value| *value.get_ref())
    }

    pub fn max_acu(&self) -> Option<f64> {
        self.max_acu.as_ref().map(|value| *value.get_ref())
    }
}

pub(crate) fn check(checker: &mut Checker<'_>) {
    for entry in checker.desired.aurora.cluster.iter() {
        for (field, value) in [("min_acu", &entry.min_acu), ("max_acu", &entry.max_acu)] {
            let Some(value) = value else { continue };
            let acu = *value.get_ref();
            if !(MIN_ACU..=MAX_ACU).contains(&acu) {
                checker.error(
                    &entry.origin,
                    value.span(),
                    format!("{field} = {acu} is outside {MIN_ACU}..={MAX_ACU}"),
                    Some("Aurora Serverless v2 scales between 0 and 256 ACUs".to_owned()),
                );
            } else if (acu / ACU_STEP).fract() != 0.0 {
                checker.error(
                    &entry.origin,
                    value.span(),
                    format!("{field} = {acu} is not a multiple of {ACU_STEP}"),
                    Some(format!("Aurora Serverless v2 capacity moves in steps of half an ACU: try {}", (acu / ACU_STEP).round() * ACU_STEP)),
                );
            }
        }
        if let Some(max) = &entry.max_acu
            && *max.get_ref() < 1.0
            && *max.get_ref() >= MIN_ACU
        {
            checker.error(
                &entry.origin,
                max.span(),
                format!("max_acu = {} is below 1", max.get_ref()),
                Some("Aurora Serverless v2 needs a maximum of at least 1 ACU".to_owned()),
            );
        }
        if let (Some(min), Some(max)) = (&entry.min_acu, &entry.max_acu)
            && min.get_ref() > max.get_ref()
        {
            checker.error(
                &entry.origin,
                min.span(),
                format!("min_acu = {} is above max_acu = {}", min.get_ref(), max.get_ref()),
                Some("swap them, or raise max_acu".to_owned()),
            );
        }
        if entry.kms_key.as_deref().is_some_and(|key| key.trim().is_empty()) {
            checker.entry_error(
                &entry.origin,
                "kms_key is empty",
                Some("name a key (alias/NAME, a key id or ARN), or leave kms_key out for alias/aws/rds".to_owned()),
            );
        }
        if entry.kms_key.is_some() && entry.storage_encrypted == Some(false) {
            checker.entry_error(
                &entry.origin,
                "kms_key is set on a cluster with storage_encrypted = false",
                Some("remove kms_key, or set storage_encrypted = true".to_owned()),
            );
        }
    }
    for entry in checker.desired.aurora.cluster.iter() {
        if let Some(migration) = &entry.migration_text
            && !["direct", "copy"].contains(&migration.get_ref().as_str())
        {
            checker.error(
                &entry.origin,
                migration.span(),
                format!("migration = {:?} is not a way to migrate", migration.get_ref()),
                Some("write migration = \"direct\" (restore the snapshot under the key, the default) or \"copy\" (copy it under the key first)".to_owned()),
            );
        }
        if (entry.new_name.is_some() || entry.migration_text.is_some()) && !entry.asks_encryption() {
            checker.entry_error(
                &entry.origin,
                "new_name and migration say how to encrypt, but the entry asks for no encryption",
                Some("add storage_encrypted = true (or a kms_key), or remove them".to_owned()),
            );
        }
        let Some(new_name) = &entry.new_name else { continue };
        if new_name.get_ref().trim() == "{name}" {
            checker.error(
                &entry.origin,
                new_name.span(),
                "new_name = \"{name}\" gives the encrypted cluster its source's own name",
                Some("a restore needs a new name: try \"{name}-enc\"".to_owned()),
            );
            continue;
        }
        // The pattern is checked with a stand-in name; each real one is checked when planned.
        let example = new_name.get_ref().replace("{name}", "a");
        if let Some(problem) = identifier_problem(&example) {
            checker.error(
                &entry.origin,
                new_name.span(),
                format!("new_name = {:?} is not a DB cluster identifier: {problem}", new_name.get_ref()),
                Some("letters, digits and hyphens, starting with a letter, at most 63 characters; `{name}` stands for the source's identifier".to_owned()),
            );
        }
    }
    let clusters = &checker.desired.aurora.cluster;
    checker.duplicates("Aurora selector", clusters.iter().map(|entry| (crate::selector::describe(&entry.name, &entry.tags), &entry.origin)));
}

/// Why `identifier` is not one RDS accepts for a DB cluster or instance, if it is not.
pub fn identifier_problem(identifier: &str) -> Option<String> {
    if identifier.is_empty() {
        return Some("it is empty".to_owned());
    }
    if identifier.len() > MAX_IDENTIFIER {
        return Some(format!("it is {} characters long, and RDS allows {MAX_IDENTIFIER}", identifier.len()));
    }
    if let Some(bad) = identifier.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
        return Some(format!("it holds {bad:?}, and only ASCII letters, digits and hyphens are allowed"));
    }
    if !identifier.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some("it does not start with a letter".to_owned());
    }
    if identifier.ends_with('-') || identifier.contains("--") {
        return Some("it ends with a hyphen or holds two in a row".to_owned());
    }
    None
}

/// The name of the `index`th instance (from 0) of a migration's new cluster: `NEW-1`,
/// `NEW-2`, ..., the cluster's name cut to fit RDS's limit, so it is always the same.
pub fn instance_name(new_cluster: &str, index: usize) -> String {
    fit(new_cluster, &format!("-{}", index + 1))
}

/// The name of the manual snapshot a migration of `source` takes.
pub fn snapshot_name(source: &str) -> String {
    fit(source, "-encryption-snapshot")
}

/// The name of the copy of that snapshot under the key, with `migration = "copy"`.
pub fn copy_name(source: &str) -> String {
    fit(source, "-encryption-copy")
}

/// `stem` and `suffix`, the stem cut so the whole is a name RDS accepts (63 characters
/// for instances and snapshots alike), the same every time.
fn fit(stem: &str, suffix: &str) -> String {
    let stem = stem[..stem.len().min(MAX_IDENTIFIER.saturating_sub(suffix.len()))].trim_end_matches('-');
    format!("{stem}{suffix}")
}
