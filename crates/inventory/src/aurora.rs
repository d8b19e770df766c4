//! Aurora DB clusters: Serverless v2 capacity and storage encryption.

use serde::{Deserialize, Serialize};

use crate::Tags;

/// The tag that marks what an encryption migration made (the snapshot, the copy, the new
/// cluster and its instances), whose value is the source cluster's identifier: how a
/// re-run finds its progress on AWS itself, and tells its own resources from others.
pub const MIGRATION_SOURCE_TAG: &str = "holdfast:encrypts";
/// Which step made the resource: `snapshot`, `copy`, `restore` or `instance`.
pub const MIGRATION_STEP_TAG: &str = "holdfast:migration-step";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Aurora {
    pub clusters: Vec<Cluster>,
    /// RDS databases outside Aurora (instances, and Multi-AZ DB clusters of other engines):
    /// read by the audit alone, which checks their encryption; None when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_databases: Option<Vec<Database>>,
    /// The manual snapshots of the clusters an encryption migration concerns, and of
    /// nothing else; None when no migration was looked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots: Option<Vec<ClusterSnapshot>>,
    /// The DB instances, of any cluster, that have the names a migration would give its
    /// new instances, with their cluster: a name taken elsewhere stops the plan, not the
    /// apply half-way. None when no migration was looked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_names_taken: Option<std::collections::BTreeMap<String, String>>,
}

/// A manual DB cluster snapshot: the snapshot and the encrypted copy of a migration are
/// found by their tags, so a re-run continues from what AWS holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterSnapshot {
    pub identifier: String,
    pub arn: String,
    /// The cluster it was taken of (a copy keeps its source's).
    pub cluster: String,
    /// `creating`, `copying`, `available`, ...
    pub status: String,
    pub percent_progress: Option<i32>,
    pub storage_encrypted: bool,
    pub kms_key_id: Option<String>,
    /// When it was taken (ISO 8601), which is when the data in it stops.
    pub created_at: Option<String>,
    /// For a copy: the snapshot it was copied from (its ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copied_from: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

/// An RDS database holdfast does not manage, as the audit sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Database {
    pub identifier: String,
    /// `instance` or `cluster`.
    pub kind: String,
    pub engine: String,
    pub storage_encrypted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    pub identifier: String,
    pub arn: String,
    pub engine: String,
    pub engine_version: String,
    /// `provisioned` (which Serverless v2 is too), `serverless` (v1), ...; None where not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_mode: Option<String>,
    /// None when the cluster has no Serverless v2 scaling configuration.
    pub serverless_v2: Option<Scaling>,
    /// `aurora` (Standard) or `aurora-iopt1` (I/O-Optimized), which bill differently;
    /// None where not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_type: Option<String>,
    pub storage_encrypted: bool,
    /// The key ARN, when encrypted.
    pub kms_key_id: Option<String>,
    /// The cluster's DB instances, from the cluster description itself; None in snapshots
    /// taken before format 4. A cluster with none is still a cluster of stored data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    #[serde(default)]
    pub tags: Tags,
    /// `available`, `creating`, `backing-up`, ...; None in snapshots before format 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `none`, `sse-rds` (an AWS owned key: encrypted, though `storage_encrypted` says
    /// false) or `sse-kms`; None where RDS does not say (before February 2026).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_type: Option<String>,
    /// The writer endpoint's host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader_endpoint: Option<String>,
    /// What a restore must be given to make the same cluster again; None before format 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
    /// The cluster's DB instances with their settings: read only for the clusters an
    /// encryption migration concerns (one more call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances: Option<Vec<Instance>>,
    /// What the cluster used over the last days, from CloudWatch: read only when costs
    /// are asked for. None when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<ClusterUsage>,
}

/// The settings of a cluster a restore from a snapshot does not carry over by itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub db_subnet_group: Option<String>,
    pub vpc_security_groups: Vec<String>,
    pub cluster_parameter_group: Option<String>,
    pub port: Option<i32>,
    pub iam_database_authentication: bool,
    pub backup_retention_days: Option<i32>,
    pub deletion_protection: bool,
    pub log_exports: Vec<String>,
    pub copy_tags_to_snapshot: bool,
    /// The Secrets Manager secret RDS keeps the master password in, when it manages it:
    /// a restored cluster does not inherit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_user_secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub identifier: String,
    pub class: String,
    pub writer: bool,
    pub promotion_tier: Option<i32>,
    pub parameter_group: Option<String>,
    pub availability_zone: Option<String>,
    pub publicly_accessible: bool,
    pub status: String,
    /// The instance endpoint's host name.
    pub endpoint: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

