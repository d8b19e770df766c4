//! Property: for any desired state, an inventory built to match it plans no change and
//! no warning, whatever equivalent spelling the live side uses (strategy and rule
//! order, lifecycle filter forms, KMS aliases against key ARNs, trailing slashes).

mod support;

use std::collections::BTreeMap;
use std::fmt::Write;

use holdfast_inventory::Inventory;
use holdfast_inventory::s3::{Encryption, Lifecycle, LifecycleFilter, LifecycleRule, Transition};
use holdfast_planner::Planner;
use proptest::prelude::*;
use support::*;

/// (provider, weight, base)
type StrategyItems = &'static [(&'static str, u32, u32)];

const STRATEGIES: [(&str, StrategyItems); 3] =
    [("spot", &[("FARGATE_SPOT", 1, 0)]), ("on-demand", &[("FARGATE", 1, 0)]), ("mixed", &[("FARGATE", 1, 1), ("FARGATE_SPOT", 3, 0)])];
const CLASSES: [(&str, u32); 4] = [("INTELLIGENT_TIERING", 0), ("STANDARD_IA", 30), ("GLACIER", 0), ("DEEP_ARCHIVE", 0)];

#[derive(Debug, Clone)]
struct Service {
    strategy: usize,
    live_count: usize,
    reversed: bool,
}

#[derive(Debug, Clone)]
struct Aurora {
    min_half_acus: u32,
    extra_half_acus: u32,
    encrypted: bool,
}

#[derive(Debug, Clone)]
struct Rule {
    prefix: Option<String>,
    transition_days: Vec<u32>,
    expiration: bool,
    filter_form: u8,
}

#[derive(Debug, Clone)]
struct Bucket {
    kms: bool,
    key_by_alias_arn: bool,
    rules: Option<Vec<Rule>>,
    reverse_rules: bool,
}

#[derive(Debug, Clone)]
struct Model {
    services: Vec<Service>,
    aurora: Vec<Aurora>,
    buckets: Vec<Bucket>,
    secrets: Vec<String>,
    vpcs: usize,
    trailing_slash: (bool, bool),
}

fn service() -> impl Strategy<Value = Service> {
    (0..3usize, 1..4usize, any::<bool>()).prop_map(|(strategy, live_count, reversed)| Service { strategy, live_count, reversed })
}

fn aurora() -> impl Strategy<Value = Aurora> {
    (0..8u32, 2..32u32, any::<bool>()).prop_map(|(min_half_acus, extra_half_acus, encrypted)| Aurora { min_half_acus, extra_half_acus, encrypted })
}

fn rule() -> impl Strategy<Value = Rule> {
    (proptest::option::of("[a-z]{1,6}/"), proptest::collection::btree_set(1..4u32, 1..4), any::<bool>(), 0..4u8).prop_map(
        |(prefix, steps, expiration, filter_form)| {
            // Days grow with the class order, 30 days apart, so every rule is one S3 accepts.
            let transition_days = steps.into_iter().map(|step| step * 30).collect();
            Rule { prefix, transition_days, expiration, filter_form }
        },
    )
}

fn bucket() -> impl Strategy<Value = Bucket> {
    (any::<bool>(), any::<bool>(), proptest::option::of(proptest::collection::vec(rule(), 0..4)), any::<bool>())
        .prop_map(|(kms, key_by_alias_arn, rules, reverse_rules)| Bucket { kms, key_by_alias_arn, rules, reverse_rules })
}

