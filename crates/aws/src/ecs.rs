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
/// The tag on a revision holdfast registered to move variables into `secrets`: the ARN
/// of the revision it was made from, which still holds their plaintext values.
pub const SECRETS_MOVED_FROM: &str = "holdfast:secrets-moved-from";

/// The selectors of every ECS entry: (cluster glob, service glob, tags, reads task definitions).
fn selectors(desired: &Desired) -> Vec<(&NameGlob, &NameGlob, &TagSelector, bool)> {
    let ecs = &desired.ecs;
    ecs.service
        .iter()
        .map(|entry| (&entry.cluster, &entry.service, &entry.tags, false))
        .chain(ecs.task_secrets.iter().map(|entry| (&entry.cluster, &entry.service, &entry.tags, true)))
        .collect()
}

/// The clusters and services the desired state selects; with `census`, also the name of
/// every service in every cluster (`CLUSTER/SERVICE`), from the listings alone.
/// With `audit`, a task definition that cannot be described is recorded as such, and the
/// rest are read; otherwise the read stops there.
pub(crate) async fn read(
    aws: &Aws,
    desired: &Desired,
    salt: &Salt,
    progress: &dyn Progress,
    census: bool,
    audit: bool,
) -> Result<(Ecs, Option<Vec<String>>), AwsError> {
    let selectors = selectors(desired);
    let selectors = &selectors;
    if selectors.is_empty() && !census {
        return Ok((Ecs::default(), None));
    }
    progress.started(KIND);
    let arns: Vec<String> = {
        let _permit = aws.permit().await;
        aws.ecs
            .list_clusters()
            .max_results(100)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|error| call_error("ecs:ListClusters", "clusters", error))?
    };
    let (wanted, others): (Vec<String>, Vec<String>) =
        arns.into_iter().partition(|arn| selectors.iter().any(|(cluster, ..)| cluster.matches(last_segment(arn))));
    // Clusters are independent, and so are describing one and listing its services: each
    // cluster's services are listed then described while the clusters are described.
    let named = holdfast_desired::reads::capacity_providers(desired);
    let (described, listed, unselected, capacity_providers) = tokio::try_join!(
        try_join_all(wanted.chunks(CLUSTERS_PER_CALL).map(|chunk| describe_clusters(aws, chunk))),
        try_join_all(wanted.iter().map(|arn| async move {
            let name = last_segment(arn);
            let arns = list_services(aws, arn, name).await?;
            let services = read_services(aws, arn, name, &arns, selectors).await?;
            progress.advanced(KIND, services.len());
            Ok::<_, AwsError>((arn.clone(), arns, services))
        })),
        async { if census { try_join_all(others.iter().map(|arn| list_services(aws, arn, last_segment(arn)))).await.map(Some) } else { Ok(None) } },
        async { if named.is_empty() { Ok(Vec::new()) } else { existing_capacity_providers(aws, &named).await } },
    )?;
    let mut clusters: Vec<Cluster> = described.into_iter().flatten().collect();
    let census = unselected.map(|unselected| {
        let selected = listed.iter().map(|(arn, arns, _)| (last_segment(arn), arns));
        selected
            .chain(others.iter().map(|arn| last_segment(arn)).zip(&unselected))
            .flat_map(|(cluster, arns)| arns.iter().map(move |arn| format!("{cluster}/{}", last_segment(arn))))
            .collect()
    });
    let mut services_by_cluster: BTreeMap<String, Vec<Service>> = listed.into_iter().map(|(arn, _, services)| (arn, services)).collect();
    for cluster in &mut clusters {
        cluster.services = services_by_cluster.remove(&cluster.arn).unwrap_or_default();
    }

    // Task definitions only of services a [[ecs.task_secrets]] entry selects.
    let definitions: BTreeSet<String> = clusters
        .iter()
        .flat_map(|cluster| {
            cluster.services.iter().filter(|service| {
                selectors.iter().any(|(cluster_glob, service_glob, tags, reads)| {
                    *reads && cluster_glob.matches(&cluster.name) && service_glob.matches(&service.name) && tags.matches(&service.tags)
                })
            })
        })
        .map(|service| service.task_definition.clone())
        .collect();
    let described = futures_util::future::join_all(definitions.iter().map(|arn| describe_task_definition(aws, arn, salt))).await;
    let mut task_definitions = Vec::new();
    let mut unreadable = std::collections::BTreeMap::new();
    for (arn, result) in definitions.iter().zip(described) {
        match result {
            Ok(definition) => task_definitions.push(definition),
            Err(error) if audit => {
                unreadable.insert(arn.clone(), error.to_string());
            }
            Err(error) => return Err(error),
        }
    }
    progress.finished(KIND);
    Ok((Ecs { clusters, task_definitions, capacity_providers, unreadable_task_definitions: unreadable }, census))
}

