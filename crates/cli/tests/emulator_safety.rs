//! The ways an apply could break a running service or a secret, found by trying holdfast
//! on accounts it had not seen (issue 7), each tried against the moto emulator: the
//! account is seeded by boto3 and every outcome is checked by boto3.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::emulator::{Emulator, Z360Copy, apply_json, desired_for, outcome, path};
use serde_json::Value;

/// The z360 desired state of a copy, with `edit` applied to its text.
fn edit_desired(copy: &Z360Copy, edit: impl Fn(String) -> String) {
    let file = path(&copy.dir, "z360.toml");
    let text = std::fs::read_to_string(&file).expect("the desired state");
    std::fs::write(&file, edit(text)).expect("rewrite the desired state");
}

fn plan_json(emulator: &Emulator, copy: &Z360Copy, extra: &[&str]) -> (common::Run, Value) {
    let mut args = vec!["plan", "--desired", copy.desired.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let run = emulator.holdfast(&copy.credentials, &args);
    let plan = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run, plan)
}

fn change<'a>(plan: &'a Value, address: &str) -> &'a Value {
    plan["changes"].as_array().and_then(|changes| changes.iter().find(|change| change["address"] == address)).unwrap_or(&Value::Null)
}

// Items 4 and 5: a service is only ever moved to a parameter that exists, holding its value.

