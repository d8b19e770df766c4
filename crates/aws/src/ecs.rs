//! ECS: clusters and services the desired state selects, and the task definitions of
//! services whose secrets it manages. Container environment values are hashed as soon
//! as they arrive and never kept.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ecs::types::{ClusterField, ServiceField};
use futures_util::future::try_join_all;
use holdfast_desired::{Desired, NameGlob, TagSelector};
use holdfast_inventory::Salt;
use holdfast_inventory::ecs::{Cluster, Container, Ecs, EnvironmentVariable, SecretReference, Service, StrategyItem, TaskDefinition};

use crate::Aws;
use crate::error::{AwsError, call_error};
use crate::progress::Progress;

const KIND: &str = "ECS";
/// DescribeClusters takes 100 clusters, DescribeServices 10 services.
const CLUSTERS_PER_CALL: usize = 100;
const SERVICES_PER_CALL: usize = 10;

/// The selectors of every ECS entry: (cluster glob, service glob, tags, reads task definitions).
fn selectors(desired: &Desired) -> Vec<(&NameGlob, &NameGlob, &TagSelector, bool)> {
    let ecs = &desired.ecs;
    ecs.service
        .iter()
        .map(|entry| (&entry.cluster, &entry.service, &entry.tags, false))
        .chain(ecs.task_secrets.iter().map(|entry| (&entry.cluster, &entry.service, &entry.tags, true)))
        .collect()
}

pub(crate) async fn read(aws: &Aws, desired: &Desired, salt: &Salt, progress: &dyn Progress) -> Result<Ecs, AwsError> {
    let selectors = selectors(desired);
    if selectors.is_empty() {
        return Ok(Ecs::default());
    }
    progress.started(KIND);
    let arns: Vec<String> = {
        let _permit = aws.permit().await;
        aws.ecs.list_clusters().max_results(100).into_paginator().items().send().collect::<Result<Vec<_>, _>>().await.map_err(|error| call_error("ecs:ListClusters", "clusters", error))?
    };
    let wanted: Vec<String> = arns.into_iter().filter(|arn| selectors.iter().any(|(cluster, ..)| cluster.matches(last_segment(arn)))).collect();
    let described = try_join_all(wanted.chunks(CLUSTERS_PER_CALL).map(|chunk| describe_clusters(aws, chunk))).await?;
    let mut clusters: Vec<Cluster> = described.into_iter().flatten().collect();
    for cluster in &mut clusters {
        cluster.services = read_services(aws, cluster, &selectors).await?;
        progress.advanced(KIND, cluster.services.len());
    }

    // Task definitions only of services a [[ecs.task_secrets]] entry selects.
    let definitions: BTreeSet<String> = clusters
        .iter()
        .flat_map(|cluster| {
            cluster.services.iter().filter(|service| selectors.iter().any(|(cluster_glob, service_glob, tags, reads)| *reads && cluster_glob.matches(&cluster.name) && service_glob.matches(&service.name) && tags.matches(&service.tags)))
        })
        .map(|service| service.task_definition.clone())
        .collect();
    let task_definitions = try_join_all(definitions.iter().map(|arn| describe_task_definition(aws, arn, salt))).await?;
    progress.finished(KIND);
    Ok(Ecs { clusters, task_definitions })
}

/// The name at the end of an ECS ARN (`.../cluster/NAME`, `.../service/CLUSTER/NAME`).
fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn tags(tags: &[aws_sdk_ecs::types::Tag]) -> BTreeMap<String, String> {
    tags.iter().filter_map(|tag| Some((tag.key()?.to_owned(), tag.value().unwrap_or_default().to_owned()))).collect()
}

fn strategy(items: &[aws_sdk_ecs::types::CapacityProviderStrategyItem]) -> Vec<StrategyItem> {
    items.iter().map(|item| StrategyItem { provider: item.capacity_provider().to_owned(), weight: u32::try_from(item.weight()).unwrap_or(0), base: u32::try_from(item.base()).unwrap_or(0) }).collect()
}