/// Which of these capacity providers exist in the account (one call: ECS answers the
/// missing ones as failures).
async fn existing_capacity_providers(aws: &Aws, names: &[String]) -> Result<Vec<String>, AwsError> {
    let _permit = aws.permit().await;
    let output = aws
        .ecs
        .describe_capacity_providers()
        .set_capacity_providers(Some(names.to_vec()))
        .send()
        .await
        .map_err(|error| call_error("ecs:DescribeCapacityProviders", format!("capacity providers {}", names.join(", ")), error))?;
    Ok(output.capacity_providers().iter().filter_map(|provider| provider.name().map(str::to_owned)).collect())
}

/// Services moved to a parameter that is missing still have its value in the revision
/// they were moved from: read those revisions, so the value can be migrated from there.
pub(crate) async fn read_revisions_before_moves(aws: &Aws, ecs: &mut Ecs, missing_parameters: &[String], salt: &Salt) -> Result<(), AwsError> {
    let points_at_missing = |definition: &TaskDefinition| {
        definition.containers.iter().flat_map(|container| &container.secrets).any(|secret| {
            let name = secret.value_from.split_once(":parameter").map_or(secret.value_from.as_str(), |(_, name)| name);
            missing_parameters.iter().any(|missing| missing.trim_start_matches('/') == name.trim_start_matches('/'))
        })
    };
    // Each move is one revision back; a service moved several times is followed back
    // through as many, up to MOVES_FOLLOWED.
    let mut frontier: Vec<String> =
        ecs.task_definitions.iter().filter(|definition| points_at_missing(definition)).map(|definition| definition.arn.clone()).collect();
    for _ in 0..MOVES_FOLLOWED {
        let wanted: BTreeSet<String> = frontier
            .iter()
            .filter_map(|arn| ecs.task_definition(arn).and_then(|definition| definition.secrets_moved_from.clone()))
            .filter(|arn| ecs.task_definition(arn).is_none())
            .collect();
        if wanted.is_empty() {
            break;
        }
        let previous = try_join_all(wanted.iter().map(|arn| describe_task_definition(aws, arn, salt))).await?;
        frontier = previous.iter().map(|definition| definition.arn.clone()).collect();
        ecs.task_definitions.extend(previous);
    }
    Ok(())
}

/// How many moves back a missing parameter's value is looked for.
pub const MOVES_FOLLOWED: usize = 10;

/// The name at the end of an ECS ARN (`.../cluster/NAME`, `.../service/CLUSTER/NAME`).
fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn tags(tags: &[aws_sdk_ecs::types::Tag]) -> BTreeMap<String, String> {
    tags.iter().filter_map(|tag| Some((tag.key()?.to_owned(), tag.value().unwrap_or_default().to_owned()))).collect()
}

fn strategy(items: &[aws_sdk_ecs::types::CapacityProviderStrategyItem]) -> Vec<StrategyItem> {
    items
        .iter()
        .map(|item| StrategyItem {
            provider: item.capacity_provider().to_owned(),
            weight: u32::try_from(item.weight()).unwrap_or(0),
            base: u32::try_from(item.base()).unwrap_or(0),
        })
        .collect()
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

/// Every service ARN of a cluster.
async fn list_services(aws: &Aws, cluster_arn: &str, cluster_name: &str) -> Result<Vec<String>, AwsError> {
    let _permit = aws.permit().await;
    aws.ecs
        .list_services()
        .cluster(cluster_arn)
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|error| call_error("ecs:ListServices", format!("cluster {cluster_name}"), error))
}