#[test]
fn a_service_is_never_moved_to_a_parameter_nobody_declared_or_created() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "a_service_is_never_moved_to_a_parameter_nobody_declared_or_created", &[]);
    edit_desired(&copy, |text| {
        text + "\n[[ecs.task_secrets]]\ncluster = \"z360-beta-Cluster-*\"\nservice = \"z360-beta-queue-*\"\nsecrets = { QA_TOKEN = \"/qa/not-declared-anywhere\" }\n"
    });
    let (run, plan) = plan_json(&emulator, &copy, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let queue = "ecs.service/z360-beta-Cluster-Vb3nQ8sKe1Lm/z360-beta-queue-Service-Mm4kW7yTn2Bd";
    let secrets = change(&plan, &format!("{queue}/secrets"));
    assert_eq!(secrets["action"], "manual", "{plan:#}");
    assert!(
        secrets["reason"].as_str().is_some_and(|reason| reason.contains("/qa/not-declared-anywhere does not exist and no [[ssm.parameter]] declares it")),
        "{secrets:#}"
    );
    assert!(change(&plan, queue)["operation"]["secrets"].is_null(), "the strategy change goes ahead alone: {:#}", change(&plan, queue));

    let (run, report) = apply_json(&emulator, &copy.credentials, &copy.desired, &[], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(outcome(&report, &format!("{queue}/secrets"))[0]["outcome"], "skipped");
    let facts = emulator.verify_z360(&copy.account, &[]);
    let queue_facts = &facts["services"]["z360-beta-queue"];
    assert_eq!(queue_facts["task_definition"], "z360-beta-queue:18", "no revision names the missing parameter");
    assert_eq!(queue_facts["strategy"], serde_json::json!([["FARGATE_SPOT", 1, 0]]), "the rest of its change was made");
}

#[test]
fn a_parameter_left_out_of_the_apply_stops_the_move_at_the_moment_of_acting() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "a_parameter_left_out_of_the_apply_stops_the_move_at_the_moment_of_acting", &[]);
    // The parameters exist when the plan is made, so the moves wait for nothing; then one
    // is deleted before the saved plan is applied, which leaves its re-creation out.
    for (env, service) in [("staging", "z360-staging-web"), ("beta", "z360-beta-web")] {
        for (leaf, variable) in [("app-key", "REVERB_APP_KEY"), ("app-secret", "REVERB_APP_SECRET")] {
            let name = format!("/z360/{env}/reverb/{leaf}");
            emulator.script("poke.py", "put-parameter", &copy.account, &[&name, "--value-of", service, variable]);
        }
    }
    let plan_file = path(&copy.dir, "moves.plan.json").display().to_string();
    let planned = emulator.holdfast(&copy.credentials, &["plan", "--desired", &copy.desired, "--target", "ecs.service/*", "--out", &plan_file]);
    assert_eq!(planned.code, 0, "{}", planned.stderr);
    emulator.script("poke.py", "delete-parameter", &copy.account, &["/z360/staging/reverb/app-key"]);
    let run = emulator.holdfast(&copy.credentials, &["apply", &plan_file, "--desired", &copy.desired, "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("a JSON report");
    let web = outcome(&report, "z360-staging-web-Service")[0];
    assert_eq!(web["outcome"], "failed", "{web:#}");
    assert!(
        web["error"]
            .as_str()
            .is_some_and(|error| error.contains("/z360/staging/reverb/app-key does not exist, so a task definition naming it would start no task")),
        "{web:#}"
    );
    let facts = emulator.verify_z360(&copy.account, &[]);
    assert!(facts["services"]["z360-beta-web"]["secrets"].as_object().is_some_and(|secrets| secrets.len() == 2), "beta's parameters are all there: it moved");
    for service in ["z360-staging-web", "z360-staging-queue", "z360-staging-reverb"] {
        assert!(
            facts["services"][service]["secrets"].as_object().is_some_and(serde_json::Map::is_empty),
            "{service} names no parameter: {:#}",
            facts["services"][service]
        );
        assert!(
            facts["services"][service]["environment"].as_array().is_some_and(|environment| environment.contains(&Value::from("REVERB_APP_KEY"))),
            "{service} keeps its value"
        );
    }
}

#[test]
fn a_deleted_parameter_is_recreated_from_the_revision_before_the_move() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "a_deleted_parameter_is_recreated_from_the_revision_before_the_move", &[]);
    let (run, _) = apply_json(&emulator, &copy.credentials, &copy.desired, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Someone deletes a parameter the services were moved to: their value now lives only
    // in the revisions they ran before.
    emulator.script("poke.py", "delete-parameter", &copy.account, &["/z360/staging/reverb/app-key"]);
    let (run, plan) = plan_json(&emulator, &copy, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let parameter = change(&plan, "ssm.parameter/z360/staging/reverb/app-key");
    assert_eq!(parameter["action"], "create", "{plan:#}");
    let source = parameter["operation"]["value"]["task_definition"].as_str().unwrap_or_default();
    assert!(
        ["z360-staging-web:156", "z360-staging-queue:47", "z360-staging-reverb:6"].iter().any(|revision| source.ends_with(revision)),
        "from a revision before the move: {source}"
    );

    let (run, _) = apply_json(&emulator, &copy.credentials, &copy.desired, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let facts = emulator.verify_z360(&copy.account, &[]);
    assert_eq!(facts["parameters"]["/z360/staging/reverb/app-key"]["value_is_the_seeded_one"], true, "the value was not lost");
}

// Item 6: a parameter that already holds another value is for a person to decide.

#[test]
fn an_existing_parameter_with_another_value_is_a_conflict_not_a_silent_winner() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "an_existing_parameter_with_another_value_is_a_conflict_not_a_silent_winner", &[]);
    emulator.script("poke.py", "put-parameter", &copy.account, &["/z360/staging/reverb/app-key", "--value", "someone-elses-key-0000"]);
    let (run, plan) = plan_json(&emulator, &copy, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let parameter = change(&plan, "ssm.parameter/z360/staging/reverb/app-key");
    assert_eq!(parameter["action"], "manual", "{plan:#}");
    assert!(parameter["reason"].as_str().is_some_and(|reason| reason.contains("moving the services would change the value they run with")), "{parameter:#}");

    let (run, report) = apply_json(&emulator, &copy.credentials, &copy.desired, &[], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for service in outcome(&report, "ecs.service/z360-staging-Cluster") {
        assert_eq!(service["outcome"], "skipped", "{service:#}");
    }
    assert!(!run.all_output().contains("someone-elses-key-0000"), "the value is never shown");
    let facts = emulator.verify_z360(&copy.account, &[]);
    assert_eq!(facts["services"]["z360-staging-web"]["task_definition"], "z360-staging-web:156", "the staging services keep their own value");
    assert_eq!(facts["parameters"]["/z360/staging/reverb/app-key"]["value_is_the_seeded_one"], false, "the parameter was not overwritten either");
    assert_eq!(facts["services"]["z360-beta-web"]["task_definition"], "z360-beta-web:22", "beta, without a conflict, moved");
}

// Item 7: the execution role must be able to decrypt a customer managed key.

#[test]
fn an_execution_role_without_kms_decrypt_on_the_key_leaves_the_service_unchanged() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "an_execution_role_without_kms_decrypt_on_the_key_leaves_the_service_unchanged", &[]);
    emulator.script("poke.py", "create-key", &copy.account, &["alias/z360-secrets"]);
    for leaf in ["app-key", "app-secret"] {
        let variable = if leaf == "app-key" { "REVERB_APP_KEY" } else { "REVERB_APP_SECRET" };
        let name = format!("/z360/staging/reverb/{leaf}");
        emulator.script("poke.py", "put-parameter", &copy.account, &[&name, "--value-of", "z360-staging-web", variable, "--key-id", "alias/z360-secrets"]);
    }
    edit_desired(&copy, |text| {
        text.replace(
            "name = \"/z360/staging/reverb/app-key\"\ntype = \"SecureString\"\nkms_key = \"alias/aws/ssm\"",
            "name = \"/z360/staging/reverb/app-key\"\ntype = \"SecureString\"\nkms_key = \"alias/z360-secrets\"",
        )
        .replace(
            "name = \"/z360/staging/reverb/app-secret\"\ntype = \"SecureString\"\nkms_key = \"alias/aws/ssm\"",
            "name = \"/z360/staging/reverb/app-secret\"\ntype = \"SecureString\"\nkms_key = \"alias/z360-secrets\"",
        )
    });
    let (run, report) = apply_json(&emulator, &copy.credentials, &copy.desired, &[], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let web = outcome(&report, "z360-staging-web-Service")[0];
    assert_eq!(web["outcome"], "failed", "{web:#}");
    assert!(
        web["error"].as_str().is_some_and(|error| error.contains("z360-staging-web-ExecutionRole has no statement allowing kms:Decrypt on arn:aws:kms:")),
        "{web:#}"
    );
    assert_eq!(emulator.verify_z360(&copy.account, &[])["services"]["z360-staging-web"]["task_definition"], "z360-staging-web:156");

    // The key policy may grant it where the role's own policies do not.
    emulator.script("poke.py", "key-policy", &copy.account, &["alias/z360-secrets", "z360-staging-web-ExecutionRole"]);
    let (_, report) = apply_json(&emulator, &copy.credentials, &copy.desired, &[], &[]);
    assert_eq!(outcome(&report, "z360-staging-web-Service")[0]["outcome"], "done", "{report:#}");
    assert_eq!(outcome(&report, "z360-staging-queue-Service")[0]["outcome"], "failed", "the key policy names the web role only");
    let facts = emulator.verify_z360(&copy.account, &[]);
    assert_eq!(facts["services"]["z360-staging-web"]["task_definition"], "z360-staging-web:157");
    assert_eq!(facts["services"]["z360-staging-queue"]["task_definition"], "z360-staging-queue:47");
}

// Items 9 and 10: references to things that do not exist are plan errors.

#[test]
fn a_missing_key_capacity_provider_or_destination_bucket_is_a_plan_error_and_nothing_is_applied() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "a_missing_key_capacity_provider_or_destination_bucket_is_a_plan_error_and_nothing_is_applied", &[]);
    let account = &copy.account;
    let desired = desired_for(
        account,
        &format!(
            "[ecs.strategies]\nown = [{{ provider = \"z360-ec2-capacity\", weight = 1 }}]\n\n\
             [[ecs.service]]\ncluster = \"z360-staging-Cluster-*\"\nservice = \"z360-staging-web-*\"\nstrategy = \"own\"\n\n\
             [[s3.bucket]]\nname = \"app-z360-{account}\"\nencryption = {{ algorithm = \"aws:kms\", kms_key = \"alias/does-not-exist\" }}\n\n\
             [[vpc.flow_logs]]\nvpc = \"copilot-z360-beta\"\ndestination = \"s3://no-such-bucket-{account}/flow-logs/\"\n"
        ),
    );
    let desired = desired.path().display().to_string();
    let run = emulator.holdfast(&copy.credentials, &["plan", "--desired", &desired, "--detailed-exitcode"]);
    assert_eq!(run.code, 1, "errors exit 1, never 2:\n{}\n{}", run.stdout, run.stderr);
    for expected in [
        "names the KMS key `alias/does-not-exist`, which does not exist in account",
        "strategy `own` names the capacity provider `z360-ec2-capacity`, which does not exist in the account",
        &format!("the flow-log destination bucket `no-such-bucket-{account}` does not exist, and no [[s3.bucket]] entry creates it"),
    ] {
        assert!(run.stdout.contains(expected), "{expected}\n{}", run.stdout);
    }
    let (run, _) = apply_json(&emulator, &copy.credentials, &desired, &[], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("the plan has errors, so nothing was applied"), "{}", run.stderr);
    let facts = emulator.verify_z360(account, &[]);
    assert_eq!(facts["buckets"]["app-z360"]["algorithm"], "AES256", "the bucket still has its own encryption");
    assert_eq!(facts["flow_logs"]["copilot-z360-beta"], serde_json::json!([]));
}

