//! Aurora: the DB clusters the desired state selects.

use aws_sdk_rds::types::Filter;
use holdfast_desired::Desired;
use holdfast_inventory::Tags;
use holdfast_inventory::aurora::{Aurora, Cluster, Database, Scaling};
use holdfast_inventory::census::Named;

use crate::Aws;
use crate::error::{AwsError, call_error};
use crate::progress::Progress;

const KIND: &str = "Aurora";

/// The Aurora clusters the desired state selects; with `census`, also every Aurora
/// cluster's identifier and tags, from the same listing.
/// With `audit`, also every RDS database outside Aurora, with its encryption.
pub(crate) async fn read(aws: &Aws, desired: &Desired, progress: &dyn Progress, census: bool, audit: bool) -> Result<(Aurora, Option<Vec<Named>>), AwsError> {
    let entries = &desired.aurora.cluster;
    if entries.is_empty() && !census {
        return Ok((Aurora::default(), None));
    }
    progress.started(KIND);
    let mut request = aws.rds.describe_db_clusters().max_records(100);
    // Exact names can be asked for by name; a glob needs the whole list.
    if !census && entries.iter().all(|entry| entry.name.is_literal()) {
        request =
            request.filters(Filter::builder().name("db-cluster-id").set_values(Some(entries.iter().map(|entry| entry.name.to_string()).collect())).build());
    }
    let found = {
        let _permit = aws.permit().await;
        request
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|error| call_error("rds:DescribeDBClusters", "DB clusters", error))?
    };
    let aurora = found.iter().filter(|cluster| cluster.engine().is_some_and(|engine| engine.starts_with("aurora")));
    let census = census.then(|| {
        aurora.clone().filter_map(|cluster| Some(Named { id: cluster.db_cluster_identifier()?.to_owned(), tags: tags(cluster.tag_list()) })).collect()
    });
    let clusters: Vec<Cluster> = aurora
        .filter_map(|cluster| {
            let identifier = cluster.db_cluster_identifier()?.to_owned();
            let encrypted = cluster.storage_encrypted().unwrap_or(false);
            Some(Cluster {
                arn: cluster.db_cluster_arn().unwrap_or_default().to_owned(),
                engine: cluster.engine().unwrap_or_default().to_owned(),
                engine_version: cluster.engine_version().unwrap_or_default().to_owned(),
                serverless_v2: cluster
                    .serverless_v2_scaling_configuration()
                    .and_then(|scaling| Some(Scaling { min_acu: scaling.min_capacity()?, max_acu: scaling.max_capacity()? })),
                storage_encrypted: encrypted,
                // Only an encrypted cluster has a key (moto reports a placeholder otherwise).
                kms_key_id: if encrypted { cluster.kms_key_id().map(str::to_owned) } else { None },
                members: Some(cluster.db_cluster_members().iter().filter_map(|member| member.db_instance_identifier().map(str::to_owned)).collect()),
                tags: tags(cluster.tag_list()),
                identifier,
            })
        })
        .filter(|cluster| entries.iter().any(|entry| entry.name.matches(&cluster.identifier)))
        .collect();
    progress.advanced(KIND, clusters.len());
    let other_databases = if audit { Some(other_databases(aws, &found).await?) } else { None };
    progress.finished(KIND);
    Ok((Aurora { clusters, other_databases }, census))
}

/// The Multi-AZ DB clusters of other engines (already listed), and every DB instance
/// outside a cluster: one more paginated call.
async fn other_databases(aws: &Aws, clusters: &[aws_sdk_rds::types::DbCluster]) -> Result<Vec<Database>, AwsError> {
    let mut databases: Vec<Database> = clusters
        .iter()
        .filter(|cluster| !cluster.engine().is_some_and(|engine| engine.starts_with("aurora")))
        .map(|cluster| Database {
            identifier: cluster.db_cluster_identifier().unwrap_or_default().to_owned(),
            kind: "cluster".to_owned(),
            engine: cluster.engine().unwrap_or_default().to_owned(),
            storage_encrypted: cluster.storage_encrypted().unwrap_or(false),
        })
        .collect();
    let instances = {
        let _permit = aws.permit().await;
        aws.rds
            .describe_db_instances()
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|error| call_error("rds:DescribeDBInstances", "DB instances", error))?
    };
    databases.extend(instances.iter().filter(|instance| instance.db_cluster_identifier().is_none()).map(|instance| Database {
        identifier: instance.db_instance_identifier().unwrap_or_default().to_owned(),
        kind: "instance".to_owned(),
        engine: instance.engine().unwrap_or_default().to_owned(),
        storage_encrypted: instance.storage_encrypted().unwrap_or(false),
    }));
    Ok(databases)
}

fn tags(tags: &[aws_sdk_rds::types::Tag]) -> Tags {
    tags.iter().filter_map(|tag| Some((tag.key()?.to_owned(), tag.value().unwrap_or_default().to_owned()))).collect()
}

/// `ModifyDBCluster` of the Serverless v2 capacity, applied immediately.
pub async fn modify_capacity(aws: &Aws, cluster: &str, min_acu: f64, max_acu: f64) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.rds
        .modify_db_cluster()
        .db_cluster_identifier(cluster)
        .serverless_v2_scaling_configuration(
            aws_sdk_rds::types::ServerlessV2ScalingConfiguration::builder().min_capacity(min_acu).max_capacity(max_acu).build(),
        )
        .apply_immediately(true)
        .send()
        .await
        .map_err(|error| call_error("rds:ModifyDBCluster", format!("DB cluster {cluster}"), error))?;
    Ok(())
}
