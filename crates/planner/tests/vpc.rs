//! VPC flow logs.

mod support;

use holdfast_planner::operation::Operation;
use holdfast_planner::{Action, Flag, plan};
use support::*;

const ALL_VPCS: &str = "[[vpc.flow_logs]]\nvpc = \"*\"\ndestination = \"s3://z360-security-logs/flow-logs/\"\ntraffic = \"ALL\"\n";

#[test]
fn every_vpc_without_the_flow_log_gets_one_after_its_bucket() {
    let desired = desired(&format!("{ALL_VPCS}\n[[s3.bucket]]\nname = \"z360-security-logs\"\n"));
    let mut inventory = inventory();
    add_vpc(&mut inventory, "vpc-1", Some("copilot-z360-staging"), Vec::new());
    add_vpc(&mut inventory, "vpc-2", None, Vec::new());
    let plan = plan(&desired, &inventory);
    let flow_logs: Vec<_> = plan.changes.iter().filter(|change| change.address.starts_with("vpc.flow_log/")).collect();
    assert_eq!(flow_logs.len(), 2);
    assert_eq!(flow_logs[0].address, "vpc.flow_log/vpc-1/z360-security-logs/flow-logs");
    assert_eq!(flow_logs[0].label.as_deref(), Some("copilot-z360-staging"));
    assert_eq!(flow_logs[1].label.as_deref(), Some("default VPC"));
    assert_eq!(flow_logs[0].action, Action::Create);
    assert_eq!(flow_logs[0].depends_on, vec!["s3.bucket/z360-security-logs".to_owned()]);
    assert!(
        matches!(&flow_logs[0].operation, Operation::CreateFlowLog { destination, replaces: None, .. } if destination == "arn:aws:s3:::z360-security-logs/flow-logs")
    );
}

#[test]
fn trailing_slash_and_arn_spelling_are_the_same_destination() {
    let desired = desired(ALL_VPCS);
    let mut inventory = inventory();
    add_vpc(&mut inventory, "vpc-1", Some("a"), vec![s3_flow_log("fl-1", "arn:aws:s3:::z360-security-logs/flow-logs/", "ALL")]);
    add_vpc(&mut inventory, "vpc-2", Some("b"), vec![s3_flow_log("fl-2", "arn:aws:s3:::z360-security-logs/flow-logs", "ALL")]);
    assert!(plan(&desired, &inventory).is_empty());
}

#[test]
fn different_traffic_type_replaces_the_flow_log() {
    let desired = desired(ALL_VPCS);
    let mut inventory = inventory();
    add_vpc(&mut inventory, "vpc-1", Some("a"), vec![s3_flow_log("fl-1", "arn:aws:s3:::z360-security-logs/flow-logs", "REJECT")]);
    let plan = plan(&desired, &inventory);
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Replace);
    assert_eq!(change.flags, vec![Flag::ForcesReplacement]);
    assert!(matches!(&change.operation, Operation::CreateFlowLog { replaces: Some(id), traffic_type, .. } if id == "fl-1" && traffic_type == "ALL"));
}

#[test]
fn vpc_selected_by_name_and_flow_logs_to_elsewhere_are_left_alone() {
    let desired = desired("[[vpc.flow_logs]]\nvpc = \"copilot-*\"\ndestination = \"s3://logs\"\n");
    let mut inventory = inventory();
    add_vpc(&mut inventory, "vpc-1", Some("copilot-z360-beta"), vec![s3_flow_log("fl-9", "arn:aws:s3:::other-bucket", "ALL")]);
    add_vpc(&mut inventory, "vpc-2", Some("legacy"), Vec::new());
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].action, Action::Create);
    assert_eq!(plan.changes[0].address, "vpc.flow_log/vpc-1/logs");
}

#[test]
fn a_second_flow_log_to_the_destination_is_deleted_only_when_holdfast_replaced_it() {
    let desired = desired(ALL_VPCS);
    let declared = |id: &str, replaced: Option<&str>| {
        let mut flow_log = s3_flow_log(id, "arn:aws:s3:::z360-security-logs/flow-logs", "ALL");
        flow_log.tags = replaced.map(|old| tags(&[("holdfast:replaces", old)])).unwrap_or_default();
        flow_log
    };
    let other = s3_flow_log("fl-old", "arn:aws:s3:::z360-security-logs/flow-logs", "REJECT");

    // Someone else's second flow log to the same destination: left alone.
    let mut someone_elses = inventory();
    add_vpc(&mut someone_elses, "vpc-1", Some("a"), vec![declared("fl-new", None), other.clone()]);
    assert!(plan(&desired, &someone_elses).is_empty());

    // The one an interrupted replacement left: deleted, with --allow-delete.
    let mut interrupted = inventory();
    add_vpc(&mut interrupted, "vpc-1", Some("a"), vec![declared("fl-new", Some("fl-old")), other]);
    let plan = plan(&desired, &interrupted);
    assert_eq!(plan.changes.len(), 1, "{:#?}", plan.changes);
    assert_eq!(plan.changes[0].action, Action::Delete);
    assert!(matches!(&plan.changes[0].operation, Operation::DeleteFlowLog { flow_log_id, .. } if flow_log_id == "fl-old"));
}

#[test]
fn a_replacement_carries_every_undeclared_setting_and_names_what_it_replaces() {
    let desired = desired(ALL_VPCS);
    let mut inventory = inventory();
    let mut old = s3_flow_log("fl-1", "arn:aws:s3:::z360-security-logs/flow-logs", "REJECT");
    old.max_aggregation_interval = 60;
    old.log_format = Some("${version} ${srcaddr}".into());
    old.tags = tags(&[("team", "security")]);
    add_vpc(&mut inventory, "vpc-1", Some("a"), vec![old]);
    let plan = plan(&desired, &inventory);
    let Operation::CreateFlowLog { max_aggregation_interval, log_format, tags, replaces, .. } = &plan.changes[0].operation else {
        panic!("{:#?}", plan.changes)
    };
    assert_eq!((*max_aggregation_interval, log_format.as_deref(), replaces.as_deref()), (Some(60), Some("${version} ${srcaddr}"), Some("fl-1")));
    assert_eq!(tags, &vec![("team".to_owned(), "security".to_owned()), ("holdfast:replaces".to_owned(), "fl-1".to_owned())]);
}