fn model() -> impl Strategy<Value = Model> {
    (
        proptest::collection::vec(service(), 0..5),
        proptest::collection::vec(aurora(), 0..4),
        proptest::collection::vec(bucket(), 0..4),
        proptest::collection::vec("[a-zA-Z0-9]{1,24}", 0..3),
        0..4usize,
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(|(services, aurora, buckets, secrets, vpcs, trailing_slash)| Model { services, aurora, buckets, secrets, vpcs, trailing_slash })
}

fn class_for(index: usize) -> (&'static str, u32) {
    CLASSES[index.min(CLASSES.len() - 1)]
}

fn desired_toml(model: &Model) -> String {
    let mut out = String::from("[account]\nid = \"123456789012\"\nregion = \"us-east-1\"\n\n[ecs.strategies]\n");
    for (name, items) in STRATEGIES {
        let items: Vec<String> =
            items.iter().map(|(provider, weight, base)| format!("{{ provider = \"{provider}\", weight = {weight}, base = {base} }}")).collect();
        let _ = writeln!(out, "{name} = [{}]", items.join(", "));
    }
    for (index, service) in model.services.iter().enumerate() {
        let realtime = STRATEGIES[service.strategy].0 == "on-demand";
        let _ = writeln!(
            out,
            "\n[[ecs.service]]\ncluster = \"app{index}-Cluster-*\"\nservice = \"app{index}-svc-*\"\nstrategy = \"{}\"\nrealtime = {realtime}",
            STRATEGIES[service.strategy].0
        );
    }
    for (index, cluster) in model.aurora.iter().enumerate() {
        let min = f64::from(cluster.min_half_acus) / 2.0;
        let max = f64::from(cluster.min_half_acus.max(2) + cluster.extra_half_acus) / 2.0;
        let key = if cluster.encrypted { "\nkms_key = \"alias/data\"" } else { "" };
        let _ =
            writeln!(out, "\n[[aurora.cluster]]\nmatch = \"db{index}-*\"\nmin_acu = {min}\nmax_acu = {max}\nstorage_encrypted = {}{key}", cluster.encrypted);
    }
    for (index, bucket) in model.buckets.iter().enumerate() {
        let encryption = if bucket.kms { "{ algorithm = \"aws:kms\", kms_key = \"alias/data\", bucket_key = true }" } else { "{ algorithm = \"AES256\" }" };
        let _ = writeln!(out, "\n[[s3.bucket]]\nname = \"bucket-{index}\"\nencryption = {encryption}");
        if let Some(rules) = &bucket.rules {
            let rules: Vec<String> = rules
                .iter()
                .enumerate()
                .map(|(rule_index, rule)| {
                    let transitions: Vec<String> = rule
                        .transition_days
                        .iter()
                        .enumerate()
                        .map(|(step, days)| format!("{{ days = {days}, class = \"{}\" }}", class_for(step + usize::from(*days > 30)).0))
                        .collect();
                    let prefix = rule.prefix.as_ref().map(|prefix| format!(", prefix = \"{prefix}\"")).unwrap_or_default();
                    let expiration = if rule.expiration { ", expiration_days = 400" } else { "" };
                    format!("{{ id = \"rule-{rule_index}\"{prefix}, transitions = [{}]{expiration} }}", transitions.join(", "))
                })
                .collect();
            let _ = writeln!(out, "lifecycle = [{}]", rules.join(", "));
        }
    }
    for (index, _) in model.secrets.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n[[ssm.parameter]]\nname = \"/app/secret-{index}\"\ntype = \"SecureString\"\nkms_key = \"alias/data\"\nvalue = {{ env = \"SECRET_{index}\" }}"
        );
    }
    if model.vpcs > 0 {
        let slash = if model.trailing_slash.0 { "/" } else { "" };
        let _ = writeln!(out, "\n[[vpc.flow_logs]]\nvpc = \"*\"\ndestination = \"s3://flow-logs/vpc{slash}\"\ntraffic = \"ALL\"");
    }
    out
}

fn live_rule(index: usize, rule: &Rule, reverse_transitions: bool) -> LifecycleRule {
    let prefix = rule.prefix.clone().unwrap_or_default();
    // Four spellings of one filter: all mean the same rule.
    let (filter, legacy_prefix) = match (rule.filter_form, prefix.is_empty()) {
        (0, _) => (Some(LifecycleFilter { prefix: Some(prefix), ..LifecycleFilter::default() }), None),
        (1, true) => (Some(LifecycleFilter::default()), None),
        (2, true) => (None, None),
        (_, _) => (None, Some(prefix)),
    };
    let mut transitions: Vec<Transition> = rule
        .transition_days
        .iter()
        .enumerate()
        .map(|(step, days)| Transition { days: Some(*days), storage_class: class_for(step + usize::from(*days > 30)).0.to_owned() })
        .collect();
    if reverse_transitions {
        transitions.reverse();
    }
    LifecycleRule {
        id: format!("rule-{index}"),
        status: "Enabled".into(),
        filter,
        legacy_prefix,
        transitions,
        expiration_days: rule.expiration.then_some(400),
        noncurrent_expiration_days: None,
        abort_incomplete_multipart_days: None,
        unmodelled: Vec::new(),
    }
}