impl Cluster {
    /// Whether the data is encrypted at rest: with a KMS key, or, for clusters created
    /// since Aurora encrypts by default, with an AWS owned key.
    pub fn encrypted_at_rest(&self) -> bool {
        self.storage_encrypted || self.encryption_type.as_deref() == Some("sse-rds")
    }

    /// The source cluster, when an encryption migration made this one.
    pub fn migration_source(&self) -> Option<&str> {
        self.tags.get(MIGRATION_SOURCE_TAG).map(String::as_str)
    }

    /// Every host name that reaches this cluster: its writer and reader endpoints and
    /// each instance's own.
    pub fn hosts(&self) -> Vec<&str> {
        let instances = self.instances.iter().flatten().filter_map(|instance| instance.endpoint.as_deref());
        self.endpoint.as_deref().into_iter().chain(self.reader_endpoint.as_deref()).chain(instances).collect()
    }
}

/// A cluster's capacity use (`ServerlessDatabaseCapacity`, hourly averages, the cluster's
/// average over its Serverless v2 instances) and volume size (`VolumeBytesUsed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterUsage {
    /// The days looked at, ending when read.
    pub days: u32,
    /// Hourly averages, to the hundredth of an ACU, as `[acu, hours]` pairs, ascending: a
    /// few hundred pairs at most, and enough to price any cap.
    #[serde(default)]
    pub hours_at_acu: Vec<(f64, u32)>,
    /// The latest volume size, in bytes; None when the metric had no value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_bytes: Option<u64>,
    /// The class of each instance (`db.serverless`, `db.r6g.large`), where the cluster's
    /// instances were not read otherwise: only Serverless v2 ones bill by the ACU.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instance_classes: Vec<String>,
}

impl ClusterUsage {
    /// The hours with a value: fewer than the days' hours when the cluster is younger or
    /// was stopped.
    pub fn hours(&self) -> u32 {
        self.hours_at_acu.iter().map(|(_, hours)| hours).sum()
    }

    /// The average ACU over the hours with a value.
    pub fn average_acu(&self) -> Option<f64> {
        let hours = self.hours();
        (hours > 0).then(|| self.hours_at_acu.iter().map(|(acu, count)| acu * f64::from(*count)).sum::<f64>() / f64::from(hours))
    }

    /// The ACU that 95% of the hours stayed at or under.
    pub fn p95_acu(&self) -> Option<f64> {
        let hours = self.hours();
        let wanted = (f64::from(hours) * 0.95).ceil() as u32;
        let mut seen = 0;
        self.hours_at_acu
            .iter()
            .find(|(_, count)| {
                seen += count;
                seen >= wanted
            })
            .map(|(acu, _)| *acu)
    }

    /// Groups hourly averages as `hours_at_acu` holds them.
    pub fn from_hourly(days: u32, hourly: &[f64], volume_bytes: Option<u64>) -> Self {
        let mut bins: std::collections::BTreeMap<u64, u32> = std::collections::BTreeMap::new();
        // Serverless v2 scales to 256 ACU at most: anything else is not a reading.
        for value in hourly.iter().filter(|value| value.is_finite() && (0.0..=256.0).contains(*value)) {
            // Counted in hundredths, to key the map by an integer.
            *bins.entry((value * 100.0).round() as u64).or_default() += 1;
        }
        Self {
            days,
            hours_at_acu: bins.into_iter().map(|(hundredths, hours)| (hundredths as f64 / 100.0, hours)).collect(),
            volume_bytes,
            instance_classes: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    pub min_acu: f64,
    pub max_acu: f64,
}

#[cfg(test)]
mod usage_tests {
    use super::ClusterUsage;

    #[test]
    fn hourly_averages_keep_their_value_to_the_hundredth() {
        let usage = ClusterUsage::from_hourly(14, &[0.55, 0.55, 4.1, 4.104, f64::NAN, -1.0], None);
        assert_eq!(usage.hours_at_acu, vec![(0.55, 2), (4.1, 2)]);
        assert_eq!(usage.hours(), 4, "values that are not usage are left out");
        assert!((usage.average_acu().unwrap() - 2.325).abs() < 1e-9);
        assert_eq!(usage.p95_acu(), Some(4.1));
    }
}
