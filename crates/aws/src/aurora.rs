//! Aurora: the DB clusters the desired state selects, what an encryption migration of
//! them has made so far, and the calls that carry a migration out.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_rds::Client;
use aws_sdk_rds::types::{DbCluster, DbClusterSnapshot, DbInstance, Filter, ServerlessV2ScalingConfiguration, Tag};
use aws_smithy_types::date_time::Format;
use holdfast_desired::Desired;
use holdfast_desired::aurora::ClusterEntry;
use holdfast_inventory::Tags;
use holdfast_inventory::aurora::{Aurora, Cluster, ClusterSnapshot, Database, Instance, Scaling, Settings};
use holdfast_inventory::census::Named;

use crate::Aws;
use crate::error::{AwsError, call_error};
use crate::progress::Progress;

const KIND: &str = "Aurora";
/// Filter values per call: RDS documents no limit, so batches stay modest.
const FILTER_BATCH: usize = 50;

/// The Aurora clusters the desired state selects; with `census`, also every Aurora
/// cluster's identifier and tags, from the same listing.
/// With `audit`, also every RDS database outside Aurora, with its encryption.
/// Where a selected cluster is not encrypted as its entry asks, also what a migration of
/// it has made (its manual snapshots, the new cluster) and the instances of both: two
/// more calls for all of them together, and none when every cluster is as asked.
pub(crate) async fn read(aws: &Aws, desired: &Desired, progress: &dyn Progress, census: bool, audit: bool) -> Result<(Aurora, Option<Vec<Named>>), AwsError> {
    let entries = &desired.aurora.cluster;
    if entries.is_empty() && !census {
        return Ok((Aurora::default(), None));
    }
    progress.started(KIND);
    let mut request = aws.rds.describe_db_clusters().max_records(100);
    // Exact names can be asked for by name, with the names their migrations would give;
    // a glob needs the whole list.
    // A migration's new clusters are found by their tag, which no filter asks for: an
    // entry asking for encryption needs the whole list too.
    if !census && entries.iter().all(|entry| entry.name.is_literal() && !entry.asks_encryption()) {
        let names: Vec<String> = entries.iter().map(|entry| entry.name.to_string()).collect();
        request = request.filters(Filter::builder().name("db-cluster-id").set_values(Some(names)).build());
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
    let aurora: Vec<Cluster> =
        found.iter().filter(|cluster| cluster.engine().is_some_and(|engine| engine.starts_with("aurora"))).filter_map(cluster_from).collect();
    let census = census.then(|| aurora.iter().map(|cluster| Named { id: cluster.identifier.clone(), tags: cluster.tags.clone() }).collect());

    let sources: BTreeSet<&str> = aurora
        .iter()
        .filter(|cluster| {
            entries
                .iter()
                .find(|entry| entry.name.matches(&cluster.identifier) && entry.tags.matches(&cluster.tags))
                .is_some_and(|entry| may_migrate(entry, cluster))
        })
        .map(|cluster| cluster.identifier.as_str())
        .collect();
    // What a migration made: for a source still here, or one an entry selects by name and
    // that is gone (the plan then says what was left behind).
    let targets: BTreeSet<&str> = aurora
        .iter()
        .filter(|cluster| {
            cluster.migration_source().is_some_and(|source| sources.contains(source) || entries.iter().any(|entry| entry.name.matches(source)))
                || sources.iter().any(|source| entries.iter().any(|entry| entry.name.matches(source) && entry.new_name_for(source) == cluster.identifier))
        })
        .map(|cluster| cluster.identifier.as_str())
        .collect();
    // The names the new instances would get, to find those taken by another cluster.
    let instance_names: Vec<String> = aurora
        .iter()
        .filter(|cluster| sources.contains(cluster.identifier.as_str()))
        .flat_map(|cluster| {
            let entry = entries.iter().find(|entry| entry.name.matches(&cluster.identifier) && entry.tags.matches(&cluster.tags));
            let new_cluster = entry.map(|entry| entry.new_name_for(&cluster.identifier)).unwrap_or_default();
            let count = cluster.members.as_ref().map_or(0, Vec::len);
            (0..count).map(move |index| holdfast_desired::aurora::instance_name(&new_cluster, index))
        })
        .collect();
    let involved: Vec<String> = sources.iter().chain(&targets).map(|id| (*id).to_owned()).collect();
    let (mut instances, snapshots, instance_names_taken) = if involved.is_empty() {
        (BTreeMap::new(), None, None)
    } else {
        // By the names the migration gives them, so one of another cluster is seen too.
        let snapshot_names: Vec<String> =
            sources.iter().flat_map(|id| [holdfast_desired::aurora::snapshot_name(id), holdfast_desired::aurora::copy_name(id)]).collect();
        let writers = writers(&found);
        let (instances, snapshots, taken) = tokio::try_join!(
            instances_of(&aws.rds, aws, &involved, &writers),
            manual_snapshots(&aws.rds, aws, &snapshot_names),
            instance_clusters(&aws.rds, aws, &instance_names),
        )?;
        (instances, Some(snapshots), Some(taken))
    };
    let keep: BTreeSet<String> = targets.iter().map(|id| (*id).to_owned()).collect();
    let clusters: Vec<Cluster> = aurora
        .into_iter()
        .filter(|cluster| keep.contains(&cluster.identifier) || entries.iter().any(|entry| entry.name.matches(&cluster.identifier)))
        .map(|mut cluster| {
            if let Some(read) = instances.remove(&cluster.identifier) {
                cluster.instances = Some(read);
            } else if involved.contains(&cluster.identifier) {
                cluster.instances = Some(Vec::new());
            }
            cluster
        })
        .collect();
    progress.advanced(KIND, clusters.len());
    let other_databases = if audit { Some(other_databases(aws, &found).await?) } else { None };
    progress.finished(KIND);
    Ok((Aurora { clusters, other_databases, snapshots, instance_names_taken }, census))
}

/// Whether the cluster may need a migration for its entry: not encrypted when it should
/// be, or under a key that may not be the one named (aliases are resolved by the planner,
/// which has the keys; here a named key always counts).
fn may_migrate(entry: &ClusterEntry, cluster: &Cluster) -> bool {
    entry.asks_encryption() && (!cluster.encrypted_at_rest() || entry.kms_key.as_ref().is_some_and(|key| cluster.kms_key_id.as_ref() != Some(key)))
}

/// An Aurora cluster as the inventory holds it; None without an identifier.
pub(crate) fn cluster_from(cluster: &DbCluster) -> Option<Cluster> {
    let identifier = cluster.db_cluster_identifier()?.to_owned();
    let encrypted = cluster.storage_encrypted().unwrap_or(false);
    let settings = Settings {
        db_subnet_group: cluster.db_subnet_group().map(str::to_owned),
        vpc_security_groups: cluster.vpc_security_groups().iter().filter_map(|group| group.vpc_security_group_id().map(str::to_owned)).collect(),
        cluster_parameter_group: cluster.db_cluster_parameter_group().map(str::to_owned),
        port: cluster.port(),
        iam_database_authentication: cluster.iam_database_authentication_enabled().unwrap_or(false),
        backup_retention_days: cluster.backup_retention_period(),
        deletion_protection: cluster.deletion_protection().unwrap_or(false),
        log_exports: cluster.enabled_cloudwatch_logs_exports().to_vec(),
        copy_tags_to_snapshot: cluster.copy_tags_to_snapshot().unwrap_or(false),
        master_user_secret: cluster.master_user_secret().and_then(|secret| secret.secret_arn()).map(str::to_owned),
    };
    Some(Cluster {
        arn: cluster.db_cluster_arn().unwrap_or_default().to_owned(),
        engine: cluster.engine().unwrap_or_default().to_owned(),
        engine_version: cluster.engine_version().unwrap_or_default().to_owned(),
        engine_mode: cluster.engine_mode().map(str::to_owned),
        storage_type: cluster.storage_type().map(str::to_owned),
        serverless_v2: cluster
            .serverless_v2_scaling_configuration()
            .and_then(|scaling| Some(Scaling { min_acu: scaling.min_capacity()?, max_acu: scaling.max_capacity()? })),
        storage_encrypted: encrypted,
        // Only an encrypted cluster has a key (moto reports a placeholder otherwise).
        kms_key_id: if encrypted { cluster.kms_key_id().map(str::to_owned) } else { None },
        members: Some(cluster.db_cluster_members().iter().filter_map(|member| member.db_instance_identifier().map(str::to_owned)).collect()),
        tags: tags(cluster.tag_list()),
        status: cluster.status().map(str::to_owned),
        encryption_type: cluster.storage_encryption_type().map(|kind| kind.as_str().to_owned()),
        endpoint: cluster.endpoint().map(str::to_ascii_lowercase),
        reader_endpoint: cluster.reader_endpoint().map(str::to_ascii_lowercase),
        settings: Some(settings),
        instances: None,
        usage: None,
        identifier,
    })
}

/// The DB instances of the named clusters, by cluster.
async fn instances_of(client: &Client, aws: &Aws, clusters: &[String], writers: &BTreeSet<String>) -> Result<BTreeMap<String, Vec<Instance>>, AwsError> {
    let found = {
        let _permit = aws.permit().await;
        instances_where(client, "db-cluster-id", clusters, "the DB instances of the clusters a migration concerns").await?
    };
    let mut by_cluster: BTreeMap<String, Vec<Instance>> = BTreeMap::new();
    for instance in &found {
        if let (Some(cluster), Some(read)) = (instance.db_cluster_identifier(), instance_from(instance, writers)) {
            by_cluster.entry(cluster.to_owned()).or_default().push(read);
        }
    }
    for instances in by_cluster.values_mut() {
        instances.sort_by(|a, b| a.identifier.cmp(&b.identifier));
    }
    Ok(by_cluster)
}

/// The writer instances of the clusters, from their member lists.
fn writers(clusters: &[DbCluster]) -> BTreeSet<String> {
    clusters
        .iter()
        .flat_map(DbCluster::db_cluster_members)
        .filter(|member| member.is_cluster_writer().unwrap_or(false))
        .filter_map(|member| member.db_instance_identifier().map(str::to_owned))
        .collect()
}

/// A DB instance as the inventory holds it; whether it is the writer comes from its
/// cluster's member list.
fn instance_from(instance: &DbInstance, writers: &BTreeSet<String>) -> Option<Instance> {
    let identifier = instance.db_instance_identifier()?.to_owned();
    Some(Instance {
        class: instance.db_instance_class().unwrap_or_default().to_owned(),
        writer: writers.contains(&identifier),
        identifier,
        promotion_tier: instance.promotion_tier(),
        parameter_group: instance.db_parameter_groups().first().and_then(|group| group.db_parameter_group_name()).map(str::to_owned),
        availability_zone: instance.availability_zone().map(str::to_owned),
        publicly_accessible: instance.publicly_accessible().unwrap_or(false),
        status: instance.db_instance_status().unwrap_or_default().to_owned(),
        endpoint: instance.endpoint().and_then(|endpoint| endpoint.address()).map(str::to_ascii_lowercase),
        tags: tags(instance.tag_list()),
    })
}

/// The instances of these names that exist, whatever their cluster, with the cluster.
async fn instance_clusters(client: &Client, aws: &Aws, names: &[String]) -> Result<BTreeMap<String, String>, AwsError> {
    let found = {
        let _permit = aws.permit().await;
        instances_where(client, "db-instance-id", names, "the names a migration's instances would take").await?
    };
    Ok(found.iter().filter_map(|instance| Some((instance.db_instance_identifier()?.to_owned(), cluster_of(instance)))).collect())
}

/// The DB instances whose `filter` (`db-cluster-id`, `db-instance-id`) is one of `values`,
/// asked in batches, every page.
async fn instances_where(client: &Client, filter: &str, values: &[String], what: &str) -> Result<Vec<DbInstance>, AwsError> {
    let mut found = Vec::new();
    for batch in values.chunks(FILTER_BATCH) {
        let page = client
            .describe_db_instances()
            .filters(Filter::builder().name(filter).set_values(Some(batch.to_vec())).build())
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|error| call_error("rds:DescribeDBInstances", what, error))?;
        found.extend(page);
    }
    Ok(found)
}

