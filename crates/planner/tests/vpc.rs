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
