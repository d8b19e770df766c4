//! CloudTrail trails, and whether each is logging.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CloudTrail {
    pub trails: Vec<Trail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    /// The region the trail was created in, where alone it can be changed.
    pub home_region: String,
    pub multi_region: bool,
    pub log_file_validation: bool,
    pub global_service_events: bool,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    /// As CloudTrail reports it: a key ARN.
    pub kms_key: Option<String>,
    /// GetTrailStatus `IsLogging`; None when the status was not read.
    pub logging: Option<bool>,
}