fn cluster_of(instance: &DbInstance) -> String {
    instance.db_cluster_identifier().unwrap_or("no cluster").to_owned()
}

/// The manual snapshots of these names, of whatever cluster.
async fn manual_snapshots(client: &Client, aws: &Aws, names: &[String]) -> Result<Vec<ClusterSnapshot>, AwsError> {
    let mut snapshots = Vec::new();
    for batch in names.chunks(FILTER_BATCH) {
        let _permit = aws.permit().await;
        let found = client
            .describe_db_cluster_snapshots()
            .snapshot_type("manual")
            .filters(Filter::builder().name("db-cluster-snapshot-id").set_values(Some(batch.to_vec())).build())
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|error| call_error("rds:DescribeDBClusterSnapshots", "the snapshots a migration makes", error))?;
        snapshots.extend(found.iter().filter_map(snapshot_from));
    }
    snapshots.sort_by(|a, b| a.identifier.cmp(&b.identifier));
    Ok(snapshots)
}

fn snapshot_from(snapshot: &DbClusterSnapshot) -> Option<ClusterSnapshot> {
    let encrypted = snapshot.storage_encrypted().unwrap_or(false);
    Some(ClusterSnapshot {
        identifier: snapshot.db_cluster_snapshot_identifier()?.to_owned(),
        arn: snapshot.db_cluster_snapshot_arn().unwrap_or_default().to_owned(),
        cluster: snapshot.db_cluster_identifier().unwrap_or_default().to_owned(),
        status: snapshot.status().unwrap_or_default().to_owned(),
        percent_progress: snapshot.percent_progress(),
        storage_encrypted: encrypted,
        kms_key_id: if encrypted { snapshot.kms_key_id().map(str::to_owned) } else { None },
        created_at: snapshot.snapshot_create_time().and_then(|time| time.fmt(Format::DateTime).ok()),
        copied_from: snapshot.source_db_cluster_snapshot_arn().map(str::to_owned),
        tags: tags(snapshot.tag_list()),
    })
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

fn tags(tags: &[Tag]) -> Tags {
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

/// RDS tags from pairs; keys AWS reserves (`aws:`) cannot be set, so they are left out.
fn rds_tags(tags: &[(String, String)]) -> Vec<Tag> {
    tags.iter().filter(|(key, _)| !key.starts_with("aws:")).map(|(key, value)| Tag::builder().key(key).value(value).build()).collect()
}

/// `CreateDBClusterSnapshot`, tagged.
pub async fn create_cluster_snapshot(aws: &Aws, cluster: &str, snapshot: &str, tags: &[(String, String)]) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.rds
        .create_db_cluster_snapshot()
        .db_cluster_identifier(cluster)
        .db_cluster_snapshot_identifier(snapshot)
        .set_tags(Some(rds_tags(tags)))
        .send()
        .await
        .map_err(|error| call_error("rds:CreateDBClusterSnapshot", format!("DB cluster {cluster}"), error))?;
    Ok(())
}

/// `CopyDBClusterSnapshot` under `kms_key`, tagged (the copy does not take its source's tags).
pub async fn copy_cluster_snapshot(aws: &Aws, source: &str, target: &str, kms_key: &str, tags: &[(String, String)]) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.rds
        .copy_db_cluster_snapshot()
        .source_db_cluster_snapshot_identifier(source)
        .target_db_cluster_snapshot_identifier(target)
        .kms_key_id(kms_key)
        .set_tags(Some(rds_tags(tags)))
        .send()
        .await
        .map_err(|error| call_error("rds:CopyDBClusterSnapshot", format!("DB cluster snapshot {source}"), error))?;
    Ok(())
}

