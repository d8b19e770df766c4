//! The security kinds: KMS keys, trails, GuardDuty, Security Hub, AWS Config, bucket
//! policies and load balancers to remove.

mod support;

use holdfast_inventory::cloudtrail::Trail;
use holdfast_inventory::config::{DeliveryChannel, Recorder};
use holdfast_inventory::elb::{Listener, LoadBalancer, TargetGroup};
use holdfast_inventory::guardduty::Detector;
use holdfast_inventory::securityhub::{Hub, Standard};
use holdfast_planner::operation::Operation;
use holdfast_planner::{Action, Change, Flag, Plan, plan};
use support::*;

const LOGS: &str = "[[s3.bucket]]\nname = \"logs\"\ndeliveries = [\"cloudtrail\", \"config\"]\nrequire_tls = true\n";
const TRAIL: &str = "[[cloudtrail.trail]]\nname = \"audit\"\nmulti_region = true\nlog_file_validation = true\nbucket = \"logs\"\nprefix = \"cloudtrail\"\n";

fn find<'a>(plan: &'a Plan, address: &str) -> &'a Change {
    change(plan, address)
}

fn change<'a>(plan: &'a Plan, address: &str) -> &'a Change {
    plan.changes.iter().find(|change| change.address == address).unwrap_or_else(|| panic!("no change at {address}: {:#?}", plan.changes))
}

fn trail(logging: bool) -> Trail {
    Trail {
        name: "audit".into(),
        arn: format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/audit"),
        home_region: REGION.into(),
        multi_region: true,
        log_file_validation: true,
        global_service_events: true,
        bucket: Some("logs".into()),
        prefix: Some("cloudtrail".into()),
        kms_key: None,
        logging: Some(logging),
    }
}

#[test]
fn a_new_trail_waits_for_its_buckets_policy_statements() {
    let plan = plan(&desired(&format!("{LOGS}\n{TRAIL}")), &inventory());
    assert!(!plan.has_errors(), "{:?}", plan.errors);
    let trail = change(&plan, "cloudtrail.trail/audit");
    assert_eq!(trail.action, Action::Create);
    assert_eq!(trail.depends_on, vec!["s3.bucket/logs".to_owned()]);
    let bucket = plan.changes.iter().position(|change| change.address == "s3.bucket/logs").expect("the bucket is created");
    let trail = plan.changes.iter().position(|change| change.address == "cloudtrail.trail/audit").expect("the trail");
    assert!(bucket < trail, "the bucket and its policy come first");
    let Operation::CreateBucket { policy: Some(policy), .. } = &change(&plan, "s3.bucket/logs").operation else { panic!("a bucket with a policy") };
    let write = policy.statements.iter().find(|statement| statement["Sid"] == "holdfast-cloudtrail-write").expect("the write statement");
    assert_eq!(write["Resource"], format!("arn:aws:s3:::logs/*AWSLogs/{ACCOUNT}/*"), "any prefix: trails of other regions write with it too");
    assert_eq!(write["Principal"]["Service"], "cloudtrail.amazonaws.com");
}

#[test]
fn a_trail_to_a_declared_bucket_without_the_delivery_is_a_plan_error() {
    let desired = desired(&format!("[[s3.bucket]]\nname = \"logs\"\nrequire_tls = true\n\n{TRAIL}"));
    let plan = plan(&desired, &inventory());
    assert!(plan.errors.iter().any(|error| error.message.contains("does not list \"cloudtrail\" in deliveries")), "{:?}", plan.errors);
}

#[test]
fn a_trail_someone_stopped_is_restarted_and_critical_drift() {
    let mut inventory = inventory();
    inventory.s3.names.push("logs".into());
    inventory.cloudtrail.trails.push(trail(false));
    let plan = plan(&desired(TRAIL), &inventory);
    let change = change(&plan, "cloudtrail.trail/audit");
    assert_eq!(change.action, Action::Update);
    assert!(matches!(&change.operation, Operation::UpdateTrail { settings: None, logging: Some(true), .. }), "{:?}", change.operation);
    let (severity, _) = holdfast_planner::drift::severity::of_change(change);
    assert_eq!(severity, holdfast_planner::drift::severity::Severity::Critical);
}

