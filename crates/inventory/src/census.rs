//! The name of every resource of the kinds holdfast manages, whether or not the desired
//! state selects it: what `holdfast drift` counts to say how much of the account is
//! governed. Only names (and tags where the list gives them): nothing is described.

use serde::{Deserialize, Serialize};

use crate::Tags;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Census {
    /// `CLUSTER/SERVICE`.
    pub ecs_services: Vec<String>,
    pub aurora_clusters: Vec<Named>,
    /// Buckets in the account's region.
    pub s3_buckets: Vec<String>,
    pub vpcs: Vec<Named>,
}

/// A resource whose listing also gives its tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Named {
    /// The identifier: a cluster identifier, a VPC id.
    pub id: String,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl Named {
    /// The `Name` tag, as the console shows it.
    pub fn name(&self) -> Option<&str> {
        self.tags.get("Name").map(String::as_str)
    }
}

impl Census {
    pub(crate) fn sort(&mut self) {
        self.ecs_services.sort();
        self.aurora_clusters.sort_by(|a, b| a.id.cmp(&b.id));
        self.s3_buckets.sort();
        self.vpcs.sort_by(|a, b| a.id.cmp(&b.id));
    }
}
