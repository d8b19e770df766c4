//! The Aurora encryption migration against the moto emulator: seeded by boto3, and every
//! step checked by boto3 (`scripts/emulator/aurora.py`), never by holdfast's reader.
//!
//! moto leaves a direct restore under a key unencrypted (AWS encrypts it), so the whole
//! chain runs here with `migration = "copy"`; the direct restore's request is tested with
//! recorded responses in `crates/aws/src/aurora.rs`, and its refusal of an unencrypted
//! result below.

mod common;

use common::emulator::{Credentials, Denying, Emulator, Z360Copy, account_for, apply_json, desired_for, outcome};
use holdfast_desired::aurora::{copy_name, snapshot_name};
use serde_json::Value;

const STAGING: &str = "z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v";

fn state(emulator: &Emulator, account: &str) -> Value {
    serde_json::from_str(&emulator.script("aurora.py", "state", account, &[])).expect("aurora.py prints JSON")
}

/// The source as boto3 sees it, less what the desired state changes in place (its
/// capacity): everything a migration must leave alone.
fn untouchable(state: &Value, cluster: &str) -> Value {
    let mut facts = state["clusters"][cluster].clone();
    facts.as_object_mut().expect("a cluster").remove("ServerlessV2ScalingConfiguration");
    let instances: Vec<&Value> = state["instances"].as_object().expect("instances").values().filter(|instance| instance["cluster"] == cluster).collect();
    serde_json::json!({ "cluster": facts, "instances": instances })
}

fn steps_in(report: &Value) -> Vec<(String, String)> {
    report["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|change| {
            let address = change["address"].as_str()?;
            let (_, step) = address.rsplit_once("/encryption/")?;
            Some((step.to_owned(), change["outcome"].as_str().unwrap_or_default().to_owned()))
        })
        .collect()
}