#[test]
fn a_trail_as_declared_plans_nothing() {
    let mut inventory = inventory();
    inventory.s3.names.push("logs".into());
    inventory.cloudtrail.trails.push(trail(true));
    let plan = plan(&desired(TRAIL), &inventory);
    assert!(plan.is_empty(), "{:#?}", plan.changes);
}

#[test]
fn a_trail_seen_from_another_region_is_left_alone() {
    let mut inventory = inventory();
    inventory.s3.names.push("logs".into());
    inventory.cloudtrail.trails.push(Trail { home_region: "eu-west-1".into(), ..trail(false) });
    let plan = plan(&desired(TRAIL), &inventory);
    assert!(plan.is_empty());
    assert!(plan.warnings.iter().any(|warning| warning.message.contains("plan it from its home region")), "{:?}", plan.warnings);
}

#[test]
fn guardduty_sends_every_feature_with_the_declared_ones_on_and_the_others_as_they_are() {
    let mut inventory = inventory();
    inventory.guardduty.detector = Some(Detector {
        id: "d1".into(),
        enabled: true,
        finding_frequency: Some("SIX_HOURS".into()),
        features: [("EKS_AUDIT_LOGS", "ENABLED"), ("S3_DATA_EVENTS", "DISABLED"), ("CLOUD_TRAIL", "ENABLED"), ("RUNTIME_MONITORING", "ENABLED")]
            .iter()
            .map(|(name, status)| ((*name).to_owned(), (*status).to_owned()))
            .collect(),
        additional: [("RUNTIME_MONITORING".to_owned(), [("EKS_ADDON_MANAGEMENT".to_owned(), "ENABLED".to_owned())].into_iter().collect())]
            .into_iter()
            .collect(),
    });
    let desired = desired("[guardduty]\nfinding_frequency = \"FIFTEEN_MINUTES\"\nfeatures = [\"S3_DATA_EVENTS\", \"RDS_LOGIN_EVENTS\"]\n");
    let plan = plan(&desired, &inventory);
    let change = change(&plan, &format!("guardduty.detector/{REGION}"));
    let Operation::UpdateDetector { features, finding_frequency, .. } = &change.operation else { panic!("{:?}", change.operation) };
    assert_eq!(finding_frequency.as_deref(), Some("FIFTEEN_MINUTES"));
    let expected: Vec<(String, String)> =
        [("EKS_AUDIT_LOGS", "ENABLED"), ("RDS_LOGIN_EVENTS", "ENABLED"), ("RUNTIME_MONITORING", "ENABLED"), ("S3_DATA_EVENTS", "ENABLED")]
            .iter()
            .map(|(name, status)| ((*name).to_owned(), (*status).to_owned()))
            .collect();
    assert_eq!(features, &expected, "undeclared features keep their status; foundational sources are never sent");
    let Operation::UpdateDetector { additional, .. } = &change.operation else { unreachable!() };
    assert_eq!(additional, &[("RUNTIME_MONITORING".to_owned(), "EKS_ADDON_MANAGEMENT".to_owned(), "ENABLED".to_owned())], "additional settings are sent back");
}

#[test]
fn turning_guardduty_off_is_a_deletion_that_loses_findings() {
    let mut inventory = inventory();
    inventory.guardduty.detector =
        Some(Detector { id: "d1".into(), enabled: true, finding_frequency: None, features: Default::default(), additional: Default::default() });
    let plan = plan(&desired("[guardduty]\nenabled = false\n"), &inventory);
    let change = change(&plan, &format!("guardduty.detector/{REGION}"));
    assert_eq!(change.action, Action::Delete);
    assert!(change.flags.contains(&Flag::DeletesData));
}

#[test]
fn security_hub_enables_only_the_declared_standards_missing() {
    let fsbp = format!("arn:aws:securityhub:{REGION}::standards/aws-foundational-security-best-practices/v/1.0.0");
    let cis = format!("arn:aws:securityhub:{REGION}::standards/cis-aws-foundations-benchmark/v/1.4.0");
    let mut inventory = inventory();
    let standard = |arn: &str| Standard { standards_arn: arn.to_owned(), subscription_arn: format!("{arn}/s"), status: "READY".into() };
    inventory.securityhub.hub = Some(Hub { arn: "hub".into(), standards: Some(vec![standard(&cis)]) });
    let desired = desired("[securityhub]\nstandards = [\"aws-foundational-security-best-practices/v/1.0.0\"]\n");
    let plan = plan(&desired, &inventory);
    let change = change(&plan, &format!("securityhub.hub/{REGION}"));
    assert!(matches!(&change.operation, Operation::EnableStandards { standards } if standards == std::slice::from_ref(&fsbp)), "{:?}", change.operation);
    inventory.securityhub.hub = Some(Hub { arn: "hub".into(), standards: Some(vec![standard(&cis), standard(&fsbp)]) });
    assert!(plan_of(&desired, &inventory).is_empty(), "CIS is left as it is");
}

