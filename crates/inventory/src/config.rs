//! AWS Config: the region's configuration recorder and delivery channel.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// AWS allows one customer recorder per region.
    pub recorders: Vec<Recorder>,
    pub channels: Vec<DeliveryChannel>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorder {
    pub name: String,
    pub role_arn: Option<String>,
    pub all_supported: bool,
    pub include_global_resources: bool,
    /// DescribeConfigurationRecorderStatus `recording`.
    pub recording: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryChannel {
    pub name: String,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
}
