//! The drift report as a pure function: severities from what drift means, ignore rules
//! with an injected clock, memory of the last check, and when to notify.

use holdfast_desired::{SourceFile, load_sources};
use holdfast_inventory::Inventory;
use holdfast_planner::drift::memory::{decide, told_after};
use holdfast_planner::drift::{Decision, Now, Report, Severity, Status};

const DESIRED: &str = r#"
[account]
id = "108782097218"
region = "us-east-1"

[ecs.strategies]
spot      = [{ provider = "FARGATE_SPOT", weight = 1 }]
on-demand = [{ provider = "FARGATE", weight = 1 }]

[[ecs.service]]
cluster  = "z360-beta-Cluster-*"
service  = "z360-beta-web-*"
strategy = "on-demand"
realtime = true

[[ecs.service]]
cluster  = "z360-staging-Cluster-*"
service  = "z360-staging-*"
strategy = "spot"

[[drift.ignore]]
address = "ecs.service/z360-staging-*"
until   = "2026-12-31"
reason  = "staging load test"
"#;

fn example() -> Inventory {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/z360-before-sprint.json");
    Inventory::from_snapshot(&std::fs::read_to_string(path).expect("the shipped example")).expect("a snapshot")
}

fn report_at(now: &str, last: Option<&holdfast_planner::drift::Record>, min: Severity) -> Report {
    let desired = load_sources(vec![SourceFile::new("drift.toml", DESIRED)]).expect("valid");
    let mut inventory = example();
    // Put the realtime web service on Spot, as someone might by hand.
    for cluster in &mut inventory.ecs.clusters {
        for service in &mut cluster.services {
            if service.name.starts_with("z360-beta-web") {
                service.launch_type = None;
                service.capacity_provider_strategy = vec![holdfast_inventory::ecs::StrategyItem { provider: "FARGATE_SPOT".to_owned(), weight: 1, base: 0 }];
            }
        }
    }
    let plan = holdfast_planner::plan(&desired, &inventory);
    let epoch = epoch_of_day(now);
    Report::new(&desired, &inventory, &plan, &Now { rfc3339: now.to_owned(), epoch }, last, min)
}

/// Seconds since the epoch at the start of `now`'s day (days from November 2026 to January 2027).
fn epoch_of_day(now: &str) -> u64 {
    let day: u64 = now[8..10].parse().expect("a day");
    let month: u64 = now[5..7].parse().expect("a month");
    let year: u64 = now[..4].parse().expect("a year");
    let days = match (year, month) {
        (2026, 11) => day - 1,
        (2026, 12) => 30 + day - 1,
        (2027, 1) => 61 + day - 1,
        _ => panic!("only Nov 2026 to Jan 2027"),
    };
    1_793_491_200 + days * 86_400
}

#[test]
fn a_realtime_service_on_spot_is_critical_and_staging_on_demand_is_medium() {
    let report = report_at("2026-11-27T09:00:00Z", None, Severity::Low);
    let web = report.drift.iter().find(|finding| finding.address.contains("z360-beta-web")).expect("the web service drifted");
    assert_eq!(web.severity, Severity::Critical, "{web:?}");
    assert!(web.meaning.contains("realtime"), "{}", web.meaning);
    let staging: Vec<_> = report.ignored.iter().filter(|finding| finding.kind == "ecs.service").collect();
    assert!(!staging.is_empty(), "the staging services are ignored until the rule's date");
    assert!(staging.iter().all(|finding| finding.severity == Severity::Medium), "{staging:?}");
    assert!(staging.iter().all(|finding| finding.ignored.as_ref().is_some_and(|ignored| ignored.reason == "staging load test")));
}

#[test]
fn an_ignore_rule_stops_hiding_drift_the_day_after_its_date_and_says_so() {
    let last_day = report_at("2026-12-31T23:59:59Z", None, Severity::Low);
    assert!(last_day.expired_rules.is_empty());
    assert!(last_day.drift.iter().all(|finding| !finding.address.contains("z360-staging")));
    let after = report_at("2027-01-01T00:00:00Z", None, Severity::Low);
    assert!(after.ignored.is_empty(), "{:?}", after.ignored);
    assert_eq!(after.expired_rules.len(), 1);
    assert_eq!(after.expired_rules[0].until, "2026-12-31");
    assert!(after.drift.iter().any(|finding| finding.address.contains("z360-staging")));
}