fn plan_of(desired: &holdfast_desired::Desired, inventory: &holdfast_inventory::Inventory) -> Plan {
    plan(desired, inventory)
}

#[test]
fn a_config_recorder_that_stopped_recording_is_started_and_its_channel_kept() {
    let mut inventory = inventory();
    inventory.s3.names.push("logs".into());
    inventory.config.recorders.push(Recorder {
        name: "default".into(),
        role_arn: Some("arn:aws:iam::1:role/r".into()),
        all_supported: true,
        include_global_resources: true,
        recording: false,
        ..Recorder::default()
    });
    inventory.config.channels.push(DeliveryChannel {
        name: "default".into(),
        bucket: Some("logs".into()),
        prefix: Some("config".into()),
        sns_topic_arn: Some("arn:aws:sns:us-east-1:1:config".into()),
        snapshot_frequency: Some("Six_Hours".into()),
        ..DeliveryChannel::default()
    });
    let desired_text = "[config]\nall_supported = true\ninclude_global_resources = true\nbucket = \"logs\"\nprefix = \"config\"\n";
    let plan = plan(&desired(desired_text), &inventory);
    let change = change(&plan, &format!("config.recorder/{REGION}"));
    assert!(matches!(&change.operation, Operation::SetConfigRecorder { recorder: None, channel: None, recording: Some(true) }), "{:?}", change.operation);

    // A new prefix puts the channel again, with the settings nobody declared carried over.
    let moved = plan_of(&desired(&desired_text.replace("prefix = \"config\"", "prefix = \"cfg\"")), &inventory);
    let Operation::SetConfigRecorder { channel: Some(channel), .. } = &find(&moved, &format!("config.recorder/{REGION}")).operation else {
        panic!("a channel put")
    };
    assert_eq!(channel.prefix.as_deref(), Some("cfg"));
    assert_eq!(channel.sns_topic_arn.as_deref(), Some("arn:aws:sns:us-east-1:1:config"));
    assert_eq!(channel.snapshot_frequency.as_deref(), Some("Six_Hours"));
}

#[test]
fn a_protected_load_balancer_is_a_manual_step_unless_the_entry_turns_protection_off() {
    let mut inventory = inventory();
    inventory.elb.load_balancers.push(LoadBalancer {
        name: "AppLoadbalancer".into(),
        arn: "arn:lb".into(),
        kind: "application".into(),
        dns_name: None,
        deletion_protection: true,
        listeners: Some(vec![Listener { port: Some(443), protocol: Some("HTTPS".into()) }]),
        target_groups: Some(vec![TargetGroup { name: "web".into(), arn: "arn:tg".into(), registered_targets: 2 }]),
    });
    let plan = plan(&desired("[[elb.load_balancer]]\nname = \"AppLoadbalancer\"\nensure = \"absent\"\n"), &inventory);
    let change = change(&plan, "elb.load_balancer/AppLoadbalancer");
    assert_eq!(change.action, Action::Manual);
    assert!(matches!(change.operation, Operation::Manual));
    assert!(change.notes.iter().any(|note| note.contains("2 targets are still registered")), "{:?}", change.notes);

    // Saying deletion_protection = false turns it off in the deletion itself: one change, so
    // no apply stops between the two and leaves it unprotected and serving.
    let unprotected = plan_of(&desired("[[elb.load_balancer]]\nname = \"AppLoadbalancer\"\nensure = \"absent\"\ndeletion_protection = false\n"), &inventory);
    assert_eq!(unprotected.changes.len(), 1, "{:#?}", unprotected.changes);
    let delete = find(&unprotected, "elb.load_balancer/AppLoadbalancer");
    assert_eq!(delete.action, Action::Delete);
    assert!(matches!(delete.operation, Operation::DeleteLoadBalancer { turn_off_protection: true, .. }));
    assert_eq!(delete.attributes[0].name, "deletion_protection");
}

