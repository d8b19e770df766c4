//! The encryption migration of one cluster, worked out from what AWS holds now: a
//! snapshot, a copy under the key (when asked for), a new cluster restored under the key,
//! its instances, and the cutover a person does. Progress lives on AWS as tags on what
//! each step made, so planning again after an interruption continues where AWS is.
//!
//! Nothing here deletes or modifies the source, its snapshots, or anything a step made.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use holdfast_desired::aurora::{ClusterEntry, Migration as Via, copy_name, identifier_problem, instance_name, snapshot_name};
use holdfast_inventory::aurora::{Cluster, ClusterSnapshot, Instance, MIGRATION_SOURCE_TAG, MIGRATION_STEP_TAG, Scaling};
use holdfast_inventory::ecs::TaskDefinition;
use holdfast_inventory::{Inventory, Tags};

use crate::context::{Context, source};
use crate::normalize::{acu, same_kms_key};
use crate::operation::{MigratedInstance, Operation};
use crate::plan::{Action, AttributeChange, Change, Flag, Kind};

/// The key RDS encrypts with when the entry names none.
pub const DEFAULT_KEY: &str = "alias/aws/rds";
/// The most tags an RDS resource may carry.
const MAX_TAGS: usize = 50;

/// One cluster's migration: every step, with its state on AWS now.
#[derive(Debug, Clone, PartialEq)]
pub struct Migration {
    pub source: String,
    /// The desired-state entry that asks for it, `file:line`.
    pub entry: String,
    pub engine: String,
    pub snapshot_taken: Option<String>,
    pub new_cluster: String,
    pub kms_key: String,
    /// Copy the snapshot under the key, then restore the copy; otherwise restore the
    /// snapshot straight under the key.
    pub via_copy: bool,
    pub steps: Vec<Step>,
    pub cutover: Cutover,
    /// What the side-by-side cluster costs until the old one is deleted.
    pub cost: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// `snapshot`, `copy`, `restore`, `instances`.
    pub name: &'static str,
    /// What it makes, in one line with the exact names.
    pub what: String,
    /// What it does and how long it takes on real AWS, for the runbook.
    pub explain: &'static str,
    pub state: State,
    pub attributes: Vec<AttributeChange>,
    pub notes: Vec<String>,
    pub operation: Operation,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Made, and usable.
    Done(String),
    /// Being made on AWS: apply waits for it.
    InProgress(String),
    ToDo,
}

impl State {
    pub fn describe(&self) -> String {
        match self {
            State::Done(detail) => format!("done ({detail})"),
            State::InProgress(detail) => format!("in progress ({detail})"),
            State::ToDo => "to do".to_owned(),
        }
    }
}

/// The switch a person makes once the new cluster is ready.
#[derive(Debug, Clone, PartialEq)]
pub struct Cutover {
    pub old_writer: Option<String>,
    /// None until the new cluster exists.
    pub new_writer: Option<String>,
    pub old_reader: Option<String>,
    pub new_reader: Option<String>,
    /// What holds the old cluster's address, found in the inventory.
    pub references: Vec<String>,
    /// Secrets whose values holdfast does not read, which may hold it too.
    pub unread: Vec<String>,
    pub master_user_secret: Option<String>,
    /// How many ECS services were read to look for what holds the address.
    pub services_read: usize,
}

