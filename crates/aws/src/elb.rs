//! Elastic Load Balancing v2: the load balancers the desired state selects, their
//! deletion protection, and for those to delete, what goes with them.

use aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute;
use futures_util::future::try_join_all;
use holdfast_desired::{Desired, Ensure};
use holdfast_inventory::elb::{Elb, Listener, LoadBalancer, TargetGroup};

use crate::Aws;
use crate::error::{AwsError, call_error};

const DELETION_PROTECTION: &str = "deletion_protection.enabled";

pub(crate) async fn read(aws: &Aws, desired: &Desired) -> Result<Elb, AwsError> {
    let entries = &desired.elb.load_balancer;
    if entries.is_empty() {
        return Ok(Elb::default());
    }
    // Listed whole and filtered here: DescribeLoadBalancers by name fails outright when one is missing.
    let found = {
        let _permit = aws.permit().await;
        aws.elb
            .describe_load_balancers()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|error| call_error("elasticloadbalancing:DescribeLoadBalancers", "load balancers", error))?
    };
    let selected: Vec<(&aws_sdk_elasticloadbalancingv2::types::LoadBalancer, bool)> = found
        .iter()
        .filter_map(|balancer| {
            let name = balancer.load_balancer_name()?;
            let chosen: Vec<_> = entries.iter().filter(|entry| entry.name.matches(name)).collect();
            (!chosen.is_empty()).then(|| (balancer, chosen.iter().any(|entry| entry.ensure == Ensure::Absent)))
        })
        .collect();
    let load_balancers = try_join_all(selected.into_iter().map(|(balancer, to_delete)| async move {
        let arn = balancer.load_balancer_arn().unwrap_or_default().to_owned();
        let (deletion_protection, details) =
            tokio::try_join!(deletion_protection(aws, &arn), async { if to_delete { Ok(Some(attachments(aws, &arn).await?)) } else { Ok(None) } })?;
        let (listeners, target_groups) = details.unzip();
        Ok::<_, AwsError>(LoadBalancer {
            name: balancer.load_balancer_name().unwrap_or_default().to_owned(),
            arn,
            kind: balancer.r#type().map_or_else(|| "application".to_owned(), |kind| kind.as_str().to_owned()),
            dns_name: balancer.dns_name().map(str::to_owned),
            deletion_protection: deletion_protection.unwrap_or(false),
            listeners,
            target_groups,
        })
    }))
    .await?;
    Ok(Elb { load_balancers })
}

/// Whether deletion protection is on; None when the load balancer is gone.
pub async fn deletion_protection(aws: &Aws, arn: &str) -> Result<Option<bool>, AwsError> {
    let _permit = aws.permit().await;
    match aws.elb.describe_load_balancer_attributes().load_balancer_arn(arn).send().await {
        Ok(output) => Ok(Some(output.attributes().iter().any(|attribute| attribute.key() == Some(DELETION_PROTECTION) && attribute.value() == Some("true")))),
        Err(error) if aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&error) == Some("LoadBalancerNotFound") => Ok(None),
        Err(error) => Err(call_error("elasticloadbalancing:DescribeLoadBalancerAttributes", format!("load balancer {arn}"), error)),
    }
}

/// The listeners and target groups (with their registered targets) of a load balancer.
async fn attachments(aws: &Aws, arn: &str) -> Result<(Vec<Listener>, Vec<TargetGroup>), AwsError> {
    let (listeners, groups) = tokio::try_join!(
        async {
            let _permit = aws.permit().await;
            aws.elb
                .describe_listeners()
                .load_balancer_arn(arn)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
                .map_err(|error| call_error("elasticloadbalancing:DescribeListeners", format!("load balancer {arn}"), error))
        },
        async {
            let _permit = aws.permit().await;
            aws.elb
                .describe_target_groups()
                .load_balancer_arn(arn)
                .send()
                .await
                .map_err(|error| call_error("elasticloadbalancing:DescribeTargetGroups", format!("load balancer {arn}"), error))
        },
    )?;
    let mut listeners: Vec<Listener> = listeners
        .iter()
        .map(|listener| Listener { port: listener.port(), protocol: listener.protocol().map(|protocol| protocol.as_str().to_owned()) })
        .collect();
    listeners.sort();
    let mut target_groups = try_join_all(groups.target_groups().iter().map(|group| async move {
        let group_arn = group.target_group_arn().unwrap_or_default().to_owned();
        let _permit = aws.permit().await;
        let health = aws
            .elb
            .describe_target_health()
            .target_group_arn(&group_arn)
            .send()
            .await
            .map_err(|error| call_error("elasticloadbalancing:DescribeTargetHealth", format!("target group {group_arn}"), error))?;
        Ok::<_, AwsError>(TargetGroup {
            name: group.target_group_name().unwrap_or_default().to_owned(),
            arn: group_arn,
            registered_targets: health.target_health_descriptions().len(),
        })
    }))
    .await?;
    target_groups.sort();
    Ok((listeners, target_groups))
}

/// The ARN of the load balancer with this name now, if there is one.
pub async fn arn_of(aws: &Aws, name: &str) -> Result<Option<String>, AwsError> {
    let _permit = aws.permit().await;
    match aws.elb.describe_load_balancers().names(name).send().await {
        Ok(output) => Ok(output.load_balancers().first().and_then(|balancer| balancer.load_balancer_arn()).map(str::to_owned)),
        Err(error) if aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&error) == Some("LoadBalancerNotFound") => Ok(None),
        Err(error) => Err(call_error("elasticloadbalancing:DescribeLoadBalancers", format!("load balancer {name}"), error)),
    }
}

pub async fn set_deletion_protection(aws: &Aws, arn: &str, enabled: bool) -> Result<(), AwsError> {
    let attribute = LoadBalancerAttribute::builder().key(DELETION_PROTECTION).value(if enabled { "true" } else { "false" }).build();
    let _permit = aws.permit().await;
    aws.elb
        .modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .attributes(attribute)
        .send()
        .await
        .map_err(|error| call_error("elasticloadbalancing:ModifyLoadBalancerAttributes", format!("load balancer {arn}"), error))?;
    Ok(())
}

pub async fn delete(aws: &Aws, arn: &str) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.elb
        .delete_load_balancer()
        .load_balancer_arn(arn)
        .send()
        .await
        .map_err(|error| call_error("elasticloadbalancing:DeleteLoadBalancer", format!("load balancer {arn}"), error))?;
    Ok(())
}
