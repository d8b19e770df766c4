//! `holdfast import` of live accounts seeded by boto3 into moto: every seeded scenario
//! imports to a folder whose plan against the account shows no change, and a change
//! boto3 then makes is exactly the one change the plan shows.

mod common;

use common::emulator::{Credentials, Emulator, Z360Copy, account_for, apply_json, path};

/// Imports the account into `dir/imported` and plans that folder: the plan's JSON.
fn import_and_plan(emulator: &Emulator, credentials: &Credentials, dir: &tempfile::TempDir, extra: &[&str]) -> (String, serde_json::Value) {
    let out = path(dir, "imported").display().to_string();
    let mut args = vec!["import", "--out", out.as_str(), "--force"];
    args.extend_from_slice(extra);
    let run = emulator.holdfast(credentials, &args);
    assert_eq!(run.code, 0, "import failed:\n{}", run.stderr);
    assert!(run.stderr.contains("Checked: planning these files against what was read shows no change."), "{}", run.stderr);
    (out.clone(), plan(emulator, credentials, &out, 0))
}

/// `holdfast plan --detailed-exitcode --format json`, expecting `code`.
fn plan(emulator: &Emulator, credentials: &Credentials, desired: &str, code: i32) -> serde_json::Value {
    let run = emulator.holdfast(credentials, &["plan", "--desired", desired, "--detailed-exitcode", "--format", "json", "--no-cost"]);
    assert_eq!(run.code, code, "plan exit code\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    serde_json::from_str(&run.stdout).expect("plan JSON")
}

fn addresses(plan: &serde_json::Value) -> Vec<String> {
    plan["changes"].as_array().expect("changes").iter().map(|change| change["address"].as_str().unwrap_or_default().to_owned()).collect()
}

fn file(dir: &str, name: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(dir).join(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}

#[test]
fn the_seeded_z360_account_imports_to_no_change_and_one_boto3_change_is_the_one_planned() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "import-z360", &["--canary", "CANARY-import-3318"]);
    let (imported, planned) = import_and_plan(&emulator, &copy.credentials, &copy.dir, &[]);
    assert_eq!(addresses(&planned), Vec::<String>::new());
    let everything: String = ["account", "ecs", "aurora", "s3", "kms", "elb"].iter().map(|name| file(&imported, &format!("{name}.toml"))).collect();
    assert!(everything.contains(&format!("id = \"{}\"", copy.account)), "{everything}");
    assert!(!everything.contains("CANARY-import-3318"), "a secret value was written:\n{everything}");
    assert!(everything.contains("# [[ecs.task_secrets]]"), "plaintext secrets are suggested:\n{everything}");
    // boto3 changes one cluster's maximum: the plan of the imported folder shows that alone.
    let cluster = "z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v";
    emulator.script("poke.py", "set-max-acu", &copy.account, &[cluster, "16"]);
    let drifted = plan(&emulator, &copy.credentials, &imported, 2);
    assert_eq!(addresses(&drifted), [format!("aurora.cluster/{cluster}")]);
}

