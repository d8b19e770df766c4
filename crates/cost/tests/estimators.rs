//! Every estimator, on the shipped z360 example (its usage stated in
//! scripts/z360_account.py) and on variations of it: each figure checked against the
//! arithmetic done by hand from the shipped prices.

use std::path::Path;

use holdfast_cost::{Prices, estimate, run_rate};
use holdfast_desired::{Desired, SourceFile};
use holdfast_inventory::Inventory;
use holdfast_planner::{Change, Estimate, Plan, plan};

const HOURS: f64 = 730.0;

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)).expect("a shipped file")
}

fn z360() -> (Desired, Inventory) {
    let path = "desired-state/z360.toml";
    let desired = holdfast_desired::load_sources(vec![SourceFile::new(path, repo_file(path))]).expect("the shipped desired state is valid");
    let inventory = Inventory::from_snapshot(&repo_file("examples/z360-before-sprint.json")).expect("the shipped snapshot reads");
    (desired, inventory)
}

fn prices() -> Prices {
    Prices::shipped("us-east-1").expect("us-east-1 ships")
}

fn estimated(desired: &Desired, inventory: &Inventory) -> Plan {
    let mut plan = plan(desired, inventory);
    estimate(&mut plan, inventory, &prices());
    plan
}

fn change<'a>(plan: &'a Plan, address: &str) -> &'a Change {
    plan.changes.iter().find(|change| change.address == address).unwrap_or_else(|| panic!("no change {address}"))
}

fn cost<'a>(plan: &'a Plan, address: &str) -> &'a Estimate {
    change(plan, address).cost.as_ref().unwrap_or_else(|| {
        let reason = plan.cost.as_ref().and_then(|cost| cost.not_estimated.iter().find(|line| line.starts_with(address)));
        panic!("{address} has no estimate: {reason:?}")
    })
}

fn not_estimated(plan: &Plan, address: &str) -> String {
    plan.cost
        .as_ref()
        .and_then(|cost| cost.not_estimated.iter().find(|line| line.starts_with(&format!("{address}: "))).cloned())
        .unwrap_or_else(|| panic!("{address} was estimated"))
}

fn cents(usd: f64) -> f64 {
    (usd * 100.0).round() / 100.0
}

const STAGING_WEB: &str = "ecs.service/z360-staging-Cluster-rTtLLOHCi694/z360-staging-web-Service-NVLWiAgNh0UF";
const STAGING_DB: &str = "aurora.cluster/z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v";
const AGENT_STAGING_DB: &str = "aurora.cluster/z360-agent-layer-staging-addons-9pl4w2-agentdb-3ft6yq";

#[test]
fn fargate_to_spot_saves_the_discount_on_every_running_task() {
    let (desired, inventory) = z360();
    let plan = estimated(&desired, &inventory);
    let estimate = cost(&plan, STAGING_WEB);
    let on_demand = 1.0 * (0.5 * 0.04048 + 1.0 * 0.004445) * HOURS;
    assert_eq!(estimate.before_usd, cents(on_demand));
    assert_eq!(estimate.monthly_usd, cents(-on_demand * 0.70));
    assert_eq!(estimate.arithmetic, "FARGATE -> FARGATE_SPOT: 1 task × (0.5 vCPU × $0.04048 + 1 GB × $0.004445) × 730 h × 70%");
    assert!(estimate.basis.contains(&"1 task running (read)".to_owned()), "{:?}", estimate.basis);
    assert!(estimate.basis.iter().any(|line| line.starts_with("assumed: 70% off")), "{:?}", estimate.basis);
    // A secret moving out of the task definition costs nothing.
    let reverb = cost(&plan, "ecs.service/z360-beta-Cluster-Vb3nQ8sKe1Lm/z360-beta-reverb-Service-Qp8sL3vXc6Ne");
    assert_eq!((reverb.before_usd, reverb.after_usd), (0.0, 0.0));
}

