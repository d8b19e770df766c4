//! ECS capacity provider strategies and secrets moved out of plaintext environment.

mod support;

use holdfast_planner::operation::{Operation, SecretMove};
use holdfast_planner::{Action, Flag, plan};
use support::*;

const STRATEGIES: &str = r#"
[ecs.strategies]
spot = [{ provider = "FARGATE_SPOT", weight = 1 }]
mixed = [{ provider = "FARGATE", base = 1, weight = 1 }, { provider = "FARGATE_SPOT", weight = 3 }]
on-demand = [{ provider = "FARGATE", weight = 1 }]
"#;

#[test]
fn launch_type_service_moves_to_spot_with_a_redeploy() {
    let desired = desired(&format!("{STRATEGIES}[[ecs.service]]\ncluster = \"app-Cluster-*\"\nservice = \"app-web-*\"\nstrategy = \"spot\"\n"));
    let mut inventory = inventory();
    add_service(&mut inventory, "app-Cluster-abc123", "app-web-Service-XYZ", Ok("FARGATE"), "td:1");
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes.len(), 1);
    let change = &plan.changes[0];
    assert_eq!(change.address, "ecs.service/app-Cluster-abc123/app-web-Service-XYZ");
    assert_eq!(change.action, Action::Update);
    assert_eq!(change.flags, vec![Flag::Redeploy]);
    assert_eq!(change.source, "test.toml:6");
    assert_eq!(change.attributes[0].before.as_deref(), Some("launch type FARGATE"));
    assert_eq!(change.attributes[0].after.as_deref(), Some("FARGATE_SPOT weight 1"));
    let Operation::UpdateService { strategy: Some(strategy), force_new_deployment, secrets: None, .. } = &change.operation else {
        panic!("unexpected operation {:?}", change.operation)
    };
    assert!(force_new_deployment, "ECS rejects a strategy change without a new deployment");
    assert_eq!(strategy, &support::strategy(&[("FARGATE_SPOT", 1, 0)]));
}

#[test]
fn same_strategy_in_another_order_is_no_change() {
    let desired = desired(&format!("{STRATEGIES}[[ecs.service]]\nservice = \"web-*\"\nstrategy = \"mixed\"\n"));
    let mut inventory = inventory();
    add_service(&mut inventory, "c", "web-1", Err(strategy(&[("FARGATE_SPOT", 3, 0), ("FARGATE", 1, 1)])), "td:1");
    let plan = plan(&desired, &inventory);
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert!(plan.warnings.is_empty(), "{:#?}", plan.warnings);
}

#[test]
fn one_glob_selects_every_service_with_a_generated_suffix() {
    let desired = desired(&format!("{STRATEGIES}[[ecs.service]]\ncluster = \"z360-staging-Cluster-*\"\nservice = \"z360-staging-*\"\nstrategy = \"spot\"\n"));
    let mut inventory = inventory();
    for service in ["z360-staging-web-Service-a1", "z360-staging-queue-Service-b2", "z360-staging-reverb-Service-c3"] {
        add_service(&mut inventory, "z360-staging-Cluster-rTtLLOHCi694", service, Ok("FARGATE"), "td:1");
    }
    add_service(&mut inventory, "z360-beta-Cluster-x", "z360-beta-web-Service-d4", Ok("FARGATE"), "td:1");
    let plan = plan(&desired, &inventory);
    let addresses: Vec<&str> = plan.changes.iter().map(|change| change.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "ecs.service/z360-staging-Cluster-rTtLLOHCi694/z360-staging-queue-Service-b2",
            "ecs.service/z360-staging-Cluster-rTtLLOHCi694/z360-staging-reverb-Service-c3",
            "ecs.service/z360-staging-Cluster-rTtLLOHCi694/z360-staging-web-Service-a1",
        ]
    );
}

