//! `holdfast audit` against the moto emulator, on accounts seeded by boto3: what Prowler's
//! HIPAA checks would miss, each a failure with evidence; and the z360 account after
//! `apply`, which still has what the seeds' report calls open.

mod common;

use common::emulator::{Emulator, Z360Copy, account_for, apply_json};
use serde_json::Value;

const CANARY: &str = "CANARY-audit-db-password-3f9a1c";
/// A generated-looking value under an innocent name.
const RANDOM: &str = "q8Zt3LmX0vR7pK2wYc9NfB4hJ6sD1aGe";

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"].as_array().expect("checks").iter().find(|check| check["id"] == id).unwrap_or_else(|| panic!("no check {id}"))
}

fn finding<'a>(report: &'a Value, id: &str, resource: &str) -> &'a Value {
    check(report, id)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| finding["resource"] == resource)
        .unwrap_or_else(|| panic!("{id}: no finding for {resource}: {:#}", check(report, id)))
}

#[test]
fn the_audit_finds_what_prowler_misses_with_evidence_and_never_a_value() {
    let emulator = Emulator::from_env();
    let account = account_for("the_audit_finds_what_prowler_misses_with_evidence_and_never_a_value");
    let credentials = emulator.seed("empty", &account, &[]);
    let seeded: Value =
        serde_json::from_str(&emulator.script("audit_fixtures.py", "prowler-misses", &account, &["--canary", CANARY, "--random", RANDOM])).expect("JSON");
    let dir = common::desired_dir(&[("account.toml", &format!("[account]\nid = \"{account}\"\nregion = \"us-east-1\"\n"))]);
    let desired = dir.path().display().to_string();
    let calls = dir.path().join("calls.jsonl");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_holdfast"));
    command
        .args(["audit", "--desired", &desired, "--format", "json", "--endpoint-url", &emulator.endpoint])
        .env("NO_COLOR", "1")
        .env("HOLDFAST_RECORD_CALLS", &calls);
    for (key, value) in &credentials {
        command.env(key, value);
    }
    let run = common::run(command);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("the JSON report");

    // An unencrypted cluster with no instances: Prowler's HIPAA check looks at instances.
    let cluster = finding(&report, "aurora.cluster_encrypted", "aurora.cluster/orders-db");
    assert_eq!((cluster["passed"].clone(), cluster["observed"].clone()), (Value::Bool(false), Value::from("false")));
    assert!(cluster["note"].as_str().is_some_and(|note| note.starts_with("no DB instances")), "{cluster:#}");
    assert_eq!(cluster["fix"]["kind"], "new_entry");
    assert!(cluster["fix"]["toml"].as_str().is_some_and(|toml| toml.contains("match = \"orders-db\"") && toml.contains("storage_encrypted = true")));

    // A DB_PASSWORD in plaintext, and a random value under an innocent name: named, never shown.
    let definition = finding(&report, "ecs.no_plaintext_secrets", "ecs.task_definition/shop-api:1");
    let observed = definition["observed"].as_str().expect("observed");
    assert!(observed.contains("DB_PASSWORD (container api, secret-like name)"), "{observed}");
    assert!(observed.contains("SESSION_SALT (container api, secret-looking value)"), "{observed}");
    assert!(!observed.contains("LOG_LEVEL") && !observed.contains("DB_HOST"), "a host name is not a secret: {observed}");
    assert_eq!(definition["note"], "run by shop/shop-api");

    // A VPC with no subnets, no interfaces and no flow log, and the default VPC.
    let idle = seeded["idle_vpc"].as_str().expect("the idle VPC");
    let vpc = finding(&report, "vpc.flow_logs", &format!("vpc/{idle} (idle)"));
    assert_eq!((vpc["passed"].clone(), vpc["observed"].clone()), (Value::Bool(false), Value::from("no flow log")));
    assert_eq!(check(&report, "vpc.flow_logs")["summary"], "2 of 2 VPCs fail");

    // Buckets: one with nothing, one SSE-KMS behind a TLS-only policy.
    let open = format!("s3.bucket/{}", seeded["open_bucket"].as_str().expect("bucket"));
    let locked = format!("s3.bucket/{}", seeded["locked_bucket"].as_str().expect("bucket"));
    assert_eq!(finding(&report, "s3.tls_only", &open)["observed"], "no bucket policy");
    assert_eq!(finding(&report, "s3.tls_only", &locked)["passed"], true);
    assert_eq!(finding(&report, "s3.kms_encryption", &locked)["passed"], true);
    assert_eq!(finding(&report, "s3.kms_encryption", &open)["passed"], false);

    // Parameters named like secrets: plaintext, under AWS's key, under the account's key.
    assert_eq!(finding(&report, "ssm.secure_string_cmk", "ssm.parameter/shop/db-password")["observed"], "String (plaintext)");
    assert_eq!(finding(&report, "ssm.secure_string_cmk", "ssm.parameter/shop/api-key")["observed"], "SecureString, alias/aws/ssm (AWS managed key)");
    assert_eq!(finding(&report, "ssm.secure_string_cmk", "ssm.parameter/shop/signing-key")["passed"], true);
    assert_eq!(check(&report, "ssm.secure_string_cmk")["findings"].as_array().expect("findings").len(), 3, "log-level is not a secret");

    // IAM: a console user without MFA; a key-only user is not asked for MFA.
    assert_eq!(finding(&report, "iam.user_mfa", "iam.user/dana")["passed"], false);
    assert!(check(&report, "iam.user_mfa")["findings"].as_array().expect("findings").iter().all(|finding| finding["resource"] != "iam.user/ci-bot"));
    assert_eq!(finding(&report, "iam.access_key_age", "iam.user/ci-bot")["passed"], true, "a key made today");
    // moto's account summary always says no root MFA.
    assert_eq!(finding(&report, "iam.root_mfa", "iam.root")["observed"], "false (from the account summary)");

    // Only reads, each allowed by `iam-policy --read-only --audit` (which allows nothing to change).
    let recorded: Vec<(String, String)> = std::fs::read_to_string(&calls)
        .expect("the calls were recorded")
        .lines()
        .map(|line| {
            let call: Value = serde_json::from_str(line).expect("a JSON line");
            (call["service"].as_str().expect("service").to_owned(), call["operation"].as_str().expect("operation").to_owned())
        })
        .collect();
    assert!(recorded.len() > 15, "{recorded:?}");
    let policy = emulator.holdfast(&credentials, &["iam-policy", "--read-only", "--audit", "--desired", &desired]);
    let policy: Value = serde_json::from_str(&policy.stdout).expect("a JSON policy");
    let allowed = holdfast_aws::permissions::allowed_actions(&policy);
    for (service, operation) in &recorded {
        let read = ["Describe", "List", "Get", "Head"].iter().any(|prefix| operation.starts_with(prefix)) || operation == "GenerateCredentialReport";
        assert!(read, "{service}:{operation} is not a read");
        let action = holdfast_aws::permissions::iam_action(service, operation);
        assert!(allowed.contains(&action), "{action} was called but `iam-policy --read-only --audit` does not allow it");
    }

    // No value, in any format.
    for format in ["text", "markdown", "json", "junit", "sarif", "html"] {
        let run = emulator.holdfast(&credentials, &["audit", "--desired", &desired, "--format", format, "--endpoint-url", &emulator.endpoint]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        for value in [CANARY, RANDOM] {
            assert!(!run.all_output().contains(value), "the {format} report shows a secret value");
        }
        assert!(run.stdout.contains("DB_PASSWORD"), "{format}: the variable is named");
    }
}

#[test]
fn after_apply_the_audit_reports_what_the_seeds_call_open() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "after_apply_the_audit_reports_what_the_seeds_call_open", &["--canary", CANARY]);
    let before_path = copy.dir.path().join("before.json").display().to_string();
    let audit = |extra: &[&str]| {
        let mut args = vec!["audit", "--desired", copy.desired.as_str(), "--endpoint-url", emulator.endpoint.as_str()];
        args.extend_from_slice(extra);
        emulator.holdfast(&copy.credentials, &args)
    };
    let before = audit(&["--format", "json", "--out", &before_path]);
    assert_eq!(before.code, 0, "{}", before.stderr);

    let (run, _) = apply_json(&emulator, &copy.credentials, &copy.desired, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let after = audit(&["--format", "json"]);
    assert_eq!(after.code, 0, "{}", after.stderr);
    assert!(!after.all_output().contains(CANARY));
    let report: Value = serde_json::from_str(&after.stdout).expect("the JSON report");
    let status = |id: &str| check(&report, id)["status"].as_str().expect("status").to_owned();
    // What the sprint completed.
    for id in [
        "cloudtrail.multi_region_logging",
        "cloudtrail.log_file_validation",
        "vpc.flow_logs",
        "guardduty.enabled",
        "guardduty.protection_features",
        "guardduty.finding_frequency",
        "securityhub.enabled",
        "config.recorder_on",
        "config.records_everything",
        "ecs.no_plaintext_secrets",
    ] {
        assert_eq!(status(id), "pass", "{id}: {:#}", check(&report, id));
    }
    // moto does not serve Security Hub's standards: said, not guessed.
    assert_eq!(status("securityhub.fsbp"), "not_assessed");
    // What the seeds call still open: Aurora encryption, IAM MFA (root here), the BAA.
    let aurora = check(&report, "aurora.cluster_encrypted");
    assert_eq!(aurora["summary"], "4 of 4 clusters fail");
    for finding in aurora["findings"].as_array().expect("findings") {
        assert_eq!(finding["fix"]["kind"], "declared", "the desired state declares it: {finding:#}");
        assert!(finding["fix"]["location"]["file"].as_str().is_some_and(|file| file.ends_with("z360.toml")));
        assert!(finding["fix"]["note"].as_str().is_some_and(|note| note.contains("holdfast runbook aurora.cluster/")));
    }
    assert_eq!(status("iam.root_mfa"), "fail");
    assert_eq!(status("manual.baa"), "needs_attestation");
    // And what the seeds did not see: the reverb parameters sit under AWS's own key.
    let parameters = check(&report, "ssm.secure_string_cmk");
    assert_eq!(parameters["summary"], "4 of 4 secret parameters fail");
    assert_eq!(parameters["findings"][0]["fix"]["kind"], "add_to_entry");

    // The month after: the BAA attested, compared with the first report.
    std::fs::write(
        copy.dir.path().join("attestations.toml"),
        "[[audit.attestation]]\ncheck = \"manual.baa\"\nby = \"Dana Reyes (compliance officer)\"\ndate = 2026-01-20\nevidence = \"AWS Artifact, ticket SEC-112\"\n",
    )
    .expect("write");
    let snapshot = copy.dir.path().join("audit-snapshot.json").display().to_string();
    let taken =
        emulator.holdfast(&copy.credentials, &["snapshot", "--audit", "--desired", &copy.desired, "--out", &snapshot, "--endpoint-url", &emulator.endpoint]);
    assert_eq!(taken.code, 0, "{}", taken.stderr);
    assert!(!std::fs::read_to_string(&snapshot).expect("snapshot").contains(CANARY));
    let compared = emulator.holdfast(&copy.credentials, &["audit", "--desired", &copy.desired, "--snapshot", &snapshot, "--compare", &before_path]);
    assert_eq!(compared.code, 0, "{}", compared.stderr);
    for fixed in ["manual.baa account", "cloudtrail.multi_region_logging account", "ecs.no_plaintext_secrets ecs.task_definition/z360-staging-web:156"] {
        assert!(compared.stdout.contains(fixed), "{fixed} is fixed:\n{}", compared.stdout);
    }
    let from_snapshot: Value =
        serde_json::from_str(&emulator.holdfast(&copy.credentials, &["audit", "--desired", &copy.desired, "--snapshot", &snapshot, "--format", "json"]).stdout)
            .expect("JSON");
    assert_eq!(check(&from_snapshot, "manual.baa")["status"], "attested");
    assert!(from_snapshot["score"]["overall"].as_f64() > report["score"]["overall"].as_f64());
    let gate = emulator.holdfast(&copy.credentials, &["audit", "--desired", &copy.desired, "--snapshot", &snapshot, "--fail-under", "95"]);
    assert_eq!(gate.code, 2, "Aurora is still unencrypted: {}", gate.stderr);
}