// Item 11: a snapshot says what it read.

#[test]
fn a_snapshot_taken_with_another_desired_state_is_refused_where_it_did_not_read() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "a_snapshot_taken_with_another_desired_state_is_refused_where_it_did_not_read", &[]);
    let account = &copy.account;
    let encryption_only = desired_for(account, &format!("[[s3.bucket]]\nname = \"livkit-recordings-{account}\"\nencryption = {{ algorithm = \"AES256\" }}\n"));
    let snapshot = path(&copy.dir, "narrow.json").display().to_string();
    let run = emulator.holdfast(&copy.credentials, &["snapshot", "--desired", &encryption_only.path().display().to_string(), "--out", &snapshot]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The full desired state manages lifecycle and parameters the snapshot never read.
    let run = emulator.holdfast(&copy.credentials, &["plan", "--desired", &copy.desired, "--snapshot", &snapshot]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains(&format!("the account state was read without `s3.bucket.lifecycle livkit-recordings-{account}`")), "{}", run.stdout);
    assert!(run.stdout.contains("the account state was read without `ssm.parameter /z360/staging/reverb/app-key`"), "{}", run.stdout);
    // The same desired state it was taken with plans from it.
    let run = emulator.holdfast(&copy.credentials, &["plan", "--desired", &encryption_only.path().display().to_string(), "--snapshot", &snapshot]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

// Item 12: a flow log is replaced without a moment unlogged, keeping what was not declared.

#[test]
fn a_flow_log_is_replaced_create_first_keeping_every_undeclared_setting() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "a_flow_log_is_replaced_create_first_keeping_every_undeclared_setting", &[]);
    let account = &copy.account;
    let role = format!("arn:aws:iam::{account}:role/flow-logs");
    let format = "${version} ${srcaddr} ${dstaddr} ${action}";
    emulator.script(
        "poke.py",
        "flow-log",
        account,
        &["copilot-z360-staging", "ACCEPT", "--log-group", "vpc-flow", "--role", &role, "--interval", "60", "--format", format],
    );
    emulator.script(
        "poke.py",
        "flow-log",
        account,
        &["copilot-z360-beta", "ACCEPT", "--s3", &format!("app-z360-{account}"), "--interval", "60", "--format", format],
    );
    let desired = desired_for(
        account,
        &format!(
            "[[vpc.flow_logs]]\nvpc = \"copilot-z360-staging\"\ndestination = \"arn:aws:logs:us-east-1:{account}:log-group:vpc-flow\"\ntraffic = \"ALL\"\n\n\
             [[vpc.flow_logs]]\nvpc = \"copilot-z360-beta\"\ndestination = \"s3://app-z360-{account}\"\ntraffic = \"ALL\"\n"
        ),
    );
    let desired = desired.path().display().to_string();
    let (run, report) = apply_json(&emulator, &copy.credentials, &desired, &["--allow-replace"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(report["summary"]["done"], 2, "{report:#}");
    let facts = emulator.verify_z360(account, &[]);
    // CloudWatch Logs: the new flow log was made before the old one was deleted.
    assert_eq!(
        facts["flow_log_details"]["copilot-z360-staging"],
        serde_json::json!([{ "destination": format!("arn:aws:logs:us-east-1:{account}:log-group:vpc-flow"), "traffic": "ALL", "interval": 60, "format": format, "role": role }])
    );
    // S3, where EC2 keeps one flow log per destination: replaced in place, settings kept.
    assert_eq!(
        facts["flow_log_details"]["copilot-z360-beta"],
        serde_json::json!([{ "destination": format!("arn:aws:s3:::app-z360-{account}"), "traffic": "ALL", "interval": 60, "format": format, "role": null }])
    );
    let run = emulator.holdfast(&copy.credentials, &["plan", "--desired", &desired, "--detailed-exitcode"]);
    assert_eq!(run.code, 0, "converged:\n{}", run.stdout);
}

// Item 13: an undeclared setting keeps its live value.

#[test]
fn an_undeclared_bucket_key_is_kept_when_the_key_changes() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "an_undeclared_bucket_key_is_kept_when_the_key_changes", &[]);
    let account = &copy.account;
    emulator.script("poke.py", "bucket-key", account, &[&format!("app-z360-{account}"), "alias/z360-phi"]);
    emulator.script("poke.py", "create-key", account, &["alias/z360-other"]);
    let desired = desired_for(
        account,
        &format!("[[s3.bucket]]\nname = \"app-z360-{account}\"\nencryption = {{ algorithm = \"aws:kms\", kms_key = \"alias/z360-other\" }}\n"),
    );
    let desired = desired.path().display().to_string();
    let run = emulator.holdfast(&copy.credentials, &["plan", "--desired", &desired]);
    assert!(run.stdout.contains("bucket key on -> aws:kms with alias/z360-other, bucket key on"), "{}", run.stdout);
    let (run, _) = apply_json(&emulator, &copy.credentials, &desired, &[], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(emulator.verify_z360(account, &[])["buckets"]["app-z360"]["bucket_key"], true);
}

// Item 3: interrupting an apply.

/// Starts an apply and returns it once its plan has been printed.
fn start_apply(emulator: &Emulator, copy: &Z360Copy, env: &[(&str, &str)]) -> std::process::Child {
    let mut command = emulator.command(&copy.credentials, &["apply", "--desired", &copy.desired, "--auto-approve", "--concurrency", "1"]);
    command.envs(env.iter().copied()).stdout(Stdio::piped()).stderr(Stdio::piped());
    command.spawn().expect("holdfast starts")
}

fn signal(child: &std::process::Child, name: &str) {
    let status = Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status().expect("kill runs");
    assert!(status.success(), "kill -{name}");
}

#[test]
fn the_first_interrupt_stops_new_changes_reports_and_releases_the_lock() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "the_first_interrupt_stops_new_changes_reports_and_releases_the_lock", &[]);
    let mut child = start_apply(&emulator, &copy, &[]);
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    // The plan is printed just before the first change starts.
    for line in lines.by_ref() {
        if line.expect("a line").starts_with("Plan: ") {
            break;
        }
    }
    signal(&child, "INT");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let output = child.wait_with_output().expect("holdfast ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let report = rest.join("\n");
    assert!(stderr.contains("Interrupted: no new change starts"), "{stderr}");
    assert!(report.contains("  not started ") && report.contains(": the apply was interrupted"), "{report}");
    assert!(report.contains(" not started."), "the summary counts them: {report}");
    assert!(emulator.verify_z360(&copy.account, &[])["lock"].is_null(), "the lock was released");
    // What was not started is done by the next apply.
    let (run, _) = apply_json(&emulator, &copy.credentials, &copy.desired, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn killed_at_any_point_the_next_apply_says_how_to_recover_and_converges_losing_nothing() {
    let emulator = Emulator::from_env();
    // Ten runs, each killed at another moment, from before the lock to after the last change.
    std::thread::scope(|scope| {
        for run in 0..10u64 {
            let emulator = &emulator;
            scope.spawn(move || killed_once(emulator, run, Duration::from_millis(150 + run * 347 % 3000)));
        }
    });
}

fn killed_once(emulator: &Emulator, run: u64, after: Duration) {
    let copy = Z360Copy::seed(emulator, &format!("killed_at_any_point_{run}"), &[]);
    let lease = [("HOLDFAST_LOCK_LEASE_SECONDS", "2")];
    let mut child = start_apply(emulator, &copy, &lease);
    std::thread::sleep(after);
    signal(&child, "KILL");
    let _ = child.wait();
    std::thread::sleep(Duration::from_secs(3));
    // The recovering applies hold a lease long enough for an emulator under the load of
    // ten parallel runs: only the killed one's lease had to be short, so it expires.
    let mut credentials = copy.credentials.clone();
    credentials.push(("HOLDFAST_LOCK_LEASE_SECONDS".into(), "30".into()));
    let first = emulator.holdfast(&credentials, &["apply", "--desired", &copy.desired, "--auto-approve"]);
    let converged = if first.code == 0 {
        first
    } else {
        // The lease of the killed apply expired: the error names the exact command.
        assert!(first.stderr.contains("EXPIRED: its holder stopped renewing it"), "run {run} ({after:?}):\n{}", first.stderr);
        assert!(first.stderr.contains("held by arn:aws:sts::"), "the holder is the AWS identity: {}", first.stderr);
        let command = first.stderr.split("run `holdfast apply ").nth(1).and_then(|rest| rest.split('`').next()).expect("the recovery command");
        let id = command.trim_start_matches("--force-unlock ");
        emulator.holdfast(&credentials, &["apply", "--desired", &copy.desired, "--auto-approve", "--force-unlock", id])
    };
    assert_eq!(converged.code, 0, "run {run} ({after:?}):\n{}\n{}", converged.stdout, converged.stderr);
    let plan = emulator.holdfast(&credentials, &["plan", "--desired", &copy.desired, "--format", "json"]);
    let plan: Value = serde_json::from_str(&plan.stdout).expect("a JSON plan");
    let left = plan["changes"].as_array().expect("changes");
    assert!(left.iter().all(common::needs_a_flag), "run {run}: only what needs a flag is left: {plan:#}");
    let facts = emulator.verify_z360(&copy.account, &[]);
    for (name, parameter) in facts["parameters"].as_object().expect("parameters") {
        assert_eq!(parameter["value_is_the_seeded_one"], true, "run {run}: {name} holds the value the services ran with");
    }
    for service in ["z360-staging-web", "z360-staging-queue", "z360-staging-reverb", "z360-beta-web", "z360-beta-queue", "z360-beta-reverb"] {
        let secrets = &facts["services"][service]["secrets"];
        assert!(secrets["REVERB_APP_KEY"].as_str().is_some_and(|arn| arn.contains("/reverb/app-key")), "run {run}: {service}: {secrets}");
    }
}

// Item 16: whose credentials.

#[test]
fn an_explicit_profile_wins_over_keys_in_the_environment() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "an_explicit_profile_wins_over_keys_in_the_environment", &[]);
    let credentials: std::collections::BTreeMap<&str, &str> = copy.credentials.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect();
    let file = path(&copy.dir, "credentials");
    std::fs::write(
        &file,
        format!(
            "[z360]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
            credentials["AWS_ACCESS_KEY_ID"], credentials["AWS_SECRET_ACCESS_KEY"], credentials["AWS_SESSION_TOKEN"]
        ),
    )
    .expect("a credentials file");
    let desired = desired_for(&copy.account, "");
    let desired = desired.path().display().to_string();
    // Keys of another account in the environment, the account's own in the profile.
    let other = vec![("AWS_ACCESS_KEY_ID".to_owned(), "AKIAOTHERACCOUNT0000".to_owned()), ("AWS_SECRET_ACCESS_KEY".to_owned(), "other".to_owned())];
    let mut command = emulator.command(&other, &["plan", "--desired", &desired, "--profile", "z360"]);
    command.env("AWS_SHARED_CREDENTIALS_FILE", &file);
    let run = common::run(command);
    assert_eq!(run.code, 0, "the profile's account was read, not the environment's:\n{}", run.stderr);

    let mut command = emulator.command(&other, &["plan", "--desired", &desired, "--profile", "nope"]);
    command.env("AWS_SHARED_CREDENTIALS_FILE", &file);
    let run = common::run(command);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("the credentials of profile `nope` could not be loaded"), "{}", run.stderr);
    assert!(!run.stderr.contains("check the network"), "{}", run.stderr);

    let mut command = emulator.command(&Vec::new(), &["plan", "--desired", &desired]);
    command.env_remove("AWS_ACCESS_KEY_ID").env_remove("AWS_SECRET_ACCESS_KEY").env_remove("AWS_SESSION_TOKEN");
    let run = common::run(command);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no AWS credentials were found"), "{}", run.stderr);
}