#[test]
fn a_mixed_strategy_counts_only_the_tasks_it_puts_on_spot_and_ec2_providers_are_not_priced() {
    let (mut desired_text, mut inventory) = (repo_file("desired-state/z360.toml"), z360().1);
    desired_text = desired_text.replace(
        "spot      = [{ provider = \"FARGATE_SPOT\", weight = 1 }]",
        "spot = [{ provider = \"FARGATE\", weight = 1, base = 1 }, { provider = \"FARGATE_SPOT\", weight = 3 }]",
    );
    assert!(desired_text.contains("base = 1"), "the shipped desired state names a `spot` strategy");
    let desired = holdfast_desired::load_sources(vec![SourceFile::new("z360.toml", desired_text)]).expect("valid");
    let service = inventory
        .ecs
        .clusters
        .iter_mut()
        .flat_map(|cluster| cluster.services.iter_mut())
        .find(|service| service.name == "z360-staging-web-Service-NVLWiAgNh0UF")
        .unwrap();
    service.running_count = Some(5);
    let plan = estimated(&desired, &inventory);
    let estimate = cost(&plan, STAGING_WEB);
    let task = (0.5 * 0.04048 + 0.004445) * HOURS;
    // The base task stays on-demand; 3 of the other 4 go to Spot.
    assert_eq!(estimate.monthly_usd, cents(-3.0 * task * 0.70), "{}", estimate.arithmetic);
    assert!(estimate.arithmetic.starts_with("FARGATE -> FARGATE 1 (base 1) + FARGATE_SPOT 3: 3 tasks"), "{}", estimate.arithmetic);

    let mut without_count = z360().1;
    let service = without_count
        .ecs
        .clusters
        .iter_mut()
        .flat_map(|cluster| cluster.services.iter_mut())
        .find(|service| service.name == "z360-staging-web-Service-NVLWiAgNh0UF")
        .unwrap();
    service.running_count = None;
    service.desired_count = 3;
    service.launch_type = Some("EC2".into());
    let plan = estimated(&z360().0, &without_count);
    assert!(not_estimated(&plan, STAGING_WEB).contains("it runs on the EC2 launch type, which is not priced"));
}

#[test]
fn a_cap_is_a_worst_case_bound_and_saves_only_the_use_above_it() {
    let (desired, inventory) = z360();
    let plan = estimated(&desired, &inventory);
    let staging = plan.changes.iter().find(|change| change.address == STAGING_DB).and_then(|change| change.cost.as_ref()).expect("the cap");
    // 6 of 336 hours at 5 ACU: 1 ACU above the new cap of 4 for each.
    assert_eq!(staging.monthly_usd, cents(-6.0 / 336.0 * HOURS * 0.12));
    let bound = staging.worst_case.expect("a cap carries its bound");
    assert_eq!((bound.before_usd, bound.after_usd), (cents(8.0 * HOURS * 0.12), cents(4.0 * HOURS * 0.12)));
    assert!(staging.basis.iter().any(|line| line.contains("average 0.64, p95 1, peak 5")), "{:?}", staging.basis);
    let agent = plan.changes.iter().find(|change| change.address == AGENT_STAGING_DB).and_then(|change| change.cost.as_ref()).unwrap();
    // 16 hours at 2.5 ACU against a cap of 2.
    assert_eq!(agent.monthly_usd, cents(-16.0 * 0.5 / 336.0 * HOURS * 0.12));

    let mut unread = inventory.clone();
    unread.aurora.clusters.iter_mut().for_each(|cluster| cluster.usage = None);
    let plan = estimated(&desired, &unread);
    let staging = plan.changes.iter().find(|change| change.address == STAGING_DB).and_then(|change| change.cost.as_ref()).unwrap();
    assert_eq!(staging.monthly_usd, 0.0, "no use read, no saving claimed");
    assert!(staging.worst_case.is_some());
    assert!(staging.basis.iter().any(|line| line.starts_with("assumed: the cluster idles at its minimum")), "{:?}", staging.basis);
}

#[test]
fn an_encryption_migration_costs_a_snapshot_a_second_volume_and_idle_instances() {
    let (desired, inventory) = z360();
    let plan = estimated(&desired, &inventory);
    let step = |name: &str| cost(&plan, &format!("{STAGING_DB}/encryption/{name}")).clone();
    assert_eq!(step("snapshot").after_usd, cents(2.0 * 0.021), "2 GB of backup storage");
    assert_eq!(step("restore").after_usd, cents(2.0 * 0.10), "a second 2 GB volume");
    assert_eq!(step("instances").after_usd, cents(0.5 * HOURS * 0.12), "one instance at its 0.5 ACU minimum");
    assert!(change(&plan, &format!("{STAGING_DB}/encryption/cutover")).cost.is_none(), "a person's step has no figure");

    let mut unread = inventory.clone();
    unread.aurora.clusters.iter_mut().for_each(|cluster| cluster.usage = None);
    let plan = estimated(&desired, &unread);
    assert!(not_estimated(&plan, &format!("{STAGING_DB}/encryption/restore")).contains("volume size was not read; a second volume costs $0.10 per GB-month"));
}

