//! Property: whatever the account, planning its import against it changes nothing. The
//! inventories come from the planner tests' builders, with names chosen to collide:
//! shared prefixes, generated suffixes that generalize alike, glob characters.

#[path = "../../planner/tests/support/mod.rs"]
mod support;

use holdfast_import::{Kind, Options, import, verify};
use holdfast_inventory::Inventory;
use holdfast_inventory::cloudtrail::Trail;
use holdfast_inventory::config::{DeliveryChannel, Recorder};
use holdfast_inventory::elb::LoadBalancer;
use holdfast_inventory::guardduty::Detector;
use holdfast_inventory::s3::{Encryption, Lifecycle, LifecycleFilter, LifecycleRule, PublicAccessBlock, Transition};
use proptest::prelude::*;
use support::*;

const ENVIRONMENTS: [&str; 3] = ["staging", "beta", "prod"];
const ROLES: [&str; 5] = ["web", "web-api", "queue", "worker", "x[1]"];
const SUFFIXES: [&str; 5] = ["", "-rTtLLOHCi694", "-4kTq8ZbW1mXe", "-7hb3t6", "-Service-NVLWiAgNh0UF"];
const STRATEGIES: [&[(&str, u32, u32)]; 4] =
    [&[("FARGATE_SPOT", 1, 0)], &[("FARGATE", 1, 0)], &[("FARGATE", 1, 1), ("FARGATE_SPOT", 3, 0)], &[("FARGATE_SPOT", 2, 0)]];

/// (environment, role, Serverless v2 range as half-ACU minimum and extra ACUs, encrypted)
type AuroraCluster = (usize, usize, Option<(u8, u8)>, bool);

#[derive(Debug, Clone)]
struct Account {
    services: Vec<(usize, usize, usize, u8, u8)>,
    clusters: Vec<AuroraCluster>,
    buckets: Vec<(usize, usize, u8, u8, u8)>,
    parameters: Vec<(usize, usize, bool)>,
    vpcs: Vec<(Option<usize>, u8)>,
    balancers: Vec<(usize, bool)>,
    security: (bool, bool, bool, bool),
}

fn name(environment: usize, role: usize, suffix: usize) -> String {
    format!("{}-{}{}", ENVIRONMENTS[environment % 3], ROLES[role % ROLES.len()], SUFFIXES[suffix % SUFFIXES.len()])
}

