//! Builders for desired states and inventories, so each test states only what matters to it.

#![allow(dead_code)] // each test file uses a different part of this module

use std::collections::BTreeMap;

use holdfast_desired::{Desired, SourceFile};
use holdfast_inventory::aurora::{self, Scaling};
use holdfast_inventory::ecs::{self, Container, EnvironmentVariable, SecretReference, StrategyItem, TaskDefinition};
use holdfast_inventory::kms::{Alias, Key};
use holdfast_inventory::s3::{self, Encryption};
use holdfast_inventory::ssm::{self, ParameterValue};
use holdfast_inventory::vpc::{self, FlowLog};
use holdfast_inventory::{Coverage, Inventory, Salt, SecretHash, Tags};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

pub fn desired(text: &str) -> Desired {
    holdfast_desired::load_sources(vec![SourceFile::new("test.toml", text)]).unwrap_or_else(|error| panic!("test desired state is invalid:\n{error}"))
}

pub fn salt() -> Salt {
    Salt::from_bytes(b"test-salt-0123456789")
}

pub fn inventory() -> Inventory {
    let mut inventory = Inventory::new(ACCOUNT, REGION, "2026-01-01T00:00:00Z", salt());
    // These inventories describe the whole (small) account a test needs.
    inventory.coverage = Coverage::Everything;
    inventory
}

pub fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect()
}

pub fn strategy(items: &[(&str, u32, u32)]) -> Vec<StrategyItem> {
    items.iter().map(|(provider, weight, base)| StrategyItem { provider: (*provider).into(), weight: *weight, base: *base }).collect()
}

pub fn task_definition_arn(family: &str, revision: u32) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{revision}")
}

pub fn parameter_arn(name: &str) -> String {
    format!("arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{name}")
}

/// Adds a cluster (created on first use) with one service on a launch type or a strategy.
pub fn add_service(inventory: &mut Inventory, cluster: &str, service: &str, compute: Result<&str, Vec<StrategyItem>>, task_definition: &str) {
    let position = match inventory.ecs.clusters.iter().position(|candidate| candidate.name == cluster) {
        Some(position) => position,
        None => {
            inventory.ecs.clusters.push(ecs::Cluster {
                name: cluster.into(),
                arn: format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{cluster}"),
                capacity_providers: vec!["FARGATE".into(), "FARGATE_SPOT".into()],
                default_strategy: Vec::new(),
                tags: Tags::new(),
                services: Vec::new(),
            });
            inventory.ecs.clusters.len() - 1
        }
    };
    let (launch_type, strategy) = match compute {
        Ok(launch_type) => (Some(launch_type.to_owned()), Vec::new()),
        Err(strategy) => (None, strategy),
    };
    inventory.ecs.clusters[position].services.push(ecs::Service {
        name: service.into(),
        arn: format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/{cluster}/{service}"),
        launch_type,
        capacity_provider_strategy: strategy,
        task_definition: task_definition.into(),
        desired_count: 2,
        running_count: Some(2),
        tags: Tags::new(),
    });
}

/// A task definition with one container, its plaintext environment hashed at once.
pub fn add_task_definition(inventory: &mut Inventory, family: &str, revision: u32, environment: &[(&str, &str)], secrets: &[(&str, &str)]) -> String {
    let arn = task_definition_arn(family, revision);
    let salt = inventory.salt.clone();
    inventory.ecs.task_definitions.push(TaskDefinition {
        arn: arn.clone(),
        family: family.into(),
        revision,
        execution_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/{family}-ExecutionRole")),
        cpu_units: Some(512),
        memory_mib: Some(1024),
        cpu_architecture: None,
        os_family: None,
        containers: vec![Container {
            name: "app".into(),
            environment: environment.iter().map(|(name, value)| EnvironmentVariable::new(&salt, name, value)).collect(),
            secrets: secrets.iter().map(|(name, from)| SecretReference { name: (*name).into(), value_from: (*from).into() }).collect(),
        }],
        secrets_moved_from: None,
    });
    arn
}