#[test]
fn lifecycle_rules_move_the_standard_bytes_by_their_assumed_age() {
    let (desired, inventory) = z360();
    let plan = estimated(&desired, &inventory);
    let span = 365.0;
    // zscribe-main: 150 GB to Intelligent-Tiering at once; 300,000 objects monitored.
    let tiered = 150.0 * (30.0 / span * 0.023 + 60.0 / span * 0.0125 + 275.0 / span * 0.004) + 300.0 * 0.0025;
    let estimate = cost(&plan, "s3.bucket/zscribe-main");
    assert_eq!(estimate.before_usd, cents(150.0 * 0.023));
    assert_eq!(estimate.monthly_usd, cents(tiered - 150.0 * 0.023), "{}", estimate.arithmetic);
    assert!(estimate.basis.iter().any(|line| line.starts_with("assumed: 12 months")), "{:?}", estimate.basis);
    // livkit-recordings: day 30 to Intelligent-Tiering, day 90 to Glacier.
    let recordings = 400.0 * (30.0 / span * 0.023 + 30.0 / span * 0.023 + 30.0 / span * 0.0125 + 275.0 / span * 0.0036) + 20.0 * (60.0 / span) * 0.0025;
    assert_eq!(cost(&plan, "s3.bucket/livkit-recordings").monthly_usd, cents(recordings - 400.0 * 0.023));
    // Deleting an empty bucket saves nothing; encryption alone costs nothing.
    assert_eq!(cost(&plan, "s3.bucket/zscribe").monthly_usd, 0.0);
    assert_eq!(cost(&plan, "s3.bucket/z360-beta-storage").monthly_usd, 0.0);

    let mut unread = inventory.clone();
    unread.s3.buckets.iter_mut().for_each(|bucket| bucket.storage = None);
    let plan = estimated(&desired, &unread);
    assert!(not_estimated(&plan, "s3.bucket/zscribe-main").contains("size was not read"));
}

#[test]
fn security_services_name_their_usage_driver() {
    let (desired, inventory) = z360();
    let plan = estimated(&desired, &inventory);
    let config = cost(&plan, "config.recorder/us-east-1");
    assert_eq!(config.after_usd, 9.0);
    assert!(config.arithmetic.contains("3,000 configuration items"), "{}", config.arithmetic);
    let guardduty = cost(&plan, "guardduty.detector/us-east-1");
    assert_eq!(guardduty.after_usd, 4.0 + 5.0 * 20.0 * 1.0, "1M events at $4, and 5 VPCs of 20 GB at $1");
    assert!(guardduty.arithmetic.contains("events") && guardduty.arithmetic.contains("flow and DNS logs"), "{}", guardduty.arithmetic);
    assert_eq!(cost(&plan, "securityhub.hub/us-east-1").after_usd, 30.0);
    let trail = cost(&plan, "cloudtrail.trail/z360-cloudtrail");
    assert_eq!(trail.after_usd, 0.0);
    assert!(trail.arithmetic.contains("first copy of management events in the region is free"), "{}", trail.arithmetic);
    let flow_log =
        plan.changes.iter().find(|change| change.address.starts_with("vpc.flow_log/vpc-0f4b8d0e2a6c57913")).and_then(|change| change.cost.as_ref()).unwrap();
    assert_eq!(flow_log.after_usd, cents(20.0 * (0.25 + 0.023)));
    let alb = cost(&plan, "elb.load_balancer/AppLoadbalancer");
    assert_eq!(alb.monthly_usd, cents(-HOURS * 0.0225));
    assert!(alb.basis[0].starts_with("capacity units ($0.008 per LCU-hour) not counted"), "{:?}", alb.basis);
    assert_eq!(cost(&plan, "ssm.parameter/z360/staging/reverb/app-key").after_usd, 0.0);
    assert_eq!(cost(&plan, "kms.key/alias/z360-phi").monthly_usd, 0.0);
}