#[test]
fn a_key_alias_that_neither_exists_nor_is_declared_is_a_plan_error() {
    let text = "[[s3.bucket]]\nname = \"data\"\nencryption = { algorithm = \"aws:kms\", kms_key = \"alias/missing\" }\n";
    let mut inventory = inventory();
    add_bucket(&mut inventory, "data", None, None, None);
    inventory.s3.names.push("data".into());
    let plan = plan(&desired(text), &inventory);
    assert!(plan.errors.iter().any(|error| error.message.contains("alias/missing") && error.message.contains("no [[kms.key]] declares")), "{:?}", plan.errors);

    // Declared, it is created first and the bucket waits for it.
    let plan = plan_of(&desired(&format!("{text}\n[[kms.key]]\nalias = \"alias/missing\"\nrotation = true\n")), &inventory);
    assert!(!plan.has_errors(), "{:?}", plan.errors);
    assert_eq!(change(&plan, "kms.key/alias/missing").action, Action::Create);
    assert_eq!(change(&plan, "s3.bucket/data").depends_on, vec!["kms.key/alias/missing".to_owned()]);
}

#[test]
fn a_key_declared_absent_is_scheduled_for_deletion_naming_what_it_still_encrypts() {
    let mut inventory = inventory();
    add_alias(&mut inventory, "alias/old", "k1");
    add_bucket(&mut inventory, "data", Some(sse_kms(&key_arn("k1"), true)), None, None);
    let plan = plan(&desired("[[kms.key]]\nalias = \"alias/old\"\nensure = \"absent\"\n"), &inventory);
    let change = change(&plan, "kms.key/alias/old");
    assert_eq!(change.action, Action::Delete);
    assert!(matches!(&change.operation, Operation::ScheduleKeyDeletion { key_id, .. } if key_id == "k1"));
    assert!(change.reason.as_deref().is_some_and(|reason| reason.contains("bucket data")), "{:?}", change.reason);
}

#[test]
fn a_declared_key_pending_deletion_is_restored() {
    let mut inventory = inventory();
    add_alias(&mut inventory, "alias/phi", "k1");
    inventory.kms.keys[0].state = Some("PendingDeletion".into());
    let plan = plan(&desired("[[kms.key]]\nalias = \"alias/phi\"\n"), &inventory);
    assert!(matches!(&change(&plan, "kms.key/alias/phi").operation, Operation::UpdateKey { restore: true, .. }));
}