/// Describes the services of a cluster whose names some entry's globs match.
async fn read_services(
    aws: &Aws,
    cluster_arn: &str,
    cluster_name: &str,
    arns: &[String],
    selectors: &[(&NameGlob, &NameGlob, &TagSelector, bool)],
) -> Result<Vec<Service>, AwsError> {
    let globs: Vec<&NameGlob> = selectors.iter().filter(|(cluster_glob, ..)| cluster_glob.matches(cluster_name)).map(|(_, service, ..)| *service).collect();
    let wanted: Vec<String> = arns.iter().filter(|arn| globs.iter().any(|glob| glob.matches(last_segment(arn)))).cloned().collect();
    let described = try_join_all(wanted.chunks(SERVICES_PER_CALL).map(|chunk| describe_services(aws, cluster_arn, cluster_name, chunk))).await?;
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
        // A deleted service is listed as INACTIVE for a while: it runs nothing to govern.
        .filter(|service| service.status() != Some("INACTIVE"))
        .map(|service| Service {
            name: service.service_name().unwrap_or_default().to_owned(),
            arn: service.service_arn().unwrap_or_default().to_owned(),
            launch_type: service.launch_type().map(|launch_type| launch_type.as_str().to_owned()),
            capacity_provider_strategy: strategy(service.capacity_provider_strategy()),
            task_definition: service.task_definition().unwrap_or_default().to_owned(),
            desired_count: u32::try_from(service.desired_count()).unwrap_or(0),
            running_count: u32::try_from(service.running_count()).ok(),
            tags: tags(service.tags()),
        })
        .collect())
}

/// DescribeTaskDefinition with the revision's tags.
/// Reads the task definitions named, for a migration's cutover to find what holds an old
/// database address; one ECS will not describe is left out (the cutover says it read
/// only what it could).
pub async fn read_task_definitions(aws: &Aws, ecs: &mut Ecs, arns: &[String], salt: &Salt) -> Result<(), AwsError> {
    let described = futures_util::future::join_all(arns.iter().map(|arn| describe_task_definition(aws, arn, salt))).await;
    for (arn, result) in arns.iter().zip(described) {
        match result {
            Ok(definition) => ecs.task_definitions.push(definition),
            Err(error) => {
                ecs.unreadable_task_definitions.insert(arn.clone(), error.to_string());
            }
        }
    }
    ecs.task_definitions.sort_by(|a, b| a.arn.cmp(&b.arn));
    Ok(())
}

async fn describe(aws: &Aws, arn: &str) -> Result<aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionOutput, AwsError> {
    let _permit = aws.permit().await;
    aws.ecs
        .describe_task_definition()
        .task_definition(arn)
        .include(aws_sdk_ecs::types::TaskDefinitionField::Tags)
        .send()
        .await
        .map_err(|error| call_error("ecs:DescribeTaskDefinition", arn.to_owned(), error))
}

async fn describe_task_definition(aws: &Aws, arn: &str, salt: &Salt) -> Result<TaskDefinition, AwsError> {
    let output = describe(aws, arn).await?;
    let definition = output.task_definition().ok_or_else(|| AwsError::Setup(format!("ecs:DescribeTaskDefinition returned nothing for {arn}")))?;
    let secrets_moved_from = output.tags().iter().find(|tag| tag.key() == Some(SECRETS_MOVED_FROM)).and_then(|tag| tag.value().map(str::to_owned));
    Ok(TaskDefinition {
        arn: definition.task_definition_arn().unwrap_or(arn).to_owned(),
        family: definition.family().unwrap_or_default().to_owned(),
        revision: u32::try_from(definition.revision()).unwrap_or(0),
        execution_role_arn: definition.execution_role_arn().map(str::to_owned),
        cpu_units: definition.cpu().and_then(|cpu| task_size(cpu, "vcpu")),
        memory_mib: definition.memory().and_then(|memory| task_size(memory, "gb")),
        cpu_architecture: definition.runtime_platform().and_then(|platform| platform.cpu_architecture()).map(|architecture| architecture.as_str().to_owned()),
        os_family: definition.runtime_platform().and_then(|platform| platform.operating_system_family()).map(|family| family.as_str().to_owned()),
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
                secrets: container
                    .secrets()
                    .iter()
                    .map(|secret| SecretReference { name: secret.name().to_owned(), value_from: secret.value_from().to_owned() })
                    .collect(),
            })
            .collect(),
        secrets_moved_from,
    })
}

/// A cluster's capacity providers and default strategy as they are now.
pub async fn cluster_capacity(aws: &Aws, cluster: &str) -> Result<(Vec<String>, Vec<StrategyItem>), AwsError> {
    let found = describe_clusters(aws, &[cluster.to_owned()]).await?;
    let cluster = found.into_iter().next().ok_or_else(|| AwsError::Setup(format!("cluster {cluster} was not found")))?;
    Ok((cluster.capacity_providers, cluster.default_strategy))
}

