//! Aurora Serverless v2 capacity, and encryption that only a replacement can change.

mod support;

use holdfast_inventory::aurora::{self, Scaling};
use holdfast_planner::operation::Operation;
use holdfast_planner::{Action, Flag, plan};
use support::*;

#[test]
fn max_acu_is_lowered_in_place() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"z360-staging-*\"\nmin_acu = 0.5\nmax_acu = 4\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "z360-staging-db-1", 0.5, 8.0, None);
    add_aurora(&mut inventory, "z360-agent-layer-staging-db-1", 0.5, 8.0, None);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert_eq!(plan.changes.len(), 1, "the glob must not catch z360-agent-layer-staging-*");
    let change = &plan.changes[0];
    assert_eq!(change.address, "aurora.cluster/z360-staging-db-1");
    assert_eq!(change.action, Action::Update);
    assert_eq!((change.attributes[0].before.as_deref(), change.attributes[0].after.as_deref()), (Some("8"), Some("4")));
    assert_eq!(change.operation, Operation::ModifyAuroraCapacity { cluster: "z360-staging-db-1".into(), min_acu: 0.5, max_acu: 4.0 });
}

#[test]
fn storage_encryption_is_a_migration_chain_that_never_touches_the_source() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-*\"\nmax_acu = 4\nstorage_encrypted = true\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    inventory.aurora.clusters[0].tags = tags(&[("team", "data"), ("aws:cloudformation:stack-name", "z360")]);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(!plan.has_errors(), "{:?}", plan.errors);
    let addresses: Vec<&str> = plan.changes.iter().map(|change| change.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "aurora.cluster/db-1",
            "aurora.cluster/db-1/encryption/snapshot",
            "aurora.cluster/db-1/encryption/restore",
            "aurora.cluster/db-1/encryption/instances",
            "aurora.cluster/db-1/encryption/cutover"
        ]
    );
    let steps = &plan.changes[1..];
    for pair in steps.windows(2) {
        assert_eq!(pair[1].depends_on, vec![pair[0].address.clone()], "each step after the one before");
    }
    for step in &steps[..3] {
        assert_eq!((step.action, step.flags.as_slice()), (Action::Create, [Flag::ForcesReplacement].as_slice()), "{}", step.address);
    }
    assert_eq!(steps[3].action, Action::Manual);
    // Only ever new resources, named for the migration: nothing modifies or deletes db-1.
    let migration_tags = |step: &str| -> Vec<(String, String)> {
        vec![("team".into(), "data".into()), ("holdfast:encrypts".into(), "db-1".into()), ("holdfast:migration-step".into(), step.into())]
    };
    assert_eq!(
        steps[0].operation,
        Operation::SnapshotForEncryption {
            cluster: "db-1".into(),
            snapshot: "db-1-encryption-snapshot".into(),
            kms_key: "alias/aws/rds".into(),
            tags: migration_tags("snapshot")
        }
    );
    let Operation::RestoreEncryptedCluster { source, snapshot, cluster, kms_key, settings, scaling, tags, engine_version, .. } = &steps[1].operation else {
        panic!("{:?}", steps[1].operation)
    };
    assert_eq!((source.as_str(), snapshot.as_str(), cluster.as_str(), kms_key.as_str()), ("db-1", "db-1-encryption-snapshot", "db-1-enc", "alias/aws/rds"));
    assert_eq!(Some(settings), inventory.aurora.clusters[0].settings.as_ref(), "the source's settings, all of them");
    assert_eq!(engine_version, "16.4");
    assert_eq!(*scaling, Some(Scaling { min_acu: 0.5, max_acu: 4.0 }), "Serverless v2 scaling as desired");
    assert_eq!(*tags, migration_tags("restore"), "the source's tags, less the ones AWS reserves");
    let Operation::CreateMigratedInstances { cluster, instances, .. } = &steps[2].operation else { panic!() };
    assert_eq!(cluster, "db-1-enc");
    assert_eq!(
        (instances[0].identifier.as_str(), instances[0].replaces.as_str(), instances[0].class.as_str(), instances[0].promotion_tier, instances[0].writer),
        ("db-1-enc-1", "db-1-instance-1", "db.serverless", Some(1), true)
    );
    let restore = &steps[1];
    assert!(restore.attributes.iter().any(|attribute| attribute.name == "storage_encrypted" && attribute.after.as_deref() == Some("true")));
    assert!(restore.reason.as_deref().is_some_and(|reason| reason.contains("only be chosen when a cluster is created")));
    assert!(
        restore
            .notes
            .iter()
            .any(|note| note.contains("cost until the old cluster is deleted") && note.contains("1 Serverless v2 instance at least 0.5 ACU around the clock")),
        "{:?}",
        restore.notes
    );
    let cutover = &steps[3];
    assert_eq!(cutover.attributes[0].before.as_deref(), Some("db-1.cluster-c1abc.us-east-1.rds.amazonaws.com"));
    assert!(cutover.reason.as_deref().is_some_and(|reason| reason.contains("holdfast runbook aurora.cluster/db-1")));
}

