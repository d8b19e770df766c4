//! The import of the shipped z360 example: faithful, compact and readable.

use holdfast_import::{Kind, Options, import, verify};
use holdfast_inventory::Inventory;
use holdfast_inventory::ecs::StrategyItem;

fn example() -> Inventory {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/z360-before-sprint.json");
    Inventory::from_snapshot(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const SOURCE: &str = "snapshot examples/z360-before-sprint.json";

#[test]
fn the_example_imports_to_a_folder_that_plans_no_change_in_fewer_entries_than_resources() {
    let inventory = example();
    let imported = import(&inventory, &Options { kinds: &Kind::ALL, source: SOURCE });
    if let Err(problems) = verify(&imported, &inventory, "imported") {
        panic!("the import is not faithful:\n{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
    }
    // 12 services in 4 entries, one a cluster; 6 buckets in one; the 4 Aurora clusters
    // one each (their names share no glob short of `z360-*`, which would reach clusters
    // made later); the key. The load balancer, unprotected, is a note for review.
    assert_eq!((imported.entries(), imported.resources()), (10, 23));
    insta::assert_snapshot!(imported.as_one_file());
}

/// The example as the sprint left it: staging on Spot, beta's queue on Spot and its
/// web and reverb services on demand.
fn after_the_sprint() -> Inventory {
    let mut inventory = example();
    let spot = vec![StrategyItem { provider: "FARGATE_SPOT".into(), weight: 1, base: 0 }];
    for cluster in &mut inventory.ecs.clusters {
        for service in &mut cluster.services {
            if service.name.starts_with("z360-staging-") || service.name.starts_with("z360-beta-queue-") {
                service.launch_type = None;
                service.capacity_provider_strategy = spot.clone();
            }
        }
    }
    inventory
}

#[test]
fn a_reviewer_can_tell_from_the_import_which_services_are_on_spot() {
    let inventory = after_the_sprint();
    let imported = import(&inventory, &Options { kinds: &[Kind::Ecs], source: SOURCE });
    verify(&imported, &inventory, "imported").unwrap_or_else(|problems| panic!("{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")));
    let ecs = &imported.files.iter().find(|file| file.name == "ecs.toml").unwrap().text;
    let strategies = "[ecs.strategies]\non-demand = [{ provider = \"FARGATE\", weight = 1 }]\nspot      = [{ provider = \"FARGATE_SPOT\", weight = 1 }]\n";
    assert!(ecs.contains(strategies), "{ecs}");
    let entries = [
        "# 3 services on Fargate Spot: queue-Service, reverb-Service, web-Service\n[[ecs.service]]\ncluster = \"z360-staging-Cluster-*\"\nservice = \"z360-staging-*\"\nstrategy = \"spot\"\n",
        "# 1 service on Fargate Spot: z360-beta-queue-Service\n[[ecs.service]]\ncluster = \"z360-beta-Cluster-*\"\nservice = \"z360-beta-queue-Service-*\"\nstrategy = \"spot\"\n",
        "# 2 services on demand: reverb-Service, web-Service\n[[ecs.service]]\ncluster = \"z360-beta-Cluster-*\"\nservice = \"z360-beta-{reverb,web}-Service-*\"\nstrategy = \"on-demand\"\n",
    ];
    for entry in entries {
        assert!(ecs.contains(entry), "missing:\n{entry}\nin:\n{ecs}");
    }
}

#[test]
fn no_secret_value_of_the_example_is_written_and_plaintext_secrets_are_only_suggested() {
    let inventory = example();
    let imported = import(&inventory, &Options { kinds: &Kind::ALL, source: SOURCE });
    let text = imported.as_one_file();
    // The example holds hashes of its plaintext values, never the values: no hash may leak either.
    for definition in &inventory.ecs.task_definitions {
        for variable in definition.containers.iter().flat_map(|container| &container.environment) {
            let hash = serde_json::to_string(&variable.value_hash).unwrap();
            assert!(!text.contains(hash.trim_matches('"')), "{} leaked", variable.name);
        }
    }
    // Suggested, commented out: no live [[ecs.task_secrets]] or [[ssm.parameter]] table.
    assert!(text.contains("# [[ecs.task_secrets]]\n# cluster = \"z360-staging-Cluster-*\""), "{text}");
    assert!(!text.lines().any(|line| line == "[[ecs.task_secrets]]" || line == "[[ssm.parameter]]"), "{text}");
    assert!(text.contains("# review: REVERB_APP_KEY, REVERB_APP_SECRET are in plaintext"), "{text}");
}

#[test]
fn a_note_stays_one_comment_line_whatever_the_error_it_quotes() {
    let mut inventory = example();
    let definition = inventory.ecs.clusters[0].services[0].task_definition.clone();
    inventory.ecs.task_definitions.retain(|found| found.arn != definition);
    inventory.ecs.unreadable_task_definitions.insert(definition, "AccessDenied\n  hint: the credentials may not call ecs:DescribeTaskDefinition".into());
    let imported = import(&inventory, &Options { kinds: &[Kind::Ecs], source: SOURCE });
    verify(&imported, &inventory, "imported").unwrap_or_else(|problems| panic!("{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")));
    let ecs = &imported.files.iter().find(|file| file.name == "ecs.toml").unwrap().text;
    assert!(ecs.contains("could not be read (AccessDenied; hint: the credentials may not call ecs:DescribeTaskDefinition)"), "{ecs}");
}

#[test]
fn stopped_suspended_and_partial_services_are_notes_not_declarations_a_fix_would_be_reverted_to() {
    use holdfast_inventory::cloudtrail::Trail;
    use holdfast_inventory::config::{DeliveryChannel, Recorder};
    use holdfast_inventory::guardduty::Detector;
    let mut inventory = example();
    inventory.cloudtrail.trails.push(Trail {
        name: "stopped".into(),
        arn: "arn:aws:cloudtrail:us-east-1:108782097218:trail/stopped".into(),
        home_region: "us-east-1".into(),
        multi_region: false,
        log_file_validation: false,
        global_service_events: true,
        bucket: Some("zscribe".into()),
        prefix: None,
        kms_key: None,
        logging: Some(false),
    });
    inventory.guardduty.detector =
        Some(Detector { id: "d1".into(), enabled: false, finding_frequency: None, features: Default::default(), additional: Default::default() });
    inventory.config.recorders.push(Recorder {
        name: "default".into(),
        role_arn: Some("arn:aws:iam::108782097218:role/config-recorder".into()),
        all_supported: false,
        include_global_resources: false,
        recording: true,
        resource_types: vec!["AWS::S3::Bucket".into()],
        recording_frequency: None,
    });
    inventory.config.channels.push(DeliveryChannel {
        name: "default".into(),
        bucket: Some("zscribe".into()),
        prefix: None,
        kms_key_arn: None,
        sns_topic_arn: None,
        snapshot_frequency: None,
    });
    let kinds = [Kind::Cloudtrail, Kind::Guardduty, Kind::Config];
    let imported = import(&inventory, &Options { kinds: &kinds, source: SOURCE });
    verify(&imported, &inventory, "imported").unwrap_or_else(|problems| panic!("{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")));
    let text = imported.as_one_file();
    assert!(text.contains("# review: the trail `stopped` is not logging: it is not imported"), "{text}");
    assert!(text.contains("# review: GuardDuty's detector d1 is suspended"), "{text}");
    assert!(!text.contains("[guardduty]") && !text.contains("[[cloudtrail.trail]]"), "{text}");
    assert!(text.contains("[config]\n# review: AWS Config's recorder `default` records a list of resource types"), "{text}");
    assert!(!text.contains("all_supported") && !text.contains("enabled = false"), "{text}");
}
