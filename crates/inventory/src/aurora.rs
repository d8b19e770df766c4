//! Aurora DB clusters: Serverless v2 capacity and storage encryption.

use serde::{Deserialize, Serialize};

use crate::Tags;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Aurora {
    pub clusters: Vec<Cluster>,
    /// RDS databases outside Aurora (instances, and Multi-AZ DB clusters of other engines):
    /// read by the audit alone, which checks their encryption; None when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_databases: Option<Vec<Database>>,
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
    /// None when the cluster has no Serverless v2 scaling configuration.
    pub serverless_v2: Option<Scaling>,
    pub storage_encrypted: bool,
    /// The key ARN, when encrypted.
    pub kms_key_id: Option<String>,
    /// The cluster's DB instances, from the cluster description itself; None in snapshots
    /// taken before format 4. A cluster with none is still a cluster of stored data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    pub min_acu: f64,
    pub max_acu: f64,
}
