//! Secret canaries planted in a task definition's plaintext environment, in an SSM
//! parameter and in the environment the plan reads never appear in any output, plan
//! file or snapshot.

mod common;

use common::{desired_dir, holdfast};
use holdfast_inventory::ecs::{Cluster, Container, EnvironmentVariable, Service, TaskDefinition};
use holdfast_inventory::ssm::{Parameter, ParameterValue};
use holdfast_inventory::{Coverage, Inventory, Salt, SecretHash};

const TASK_CANARY: &str = "CANARY-task-env-5d1f0e9b";
const PARAMETER_CANARY: &str = "CANARY-ssm-value-a7c23e41";
const ENV_CANARY: &str = "CANARY-plan-env-93be7d02";

const DESIRED: &str = r#"
[account]
id = "123456789012"
region = "us-east-1"

[[ecs.task_secrets]]
service = "web-*"
secrets = { APP_SECRET = "/app/secret" }

[[ssm.parameter]]
name = "/app/secret"
type = "SecureString"
value = { migrate_from_task_env = "APP_SECRET" }

[[ssm.parameter]]
name = "/app/api-token"
type = "SecureString"
value = { env = "APP_API_TOKEN" }
"#;

fn inventory() -> Inventory {
    let salt = Salt::from_bytes(b"canary-test-salt");
    let mut inventory = Inventory::new("123456789012", "us-east-1", "2026-01-01T00:00:00Z", salt.clone());
    inventory.coverage = Coverage::Everything;
    let definition = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4".to_owned();
    inventory.ecs.task_definitions.push(TaskDefinition {
        arn: definition.clone(),
        family: "web".into(),
        revision: 4,
        execution_role_arn: None,
        cpu_units: Some(512),
        memory_mib: Some(1024),
        cpu_architecture: None,
        os_family: None,
        containers: vec![Container {
            name: "web".into(),
            environment: vec![EnvironmentVariable::new(&salt, "APP_SECRET", TASK_CANARY), EnvironmentVariable::new(&salt, "PLAIN", TASK_CANARY)],
            secrets: Vec::new(),
        }],
        secrets_moved_from: None,
    });
    inventory.ecs.clusters.push(Cluster {
        name: "c".into(),
        arn: "arn:aws:ecs:us-east-1:123456789012:cluster/c".into(),
        capacity_providers: Vec::new(),
        default_strategy: Vec::new(),
        tags: Default::default(),
        services: vec![Service {
            name: "web-1".into(),
            arn: "arn:aws:ecs:us-east-1:123456789012:service/c/web-1".into(),
            launch_type: Some("FARGATE".into()),
            capacity_provider_strategy: Vec::new(),
            task_definition: definition,
            desired_count: 1,
            running_count: Some(1),
            tags: Default::default(),
        }],
    });
    inventory.ssm.parameters.push(Parameter {
        name: "/app/api-token".into(),
        arn: "arn:aws:ssm:us-east-1:123456789012:parameter/app/api-token".into(),
        parameter_type: "SecureString".into(),
        kms_key: Some("alias/aws/ssm".into()),
        version: 3,
        value: ParameterValue::Hash(SecretHash::of(&salt, PARAMETER_CANARY)),
        tags: Default::default(),
    });
    inventory
}

fn assert_no_canary(what: &str, text: &str) {
    for canary in [TASK_CANARY, PARAMETER_CANARY, ENV_CANARY] {
        assert!(!text.contains(canary), "{what} contains the canary {canary}:\n{text}");
    }
}

#[test]
fn no_canary_in_any_output_format_plan_file_or_snapshot() {
    let snapshot_text = inventory().to_snapshot();
    assert_no_canary("the snapshot", &snapshot_text);
    let dir = desired_dir(&[("main.toml", DESIRED)]);
    let snapshot = dir.path().join("snapshot.json");
    std::fs::write(&snapshot, &snapshot_text).expect("write the snapshot");
    let desired = dir.path().display().to_string();
    let snapshot = snapshot.display().to_string();

    for format in ["text", "json", "markdown"] {
        for color in ["never", "always"] {
            let plan_file = dir.path().join(format!("plan-{format}-{color}.json"));
            let plan_path = plan_file.display().to_string();
            let run = holdfast(
                &["plan", "--desired", &desired, "--snapshot", &snapshot, "--format", format, "--color", color, "--out", &plan_path, "--detailed-exitcode"],
                &[("APP_API_TOKEN", ENV_CANARY)],
            );
            assert_eq!(run.code, 2, "changes are present: {}", run.stderr);
            assert_no_canary(&format!("{format} output"), &run.all_output());
            let saved = std::fs::read_to_string(&plan_file).expect("the plan file is written");
            assert_no_canary("the plan file", &saved);
            // The plan did see the drift it was asked about, so the canaries were in play.
            assert!(saved.contains("(sensitive, from $APP_API_TOKEN)"), "the differing token is planned");
            assert!(saved.contains("(sensitive, from the task definition: APP_SECRET of container web in web:4)"), "the migration is planned");
        }
    }
}

