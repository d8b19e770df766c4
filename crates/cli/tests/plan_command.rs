//! `holdfast plan` as a user runs it on the shipped example.

mod common;

use common::{desired_dir, example_snapshot, holdfast, shipped_desired_state};

fn plan(extra: &[&str]) -> common::Run {
    common::plan_example(extra)
}

#[test]
fn example_plan_prints_the_summary_and_exits_zero() {
    let run = plan(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Plan: 14 to create, 20 to update, 12 to replace, 2 to delete, 4 for a person."), "{}", run.stdout);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn detailed_exitcode_is_two_with_changes_and_zero_without() {
    assert_eq!(plan(&["--detailed-exitcode"]).code, 2);
    let dir = desired_dir(&[("main.toml", "[account]\nid = \"108782097218\"\nregion = \"us-east-1\"\n")]);
    let path = dir.path().display().to_string();
    let run = holdfast(&["plan", "--desired", &path, "--snapshot", &example_snapshot(), "--detailed-exitcode"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("No changes. The account matches the desired state."), "{}", run.stdout);
}

#[test]
fn json_output_has_the_documented_shape() {
    let run = plan(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(json["format_version"], 1);
    let change = &json["changes"][0];
    for key in ["address", "kind", "action", "attributes", "flags", "source", "operation"] {
        assert!(change.get(key).is_some(), "every change has `{key}`: {change}");
    }
    assert_eq!(
        (&json["summary"]["replace"], &json["summary"]["manual"]),
        (&serde_json::json!(12), &serde_json::json!(4)),
        "the Aurora migrations' steps, and their cutovers"
    );
    assert!(json["warnings"].is_array());
}

#[test]
fn saved_plan_file_is_the_json_plan() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("z360.plan.json");
    let file_path = file.display().to_string();
    let run = plan(&["--out", &file_path, "--format", "json"]);
    assert_eq!(std::fs::read_to_string(&file).expect("the plan file"), run.stdout);
}

#[test]
fn target_and_exclude_narrow_the_plan() {
    let run = plan(&["--target", "s3.bucket/*", "--exclude", "s3.bucket/zscribe", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    let addresses: Vec<&str> = json["changes"].as_array().expect("changes").iter().map(|change| change["address"].as_str().expect("an address")).collect();
    // The PHI key comes too: the buckets' encryption depends on its change, as in Terraform's -target.
    assert_eq!(addresses.len(), 7, "{addresses:?}");
    assert!(addresses.iter().all(|address| (address.starts_with("s3.bucket/") && *address != "s3.bucket/zscribe") || *address == "kms.key/alias/z360-phi"));
}

#[test]
fn plan_for_another_account_is_refused() {
    let dir = desired_dir(&[("main.toml", "[account]\nid = \"999999999999\"\nregion = \"us-east-1\"\n")]);
    let path = dir.path().display().to_string();
    let run = holdfast(&["plan", "--desired", &path, "--snapshot", &example_snapshot()], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("the desired state is for account 999999999999"), "{}", run.stderr);
    assert!(run.stderr.contains("but the snapshot is of account 108782097218"), "{}", run.stderr);
}

#[test]
fn malformed_snapshot_and_bad_glob_are_clear_errors() {
    let dir = desired_dir(&[("snapshot.json", "{\"format_version\": 99}")]);
    let snapshot = dir.path().join("snapshot.json").display().to_string();
    let run = holdfast(&["plan", "--desired", &shipped_desired_state(), "--snapshot", &snapshot], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("format_version 99; this holdfast reads versions 2 to 6"), "{}", run.stderr);

    let run = plan(&["--target", "ecs.service/[oops"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--target: malformed glob"), "{}", run.stderr);
}

#[test]
fn colour_follows_the_flag() {
    assert!(plan(&["--color", "always"]).stdout.contains("\u{1b}["));
    assert!(!plan(&["--color", "never"]).stdout.contains("\u{1b}["));
    assert!(!plan(&[]).stdout.contains("\u{1b}["), "not a terminal, so no colour");
}

#[test]
fn usage_errors_exit_one_never_the_two_of_changes_present() {
    let run = plan(&["--detailed-exitcode", "--targett", "x"]);
    assert_eq!(run.code, 1, "a typo must never read as drift: {}", run.stderr);
    assert!(run.stderr.contains("--targett"), "{}", run.stderr);
    assert_eq!(holdfast(&["plan", "--help"], &[]).code, 0, "asking for help is no error");
}

#[test]
fn a_target_that_matches_nothing_says_so_and_counts_what_is_outside_it() {
    let run = plan(&["--target", "ecs.service/no-such-cluster/*"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("No change matched --target / --exclude; 52 changes outside them are not shown."), "{}", run.stdout);
    assert!(!run.stdout.contains("The account matches the desired state"), "{}", run.stdout);
}

#[test]
fn a_truncated_snapshot_names_its_cause_once() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let truncated = dir.path().join("truncated.json");
    let text = std::fs::read_to_string(example_snapshot()).expect("the example");
    std::fs::write(&truncated, &text[..text.len() / 2]).expect("write half a snapshot");
    let run = holdfast(&["plan", "--desired", &shipped_desired_state(), "--snapshot", &truncated.display().to_string()], &[]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr.matches("EOF while parsing").count(), 1, "{}", run.stderr);
}

#[test]
fn validate_counts_in_words() {
    let dir = desired_dir(&[("main.toml", "[[ssm.parameter]]\nname = \"/a/b\"\ntype = \"String\"\n")]);
    let path = dir.path().display().to_string();
    let run = holdfast(&["validate", "--desired", &path], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.ends_with("is valid: 1 file, 1 entry.\n"), "{}", run.stdout);
}

#[test]
fn the_shipped_drift_policy_is_what_iam_policy_prints_for_the_shipped_desired_state() {
    let run = holdfast(
        &[
            "iam-policy",
            "--read-only",
            "--no-cost",
            "--desired",
            &shipped_desired_state(),
            "--history",
            "s3://z360-ops-108782097218/drift/history.jsonl",
            "--notify",
            "sns:arn:aws:sns:us-east-1:108782097218:holdfast-drift",
            "--metrics",
            "cloudwatch:Holdfast/Drift",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let shipped = std::fs::read_to_string(common::repo_root().join("examples/schedule/drift-policy.json")).expect("the shipped policy");
    assert_eq!(run.stdout, shipped, "regenerate examples/schedule/drift-policy.json with the command in examples/schedule/README.md");
    let policy: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let allowed = holdfast_aws::permissions::allowed_actions(&policy);
    assert!(!allowed.iter().any(|action| action.contains(":Put") && action != "s3:PutObject" && action != "cloudwatch:PutMetricData"), "{allowed:?}");
    assert!(!allowed.contains("ssm:PutParameter") && !allowed.contains("ecs:UpdateService"), "read-only: {allowed:?}");
}

#[test]
fn runbook_prints_one_clusters_migration_and_refuses_what_needs_none() {
    let cluster = "aurora.cluster/z360-beta-addonsstack-5mn8r1-z360dbcluster-2wq9ek4vj7cd";
    let run = holdfast(&["runbook", cluster, "--desired", &shipped_desired_state(), "--snapshot", &example_snapshot()], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("# Encrypting Aurora cluster `z360-beta-addonsstack-5mn8r1-z360dbcluster-2wq9ek4vj7cd`"), "{}", run.stdout);
    for part in
        ["| 1 | snapshot |", "| 2 | restore |", "| 3 | instances |", "## Cutover, by a person", "## Rollback", "## Approval", "DB_HOST of container web"]
    {
        assert!(run.stdout.contains(part), "{part}:\n{}", run.stdout);
    }
    let run = holdfast(&["runbook", "aurora.cluster/no-such-db", "--desired", &shipped_desired_state(), "--snapshot", &example_snapshot()], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("there is no Aurora cluster no-such-db that the desired state selects"), "{}", run.stderr);
    let run = holdfast(&["runbook", "s3.bucket/x", "--desired", &shipped_desired_state(), "--snapshot", &example_snapshot()], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is not an Aurora cluster's address"), "{}", run.stderr);
}