async fn describe_clusters(aws: &Aws, arns: &[String]) -> Result<Vec<Cluster>, AwsError> {
    let _permit = aws.permit().await;
    let output = aws
        .ecs
        .describe_clusters()
        .set_clusters(Some(arns.to_vec()))
        .include(ClusterField::Tags)
        .send()
        .await
        .map_err(|error| call_error("ecs:DescribeClusters", format!("{} clusters", arns.len()), error))?;
    Ok(output
        .clusters()
        .iter()
        .map(|cluster| Cluster {
            name: cluster.cluster_name().unwrap_or_default().to_owned(),
            arn: cluster.cluster_arn().unwrap_or_default().to_owned(),
            capacity_providers: cluster.capacity_providers().to_vec(),
            default_strategy: strategy(cluster.default_capacity_provider_strategy()),
            tags: tags(cluster.tags()),
            services: Vec::new(),
        })
        .collect())
}

async fn read_services(aws: &Aws, cluster: &Cluster, selectors: &[(&NameGlob, &NameGlob, &TagSelector, bool)]) -> Result<Vec<Service>, AwsError> {
    let globs: Vec<&NameGlob> = selectors.iter().filter(|(cluster_glob, ..)| cluster_glob.matches(&cluster.name)).map(|(_, service, ..)| *service).collect();
    let arns: Vec<String> = {
        let _permit = aws.permit().await;
        aws.ecs
            .list_services()
            .cluster(&cluster.arn)
            .max_results(100)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|error| call_error("ecs:ListServices", format!("cluster {}", cluster.name), error))?
    };
    let wanted: Vec<String> = arns.into_iter().filter(|arn| globs.iter().any(|glob| glob.matches(last_segment(arn)))).collect();
    let described = try_join_all(wanted.chunks(SERVICES_PER_CALL).map(|chunk| describe_services(aws, &cluster.arn, &cluster.name, chunk))).await?;
    Ok(described.into_iter().flatten().collect())
}

async fn describe_services(aws: &Aws, cluster_arn: &str, cluster_name: &str, arns: &[String]) -> Result<Vec<Service>, AwsError> {
    let _permit = aws.permit().await;
    let output = aws
        .ecs
        .describe_services()
        .cluster(cluster_arn)
        .set_services(Some(arns.to_vec()))
        .include(ServiceField::Tags)
        .send()
        .await
        .map_err(|error| call_error("ecs:DescribeServices", format!("{} services in cluster {cluster_name}", arns.len()), error))?;
    Ok(output
        .services()
        .iter()
        .map(|service| Service {
            name: service.service_name().unwrap_or_default().to_owned(),
            arn: service.service_arn().unwrap_or_default().to_owned(),
            launch_type: service.launch_type().map(|launch_type| launch_type.as_str().to_owned()),
            capacity_provider_strategy: strategy(service.capacity_provider_strategy()),
            task_definition: service.task_definition().unwrap_or_default().to_owned(),
            desired_count: u32::try_from(service.desired_count()).unwrap_or(0),
            tags: tags(service.tags()),
        })
        .collect())
}

async fn describe_task_definition(aws: &Aws, arn: &str, salt: &Salt) -> Result<TaskDefinition, AwsError> {
    let _permit = aws.permit().await;
    let output = aws.ecs.describe_task_definition().task_definition(arn).send().await.map_err(|error| call_error("ecs:DescribeTaskDefinition", arn.to_owned(), error))?;
    let definition = output.task_definition().ok_or_else(|| AwsError::Setup(format!("ecs:DescribeTaskDefinition returned nothing for {arn}")))?;
    Ok(TaskDefinition {
        arn: definition.task_definition_arn().unwrap_or(arn).to_owned(),
        family: definition.family().unwrap_or_default().to_owned(),
        revision: u32::try_from(definition.revision()).unwrap_or(0),
        execution_role_arn: definition.execution_role_arn().map(str::to_owned),
        containers: definition
            .container_definitions()
            .iter()
            .map(|container| Container {
                name: container.name().unwrap_or_default().to_owned(),
                environment: container
                    .environment()
                    .iter()
                    .map(|pair| EnvironmentVariable::new(salt, pair.name().unwrap_or_default(), pair.value().unwrap_or_default()))
                    .collect(),
                secrets: container.secrets().iter().map(|secret| SecretReference { name: secret.name().to_owned(), value_from: secret.value_from().to_owned() }).collect(),
            })
            .collect(),
    })
}