// Item 2: a lock broken under a running apply stops it, and it never removes the new
// holder's lock. The apply waits at its question while a newer apply takes the lock over.

#[test]
fn an_apply_whose_lock_is_taken_over_stops_and_leaves_the_new_holders_lock_alone() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "an_apply_whose_lock_is_taken_over_stops_and_leaves_the_new_holders_lock_alone", &[]);
    let poke = format!(
        "{} {} hold-lock --endpoint {} --account {} 'bob@elsewhere (pid 9)' --lock-id b0b0000000000000 --take-over",
        std::env::var("HOLDFAST_TEST_PYTHON").expect("HOLDFAST_TEST_PYTHON"),
        common::repo_root().join("scripts/emulator/poke.py").display(),
        emulator.endpoint,
        copy.account
    );
    let result = at_the_prompt(&emulator, &copy, &["--meanwhile", &poke], &[("HOLDFAST_LOCK_LEASE_SECONDS", "3")]);
    let shown = result["output"].as_str().unwrap_or_default();
    assert_eq!(result["code"], 1, "{shown}");
    assert!(shown.contains("Apply cancelled; nothing was changed."), "the lost lock stopped it: {shown}");
    assert!(shown.contains("The lock was broken during this apply and is now another's; it was left alone: lock b0b0000000000000"), "{shown}");
    let facts = emulator.verify_z360(&copy.account, &[]);
    assert!(facts["lock"].as_str().is_some_and(|lock| lock.contains("b0b0000000000000")), "the newer holder keeps its lock: {}", facts["lock"]);
    assert_eq!(facts["services"]["z360-staging-web"]["task_definition"], "z360-staging-web:156", "nothing was applied");
}

