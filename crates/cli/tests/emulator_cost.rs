//! Cost estimates against the moto emulator: the z360 copy is seeded with its usage as
//! CloudWatch metrics by boto3 (`seed_usage` in scripts/emulator/seed.py, the figures of
//! scripts/z360_account.py), and holdfast reads them back. Prices are the shipped table:
//! the emulator has no Price List API (that reader is tested with recorded responses in
//! crates/aws/src/pricing.rs).

mod common;

use common::emulator::{Denying, Emulator, Z360Copy, path};
use holdfast_inventory::Inventory;
use serde_json::Value;

const STAGING_DB: &str = "z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v";
const GIB: u64 = 1024 * 1024 * 1024;

fn change<'a>(plan: &'a Value, address_part: &str) -> &'a Value {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|change| change["address"].as_str().is_some_and(|address| address.contains(address_part)))
        .expect("the change")
}

#[test]
fn usage_seeded_with_put_metric_data_is_read_back_exactly() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "usage_seeded_with_put_metric_data_is_read_back_exactly", &[]);
    let snapshot = path(&copy.dir, "usage.json");
    let run = emulator.holdfast(&copy.credentials, &["snapshot", "--desired", &copy.desired, "--out", snapshot.to_str().expect("UTF-8"), "--usage"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let inventory = Inventory::from_snapshot(&std::fs::read_to_string(&snapshot).expect("the snapshot")).expect("a snapshot");
    let cluster = inventory.aurora.clusters.iter().find(|cluster| cluster.identifier == STAGING_DB).expect("the staging cluster");
    let usage = cluster.usage.as_ref().expect("ACU use read");
    assert_eq!(usage.hours_at_acu, vec![(0.5, 290), (1.0, 40), (5.0, 6)], "336 hourly averages, as seeded");
    assert_eq!(usage.volume_bytes, Some(2 * GIB));
    let bucket = inventory.s3.buckets.iter().find(|bucket| bucket.name == format!("livkit-recordings-{}", copy.account)).expect("the bucket");
    let storage = bucket.storage.as_ref().expect("storage read");
    assert_eq!(storage.bytes.get("StandardStorage"), Some(&(400 * GIB)));
    assert_eq!(storage.objects, Some(20_000));
    let empty = inventory.s3.buckets.iter().find(|bucket| bucket.name == format!("zscribe-{}", copy.account)).expect("the empty bucket");
    assert_eq!(empty.storage.as_ref().map(|storage| storage.total_bytes()), Some(0), "S3 reports nothing for an empty bucket");
    let service = inventory.ecs.clusters.iter().flat_map(|cluster| &cluster.services).next().expect("a service");
    assert_eq!(service.running_count, Some(1));
    let definition = inventory.ecs.task_definitions.iter().find(|definition| definition.arn == service.task_definition).expect("its task definition");
    assert_eq!((definition.cpu_units, definition.memory_mib), (Some(512), Some(1024)));
}

#[test]
fn a_plan_reads_only_the_usage_its_changes_need_and_every_call_is_in_the_read_only_policy() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "a_plan_reads_only_the_usage_its_changes_need", &[]);
    let calls = path(&copy.dir, "calls.jsonl");
    let mut command = emulator.command(&copy.credentials, &["plan", "--desired", &copy.desired, "--format", "json"]);
    command.env("HOLDFAST_RECORD_CALLS", &calls);
    let run = common::run(command);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("Read usage for cost estimates in"), "{}", run.stderr);
    let plan: Value = serde_json::from_str(&run.stdout).expect("a JSON plan");

    let web = &change(&plan, "z360-staging-web")["cost"];
    assert_eq!(web["monthly_usd"], -12.61, "{web}");
    assert_eq!(web["basis"][0], "1 task running (read)");
    let cap = &change(&plan, &format!("aurora.cluster/{STAGING_DB}"))["cost"];
    assert_eq!(cap["monthly_usd"], -1.56, "6 hours at 5 ACU, capped at 4: {cap}");
    assert_eq!(cap["worst_case"]["after_usd"], 350.4);
    let lifecycle = &change(&plan, "s3.bucket/livkit-recordings")["cost"];
    assert_eq!(lifecycle["before_usd"], 9.2, "400 GB read from BucketSizeBytes: {lifecycle}");
    assert!(plan["cost"]["monthly_usd"].is_f64() && plan["cost"]["prices"].as_str().is_some_and(|prices| prices.contains("shipped")), "{}", plan["cost"]);

    let text = std::fs::read_to_string(&calls).expect("calls recorded");
    let policy = emulator.holdfast(&copy.credentials, &["iam-policy", "--read-only", "--desired", &copy.desired]);
    let allowed = holdfast_aws::permissions::allowed_actions(&serde_json::from_str(&policy.stdout).expect("a JSON policy"));
    let mut metric_calls = 0;
    for line in text.lines() {
        let call: Value = serde_json::from_str(line).expect("a JSON line");
        let action = holdfast_aws::permissions::iam_action(call["service"].as_str().expect("service"), call["operation"].as_str().expect("operation"));
        assert!(allowed.contains(&action), "plan called {action}, which `holdfast iam-policy --read-only` does not allow");
        metric_calls += usize::from(action.starts_with("cloudwatch:"));
    }
    // One GetMetricData for the six clusters' series, one for the buckets', and one
    // ListMetrics for each of the four buckets the plan changes the storage of.
    assert_eq!(metric_calls, 6, "{text}");

    // --no-cost: no estimate, and no usage read.
    let mut command = emulator.command(&copy.credentials, &["plan", "--desired", &copy.desired, "--format", "json", "--no-cost"]);
    let quiet = path(&copy.dir, "quiet.jsonl");
    command.env("HOLDFAST_RECORD_CALLS", &quiet);
    let run = common::run(command);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: Value = serde_json::from_str(&run.stdout).expect("a JSON plan");
    assert!(plan.get("cost").is_none() && change(&plan, "z360-staging-web").get("cost").is_none());
    assert!(!std::fs::read_to_string(&quiet).expect("calls").contains("cloudwatch"), "no CloudWatch call without costs");
    assert!(!run.stderr.contains("Read usage"), "{}", run.stderr);
}