fn account() -> impl Strategy<Value = Account> {
    (
        proptest::collection::vec((0..3usize, 0..5usize, 0..5usize, 0..6u8, 0..4u8), 0..8),
        proptest::collection::vec((0..3usize, 0..5usize, proptest::option::of((0..4u8, 1..8u8)), any::<bool>()), 0..4),
        proptest::collection::vec((0..3usize, 0..5usize, 0..3u8, 0..5u8, 0..3u8), 0..6),
        proptest::collection::vec((0..3usize, 0..5usize, any::<bool>()), 0..4),
        proptest::collection::vec((proptest::option::of(0..3usize), 0..3u8), 0..4),
        proptest::collection::vec((0..5usize, any::<bool>()), 0..3),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(|(services, clusters, buckets, parameters, vpcs, balancers, security)| Account {
            services,
            clusters,
            buckets,
            parameters,
            vpcs,
            balancers,
            security,
        })
}

fn build(account: &Account) -> Inventory {
    let mut inventory = inventory();
    add_alias(&mut inventory, "alias/data", "key-data");
    // Where flow logs, trails and Config deliver: the account's own buckets.
    for bucket in ["flow-logs", "audit-logs"] {
        add_bucket(&mut inventory, bucket, None, None, Some(false));
    }
    add_alias(&mut inventory, "alias/aws/ssm", "key-aws-ssm");
    for (index, (environment, role, suffix, compute, secrets)) in account.services.iter().enumerate() {
        let cluster = format!("{}-Cluster{}", ENVIRONMENTS[*environment], SUFFIXES[(*suffix % 2) + 1]);
        let service = name(*environment, *role, *suffix);
        if inventory.ecs.clusters.iter().any(|found| found.name == cluster && found.services.iter().any(|existing| existing.name == service)) {
            continue;
        }
        let family = format!("family-{index}");
        let environment_variables: &[(&str, &str)] = if secrets & 1 == 1 { &[("DB_PASSWORD", "hunter2-CANARY"), ("LOG_LEVEL", "info")] } else { &[] };
        let references: &[(&str, &str)] = if secrets & 2 == 2 { &[("API_TOKEN", "arn:aws:ssm:us-east-1:123456789012:parameter/app/token")] } else { &[] };
        let definition = add_task_definition(&mut inventory, &family, 1, environment_variables, references);
        let compute = match compute {
            4 => Ok("FARGATE"),
            5 => Ok("EC2"),
            strategy_index => Err(strategy(STRATEGIES[usize::from(*strategy_index)])),
        };
        add_service(&mut inventory, &cluster, &service, compute, &definition);
    }
    for (environment, role, range, encrypted) in &account.clusters {
        let identifier = name(*environment, *role, 3).to_lowercase().replace(['[', ']'], "");
        if inventory.aurora.clusters.iter().any(|found| found.identifier == identifier) {
            continue;
        }
        let key = key_arn("key-data");
        add_aurora(&mut inventory, &identifier, 0.5, 4.0, encrypted.then_some(key.as_str()));
        let cluster = inventory.aurora.clusters.last_mut().expect("just added");
        cluster.serverless_v2 =
            range.map(|(min, extra)| holdfast_inventory::aurora::Scaling { min_acu: f64::from(min) / 2.0, max_acu: f64::from(min + extra) });
    }
    for (environment, role, encryption, lifecycle, block) in &account.buckets {
        let bucket = name(*environment, *role, 0).to_lowercase().replace(['[', ']'], "");
        if inventory.s3.buckets.iter().any(|found| found.name == bucket) {
            continue;
        }
        let encryption = match encryption {
            0 => None,
            1 => Some(Encryption { algorithm: "AES256".into(), kms_key: None, bucket_key: false }),
            _ => Some(sse_kms(&key_arn("key-data"), true)),
        };
        let rule = |id: &str, prefix: Option<&str>, days: u32| LifecycleRule {
            id: id.into(),
            status: "Enabled".into(),
            filter: Some(LifecycleFilter { prefix: prefix.map(str::to_owned), ..LifecycleFilter::default() }),
            legacy_prefix: None,
            transitions: vec![Transition { days: Some(days), storage_class: "GLACIER".into() }],
            expiration_days: Some(days + 365),
            noncurrent_expiration_days: None,
            abort_incomplete_multipart_days: Some(7),
            unmodelled: Vec::new(),
        };
        let lifecycle = match lifecycle {
            0 => None,
            1 => Some(Lifecycle { rules: vec![rule("archive", None, 90)], transition_minimum_object_size: Some("all_storage_classes_128K".into()) }),
            2 => Some(Lifecycle { rules: vec![rule("logs", Some("logs/"), 30), rule("old", Some("old/"), 60)], transition_minimum_object_size: None }),
            3 => Some(Lifecycle { rules: vec![rule("small", None, 30)], transition_minimum_object_size: Some("varies_by_storage_class".into()) }),
            // A setting the desired state cannot declare: the rules are left out, and as they are.
            _ => Some(Lifecycle {
                rules: vec![LifecycleRule { unmodelled: vec!["NoncurrentVersionTransitions".into()], ..rule("versions", None, 30) }],
                transition_minimum_object_size: None,
            }),
        };
        add_bucket(&mut inventory, &bucket, encryption, lifecycle, Some(false));
        inventory.s3.buckets.last_mut().expect("just added").public_access_block = match block {
            0 => None,
            on => Some(PublicAccessBlock {
                block_public_acls: *on == 1,
                ignore_public_acls: *on == 1,
                block_public_policy: *on == 1,
                restrict_public_buckets: *on == 1,
            }),
        };
    }
    for (environment, role, secure) in &account.parameters {
        let parameter = format!("/{}/{}", ENVIRONMENTS[*environment], ROLES[*role].replace(['[', ']'], ""));
        if inventory.ssm.parameters.iter().any(|found| found.name == parameter) {
            continue;
        }
        let (kind, key) = if *secure { ("SecureString", Some(key_arn("key-data"))) } else { ("String", None) };
        add_parameter(&mut inventory, &parameter, kind, key.as_deref(), Ok("CANARY-parameter-value"));
    }
    for (index, (label, destination)) in account.vpcs.iter().enumerate() {
        let flow_logs = match destination {
            0 => Vec::new(),
            1 => vec![s3_flow_log(&format!("fl-{index}"), "arn:aws:s3:::flow-logs/vpc/", "ALL")],
            _ => vec![s3_flow_log(&format!("fl-{index}"), "arn:aws:s3:::flow-logs/rejects/", "REJECT")],
        };
        let label = label.map(|environment| format!("copilot-{}", ENVIRONMENTS[environment]));
        add_vpc(&mut inventory, &format!("vpc-0{index}a5c9e1f3b7d6802"), label.as_deref(), flow_logs);
    }
    for (role, protected) in &account.balancers {
        let balancer = format!("alb-{}", ROLES[*role].replace(['[', ']'], ""));
        if inventory.elb.load_balancers.iter().any(|found| found.name == balancer) {
            continue;
        }
        inventory.elb.load_balancers.push(LoadBalancer {
            name: balancer.clone(),
            arn: format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/{balancer}/abc"),
            kind: "application".into(),
            dns_name: None,
            deletion_protection: *protected,
            listeners: None,
            target_groups: None,
        });
    }
    let (trail, detector, hub, recorder) = account.security;
    if trail {
        inventory.cloudtrail.trails.push(Trail {
            name: "org-trail".into(),
            arn: format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/org-trail"),
            home_region: REGION.into(),
            multi_region: true,
            log_file_validation: true,
            global_service_events: true,
            bucket: Some("audit-logs".into()),
            prefix: Some("cloudtrail".into()),
            kms_key: None,
            logging: Some(true),
        });
    }
    if detector {
        let features =
            [("S3_DATA_EVENTS", "ENABLED"), ("RDS_LOGIN_EVENTS", "DISABLED")].into_iter().map(|(name, status)| (name.to_owned(), status.to_owned())).collect();
        inventory.guardduty.detector =
            Some(Detector { id: "d1".into(), enabled: true, finding_frequency: Some("SIX_HOURS".into()), features, additional: Default::default() });
    }
    if hub {
        inventory.securityhub.hub = Some(holdfast_inventory::securityhub::Hub {
            arn: format!("arn:aws:securityhub:{REGION}:{ACCOUNT}:hub/default"),
            standards: Some(vec![holdfast_inventory::securityhub::Standard {
                standards_arn: format!("arn:aws:securityhub:{REGION}::standards/aws-foundational-security-best-practices/v/1.0.0"),
                subscription_arn: format!("arn:aws:securityhub:{REGION}:{ACCOUNT}:subscription/aws-foundational-security-best-practices/v/1.0.0"),
                status: "READY".into(),
            }]),
        });
    }
    if recorder {
        inventory.config.recorders.push(Recorder {
            name: "default".into(),
            role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/config-recorder")),
            all_supported: true,
            include_global_resources: false,
            recording: true,
            resource_types: Vec::new(),
            recording_frequency: None,
        });
        inventory.config.channels.push(DeliveryChannel {
            name: "default".into(),
            bucket: Some("audit-logs".into()),
            prefix: None,
            kms_key_arn: None,
            sns_topic_arn: None,
            snapshot_frequency: None,
        });
    }
    // The account's bucket listing, as a whole-account read has it.
    inventory.s3.names = inventory.s3.buckets.iter().map(|bucket| bucket.name.clone()).collect();
    inventory.sort();
    inventory
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn import_then_plan_changes_nothing(account in account()) {
        let inventory = build(&account);
        let imported = import(&inventory, &Options { kinds: &Kind::ALL, source: "a test" });
        let text = imported.as_one_file();
        prop_assert!(!text.contains("CANARY"), "a value was written:\n{text}");
        match verify(&imported, &inventory, "imported") {
            Err(problems) => prop_assert!(false, "{}\n\n{text}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")),
            // Every entry selects what it stands for, and nothing twice.
            Ok(verified) => prop_assert!(
                !verified.warnings.iter().any(|warning| warning.contains("matches nothing") || warning.contains("selected by")),
                "{:?}\n\n{text}",
                verified.warnings
            ),
        }
    }
}
