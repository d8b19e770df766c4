//! Reading and applying through faults: the fault proxy in front of moto throttles
//! 20% of requests in each protocol's own shape and fails 5% with HTTP 500. A plan made
//! through it must be exactly the plan made without it, and an apply through it must
//! converge, as boto3 (straight to moto) sees it.

mod common;

use std::time::Duration;

use common::emulator::{Emulator, Z360Copy, apply_json};
use holdfast_fault_proxy::{Config, Faults, Proxy};
use serde_json::Value;

const FAULTS: Faults = Faults { throttle: 0.2, server_error: 0.05, drop: 0.0 };

/// A proxy in front of the emulator, served by a runtime of its own for as long as the
/// returned pair lives.
fn proxy(emulator: &Emulator, faults: Faults, seed: u64) -> (tokio::runtime::Runtime, Proxy) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime for the proxy");
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("an address"),
        upstream: emulator.endpoint.clone(),
        latency: Duration::ZERO,
        faults,
        seed,
        deny: Vec::new(),
    };
    let proxy = runtime.block_on(Proxy::start(config)).expect("the proxy starts");
    (runtime, proxy)
}

/// The JSON plan without the read time, which differs between two reads.
fn comparable(plan: &str) -> Value {
    let mut plan: Value = serde_json::from_str(plan).expect("a JSON plan");
    plan["snapshot_taken_at"] = Value::Null;
    plan
}

#[test]
fn plan_through_throttling_and_server_errors_is_the_plan_without_them() {
    let emulator = Emulator::from_env();
    let Z360Copy { credentials, desired, dir: _dir, .. } = Z360Copy::seed(&emulator, "plan_through_throttling_and_server_errors_is_the_plan_without_them", &[]);
    let plain = emulator.holdfast(&credentials, &["plan", "--desired", &desired, "--format", "json"]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);

    let (_runtime, proxy) = proxy(&emulator, FAULTS, 7);
    let url = proxy.url();
    let faulty = emulator.holdfast(&credentials, &["plan", "--desired", &desired, "--format", "json", "--endpoint-url", &url, "--stats"]);
    assert_eq!(faulty.code, 0, "{}", faulty.stderr);
    assert_eq!(comparable(&faulty.stdout), comparable(&plain.stdout));

    let counts = proxy.counts();
    let throttled = counts.faults.get("throttle").copied().unwrap_or(0);
    let failed = counts.faults.get("server_error").copied().unwrap_or(0);
    assert!(throttled > 0 && failed > 0, "faults were injected: {counts:?}");
    let faulted_services: std::collections::BTreeSet<&str> = counts.requests.keys().map(|(service, _)| service.as_str()).collect();
    for service in ["ecs", "s3", "ec2", "rds", "ssm"] {
        assert!(faulted_services.contains(service), "{service} went through the proxy: {faulted_services:?}");
    }
    // Every injected fault was retried: the stats count them as retries.
    let retries = faulty
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("AWS calls by operation: ").and_then(|rest| rest.split(", ").nth(1)?.split(' ').next()?.parse::<u64>().ok()))
        .unwrap_or_else(|| panic!("--stats names the retries:\n{}", faulty.stderr));
    assert_eq!(retries, throttled + failed, "{}", faulty.stderr);
}

/// With standard retry: adaptive retry's rate limiter, which a fifth of requests being
/// throttled whatever the rate drives to its floor, makes this run take minutes; the
/// adaptive run is the ignored test below (`scripts/test --run-ignored only`).
#[test]
fn apply_through_throttling_and_server_errors_converges() {
    apply_through_faults_converges("apply_through_throttling_and_server_errors_converges", "standard");
}

#[test]
#[ignore = "takes about five minutes: adaptive retry slows to its floor rate; run with scripts/test --run-ignored only"]
fn apply_through_throttling_and_server_errors_converges_with_adaptive_retry() {
    apply_through_faults_converges("apply_through_throttling_and_server_errors_converges_with_adaptive_retry", "adaptive");
}

fn apply_through_faults_converges(test: &str, retry_mode: &str) {
    let emulator = Emulator::from_env();
    let Z360Copy { account, credentials, desired, dir: _dir } = Z360Copy::seed(&emulator, test, &[]);
    let (_runtime, proxy) = proxy(&emulator, FAULTS, 11);
    let url = proxy.url();

    let (run, report) = apply_json(&emulator, &credentials, &desired, &["--endpoint-url", &url], &[("AWS_RETRY_MODE", retry_mode)]);
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert_eq!(report["summary"]["failed"], 0, "{report:#}");
    assert_eq!(report["summary"]["unverified"], 0, "{report:#}");
    let counts = proxy.counts();
    assert!(counts.faults.get("throttle").copied().unwrap_or(0) > 10, "the apply met throttling: {counts:?}");
    let writes: u64 = counts
        .requests
        .iter()
        .filter(|((_, operation), _)| {
            !operation.starts_with("Describe") && !operation.starts_with("List") && !operation.starts_with("Get") && !operation.starts_with("GET")
        })
        .map(|(_, count)| count)
        .sum();
    assert!(writes > 20, "writes went through the proxy too: {counts:?}");

    // boto3, straight to moto, sees what a fault-free apply leaves (as in emulator_apply).
    let facts = emulator.verify_z360(&account, &[]);
    assert_eq!(facts["services"]["z360-staging-web"]["strategy"], serde_json::json!([["FARGATE_SPOT", 1, 0]]));
    assert_eq!(facts["services"]["z360-beta-web"]["strategy"], serde_json::json!([]));
    assert_eq!(facts["aurora"]["z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v"]["max"], 4.0);
    for (name, parameter) in facts["parameters"].as_object().expect("parameters") {
        assert_eq!(parameter["value_is_the_seeded_one"], true, "{name}");
    }
    assert_eq!(facts["security"]["detector"]["status"], "ENABLED");
    assert_eq!(facts["security"]["trail"]["logging"], true);
    // What is left is what needs a flag, exactly as without faults.
    let plan = emulator.holdfast(&credentials, &["plan", "--desired", &desired, "--format", "json", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    let plan: Value = serde_json::from_str(&plan.stdout).expect("a JSON plan");
    let left = plan["changes"].as_array().expect("changes");
    assert_eq!(left.len(), 18, "{plan:#}");
    assert!(left.iter().all(common::needs_a_flag), "{plan:#}");
}