#[test]
fn usage_that_cannot_be_read_costs_the_estimate_its_figure_never_the_plan() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "usage_that_cannot_be_read_costs_the_estimate", &[]);
    let denying = Denying::start(&emulator, &["monitoring:GetMetricData"]);
    let run = emulator.holdfast(&copy.credentials, &["plan", "--desired", &copy.desired, "--format", "json", "--endpoint-url", &denying.proxy.url()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning: ACU use could not be read for cost estimates"), "{}", run.stderr);
    assert!(run.stderr.contains("cloudwatch:GetMetricData"), "{}", run.stderr);
    let plan: Value = serde_json::from_str(&run.stdout).expect("a JSON plan");
    let cap = &change(&plan, &format!("aurora.cluster/{STAGING_DB}"))["cost"];
    assert_eq!(cap["monthly_usd"], 0.0, "no saving claimed without the use: {cap}");
    assert!(cap["basis"].to_string().contains("ACU use not read"), "{cap}");
    let not_estimated = plan["cost"]["not_estimated"].to_string();
    assert!(not_estimated.contains("livkit-recordings") && not_estimated.contains("size was not read"), "{not_estimated}");
    // The tasks' sizes come from ECS, which still answers.
    assert_eq!(change(&plan, "z360-staging-web")["cost"]["monthly_usd"], -12.61);
}

#[test]
fn cost_prints_the_run_rate_of_what_the_desired_state_selects() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "cost_prints_the_run_rate", &[]);
    let run = emulator.holdfast(&copy.credentials, &["cost", "--desired", &copy.desired, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rate: Value = serde_json::from_str(&run.stdout).expect("a JSON run-rate");
    let kind = |name: &str| rate["kinds"].as_array().expect("kinds").iter().find(|kind| kind["kind"] == name).cloned().unwrap_or(Value::Null);
    let services = kind("ecs.service");
    let count: usize = services["entries"].as_array().expect("entries").iter().map(|entry| entry["resources"].as_array().expect("resources").len()).sum();
    assert_eq!(count, 12, "every service, under the entry that selects it");
    assert_eq!(services["monthly_usd"], 216.24, "12 tasks of 0.5 vCPU and 1 GB on demand: {services}");
    assert_eq!(kind("s3.bucket")["monthly_usd"], 13.87, "603 GB in Standard, read from CloudWatch");
    assert_eq!(kind("elb.load_balancer")["monthly_usd"], 16.43);
    let text = emulator.holdfast(&copy.credentials, &["cost", "--desired", &copy.desired]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("ECS services") && text.stdout.contains("z360.toml:"), "{}", text.stdout);
    let first_kind = text.stdout.lines().nth(2).expect("a kind");
    assert!(first_kind.starts_with("ECS services"), "the kinds that cost most come first: {first_kind}");
    assert!(text.stdout.trim_end().lines().last().expect("a last line").starts_with("Estimated monthly run-rate: about $"), "{}", text.stdout);
}

#[test]
fn the_days_prices_come_from_the_cache_and_an_unreadable_price_list_falls_back_to_the_shipped_table() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "the_days_prices_come_from_the_cache", &[]);
    let cache = tempfile::tempdir().expect("a cache folder");
    let online = |extra: &[&str]| {
        let mut args = vec!["plan", "--desired", copy.desired.as_str(), "--format", "json"];
        args.extend_from_slice(extra);
        let mut command = emulator.command(&copy.credentials, &args);
        command.env("HOLDFAST_OFFLINE", "0").env("XDG_CACHE_HOME", cache.path());
        common::run(command)
    };
    // The emulator has no Price List API: the shipped table stands in, and says why.
    let run = online(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: Value = serde_json::from_str(&run.stdout).expect("a JSON plan");
    let prices = plan["cost"]["prices"].as_str().expect("the prices' origin");
    assert!(prices.starts_with("the price table shipped with holdfast") && prices.contains("the AWS Price List API could not be read"), "{prices}");
    assert!(run.stderr.contains("Read prices from the AWS Price List API"), "{}", run.stderr);
    assert!(!cache.path().join("holdfast").exists(), "nothing read, nothing cached");

    // A day's cached prices are used without a call: here, Fargate at twice the price.
    let today = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()[..10].to_owned();
    let shipped = std::fs::read_to_string(common::repo_root().join("crates/cost/prices/us-east-1.toml")).expect("the shipped table");
    let doubled = shipped.replace("usd = 0.04048\n", "usd = 0.08096\n").replace("usd = 0.004445\n", "usd = 0.00889\n");
    std::fs::create_dir_all(cache.path().join("holdfast")).expect("the cache folder");
    std::fs::write(cache.path().join("holdfast").join(format!("prices-us-east-1-{today}.toml")), doubled).expect("a cached table");
    let run = online(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("Read prices from the AWS Price List API"), "the cache saves the calls: {}", run.stderr);
    let plan: Value = serde_json::from_str(&run.stdout).expect("a JSON plan");
    assert_eq!(plan["cost"]["prices"], format!("the AWS Price List API, read {today} (cached)"));
    assert_eq!(change(&plan, "z360-staging-web")["cost"]["monthly_usd"], -25.23, "twice the Fargate price, twice the saving");
    // --offline ignores the cache.
    let run = online(&["--offline"]);
    let plan: Value = serde_json::from_str(&run.stdout).expect("a JSON plan");
    assert_eq!(change(&plan, "z360-staging-web")["cost"]["monthly_usd"], -12.61);
}

