//! `[[aurora.cluster]]`: Aurora Serverless v2 capacity and storage encryption.

use serde::Deserialize;
use toml::Spanned;

use crate::check::Checker;
use crate::origin::{Entries, Origin, impl_has_origin};
use crate::selector::{NameGlob, TagSelector};

/// The capacity range and step Aurora Serverless v2 accepts (0 needs auto-pause support).
pub const MIN_ACU: f64 = 0.0;
pub const MAX_ACU: f64 = 256.0;
pub const ACU_STEP: f64 = 0.5;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aurora {
    #[serde(default)]
    pub cluster: Entries<ClusterEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterEntry {
    /// Glob over the DB cluster identifier.
    #[serde(rename = "match")]
    pub name: NameGlob,
    #[serde(default)]
    pub tags: TagSelector,
    pub min_acu: Option<Spanned<f64>>,
    pub max_acu: Option<Spanned<f64>>,
    /// Can only be chosen when a cluster is created: changing it means a replacement.
    pub storage_encrypted: Option<bool>,
    /// The key for an encrypted cluster; `alias/aws/rds` when left out.
    pub kms_key: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
}

impl_has_origin!(ClusterEntry);

impl ClusterEntry {
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
        if entry.kms_key.is_some() && entry.storage_encrypted == Some(false) {
            checker.entry_error(
                &entry.origin,
                "kms_key is set on a cluster with storage_encrypted = false",
                Some("remove kms_key, or set storage_encrypted = true".to_owned()),
            );
        }
    }
    let clusters = &checker.desired.aurora.cluster;
    checker.duplicates("Aurora selector", clusters.iter().map(|entry| (crate::selector::describe(&entry.name, &entry.tags), &entry.origin)));
}