#[test]
fn apply_migrates_every_cluster_of_the_z360_account_and_boto3_sees_each_step() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "apply_migrates_every_cluster_of_the_z360_account_and_boto3_sees_each_step", &[]);
    let (account, credentials) = (&copy.account, &copy.credentials);
    let file = copy.dir.path().join("z360.toml");
    let text = std::fs::read_to_string(&file).expect("the desired state");
    std::fs::write(&file, text.replace("storage_encrypted = true\n", "storage_encrypted = true\nmigration = \"copy\"\n")).expect("write");
    let before = state(&emulator, account);
    let sources: Vec<String> = before["clusters"].as_object().expect("clusters").keys().cloned().collect();
    assert_eq!(sources.len(), 4);

    let runbook = emulator.holdfast(credentials, &["runbook", &format!("aurora.cluster/{STAGING}"), "--desired", &copy.desired]);
    assert_eq!(runbook.code, 0, "{}", runbook.stderr);
    assert!(runbook.stdout.contains(&format!("| 1 | snapshot | manual snapshot `{}` of `{STAGING}` | to do |", snapshot_name(STAGING))), "{}", runbook.stdout);

    let (run, report) = apply_json(&emulator, credentials, &copy.desired, &["--allow-replace"], &[]);
    assert_eq!(run.code, 0, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    for step in ["snapshot", "copy", "restore", "instances"] {
        let done: Vec<&Value> = outcome(&report, &format!("/encryption/{step}")).into_iter().filter(|change| change["outcome"] == "done").collect();
        assert_eq!(done.len(), 4, "{step}: {report:#}");
    }

    let after = state(&emulator, account);
    let desired_max = [(STAGING, 4.0), ("z360-agent-layer-staging-addons-9pl4w2-agentdb-3ft6yq", 2.0)];
    for source in &sources {
        assert_eq!(untouchable(&after, source), untouchable(&before, source), "{source} is as it was");
        let snapshot = &after["snapshots"][snapshot_name(source)];
        assert_eq!(
            (snapshot["cluster"].as_str(), &snapshot["tags"]["holdfast:encrypts"]),
            (Some(source.as_str()), &Value::from(source.as_str())),
            "{snapshot:#}"
        );
        let copied = &after["snapshots"][copy_name(source)];
        assert_eq!(copied["encrypted"], true, "{copied:#}");
        let new = &after["clusters"][format!("{source}-enc")];
        let old = &before["clusters"][source];
        assert_eq!(new["StorageEncrypted"], true, "{new:#}");
        assert_eq!(new["Tags"]["holdfast:encrypts"], source.as_str());
        assert_eq!(new["Tags"]["team"], "z360", "the source's tags are carried over");
        for field in [
            "Engine",
            "EngineVersion",
            "DBSubnetGroup",
            "VpcSecurityGroups",
            "Port",
            "BackupRetentionPeriod",
            "DeletionProtection",
            "EnabledCloudwatchLogsExports",
            "CopyTagsToSnapshot",
            "IAMDatabaseAuthenticationEnabled",
        ] {
            assert_eq!(new[field], old[field], "{field} of {source}-enc");
        }
        let max = desired_max.iter().find(|(cluster, _)| cluster == source).map_or(8.0, |(_, max)| *max);
        assert_eq!(new["ServerlessV2ScalingConfiguration"]["MaxCapacity"], max, "scaling as desired");
        let instances: Vec<&Value> =
            after["instances"].as_object().expect("instances").values().filter(|instance| instance["cluster"] == format!("{source}-enc").as_str()).collect();
        assert_eq!(instances.len(), 1, "{source}: {instances:#?}");
        assert_eq!((&instances[0]["class"], &instances[0]["tier"]), (&Value::from("db.serverless"), &Value::from(1)));
    }

    // A second plan: the migration is made; the cutover is for a person.
    let plan = emulator.holdfast(credentials, &["plan", "--desired", &copy.desired, "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let plan: Value = serde_json::from_str(&plan.stdout).expect("a JSON plan");
    let aurora: Vec<&Value> = plan["changes"].as_array().expect("changes").iter().filter(|change| change["kind"] == "aurora.cluster").collect();
    assert_eq!(aurora.len(), 4, "{aurora:#?}");
    for change in aurora {
        assert!(change["address"].as_str().is_some_and(|address| address.ends_with("/encryption/cutover")), "{change:#}");
        assert_eq!(change["action"], "manual");
        assert!(change["attributes"][0]["after"].as_str().is_some_and(|endpoint| endpoint.contains("-enc.cluster-")), "the new endpoint: {change:#}");
        assert!(
            change["notes"].as_array().is_some_and(|notes| notes.iter().any(|note| note.as_str().is_some_and(|note| note.contains("DB_HOST")))),
            "{change:#}"
        );
    }
    let runbook = emulator.holdfast(credentials, &["runbook", &format!("aurora.cluster/{STAGING}"), "--desired", &copy.desired]);
    assert!(runbook.stdout.contains("| 4 | instances |") && runbook.stdout.contains("done (1 instance available)"), "{}", runbook.stdout);
    assert!(runbook.stdout.contains("DB_HOST of container"), "what holds the old endpoint is listed:\n{}", runbook.stdout);
}

/// An apply through a proxy that refuses `deny`, as AWS refuses a missing permission.
fn apply_denying(emulator: &Emulator, credentials: &Credentials, desired: &str, deny: Option<&str>) -> Value {
    let denying = Denying::start(emulator, &deny.into_iter().collect::<Vec<_>>());
    let (run, report) = apply_json(emulator, credentials, desired, &["--allow-replace", "--endpoint-url", &denying.proxy.url()], &[]);
    assert_eq!(run.code, if deny.is_some() { 1 } else { 0 }, "{}\n{}", run.stdout, run.stderr);
    report
}

#[test]
fn each_interrupted_step_continues_on_the_next_apply_and_nothing_is_made_twice() {
    let emulator = Emulator::from_env();
    let account = account_for("each_interrupted_step_continues_on_the_next_apply_and_nothing_is_made_twice");
    let credentials = emulator.seed("z360", &account, &["--bucket-suffix", &format!("-{account}")]);
    let desired = desired_for(&account, "[[aurora.cluster]]\nmatch = \"z360-staging-*\"\nstorage_encrypted = true\nmigration = \"copy\"\n");
    let desired = desired.path().display().to_string();
    let before = state(&emulator, &account);

    // Each run fails at the next step; the steps before it were done by the runs before,
    // and are not in the plan again.
    let runs = [
        (Some("rds:CreateDBClusterSnapshot"), vec![("snapshot", "failed"), ("copy", "skipped"), ("restore", "skipped"), ("instances", "skipped")]),
        (Some("rds:CopyDBClusterSnapshot"), vec![("snapshot", "done"), ("copy", "failed"), ("restore", "skipped"), ("instances", "skipped")]),
        (Some("rds:RestoreDBClusterFromSnapshot"), vec![("copy", "done"), ("restore", "failed"), ("instances", "skipped")]),
        (Some("rds:CreateDBInstance"), vec![("restore", "done"), ("instances", "failed")]),
        (None, vec![("instances", "done")]),
    ];
    for (deny, expected) in runs {
        let report = apply_denying(&emulator, &credentials, &desired, deny);
        let mut steps = steps_in(&report);
        steps.retain(|(step, _)| step != "cutover");
        let expected: Vec<(String, String)> = expected.iter().map(|(step, outcome)| ((*step).to_owned(), (*outcome).to_owned())).collect();
        assert_eq!(steps, expected, "denying {deny:?}: {report:#}");
        let after = state(&emulator, &account);
        assert_eq!(untouchable(&after, STAGING), untouchable(&before, STAGING), "the source is as it was after denying {deny:?}");
    }

    let after = state(&emulator, &account);
    let made_for =
        |kind: &str| -> usize { after[kind].as_object().expect(kind).iter().filter(|(_, facts)| facts["tags"]["holdfast:encrypts"] == STAGING).count() };
    assert_eq!(made_for("snapshots"), 2, "one snapshot and one copy: {:#}", after["snapshots"]);
    let new_clusters: Vec<&String> = after["clusters"].as_object().expect("clusters").keys().filter(|name| name.starts_with(&format!("{STAGING}-"))).collect();
    assert_eq!(new_clusters, [&format!("{STAGING}-enc")]);
    assert_eq!(made_for("instances"), 1, "{:#}", after["instances"]);
    assert_eq!(after["clusters"][format!("{STAGING}-enc")]["StorageEncrypted"], true);

    // Converged: a further apply makes nothing.
    let report = apply_denying(&emulator, &credentials, &desired, None);
    assert_eq!(steps_in(&report), [("cutover".to_owned(), "skipped".to_owned())], "{report:#}");
}

#[test]
fn a_direct_restore_that_comes_back_unencrypted_is_refused_and_reported() {
    let emulator = Emulator::from_env();
    let account = account_for("a_direct_restore_that_comes_back_unencrypted_is_refused_and_reported");
    let credentials = emulator.seed("z360", &account, &["--bucket-suffix", &format!("-{account}")]);
    let desired = desired_for(&account, "[[aurora.cluster]]\nmatch = \"z360-staging-*\"\nstorage_encrypted = true\n");
    let desired = desired.path().display().to_string();
    let before = state(&emulator, &account);
    let (run, report) = apply_json(&emulator, &credentials, &desired, &["--allow-replace"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let restore = outcome(&report, "/encryption/restore")[0];
    assert_eq!(restore["outcome"], "failed");
    assert!(restore["error"].as_str().is_some_and(|error| error.contains("unencrypted, though the restore named alias/aws/rds")), "{restore:#}");
    assert_eq!(outcome(&report, "/encryption/instances")[0]["outcome"], "skipped", "no instance on an unencrypted cluster");
    let after = state(&emulator, &account);
    assert!(after["instances"].as_object().expect("instances").values().all(|instance| instance["cluster"] != format!("{STAGING}-enc").as_str()));
    assert_eq!(untouchable(&after, STAGING), untouchable(&before, STAGING));
    let plan = emulator.holdfast(&credentials, &["plan", "--desired", &desired]);
    assert_eq!(plan.code, 1);
    assert!(plan.stdout.contains("was restored unencrypted, not under `alias/aws/rds`: holdfast deletes nothing it made"), "{}", plan.stdout);
}

#[test]
fn a_name_taken_by_an_unrelated_cluster_or_a_missing_key_stops_everything_before_anything_is_made() {
    let emulator = Emulator::from_env();
    let account = account_for("a_name_taken_by_an_unrelated_cluster_or_a_missing_key_stops_everything_before_anything_is_made");
    let credentials = emulator.seed("z360", &account, &["--bucket-suffix", &format!("-{account}")]);
    let nothing_made = |emulator: &Emulator| {
        let now = state(emulator, &account);
        assert_eq!(now["snapshots"], serde_json::json!({}), "no snapshot was taken");
    };

    emulator.script("aurora.py", "unrelated-cluster", &account, &[&format!("{STAGING}-enc")]);
    let desired = desired_for(&account, "[[aurora.cluster]]\nmatch = \"z360-staging-*\"\nstorage_encrypted = true\nmigration = \"copy\"\n");
    let desired = desired.path().display().to_string();
    let (run, _) = apply_json(&emulator, &credentials, &desired, &["--allow-replace"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("the plan has errors, so nothing was applied"), "{}", run.stderr);
    assert!(
        run.stderr.contains("exists that this migration did not make") || run.stdout.contains("exists that this migration did not make"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    nothing_made(&emulator);

    // A key that does not exist: the plan says so, and nothing is made.
    let desired = desired_for(&account, "[[aurora.cluster]]\nmatch = \"z360-beta-*\"\nstorage_encrypted = true\nkms_key = \"alias/z360-missing\"\n");
    let desired = desired.path().display().to_string();
    let (run, _) = apply_json(&emulator, &credentials, &desired, &["--allow-replace"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("names the KMS key `alias/z360-missing`, which does not exist"), "{}", run.stdout);
    nothing_made(&emulator);

    // A key the reader cannot see (another account's): the plan can only warn, and the
    // first step looks it up before acting; it does not exist, so the chain stops there.
    let foreign = "arn:aws:kms:us-east-1:999999999999:key/0b7e5a1c-0000-4000-8000-000000000000";
    let desired = desired_for(&account, &format!("[[aurora.cluster]]\nmatch = \"z360-beta-*\"\nstorage_encrypted = true\nkms_key = \"{foreign}\"\n"));
    let desired = desired.path().display().to_string();
    let (run, report) = apply_json(&emulator, &credentials, &desired, &["--allow-replace"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let snapshot = outcome(&report, "/encryption/snapshot");
    assert_eq!(snapshot[0]["outcome"], "failed", "{report:#}");
    assert!(
        snapshot[0]["error"].as_str().is_some_and(|error| error.contains("kms:DescribeKey") && error.contains("stopped before this step")),
        "{:#}",
        snapshot[0]
    );
    assert_eq!(outcome(&report, "/encryption/restore")[0]["outcome"], "skipped");
    nothing_made(&emulator);
}