#[test]
fn a_log_group_three_vpcs_share_counts_a_third_for_the_one_selected() {
    let emulator = Emulator::from_env();
    let account = common::emulator::account_for("a_log_group_three_vpcs_share");
    let credentials = emulator.seed("shared-flow-logs", &account, &[]);
    // Only net-a is declared; the group's 30 GiB a day is net-a's, net-b's and net-c's.
    let dir = common::emulator::desired_for(
        &account,
        "[[vpc.flow_logs]]\nvpc = \"net-a\"\ndestination = \"arn:aws:logs:us-east-1:ACCOUNT:log-group:/vpc/shared-flow\"\n",
    );
    let desired = dir.path().display().to_string();
    let text = std::fs::read_to_string(dir.path().join("main.toml")).expect("the desired state").replace("ACCOUNT", &account);
    std::fs::write(dir.path().join("main.toml"), text).expect("write");
    let run = emulator.holdfast(&credentials, &["cost", "--desired", &desired, "--format", "json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let rate: Value = serde_json::from_str(&run.stdout).expect("a JSON run-rate");
    let flow_log = &rate["kinds"][0]["entries"][0]["resources"][0];
    assert_eq!(flow_log["basis"][0], "10 GB a day delivered (read, its share of a log group 3 flow logs deliver to)", "{flow_log}");
    assert_eq!(flow_log["monthly_usd"], 152.08, "a third of 912.5 GB a month at $0.50: {flow_log}");
}