/// Runs an interactive apply on a terminal until it asks to confirm, then does `then`
/// (Ctrl-C by default, or `--meanwhile COMMAND`); what it showed and its exit code.
fn at_the_prompt(emulator: &Emulator, copy: &Z360Copy, then: &[&str], env: &[(&str, &str)]) -> Value {
    let holdfast = env!("CARGO_BIN_EXE_holdfast");
    let python = std::env::var("HOLDFAST_TEST_PYTHON").expect("HOLDFAST_TEST_PYTHON");
    let script = common::repo_root().join("scripts/emulator/at_the_prompt.py");
    let command = emulator.command(&copy.credentials, &[]);
    let mut run = Command::new(python);
    run.arg(script).arg("Only `yes` is accepted").args(then).args(["--", holdfast, "apply", "--desired", &copy.desired]);
    run.envs(command.get_envs().filter_map(|(key, value)| Some((key.to_owned(), value?.to_owned()))));
    run.envs(env.iter().copied());
    let output = run.output().expect("the terminal runs");
    let result: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(result["interrupted"], true, "the question was asked: {}", result["output"]);
    result
}

#[test]
fn ctrl_c_at_the_question_cancels_and_releases_the_lock() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "ctrl_c_at_the_question_cancels_and_releases_the_lock", &[]);
    let result = at_the_prompt(&emulator, &copy, &[], &[]);
    assert_eq!(result["code"], 1, "{}", result["output"]);
    assert!(result["output"].as_str().is_some_and(|shown| shown.contains("Apply cancelled; nothing was changed.")), "{}", result["output"]);
    let facts = emulator.verify_z360(&copy.account, &[]);
    assert!(facts["lock"].is_null(), "the lock was released");
    assert_eq!(facts["services"]["z360-staging-web"]["task_definition"], "z360-staging-web:156", "nothing was applied");
}