/// A cluster to restore from a snapshot: everything a restore does not carry over by
/// itself is named, so the new cluster is configured as the source is.
#[derive(Debug, Clone, Copy)]
pub struct NewCluster<'a> {
    pub identifier: &'a str,
    pub snapshot: &'a str,
    pub engine: &'a str,
    pub engine_version: &'a str,
    /// Named for a direct restore of an unencrypted snapshot: the key Aurora encrypts the
    /// new cluster under. None when the snapshot is already encrypted under the key.
    pub kms_key: Option<&'a str>,
    pub settings: &'a Settings,
    pub scaling: Option<Scaling>,
    pub tags: &'a [(String, String)],
}

/// `RestoreDBClusterFromSnapshot`.
pub async fn restore_cluster(aws: &Aws, cluster: &NewCluster<'_>) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    restore_cluster_with(&aws.rds, cluster).await
}

pub(crate) async fn restore_cluster_with(client: &Client, cluster: &NewCluster<'_>) -> Result<(), AwsError> {
    let settings = cluster.settings;
    let mut request = client
        .restore_db_cluster_from_snapshot()
        .db_cluster_identifier(cluster.identifier)
        .snapshot_identifier(cluster.snapshot)
        .engine(cluster.engine)
        .engine_version(cluster.engine_version)
        .set_kms_key_id(cluster.kms_key.map(str::to_owned))
        .set_db_subnet_group_name(settings.db_subnet_group.clone())
        .set_vpc_security_group_ids((!settings.vpc_security_groups.is_empty()).then(|| settings.vpc_security_groups.clone()))
        .set_db_cluster_parameter_group_name(settings.cluster_parameter_group.clone())
        .set_port(settings.port)
        .enable_iam_database_authentication(settings.iam_database_authentication)
        .set_backup_retention_period(settings.backup_retention_days)
        .deletion_protection(settings.deletion_protection)
        .set_enable_cloudwatch_logs_exports((!settings.log_exports.is_empty()).then(|| settings.log_exports.clone()))
        .copy_tags_to_snapshot(settings.copy_tags_to_snapshot)
        .set_tags(Some(rds_tags(cluster.tags)));
    if let Some(scaling) = cluster.scaling {
        request = request.serverless_v2_scaling_configuration(
            ServerlessV2ScalingConfiguration::builder().min_capacity(scaling.min_acu).max_capacity(scaling.max_acu).build(),
        );
    }
    request.send().await.map_err(|error| call_error("rds:RestoreDBClusterFromSnapshot", format!("DB cluster snapshot {}", cluster.snapshot), error))?;
    Ok(())
}