#[test]
fn a_second_trail_pays_for_its_copy_and_read_flow_log_volume_replaces_the_assumption() {
    let (desired, mut inventory) = z360();
    inventory.cloudtrail.trails.push(holdfast_inventory::cloudtrail::Trail {
        name: "org-trail".into(),
        arn: "arn:aws:cloudtrail:us-east-1:108782097218:trail/org-trail".into(),
        home_region: "us-east-1".into(),
        multi_region: true,
        log_file_validation: true,
        global_service_events: true,
        bucket: Some("org-logs".into()),
        prefix: None,
        kms_key: None,
        logging: Some(true),
    });
    let plan = estimated(&desired, &inventory);
    let trail = cost(&plan, "cloudtrail.trail/z360-cloudtrail");
    assert_eq!(trail.after_usd, 1_000_000.0 / 100_000.0 * 2.0, "{}", trail.arithmetic);
}

#[test]
fn a_missing_price_is_never_a_silent_zero() {
    let (desired, inventory) = z360();
    let mut prices = prices();
    prices.price.remove("fargate_vcpu_hour");
    let mut plan = plan(&desired, &inventory);
    estimate(&mut plan, &inventory, &prices);
    assert!(not_estimated(&plan, STAGING_WEB).contains("no price `fargate_vcpu_hour`"));
}

#[test]
fn the_plan_total_is_the_sum_of_its_changes() {
    let (desired, inventory) = z360();
    let plan = estimated(&desired, &inventory);
    let summary = plan.cost.as_ref().expect("estimated");
    let changes: Vec<&Estimate> = plan.changes.iter().filter_map(|change| change.cost.as_ref()).collect();
    assert_eq!(summary.estimated, changes.len());
    assert_eq!(summary.monthly_usd, cents(changes.iter().map(|estimate| estimate.monthly_usd).sum()));
    assert_eq!(summary.before_usd, cents(changes.iter().map(|estimate| estimate.before_usd).sum()));
    assert!(summary.prices.contains("shipped with holdfast (us-east-1, read 2026-11-27)"), "{}", summary.prices);
    let text = holdfast_planner::render::text(&plan, false);
    assert!(text.trim_end().lines().last().unwrap().starts_with("Estimated monthly impact: "), "the plan ends with its impact");
    let json: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap();
    assert!(json["cost"]["monthly_usd"].is_f64() && json["changes"][0].get("cost").is_some());
}

#[test]
fn the_run_rate_groups_every_selected_resource_by_kind_and_entry() {
    let (desired, inventory) = z360();
    let rate = run_rate(&desired, &inventory, &prices());
    let services = rate.kinds.iter().find(|kind| kind.kind == holdfast_planner::Kind::EcsService).expect("services");
    let all: usize = services.entries.iter().map(|entry| entry.resources.len()).sum();
    assert_eq!(all, 12, "every service is selected by an entry");
    let task = (0.5 * 0.04048 + 0.004445) * HOURS;
    assert_eq!(services.monthly_usd, cents(12.0 * cents(task)));
    assert!(services.entries.iter().all(|entry| entry.source.starts_with("desired-state/z360.toml:")), "{:?}", services.entries);
    let buckets = rate.kinds.iter().find(|kind| kind.kind == holdfast_planner::Kind::S3Bucket).unwrap();
    assert_eq!(buckets.monthly_usd, cents((40 + 150 + 400 + 5 + 8) as f64 * 0.023));
    let total: f64 = rate.kinds.iter().map(|kind| kind.monthly_usd).sum();
    assert_eq!(rate.monthly_usd, cents(total));
}

