//! EC2: the VPCs the desired state selects, and their flow logs.

use aws_sdk_ec2::types::Filter;
use futures_util::future::try_join_all;
use holdfast_desired::Desired;
use holdfast_inventory::census::Named;
use holdfast_inventory::vpc::{DestinationOptions, FlowLog, Vpc, Vpcs};

use crate::Aws;
use crate::error::{AwsError, call_error};
use crate::progress::Progress;

const KIND: &str = "VPC";
const IDS_PER_FILTER: usize = 200;

/// The VPCs the desired state selects, with their flow logs; with `census`, also every
/// VPC's id and tags, from the same listing.
pub(crate) async fn read(aws: &Aws, desired: &Desired, progress: &dyn Progress, census: bool) -> Result<(Vpcs, Option<Vec<Named>>), AwsError> {
    let entries = &desired.vpc.flow_logs;
    let destinations = holdfast_desired::reads::delivered_to(desired, holdfast_desired::s3::Delivery::FlowLogs);
    let s3_destinations = if destinations { s3_destinations(aws).await? } else { Vec::new() };
    if entries.is_empty() && !census {
        return Ok((Vpcs { vpcs: Vec::new(), s3_destinations }, None));
    }
    progress.started(KIND);
    let found = {
        let _permit = aws.permit().await;
        aws.ec2
            .describe_vpcs()
            .max_results(1000)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|error| call_error("ec2:DescribeVpcs", "VPCs", error))?
    };
    let all = found.iter().map(|vpc| Vpc {
        id: vpc.vpc_id().unwrap_or_default().to_owned(),
        is_default: vpc.is_default().unwrap_or(false),
        tags: vpc.tags().iter().filter_map(|tag| Some((tag.key()?.to_owned(), tag.value().unwrap_or_default().to_owned()))).collect(),
        flow_logs: Vec::new(),
    });
    let census = census.then(|| all.clone().map(|vpc| Named { id: vpc.id, tags: vpc.tags }).collect());
    let mut vpcs: Vec<Vpc> = all
        .filter(|vpc| {
            let name = vpc.name().unwrap_or(&vpc.id);
            entries.iter().any(|entry| (entry.vpc.matches(name) || entry.vpc.matches(&vpc.id)) && entry.tags.matches(&vpc.tags))
        })
        .collect();
    let ids: Vec<String> = vpcs.iter().map(|vpc| vpc.id.clone()).collect();
    let flow_logs = try_join_all(ids.chunks(IDS_PER_FILTER).map(|chunk| describe_flow_logs(aws, chunk))).await?;
    for (vpc_id, flow_log) in flow_logs.into_iter().flatten() {
        if let Some(vpc) = vpcs.iter_mut().find(|vpc| vpc.id == vpc_id) {
            vpc.flow_logs.push(flow_log);
        }
    }
    for vpc in &mut vpcs {
        vpc.flow_logs.sort_by(|a, b| a.id.cmp(&b.id));
    }
    progress.advanced(KIND, vpcs.len());
    progress.finished(KIND);
    Ok((Vpcs { vpcs, s3_destinations }, census))
}

/// Where every flow log that delivers to S3 writes, whatever VPC it logs.
async fn s3_destinations(aws: &Aws) -> Result<Vec<String>, AwsError> {
    let _permit = aws.permit().await;
    let found = aws
        .ec2
        .describe_flow_logs()
        .filter(Filter::builder().name("log-destination-type").values("s3").build())
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|error| call_error("ec2:DescribeFlowLogs", "flow logs to S3", error))?;
    let mut destinations: Vec<String> = found.iter().filter_map(|flow_log| flow_log.log_destination().map(str::to_owned)).collect();
    destinations.sort();
    destinations.dedup();
    Ok(destinations)
}

async fn describe_flow_logs(aws: &Aws, vpc_ids: &[String]) -> Result<Vec<(String, FlowLog)>, AwsError> {
    let _permit = aws.permit().await;
    let found = aws
        .ec2
        .describe_flow_logs()
        .filter(Filter::builder().name("resource-id").set_values(Some(vpc_ids.to_vec())).build())
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|error| call_error("ec2:DescribeFlowLogs", format!("flow logs of {} VPCs", vpc_ids.len()), error))?;
    Ok(found.iter().filter_map(to_flow_log).collect())
}