/// An instance for a restored cluster, as the source's is.
#[derive(Debug, Clone, Copy)]
pub struct NewInstance<'a> {
    pub identifier: &'a str,
    pub cluster: &'a str,
    pub engine: &'a str,
    pub class: &'a str,
    pub promotion_tier: Option<i32>,
    pub parameter_group: Option<&'a str>,
    pub availability_zone: Option<&'a str>,
    pub publicly_accessible: bool,
    pub tags: &'a [(String, String)],
}

/// `CreateDBInstance` in a cluster.
pub async fn create_instance(aws: &Aws, instance: &NewInstance<'_>) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    aws.rds
        .create_db_instance()
        .db_instance_identifier(instance.identifier)
        .db_cluster_identifier(instance.cluster)
        .engine(instance.engine)
        .db_instance_class(instance.class)
        .set_promotion_tier(instance.promotion_tier)
        .set_db_parameter_group_name(instance.parameter_group.map(str::to_owned))
        .set_availability_zone(instance.availability_zone.map(str::to_owned))
        .publicly_accessible(instance.publicly_accessible)
        .set_tags(Some(rds_tags(instance.tags)))
        .send()
        .await
        .map_err(|error| call_error("rds:CreateDBInstance", format!("DB cluster {}", instance.cluster), error))?;
    Ok(())
}