#[test]
fn copy_restores_from_a_copy_under_the_key_and_a_key_change_always_copies() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-*\"\nstorage_encrypted = true\nmigration = \"copy\"\nnew_name = \"{name}-v2\"\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    let plan = holdfast_planner::plan(&desired, &inventory);
    let steps: Vec<&str> = plan.changes.iter().filter_map(|change| change.migration_step().map(|(_, step)| step)).collect();
    assert_eq!(steps, ["snapshot", "copy", "restore", "instances", "cutover"]);
    assert!(
        matches!(&plan.changes[1].operation, Operation::CopySnapshotForEncryption { snapshot, copy, kms_key, .. } if snapshot == "db-1-encryption-snapshot" && copy == "db-1-encryption-copy" && kms_key == "alias/aws/rds")
    );
    assert!(
        matches!(&plan.changes[2].operation, Operation::RestoreEncryptedCluster { snapshot, cluster, .. } if snapshot == "db-1-encryption-copy" && cluster == "db-1-v2")
    );

    let desired = support::desired("[[aurora.cluster]]\nmatch = \"db-*\"\nkms_key = \"alias/z360-phi\"\n");
    let mut inventory = support::inventory();
    add_alias(&mut inventory, "alias/z360-phi", "k-123");
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, Some(&key_arn("k-other")));
    let plan = holdfast_planner::plan(&desired, &inventory);
    let steps: Vec<&str> = plan.changes.iter().filter_map(|change| change.migration_step().map(|(_, step)| step)).collect();
    assert_eq!(steps, ["snapshot", "copy", "restore", "instances", "cutover"], "a snapshot of an encrypted cluster changes key only by a copy");
}

fn snapshot(name: &str, of: &str, status: &str, made_by: Option<&str>) -> aurora::ClusterSnapshot {
    aurora::ClusterSnapshot {
        identifier: name.into(),
        arn: format!("arn:aws:rds:us-east-1:123456789012:cluster-snapshot:{name}"),
        cluster: of.into(),
        status: status.into(),
        percent_progress: Some(40),
        storage_encrypted: false,
        kms_key_id: None,
        created_at: Some("2026-11-27T10:00:00Z".into()),
        copied_from: None,
        tags: made_by.map(|source| tags(&[("holdfast:encrypts", source), ("holdfast:migration-step", "snapshot")])).unwrap_or_default(),
    }
}

fn steps(plan: &holdfast_planner::Plan) -> Vec<String> {
    plan.changes.iter().filter_map(|change| change.migration_step().map(|(_, step)| step.to_owned())).collect()
}