#[test]
fn foreign_policy_statements_are_counted_and_never_in_the_plan() {
    let mut inventory = inventory();
    add_bucket(&mut inventory, "logs", None, None, None);
    inventory.s3.buckets[0].policy = Some(r#"{"Version":"2012-10-17","Statement":[{"Sid":"TeamRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}]}"#.into());
    let plan = plan(&desired("[[s3.bucket]]\nname = \"logs\"\nrequire_tls = true\n"), &inventory);
    let change = change(&plan, "s3.bucket/logs");
    assert!(change.notes.iter().any(|note| note.contains("1 other policy statement is kept")), "{:?}", change.notes);
    let Operation::UpdateBucket { policy: Some(policy), .. } = &change.operation else { panic!("{:?}", change.operation) };
    assert_eq!(policy.statements.len(), 1);
    assert_eq!(policy.statements[0]["Sid"], "holdfast-require-tls");
    assert!(!serde_json::to_string(&plan).unwrap_or_default().contains("TeamRead"), "the plan carries only holdfast's statements");
}

#[test]
fn a_live_trail_no_entry_declares_blocks_removing_its_statements_and_its_bucket() {
    let mut inventory = inventory();
    add_bucket(&mut inventory, "logs", None, None, None);
    inventory.cloudtrail.trails.push(Trail { name: "legacy".into(), prefix: Some("old".into()), ..trail(true) });
    let plan = plan(&desired("[[s3.bucket]]\nname = \"logs\"\ndeliveries = [\"cloudtrail\"]\n"), &inventory);
    let Operation::UpdateBucket { policy: Some(policy), .. } = &change(&plan, "s3.bucket/logs").operation else { panic!("a policy") };

    // Once written, leaving cloudtrail out of deliveries would cut the live trail off.
    inventory.s3.buckets[0].policy = Some(serde_json::json!({ "Version": "2012-10-17", "Statement": policy.statements }).to_string());
    let plan = plan_of(&desired("[[s3.bucket]]\nname = \"logs\"\ndeliveries = []\n"), &inventory);
    assert!(plan.errors.iter().any(|error| error.message.contains("the trail legacy still delivers there")), "{:?}", plan.errors);
    assert!(!plan.changes.iter().any(|change| change.address == "s3.bucket/logs"), "nothing planned for the bucket");

    // Nor is the bucket deleted under it.
    inventory.s3.buckets[0].empty = Some(true);
    let plan = plan_of(&desired("[[s3.bucket]]\nname = \"logs\"\nensure = \"absent\"\n"), &inventory);
    assert!(
        plan.errors.iter().any(|error| error.message.contains("marked ensure = \"absent\", but the trail legacy still delivers there")),
        "{:?}",
        plan.errors
    );
}

#[test]
fn stopping_a_trail_is_flagged_as_stopping_an_audit_log() {
    let mut inventory = inventory();
    inventory.s3.names.push("logs".into());
    inventory.cloudtrail.trails.push(trail(true));
    let plan = plan(&desired(&format!("{TRAIL}logging = false\n")), &inventory);
    assert!(change(&plan, "cloudtrail.trail/audit").flags.contains(&Flag::StopsAudit));
    assert!(holdfast_planner::render::text(&plan, false).contains("stops an audit log; apply needs --allow-delete"));
}

#[test]
fn excluding_a_bucket_leaves_out_the_trail_that_delivers_there() {
    let plan = plan(&desired(&format!("{LOGS}\n{TRAIL}")), &inventory());
    let excluded = plan.select(&[], &[holdfast_desired::NameGlob::new("s3.bucket/*").expect("a glob")]);
    assert!(excluded.changes.iter().all(|change| change.address != "cloudtrail.trail/audit"), "{:#?}", excluded.changes);
    assert!(excluded.warnings.iter().any(|warning| warning.message.contains("cloudtrail.trail/audit is left out too")), "{:?}", excluded.warnings);
}

#[test]
fn a_trail_into_a_bucket_declared_absent_is_a_plan_error() {
    let mut inventory = inventory();
    add_bucket(&mut inventory, "logs", None, None, Some(true));
    inventory.s3.names.push("logs".into());
    let plan = plan(&desired(&format!("[[s3.bucket]]\nname = \"logs\"\nensure = \"absent\"\n\n{TRAIL}")), &inventory);
    assert!(plan.errors.iter().any(|error| error.message.contains("marks ensure = \"absent\"")), "{:?}", plan.errors);
}

#[test]
fn a_parameter_under_a_key_the_plan_creates_waits_for_it() {
    let desired = desired(
        "[[kms.key]]\nalias = \"alias/app\"\n\n[[ssm.parameter]]\nname = \"/app/secret\"\ntype = \"SecureString\"\nkms_key = \"alias/app\"\nvalue = { env = \"APP_SECRET\" }\n",
    );
    let inventory = inventory();
    let plan = holdfast_planner::plan_with_environment(&desired, &inventory, |_| Some("s3cr3t".to_owned()));
    assert_eq!(change(&plan, "ssm.parameter/app/secret").depends_on, vec!["kms.key/alias/app".to_owned()]);
}

#[test]
fn a_declared_key_a_trail_uses_gets_cloudtrails_statements_in_its_policy() {
    let mut inventory = inventory();
    add_alias(&mut inventory, "alias/logs", "k1");
    inventory.kms.keys[0].policy = Some(format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"kms:*","Resource":"*"}}]}}"#
    ));
    inventory.s3.names.push("logs".into());
    let text = format!("[[kms.key]]\nalias = \"alias/logs\"\n\n{TRAIL}kms_key = \"alias/logs\"\n");
    let plan = plan(&desired(&text), &inventory);
    assert!(!plan.has_errors(), "{:?}", plan.errors);
    let Operation::UpdateKey { policy: Some(policy), .. } = &change(&plan, "kms.key/alias/logs").operation else { panic!("a key policy change") };
    assert!(policy.statements.iter().any(|statement| statement["Principal"]["Service"] == "cloudtrail.amazonaws.com"));
    assert!(change(&plan, "cloudtrail.trail/audit").depends_on.contains(&"kms.key/alias/logs".to_owned()));
}