#[test]
fn logging_the_console_set_up_and_lifecycle_settings_the_desired_state_cannot_declare_import_to_no_change() {
    let emulator = Emulator::from_env();
    let account = account_for("import-console-logging");
    let credentials = emulator.seed("empty", &account, &[]);
    let suffix = format!("-{account}");
    emulator.script("import_fixtures.py", "console-logging", &account, &["--suffix", &suffix]);
    emulator.script("import_fixtures.py", "unmodelled-lifecycle", &account, &["--suffix", &suffix]);
    let dir = tempfile::tempdir().expect("a folder");
    let (imported, planned) = import_and_plan(&emulator, &credentials, &dir, &[]);
    assert_eq!(addresses(&planned), Vec::<String>::new());
    let s3 = file(&imported, "s3.toml");
    assert!(s3.contains("# review: the lifecycle rules of versioned") && s3.contains("NoncurrentVersionTransitions"), "{s3}");
    // Without S3, where the trail, Config and the flow logs deliver is still known.
    let only = tempfile::tempdir().expect("a folder");
    let (_, planned) = import_and_plan(&emulator, &credentials, &only, &["--kinds", "vpc,cloudtrail,config"]);
    assert_eq!(addresses(&planned), Vec::<String>::new());
    // A plan that changes the bucket's modelled rules leaves the others' settings alone.
    let bucket = format!("versioned{suffix}");
    let changed = tempfile::tempdir().expect("a folder");
    std::fs::copy(path(&dir, "imported/account.toml"), changed.path().join("account.toml")).expect("copy");
    std::fs::write(
        changed.path().join("versions.toml"),
        format!("[[s3.bucket]]\nname = \"{bucket}\"\nlifecycle = [{{ id = \"versions\", noncurrent_expiration_days = 120 }}]\n"),
    )
    .expect("write");
    let desired = changed.path().display().to_string();
    let (run, _) = apply_json(&emulator, &credentials, &desired, &[], &[]);
    assert!(
        run.stderr.contains("leaves the lifecycle configuration as it is") || run.stdout.contains("leaves the lifecycle configuration as it is"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    let rules = emulator.script("import_fixtures.py", "lifecycle", &account, &["--name", &bucket]);
    assert!(rules.contains("NoncurrentVersionTransitions") && rules.contains("\"NoncurrentDays\": 30"), "boto3 finds the rule as it was: {rules}");
}

#[test]
fn when_the_keys_cannot_be_read_the_kinds_that_need_them_are_left_out_and_the_rest_written() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "import-denied-keys", &[]);
    // One bucket under the account's key: its entry names the key, which nothing can check now.
    let bucket = format!("livkit-recordings-{}", copy.account);
    emulator.script("poke.py", "bucket-key", &copy.account, &[&bucket, "alias/z360-phi"]);
    let denying = common::emulator::Denying::start(&emulator, &["kms:ListAliases"]);
    let out = path(&copy.dir, "partial").display().to_string();
    let run = emulator.holdfast(&copy.credentials, &["import", "--out", &out, "--endpoint-url", &denying.proxy.url()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("not imported, as reading failed (the other kinds were written)"), "{}", run.stderr);
    assert!(run.stderr.contains("s3: it refers to kms, which could not be read"), "{}", run.stderr);
    let mut written: Vec<String> =
        std::fs::read_dir(&out).expect("the folder").map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    written.sort();
    assert!(written.contains(&"ecs.toml".to_owned()) && written.contains(&"aurora.toml".to_owned()), "{written:?}");
    assert!(!written.contains(&"s3.toml".to_owned()) && !written.contains(&"kms.toml".to_owned()), "{written:?}");
    // What was written plans no change, read with every permission.
    plan(&emulator, &copy.credentials, &out, 0);
}

#[test]
fn a_cluster_made_after_the_import_is_not_governed_by_it() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "import-reach", &[]);
    let (imported, _) = import_and_plan(&emulator, &copy.credentials, &copy.dir, &[]);
    emulator.script("import_fixtures.py", "cluster", &copy.account, &["--name", "z360-prod-db", "--min", "2", "--max", "64"]);
    let planned = plan(&emulator, &copy.credentials, &imported, 0);
    assert_eq!(addresses(&planned), Vec::<String>::new());
}

#[test]
fn the_z360_account_after_its_apply_imports_to_no_change_with_staging_on_spot() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "import-z360-applied", &[]);
    // The encryption migration ends in a cutover a person makes: left out here.
    let desired_file = path(&copy.dir, "z360.toml");
    let text = std::fs::read_to_string(&desired_file).expect("the desired state").replace("storage_encrypted = true\n", "");
    std::fs::write(&desired_file, text).expect("rewrite the desired state");
    let (run, _) = apply_json(&emulator, &copy.credentials, &copy.desired, &["--allow-delete"], &[]);
    assert_eq!(run.code, 0, "apply failed:\n{}", run.stderr);
    let (imported, planned) = import_and_plan(&emulator, &copy.credentials, &copy.dir, &[]);
    assert_eq!(addresses(&planned), Vec::<String>::new());
    let ecs = file(&imported, "ecs.toml");
    assert!(
        ecs.contains("# 3 services on Fargate Spot: queue-Service, reverb-Service, web-Service\n[[ecs.service]]\ncluster = \"z360-staging-Cluster-*\"\nservice = \"z360-staging-*\"\nstrategy = \"spot\""),
        "{ecs}"
    );
    assert!(ecs.contains("service = \"z360-beta-{reverb,web}-Service-*\"\nstrategy = \"on-demand\""), "{ecs}");
    // The secrets apply moved are declared, from the parameters apply made.
    assert!(ecs.contains("\n[[ecs.task_secrets]]\n"), "{ecs}");
    let ssm = file(&imported, "ssm.toml");
    assert!(ssm.contains("name = \"/z360/staging/reverb/app-key\"\ntype = \"SecureString\""), "{ssm}");
    assert!(!ssm.lines().any(|line| line.starts_with("value")), "SecureStrings are existence-only:\n{ssm}");
    for kind in ["vpc", "cloudtrail", "guardduty", "securityhub", "config"] {
        assert!(file(&imported, &format!("{kind}.toml")).contains(&format!("[{kind}")), "{kind}.toml declares what apply made");
    }
}