/// One cluster as it is now, with its instances; None when there is none of that name.
pub async fn describe_cluster(aws: &Aws, identifier: &str) -> Result<Option<Cluster>, AwsError> {
    let _permit = aws.permit().await;
    describe_cluster_with(&aws.rds, identifier).await
}

pub(crate) async fn describe_cluster_with(client: &Client, identifier: &str) -> Result<Option<Cluster>, AwsError> {
    // A filter answers an empty list for a name that does not exist, not an error.
    let found = client
        .describe_db_clusters()
        .filters(Filter::builder().name("db-cluster-id").values(identifier).build())
        .send()
        .await
        .map_err(|error| call_error("rds:DescribeDBClusters", format!("DB cluster {identifier}"), error))?;
    let Some(cluster) = found.db_clusters().iter().find(|cluster| cluster.db_cluster_identifier() == Some(identifier)) else {
        return Ok(None);
    };
    let mut read = cluster_from(cluster);
    if let Some(read) = &mut read {
        let instances = instances_where(client, "db-cluster-id", &[identifier.to_owned()], &format!("the DB instances of {identifier}")).await?;
        let writers = writers(found.db_clusters());
        let mut instances: Vec<Instance> = instances.iter().filter_map(|instance| instance_from(instance, &writers)).collect();
        instances.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        read.instances = Some(instances);
    }
    Ok(read)
}