#[test]
fn a_re_plan_continues_from_what_aws_holds() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-*\"\nstorage_encrypted = true\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);

    // The snapshot is still being taken: apply waits for it, then goes on.
    inventory.aurora.snapshots = Some(vec![snapshot("db-1-encryption-snapshot", "db-1", "creating", Some("db-1"))]);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert_eq!(steps(&plan), ["snapshot", "restore", "instances", "cutover"]);
    assert!(plan.changes[0].notes[0].contains("in progress on AWS (creating, 40%): apply waits for it"), "{:?}", plan.changes[0].notes);

    // Taken: the chain starts at the restore, which depends on nothing left to do.
    inventory.aurora.snapshots = Some(vec![snapshot("db-1-encryption-snapshot", "db-1", "available", Some("db-1"))]);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert_eq!(steps(&plan), ["restore", "instances", "cutover"]);
    assert!(plan.changes[0].depends_on.is_empty());

    // Restored, encrypted, with its instance: only the cutover is left, for a person.
    let mut restored = inventory.aurora.clusters[0].clone();
    restored.identifier = "db-1-enc".into();
    restored.storage_encrypted = true;
    restored.kms_key_id = Some(key_arn("k-rds"));
    restored.tags = tags(&[("holdfast:encrypts", "db-1")]);
    restored.endpoint = Some("db-1-enc.cluster-c1abc.us-east-1.rds.amazonaws.com".into());
    restored.instances.as_mut().unwrap()[0].identifier = "db-1-enc-1".into();
    restored.instances.as_mut().unwrap()[0].status = "creating".into();
    restored.instances.as_mut().unwrap()[0].tags = tags(&[("holdfast:encrypts", "db-1")]);
    inventory.aurora.clusters.push(restored);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert_eq!(steps(&plan), ["instances", "cutover"], "an instance still being made is waited for");

    inventory.aurora.clusters[1].instances.as_mut().unwrap()[0].status = "available".into();
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert_eq!(steps(&plan), ["cutover"]);
    assert_eq!(plan.changes[0].action, Action::Manual);
    assert_eq!(plan.changes[0].attributes[0].after.as_deref(), Some("db-1-enc.cluster-c1abc.us-east-1.rds.amazonaws.com"));
    assert_eq!(plan.changes.len(), 1, "the new cluster is selected too, and needs nothing");
}

#[test]
fn names_taken_by_something_the_migration_did_not_make_stop_it_before_anything_is_made() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-1\"\nstorage_encrypted = true\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    add_aurora(&mut inventory, "db-1-enc", 0.5, 8.0, Some(&key_arn("k-1")));
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(plan.changes.is_empty(), "{:?}", plan.changes);
    assert!(plan.errors[0].message.contains("a cluster named `db-1-enc` exists that this migration did not make"), "{:?}", plan.errors);

    let mut inventory = support::inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    inventory.aurora.snapshots = Some(vec![snapshot("db-1-encryption-snapshot", "db-1", "available", None)]);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(plan.changes.is_empty());
    assert!(plan.errors[0].message.contains("a snapshot named `db-1-encryption-snapshot` exists that this migration did not make"), "{:?}", plan.errors);
}

#[test]
fn a_restore_that_came_out_unencrypted_or_broken_is_reported_and_left_alone() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-1\"\nstorage_encrypted = true\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    add_aurora(&mut inventory, "db-1-enc", 0.5, 8.0, None);
    inventory.aurora.clusters[1].tags = tags(&[("holdfast:encrypts", "db-1")]);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(plan.changes.is_empty());
    assert!(plan.errors[0].message.contains("was restored unencrypted, not under `alias/aws/rds`"), "{:?}", plan.errors);

    inventory.aurora.clusters[1].storage_encrypted = true;
    inventory.aurora.clusters[1].status = Some("incompatible-restore".into());
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(plan.errors[0].message.contains("is incompatible-restore: holdfast deletes nothing it made"), "{:?}", plan.errors);
}

#[test]
fn a_literal_new_name_for_many_clusters_and_a_name_too_long_are_errors() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-*\"\nstorage_encrypted = true\nnew_name = \"orders-encrypted\"\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    add_aurora(&mut inventory, "db-2", 0.5, 8.0, None);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(plan.changes.iter().all(|change| change.migration_step().is_none()));
    assert!(plan.errors.iter().any(|error| error.message.contains("names one cluster, but the entry selects 2")), "{:?}", plan.errors);

    let long = "d".repeat(61);
    let desired = support::desired("[[aurora.cluster]]\nmatch = \"d*\"\nstorage_encrypted = true\n");
    let mut inventory = support::inventory();
    add_aurora(&mut inventory, &long, 0.5, 8.0, None);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(plan.errors.iter().any(|error| error.message.contains("is not a DB cluster identifier (it is 65 characters long")), "{:?}", plan.errors);
}