#[test]
fn a_bulk_account_and_a_shared_flow_log_group_import_to_no_change() {
    let emulator = Emulator::from_env();
    for (scenario, extra) in [("bulk", vec!["--services", "40", "--parameters", "30"]), ("shared-flow-logs", vec![])] {
        let account = account_for(&format!("import-{scenario}"));
        let credentials = emulator.seed(scenario, &account, &extra);
        let dir = tempfile::tempdir().expect("a folder");
        let (_, planned) = import_and_plan(&emulator, &credentials, &dir, &[]);
        assert_eq!(addresses(&planned), Vec::<String>::new(), "{scenario}");
    }
}

#[test]
fn a_snapshot_read_for_import_imports_as_the_live_account_does_and_a_scoped_one_is_refused() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "import-snapshot", &[]);
    let snapshot = path(&copy.dir, "whole.json").display().to_string();
    let run = emulator.holdfast(&copy.credentials, &["snapshot", "--desired", &copy.desired, "--import", "--out", &snapshot]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let offline = emulator.holdfast(&copy.credentials, &["import", "--snapshot", &snapshot, "--stdout"]);
    let live = emulator.holdfast(&copy.credentials, &["import", "--stdout"]);
    assert_eq!((offline.code, live.code), (0, 0), "{}\n{}", offline.stderr, live.stderr);
    let without_header = |text: &str| text.lines().skip(2).collect::<Vec<_>>().join("\n");
    assert_eq!(without_header(&offline.stdout), without_header(&live.stdout));
    // A snapshot of what one desired state selects did not read the rest of the account.
    let scoped = path(&copy.dir, "scoped.json").display().to_string();
    let run = emulator.holdfast(&copy.credentials, &["snapshot", "--desired", &copy.desired, "--out", &scoped]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let refused = emulator.holdfast(&copy.credentials, &["import", "--snapshot", &scoped, "--stdout"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("did not read the whole account") && refused.stderr.contains("holdfast snapshot --import"), "{}", refused.stderr);
}

#[test]
fn every_call_an_import_makes_is_a_read_the_import_policy_allows() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "import-policy", &[]);
    let calls = path(&copy.dir, "calls.jsonl");
    let mut command = emulator.command(&copy.credentials, &["import", "--stdout"]);
    command.env("HOLDFAST_RECORD_CALLS", &calls);
    let run = common::run(command);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let recorded: Vec<(String, String)> = std::fs::read_to_string(&calls)
        .expect("the calls were recorded")
        .lines()
        .map(|line| {
            let call: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            (call["service"].as_str().expect("service").to_owned(), call["operation"].as_str().expect("operation").to_owned())
        })
        .collect();
    assert!(recorded.len() > 20, "{recorded:?}");
    // No desired state yet: the policy of an import needs none.
    let policy = emulator.holdfast(&copy.credentials, &["iam-policy", "--read-only", "--import", "--no-cost", "--desired", "/nonexistent"]);
    assert_eq!(policy.code, 0, "{}", policy.stderr);
    let policy: serde_json::Value = serde_json::from_str(&policy.stdout).expect("a JSON policy");
    let allowed = holdfast_aws::permissions::allowed_actions(&policy);
    for (service, operation) in &recorded {
        assert!(["Describe", "List", "Get", "Head"].iter().any(|prefix| operation.starts_with(prefix)), "{service}:{operation} is not a read");
        let action = holdfast_aws::permissions::iam_action(service, operation);
        assert!(allowed.contains(&action), "{action} was called but `iam-policy --read-only --import` does not allow it");
    }
    assert!(!allowed.iter().any(|action| action.starts_with("iam:")), "the import reads nothing of IAM: {allowed:?}");
}

#[test]
fn kinds_limit_what_is_read_and_written() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "import-kinds", &[]);
    let out = path(&copy.dir, "only").display().to_string();
    let run = emulator.holdfast(&copy.credentials, &["import", "--kinds", "aurora,s3", "--out", &out]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut written: Vec<String> =
        std::fs::read_dir(&out).expect("the folder").map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    written.sort();
    assert_eq!(written, ["account.toml", "aurora.toml", "s3.toml"]);
    assert!(!run.stderr.contains("ecs") && !run.stderr.contains("ssm"), "only RDS and S3 are called:\n{}", run.stderr);
}