/// One manual cluster snapshot as it is now; None when there is none of that name.
pub async fn describe_cluster_snapshot(aws: &Aws, identifier: &str) -> Result<Option<ClusterSnapshot>, AwsError> {
    let _permit = aws.permit().await;
    describe_cluster_snapshot_with(&aws.rds, identifier).await
}

pub(crate) async fn describe_cluster_snapshot_with(client: &Client, identifier: &str) -> Result<Option<ClusterSnapshot>, AwsError> {
    let found = client
        .describe_db_cluster_snapshots()
        .filters(Filter::builder().name("db-cluster-snapshot-id").values(identifier).build())
        .send()
        .await
        .map_err(|error| call_error("rds:DescribeDBClusterSnapshots", format!("DB cluster snapshot {identifier}"), error))?;
    Ok(found.db_cluster_snapshots().iter().filter(|snapshot| snapshot.db_cluster_snapshot_identifier() == Some(identifier)).find_map(snapshot_from))
}

/// The cluster an instance of that name belongs to, if one exists.
pub async fn instance_cluster(aws: &Aws, identifier: &str) -> Result<Option<String>, AwsError> {
    let _permit = aws.permit().await;
    let found = instances_where(&aws.rds, "db-instance-id", &[identifier.to_owned()], &format!("DB instance {identifier}")).await?;
    Ok(found.iter().find(|instance| instance.db_instance_identifier() == Some(identifier)).map(cluster_of))
}

/// The days of ACU use a cost estimate looks at.
pub const USAGE_DAYS: u32 = 14;

