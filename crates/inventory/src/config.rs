//! AWS Config: the region's configuration recorder and delivery channel.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// AWS allows one customer recorder per region.
    pub recorders: Vec<Recorder>,
    pub channels: Vec<DeliveryChannel>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorder {
    pub name: String,
    pub role_arn: Option<String>,
    pub all_supported: bool,
    pub include_global_resources: bool,
    /// DescribeConfigurationRecorderStatus `recording`.
    pub recording: bool,
    /// The resource types recorded when not all are; kept when the recorder is put again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_types: Vec<String>,
    /// `CONTINUOUS` or `DAILY`, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_frequency: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryChannel {
    pub name: String,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    /// Settings holdfast does not manage, kept when the channel is put again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns_topic_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_frequency: Option<String>,
}
