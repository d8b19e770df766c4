//! EC2: the VPCs the desired state selects, and their flow logs.

use aws_sdk_ec2::types::Filter;
use futures_util::future::try_join_all;
use holdfast_desired::Desired;
use holdfast_inventory::vpc::{FlowLog, Vpc, Vpcs};

use crate::Aws;
use crate::error::{AwsError, call_error};
use crate::progress::Progress;

const KIND: &str = "VPC";
const IDS_PER_FILTER: usize = 200;

pub(crate) async fn read(aws: &Aws, desired: &Desired, progress: &dyn Progress) -> Result<Vpcs, AwsError> {
    let entries = &desired.vpc.flow_logs;
    if entries.is_empty() {
        return Ok(Vpcs::default());
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
    let mut vpcs: Vec<Vpc> = found
        .iter()
        .map(|vpc| Vpc {
            id: vpc.vpc_id().unwrap_or_default().to_owned(),
            is_default: vpc.is_default().unwrap_or(false),
            tags: vpc.tags().iter().filter_map(|tag| Some((tag.key()?.to_owned(), tag.value().unwrap_or_default().to_owned()))).collect(),
            flow_logs: Vec::new(),
        })
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
    Ok(Vpcs { vpcs })
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
    Ok(found
        .iter()
        .filter_map(|flow_log| {
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
                },
            ))
        })
        .collect())
}

/// What `CreateFlowLogs` is given.
pub struct NewFlowLog<'a> {
    pub vpc_id: &'a str,
    pub destination_type: &'a str,
    pub destination: &'a str,
    pub traffic_type: &'a str,
    pub max_aggregation_interval: Option<u32>,
    pub log_format: Option<&'a str>,
}

pub async fn create_flow_log(aws: &Aws, flow_log: &NewFlowLog<'_>) -> Result<(), AwsError> {
    use aws_sdk_ec2::types::{FlowLogsResourceType, LogDestinationType, TrafficType};
    let _permit = aws.permit().await;
    let output = aws
        .ec2
        .create_flow_logs()
        .resource_ids(flow_log.vpc_id)
        .resource_type(FlowLogsResourceType::Vpc)
        .traffic_type(TrafficType::from(flow_log.traffic_type))
        .log_destination_type(LogDestinationType::from(flow_log.destination_type))
        .log_destination(flow_log.destination)
        .set_max_aggregation_interval(flow_log.max_aggregation_interval.map(|seconds| i32::try_from(seconds).unwrap_or(600)))
        .set_log_format(flow_log.log_format.map(str::to_owned))
        .send()
        .await
        .map_err(|error| call_error("ec2:CreateFlowLogs", format!("VPC {}", flow_log.vpc_id), error))?;
    if let Some(failure) = output.unsuccessful().first() {
        let message = failure.error().and_then(|error| error.message()).unwrap_or("no reason given");
        return Err(AwsError::Setup(format!("ec2:CreateFlowLogs on VPC {} failed: {message}", flow_log.vpc_id)));
    }
    Ok(())
}

pub async fn delete_flow_log(aws: &Aws, id: &str) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.ec2.delete_flow_logs().flow_log_ids(id).send().await.map_err(|error| call_error("ec2:DeleteFlowLogs", format!("flow log {id}"), error))?;
    Ok(())
}