/// An inventory that already is what the model declares.
fn converged_inventory(model: &Model) -> Inventory {
    let mut inventory = inventory();
    add_alias(&mut inventory, "alias/data", "key-data");
    for (index, service) in model.services.iter().enumerate() {
        let mut items = strategy(STRATEGIES[service.strategy].1);
        if service.reversed {
            items.reverse();
        }
        for live in 0..service.live_count {
            add_service(
                &mut inventory,
                &format!("app{index}-Cluster-Xy{index}"),
                &format!("app{index}-svc-{live}-Service-Q{live}"),
                Err(items.clone()),
                "td:1",
            );
        }
    }
    for (index, cluster) in model.aurora.iter().enumerate() {
        let min = f64::from(cluster.min_half_acus) / 2.0;
        let max = f64::from(cluster.min_half_acus.max(2) + cluster.extra_half_acus) / 2.0;
        let key = key_arn("key-data");
        add_aurora(&mut inventory, &format!("db{index}-cluster-abc"), min, max, cluster.encrypted.then_some(key.as_str()));
    }
    for (index, bucket) in model.buckets.iter().enumerate() {
        let encryption = bucket.kms.then(|| {
            let key = if bucket.key_by_alias_arn { format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/data") } else { key_arn("key-data") };
            sse_kms(&key, true)
        });
        let encryption: Option<Encryption> =
            encryption.or_else(|| (index % 2 == 0).then(|| Encryption { algorithm: "AES256".into(), kms_key: None, bucket_key: false }));
        let lifecycle = bucket.rules.as_ref().map(|rules| {
            let mut rules: Vec<LifecycleRule> = rules.iter().enumerate().map(|(rule_index, rule)| live_rule(rule_index, rule, bucket.reverse_rules)).collect();
            if bucket.reverse_rules {
                rules.reverse();
            }
            Lifecycle { rules, transition_minimum_object_size: Some("all_storage_classes_128K".into()) }
        });
        add_bucket(&mut inventory, &format!("bucket-{index}"), encryption, lifecycle, Some(false));
    }
    for (index, value) in model.secrets.iter().enumerate() {
        add_parameter(&mut inventory, &format!("/app/secret-{index}"), "SecureString", Some(&key_arn("key-data")), Ok(value));
    }
    let slash = if model.trailing_slash.1 { "/" } else { "" };
    for index in 0..model.vpcs {
        let name = (index > 0).then(|| format!("vpc-name-{index}"));
        add_vpc(
            &mut inventory,
            &format!("vpc-{index}"),
            name.as_deref(),
            vec![s3_flow_log(&format!("fl-{index}"), &format!("arn:aws:s3:::flow-logs/vpc{slash}"), "ALL")],
        );
    }
    inventory
}

fn env_for(model: &Model, inventory: &Inventory) -> BTreeMap<String, holdfast_inventory::SecretHash> {
    let pairs: Vec<(String, String)> = model.secrets.iter().enumerate().map(|(index, value)| (format!("SECRET_{index}"), value.clone())).collect();
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
    env_hashes(inventory, &borrowed)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn plan_of_a_converged_account_is_empty(model in model()) {
        let text = desired_toml(&model);
        let desired = desired(&text);
        let inventory = converged_inventory(&model);
        let plan = Planner::new(&desired, &inventory).with_env_hashes(env_for(&model, &inventory)).plan();
        prop_assert!(plan.is_empty(), "desired:\n{text}\nchanges: {:#?}", plan.changes);
        let unmatched_allowed = |message: &str| message.contains("matches nothing");
        prop_assert!(plan.warnings.iter().all(|warning| unmatched_allowed(&warning.message)), "{:#?}", plan.warnings);
    }

    #[test]
    fn one_drifted_attribute_gives_exactly_one_change(model in model(), pick in any::<prop::sample::Index>()) {
        let desired = desired(&desired_toml(&model));
        let mut inventory = converged_inventory(&model);
        let mut drifted = Vec::new();
        if let Some(cluster) = inventory.aurora.clusters.first_mut() {
            if let Some(scaling) = &mut cluster.serverless_v2 { scaling.max_acu += 0.5; }
            drifted.push(format!("aurora.cluster/{}", cluster.identifier));
        } else if !inventory.ecs.clusters.is_empty() {
            let chosen = pick.index(inventory.ecs.clusters.len());
            let cluster = &mut inventory.ecs.clusters[chosen];
            let service = &mut cluster.services[0];
            service.capacity_provider_strategy.clear();
            // EC2 capacity is never what a Fargate strategy asks for.
            service.launch_type = Some("EC2".into());
            drifted.push(format!("ecs.service/{}/{}", cluster.name, service.name));
        } else if let Some(bucket) = inventory.s3.buckets.first_mut() {
            bucket.encryption = Some(Encryption { algorithm: "aws:kms".into(), kms_key: Some(key_arn("other")), bucket_key: false });
            drifted.push(format!("s3.bucket/{}", bucket.name));
        }
        let plan = Planner::new(&desired, &inventory).with_env_hashes(env_for(&model, &inventory)).plan();
        let addresses: Vec<String> = plan.changes.iter().map(|change| change.address.clone()).collect();
        prop_assert_eq!(addresses, drifted);
    }
}