#[test]
fn a_trail_key_whose_policy_denies_everyone_is_a_plan_error() {
    let mut inventory = inventory();
    add_alias(&mut inventory, "alias/locked", "k1");
    let statements = serde_json::json!([
        { "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": "kms:GenerateDataKey*", "Resource": "*" },
        { "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*" },
    ]);
    inventory.kms.keys[0].policy = Some(serde_json::json!({ "Version": "2012-10-17", "Statement": statements }).to_string());
    inventory.s3.names.push("logs".into());
    let plan = plan(&desired(&format!("{TRAIL}kms_key = \"alias/locked\"\n")), &inventory);
    assert!(plan.errors.iter().any(|error| error.message.contains("does not let cloudtrail.amazonaws.com use it")), "{:?}", plan.errors);
}

#[test]
fn statements_a_trail_being_deleted_writes_with_go_only_after_it() {
    let mut inventory = inventory();
    add_bucket(&mut inventory, "logs", None, None, None);
    inventory.s3.names.push("logs".into());
    inventory.cloudtrail.trails.push(trail(true));
    let plan = plan(&desired("[[s3.bucket]]\nname = \"logs\"\ndeliveries = [\"cloudtrail\"]\n"), &inventory);
    let Operation::UpdateBucket { policy: Some(policy), .. } = &change(&plan, "s3.bucket/logs").operation else { panic!("a policy") };
    inventory.s3.buckets[0].policy = Some(serde_json::json!({ "Version": "2012-10-17", "Statement": policy.statements }).to_string());

    let text = "[[s3.bucket]]\nname = \"logs\"\ndeliveries = []\n\n[[cloudtrail.trail]]\nname = \"audit\"\nensure = \"absent\"\n";
    let plan = plan_of(&desired(text), &inventory);
    assert!(!plan.has_errors(), "{:?}", plan.errors);
    assert_eq!(change(&plan, "s3.bucket/logs").depends_on, vec!["cloudtrail.trail/audit".to_owned()], "skipped with the trail's deletion");
}

#[test]
fn one_key_declared_absent_under_one_alias_and_present_under_another_is_a_plan_error() {
    let mut inventory = inventory();
    add_alias(&mut inventory, "alias/a", "k1");
    add_alias(&mut inventory, "alias/b", "k1");
    let plan = plan(&desired("[[kms.key]]\nalias = \"alias/a\"\nensure = \"absent\"\n\n[[kms.key]]\nalias = \"alias/b\"\n"), &inventory);
    assert!(plan.errors.iter().any(|error| error.message.contains("names the same key as alias/b")), "{:?}", plan.errors);
    assert!(plan.changes.is_empty());
}

#[test]
fn a_key_left_unnamed_by_an_interrupted_apply_is_adopted_in_the_plan() {
    let mut inventory = inventory();
    inventory.kms.orphans.push(holdfast_inventory::kms::Orphan { alias: "alias/phi".into(), key_id: "k9".into(), state: "PendingDeletion".into() });
    let plan = plan(&desired("[[kms.key]]\nalias = \"alias/phi\"\n"), &inventory);
    let change = change(&plan, "kms.key/alias/phi");
    assert!(matches!(&change.operation, Operation::CreateKey { adopt: Some(id), .. } if id == "k9"), "{:?}", change.operation);
    assert!(
        change
            .attributes
            .iter()
            .any(|attribute| attribute.after.as_deref().is_some_and(|after| after.contains("adopts k9") && after.contains("PendingDeletion")))
    );
    inventory.kms.orphans.push(holdfast_inventory::kms::Orphan { alias: "alias/phi".into(), key_id: "k8".into(), state: "Enabled".into() });
    let plan = plan_of(&desired("[[kms.key]]\nalias = \"alias/phi\"\n"), &inventory);
    assert_eq!(find(&plan, "kms.key/alias/phi").action, Action::Manual, "two candidates: a person picks");
}

#[test]
fn a_new_recorder_declared_not_recording_is_not_started_nor_flagged() {
    let mut inventory = inventory();
    inventory.s3.names.push("logs".into());
    let plan = plan(&desired("[config]\nbucket = \"logs\"\nrecording = false\n"), &inventory);
    let change = change(&plan, &format!("config.recorder/{REGION}"));
    assert!(matches!(&change.operation, Operation::SetConfigRecorder { recording: None, .. }), "{:?}", change.operation);
    assert!(!change.flags.contains(&Flag::StopsAudit));
}