pub fn add_aurora(inventory: &mut Inventory, identifier: &str, min_acu: f64, max_acu: f64, encrypted_with: Option<&str>) {
    inventory.aurora.clusters.push(aurora::Cluster {
        identifier: identifier.into(),
        arn: format!("arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{identifier}"),
        engine: "aurora-postgresql".into(),
        engine_version: "16.4".into(),
        engine_mode: Some("provisioned".into()),
        serverless_v2: Some(Scaling { min_acu, max_acu }),
        storage_type: None,
        storage_encrypted: encrypted_with.is_some(),
        kms_key_id: encrypted_with.map(str::to_owned),
        members: Some(vec![format!("{identifier}-instance-1")]),
        tags: Tags::new(),
        status: Some("available".into()),
        encryption_type: None,
        endpoint: Some(format!("{identifier}.cluster-c1abc.{REGION}.rds.amazonaws.com")),
        reader_endpoint: Some(format!("{identifier}.cluster-ro-c1abc.{REGION}.rds.amazonaws.com")),
        settings: Some(aurora::Settings {
            db_subnet_group: Some("db-subnets".into()),
            vpc_security_groups: vec!["sg-0db".into()],
            cluster_parameter_group: Some("default.aurora-postgresql16".into()),
            port: Some(5432),
            iam_database_authentication: true,
            backup_retention_days: Some(7),
            deletion_protection: true,
            log_exports: vec!["postgresql".into()],
            copy_tags_to_snapshot: true,
            master_user_secret: None,
        }),
        instances: Some(vec![aurora::Instance {
            identifier: format!("{identifier}-instance-1"),
            class: "db.serverless".into(),
            writer: true,
            promotion_tier: Some(1),
            parameter_group: Some("default.aurora-postgresql16".into()),
            availability_zone: Some(format!("{REGION}a")),
            publicly_accessible: false,
            status: "available".into(),
            endpoint: Some(format!("{identifier}-instance-1.c1abc.{REGION}.rds.amazonaws.com")),
            tags: Tags::new(),
        }]),
        usage: None,
    });
    inventory.aurora.snapshots.get_or_insert_with(Vec::new);
}

pub fn add_bucket(inventory: &mut Inventory, name: &str, encryption: Option<Encryption>, lifecycle: Option<s3::Lifecycle>, empty: Option<bool>) {
    inventory.s3.buckets.push(s3::Bucket {
        name: name.into(),
        encryption,
        lifecycle,
        empty,
        tags: Some(Tags::new()),
        public_access_block: None,
        policy: None,
        storage: None,
    });
}

pub fn sse_kms(key: &str, bucket_key: bool) -> Encryption {
    Encryption { algorithm: "aws:kms".into(), kms_key: Some(key.into()), bucket_key }
}

pub fn add_parameter(inventory: &mut Inventory, name: &str, parameter_type: &str, kms_key: Option<&str>, value: Result<&str, &str>) {
    let value = match value {
        Ok(value) => ParameterValue::Hash(SecretHash::of(&inventory.salt, value)),
        Err(reason) => ParameterValue::Unreadable { reason: reason.into() },
    };
    inventory.ssm.parameters.push(ssm::Parameter {
        name: name.into(),
        arn: parameter_arn(name),
        parameter_type: parameter_type.into(),
        kms_key: kms_key.map(str::to_owned),
        version: 1,
        value,
        tags: Tags::new(),
    });
}

pub fn add_vpc(inventory: &mut Inventory, id: &str, name: Option<&str>, flow_logs: Vec<FlowLog>) {
    inventory.vpc.vpcs.push(vpc::Vpc {
        id: id.into(),
        is_default: name.is_none(),
        tags: name.map(|name| tags(&[("Name", name)])).unwrap_or_default(),
        flow_logs,
    });
}

pub fn s3_flow_log(id: &str, destination: &str, traffic: &str) -> FlowLog {
    FlowLog {
        id: id.into(),
        destination_type: "s3".into(),
        destination: destination.into(),
        traffic_type: traffic.into(),
        max_aggregation_interval: 600,
        log_format: None,
        status: "ACTIVE".into(),
        deliver_logs_permission_arn: None,
        destination_options: None,
        tags: Tags::new(),
        bytes_per_day: None,
        volume_shared_by: None,
    }
}

pub fn add_alias(inventory: &mut Inventory, name: &str, key_id: &str) {
    inventory.kms.aliases.push(Alias { name: name.into(), target_key_id: Some(key_id.into()) });
    if !inventory.kms.keys.iter().any(|key| key.id == key_id) {
        inventory.kms.keys.push(Key { id: key_id.into(), arn: key_arn(key_id), state: Some("Enabled".into()), ..Key::default() });
    }
}

pub fn key_arn(key_id: &str) -> String {
    format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}")
}

/// Secret hashes for `{ env = ... }` values, as the CLI computes them.
pub fn env_hashes(inventory: &Inventory, pairs: &[(&str, &str)]) -> BTreeMap<String, SecretHash> {
    pairs.iter().map(|(name, value)| ((*name).to_owned(), SecretHash::of(&inventory.salt, value))).collect()
}
