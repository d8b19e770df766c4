//! Aurora DB clusters: Serverless v2 capacity and storage encryption.

use serde::{Deserialize, Serialize};

use crate::Tags;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Aurora {
    pub clusters: Vec<Cluster>,
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
