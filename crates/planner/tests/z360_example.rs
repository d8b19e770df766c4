//! The shipped example: the z360 account before the sprint against its desired state.
//! Snapshot tests of every rendering, so a change in what users read is reviewed.

use std::path::Path;

use holdfast_desired::{Desired, SourceFile};
use holdfast_inventory::Inventory;
use holdfast_planner::{Action, Change, Kind, Plan, plan, render};

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)).expect("a shipped file")
}

fn z360() -> (Desired, Inventory) {
    let path = "desired-state/z360.toml";
    let desired = holdfast_desired::load_sources(vec![SourceFile::new(path, repo_file(path))]).expect("the shipped desired state is valid");
    let inventory = Inventory::from_snapshot(&repo_file("examples/z360-before-sprint.json")).expect("the shipped snapshot reads");
    (desired, inventory)
}

fn z360_plan() -> Plan {
    let (desired, inventory) = z360();
    plan(&desired, &inventory)
}

#[test]
fn example_shows_every_kind_of_drift_the_seeds_describe() {
    let plan = z360_plan();
    let has = |kind: Kind, action: Action| plan.changes.iter().any(|change| change.kind == kind && change.action == action);
    assert!(has(Kind::EcsService, Action::Update), "Fargate Spot and secrets");
    assert!(has(Kind::EcsCluster, Action::Update), "capacity providers");
    assert!(has(Kind::SsmParameter, Action::Create), "REVERB secrets into SSM");
    assert!(has(Kind::AuroraCluster, Action::Update), "ACU limits");
    let migrations = plan.changes.iter().filter(|change| change.migration_step().is_some_and(|(_, step)| step == "restore")).count();
    assert_eq!(migrations, 4, "storage encryption: a migration of each cluster");
    assert!(plan.errors.is_empty(), "{:#?}", plan.errors);
    assert!(has(Kind::S3Bucket, Action::Update), "lifecycle and SSE-KMS");
    assert!(has(Kind::S3Bucket, Action::Create), "the security logs bucket");
    assert!(has(Kind::S3Bucket, Action::Delete), "the orphaned zscribe bucket");
    assert!(has(Kind::VpcFlowLog, Action::Create), "flow logs");
    assert_eq!(plan.changes.iter().filter(|change| change.kind == Kind::VpcFlowLog).count(), 5, "one per VPC");
    assert_eq!(plan.changes.iter().filter(|change| change.kind == Kind::SsmParameter).count(), 4);
    assert!(plan.warnings.is_empty(), "{:#?}", plan.warnings);
    // The realtime services run on launch type FARGATE, which is the on-demand strategy
    // they declare: no strategy change, so no redeployment that would drop their calls.
    let realtime: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|change| ["beta-reverb", "beta-web", "beta-voice", "beta-gateway"].iter().any(|name| change.address.contains(name)))
        .collect();
    for change in &realtime {
        assert!(change.attributes.iter().all(|attribute| attribute.name != "capacity_provider_strategy"), "{}: {:#?}", change.address, change.attributes);
    }
    let changed: Vec<&str> = realtime.iter().map(|change| change.address.as_str()).collect();
    assert!(changed.iter().all(|address| address.contains("z360-beta-")), "only the beta services change, for their secrets: {changed:?}");
}

#[test]
fn text_rendering() {
    insta::assert_snapshot!(render::text(&z360_plan(), false));
}

#[test]
fn coloured_text_differs_only_by_ansi_styles() {
    let plan = z360_plan();
    let coloured = render::text(&plan, true);
    assert!(coloured.contains("\u{1b}["), "colour was asked for");
    let stripped: String = strip_ansi(&coloured);
    assert_eq!(stripped, render::text(&plan, false));
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn json_rendering() {
    insta::assert_snapshot!(z360_plan().to_json());
}

#[test]
fn markdown_rendering() {
    insta::assert_snapshot!(render::markdown(&z360_plan()));
}

#[test]
fn plan_file_round_trips() {
    let plan = z360_plan();
    assert_eq!(Plan::from_json(&plan.to_json()).expect("the plan file reads back"), plan);
}

#[test]
fn same_input_gives_byte_identical_output_whatever_the_read_order() {
    let (desired, inventory) = z360();
    let first = plan(&desired, &inventory).to_json();
    let mut shuffled = inventory.clone();
    shuffled.ecs.clusters.reverse();
    for cluster in &mut shuffled.ecs.clusters {
        cluster.services.reverse();
    }
    shuffled.ecs.task_definitions.reverse();
    shuffled.s3.buckets.reverse();
    shuffled.vpc.vpcs.rotate_left(2);
    assert_eq!(plan(&desired, &shuffled).to_json(), first);
    assert_eq!(plan(&desired, &inventory).to_json(), first);
}

#[test]
fn snapshot_reads_back_to_the_same_bytes() {
    let text = repo_file("examples/z360-before-sprint.json");
    let inventory = Inventory::from_snapshot(&text).expect("the shipped snapshot reads");
    assert_eq!(inventory.to_snapshot(), text, "the example is in the canonical snapshot form");
}

#[test]
fn target_keeps_what_the_targeted_change_depends_on() {
    let glob = |pattern: &str| holdfast_desired::NameGlob::new(pattern).expect("a glob");
    let plan = z360_plan().select(&[glob("ecs.service/z360-staging-*/z360-staging-web-*")], &[]);
    let addresses: Vec<&str> = plan.changes.iter().map(|change| change.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "ssm.parameter/z360/staging/reverb/app-key",
            "ssm.parameter/z360/staging/reverb/app-secret",
            "ecs.service/z360-staging-Cluster-rTtLLOHCi694/z360-staging-web-Service-NVLWiAgNh0UF"
        ]
    );
    assert_eq!(plan.summary.total(), 3);

    let excluded = z360_plan().select(&[], &[glob("aurora.*"), glob("ssm.*")]);
    assert!(excluded.changes.iter().all(|change| !change.address.starts_with("aurora.")));
    assert!(
        excluded.warnings.iter().any(|warning| warning.message.contains("which --exclude leaves out")),
        "services that need the excluded parameters say so"
    );
}