#[test]
fn environment_values_are_hashed_even_for_variables_nobody_declared_secret() {
    let snapshot_text = inventory().to_snapshot();
    assert!(snapshot_text.contains("\"name\": \"PLAIN\""), "the variable name is kept");
    assert!(!snapshot_text.contains(TASK_CANARY), "its value is not");
}

#[test]
fn no_canary_in_any_audit_format() {
    let dir = desired_dir(&[("main.toml", DESIRED)]);
    let snapshot = dir.path().join("snapshot.json");
    std::fs::write(&snapshot, inventory().to_snapshot()).expect("write the snapshot");
    let (desired, snapshot) = (dir.path().display().to_string(), snapshot.display().to_string());
    for format in ["text", "markdown", "json", "junit", "sarif", "html"] {
        let out = dir.path().join(format!("audit.{format}"));
        let out = out.display().to_string();
        let run = holdfast(&["audit", "--desired", &desired, "--snapshot", &snapshot, "--format", format], &[("APP_API_TOKEN", ENV_CANARY)]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_no_canary(&format!("audit {format} output"), &run.all_output());
        // The audit looked at the variables holding the canary, and named them.
        assert!(run.stdout.contains("APP_SECRET"), "{format}: the secret-like variable is named:\n{}", run.stdout);
        let written = holdfast(&["audit", "--desired", &desired, "--snapshot", &snapshot, "--format", format, "--out", &out], &[]);
        assert_eq!(written.code, 0, "{}", written.stderr);
        assert_no_canary(&format!("the audit {format} file"), &std::fs::read_to_string(&out).expect("the report is written"));
    }
}

const URL_CANARY: &str = "CANARY-db-password-6c0e2f7a";
const HOST: &str = "orders.cluster-c1abc.us-east-1.rds.amazonaws.com";

/// A cluster to encrypt, and a service whose DATABASE_URL holds its address and a password.
fn migration_inventory() -> Inventory {
    let mut inventory = inventory();
    let salt = inventory.salt.clone();
    let url = format!("postgres://app:{URL_CANARY}@{HOST}:5432/orders");
    inventory.ecs.task_definitions[0].containers[0].environment.push(EnvironmentVariable::new(&salt, "DATABASE_URL", &url));
    let cluster = serde_json::json!({
        "identifier": "orders", "arn": "arn:aws:rds:us-east-1:123456789012:cluster:orders", "engine": "aurora-postgresql",
        "engine_version": "16.4", "serverless_v2": { "min_acu": 0.5, "max_acu": 4.0 }, "storage_encrypted": false, "kms_key_id": null,
        "members": ["orders-1"], "tags": {}, "status": "available", "endpoint": HOST,
        "settings": { "db_subnet_group": "db", "vpc_security_groups": ["sg-1"], "cluster_parameter_group": null, "port": 5432,
            "iam_database_authentication": false, "backup_retention_days": 7, "deletion_protection": true, "log_exports": [], "copy_tags_to_snapshot": false },
        "instances": [{ "identifier": "orders-1", "class": "db.serverless", "writer": true, "promotion_tier": 1, "parameter_group": null,
            "availability_zone": null, "publicly_accessible": false, "status": "available", "endpoint": null, "tags": {} }]
    });
    inventory.aurora.clusters.push(serde_json::from_value(cluster).expect("a cluster"));
    inventory.aurora.snapshots = Some(Vec::new());
    inventory
}

#[test]
fn a_cutover_names_the_variable_and_host_that_hold_the_old_address_never_the_password_beside_them() {
    let snapshot_text = migration_inventory().to_snapshot();
    assert!(!snapshot_text.contains(URL_CANARY), "the snapshot keeps the host, not the value:\n{snapshot_text}");
    assert!(snapshot_text.contains(HOST));
    let desired = format!("{DESIRED}\n[[aurora.cluster]]\nmatch = \"orders\"\nstorage_encrypted = true\n");
    let dir = desired_dir(&[("main.toml", &desired)]);
    let snapshot = dir.path().join("snapshot.json");
    std::fs::write(&snapshot, &snapshot_text).expect("write the snapshot");
    let (desired, snapshot) = (dir.path().display().to_string(), snapshot.display().to_string());
    for format in ["text", "json", "markdown"] {
        let run = holdfast(&["plan", "--desired", &desired, "--snapshot", &snapshot, "--format", format], &[]);
        assert!(!run.all_output().contains(URL_CANARY), "{format}:\n{}", run.all_output());
        assert!(
            run.stdout.contains(&format!("DATABASE_URL of container web names {HOST}")),
            "the reference is found, so the value was in play:\n{}",
            run.stdout
        );
    }
    let run = holdfast(&["runbook", "aurora.cluster/orders", "--desired", &desired, "--snapshot", &snapshot], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.all_output().contains(URL_CANARY), "{}", run.all_output());
    assert!(run.stdout.contains(&format!("DATABASE_URL of container web names {HOST}")), "{}", run.stdout);
}