#[test]
fn the_cutover_names_what_holds_the_old_address_and_the_database_secrets_it_cannot_read() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-1\"\nstorage_encrypted = true\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    let definition = add_task_definition(
        &mut inventory,
        "api",
        3,
        &[("DB_HOST", "db-1.cluster-c1abc.us-east-1.rds.amazonaws.com"), ("OTHER_HOST", "other.cluster-x.us-east-1.rds.amazonaws.com")],
        &[("DATABASE_PASSWORD", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-1"), ("STRIPE_KEY", "/api/stripe")],
    );
    add_service(&mut inventory, "apps", "api", Ok("FARGATE"), &definition);
    let plan = holdfast_planner::plan(&desired, &inventory);
    let cutover = plan.changes.iter().find(|change| change.address.ends_with("/cutover")).expect("a cutover");
    let notes = cutover.notes.join("\n");
    assert!(
        notes.contains("holds the old address: ecs.service/apps/api (api:3): DB_HOST of container app names db-1.cluster-c1abc.us-east-1.rds.amazonaws.com"),
        "{notes}"
    );
    assert!(!notes.contains("OTHER_HOST"), "{notes}");
    assert!(notes.contains("check, holdfast does not read it: ecs.service/apps/api (api:3): DATABASE_PASSWORD of container app comes from"), "{notes}");
    assert!(!notes.contains("STRIPE_KEY"), "{notes}");
}

#[test]
fn a_cluster_encrypted_by_default_with_an_aws_owned_key_needs_no_migration() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-*\"\nstorage_encrypted = true\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    inventory.aurora.clusters[0].encryption_type = Some("sse-rds".into());
    assert!(plan(&desired, &inventory).is_empty());
}

#[test]
fn a_missing_key_stops_the_plan_before_any_step() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-*\"\nstorage_encrypted = true\nkms_key = \"alias/nope\"\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(plan.has_errors());
    assert!(plan.errors.iter().any(|error| error.message.contains("names the KMS key `alias/nope`, which does not exist")), "{:?}", plan.errors);
}

#[test]
fn key_named_by_alias_matches_the_key_arn_aws_reports() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-*\"\nstorage_encrypted = true\nkms_key = \"alias/z360-phi\"\n");
    let mut inventory = inventory();
    add_alias(&mut inventory, "alias/z360-phi", "k-123");
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, Some(&key_arn("k-123")));
    assert!(plan(&desired, &inventory).is_empty());

    inventory.aurora.clusters[0].kms_key_id = Some(key_arn("k-other"));
    let plan = holdfast_planner::plan(&desired, &inventory);
    let restore = plan.changes.iter().find(|change| change.address.ends_with("/encryption/restore")).expect("a restore");
    assert!(restore.reason.as_deref().is_some_and(|reason| reason.contains("key of an encrypted cluster cannot be changed")));
}

#[test]
fn unset_fields_are_not_managed() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-*\"\nmax_acu = 8\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 2.0, 8.0, None);
    assert!(plan(&desired, &inventory).is_empty(), "min_acu and encryption were not declared, so they are not drift");
}

fn errors(plan: &holdfast_planner::Plan) -> String {
    plan.errors.iter().map(|error| error.message.clone()).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_snapshot_or_copy_of_another_cluster_is_never_used_whatever_its_tags_say() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"victim\"\nstorage_encrypted = true\nmigration = \"copy\"\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "victim", 0.5, 8.0, None);
    inventory.aurora.snapshots = Some(vec![snapshot("victim-encryption-snapshot", "donor", "available", Some("victim"))]);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(steps(&plan).is_empty(), "{:?}", steps(&plan));
    assert!(errors(&plan).contains("is tagged holdfast:encrypts = victim but was taken of `donor`"), "{}", errors(&plan));

    let mut ours = snapshot("victim-encryption-snapshot", "victim", "available", Some("victim"));
    ours.arn = "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:victim-encryption-snapshot".into();
    let mut copy = snapshot("victim-encryption-copy", "victim", "available", Some("victim"));
    copy.storage_encrypted = true;
    copy.copied_from = Some("arn:aws:rds:us-east-1:123456789012:cluster-snapshot:something-else".into());
    inventory.aurora.snapshots = Some(vec![ours, copy]);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(steps(&plan).is_empty());
    assert!(errors(&plan).contains("was copied from arn:aws:rds:us-east-1:123456789012:cluster-snapshot:something-else"), "{}", errors(&plan));
}