/// `PutClusterCapacityProviders` with the whole resulting list; the default strategy is
/// passed back unchanged, as the call requires it.
pub async fn set_cluster_capacity_providers(aws: &Aws, cluster: &str, providers: &[String], default_strategy: &[StrategyItem]) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.ecs
        .put_cluster_capacity_providers()
        .cluster(cluster)
        .set_capacity_providers(Some(providers.to_vec()))
        .set_default_capacity_provider_strategy(Some(strategy_items(default_strategy)?))
        .send()
        .await
        .map_err(|error| call_error("ecs:PutClusterCapacityProviders", format!("cluster {cluster}"), error))?;
    Ok(())
}

fn strategy_items(items: &[StrategyItem]) -> Result<Vec<aws_sdk_ecs::types::CapacityProviderStrategyItem>, AwsError> {
    items
        .iter()
        .map(|item| {
            aws_sdk_ecs::types::CapacityProviderStrategyItem::builder()
                .capacity_provider(&item.provider)
                .weight(i32::try_from(item.weight).unwrap_or(i32::MAX))
                .base(i32::try_from(item.base).unwrap_or(i32::MAX))
                .build()
                .map_err(|error| AwsError::Setup(error.to_string()))
        })
        .collect()
}

/// A container variable to move from plaintext `environment` to `secrets`.
pub struct SecretMove<'a> {
    pub container: &'a str,
    pub variable: &'a str,
    /// The SSM parameter's ARN, written as `valueFrom`.
    pub parameter_arn: String,
}

/// The task definition a service runs now.
pub async fn current_task_definition(aws: &Aws, cluster: &str, service: &str) -> Result<String, AwsError> {
    let _permit = aws.permit().await;
    let output = aws
        .ecs
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await
        .map_err(|error| call_error("ecs:DescribeServices", format!("service {service} in cluster {cluster}"), error))?;
    output
        .services()
        .first()
        .and_then(|found| found.task_definition().map(str::to_owned))
        .ok_or_else(|| AwsError::Setup(format!("service {service} is not in cluster {cluster} any more")))
}

/// Reads one plaintext container variable's value, for a migration into SSM. The caller
/// writes it to SSM at once and drops it; it is never printed.
/// A name given twice is read as the container ends up with it: the last one wins.
pub async fn read_plaintext_variable(aws: &Aws, task_definition: &str, container: &str, variable: &str) -> Result<String, AwsError> {
    let output = describe(aws, task_definition).await?;
    output
        .task_definition()
        .and_then(|definition| definition.container_definitions().iter().find(|candidate| candidate.name() == Some(container)))
        .and_then(|found| found.environment().iter().rfind(|pair| pair.name() == Some(variable)))
        .and_then(|pair| pair.value().map(str::to_owned))
        .ok_or_else(|| AwsError::Setup(format!("{variable} is no longer a plaintext variable of container {container} in {task_definition}")))
}