#[test]
fn missing_capacity_provider_is_added_to_the_cluster_first() {
    let desired = desired(&format!("{STRATEGIES}[[ecs.service]]\nservice = \"web-*\"\nstrategy = \"spot\"\n"));
    let mut inventory = inventory();
    add_service(&mut inventory, "c", "web-1", Ok("FARGATE"), "td:1");
    inventory.ecs.clusters[0].capacity_providers = vec!["FARGATE".into()];
    inventory.ecs.clusters[0].default_strategy = strategy(&[("FARGATE", 1, 0)]);
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes.len(), 2);
    let (cluster, service) = (&plan.changes[0], &plan.changes[1]);
    assert_eq!(cluster.address, "ecs.cluster/c");
    assert_eq!(cluster.attributes[0].after.as_deref(), Some("FARGATE, FARGATE_SPOT"));
    assert_eq!(
        cluster.operation,
        Operation::SetClusterCapacityProviders {
            cluster: "c".into(),
            capacity_providers: vec!["FARGATE".into(), "FARGATE_SPOT".into()],
            default_strategy: strategy(&[("FARGATE", 1, 0)])
        }
    );
    assert_eq!(service.depends_on, vec!["ecs.cluster/c".to_owned()]);
}

#[test]
fn realtime_service_selected_twice_is_left_alone_with_a_warning() {
    let desired = desired(&format!(
        "{STRATEGIES}[[ecs.service]]\nservice = \"beta-*\"\nstrategy = \"spot\"\n\n[[ecs.service]]\nservice = \"beta-reverb-*\"\nstrategy = \"on-demand\"\nrealtime = true\n"
    ));
    let mut inventory = inventory();
    add_service(&mut inventory, "c", "beta-reverb-1", Ok("FARGATE"), "td:1");
    let plan = plan(&desired, &inventory);
    assert!(plan.is_empty(), "a service two entries select is not changed: {:#?}", plan.changes);
    assert_eq!(plan.warnings.len(), 1);
    assert!(plan.warnings[0].message.contains("selected by more than one entry (also test.toml:10)"), "{:?}", plan.warnings);
}

#[test]
fn realtime_service_on_spot_moves_back_to_on_demand() {
    let desired = desired(&format!("{STRATEGIES}[[ecs.service]]\nservice = \"voice-*\"\nstrategy = \"on-demand\"\nrealtime = true\n"));
    let mut inventory = inventory();
    add_service(&mut inventory, "c", "voice-1", Err(strategy(&[("FARGATE_SPOT", 1, 0)])), "td:1");
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes[0].attributes[0].after.as_deref(), Some("FARGATE weight 1"));
}

#[test]
fn selector_that_matches_nothing_is_a_warning() {
    let desired = desired(&format!("{STRATEGIES}[[ecs.service]]\ncluster = \"z360-stagin-*\"\nservice = \"*\"\nstrategy = \"spot\"\n"));
    let mut inventory = inventory();
    add_service(&mut inventory, "z360-staging-Cluster-1", "web", Ok("FARGATE"), "td:1");
    let plan = plan(&desired, &inventory);
    assert!(plan.is_empty());
    assert_eq!(plan.warnings[0].message, "[[ecs.service]] cluster `z360-stagin-*`, service `*` matches nothing in the account");
    assert_eq!(plan.warnings[0].source.as_deref(), Some("test.toml:6"));
}

#[test]
fn tag_selector_picks_services_by_tag() {
    let desired = desired(&format!("{STRATEGIES}[[ecs.service]]\nservice = \"*\"\ntags = {{ copilot-environment = \"staging\" }}\nstrategy = \"spot\"\n"));
    let mut inventory = inventory();
    add_service(&mut inventory, "c", "web-staging", Ok("FARGATE"), "td:1");
    add_service(&mut inventory, "c", "web-prod", Ok("FARGATE"), "td:1");
    inventory.ecs.clusters[0].services[0].tags = tags(&[("copilot-environment", "staging"), ("copilot-service", "web")]);
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].address, "ecs.service/c/web-staging");
    assert!(plan.changes[0].notes[0].contains("AWS Copilot (env staging, svc web)"), "{:?}", plan.changes[0].notes);
}