#[test]
fn collisions_a_plan_can_see_are_errors_before_anything_is_made() {
    // Two migrations into one name.
    let desired = desired(
        "[[aurora.cluster]]\nmatch = \"a\"\nstorage_encrypted = true\nnew_name = \"shared\"\n\n[[aurora.cluster]]\nmatch = \"b\"\nstorage_encrypted = true\nnew_name = \"shared\"\n",
    );
    let mut inventory = inventory();
    add_aurora(&mut inventory, "a", 0.5, 8.0, None);
    add_aurora(&mut inventory, "b", 0.5, 8.0, None);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(steps(&plan).is_empty(), "{:?}", steps(&plan));
    assert!(errors(&plan).contains("the encryption migrations of a and b would all make `shared`"), "{}", errors(&plan));

    // A new instance's name taken by another cluster's instance.
    let desired = support::desired("[[aurora.cluster]]\nmatch = \"zzz\"\nstorage_encrypted = true\n");
    let mut inventory = support::inventory();
    add_aurora(&mut inventory, "zzz", 0.5, 8.0, None);
    inventory.aurora.instance_names_taken = Some([("zzz-enc-1".to_owned(), "plain-one".to_owned())].into());
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(errors(&plan).contains("the new instance name `zzz-enc-1` is taken by an instance of `plain-one`"), "{}", errors(&plan));

    // Keys RDS would refuse, and a Serverless v1 cluster.
    for (key, said) in [
        ("alias/aws/s3", "another service's AWS managed key"),
        ("arn:aws:kms:eu-west-1:123456789012:alias/good", "is in eu-west-1, and the cluster in us-east-1"),
    ] {
        let desired = support::desired(&format!("[[aurora.cluster]]\nmatch = \"zzz\"\nstorage_encrypted = true\nkms_key = \"{key}\"\n"));
        let plan = holdfast_planner::plan(&desired, &inventory);
        assert!(errors(&plan).contains(said), "{key}: {}", errors(&plan));
    }
    let mut inventory = support::inventory();
    add_aurora(&mut inventory, "zzz", 0.5, 8.0, None);
    inventory.aurora.clusters[0].engine_mode = Some("serverless".into());
    let plan = holdfast_planner::plan(&support::desired("[[aurora.cluster]]\nmatch = \"zzz\"\nstorage_encrypted = true\n"), &inventory);
    assert!(errors(&plan).contains("its engine mode is `serverless`"), "{}", errors(&plan));

    // More tags than RDS allows, with holdfast's two.
    inventory.aurora.clusters[0].engine_mode = None;
    inventory.aurora.clusters[0].tags = (0..49).map(|n| (format!("t{n}"), "x".to_owned())).collect();
    let plan = holdfast_planner::plan(&support::desired("[[aurora.cluster]]\nmatch = \"zzz\"\nstorage_encrypted = true\n"), &inventory);
    assert!(errors(&plan).contains("would carry 51 tags, and RDS allows 50"), "{}", errors(&plan));
}