#[test]
fn flow_log_volume_read_from_a_vpcs_other_flow_log_replaces_the_assumption() {
    let (desired, mut inventory) = z360();
    let network = inventory.vpc.vpcs.iter_mut().find(|network| network.id == "vpc-0f4b8d0e2a6c57913").expect("the staging VPC");
    network.flow_logs.push(holdfast_inventory::vpc::FlowLog {
        id: "fl-0cwlogs".into(),
        destination_type: "cloud-watch-logs".into(),
        destination: "arn:aws:logs:us-east-1:108782097218:log-group:/vpc/staging:*".into(),
        traffic_type: "REJECT".into(),
        max_aggregation_interval: 600,
        log_format: None,
        status: "ACTIVE".into(),
        deliver_logs_permission_arn: Some("arn:aws:iam::108782097218:role/flow-logs".into()),
        destination_options: None,
        tags: Default::default(),
        bytes_per_day: Some(1024 * 1024 * 1024),
        volume_shared_by: None,
    });
    let plan = estimated(&desired, &inventory);
    let estimate = plan
        .changes
        .iter()
        .find(|change| change.address.starts_with("vpc.flow_log/vpc-0f4b8d0e2a6c57913") && change.cost.as_ref().is_some_and(|cost| cost.after_usd > 0.0))
        .and_then(|change| change.cost.as_ref())
        .expect("the new flow log's estimate");
    let gb = 365.0 / 12.0;
    assert_eq!(estimate.after_usd, cents(gb * (0.25 + 0.023)), "{}", estimate.arithmetic);
    assert_eq!(estimate.basis[0], "1 GB a day delivered (read)");
}

