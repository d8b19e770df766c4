//! Elastic Load Balancing (v2) load balancers the desired state selects.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Elb {
    pub load_balancers: Vec<LoadBalancer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancer {
    pub name: String,
    pub arn: String,
    /// `application`, `network` or `gateway`.
    pub kind: String,
    pub dns_name: Option<String>,
    pub deletion_protection: bool,
    /// Read for load balancers to delete, so the plan can show what goes with them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listeners: Option<Vec<Listener>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_groups: Option<Vec<TargetGroup>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Listener {
    pub port: Option<i32>,
    pub protocol: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TargetGroup {
    pub name: String,
    pub arn: String,
    /// Targets registered, whatever their health.
    pub registered_targets: usize,
}
