//! `[[vpc.flow_logs]]`: flow logs every selected VPC must have.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::check::Checker;
use crate::origin::{Entries, Origin, impl_has_origin};
use crate::selector::{NameGlob, TagSelector, describe};

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    #[serde(default)]
    pub flow_logs: Entries<FlowLogEntry>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowLogEntry {
    /// Glob over the VPC's `Name` tag, or its id when it has no name (the default VPC).
    pub vpc: NameGlob,
    #[serde(default)]
    pub tags: TagSelector,
    /// `s3://bucket/prefix/`, an S3 bucket ARN, or a CloudWatch Logs log group ARN.
    #[schemars(with = "String")]
    pub destination: Spanned<String>,
    #[serde(default)]
    pub traffic: Traffic,
    /// 60 or 600 seconds; AWS's default is 600.
    #[schemars(with = "Option<u32>", extend("enum" = [60, 600]))]
    pub max_aggregation_interval: Option<Spanned<u32>>,
    pub log_format: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
}

impl_has_origin!(FlowLogEntry);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Traffic {
    #[default]
    All,
    Accept,
    Reject,
}

impl Traffic {
    pub fn as_str(self) -> &'static str {
        match self {
            Traffic::All => "ALL",
            Traffic::Accept => "ACCEPT",
            Traffic::Reject => "REJECT",
        }
    }
}

/// Where flow logs are delivered, as AWS names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// The bucket ARN with its prefix, no trailing slash: `arn:aws:s3:::bucket/prefix`.
    S3(String),
    CloudWatchLogs(String),
}

impl FlowLogEntry {
    pub fn destination(&self) -> Result<Destination, String> {
        parse_destination(self.destination.get_ref())
    }
}

/// Reads `s3://bucket/prefix/` or an ARN into the form AWS reports, so the two
/// spellings of one destination compare equal.
pub fn parse_destination(text: &str) -> Result<Destination, String> {
    if let Some(rest) = text.strip_prefix("s3://") {
        let rest = rest.trim_end_matches('/');
        if rest.is_empty() || rest.starts_with('/') {
            return Err(format!("`{text}` names no bucket"));
        }
        return Ok(Destination::S3(format!("arn:aws:s3:::{rest}")));
    }
    if let Some(rest) = text.strip_prefix("arn:aws:s3:::") {
        if rest.trim_end_matches('/').is_empty() {
            return Err(format!("`{text}` names no bucket"));
        }
        return Ok(Destination::S3(text.trim_end_matches('/').to_owned()));
    }
    if text.starts_with("arn:aws:logs:") && text.contains(":log-group:") {
        return Ok(Destination::CloudWatchLogs(text.trim_end_matches(":*").to_owned()));
    }
    Err(format!("`{text}` is not a flow log destination"))
}

pub(crate) fn check(checker: &mut Checker<'_>) {
    for entry in checker.desired.vpc.flow_logs.iter() {
        if let Err(message) = entry.destination() {
            checker.error(
                &entry.origin,
                entry.destination.span(),
                message,
                Some("write s3://bucket/prefix/, arn:aws:s3:::bucket/prefix, or arn:aws:logs:REGION:ACCOUNT:log-group:NAME".to_owned()),
            );
        }
        if let Some(interval) = &entry.max_aggregation_interval
            && ![60, 600].contains(interval.get_ref())
        {
            checker.error(
                &entry.origin,
                interval.span(),
                format!("max_aggregation_interval = {}", interval.get_ref()),
                Some("AWS accepts 60 or 600 seconds".to_owned()),
            );
        }
    }
    let entries = &checker.desired.vpc.flow_logs;
    checker.duplicates(
        "flow log",
        entries.iter().map(|entry| (format!("{} -> {}", describe(&entry.vpc, &entry.tags), entry.destination.get_ref().trim_end_matches('/')), &entry.origin)),
    );
}