/// A plaintext container variable's value, or None when the container has no such
/// plaintext variable. For comparisons only: the caller drops it at once.
pub async fn plaintext_variable(aws: &Aws, task_definition: &str, container: &str, variable: &str) -> Result<Option<String>, AwsError> {
    match read_plaintext_variable(aws, task_definition, container, variable).await {
        Ok(value) => Ok(Some(value)),
        Err(AwsError::Setup(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Where a container reads a secret variable from now (`valueFrom`), if it does.
pub async fn secret_source(aws: &Aws, task_definition: &str, container: &str, variable: &str) -> Result<Option<String>, AwsError> {
    let output = describe(aws, task_definition).await?;
    Ok(output
        .task_definition()
        .and_then(|definition| definition.container_definitions().iter().find(|candidate| candidate.name() == Some(container)))
        .and_then(|found| found.secrets().iter().find(|secret| secret.name() == variable))
        .map(|secret| secret.value_from().to_owned()))
}

/// The execution role of a task definition: the role ECS reads its secrets with.
pub async fn execution_role(aws: &Aws, task_definition: &str) -> Result<Option<String>, AwsError> {
    let output = describe(aws, task_definition).await?;
    Ok(output.task_definition().and_then(|definition| definition.execution_role_arn().map(str::to_owned)))
}

/// Registers a revision of `task_definition` with the variables moved to `secrets` and
/// everything else unchanged; returns the new revision's ARN.
pub async fn register_with_secrets(aws: &Aws, task_definition: &str, moves: &[SecretMove<'_>]) -> Result<String, AwsError> {
    let output = describe(aws, task_definition).await?;
    let definition = output.task_definition().ok_or_else(|| AwsError::Setup(format!("{task_definition} was not found")))?;
    let mut containers = definition.container_definitions().to_vec();
    for secret in moves {
        let container = containers
            .iter_mut()
            .find(|candidate| candidate.name() == Some(secret.container))
            .ok_or_else(|| AwsError::Setup(format!("container {} is not in {task_definition}", secret.container)))?;
        if let Some(environment) = &mut container.environment {
            environment.retain(|pair| pair.name() != Some(secret.variable));
        }
        let secrets = container.secrets.get_or_insert_with(Vec::new);
        secrets.retain(|existing| existing.name() != secret.variable);
        secrets.push(
            aws_sdk_ecs::types::Secret::builder()
                .name(secret.variable)
                .value_from(&secret.parameter_arn)
                .build()
                .map_err(|error| AwsError::Setup(error.to_string()))?,
        );
    }
    let mut tags = output.tags().to_vec();
    tags.retain(|tag| tag.key() != Some(SECRETS_MOVED_FROM));
    tags.push(aws_sdk_ecs::types::Tag::builder().key(SECRETS_MOVED_FROM).value(task_definition).build());
    let _permit = aws.permit().await;
    let registered = aws
        .ecs
        .register_task_definition()
        .set_family(definition.family().map(str::to_owned))
        .set_task_role_arn(definition.task_role_arn().map(str::to_owned))
        .set_execution_role_arn(definition.execution_role_arn().map(str::to_owned))
        .set_network_mode(definition.network_mode().cloned())
        .set_container_definitions(Some(containers))
        .set_volumes(Some(definition.volumes().to_vec()))
        .set_placement_constraints(Some(definition.placement_constraints().to_vec()))
        .set_requires_compatibilities(Some(definition.requires_compatibilities().to_vec()))
        .set_cpu(definition.cpu().map(str::to_owned))
        .set_memory(definition.memory().map(str::to_owned))
        .set_tags((!tags.is_empty()).then_some(tags))
        .set_pid_mode(definition.pid_mode().cloned())
        .set_ipc_mode(definition.ipc_mode().cloned())
        .set_proxy_configuration(definition.proxy_configuration().cloned())
        .set_ephemeral_storage(definition.ephemeral_storage().cloned())
        .set_runtime_platform(definition.runtime_platform().cloned())
        .set_enable_fault_injection(definition.enable_fault_injection())
        .send()
        .await
        .map_err(|error| call_error("ecs:RegisterTaskDefinition", definition.family().unwrap_or(task_definition).to_owned(), error))?;
    registered
        .task_definition()
        .and_then(|definition| definition.task_definition_arn().map(str::to_owned))
        .ok_or_else(|| AwsError::Setup("ecs:RegisterTaskDefinition returned no ARN".to_owned()))
}

/// `UpdateService` with a new task definition and/or strategy.
pub async fn update_service(
    aws: &Aws,
    cluster: &str,
    service: &str,
    task_definition: Option<&str>,
    strategy: Option<&[StrategyItem]>,
    force_new_deployment: bool,
) -> Result<(), AwsError> {
    let strategy = strategy.map(strategy_items).transpose()?;
    let _permit = aws.permit().await;
    aws.ecs
        .update_service()
        .cluster(cluster)
        .service(service)
        .set_task_definition(task_definition.map(str::to_owned))
        .set_capacity_provider_strategy(strategy)
        .force_new_deployment(force_new_deployment)
        .send()
        .await
        .map_err(|error| call_error("ecs:UpdateService", format!("service {service} in cluster {cluster}"), error))?;
    Ok(())
}

/// A task-level size as ECS accepts it: units (`"512"`), or `"0.5 vCPU"` / `"1 GB"`, whose
/// number counts 1024 units.
fn task_size(text: &str, whole_unit: &str) -> Option<u32> {
    let text = text.trim();
    if let Ok(units) = text.parse::<u32>() {
        return Some(units);
    }
    let lower = text.to_ascii_lowercase();
    let number = lower.strip_suffix(whole_unit)?.trim().parse::<f64>().ok()?;
    (number.is_finite() && number > 0.0).then(|| (number * 1024.0).round() as u32)
}

#[cfg(test)]
mod task_size_tests {
    use super::task_size;

    #[test]
    fn reads_units_and_whole_units() {
        assert_eq!(task_size("512", "vcpu"), Some(512));
        assert_eq!(task_size("0.5 vCPU", "vcpu"), Some(512));
        assert_eq!(task_size("2 GB", "gb"), Some(2048));
        assert_eq!(task_size("lots", "gb"), None);
    }
}