/// A flow log as EC2 describes it, with the VPC (or other resource) it logs.
fn to_flow_log(flow_log: &aws_sdk_ec2::types::FlowLog) -> Option<(String, FlowLog)> {
    let destination_type = flow_log.log_destination_type().map_or("cloud-watch-logs", |kind| kind.as_str()).to_owned();
    Some((
        flow_log.resource_id()?.to_owned(),
        FlowLog {
            id: flow_log.flow_log_id().unwrap_or_default().to_owned(),
            destination: flow_log.log_destination().or(flow_log.log_group_name()).unwrap_or_default().to_owned(),
            destination_type,
            traffic_type: flow_log.traffic_type().map(|traffic| traffic.as_str().to_owned()).unwrap_or_default(),
            max_aggregation_interval: flow_log.max_aggregation_interval().and_then(|seconds| u32::try_from(seconds).ok()).unwrap_or(600),
            log_format: flow_log.log_format().map(str::to_owned),
            status: flow_log.flow_log_status().unwrap_or_default().to_owned(),
            deliver_logs_permission_arn: flow_log.deliver_logs_permission_arn().map(str::to_owned),
            destination_options: flow_log.destination_options().map(|options| DestinationOptions {
                file_format: options.file_format().map(|format| format.as_str().to_owned()),
                hive_compatible_partitions: options.hive_compatible_partitions(),
                per_hour_partition: options.per_hour_partition(),
            }),
            tags: flow_log.tags().iter().filter_map(|tag| Some((tag.key()?.to_owned(), tag.value().unwrap_or_default().to_owned()))).collect(),
            bytes_per_day: None,
            volume_shared_by: None,
        },
    ))
}

/// A flow log as it is now, with everything needed to create it again.
pub struct ExistingFlowLog {
    pub vpc_id: String,
    pub flow_log: FlowLog,
    tags: Vec<(String, String)>,
}

impl ExistingFlowLog {
    /// The same flow log, to create again.
    pub fn as_new(&self) -> NewFlowLog<'_> {
        let flow_log = &self.flow_log;
        NewFlowLog {
            vpc_id: &self.vpc_id,
            destination_type: &flow_log.destination_type,
            destination: &flow_log.destination,
            traffic_type: &flow_log.traffic_type,
            max_aggregation_interval: Some(flow_log.max_aggregation_interval),
            log_format: flow_log.log_format.as_deref(),
            deliver_logs_permission_arn: flow_log.deliver_logs_permission_arn.as_deref(),
            destination_options: flow_log.destination_options.as_ref(),
            tags: &self.tags,
        }
    }
}

pub async fn describe_flow_log(aws: &Aws, id: &str) -> Result<Option<ExistingFlowLog>, AwsError> {
    let _permit = aws.permit().await;
    let output =
        aws.ec2.describe_flow_logs().flow_log_ids(id).send().await.map_err(|error| call_error("ec2:DescribeFlowLogs", format!("flow log {id}"), error))?;
    Ok(output.flow_logs().iter().filter(|flow_log| flow_log.flow_log_id() == Some(id)).find_map(to_flow_log).map(|(vpc_id, flow_log)| {
        let tags = flow_log.tags.iter().map(|(key, value)| (key.clone(), value.clone())).collect();
        ExistingFlowLog { vpc_id, flow_log, tags }
    }))
}

/// What `CreateFlowLogs` is given.
pub struct NewFlowLog<'a> {
    pub vpc_id: &'a str,
    pub destination_type: &'a str,
    pub destination: &'a str,
    pub traffic_type: &'a str,
    pub max_aggregation_interval: Option<u32>,
    pub log_format: Option<&'a str>,
    pub deliver_logs_permission_arn: Option<&'a str>,
    pub destination_options: Option<&'a DestinationOptions>,
    pub tags: &'a [(String, String)],
}

/// What `CreateFlowLogs` answered.
#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    Yes(String),
    /// EC2 keeps one flow log per VPC and destination with the same configuration.
    AlreadyExists,
}

pub async fn create_flow_log(aws: &Aws, flow_log: &NewFlowLog<'_>) -> Result<Created, AwsError> {
    use aws_sdk_ec2::types::{
        DestinationFileFormat, DestinationOptionsRequest, FlowLogsResourceType, LogDestinationType, ResourceType, Tag, TagSpecification, TrafficType,
    };
    let options = flow_log.destination_options.map(|options| {
        DestinationOptionsRequest::builder()
            .set_file_format(options.file_format.as_deref().map(DestinationFileFormat::from))
            .set_hive_compatible_partitions(options.hive_compatible_partitions)
            .set_per_hour_partition(options.per_hour_partition)
            .build()
    });
    let tags = (!flow_log.tags.is_empty()).then(|| {
        vec![
            TagSpecification::builder()
                .resource_type(ResourceType::VpcFlowLog)
                .set_tags(Some(flow_log.tags.iter().map(|(key, value)| Tag::builder().key(key).value(value).build()).collect()))
                .build(),
        ]
    });
    let _permit = aws.permit().await;
    let sent = aws
        .ec2
        .create_flow_logs()
        .resource_ids(flow_log.vpc_id)
        .resource_type(FlowLogsResourceType::Vpc)
        .traffic_type(TrafficType::from(flow_log.traffic_type))
        .log_destination_type(LogDestinationType::from(flow_log.destination_type))
        .log_destination(flow_log.destination)
        .set_max_aggregation_interval(flow_log.max_aggregation_interval.map(|seconds| i32::try_from(seconds).unwrap_or(600)))
        .set_log_format(flow_log.log_format.map(str::to_owned))
        .set_deliver_logs_permission_arn(flow_log.deliver_logs_permission_arn.map(str::to_owned))
        .set_destination_options(options)
        .set_tag_specifications(tags)
        .send()
        .await;
    let output = match sent {
        Ok(output) => output,
        Err(error) if aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&error) == Some("FlowLogAlreadyExists") => {
            return Ok(Created::AlreadyExists);
        }
        Err(error) => return Err(call_error("ec2:CreateFlowLogs", format!("VPC {}", flow_log.vpc_id), error)),
    };
    if let Some(failure) = output.unsuccessful().first() {
        let error = failure.error();
        if error.and_then(|error| error.code()) == Some("FlowLogAlreadyExists") {
            return Ok(Created::AlreadyExists);
        }
        let message = error.and_then(|error| error.message()).unwrap_or("no reason given");
        return Err(AwsError::Setup(format!("ec2:CreateFlowLogs on VPC {} failed: {message}", flow_log.vpc_id)));
    }
    output
        .flow_log_ids()
        .first()
        .map(|id| Created::Yes(id.clone()))
        .ok_or_else(|| AwsError::Setup(format!("ec2:CreateFlowLogs on VPC {} returned no flow log id", flow_log.vpc_id)))
}

