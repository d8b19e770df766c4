//! Saved plans checked against a fresh one, and verification after an apply, on plans
//! built by hand.

use holdfast_applier::{ChangeReport, Outcome, Report, changes_to_apply, verify};
use holdfast_planner::operation::Operation;
use holdfast_planner::{Action, AttributeChange, Change, Kind, Plan, Summary};

fn change(address: &str, action: Action, attributes: Vec<AttributeChange>) -> Change {
    Change {
        address: address.into(),
        kind: Kind::AuroraCluster,
        action,
        label: None,
        attributes,
        flags: Vec::new(),
        source: "test.toml:1".into(),
        reason: None,
        notes: Vec::new(),
        depends_on: Vec::new(),
        cost: None,
        operation: Operation::Manual,
    }
}

fn plan(changes: Vec<Change>) -> Plan {
    let summary = Summary::of(&changes);
    Plan {
        format_version: 1,
        account_id: "123456789012".into(),
        region: "us-east-1".into(),
        snapshot_taken_at: "t".into(),
        changes,
        warnings: Vec::new(),
        errors: Vec::new(),
        summary,
        left_out: 0,
        cost: None,
    }
}

fn stale_changes(saved: &Plan, fresh: &Plan) -> Vec<String> {
    changes_to_apply(saved, fresh).err().unwrap_or_default()
}

fn capacity(cluster: &str, min_acu: f64, max_acu: f64) -> Change {
    let mut change = change(&format!("aurora.cluster/{cluster}"), Action::Update, max_acu_change("8"));
    change.operation = Operation::ModifyAuroraCapacity { cluster: cluster.into(), min_acu, max_acu };
    change
}

fn max_acu_change(before: &str) -> Vec<AttributeChange> {
    max_acu(before)
}

fn max_acu(before: &str) -> Vec<AttributeChange> {
    vec![AttributeChange::new("max_acu", Some(before.into()), Some("4".into()))]
}

#[test]
fn unchanged_account_leaves_the_saved_plan_applicable() {
    let saved = plan(vec![change("aurora.cluster/db", Action::Update, max_acu("8"))]);
    assert!(stale_changes(&saved, &saved.clone()).is_empty());
}

#[test]
fn the_fresh_plans_own_operations_are_applied_never_the_files() {
    let fresh = plan(vec![capacity("db", 0.5, 4.0), capacity("other", 0.5, 2.0)]);
    let saved = plan(vec![capacity("db", 0.5, 4.0)]);
    let to_apply = changes_to_apply(&saved, &fresh).expect("an untouched plan file applies");
    assert_eq!(to_apply.changes, vec![capacity("db", 0.5, 4.0)], "only the saved addresses, as the fresh plan computes them");
}

#[test]
fn an_edited_operation_is_refused_naming_the_fields() {
    let fresh = plan(vec![capacity("db", 0.5, 4.0)]);
    let mut edited = capacity("db", 0.0, 1.0);
    edited.operation = Operation::ModifyAuroraCapacity { cluster: "prod-db".into(), min_acu: 0.0, max_acu: 1.0 };
    let refused = stale_changes(&plan(vec![edited]), &fresh);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].contains("operation.cluster, operation.max_acu, operation.min_acu differ"), "{refused:?}");
    assert!(!refused[0].contains("prod-db"), "edited values are not echoed: {refused:?}");
}

#[test]
fn changed_before_value_makes_the_plan_stale_and_says_how() {
    let saved = plan(vec![change("aurora.cluster/db", Action::Update, max_acu("8"))]);
    let fresh = plan(vec![change("aurora.cluster/db", Action::Update, max_acu("16"))]);
    assert_eq!(stale_changes(&saved, &fresh), vec!["aurora.cluster/db: max_acu was 8 when planned, is 16 now".to_owned()]);
}

#[test]
fn change_no_longer_needed_or_of_another_action_is_stale() {
    let saved = plan(vec![change("aurora.cluster/db", Action::Update, max_acu("8")), change("s3.bucket/b", Action::Create, Vec::new())]);
    let fresh = plan(vec![change("s3.bucket/b", Action::Update, Vec::new())]);
    assert_eq!(
        stale_changes(&saved, &fresh),
        vec![
            "aurora.cluster/db: no longer needs changing (the account or the desired state changed since the plan)".to_owned(),
            "s3.bucket/b: was planned to create, now needs to update".to_owned()
        ]
    );
}

#[test]
fn sensitive_before_values_are_never_shown_in_staleness() {
    let secret = |before: &str| vec![AttributeChange::new("value", Some(before.into()), Some("(sensitive, from $X)".into())).sensitive()];
    let saved = plan(vec![change("ssm.parameter/p", Action::Update, secret("hmac-one"))]);
    let fresh = plan(vec![change("ssm.parameter/p", Action::Update, secret("hmac-two"))]);
    let stale = stale_changes(&saved, &fresh);
    assert_eq!(stale, vec!["ssm.parameter/p: value was (sensitive) when planned, is (sensitive) now".to_owned()]);
}

#[test]
fn verification_marks_what_still_differs() {
    let done = |address: &str| ChangeReport { address: address.into(), action: Action::Update, outcome: Outcome::Done, warnings: Vec::new(), verified: None };
    let mut report = Report::new(vec![
        done("a"),
        done("b"),
        ChangeReport {
            address: "c".into(),
            action: Action::Replace,
            outcome: Outcome::Skipped { reason: "flag".into() },
            warnings: Vec::new(),
            verified: None,
        },
    ]);
    verify(&mut report, &plan(vec![change("b", Action::Update, Vec::new()), change("c", Action::Replace, Vec::new())]));
    assert_eq!(report.changes[0].verified, Some(true));
    assert_eq!(report.changes[1].verified, Some(false));
    assert_eq!(report.changes[2].verified, None, "a skipped change is not verified");
    assert_eq!((report.summary.done, report.summary.unverified, report.summary.skipped), (2, 1, 1));
    assert!(report.failed(), "a change that did not take effect fails the apply");
    assert!(report.to_text().contains("unverified  ~ b: applied, but the account still differs here"), "{}", report.to_text());
}

#[test]
fn a_plan_file_with_a_field_this_build_does_not_know_is_refused() {
    let mut json: serde_json::Value = serde_json::from_str(&plan(vec![capacity("db", 0.5, 4.0)]).to_json()).expect("JSON");
    json["changes"][0]["operation"]["task_definition"] = serde_json::Value::from("arn:aws:ecs:us-east-1:123456789012:task-definition/rt:1");
    let error = Plan::from_json(&json.to_string()).expect_err("an unknown field is an edit that cannot be checked");
    assert!(format!("{error:#}").contains("not a holdfast plan file"), "{error}");
    assert!(std::error::Error::source(&error).is_some_and(|source| source.to_string().contains("unknown field `task_definition`")), "{error:?}");
}
