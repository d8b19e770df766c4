//! VPCs and their flow logs.

use serde::{Deserialize, Serialize};

use crate::Tags;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vpcs {
    pub vpcs: Vec<Vpc>,
    /// The destination of every flow log delivering to S3, in any VPC: read when a bucket
    /// entry manages the flow-log delivery statements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub s3_destinations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: String,
    pub is_default: bool,
    #[serde(default)]
    pub tags: Tags,
    pub flow_logs: Vec<FlowLog>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowLog {
    pub id: String,
    /// `s3` or `cloud-watch-logs`.
    pub destination_type: String,
    /// The destination ARN as AWS reports it.
    pub destination: String,
    /// `ALL`, `ACCEPT` or `REJECT`.
    pub traffic_type: String,
    pub max_aggregation_interval: u32,
    pub log_format: Option<String>,
    pub status: String,
    /// The role that delivers to CloudWatch Logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_logs_permission_arn: Option<String>,
    /// S3 delivery options: file format, Hive-compatible prefixes, hourly partitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_options: Option<DestinationOptions>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Bytes delivered a day, averaged over the last days: read only when costs are asked
    /// for, and only for CloudWatch Logs destinations (the log group's `IncomingBytes`);
    /// S3 reports no delivered volume of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_per_day: Option<u64>,
    /// How many flow logs, of any resource, deliver to the same log group: its volume is
    /// shared between them evenly. Read with `bytes_per_day`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_shared_by: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DestinationOptions {
    /// `plain-text` or `parquet`.
    pub file_format: Option<String>,
    pub hive_compatible_partitions: Option<bool>,
    pub per_hour_partition: Option<bool>,
}

impl FlowLog {
    /// The CloudWatch Logs group it delivers to, from its destination (the group's ARN,
    /// `arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]`, or its name); None for S3.
    pub fn log_group(&self) -> Option<&str> {
        if self.destination_type != "cloud-watch-logs" {
            return None;
        }
        Some(match self.destination.split_once(":log-group:") {
            Some((_, rest)) => rest.strip_suffix(":*").unwrap_or(rest),
            None => &self.destination,
        })
    }
}

impl Vpc {
    /// The `Name` tag, which is how people tell VPCs apart.
    pub fn name(&self) -> Option<&str> {
        self.tags.get("Name").map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::FlowLog;

    fn flow_log(destination_type: &str, destination: &str) -> FlowLog {
        FlowLog {
            id: "fl-1".into(),
            destination_type: destination_type.into(),
            destination: destination.into(),
            traffic_type: "ALL".into(),
            max_aggregation_interval: 600,
            log_format: None,
            status: "ACTIVE".into(),
            deliver_logs_permission_arn: None,
            destination_options: None,
            tags: Default::default(),
            bytes_per_day: None,
            volume_shared_by: None,
        }
    }

    #[test]
    fn names_the_log_group_a_flow_log_delivers_to() {
        assert_eq!(flow_log("cloud-watch-logs", "arn:aws:logs:us-east-1:123456789012:log-group:/vpc/flow:*").log_group(), Some("/vpc/flow"));
        assert_eq!(flow_log("cloud-watch-logs", "/vpc/flow").log_group(), Some("/vpc/flow"));
        assert_eq!(flow_log("s3", "arn:aws:s3:::logs").log_group(), None);
    }
}
