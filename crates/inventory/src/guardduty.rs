//! The GuardDuty detector of the region.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GuardDuty {
    /// None when the region has no detector.
    pub detector: Option<Detector>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detector {
    pub id: String,
    /// Status `ENABLED`; a suspended detector monitors nothing.
    pub enabled: bool,
    pub finding_frequency: Option<String>,
    /// Feature name to `ENABLED` or `DISABLED`, as GetDetector reports them.
    #[serde(default)]
    pub features: BTreeMap<String, String>,
    /// A feature's additional configuration (`EKS_ADDON_MANAGEMENT`, ...) to its status:
    /// sent back as it is whenever the feature list is.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub additional: BTreeMap<String, BTreeMap<String, String>>,
}

impl Detector {
    pub fn feature_enabled(&self, feature: &str) -> bool {
        self.features.get(feature).is_some_and(|status| status == "ENABLED")
    }
}
