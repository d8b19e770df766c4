//! Aurora Serverless v2 capacity, and encryption that only a replacement can change.

mod support;

use holdfast_planner::operation::Operation;
use holdfast_planner::{Action, Flag, plan};
use support::*;

#[test]
fn max_acu_is_lowered_in_place() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"z360-staging-*\"\nmin_acu = 0.5\nmax_acu = 4\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "z360-staging-db-1", 0.5, 8.0, None);
    add_aurora(&mut inventory, "z360-agent-layer-staging-db-1", 0.5, 8.0, None);
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes.len(), 1, "the glob must not catch z360-agent-layer-staging-*");
    let change = &plan.changes[0];
    assert_eq!(change.address, "aurora.cluster/z360-staging-db-1");
    assert_eq!(change.action, Action::Update);
    assert_eq!((change.attributes[0].before.as_deref(), change.attributes[0].after.as_deref()), (Some("8"), Some("4")));
    assert_eq!(change.operation, Operation::ModifyAuroraCapacity { cluster: "z360-staging-db-1".into(), min_acu: 0.5, max_acu: 4.0 });
}

#[test]
fn storage_encryption_is_a_replacement_never_an_update() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-*\"\nmax_acu = 4\nstorage_encrypted = true\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes.len(), 2);
    let (capacity, encryption) = (&plan.changes[0], &plan.changes[1]);
    assert_eq!(capacity.action, Action::Update);
    assert_eq!(encryption.address, "aurora.cluster/db-1/encryption");
    assert_eq!(encryption.action, Action::Replace);
    assert_eq!(encryption.flags, vec![Flag::ForcesReplacement, Flag::DeletesData]);
    assert!(encryption.reason.as_deref().is_some_and(|reason| reason.contains("only be chosen when a cluster is created")));
    assert_eq!(encryption.depends_on, vec![capacity.address.clone()]);
    assert!(matches!(&encryption.operation, Operation::ReplaceAuroraEncrypted { storage_encrypted: true, kms_key: Some(key), .. } if key == "alias/aws/rds"));
}

#[test]
fn key_named_by_alias_matches_the_key_arn_aws_reports() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-*\"\nstorage_encrypted = true\nkms_key = \"alias/z360-phi\"\n");
    let mut inventory = inventory();
    add_alias(&mut inventory, "alias/z360-phi", "k-123");
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, Some(&key_arn("k-123")));
    assert!(plan(&desired, &inventory).is_empty());

    inventory.aurora.clusters[0].kms_key_id = Some(key_arn("k-other"));
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].action, Action::Replace);
    assert!(plan.changes[0].reason.as_deref().is_some_and(|reason| reason.contains("key of an encrypted cluster cannot be changed")));
}

#[test]
fn unset_fields_are_not_managed() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-*\"\nmax_acu = 8\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 2.0, 8.0, None);
    assert!(plan(&desired, &inventory).is_empty(), "min_acu and encryption were not declared, so they are not drift");
}