#[test]
fn plaintext_secret_moves_to_ssm_with_a_new_revision() {
    let desired = desired(
        r#"
[[ecs.task_secrets]]
service = "web-*"
secrets = { APP_KEY = "/app/key" }

[[ssm.parameter]]
name = "/app/key"
type = "SecureString"
value = { migrate_from_task_env = "APP_KEY" }
"#,
    );
    let mut inventory = inventory();
    let definition = add_task_definition(&mut inventory, "web", 7, &[("APP_KEY", "canary-value-1"), ("LOG", "stderr")], &[]);
    add_service(&mut inventory, "c", "web-1", Ok("FARGATE"), &definition);
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.summary.create, 1);
    assert_eq!(plan.summary.update, 1);
    let service = plan.changes.iter().find(|change| change.address == "ecs.service/c/web-1").expect("the service changes");
    assert_eq!(service.flags, vec![Flag::Redeploy, Flag::TouchesSecret]);
    assert_eq!(service.depends_on, vec!["ssm.parameter/app/key".to_owned()]);
    assert_eq!(service.attributes[0].before.as_deref(), Some("plaintext environment (sensitive)"));
    assert_eq!(service.attributes[0].after.as_deref(), Some("secret from /app/key"));
    let Operation::UpdateService { secrets: Some(secrets), strategy: None, .. } = &service.operation else { panic!("{:?}", service.operation) };
    assert_eq!(secrets.from_task_definition, definition);
    assert_eq!(secrets.moves, vec![SecretMove { container: "app".into(), variable: "APP_KEY".into(), parameter: "/app/key".into() }]);
}

#[test]
fn secret_already_read_from_the_parameter_arn_is_no_change() {
    let desired = desired("[[ecs.task_secrets]]\nservice = \"web-*\"\nsecrets = { APP_KEY = \"/app/key\" }\n");
    let mut inventory = inventory();
    let definition = add_task_definition(&mut inventory, "web", 8, &[("LOG", "stderr")], &[("APP_KEY", &parameter_arn("/app/key"))]);
    add_service(&mut inventory, "c", "web-1", Ok("FARGATE"), &definition);
    let plan = plan(&desired, &inventory);
    assert!(plan.is_empty(), "{:#?}", plan.changes);
}

#[test]
fn secret_read_from_another_parameter_is_repointed() {
    let desired = desired("[[ecs.task_secrets]]\nservice = \"web-*\"\nsecrets = { APP_KEY = \"/app/key\" }\n");
    let mut inventory = inventory();
    let definition = add_task_definition(&mut inventory, "web", 8, &[], &[("APP_KEY", "/old/key")]);
    add_service(&mut inventory, "c", "web-1", Ok("FARGATE"), &definition);
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].attributes[0].before.as_deref(), Some("secret from /old/key"));
}

#[test]
fn launch_type_fargate_is_already_the_on_demand_strategy_so_nothing_is_redeployed() {
    let desired = desired(&format!("{STRATEGIES}[[ecs.service]]\nservice = \"voice-*\"\nstrategy = \"on-demand\"\nrealtime = true\n"));
    let mut inventory = inventory();
    add_service(&mut inventory, "c", "voice-Service-1", Ok("FARGATE"), "td:1");
    assert!(plan(&desired, &inventory).is_empty(), "launch type FARGATE and FARGATE weight 1 are the same capacity");

    // EC2 capacity is not what a Fargate strategy asks for, and `mixed` adds Spot.
    let mut inventory = inventory_on("EC2");
    assert_eq!(plan(&desired, &inventory).changes.len(), 1);
    let mixed = desired_with_strategy("mixed");
    inventory = inventory_on("FARGATE");
    assert_eq!(plan(&mixed, &inventory).changes.len(), 1);
}

fn inventory_on(launch_type: &str) -> holdfast_inventory::Inventory {
    let mut inventory = inventory();
    add_service(&mut inventory, "c", "voice-Service-1", Ok(launch_type), "td:1");
    inventory
}

fn desired_with_strategy(strategy: &str) -> holdfast_desired::Desired {
    desired(&format!("{STRATEGIES}[[ecs.service]]\nservice = \"voice-*\"\nstrategy = \"{strategy}\"\n"))
}

#[test]
fn a_provider_that_places_no_task_changes_nothing_and_is_not_added_to_the_cluster() {
    let desired = desired(
        "[ecs.strategies]\non-demand = [{ provider = \"FARGATE\", weight = 1 }, { provider = \"FARGATE_SPOT\", weight = 0 }]\n\n[[ecs.service]]\nservice = \"voice-*\"\nstrategy = \"on-demand\"\nrealtime = true\n",
    );
    let mut inventory = inventory();
    add_service(&mut inventory, "c", "voice-Service-1", Ok("FARGATE"), "td:1");
    inventory.ecs.clusters[0].capacity_providers.clear();
    let plan = plan(&desired, &inventory);
    assert!(plan.is_empty(), "{:#?}", plan.changes);
}