/// Reads each named cluster's ACU use over the last [`USAGE_DAYS`] (hourly averages of
/// `ServerlessDatabaseCapacity`) and its volume size (`VolumeBytesUsed`), two series a
/// cluster, in as few `GetMetricData` calls as they fit.
pub async fn read_usage(aws: &Aws, aurora: &mut holdfast_inventory::aurora::Aurora, identifiers: &[String]) -> Result<(), AwsError> {
    use crate::metrics::{Series, read, window};
    if identifiers.is_empty() {
        return Ok(());
    }
    let series: Vec<Series> = identifiers
        .iter()
        .flat_map(|identifier| {
            let dimensions = vec![("DBClusterIdentifier", identifier.clone())];
            [
                Series { namespace: "AWS/RDS", metric: "ServerlessDatabaseCapacity", dimensions: dimensions.clone(), stat: "Average", period_seconds: 3600 },
                Series { namespace: "AWS/RDS", metric: "VolumeBytesUsed", dimensions, stat: "Average", period_seconds: 86_400 },
            ]
        })
        .collect();
    // Only Serverless v2 instances bill by the ACU: the classes of the clusters whose
    // instances were not read already (one DescribeDBInstances for up to 100 clusters).
    let unread: Vec<String> = identifiers
        .iter()
        .filter(|identifier| aurora.clusters.iter().any(|cluster| &cluster.identifier == *identifier && cluster.instances.is_none()))
        .cloned()
        .collect();
    let client = crate::metrics::client(aws);
    let (values, classes) = tokio::try_join!(read(aws, &client, &series, window(USAGE_DAYS, 3600)), async {
        if unread.is_empty() { Ok(BTreeMap::new()) } else { instances_of(&aws.rds, aws, &unread, &BTreeSet::new()).await }
    })?;
    for (identifier, pair) in identifiers.iter().zip(values.chunks(2)) {
        let hourly: Vec<f64> = pair[0].iter().map(|(_, value)| *value).collect();
        // An Aurora volume holds 128 TiB at most: anything else is not a reading.
        let volume = pair[1]
            .last()
            .map(|(_, bytes)| *bytes)
            .filter(|bytes| bytes.is_finite() && (0.0..=128.0 * 1024f64.powi(4)).contains(bytes))
            .map(|bytes| bytes as u64);
        if let Some(cluster) = aurora.clusters.iter_mut().find(|cluster| &cluster.identifier == identifier) {
            let mut usage = holdfast_inventory::aurora::ClusterUsage::from_hourly(USAGE_DAYS, &hourly, volume);
            usage.instance_classes = classes.get(identifier).into_iter().flatten().map(|instance| instance.class.clone()).collect();
            cluster.usage = Some(usage);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! moto leaves a restore from an unencrypted snapshot unencrypted whatever key it names,
    //! where Aurora encrypts it ("you can restore an unencrypted snapshot to an encrypted
    //! Aurora DB cluster. To do this, specify a KMS key when you restore", Aurora User
    //! Guide, Limitations of Amazon Aurora encrypted DB clusters). The direct restore's
    //! request, and reading its result back, are tested with responses in the shapes the
    //! RDS API reference documents.

    use aws_sdk_rds::operation::describe_db_clusters::DescribeDbClustersOutput;
    use aws_sdk_rds::operation::describe_db_instances::DescribeDbInstancesOutput;
    use aws_sdk_rds::operation::restore_db_cluster_from_snapshot::RestoreDbClusterFromSnapshotOutput;
    use aws_sdk_rds::types::{DbClusterMember, StorageEncryptionType};
    use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};

    use super::*;

    const KEY_ARN: &str = "arn:aws:kms:us-east-1:108782097218:key/0b7e5a1c-4f1d-4d2a-9c1e-7a8b9c0d1e2f";

    fn client(rules: &[&Rule]) -> Client {
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in rules {
            interceptor = interceptor.with_rule(rule);
        }
        let config = aws_sdk_rds::Config::builder()
            .behavior_version(aws_sdk_rds::config::BehaviorVersion::latest())
            .region(aws_sdk_rds::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_rds::config::Credentials::new("test", "test", None, None, "test"))
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        Client::from_conf(config)
    }

    fn settings() -> Settings {
        Settings {
            db_subnet_group: Some("db-subnets".into()),
            vpc_security_groups: vec!["sg-0db".into()],
            cluster_parameter_group: Some("orders-pg16".into()),
            port: Some(5432),
            iam_database_authentication: true,
            backup_retention_days: Some(14),
            deletion_protection: true,
            log_exports: vec!["postgresql".into()],
            copy_tags_to_snapshot: true,
            master_user_secret: None,
        }
    }

    #[tokio::test]
    async fn a_direct_restore_names_the_key_and_every_setting_the_restore_does_not_carry() {
        let settings = settings();
        let tags = vec![
            ("team".to_owned(), "data".to_owned()),
            ("aws:cloudformation:stack-name".to_owned(), "x".to_owned()),
            ("holdfast:encrypts".to_owned(), "orders".to_owned()),
        ];
        let restore = mock!(Client::restore_db_cluster_from_snapshot)
            .match_requests(|request| {
                let scaling = request.serverless_v2_scaling_configuration();
                let tags: Vec<(&str, &str)> = request.tags().iter().filter_map(|tag| Some((tag.key()?, tag.value()?))).collect();
                request.db_cluster_identifier() == Some("orders-enc")
                    && request.snapshot_identifier() == Some("orders-encryption-snapshot")
                    && request.kms_key_id() == Some("alias/z360-phi")
                    && request.engine() == Some("aurora-postgresql")
                    && request.engine_version() == Some("16.4")
                    && request.db_subnet_group_name() == Some("db-subnets")
                    && request.vpc_security_group_ids() == ["sg-0db"]
                    && request.db_cluster_parameter_group_name() == Some("orders-pg16")
                    && request.port() == Some(5432)
                    && request.enable_iam_database_authentication() == Some(true)
                    && request.backup_retention_period() == Some(14)
                    && request.deletion_protection() == Some(true)
                    && request.enable_cloudwatch_logs_exports() == ["postgresql"]
                    && request.copy_tags_to_snapshot() == Some(true)
                    && scaling.and_then(ServerlessV2ScalingConfiguration::min_capacity) == Some(0.5)
                    && scaling.and_then(ServerlessV2ScalingConfiguration::max_capacity) == Some(4.0)
                    && tags == [("team", "data"), ("holdfast:encrypts", "orders")]
            })
            .then_output(|| {
                RestoreDbClusterFromSnapshotOutput::builder()
                    .db_cluster(DbCluster::builder().db_cluster_identifier("orders-enc").status("creating").storage_encrypted(true).kms_key_id(KEY_ARN).build())
                    .build()
            });
        let new = NewCluster {
            identifier: "orders-enc",
            snapshot: "orders-encryption-snapshot",
            engine: "aurora-postgresql",
            engine_version: "16.4",
            kms_key: Some("alias/z360-phi"),
            settings: &settings,
            scaling: Some(Scaling { min_acu: 0.5, max_acu: 4.0 }),
            tags: &tags,
        };
        restore_cluster_with(&client(&[&restore]), &new).await.expect("the request carries the key and every setting");
        assert_eq!(restore.num_calls(), 1);
    }

    #[tokio::test]
    async fn the_restored_cluster_reads_back_encrypted_with_its_writer_and_endpoints() {
        let describe = mock!(Client::describe_db_clusters).then_output(|| {
            DescribeDbClustersOutput::builder()
                .db_clusters(
                    DbCluster::builder()
                        .db_cluster_identifier("orders-enc")
                        .engine("aurora-postgresql")
                        .engine_version("16.4")
                        .status("available")
                        .storage_encrypted(true)
                        .storage_encryption_type(StorageEncryptionType::Cmk)
                        .kms_key_id(KEY_ARN)
                        .endpoint("orders-enc.cluster-c1abc.us-east-1.rds.amazonaws.com")
                        .db_cluster_members(DbClusterMember::builder().db_instance_identifier("orders-enc-1").is_cluster_writer(true).build())
                        .tag_list(Tag::builder().key("holdfast:encrypts").value("orders").build())
                        .build(),
                )
                .build()
        });
        let instances = mock!(Client::describe_db_instances).then_output(|| {
            DescribeDbInstancesOutput::builder()
                .db_instances(
                    DbInstance::builder()
                        .db_instance_identifier("orders-enc-1")
                        .db_cluster_identifier("orders-enc")
                        .db_instance_class("db.serverless")
                        .db_instance_status("creating")
                        .promotion_tier(1)
                        .build(),
                )
                .build()
        });
        let read = describe_cluster_with(&client(&[&describe, &instances]), "orders-enc").await.expect("read").expect("the cluster");
        assert!(read.encrypted_at_rest());
        assert_eq!((read.kms_key_id.as_deref(), read.encryption_type.as_deref()), (Some(KEY_ARN), Some("sse-kms")));
        assert_eq!(read.migration_source(), Some("orders"));
        let instance = &read.instances.expect("its instances")[0];
        assert_eq!((instance.identifier.as_str(), instance.writer, instance.status.as_str()), ("orders-enc-1", true, "creating"));
    }

    #[tokio::test]
    async fn a_cluster_encrypted_by_default_under_an_aws_owned_key_is_encrypted_at_rest() {
        // Since February 2026: StorageEncrypted false, StorageEncryptionType sse-rds, no key.
        let describe = mock!(Client::describe_db_clusters).then_output(|| {
            DescribeDbClustersOutput::builder()
                .db_clusters(
                    DbCluster::builder()
                        .db_cluster_identifier("orders-new")
                        .engine("aurora-postgresql")
                        .status("available")
                        .storage_encrypted(false)
                        .storage_encryption_type(StorageEncryptionType::Sse)
                        .build(),
                )
                .build()
        });
        let instances = mock!(Client::describe_db_instances).then_output(|| DescribeDbInstancesOutput::builder().build());
        let read = describe_cluster_with(&client(&[&describe, &instances]), "orders-new").await.expect("read").expect("the cluster");
        assert!(!read.storage_encrypted);
        assert!(read.encrypted_at_rest());
        assert_eq!(read.encryption_type.as_deref(), Some("sse-rds"));
    }

    #[tokio::test]
    async fn a_name_that_does_not_exist_reads_as_none() {
        let describe = mock!(Client::describe_db_clusters).then_output(|| DescribeDbClustersOutput::builder().build());
        assert!(describe_cluster_with(&client(&[&describe]), "nothing").await.expect("read").is_none());
    }
}
