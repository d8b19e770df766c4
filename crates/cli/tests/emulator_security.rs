//! The security kinds against the moto emulator: seeded and checked with boto3
//! (`scripts/emulator/security_fixtures.py`), never with holdfast's own reader.

mod common;

use common::emulator::{Credentials, Emulator, account_for, apply_json, desired_for, outcome, path};

struct Account {
    id: String,
    credentials: Credentials,
}

impl Account {
    fn new(emulator: &Emulator, test: &str) -> Account {
        let id = account_for(test);
        let credentials = emulator.seed("empty", &id, &[]);
        Account { id, credentials }
    }

    fn fixture(&self, emulator: &Emulator, what: &str, extra: &[&str]) -> String {
        emulator.script("security_fixtures.py", what, &self.id, extra)
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

#[test]
fn a_protected_load_balancer_is_never_deleted_until_the_entry_turns_protection_off() {
    let emulator = Emulator::from_env();
    let account = Account::new(&emulator, "a_protected_load_balancer_is_never_deleted_until_the_entry_turns_protection_off");
    account.fixture(&emulator, "alb", &["--name", "Orphan", "--protected", "--targets", "2"]);
    let absent = "[[elb.load_balancer]]\nname = \"Orphan\"\nensure = \"absent\"\n";
    let dir = desired_for(&account.id, absent);
    let desired = dir.path().display().to_string();

    let plan = emulator.holdfast(&account.credentials, &["plan", "--desired", &desired]);
    assert!(plan.stdout.contains("deletion protection is on for Orphan"), "{}", plan.stdout);
    assert!(plan.stdout.contains("2 targets are still registered"), "{}", plan.stdout);
    let (run, report) = apply_json(&emulator, &account.credentials, &desired, &["--allow-delete"], &[]);
    assert_eq!(outcome(&report, "elb.load_balancer/Orphan")[0]["outcome"], "skipped", "{}", run.stdout);
    assert_eq!(json(&account.fixture(&emulator, "load-balancers", &[])), serde_json::json!(["Orphan"]), "moto would have deleted it: holdfast did not ask");

    // Saying deletion_protection = false turns it off in the deletion itself, which needs
    // --allow-delete: without it, it stays protected.
    std::fs::write(path(&dir, "main.toml"), format!("[account]\nid = \"{}\"\nregion = \"us-east-1\"\n\n{absent}deletion_protection = false\n", account.id))
        .expect("rewrite the desired state");
    let (run, report) = apply_json(&emulator, &account.credentials, &desired, &[], &[]);
    assert_eq!(outcome(&report, "elb.load_balancer/Orphan")[0]["reason"], "a deletion needs --allow-delete", "{}", run.stdout);
    assert_eq!(json(&account.fixture(&emulator, "protection", &["--name", "Orphan"]))["protected"], true, "still protected");
    let (run, _) = apply_json(&emulator, &account.credentials, &desired, &["--allow-delete"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json(&account.fixture(&emulator, "load-balancers", &[])), serde_json::json!([]));
}

#[test]
fn protection_turned_on_after_the_plan_stops_the_deletion() {
    let emulator = Emulator::from_env();
    let account = Account::new(&emulator, "protection_turned_on_after_the_plan_stops_the_deletion");
    account.fixture(&emulator, "alb", &["--name", "Late"]);
    let dir = desired_for(&account.id, "[[elb.load_balancer]]\nname = \"Late\"\nensure = \"absent\"\n");
    let desired = dir.path().display().to_string();
    let plan_file = path(&dir, "plan.json").display().to_string();
    let plan = emulator.holdfast(&account.credentials, &["plan", "--desired", &desired, "--out", &plan_file]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("Late (application)  will be deleted"), "{}", plan.stdout);

    // Someone protects it between the plan and the apply.
    account.fixture(&emulator, "alb-protect", &["--name", "Late"]);
    let run = emulator.holdfast(&account.credentials, &["apply", "--desired", &desired, "--allow-delete", &plan_file]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert_eq!(json(&account.fixture(&emulator, "load-balancers", &[])), serde_json::json!(["Late"]));
}

#[test]
fn foreign_bucket_policy_statements_survive_every_apply_byte_for_byte() {
    let emulator = Emulator::from_env();
    let account = Account::new(&emulator, "foreign_bucket_policy_statements_survive_every_apply_byte_for_byte");
    let bucket = format!("logs-{}", account.id);
    let foreign = format!(
        r#"{{ "Sid" : "TeamRead",   "Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{}:root"}}, "Action":"s3:GetObject","Resource":"arn:aws:s3:::{bucket}/*" }}"#,
        account.id
    );
    let policy = format!(r#"{{"Version": "2012-10-17", "Id": "team", "Statement": [{foreign}]}}"#);
    account.fixture(&emulator, "bucket-with-policy", &["--name", &bucket, "--policy", &policy]);

    let dir = desired_for(&account.id, &format!("[[s3.bucket]]\nname = \"{bucket}\"\nrequire_tls = true\ndeliveries = [\"cloudtrail\", \"flow-logs\"]\n"));
    let desired = dir.path().display().to_string();
    let (run, _) = apply_json(&emulator, &account.credentials, &desired, &[], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let after = account.fixture(&emulator, "policy", &["--name", &bucket]);
    assert!(after.contains(&foreign), "the foreign statement is kept byte for byte:\n{after}");
    let document = json(&after);
    let sids: Vec<&str> = document["Statement"].as_array().expect("statements").iter().filter_map(|statement| statement["Sid"].as_str()).collect();
    assert_eq!(
        sids,
        [
            "TeamRead",
            "holdfast-require-tls",
            "holdfast-cloudtrail-acl-check",
            "holdfast-cloudtrail-write",
            "holdfast-flow-logs-acl-check",
            "holdfast-flow-logs-write"
        ]
    );
    assert_eq!(document["Id"], "team", "top-level keys are kept");
    let plan = emulator.holdfast(&account.credentials, &["plan", "--desired", &desired, "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "no perpetual diff:\n{}", plan.stdout);

    // Taking holdfast's statements away leaves the foreign one, still exactly as written.
    std::fs::write(
        path(&dir, "main.toml"),
        format!("[account]\nid = \"{}\"\nregion = \"us-east-1\"\n\n[[s3.bucket]]\nname = \"{bucket}\"\nrequire_tls = false\ndeliveries = []\n", account.id),
    )
    .expect("rewrite the desired state");
    let (run, _) = apply_json(&emulator, &account.credentials, &desired, &[], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let after = account.fixture(&emulator, "policy", &["--name", &bucket]);
    assert!(after.contains(&foreign), "{after}");
    assert!(!after.contains("holdfast-"), "{after}");
}

#[test]
fn a_trail_whose_logging_was_stopped_is_critical_drift_and_apply_restarts_it() {
    let emulator = Emulator::from_env();
    let account = Account::new(&emulator, "a_trail_whose_logging_was_stopped_is_critical_drift_and_apply_restarts_it");
    let bucket = format!("trail-logs-{}", account.id);
    let body = format!(
        "[[s3.bucket]]\nname = \"{bucket}\"\ndeliveries = [\"cloudtrail\"]\n\n[[cloudtrail.trail]]\nname = \"audit\"\nmulti_region = true\nlog_file_validation = true\nbucket = \"{bucket}\"\nprefix = \"ct\"\n"
    );
    let dir = desired_for(&account.id, &body);
    let desired = dir.path().display().to_string();
    let (run, _) = apply_json(&emulator, &account.credentials, &desired, &[], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json(&account.fixture(&emulator, "trail-status", &["--name", "audit"]))["logging"], true);

    account.fixture(&emulator, "stop-logging", &["--name", "audit"]);
    let drift = emulator.holdfast(&account.credentials, &["drift", "--desired", &desired, "--format", "json"]);
    assert_eq!(drift.code, 2, "{}\n{}", drift.stdout, drift.stderr);
    let report = json(&drift.stdout);
    let finding = report["drift"].as_array().expect("drift").iter().find(|finding| finding["address"] == "cloudtrail.trail/audit").expect("the trail drifted");
    assert_eq!(finding["severity"], "critical", "{finding:#}");

    let (run, _) = apply_json(&emulator, &account.credentials, &desired, &[], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json(&account.fixture(&emulator, "trail-status", &["--name", "audit"]))["logging"], true, "boto3 sees it logging again");
}

#[test]
fn a_key_alias_that_neither_exists_nor_is_declared_stops_the_plan_and_nothing_is_applied() {
    let emulator = Emulator::from_env();
    let account = Account::new(&emulator, "a_key_alias_that_neither_exists_nor_is_declared_stops_the_plan_and_nothing_is_applied");
    let bucket = format!("trail-logs-{}", account.id);
    let body = format!(
        "[[s3.bucket]]\nname = \"{bucket}\"\ndeliveries = [\"cloudtrail\"]\n\n[[cloudtrail.trail]]\nname = \"audit\"\nbucket = \"{bucket}\"\nkms_key = \"alias/nope\"\n"
    );
    let dir = desired_for(&account.id, &body);
    let desired = dir.path().display().to_string();
    let plan = emulator.holdfast(&account.credentials, &["plan", "--desired", &desired]);
    assert_eq!(plan.code, 1, "{}", plan.stdout);
    assert!(plan.stdout.contains("names the KMS key `alias/nope`, which does not exist"), "{}", plan.stdout);
    let (run, _) = apply_json(&emulator, &account.credentials, &desired, &["--allow-delete"], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(account.fixture(&emulator, "policy", &["--name", &bucket]), "", "no bucket policy: nothing was applied");
}

#[test]
fn guardduty_keeps_the_features_it_was_not_told_about() {
    let emulator = Emulator::from_env();
    let account = Account::new(&emulator, "guardduty_keeps_the_features_it_was_not_told_about");
    account.fixture(&emulator, "detector", &["--frequency", "SIX_HOURS", "--feature", "EKS_AUDIT_LOGS=ENABLED", "--feature", "S3_DATA_EVENTS=DISABLED"]);
    let dir = desired_for(&account.id, "[guardduty]\nfinding_frequency = \"FIFTEEN_MINUTES\"\nfeatures = [\"S3_DATA_EVENTS\", \"RDS_LOGIN_EVENTS\"]\n");
    let desired = dir.path().display().to_string();
    let (run, _) = apply_json(&emulator, &account.credentials, &desired, &[], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let detector = json(&account.fixture(&emulator, "get-detector", &[]));
    assert_eq!(detector["frequency"], "FIFTEEN_MINUTES");
    assert_eq!(detector["features"]["S3_DATA_EVENTS"], "ENABLED");
    assert_eq!(detector["features"]["RDS_LOGIN_EVENTS"], "ENABLED");
    assert_eq!(detector["features"]["EKS_AUDIT_LOGS"], "ENABLED", "moto replaces the list: holdfast sent the whole of it");
}

#[test]
fn a_key_is_created_with_its_alias_then_scheduled_for_deletion_only_with_allow_delete() {
    let emulator = Emulator::from_env();
    let account = Account::new(&emulator, "a_key_is_created_with_its_alias_then_scheduled_for_deletion_only_with_allow_delete");
    let dir = desired_for(&account.id, "[[kms.key]]\nalias = \"alias/phi\"\ndescription = \"PHI\"\nrotation = true\n");
    let desired = dir.path().display().to_string();
    let (run, _) = apply_json(&emulator, &account.credentials, &desired, &[], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let key = json(&account.fixture(&emulator, "key", &["--alias", "alias/phi"]));
    assert_eq!(key["state"], "Enabled");
    let plan = emulator.holdfast(&account.credentials, &["plan", "--desired", &desired, "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "the alias is adopted, not recreated:\n{}", plan.stdout);

    std::fs::write(
        path(&dir, "main.toml"),
        format!("[account]\nid = \"{}\"\nregion = \"us-east-1\"\n\n[[kms.key]]\nalias = \"alias/phi\"\nensure = \"absent\"\n", account.id),
    )
    .expect("rewrite the desired state");
    let (_, report) = apply_json(&emulator, &account.credentials, &desired, &[], &[]);
    assert_eq!(outcome(&report, "kms.key/alias/phi")[0]["reason"], "a deletion needs --allow-delete");
    assert_eq!(json(&account.fixture(&emulator, "key", &["--alias", "alias/phi"]))["state"], "Enabled");
    let (run, _) = apply_json(&emulator, &account.credentials, &desired, &["--allow-delete"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(json(&account.fixture(&emulator, "key", &["--alias", "alias/phi"]))["state"], "PendingDeletion");
    assert_eq!(json(&account.fixture(&emulator, "key", &["--alias", "alias/phi"]))["id"], key["id"], "the same key");
}

#[test]
fn a_key_an_interrupted_apply_left_is_adopted_as_the_plan_says_not_created_again() {
    let emulator = Emulator::from_env();
    let account = Account::new(&emulator, "a_key_an_interrupted_apply_left_is_adopted_as_the_plan_says_not_created_again");
    let orphan = account.fixture(&emulator, "orphan-key", &["--alias", "alias/phi"]).trim().to_owned();
    let dir = desired_for(&account.id, "[[kms.key]]\nalias = \"alias/phi\"\ndescription = \"PHI\"\n");
    let desired = dir.path().display().to_string();
    let plan = emulator.holdfast(&account.credentials, &["plan", "--desired", &desired]);
    assert!(plan.stdout.contains(&format!("adopts {orphan}")) && plan.stdout.contains("Disabled now: enabled again"), "{}", plan.stdout);
    let (run, _) = apply_json(&emulator, &account.credentials, &desired, &[], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let key = json(&account.fixture(&emulator, "key", &["--alias", "alias/phi"]));
    assert_eq!(key["id"], orphan.as_str(), "the alias names the key left behind");
    assert_eq!(key["state"], "Enabled");
    let plan = emulator.holdfast(&account.credentials, &["plan", "--desired", &desired, "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.stdout);
}