#[test]
fn min_severity_filters_what_is_reported_but_the_record_remembers_everything() {
    let all = report_at("2027-01-02T09:00:00Z", None, Severity::Low);
    let critical = report_at("2027-01-02T09:00:00Z", None, Severity::Critical);
    assert!(critical.drift.iter().all(|finding| finding.severity == Severity::Critical));
    assert!(critical.drift.len() < all.drift.len());
    assert_eq!(critical.counts.below_threshold, all.drift.len() - critical.drift.len());
    let now = Now { rfc3339: "2027-01-02T09:00:00Z".to_owned(), epoch: epoch_of_day("2027-01-02T09:00:00Z") };
    let record = critical.record(&now, Default::default());
    assert_eq!(record.drift.len(), all.drift.len() + all.ignored.len(), "below-threshold and ignored drift are remembered too");
}

#[test]
fn memory_marks_persisting_drift_with_its_first_sighting_and_lists_the_resolved() {
    let first = report_at("2026-11-27T09:00:00Z", None, Severity::Low);
    let now = Now { rfc3339: "2026-11-27T09:00:00Z".to_owned(), epoch: epoch_of_day("2026-11-27T09:00:00Z") };
    let mut record = first.record(&now, Default::default());
    record.drift.push(holdfast_planner::drift::Remembered {
        address: "s3.bucket/gone".to_owned(),
        severity: Severity::Low,
        since: "2026-11-20T00:00:00Z".to_owned(),
    });
    let second = report_at("2026-11-28T09:00:00Z", Some(&record), Severity::Low);
    assert!(second.drift.iter().all(|finding| finding.status == Status::Persisting && finding.since == "2026-11-27T09:00:00Z"), "{:?}", second.drift);
    assert_eq!(second.resolved.len(), 1);
    assert_eq!(second.resolved[0].address, "s3.bucket/gone");
    assert_eq!(second.counts.new, 0);
}

#[test]
fn notifications_go_out_on_change_and_as_reminders_never_on_every_run() {
    let report = report_at("2026-11-27T09:00:00Z", None, Severity::Low);
    let start = epoch_of_day("2026-11-27T09:00:00Z");
    assert!(matches!(decide(&report, None, start, 86_400), Decision::Changed { .. }), "first drift is news");
    let told = told_after(&report, None, true, start);
    assert_eq!(decide(&report, Some(&told), start + 900, 86_400), Decision::Quiet, "the same drift 15 minutes later");
    assert_eq!(decide(&report, Some(&told), start + 86_400, 86_400), Decision::Reminder, "the same drift a day later");
    // A notification that failed is tried again: the target was told nothing.
    let failed = told_after(&report, None, false, start);
    assert!(matches!(decide(&report, Some(&failed), start + 900, 86_400), Decision::Changed { .. }));
}

#[test]
fn drift_below_the_threshold_or_ignored_is_never_notified_as_resolved_nor_again_as_new() {
    let start = epoch_of_day("2027-01-02T09:00:00Z");
    let everything = report_at("2027-01-02T09:00:00Z", None, Severity::Low);
    let told = told_after(&everything, None, true, start);
    // The threshold is raised: the medium drift is still there, so nothing is resolved.
    let critical = report_at("2027-01-02T09:15:00Z", None, Severity::Critical);
    assert_eq!(decide(&critical, Some(&told), start + 900, 86_400), Decision::Quiet);
    // A reminder goes out at the raised threshold; lowering it again is still no news.
    let reminded = told_after(&critical, Some(&told), true, start + 86_400);
    let lowered = report_at("2027-01-03T09:30:00Z", None, Severity::Low);
    assert_eq!(decide(&lowered, Some(&reminded), start + 86_400 + 900, 86_400), Decision::Quiet);
}