// Found by trying to break the fixes above.

#[test]
fn a_service_reading_one_parameter_is_not_repointed_to_another_holding_another_value() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "a_service_reading_one_parameter_is_not_repointed_to_another_holding_another_value", &[]);
    let (run, _) = apply_json(&emulator, &copy.credentials, &copy.desired, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    emulator.script("poke.py", "put-parameter", &copy.account, &["/z360/staging/reverb/app-key-v2", "--value", "CANARY-rotated-7731"]);
    // The staging app key now comes from a parameter that holds another value; the old one
    // is declared for existence only.
    edit_desired(&copy, |text| {
        text.replace("REVERB_APP_KEY = \"/z360/staging/reverb/app-key\"", "REVERB_APP_KEY = \"/z360/staging/reverb/app-key-v2\"").replacen(
            "value = { migrate_from_task_env = \"REVERB_APP_KEY\" }\n",
            "",
            1,
        )
    });
    let (run, report) = apply_json(&emulator, &copy.credentials, &copy.desired, &[], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let web = *outcome(&report, "z360-staging-web-Service").first().unwrap_or_else(|| panic!("{}\n{}", run.stdout, run.stderr));
    assert!(
        web["error"]
            .as_str()
            .is_some_and(|error| error.contains("/z360/staging/reverb/app-key-v2 holds a different value from the REVERB_APP_KEY that container web")),
        "{web:#}"
    );
    assert!(!run.all_output().contains("CANARY-rotated-7731"), "the value is never shown");
    assert_eq!(
        emulator.verify_z360(&copy.account, &[])["services"]["z360-staging-web"]["task_definition"],
        "z360-staging-web:157",
        "left on the revision it ran"
    );
}

#[test]
fn a_key_pending_deletion_is_a_plan_error() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "a_key_pending_deletion_is_a_plan_error", &[]);
    emulator.script("poke.py", "create-key", &copy.account, &["alias/doomed"]);
    emulator.script("poke.py", "doom-key", &copy.account, &["alias/doomed"]);
    let desired = desired_for(
        &copy.account,
        &format!("[[s3.bucket]]\nname = \"app-z360-{}\"\nencryption = {{ algorithm = \"aws:kms\", kms_key = \"alias/doomed\" }}\n", copy.account),
    );
    let desired = desired.path().display().to_string();
    let (run, _) = apply_json(&emulator, &copy.credentials, &desired, &[], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("names the KMS key `alias/doomed`") && run.stdout.contains("which is PendingDeletion"), "{}", run.stdout);
    assert_eq!(emulator.verify_z360(&copy.account, &[])["buckets"]["app-z360"]["algorithm"], "AES256", "nothing was applied");
}
