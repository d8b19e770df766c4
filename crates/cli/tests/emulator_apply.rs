//! `holdfast apply` against the moto emulator. The account is seeded by boto3 and
//! every change is checked by boto3, never by holdfast's own reader.

mod common;

use common::emulator::{Emulator, Z360Copy, apply_json, outcome, path};
use serde_json::Value;

#[test]
fn apply_converges_the_z360_account_and_boto3_sees_every_change() {
    let emulator = Emulator::from_env();
    let Z360Copy { account, credentials, dir: desired_dir, desired } =
        Z360Copy::seed(&emulator, "apply_converges_the_z360_account_and_boto3_sees_every_change", &[]);

    let (run, report) = apply_json(&emulator, &credentials, &desired, &[], &[]);
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert_eq!(report["summary"]["failed"], 0, "{report:#}");
    assert_eq!(report["summary"]["unverified"], 0, "every applied change was verified by a re-read: {report:#}");
    for skipped in outcome(&report, "/encryption/snapshot") {
        assert_eq!(skipped["outcome"], "skipped");
        assert_eq!(skipped["reason"], "a replacement needs --allow-replace", "the migration's first step waits for --allow-replace");
    }
    for skipped in outcome(&report, "/encryption/") {
        assert_eq!(skipped["outcome"], "skipped", "nothing of the migration runs: {skipped:#}");
    }
    assert_eq!(outcome(&report, &format!("s3.bucket/zscribe-{account}"))[0]["reason"], "a deletion needs --allow-delete");
    assert_eq!(outcome(&report, "elb.load_balancer/AppLoadbalancer")[0]["reason"], "a deletion needs --allow-delete");

    let facts = emulator.verify_z360(&account, &[]);
    let spot = serde_json::json!([["FARGATE_SPOT", 1, 0]]);
    for service in [
        "z360-staging-web",
        "z360-staging-queue",
        "z360-staging-reverb",
        "z360-beta-queue",
        "z360-agent-layer-staging-gateway",
        "z360-agent-layer-staging-aegra",
        "z360-agent-layer-staging-voice",
        "z360-agent-layer-beta-aegra",
    ] {
        assert_eq!(facts["services"][service]["strategy"], spot, "{service} runs on Spot");
    }
    for service in ["z360-beta-web", "z360-beta-reverb", "z360-agent-layer-beta-voice", "z360-agent-layer-beta-gateway"] {
        assert_eq!(facts["services"][service]["strategy"], serde_json::json!([]), "{service} stays on launch type FARGATE, on-demand, not redeployed for it");
    }
    for (cluster, providers) in facts["clusters"].as_object().expect("clusters") {
        assert!(providers.as_array().expect("providers").contains(&Value::from("FARGATE_SPOT")), "{cluster}: {providers}");
    }
    for (service, before) in [
        ("z360-staging-web", 156),
        ("z360-staging-queue", 47),
        ("z360-staging-reverb", 6),
        ("z360-beta-web", 21),
        ("z360-beta-queue", 18),
        ("z360-beta-reverb", 3),
    ] {
        let facts = &facts["services"][service];
        assert_eq!(facts["task_definition"], format!("{service}:{}", before + 1), "a new revision");
        let environment = facts["environment"].as_array().expect("environment");
        assert!(
            !environment.contains(&Value::from("REVERB_APP_KEY")) && !environment.contains(&Value::from("REVERB_APP_SECRET")),
            "{service}: no plaintext secret"
        );
        assert!(environment.contains(&Value::from("REVERB_APP_ID")), "{service}: other variables unchanged");
        let env = if service.contains("staging") { "staging" } else { "beta" };
        assert_eq!(facts["secrets"]["REVERB_APP_KEY"], format!("arn:aws:ssm:us-east-1:{account}:parameter/z360/{env}/reverb/app-key"));
    }
    for (name, parameter) in facts["parameters"].as_object().expect("parameters") {
        assert_eq!(parameter["type"], "SecureString", "{name}");
        assert_eq!(parameter["value_is_the_seeded_one"], true, "{name} holds the value from the task definition");
    }
    let aurora = &facts["aurora"];
    assert_eq!(aurora["z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v"]["max"], 4.0);
    assert_eq!(aurora["z360-agent-layer-staging-addons-9pl4w2-agentdb-3ft6yq"]["max"], 2.0);
    assert_eq!(aurora["z360-beta-addonsstack-5mn8r1-z360dbcluster-2wq9ek4vj7cd"]["max"], 8.0);
    let buckets = &facts["buckets"];
    assert_eq!(buckets["livkit-recordings"]["lifecycle"]["tiering"], serde_json::json!([[30, "INTELLIGENT_TIERING"], [90, "GLACIER"]]));
    assert_eq!(buckets["app-z360"]["lifecycle"]["intelligent-tiering"], serde_json::json!([[0, "INTELLIGENT_TIERING"]]));
    for bucket in ["app-z360", "zscribe-main", "livkit-recordings", "z360-staging-storage", "z360-beta-storage"] {
        assert_eq!(buckets[bucket]["algorithm"], "aws:kms", "{bucket}");
        assert_eq!(buckets[bucket]["kms_key"], facts["phi_key_arn"], "{bucket}: the key ARN alias/z360-phi resolved to, as AWS advises");
    }
    assert_eq!(buckets[format!("z360-security-logs-{account}")]["algorithm"], "AES256", "the security logs bucket was created");
    assert!(!buckets["zscribe"].is_null(), "the orphan stays without --allow-delete");
    let destination = format!("arn:aws:s3:::z360-security-logs-{account}");
    for vpc in ["copilot-z360-beta", "copilot-z360-staging", "copilot-z360-agent-layer-staging", "copilot-z360-agent-layer-beta", "default"] {
        assert_eq!(facts["flow_logs"][vpc], serde_json::json!([[destination, "ALL"]]), "{vpc}");
    }

    // The HIPAA half, as boto3 reads it.
    let security = &facts["security"];
    let logs = format!("z360-security-logs-{account}");
    assert_eq!(
        security["trail"],
        serde_json::json!({"bucket": logs, "prefix": "cloudtrail", "multi_region": true, "validation": true, "global_events": true, "logging": true})
    );
    assert_eq!(security["detector"]["status"], "ENABLED");
    assert_eq!(security["detector"]["frequency"], "FIFTEEN_MINUTES");
    for feature in ["S3_DATA_EVENTS", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS", "EBS_MALWARE_PROTECTION"] {
        assert_eq!(security["detector"]["features"][feature], "ENABLED", "{feature}");
    }
    assert_eq!(security["security_hub"], true);
    assert_eq!(security["recorders"], serde_json::json!([{"all_supported": true, "global": true, "recording": true}]));
    assert_eq!(security["channels"], serde_json::json!([{"bucket": logs, "prefix": "config"}]));
    assert_eq!(security["phi_key_rotation"], true);
    let block = &security["logs_public_access_block"];
    for setting in ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] {
        assert_eq!(block[setting], true, "{setting}");
    }
    let policy = &security["logs_policy"];
    let tls = &policy["holdfast-require-tls"];
    assert_eq!(tls["Effect"], "Deny");
    assert_eq!(tls["Condition"]["Bool"]["aws:SecureTransport"], "false");
    assert_eq!(policy["holdfast-cloudtrail-write"]["Principal"]["Service"], "cloudtrail.amazonaws.com");
    assert_eq!(policy["holdfast-cloudtrail-write"]["Resource"], format!("arn:aws:s3:::{logs}/*AWSLogs/{account}/*"));
    assert_eq!(policy["holdfast-config-write"]["Resource"], format!("arn:aws:s3:::{logs}/*AWSLogs/{account}/Config/*"));
    assert_eq!(policy["holdfast-flow-logs-write"]["Principal"]["Service"], "delivery.logs.amazonaws.com");
    assert_eq!(security["load_balancers"], serde_json::json!(["AppLoadbalancer"]), "the orphaned ALB stays without --allow-delete");

    // What is left needs a flag: the Aurora replacements and the orphans' deletions.
    let plan = emulator.holdfast(&credentials, &["plan", "--desired", &desired, "--format", "json", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2);
    let plan: Value = serde_json::from_str(&plan.stdout).expect("a JSON plan");
    let left: Vec<(&str, &str)> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|change| (change["action"].as_str().unwrap_or_default(), change["address"].as_str().unwrap_or_default()))
        .collect();
    // Two deletions, and for each of the four clusters three steps and a cutover.
    assert_eq!(left.len(), 18, "{left:?}");
    assert!(
        left.iter().all(|(action, address)| (*action == "create" && address.contains("/encryption/"))
            || (*action == "manual" && address.ends_with("/encryption/cutover"))
            || (*action == "delete" && (address.contains("zscribe") || *address == "elb.load_balancer/AppLoadbalancer"))),
        "{left:?}"
    );

    // With --allow-delete the orphan goes; without replacements declared, nothing is left.
    let (run, _) = apply_json(&emulator, &credentials, &desired, &["--allow-delete"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let facts = emulator.verify_z360(&account, &[]);
    assert!(facts["buckets"]["zscribe"].is_null(), "boto3 no longer finds the orphan");
    assert_eq!(facts["security"]["load_balancers"], serde_json::json!([]), "boto3 no longer finds the orphaned ALB");
    let text = std::fs::read_to_string(path(&desired_dir, "z360.toml")).expect("the desired state").replace("storage_encrypted = true\n", "");
    std::fs::write(path(&desired_dir, "z360.toml"), text).expect("rewrite the desired state");
    let plan = emulator.holdfast(&credentials, &["plan", "--desired", &desired, "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "no perpetual diff after apply:\n{}", plan.stdout);
}

#[test]
fn stale_plan_file_is_refused_and_nothing_is_applied() {
    let emulator = Emulator::from_env();
    let Z360Copy { account, credentials, dir: desired_dir, desired } = Z360Copy::seed(&emulator, "stale_plan_file_is_refused_and_nothing_is_applied", &[]);
    let plan_file = path(&desired_dir, "saved.plan.json").display().to_string();
    let planned = emulator.holdfast(&credentials, &["plan", "--desired", &desired, "--out", &plan_file]);
    assert_eq!(planned.code, 0, "{}", planned.stderr);

    emulator.script("poke.py", "set-max-acu", &account, &["z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v", "16"]);
    let run = emulator.holdfast(&credentials, &["apply", &plan_file, "--desired", &desired]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("the plan file does not match what the desired state and the account give now, so nothing was applied"), "{}", run.stderr);
    assert!(
        run.stderr.contains("aurora.cluster/z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v: max_acu was 8 when planned, is 16 now"),
        "{}",
        run.stderr
    );
    let facts = emulator.verify_z360(&account, &[]);
    assert_eq!(facts["services"]["z360-staging-web"]["strategy"], serde_json::json!([]), "nothing was applied");

    // A fresh plan file applies.
    let planned = emulator.holdfast(&credentials, &["plan", "--desired", &desired, "--out", &plan_file]);
    assert_eq!(planned.code, 0);
    let run = emulator.holdfast(&credentials, &["apply", &plan_file, "--desired", &desired]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(emulator.verify_z360(&account, &[])["aurora"]["z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v"]["max"], 4.0);
}

#[test]
fn an_edited_plan_file_is_refused_and_nothing_is_applied() {
    let emulator = Emulator::from_env();
    let Z360Copy { account, credentials, dir: desired_dir, desired } = Z360Copy::seed(&emulator, "an_edited_plan_file_is_refused_and_nothing_is_applied", &[]);
    let plan_file = path(&desired_dir, "edited.plan.json").display().to_string();
    // A reviewed, targeted plan: the realtime beta web service and the staging cluster.
    let targeted = |extra: &[&str]| {
        let mut args =
            vec!["plan", "--desired", desired.as_str(), "--target", "ecs.service/z360-beta-*/z360-beta-web-*", "--target", "aurora.cluster/z360-staging-*"];
        args.extend_from_slice(extra);
        emulator.holdfast(&credentials, &args)
    };
    let planned = targeted(&["--format", "json"]);
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    let mut plan: Value = serde_json::from_str(&planned.stdout).expect("a JSON plan");
    for change in plan["changes"].as_array_mut().expect("changes") {
        let operation = &mut change["operation"];
        if operation["type"] == "update_service" {
            // The realtime beta web service, edited onto Spot with its guard switched off.
            operation["strategy"] = serde_json::json!([{ "provider": "FARGATE_SPOT", "weight": 1, "base": 0 }]);
            operation["realtime"] = Value::Bool(false);
        }
        if operation["type"] == "modify_aurora_capacity" {
            // A cluster the desired state does not select, squeezed to nothing.
            operation["cluster"] = Value::from("z360-beta-addonsstack-5mn8r1-z360dbcluster-2wq9ek4vj7cd");
            operation["min_acu"] = Value::from(0.0);
            operation["max_acu"] = Value::from(1.0);
        }
    }
    std::fs::write(&plan_file, serde_json::to_string_pretty(&plan).expect("JSON")).expect("write the edited plan");

    let run = emulator.holdfast(&credentials, &["apply", &plan_file, "--desired", &desired]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("the plan file does not match what the desired state and the account give now, so nothing was applied"), "{}", run.stderr);
    assert!(run.stderr.contains("z360-beta-web-Service-Hx5tR2wPq9Zc: the saved change is not what the desired state and the account give now (operation.realtime, operation.strategy differ)"), "{}", run.stderr);
    assert!(run.stderr.contains("z360dbcluster-8hq2mzm3kd7v: the saved change is not what the desired state and the account give now (operation.cluster, operation.max_acu, operation.min_acu differ)"), "{}", run.stderr);
    let facts = emulator.verify_z360(&account, &[]);
    assert_eq!(facts["services"]["z360-beta-web"]["strategy"], serde_json::json!([]), "the realtime service stays where it was");
    assert_eq!(facts["services"]["z360-beta-web"]["task_definition"], "z360-beta-web:21", "nothing was applied");
    assert_eq!(facts["aurora"]["z360-beta-addonsstack-5mn8r1-z360dbcluster-2wq9ek4vj7cd"]["max"], 8.0, "the unselected cluster is untouched");
    assert_eq!(facts["aurora"]["z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v"]["max"], 8.0);

    // The same file, unedited, applies: and what runs is the fresh plan's own operation.
    let planned = targeted(&["--out", &plan_file]);
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    let run = emulator.holdfast(&credentials, &["apply", &plan_file, "--desired", &desired]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let facts = emulator.verify_z360(&account, &[]);
    assert_eq!(facts["services"]["z360-beta-web"]["strategy"], serde_json::json!([]), "still on launch type FARGATE: on-demand");
    assert_eq!(facts["services"]["z360-beta-web"]["task_definition"], "z360-beta-web:22", "its secrets moved");
    assert_eq!(facts["aurora"]["z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v"]["max"], 4.0);
}

#[test]
fn failure_in_the_middle_is_reported_exactly_and_a_rerun_converges() {
    let emulator = Emulator::from_env();
    let Z360Copy { account, credentials, dir: desired_dir, desired } =
        Z360Copy::seed(&emulator, "failure_in_the_middle_is_reported_exactly_and_a_rerun_converges", &[]);
    // The staging app key is to come from an environment variable that is not set.
    let toml_path = path(&desired_dir, "z360.toml");
    let text = std::fs::read_to_string(&toml_path).expect("the desired state").replacen(
        "value = { migrate_from_task_env = \"REVERB_APP_KEY\" }",
        "value = { env = \"HOLDFAST_TEST_STAGING_KEY\" }",
        1,
    );
    std::fs::write(&toml_path, text).expect("rewrite the desired state");

    let (run, report) = apply_json(&emulator, &credentials, &desired, &[], &[]);
    assert_eq!(run.code, 1, "a failure exits 1: {}", run.stderr);
    let parameter = outcome(&report, "ssm.parameter/z360/staging/reverb/app-key")[0];
    assert_eq!(parameter["outcome"], "failed");
    assert!(parameter["error"].as_str().is_some_and(|error| error.contains("HOLDFAST_TEST_STAGING_KEY is not set")), "{parameter}");
    for service in outcome(&report, "ecs.service/z360-staging-Cluster") {
        assert_eq!(service["outcome"], "skipped", "{service}");
        assert_eq!(service["reason"], "depends on ssm.parameter/z360/staging/reverb/app-key, which failed");
    }
    for service in outcome(&report, "ecs.service/z360-beta-Cluster") {
        assert_eq!(service["outcome"], "done", "independent changes go ahead: {service}");
    }
    let facts = emulator.verify_z360(&account, &[]);
    assert_eq!(facts["services"]["z360-staging-web"]["strategy"], serde_json::json!([]), "the dependant did not run");
    assert_eq!(facts["services"]["z360-beta-queue"]["strategy"], serde_json::json!([["FARGATE_SPOT", 1, 0]]));

    let (run, report) = apply_json(&emulator, &credentials, &desired, &[], &[("HOLDFAST_TEST_STAGING_KEY", "stg-key-4f9a0c2e71d8")]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["summary"]["failed"], 0);
    let facts = emulator.verify_z360(&account, &[]);
    assert_eq!(facts["services"]["z360-staging-web"]["strategy"], serde_json::json!([["FARGATE_SPOT", 1, 0]]));
    assert_eq!(facts["parameters"]["/z360/staging/reverb/app-key"]["value_is_the_seeded_one"], true);
}

#[test]
fn a_live_lock_blocks_apply_and_is_broken_only_by_its_id_once_expired() {
    let emulator = Emulator::from_env();
    let Z360Copy { account, credentials, dir: _dir, desired } =
        Z360Copy::seed(&emulator, "a_live_lock_blocks_apply_and_is_broken_only_by_its_id_once_expired", &[]);
    emulator.script("poke.py", "hold-lock", &account, &["alice@ci (pid 42)", "--lock-id", "a11ce0000000beef", "--renewed-ago", "5"]);
    let apply = |extra: &[&str]| {
        let mut args = vec!["apply", "--desired", desired.as_str(), "--auto-approve"];
        args.extend_from_slice(extra);
        emulator.holdfast(&credentials, &args)
    };

    let run = apply(&[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("another apply holds the lock"), "{}", run.stderr);
    assert!(run.stderr.contains("lock a11ce0000000beef held by alice@ci (pid 42)") && run.stderr.contains("live: its holder is renewing it"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: wait for that apply to finish"), "{}", run.stderr);

    // A live lease is not broken by its id alone, nor by another id.
    let run = apply(&["--force-unlock", "a11ce0000000beef"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("the apply lock is still being renewed"), "{}", run.stderr);
    let run = apply(&["--force-unlock", "0000000000000000", "--even-if-live"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("the apply lock is not 0000000000000000, so it was left alone"), "{}", run.stderr);
    let facts = emulator.verify_z360(&account, &[]);
    assert!(facts["lock"].as_str().is_some_and(|lock| lock.contains("a11ce0000000beef")), "the lock is untouched: {}", facts["lock"]);
    assert_eq!(facts["services"]["z360-staging-web"]["strategy"], serde_json::json!([]), "nothing was applied");

    // Confirmed twice, a live lock is broken; the apply then runs under its own lock and
    // releases it.
    let run = apply(&["--force-unlock", "a11ce0000000beef", "--even-if-live"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("Removed the apply lock: lock a11ce0000000beef held by alice@ci (pid 42)"), "{}", run.stderr);
    assert!(emulator.verify_z360(&account, &[])["lock"].is_null(), "released after the apply");
}

#[test]
fn an_expired_lock_says_exactly_how_to_recover() {
    let emulator = Emulator::from_env();
    let Z360Copy { account, credentials, dir: _dir, desired } = Z360Copy::seed(&emulator, "an_expired_lock_says_exactly_how_to_recover", &[]);
    emulator.script("poke.py", "hold-lock", &account, &["bob@laptop (pid 7)", "--lock-id", "dead00000000b0b0", "--renewed-ago", "300", "--lease", "60"]);
    let run = emulator.holdfast(&credentials, &["apply", "--desired", &desired, "--auto-approve"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("EXPIRED: its holder stopped renewing it"), "{}", run.stderr);
    assert!(run.stderr.contains("run `holdfast apply --force-unlock dead00000000b0b0`"), "{}", run.stderr);
    let run = emulator.holdfast(&credentials, &["apply", "--desired", &desired, "--auto-approve", "--force-unlock", "dead00000000b0b0"]);
    assert_eq!(run.code, 0, "an expired lease needs no second confirmation: {}", run.stderr);
}

#[test]
fn apply_without_a_terminal_or_auto_approve_refuses() {
    let emulator = Emulator::from_env();
    let Z360Copy { account, credentials, dir: _dir, desired } = Z360Copy::seed(&emulator, "apply_without_a_terminal_or_auto_approve_refuses", &[]);
    let run = emulator.holdfast(&credentials, &["apply", "--desired", &desired]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("there is no terminal to confirm the apply on"), "{}", run.stderr);
    assert!(run.stdout.contains("Plan: "), "the plan was shown first");
    assert_eq!(emulator.verify_z360(&account, &[])["services"]["z360-staging-web"]["strategy"], serde_json::json!([]));
}

#[test]
fn secret_migrated_by_apply_never_appears_in_its_output() {
    let canary = "CANARY-apply-secret-0b7e55";
    let emulator = Emulator::from_env();
    let Z360Copy { account, credentials, dir: _dir, desired } =
        Z360Copy::seed(&emulator, "secret_migrated_by_apply_never_appears_in_its_output", &["--canary", canary]);
    for format in ["text", "json"] {
        let run = emulator.holdfast(&credentials, &["apply", "--desired", &desired, "--auto-approve", "--format", format]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(!run.all_output().contains(canary), "{format} apply output contains the canary");
    }
    let facts = emulator.verify_z360(&account, &["--canary", canary]);
    assert_eq!(facts["parameters"]["/z360/staging/reverb/app-secret"]["value_is_the_seeded_one"], true, "the canary reached SSM, and only SSM");
}

#[test]
fn execution_role_that_may_not_read_the_secrets_leaves_the_service_unchanged() {
    let emulator = Emulator::from_env();
    // The folder must outlive the test: binding it keeps it from being deleted.
    let Z360Copy { account, credentials, desired, dir: _dir } =
        Z360Copy::seed(&emulator, "execution_role_that_may_not_read_the_secrets_leaves_the_service_unchanged", &["--withhold-ssm-from", "z360-beta-web"]);
    let (run, report) = apply_json(&emulator, &credentials, &desired, &[], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let service = outcome(&report, "z360-beta-web-Service")[0];
    assert_eq!(service["outcome"], "failed");
    let error = service["error"].as_str().unwrap_or_default();
    assert!(
        error.contains(&format!("the task execution role arn:aws:iam::{account}:role/z360-beta-web-ExecutionRole has no statement allowing ssm:GetParameters")),
        "{error}"
    );
    let facts = emulator.verify_z360(&account, &[]);
    assert_eq!(facts["services"]["z360-beta-web"]["task_definition"], "z360-beta-web:21", "no revision was registered for it");
    assert_eq!(facts["services"]["z360-beta-reverb"]["task_definition"], "z360-beta-reverb:4", "the others went ahead");
}