#[test]
fn drift_that_changes_at_the_same_address_is_notified_as_changed() {
    let start = epoch_of_day("2026-11-27T09:00:00Z");
    let report = report_at("2026-11-27T09:00:00Z", None, Severity::Low);
    let mut told = told_after(&report, None, true, start);
    let address = report.drift[0].address.clone();
    // As if the last notification had seen another difference on this resource.
    told.drift.get_mut(&address).expect("told").fingerprint = "0000000000000000".to_owned();
    match decide(&report, Some(&told), start + 900, 86_400) {
        Decision::Changed { new, changed, resolved } => {
            assert!(new.is_empty() && resolved.is_empty());
            assert_eq!(changed, [address]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn plaintext_secrets_stay_critical_when_moving_them_needs_a_person_and_so_does_a_string_parameter() {
    use holdfast_planner::drift::severity::of_change;
    use holdfast_planner::operation::Operation;
    use holdfast_planner::{Action, AttributeChange, Change, Kind};
    let change = |kind, address: &str, attributes| Change {
        address: address.to_owned(),
        kind,
        action: Action::Manual,
        label: None,
        attributes,
        flags: Vec::new(),
        source: "z360.toml:59".to_owned(),
        reason: Some("a person must decide".to_owned()),
        notes: Vec::new(),
        depends_on: Vec::new(),
        cost: None,
        operation: Operation::Manual,
    };
    let blocked = change(Kind::EcsService, "ecs.service/z360-beta-Cluster-x/z360-beta-web-y/secrets", Vec::new());
    assert_eq!(of_change(&blocked).0, Severity::Critical);
    let string = change(
        Kind::SsmParameter,
        "ssm.parameter/z360/beta/reverb/app-key",
        vec![AttributeChange::new("type", Some("String".to_owned()), Some("SecureString".to_owned()))],
    );
    assert_eq!(of_change(&string).0, Severity::Critical);
}

#[test]
fn a_torn_history_line_is_skipped_and_named_not_fatal() {
    let now = Now { rfc3339: "2026-11-27T09:00:00Z".to_owned(), epoch: 1 };
    let line = report_at("2026-11-27T09:00:00Z", None, Severity::Low).record(&now, Default::default()).to_line();
    let torn = format!("{line}{}", &line[..line.len() / 2]);
    let (memory, skipped) = holdfast_planner::drift::Memory::parse(&torn);
    assert_eq!(memory.records.len(), 1);
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].starts_with("line 2 "), "{skipped:?}");
}

#[test]
fn the_same_problem_in_two_entries_is_two_findings_and_fixing_one_shows() {
    let desired = load_sources(vec![SourceFile::new("drift.toml", DESIRED)]).expect("valid");
    let inventory = example();
    let mut plan = holdfast_planner::plan(&desired, &inventory);
    plan.errors.clear();
    let missing =
        |line: u32| holdfast_planner::Warning { message: "the KMS key alias/z360-phi does not exist".to_owned(), source: Some(format!("drift.toml:{line}")) };
    plan.errors.extend([missing(121), missing(126)]);
    let now = Now { rfc3339: "2026-11-27T09:00:00Z".to_owned(), epoch: 1 };
    let two = Report::new(&desired, &inventory, &plan, &now, None, Severity::Low);
    let errors: Vec<&str> = two.drift.iter().filter(|finding| finding.kind == "error").map(|finding| finding.address.as_str()).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_ne!(errors[0], errors[1]);
    // Moved to other lines by an edit: the same addresses.
    plan.errors = vec![missing(122), missing(127)];
    let moved = Report::new(&desired, &inventory, &plan, &now, None, Severity::Low);
    let moved: Vec<&str> = moved.drift.iter().filter(|finding| finding.kind == "error").map(|finding| finding.address.as_str()).collect();
    assert_eq!(moved, errors);
    // One fixed: one resolved.
    let record = two.record(&now, Default::default());
    plan.errors = vec![missing(121)];
    let one = Report::new(&desired, &inventory, &plan, &now, Some(&record), Severity::Low);
    assert_eq!(one.resolved.len(), 1, "{:?}", one.resolved);
}