pub async fn delete_flow_log(aws: &Aws, id: &str) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.ec2.delete_flow_logs().flow_log_ids(id).send().await.map_err(|error| call_error("ec2:DeleteFlowLogs", format!("flow log {id}"), error))?;
    Ok(())
}

/// The days of flow-log volume a cost estimate averages.
const VOLUME_DAYS: u32 = 14;

/// Reads the bytes a day each flow log delivering to CloudWatch Logs sends, from its log
/// group's `IncomingBytes` over the last [`VOLUME_DAYS`]: `(VPC, flow log, log group)`.
/// A group younger than that is averaged over the days it has; a group several flow logs
/// deliver to is shared between them evenly, never counted once for each.
pub async fn read_volume(aws: &Aws, vpcs: &mut holdfast_inventory::vpc::Vpcs, flow_logs: &[(String, String, String)]) -> Result<(), AwsError> {
    use crate::metrics::{Series, client, read, window};
    if flow_logs.is_empty() {
        return Ok(());
    }
    let mut groups: Vec<&str> = flow_logs.iter().map(|(_, _, group)| group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    let series: Vec<Series> = groups
        .iter()
        .map(|group| Series {
            namespace: "AWS/Logs",
            metric: "IncomingBytes",
            dimensions: vec![("LogGroupName", (*group).to_owned())],
            stat: "Sum",
            period_seconds: 86_400,
        })
        .collect();
    let (start, end) = window(VOLUME_DAYS, 86_400);
    // Every flow log delivering to each group, of any resource, selected or not.
    let client = client(aws);
    let (values, sharing) = tokio::try_join!(read(aws, &client, &series, (start, end)), flow_logs_per_group(aws, &groups))?;
    let per_group: Vec<(String, Option<u64>, u32)> = groups
        .iter()
        .zip(&values)
        .map(|(group, points)| {
            let shared_by = sharing.get(*group).copied().unwrap_or(1).max(1);
            // A group with no datapoints has not been measured: the estimate assumes instead.
            let Some((first, _)) = points.first() else { return ((*group).to_owned(), None, shared_by) };
            let total: f64 = points.iter().map(|(_, bytes)| *bytes).filter(|bytes| bytes.is_finite() && *bytes > 0.0).sum();
            let days = ((end - first + 86_399) / 86_400).clamp(1, i64::from(VOLUME_DAYS));
            ((*group).to_owned(), Some((total / days as f64 / f64::from(shared_by)) as u64), shared_by)
        })
        .collect();
    for (vpc_id, flow_log_id, group) in flow_logs {
        let Some((_, per_day, shared_by)) = per_group.iter().find(|(name, _, _)| name == group) else { continue };
        let flow_log =
            vpcs.vpcs.iter_mut().filter(|vpc| &vpc.id == vpc_id).flat_map(|vpc| vpc.flow_logs.iter_mut()).find(|flow_log| &flow_log.id == flow_log_id);
        if let Some(flow_log) = flow_log {
            flow_log.bytes_per_day = *per_day;
            flow_log.volume_shared_by = per_day.and((*shared_by > 1).then_some(*shared_by));
        }
    }
    Ok(())
}

/// How many flow logs deliver to each of these CloudWatch Logs groups.
async fn flow_logs_per_group(aws: &Aws, groups: &[&str]) -> Result<std::collections::BTreeMap<String, u32>, AwsError> {
    let mut counts = std::collections::BTreeMap::new();
    for chunk in groups.chunks(IDS_PER_FILTER) {
        let _permit = aws.permit().await;
        let found = aws
            .ec2
            .describe_flow_logs()
            .filter(Filter::builder().name("log-group-name").set_values(Some(chunk.iter().map(|group| (*group).to_owned()).collect())).build())
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|error| call_error("ec2:DescribeFlowLogs", "the flow logs of the log groups read", error))?;
        for flow_log in &found {
            if let Some(group) = flow_log.log_group_name() {
                *counts.entry(group.to_owned()).or_insert(0) += 1;
            }
        }
    }
    Ok(counts)
}