/// Works out the migration of `cluster` for `entry`; an error says why it cannot go on,
/// and nothing of it is planned.
pub fn work_out(inventory: &Inventory, entry: &ClusterEntry, cluster: &Cluster, index: &CutoverIndex) -> Result<Migration, String> {
    let key = entry.kms_key.clone().unwrap_or_else(|| DEFAULT_KEY.to_owned());
    if key.contains("alias/aws/") && !key.ends_with("alias/aws/rds") {
        return Err(format!("`{key}` is another service's AWS managed key: an Aurora cluster is encrypted under alias/aws/rds or a customer managed key"));
    }
    if let Some(region) = key.strip_prefix("arn:").and_then(|arn| arn.split(':').nth(2)).filter(|region| *region != inventory.region) {
        return Err(format!("the key `{key}` is in {region}, and the cluster in {}: Aurora encrypts under a key of its own region", inventory.region));
    }
    if let Some(mode) = cluster.engine_mode.as_deref().filter(|mode| *mode != "provisioned") {
        return Err(format!(
            "its engine mode is `{mode}`: holdfast migrates provisioned and Serverless v2 clusters only (Serverless v1 reached its end of life); migrate it to Serverless v2 first"
        ));
    }
    let new_name = entry.new_name_for(&cluster.identifier);
    if let Some(problem) = identifier_problem(&new_name) {
        return Err(format!("the encrypted cluster's name `{new_name}` is not a DB cluster identifier ({problem}): give the entry a shorter new_name"));
    }
    if new_name == cluster.identifier {
        return Err(format!("new_name gives the encrypted cluster the source's own name `{new_name}`: a restore needs a new one"));
    }
    if entry.new_name_is_literal() {
        let selected = inventory
            .aurora
            .clusters
            .iter()
            .filter(|other| other.migration_source().is_none() && entry.name.matches(&other.identifier) && entry.tags.matches(&other.tags))
            .count();
        if selected > 1 {
            return Err(format!(
                "new_name = \"{new_name}\" names one cluster, but the entry selects {selected}: write it with `{{name}}`, as \"{{name}}-enc\""
            ));
        }
    }
    let (Some(settings), Some(instances)) = (&cluster.settings, &cluster.instances) else {
        return Err(
            "the settings and instances a restore copies were not read (a snapshot taken before format 5): plan against the account, or take a new snapshot"
                .to_owned(),
        );
    };
    let via_copy = entry.migration() == Via::Copy || cluster.encrypted_at_rest();
    let tags = |step: &str| migration_tags(&cluster.tags, &cluster.identifier, step);
    let most = std::iter::once(&cluster.tags)
        .chain(instances.iter().map(|instance| &instance.tags))
        .map(|tags| migration_tags(tags, &cluster.identifier, "instance").len())
        .max()
        .unwrap_or(0);
    if most > MAX_TAGS {
        return Err(format!(
            "with holdfast's two tags, what the migration makes would carry {most} tags, and RDS allows {MAX_TAGS}: remove {} of the source's tags first",
            most - MAX_TAGS
        ));
    }
    let snapshot_name = snapshot_name(&cluster.identifier);
    let copy_name = copy_name(&cluster.identifier);
    let snapshots = inventory.aurora.snapshots.as_deref().unwrap_or_default();
    let find = |name: &str| snapshots.iter().find(|snapshot| snapshot.identifier == name);
    let target = inventory.aurora.clusters.iter().find(|other| other.identifier == new_name);

    let target_state = match target {
        None => State::ToDo,
        Some(target) => cluster_state(inventory, target, &cluster.identifier, &key)?,
    };
    // A tag can be put on any cluster: one still being made, or still without all its
    // instances, is taken as the migration's only beside the snapshot it was restored from.
    let unfinished = target.is_some_and(|target| {
        let made = target.instances.as_deref().unwrap_or_default();
        !matches!(target_state, State::Done(_)) || made.len() < instances.len()
    });
    let of_source =
        |name: &str| find(name).is_some_and(|found| found.cluster == cluster.identifier && found.tags.get(MIGRATION_SOURCE_TAG) == Some(&cluster.identifier));
    if unfinished && !of_source(&snapshot_name) && !of_source(&copy_name) {
        return Err(format!(
            "`{new_name}` is tagged as this migration's, but the snapshot it would have been restored from (`{snapshot_name}`) is not there: holdfast cannot tell what data it holds; delete it, or finish it by hand"
        ));
    }
    let restored = target_state != State::ToDo;
    // What a step no longer needed holds does not matter: it is not checked.
    let copy_state = match via_copy {
        true if restored => State::ToDo,
        true => snapshot_state(find(&copy_name), &cluster.identifier, "copy", Some((inventory, &key)), find(&snapshot_name).map(|found| found.arn.as_str()))?,
        false => State::ToDo,
    };
    let copy_made = via_copy && copy_state != State::ToDo;
    let snapshot_state = if restored || copy_made { State::ToDo } else { snapshot_state(find(&snapshot_name), &cluster.identifier, "snapshot", None, None)? };

    let mut steps = Vec::new();
    let taken = |snapshot: Option<&ClusterSnapshot>| snapshot.and_then(|found| found.created_at.clone()).unwrap_or_else(|| "when it is taken".to_owned());
    // The snapshot matters until the new cluster is restored, or its copy made.
    let snapshot_needed = !restored && !copy_made;
    steps.push(Step {
        name: "snapshot",
        what: format!("manual snapshot `{snapshot_name}` of `{}`", cluster.identifier),
        explain: "A manual cluster snapshot of the source. The new cluster holds the data as of this moment: writes after it are not in the new cluster, so stop writes first, or plan to replay them. Aurora snapshots are incremental: minutes, and up to hours for a volume that changed a lot. The source keeps serving throughout.",
        state: if snapshot_needed { snapshot_state.clone() } else { done_or(&snapshot_state, "no longer needed: a later step is made") },
        attributes: vec![AttributeChange::new("snapshot", None, Some(snapshot_name.clone()))],
        notes: {
            let mut notes = vec![format!("the data stops at the snapshot ({}): writes after it reach the new cluster only if the application is stopped first", taken(find(&snapshot_name)))];
            if snapshot_needed && snapshot_state == State::ToDo && cluster.status.as_deref().is_some_and(|status| status != "available") {
                notes.push(format!("the source is {}: a snapshot needs it available, so apply stops at this step until it is", cluster.status.as_deref().unwrap_or_default()));
            }
            notes
        },
        operation: Operation::SnapshotForEncryption {
            cluster: cluster.identifier.clone(),
            snapshot: snapshot_name.clone(),
            kms_key: key.clone(),
            tags: tags("snapshot"),
        },
    });
    if via_copy {
        let mut notes = Vec::new();
        if !cluster.encrypted_at_rest() {
            notes.push("AWS's API reference says CopyDBClusterSnapshot refuses a key for an unencrypted Aurora snapshot; if it does, set migration = \"direct\" (the default)".to_owned());
        }
        steps.push(Step {
            name: "copy",
            what: format!("copy `{copy_name}` of the snapshot, encrypted under `{key}`"),
            explain: "A full copy of the snapshot under the key (Aurora copies are never incremental): its time grows with the volume, up to hours for hundreds of GB.",
            state: if restored { done_or(&copy_state, "no longer needed: the new cluster is made") } else { copy_state.clone() },
            attributes: vec![AttributeChange::new("copy", None, Some(copy_name.clone())), AttributeChange::new("kms_key", None, Some(key.clone()))],
            notes,
            operation: Operation::CopySnapshotForEncryption {
                cluster: cluster.identifier.clone(),
                snapshot: snapshot_name.clone(),
                copy: copy_name.clone(),
                kms_key: key.clone(),
                tags: tags("copy"),
            },
        });
    }
    let from = if via_copy { copy_name.clone() } else { snapshot_name.clone() };
    let scaling = match (entry.min_acu().or(cluster.serverless_v2.map(|s| s.min_acu)), entry.max_acu().or(cluster.serverless_v2.map(|s| s.max_acu))) {
        (Some(min_acu), Some(max_acu)) => Some(Scaling { min_acu, max_acu }),
        _ => None,
    };
    let mut restore_attributes = vec![AttributeChange::new("cluster", None, Some(new_name.clone()))];
    if !cluster.encrypted_at_rest() {
        restore_attributes.push(AttributeChange::new("storage_encrypted", Some("false".to_owned()), Some("true".to_owned())));
    }
    restore_attributes.push(AttributeChange::new("kms_key", cluster.kms_key_id.clone(), Some(key.clone())));
    let mut restore_notes = vec![describe_settings(cluster, scaling)];
    // Data taken earlier is restored as it was then: say so, and how to start afresh.
    let made_before = if via_copy { find(&copy_name).or_else(|| find(&snapshot_name)) } else { find(&snapshot_name) };
    if !restored && let Some(earlier) = made_before.filter(|found| found.status == "available") {
        restore_notes.push(format!(
            "restores the data as of {} (`{}`, made by an earlier apply); for newer data, delete the migration's snapshot{} by hand first",
            earlier.created_at.as_deref().unwrap_or("when it was taken"),
            earlier.identifier,
            if via_copy { " and copy" } else { "" }
        ));
    }
    for other in inventory.aurora.clusters.iter().filter(|other| other.migration_source() == Some(cluster.identifier.as_str()) && other.identifier != new_name)
    {
        restore_notes
            .push(format!("an earlier migration of this cluster made `{}`: it is left as it is, and costs until someone deletes it", other.identifier));
    }
    if let Some(stack) = cluster.tags.get("aws:cloudformation:stack-name") {
        restore_notes.push(format!(
            "the source belongs to CloudFormation stack `{stack}`; the new cluster is made outside it: after the cutover, import it into the stack or change the template"
        ));
    }
    if instances.is_empty() {
        restore_notes.push("the source has no instances, so neither will the new cluster: add one before the cutover".to_owned());
    }
    steps.push(Step {
        name: "restore",
        what: format!("cluster `{new_name}` restored from `{from}` under `{key}`"),
        explain: "A new cluster restored from the snapshot, encrypted under the key, with the source's engine, version, network, parameter groups, port, authentication, backups, deletion protection, log exports and tags. Minutes for a small volume, up to a few hours for a large one.",
        state: target_state.clone(),
        attributes: restore_attributes,
        notes: restore_notes,
        operation: Operation::RestoreEncryptedCluster {
            source: cluster.identifier.clone(),
            snapshot: from.clone(),
            cluster: new_name.clone(),
            kms_key: key.clone(),
            engine: cluster.engine.clone(),
            engine_version: cluster.engine_version.clone(),
            settings: settings.clone(),
            scaling,
            tags: tags("restore"),
        },
    });
    let planned = planned_instances(instances, &new_name, &cluster.identifier)?;
    for instance in &planned {
        if let Some(elsewhere) =
            inventory.aurora.instance_names_taken.as_ref().and_then(|taken| taken.get(&instance.identifier)).filter(|owner| **owner != new_name)
        {
            return Err(format!("the new instance name `{}` is taken by an instance of `{elsewhere}`: give the entry another new_name", instance.identifier));
        }
    }
    if !planned.is_empty() {
        let existing: &[Instance] = target.and_then(|target| target.instances.as_deref()).unwrap_or_default();
        if let Some(stranger) = existing.iter().find(|made| {
            planned.iter().any(|instance| instance.identifier == made.identifier)
                && made.tags.get(MIGRATION_SOURCE_TAG).map(String::as_str) != Some(cluster.identifier.as_str())
        }) {
            return Err(format!(
                "the instance `{}` in `{new_name}` was not made by this migration (it has no {MIGRATION_SOURCE_TAG} = {} tag): holdfast cannot tell it stands for the source's; delete it or give it the tag",
                stranger.identifier, cluster.identifier
            ));
        }
        let missing = planned.iter().filter(|instance| !existing.iter().any(|made| made.identifier == instance.identifier)).count();
        let settling: Vec<String> = existing
            .iter()
            .filter(|made| planned.iter().any(|instance| instance.identifier == made.identifier) && made.status != "available")
            .map(|made| format!("{} is {}", made.identifier, made.status))
            .collect();
        let state = if missing > 0 {
            match (settling.is_empty(), planned.len() - missing) {
                (true, 0) => State::ToDo,
                (true, made) => State::InProgress(format!("{made} of {} made", planned.len())),
                (false, _) => State::InProgress(settling.join(", ")),
            }
        } else if settling.is_empty() {
            State::Done(format!("{} available", crate::render::count(planned.len(), "instance")))
        } else {
            State::InProgress(settling.join(", "))
        };
        steps.push(Step {
            name: "instances",
            what: planned.iter().map(describe_instance).collect::<Vec<_>>().join("; "),
            explain: "The source's instances again, same classes and promotion tiers, in the new cluster. Each takes minutes (often 10 to 20).",
            state,
            attributes: vec![AttributeChange::new(
                "instances",
                None,
                Some(
                    planned
                        .iter()
                        .filter(|instance| !existing.iter().any(|made| made.identifier == instance.identifier && made.status == "available"))
                        .map(|instance| instance.identifier.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            )],
            notes: Vec::new(),
            operation: Operation::CreateMigratedInstances {
                source: cluster.identifier.clone(),
                cluster: new_name.clone(),
                kms_key: key.clone(),
                engine: cluster.engine.clone(),
                instances: planned,
            },
        });
    }
    let (references, unread) = index.references(cluster);
    let cutover = Cutover {
        old_writer: cluster.endpoint.clone(),
        new_writer: target.and_then(|target| target.endpoint.clone()),
        old_reader: cluster.reader_endpoint.clone(),
        new_reader: target.and_then(|target| target.reader_endpoint.clone()),
        references,
        unread,
        master_user_secret: settings.master_user_secret.clone(),
        services_read: index.services,
    };
    Ok(Migration {
        source: cluster.identifier.clone(),
        entry: source(&entry.origin),
        engine: format!("{} {}", cluster.engine, cluster.engine_version),
        snapshot_taken: find(&snapshot_name).and_then(|found| found.created_at.clone()),
        new_cluster: new_name,
        kms_key: key,
        via_copy,
        steps,
        cutover,
        cost: cost(instances, scaling, via_copy),
    })
}

/// The migration's changes: one per step still to do or in progress, each after the one
/// before, then the cutover for a person.
pub(super) fn plan(
    cx: &mut Context<'_>,
    entry: &ClusterEntry,
    cluster: &Cluster,
    address: &str,
    attributes: Vec<AttributeChange>,
    index: &OnceCell<CutoverIndex>,
) -> Vec<Change> {
    let base = format!("{address}/encryption");
    let index = index.get_or_init(|| CutoverIndex::of(cx.inventory));
    let migration = match work_out(cx.inventory, entry, cluster, index) {
        Ok(migration) => migration,
        Err(problem) => {
            cx.error(format!("{base}: {problem}; nothing of the migration is planned"), Some(&entry.origin));
            return Vec::new();
        }
    };
    let reason = if cluster.encrypted_at_rest() {
        "the key of an encrypted cluster cannot be changed: a new cluster is restored from a copy of its snapshot under the new key, and a person switches over"
    } else {
        "storage encryption can only be chosen when a cluster is created: a new cluster is restored from a snapshot under the key, and a person switches over; the source is never changed or deleted"
    };
    let mut changes: Vec<Change> = Vec::new();
    let mut before: Option<String> = crate::kms::key_dependency(cx, &migration.kms_key);
    for step in &migration.steps {
        if matches!(step.state, State::Done(_)) {
            continue;
        }
        let mut notes = Vec::new();
        if let State::InProgress(detail) = &step.state {
            notes.push(format!("in progress on AWS ({detail}): apply waits for it"));
        }
        notes.extend(step.notes.iter().cloned());
        let mut step_attributes = step.attributes.clone();
        if step.name == "restore" {
            step_attributes.retain(|attribute| !attributes.iter().any(|asked| asked.name == attribute.name));
            step_attributes.extend(attributes.iter().cloned());
            notes.push(migration.cost.clone());
        }
        let address = format!("{base}/{}", step.name);
        changes.push(Change {
            address: address.clone(),
            kind: Kind::AuroraCluster,
            action: Action::Create,
            label: None,
            attributes: step_attributes,
            flags: vec![Flag::ForcesReplacement],
            source: source(&entry.origin),
            reason: (step.name == "restore").then(|| reason.to_owned()),
            notes,
            depends_on: before.take().into_iter().collect(),
            cost: None,
            operation: step.operation.clone(),
        });
        before = Some(address);
    }
    let cutover = &migration.cutover;
    let new_writer = cutover.new_writer.clone().unwrap_or_else(|| "(the new cluster's, once restored)".to_owned());
    let mut notes: Vec<String> = cutover.references.iter().map(|reference| format!("holds the old address: {reference}")).collect();
    notes.extend(cutover.unread.iter().map(|secret| format!("check, holdfast does not read it: {secret}")));
    changes.push(Change {
        address: format!("{base}/cutover"),
        kind: Kind::AuroraCluster,
        action: Action::Manual,
        label: None,
        attributes: {
            let mut attributes = vec![AttributeChange::new("writer_endpoint", cutover.old_writer.clone(), Some(new_writer))];
            if let Some(old) = &cutover.old_reader {
                let new = cutover.new_reader.clone().unwrap_or_else(|| "(the new cluster's, once restored)".to_owned());
                attributes.push(AttributeChange::new("reader_endpoint", Some(old.clone()), Some(new)));
            }
            attributes
        },
        flags: Vec::new(),
        source: source(&entry.origin),
        reason: Some(format!(
            "switch the application from {} to {} and check it; keep {} for rollback until you delete it; `holdfast runbook {address}` prints the steps",
            cluster.identifier, migration.new_cluster, cluster.identifier
        )),
        notes,
        depends_on: before.into_iter().collect(),
        cost: None,
        operation: Operation::Manual,
    });
    changes
}

/// A step already made counts as done; one not made that is no longer needed, too.
fn done_or(state: &State, otherwise: &str) -> State {
    match state {
        State::Done(detail) => State::Done(detail.clone()),
        _ => State::Done(otherwise.to_owned()),
    }
}

/// Transitional states: a resource in one is waited for.
pub fn is_settling(status: &str) -> bool {
    matches!(
        status,
        "creating" | "copying" | "backing-up" | "modifying" | "migrating" | "rebooting" | "starting" | "upgrading" | "maintenance" | "renaming" | "pending"
    ) || status.starts_with("configuring-")
}

/// `copied_from`: for the copy, the ARN of the migration's snapshot, when it still exists.
fn snapshot_state(
    found: Option<&ClusterSnapshot>,
    source: &str,
    step: &str,
    key: Option<(&Inventory, &str)>,
    copied_from: Option<&str>,
) -> Result<State, String> {
    let Some(found) = found else { return Ok(State::ToDo) };
    if found.tags.get(MIGRATION_SOURCE_TAG).map(String::as_str) != Some(source) {
        return Err(format!(
            "a snapshot named `{}` exists that this migration did not make (it has no {MIGRATION_SOURCE_TAG} = {source} tag): holdfast neither uses nor touches it; rename or delete it by hand",
            found.identifier
        ));
    }
    // A tag can be copied; the data's origin cannot: a snapshot of another cluster would
    // restore another database's data under this one's name.
    if found.cluster != source {
        return Err(format!(
            "the snapshot `{}` is tagged {MIGRATION_SOURCE_TAG} = {source} but was taken of `{}`: holdfast does not restore another cluster's data; delete it by hand",
            found.identifier, found.cluster
        ));
    }
    if let (Some(expected), Some(origin)) = (copied_from, found.copied_from.as_deref())
        && expected != origin
    {
        return Err(format!(
            "the copy `{}` was copied from {origin}, not from the migration's snapshot {expected}: holdfast does not use it; delete it by hand",
            found.identifier
        ));
    }
    if let Some((inventory, key)) = key
        && found.status == "available"
        && !under_key(inventory, found.storage_encrypted, found.kms_key_id.as_deref(), key)
    {
        return Err(format!(
            "the copy `{}` is {}, not under `{key}`: holdfast does not delete it; delete it by hand, or name its key in kms_key",
            found.identifier,
            found.kms_key_id.as_deref().map_or_else(|| "unencrypted".to_owned(), |actual| format!("encrypted under {actual}"))
        ));
    }
    Ok(match found.status.as_str() {
        "available" => State::Done(format!("`{}` available, taken {}", found.identifier, found.created_at.as_deref().unwrap_or("at an unknown time"))),
        status if is_settling(status) => State::InProgress(found.percent_progress.map_or_else(|| status.to_owned(), |percent| format!("{status}, {percent}%"))),
        status => {
            return Err(format!(
                "the {step} `{}` is {status}: holdfast does not delete it; look at it in the RDS console, delete it by hand, then apply again",
                found.identifier
            ));
        }
    })
}

fn cluster_state(inventory: &Inventory, target: &Cluster, source: &str, key: &str) -> Result<State, String> {
    if target.migration_source() != Some(source) {
        return Err(format!(
            "a cluster named `{}` exists that this migration did not make (it has no {MIGRATION_SOURCE_TAG} = {source} tag): holdfast refuses to restore into its name; give the entry another new_name",
            target.identifier
        ));
    }
    let status = target.status.as_deref().unwrap_or("available");
    if is_settling(status) {
        return Ok(State::InProgress(status.to_owned()));
    }
    if status != "available" {
        return Err(format!(
            "the new cluster `{}` is {status}: holdfast deletes nothing it made; look at its events, delete it by hand if it cannot be used, then apply again",
            target.identifier
        ));
    }
    if !under_key(inventory, target.storage_encrypted, target.kms_key_id.as_deref(), key) {
        return Err(format!(
            "the new cluster `{}` was restored {}, not under `{key}`: holdfast deletes nothing it made; delete it by hand, then apply again",
            target.identifier,
            target.kms_key_id.as_deref().map_or_else(|| "unencrypted".to_owned(), |found| format!("under {found}"))
        ));
    }
    Ok(State::Done(format!("`{}` available, encrypted", target.identifier)))
}

/// Whether something is encrypted under `key`: a key that cannot be resolved here (an
/// AWS managed alias not yet read) is taken as the one named.
fn under_key(inventory: &Inventory, encrypted: bool, found: Option<&str>, key: &str) -> bool {
    // An AWS managed alias names the one key of its service in the account, whatever ARN
    // it is reported by (moto even makes a new one per use).
    if !encrypted || key.starts_with("alias/aws/") {
        return encrypted;
    }
    match (found, inventory.kms.key_id(key)) {
        (Some(found), Some(_)) => same_kms_key(&inventory.kms, key, found),
        _ => true,
    }
}

/// The source's tags, less those AWS reserves, and the migration's own.
fn migration_tags(tags: &Tags, source: &str, step: &str) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = tags
        .iter()
        .filter(|(key, _)| !key.starts_with("aws:") && key.as_str() != MIGRATION_SOURCE_TAG && key.as_str() != MIGRATION_STEP_TAG)
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    tags.push((MIGRATION_SOURCE_TAG.to_owned(), source.to_owned()));
    tags.push((MIGRATION_STEP_TAG.to_owned(), step.to_owned()));
    tags
}

/// The new cluster's instances, `NEW-1`, `NEW-2`, ...: the writer first, then by
/// promotion tier and name, so the new writer stands for the old one.
fn planned_instances(instances: &[Instance], new_cluster: &str, source: &str) -> Result<Vec<MigratedInstance>, String> {
    let mut ordered: Vec<&Instance> = instances.iter().collect();
    ordered.sort_by(|a, b| (!a.writer, a.promotion_tier, &a.identifier).cmp(&(!b.writer, b.promotion_tier, &b.identifier)));
    ordered
        .iter()
        .enumerate()
        .map(|(index, instance)| {
            let identifier = instance_name(new_cluster, index);
            if let Some(problem) = identifier_problem(&identifier) {
                return Err(format!("the new instance name `{identifier}` is not a DB instance identifier ({problem}): give the entry another new_name"));
            }
            Ok(MigratedInstance {
                identifier,
                replaces: instance.identifier.clone(),
                class: instance.class.clone(),
                writer: instance.writer,
                promotion_tier: instance.promotion_tier,
                parameter_group: instance.parameter_group.clone(),
                availability_zone: instance.availability_zone.clone(),
                publicly_accessible: instance.publicly_accessible,
                tags: migration_tags(&instance.tags, source, "instance"),
            })
        })
        .collect()
}

fn describe_instance(instance: &MigratedInstance) -> String {
    let role = if instance.writer { "writer, " } else { "" };
    let tier = instance.promotion_tier.map(|tier| format!(", tier {tier}")).unwrap_or_default();
    format!("`{}` for `{}` ({role}{}{tier})", instance.identifier, instance.replaces, instance.class)
}

fn describe_settings(cluster: &Cluster, scaling: Option<Scaling>) -> String {
    let settings = cluster.settings.clone().unwrap_or_default();
    let mut parts = vec![format!("{} {}", cluster.engine, cluster.engine_version)];
    if let Some(scaling) = scaling {
        parts.push(format!("Serverless v2 {}-{} ACU", acu(scaling.min_acu), acu(scaling.max_acu)));
    }
    if let Some(group) = &settings.db_subnet_group {
        parts.push(format!("subnet group {group}"));
    }
    if !settings.vpc_security_groups.is_empty() {
        parts.push(format!("security groups {}", settings.vpc_security_groups.join(", ")));
    }
    if let Some(group) = &settings.cluster_parameter_group {
        parts.push(format!("cluster parameter group {group}"));
    }
    if let Some(port) = settings.port {
        parts.push(format!("port {port}"));
    }
    parts.push(format!("IAM authentication {}", on_off(settings.iam_database_authentication)));
    if let Some(days) = settings.backup_retention_days {
        parts.push(format!("backups kept {}", crate::render::count(usize::try_from(days).unwrap_or(0), "day")));
    }
    parts.push(format!("deletion protection {}", on_off(settings.deletion_protection)));
    if !settings.log_exports.is_empty() {
        parts.push(format!("logs exported: {}", settings.log_exports.join(", ")));
    }
    format!("as the source: {}", parts.join(", "))
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// What the second cluster costs while both exist, without prices: the plan's cost
/// estimates (`crates/cost`) put figures on each step from the region's prices.
fn cost(instances: &[Instance], scaling: Option<Scaling>, via_copy: bool) -> String {
    let serverless = instances.iter().filter(|instance| instance.class == "db.serverless").count();
    let provisioned: Vec<&str> = instances.iter().filter(|instance| instance.class != "db.serverless").map(|instance| instance.class.as_str()).collect();
    let mut parts = vec!["a second copy of the cluster volume".to_owned()];
    if serverless > 0 {
        let floor = scaling.map_or(0.5, |scaling| scaling.min_acu);
        let each = if serverless == 1 { "" } else { " each" };
        parts.push(format!("{}{each} at least {} ACU around the clock", crate::render::count(serverless, "Serverless v2 instance"), acu(floor)));
    }
    if !provisioned.is_empty() {
        parts.push(format!("instance hours of {}", provisioned.join(", ")));
    }
    parts.push(if via_copy { "the snapshot and its copy, billed as backup storage" } else { "the snapshot, billed as backup storage" }.to_owned());
    format!("cost until the old cluster is deleted: {}", parts.join("; "))
}

/// What holds an RDS address, by host: the task definitions' plaintext variables, read
/// once for every migration of a plan (services and task definitions number thousands);
/// and the database secrets the services read from stores holdfast does not look into.
pub struct CutoverIndex {
    by_host: BTreeMap<String, Vec<String>>,
    unread: Vec<String>,
    services: usize,
}

impl CutoverIndex {
    pub fn of(inventory: &Inventory) -> Self {
        let definitions: BTreeMap<&str, &TaskDefinition> =
            inventory.ecs.task_definitions.iter().map(|definition| (definition.arn.as_str(), definition)).collect();
        let mut by_host: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut unread = Vec::new();
        for ecs_cluster in &inventory.ecs.clusters {
            for service in &ecs_cluster.services {
                let Some(definition) = definitions.get(service.task_definition.as_str()) else { continue };
                let at = format!("ecs.service/{}/{} ({})", ecs_cluster.name, service.name, definition.short_name());
                for container in &definition.containers {
                    for variable in &container.environment {
                        for host in &variable.rds_hosts {
                            by_host.entry(host.clone()).or_default().push(format!("{at}: {} of container {} names {host}", variable.name, container.name));
                        }
                    }
                    for secret in container.secrets.iter().filter(|secret| names_database(&secret.name)) {
                        unread.push(format!("{at}: {} of container {} comes from {}", secret.name, container.name, secret.value_from));
                    }
                }
            }
        }
        unread.sort();
        Self { by_host, unread, services: inventory.ecs.clusters.iter().map(|cluster| cluster.services.len()).sum() }
    }

    /// What names one of the cluster's hosts, each once, and the unread secrets.
    fn references(&self, cluster: &Cluster) -> (Vec<String>, Vec<String>) {
        let mut found: Vec<String> = cluster.hosts().iter().filter_map(|host| self.by_host.get(*host)).flatten().cloned().collect();
        found.sort();
        found.dedup();
        (found, self.unread.clone())
    }
}

/// A variable name that says it is about a database: `DB_HOST`, `DATABASE_URL`, `PGHOST`.
fn names_database(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| {
        matches!(word, "DB" | "DATABASE" | "RDS" | "SQL" | "POSTGRES" | "POSTGRESQL" | "MYSQL" | "AURORA")
            || word.starts_with("PG")
            || word.starts_with("DB")
            || word.ends_with("DB")
    })
}