/// What a reviewer reads: every estimate of the example, one line each, and the summary.
#[test]
fn the_example_plans_estimates_as_a_reviewer_reads_them() {
    let (desired, inventory) = z360();
    let plan = estimated(&desired, &inventory);
    let mut lines: Vec<String> = plan
        .changes
        .iter()
        .filter_map(|change| {
            let estimate = change.cost.as_ref()?;
            Some(format!(
                "{} {}: {} | {} | {}",
                holdfast_cost::monthly(estimate.monthly_usd),
                change.address,
                estimate.arithmetic,
                estimate.basis.join("; "),
                estimate.worst_case.map(|bound| format!("worst case {} -> {}", bound.before_usd, bound.after_usd)).unwrap_or_default()
            ))
        })
        .collect();
    lines.extend(plan.cost.as_ref().expect("estimated").not_estimated.iter().map(|line| format!("not estimated: {line}")));
    let text = holdfast_planner::render::text(&plan, false);
    lines.extend(text.lines().rev().take(2).collect::<Vec<_>>().into_iter().rev().map(str::to_owned));
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn the_example_run_rate_as_a_team_reads_it() {
    let (desired, inventory) = z360();
    let rate = run_rate(&desired, &inventory, &prices());
    insta::assert_json_snapshot!(rate);
}

/// A live lifecycle of one rule: every object expires `days` after it is written.
fn expiring_after(days: u32) -> Option<holdfast_inventory::s3::Lifecycle> {
    Some(holdfast_inventory::s3::Lifecycle {
        rules: vec![holdfast_inventory::s3::LifecycleRule {
            id: "expire".into(),
            status: "Enabled".into(),
            filter: None,
            legacy_prefix: None,
            transitions: Vec::new(),
            expiration_days: Some(days),
            noncurrent_expiration_days: None,
            abort_incomplete_multipart_days: None,
            unmodelled: Vec::new(),
        }],
        transition_minimum_object_size: None,
    })
}

fn with_objects(inventory: &mut Inventory, bucket: &str, objects: u64) {
    let bucket = inventory.s3.buckets.iter_mut().find(|candidate| candidate.name == bucket).expect("the bucket");
    bucket.storage.as_mut().expect("its storage").objects = Some(objects);
}

#[test]
fn small_objects_stay_in_standard_unless_told_to_go_to_glacier_where_they_cost_more() {
    let (desired, mut inventory) = z360();
    // 150 GB and 400 GB in 100 million objects each: a few KB an object, under 128 KB,
    // which S3 does not transition by default.
    with_objects(&mut inventory, "zscribe-main", 100_000_000);
    with_objects(&mut inventory, "livkit-recordings", 100_000_000);
    let plan = estimated(&desired, &inventory);
    let tiny = cost(&plan, "s3.bucket/zscribe-main");
    assert_eq!(tiny.monthly_usd, 0.0, "{}", tiny.arithmetic);
    assert_eq!(tiny.arithmetic, "150 GB Standard × $0.023 -> 150 GB Standard × $0.023");
    assert_eq!(cost(&plan, "s3.bucket/livkit-recordings").monthly_usd, 0.0);
    // `varies_by_storage_class` sends them to Glacier, where 40 KB an object costs more
    // than the cheaper bytes save.
    let desired =
        desired_with("name = \"livkit-recordings\"\n", "name = \"livkit-recordings\"\ntransition_minimum_object_size = \"varies_by_storage_class\"\n");
    let plan = estimated(&desired, &inventory);
    let archive = cost(&plan, "s3.bucket/livkit-recordings");
    assert!(archive.monthly_usd > 0.0, "{} {}", archive.monthly_usd, archive.arithmetic);
    assert!(archive.arithmetic.contains("objects × 40 KB of overhead") && !archive.arithmetic.contains("IT frequent"), "{}", archive.arithmetic);
}

#[test]
fn bytes_put_straight_into_a_colder_class_stay_there() {
    let (desired, mut inventory) = z360();
    let bucket = inventory.s3.buckets.iter_mut().find(|bucket| bucket.name == "livkit-recordings").unwrap();
    let storage = bucket.storage.as_mut().unwrap();
    storage.bytes.insert("StandardStorage".into(), 10 * 1024 * 1024 * 1024);
    storage.bytes.insert("DeepArchiveStorage".into(), 1000 * 1024 * 1024 * 1024);
    let plan = estimated(&desired, &inventory);
    let estimate = cost(&plan, "s3.bucket/livkit-recordings");
    // Only the 10 GB in Standard can move; the terabyte in Deep Archive stays and is billed.
    assert!(estimate.monthly_usd < 0.0 && estimate.monthly_usd > -0.23, "{} {}", estimate.monthly_usd, estimate.arithmetic);
    assert!(estimate.after_usd > 0.99, "the Deep Archive terabyte still costs: {}", estimate.after_usd);
    assert!(estimate.basis.iter().any(|line| line.starts_with("only the 10 GB in Standard moves")), "{:?}", estimate.basis);
}

#[test]
fn removing_an_expiration_lets_the_bucket_grow_and_noncurrent_rules_are_not_estimated() {
    let (shipped, mut inventory) = z360();
    let bucket = inventory.s3.buckets.iter_mut().find(|bucket| bucket.name == "zscribe-main").unwrap();
    // The bucket keeps 30 days now: its 150 GB are a month of writes.
    bucket.lifecycle = expiring_after(30);
    let plan = estimated(&shipped, &inventory);
    let estimate = cost(&plan, "s3.bucket/zscribe-main");
    // Kept 12 months instead of one, in Intelligent-Tiering: far more bytes, not fewer.
    assert!(estimate.monthly_usd > 5.0, "{} {}", estimate.monthly_usd, estimate.arithmetic);
    assert!(estimate.basis.iter().any(|line| line.starts_with("written at 5 GB a day")), "{:?}", estimate.basis);

    let bucket = inventory.s3.buckets.iter_mut().find(|bucket| bucket.name == "zscribe-main").unwrap();
    bucket.lifecycle.as_mut().unwrap().rules[0].noncurrent_expiration_days = Some(30);
    let plan = estimated(&shipped, &inventory);
    assert!(not_estimated(&plan, "s3.bucket/zscribe-main").contains("noncurrent versions"));
}

#[test]
fn taking_a_transition_away_costs_what_it_saved() {
    let desired_text = repo_file("desired-state/z360.toml").replace(
        r#"transitions = [{ days = 30, class = "INTELLIGENT_TIERING" }, { days = 90, class = "GLACIER" }]"#,
        r#"transitions = [{ days = 30, class = "INTELLIGENT_TIERING" }]"#,
    );
    let desired = holdfast_desired::load_sources(vec![SourceFile::new("z360.toml", desired_text)]).expect("valid");
    let (shipped, mut inventory) = z360();
    // livkit-recordings as the shipped desired state leaves it: 30 days to IT, 90 to Glacier.
    let applied = estimated(&shipped, &inventory);
    let holdfast_planner::operation::Operation::UpdateBucket { lifecycle: Some(rules), .. } = &change(&applied, "s3.bucket/livkit-recordings").operation else {
        panic!("a lifecycle change")
    };
    let bucket = inventory.s3.buckets.iter_mut().find(|bucket| bucket.name == "livkit-recordings").unwrap();
    bucket.lifecycle = Some(holdfast_inventory::s3::Lifecycle { rules: rules.clone(), transition_minimum_object_size: None });
    // Its 400 GB where those rules have put them: a year of writes, each month's a day old to a year.
    let gib = |share: f64| (400.0 * share * 1024.0 * 1024.0 * 1024.0) as u64;
    let storage = bucket.storage.as_mut().unwrap();
    storage.bytes = [
        ("StandardStorage", gib(30.0 / 365.0)),
        ("IntelligentTieringFAStorage", gib(30.0 / 365.0)),
        ("IntelligentTieringIAStorage", gib(30.0 / 365.0)),
        ("GlacierStorage", gib(275.0 / 365.0)),
    ]
    .into_iter()
    .map(|(class, bytes)| (class.to_owned(), bytes))
    .collect();
    let plan = estimated(&desired, &inventory);
    let estimate = cost(&plan, "s3.bucket/livkit-recordings");
    assert!(estimate.monthly_usd > 0.0, "without Glacier the old bytes stay in Intelligent-Tiering: {}", estimate.arithmetic);
    assert!(estimate.arithmetic.contains("Glacier") && estimate.arithmetic.contains("IT archive instant"), "{}", estimate.arithmetic);
}

#[test]
fn a_bucket_s3_has_not_reported_a_size_for_is_not_priced_as_empty() {
    let (desired, mut inventory) = z360();
    let bucket = inventory.s3.buckets.iter_mut().find(|bucket| bucket.name == "zscribe-main").unwrap();
    bucket.storage = Some(holdfast_inventory::s3::Storage::default());
    let plan = estimated(&desired, &inventory);
    assert!(not_estimated(&plan, "s3.bucket/zscribe-main").contains("S3 reported no size"));
}

fn desired_with(from: &str, to: &str) -> Desired {
    let text = repo_file("desired-state/z360.toml");
    assert!(text.contains(from), "the shipped desired state has {from}");
    holdfast_desired::load_sources(vec![SourceFile::new("z360.toml", text.replacen(from, to, 1))]).expect("valid")
}

#[test]
fn a_higher_minimum_costs_the_hours_under_it_and_the_new_cluster_idles_at_it() {
    let desired = desired_with("match = \"z360-staging-*\"\nmin_acu = 0.5\nmax_acu = 4", "match = \"z360-staging-*\"\nmin_acu = 1\nmax_acu = 4");
    let (_, inventory) = z360();
    let plan = estimated(&desired, &inventory);
    let cap = plan.changes.iter().find(|change| change.address == STAGING_DB).and_then(|change| change.cost.as_ref()).expect("the range change");
    // 290 hours at 0.5 ACU raised to 1 (+145 ACU-hours); 6 hours at 5 cut to 4 (-6).
    assert_eq!(cap.monthly_usd, cents((145.0 - 6.0) / 336.0 * HOURS * 0.12), "{}", cap.arithmetic);
    assert!(
        cap.arithmetic
            .contains("6 ACU-hours in 336 h less: use above the new maximum of 4 ACU; 145 ACU-hours in 336 h more: use under the new minimum of 1 ACU"),
        "{}",
        cap.arithmetic
    );
    let instances = cost(&plan, &format!("{STAGING_DB}/encryption/instances"));
    assert_eq!(instances.after_usd, cents(1.0 * HOURS * 0.12), "the new cluster is restored with the entry's minimum: {}", instances.arithmetic);
}

#[test]
fn io_optimized_clusters_are_priced_at_their_own_rates_and_only_serverless_instances_bill_by_the_acu() {
    let (desired, mut inventory) = z360();
    let cluster = inventory.aurora.clusters.iter_mut().find(|cluster| cluster.identifier == STAGING_DB.trim_start_matches("aurora.cluster/")).unwrap();
    cluster.storage_type = Some("aurora-iopt1".into());
    let plan = estimated(&desired, &inventory);
    let cap = plan.changes.iter().find(|change| change.address == STAGING_DB).and_then(|change| change.cost.as_ref()).unwrap();
    assert_eq!(cap.worst_case.map(|bound| bound.before_usd), Some(cents(8.0 * HOURS * 0.16)), "{}", cap.arithmetic);
    assert_eq!(cost(&plan, &format!("{STAGING_DB}/encryption/restore")).after_usd, cents(2.0 * 0.225));

    // A provisioned instance beside the Serverless v2 one bills by the hour, not the ACU.
    let mut mixed = z360().1;
    let cluster = mixed.aurora.clusters.iter_mut().find(|cluster| cluster.identifier == AGENT_STAGING_DB.trim_start_matches("aurora.cluster/")).unwrap();
    cluster.instances = None;
    cluster.members = Some(vec!["writer".into(), "reader".into()]);
    cluster.usage.as_mut().unwrap().instance_classes = vec!["db.serverless".into(), "db.r6g.large".into()];
    let rate = run_rate(&desired, &mixed, &prices());
    let aurora = rate.kinds.iter().find(|kind| kind.kind == holdfast_planner::Kind::AuroraCluster).unwrap();
    let agent = aurora.entries.iter().flat_map(|entry| &entry.resources).find(|resource| resource.address == AGENT_STAGING_DB).unwrap();
    assert!(agent.arithmetic.starts_with("1 instance × 0.6 ACU"), "{}", agent.arithmetic);
    // Without the classes, every member is taken for Serverless v2, and said so.
    mixed.aurora.clusters.iter_mut().for_each(|cluster| {
        if let Some(usage) = cluster.usage.as_mut() {
            usage.instance_classes.clear()
        }
    });
    let rate = run_rate(&desired, &mixed, &prices());
    let agent =
        rate.kinds.iter().flat_map(|kind| &kind.entries).flat_map(|entry| &entry.resources).find(|resource| resource.address == AGENT_STAGING_DB).unwrap();
    assert!(agent.basis.iter().any(|line| line == "assumed: all 2 members are Serverless v2 (instance classes not read)"), "{:?}", agent.basis);
}

#[test]
fn arm_and_windows_tasks_are_not_priced_at_linux_x86_rates() {
    let (desired, mut inventory) = z360();
    let web = inventory
        .ecs
        .clusters
        .iter()
        .flat_map(|cluster| &cluster.services)
        .find(|service| service.name == "z360-staging-web-Service-NVLWiAgNh0UF")
        .unwrap()
        .task_definition
        .clone();
    let definition = inventory.ecs.task_definitions.iter_mut().find(|definition| definition.arn == web).unwrap();
    definition.cpu_architecture = Some("ARM64".into());
    let plan = estimated(&desired, &inventory);
    assert!(not_estimated(&plan, STAGING_WEB).contains("LINUX on ARM64 is not priced"));
}

#[test]
fn holdfast_cost_prices_the_declared_key_and_says_what_each_figure_rests_on() {
    let (desired, inventory) = z360();
    let rate = run_rate(&desired, &inventory, &prices());
    let keys = rate.kinds.iter().find(|kind| kind.kind == holdfast_planner::Kind::KmsKey).expect("the PHI key");
    assert_eq!(keys.monthly_usd, 1.0);
    let services = rate.kinds.iter().find(|kind| kind.kind == holdfast_planner::Kind::EcsService).unwrap();
    assert!(services.entries.iter().flat_map(|entry| &entry.resources).all(|resource| resource.basis.contains(&"1 task running (read)".to_owned())));
}

#[test]
fn a_bucket_at_odds_with_its_rules_or_an_expiration_over_colder_bytes_is_not_estimated() {
    let (desired, mut inventory) = z360();
    let bucket = inventory.s3.buckets.iter_mut().find(|bucket| bucket.name == "zscribe-main").unwrap();
    // All of it in Glacier, though the rules now say it stays a month in Standard.
    bucket.storage.as_mut().unwrap().bytes = [("GlacierStorage".to_owned(), 100 * 1024 * 1024 * 1024)].into_iter().collect();
    bucket.lifecycle = expiring_after(30);
    let plan = estimated(&desired, &inventory);
    assert!(not_estimated(&plan, "s3.bucket/zscribe-main").contains("not where its rules now would put them"));

    // An expiration added over bytes outside Standard, whose ages are not read.
    let desired = desired_with(
        r#"lifecycle = [{ id = "intelligent-tiering", transitions = [{ days = 0, class = "INTELLIGENT_TIERING" }] }]"#,
        r#"lifecycle = [{ id = "expire", expiration_days = 30 }]"#,
    );
    let (_, mut inventory) = z360();
    let bucket = inventory.s3.buckets.iter_mut().find(|bucket| bucket.name == "zscribe-main").unwrap();
    bucket.storage.as_mut().unwrap().bytes.insert("GlacierStorage".to_owned(), 90 * 1024 * 1024 * 1024);
    let plan = estimated(&desired, &inventory);
    assert!(not_estimated(&plan, "s3.bucket/zscribe-main").contains("an expiration deletes bytes in every storage class"));
}