#[test]
fn the_plan_says_what_an_earlier_run_left_the_age_of_the_data_and_a_stopped_source() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-1\"\nstorage_encrypted = true\nnew_name = \"{name}-v2\"\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    inventory.aurora.snapshots = Some(vec![snapshot("db-1-encryption-snapshot", "db-1", "available", Some("db-1"))]);
    let mut earlier = inventory.aurora.clusters[0].clone();
    earlier.identifier = "db-1-enc".into();
    earlier.storage_encrypted = true;
    earlier.tags = tags(&[("holdfast:encrypts", "db-1")]);
    inventory.aurora.clusters.push(earlier);
    let plan = holdfast_planner::plan(&desired, &inventory);
    let restore = plan.changes.iter().find(|change| change.address.ends_with("/restore")).expect("a restore");
    let notes = restore.notes.join("\n");
    assert!(notes.contains("restores the data as of 2026-11-27T10:00:00Z (`db-1-encryption-snapshot`, made by an earlier apply)"), "{notes}");
    assert!(notes.contains("an earlier migration of this cluster made `db-1-enc`: it is left as it is"), "{notes}");

    let mut inventory = support::inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    inventory.aurora.clusters[0].status = Some("stopped".into());
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(plan.changes[0].notes.iter().any(|note| note.contains("the source is stopped: a snapshot needs it available")), "{:?}", plan.changes[0].notes);
    assert_eq!(plan.summary.replace, 3, "the steps count as the replacement they are: {:?}", plan.summary);
    assert_eq!(plan.summary.manual, 1);

    // The source gone: what its migration made is named, not forgotten.
    let mut inventory = support::inventory();
    add_aurora(&mut inventory, "db-1-v2", 0.5, 8.0, Some(&key_arn("k")));
    inventory.aurora.clusters[0].tags = tags(&[("holdfast:encrypts", "db-1")]);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(
        plan.warnings.iter().any(|warning| warning.message.contains("`db-1-v2` was made by an encryption migration of `db-1`, which no longer exists")),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn a_tag_alone_does_not_make_a_cluster_or_an_instance_the_migrations() {
    let desired = desired("[[aurora.cluster]]\nmatch = \"db-1\"\nstorage_encrypted = true\n");
    let mut inventory = inventory();
    add_aurora(&mut inventory, "db-1", 0.5, 8.0, None);
    // Encrypted, tagged for the migration, never restored from its snapshot: no instances yet.
    let mut spoof = inventory.aurora.clusters[0].clone();
    spoof.identifier = "db-1-enc".into();
    spoof.storage_encrypted = true;
    spoof.tags = tags(&[("holdfast:encrypts", "db-1")]);
    spoof.instances = Some(Vec::new());
    inventory.aurora.clusters.push(spoof);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(steps(&plan).is_empty(), "{:?}", steps(&plan));
    assert!(errors(&plan).contains("is tagged as this migration's, but the snapshot it would have been restored from"), "{}", errors(&plan));

    // With the snapshot there, an instance of the new name that lacks the tag is refused.
    inventory.aurora.snapshots = Some(vec![snapshot("db-1-encryption-snapshot", "db-1", "available", Some("db-1"))]);
    let mut stranger = inventory.aurora.clusters[0].instances.clone().unwrap()[0].clone();
    stranger.identifier = "db-1-enc-1".into();
    inventory.aurora.clusters[1].instances = Some(vec![stranger]);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(errors(&plan).contains("the instance `db-1-enc-1` in `db-1-enc` was not made by this migration"), "{}", errors(&plan));
}

#[test]
fn snapshot_and_instance_names_are_cut_to_what_rds_accepts_and_collisions_are_refused() {
    let long = format!("a{}", "b".repeat(60));
    assert_eq!(holdfast_desired::aurora::snapshot_name(&long).len(), 63);
    assert!(holdfast_desired::aurora::snapshot_name(&long).ends_with("-encryption-snapshot"));
    let desired = desired(&format!(
        "[[aurora.cluster]]\nmatch = \"x\"\nstorage_encrypted = true\nnew_name = \"{long}xy\"\n\n[[aurora.cluster]]\nmatch = \"y\"\nstorage_encrypted = true\nnew_name = \"{long}zw\"\n"
    ));
    let mut inventory = inventory();
    add_aurora(&mut inventory, "x", 0.5, 8.0, None);
    add_aurora(&mut inventory, "y", 0.5, 8.0, None);
    let plan = holdfast_planner::plan(&desired, &inventory);
    assert!(steps(&plan).is_empty(), "{:?}", steps(&plan));
    assert!(errors(&plan).contains("the encryption migrations of x and y would all make"), "{}", errors(&plan));
}