#[test]
fn what_cannot_be_read_is_never_a_pass_and_the_rest_is_reported() {
    let emulator = Emulator::from_env();
    let account = account_for("what_cannot_be_read_is_never_a_pass_and_the_rest_is_reported");
    let credentials = emulator.seed("empty", &account, &[]);
    emulator.script("audit_fixtures.py", "ghost-service", &account, &[]);
    let dir = common::desired_dir(&[("account.toml", &format!("[account]\nid = \"{account}\"\nregion = \"us-east-1\"\n"))]);
    let desired = dir.path().display().to_string();

    // A task definition ECS will not describe fails the check; its readable neighbour is still judged.
    let run = emulator.holdfast(&credentials, &["audit", "--desired", &desired, "--format", "json", "--endpoint-url", &emulator.endpoint]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("the JSON report");
    let ghost = finding(&report, "ecs.no_plaintext_secrets", "ecs.task_definition/ghost:1");
    assert_eq!(ghost["passed"], false);
    assert!(ghost["observed"].as_str().is_some_and(|observed| observed.starts_with("not readable: ecs:DescribeTaskDefinition")), "{ghost:#}");
    assert!(
        finding(&report, "ecs.no_plaintext_secrets", "ecs.task_definition/neighbour:1")["observed"]
            .as_str()
            .is_some_and(|observed| observed.contains("API_TOKEN"))
    );
    assert_eq!(finding(&report, "ssm.secure_string_cmk", "ssm.parameter/ghosts/api-token")["passed"], false, "under AWS's own key");

    // Permissions refused: KMS's aliases and IAM's report. Their checks are not assessed, score 0,
    // and a parameter under AWS's key is not passed for want of knowing whose key it is.
    let denying = common::emulator::Denying::start(&emulator, &["kms:ListAliases", "iam:GenerateCredentialReport"]);
    let proxy = &denying.proxy;
    let denied = emulator.holdfast(&credentials, &["audit", "--desired", &desired, "--format", "json", "--endpoint-url", &proxy.url()]);
    assert_eq!(denied.code, 0, "{}", denied.stderr);
    for kind in ["kms", "iam"] {
        assert!(denied.stderr.contains(&format!("warning: reading {kind} failed, and its checks are not assessed")), "{}", denied.stderr);
    }
    let partial: Value = serde_json::from_str(&denied.stdout).expect("the JSON report");
    for id in ["ssm.secure_string_cmk", "iam.user_mfa", "iam.root_mfa"] {
        assert_eq!(check(&partial, id)["status"], "not_assessed", "{id}: {:#}", check(&partial, id));
    }
    assert!(
        check(&partial, "ssm.secure_string_cmk")["summary"]
            .as_str()
            .is_some_and(|summary| summary.contains("kms:ListAliases") && summary.contains("not authorized")),
        "the reason is given: {:#}",
        check(&partial, "ssm.secure_string_cmk")
    );
    assert_eq!(finding(&partial, "aurora.cluster_encrypted", "aurora.cluster/plain-db")["passed"], false, "the rest is judged");
    assert!(partial["score"]["overall"].as_f64() <= report["score"]["overall"].as_f64(), "reading less never raises the score");
    assert!(proxy.counts().faults.get("denied").copied().unwrap_or(0) >= 2);

    // A plan stops at the first failure: it must never act on half a read.
    std::fs::write(dir.path().join("ghost.toml"), "[[ecs.task_secrets]]\ncluster = \"ghosts\"\nservice = \"ghost\"\nsecrets = { TOKEN = \"/ghost/token\" }\n")
        .expect("write");
    let plan = emulator.holdfast(&credentials, &["plan", "--desired", &desired, "--endpoint-url", &emulator.endpoint]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    assert!(plan.stderr.contains("ecs:DescribeTaskDefinition"), "{}", plan.stderr);
}
