//! Aurora: Serverless v2 capacity in place; storage encryption only by replacement.

pub(crate) mod migration;

use holdfast_desired::aurora::ClusterEntry;
use holdfast_inventory::aurora::Cluster;

use crate::context::{Context, ownership_notes, source};
use crate::normalize::{acu, same_kms_key};
use crate::operation::Operation;
use crate::plan::{Action, AttributeChange, Change, Kind};
use crate::select::{Hits, one};

pub(crate) fn plan(cx: &mut Context<'_>) {
    let entries = &cx.desired.aurora.cluster;
    let mut hits = Hits::new(entries.len());
    let index = std::cell::OnceCell::new();
    for cluster in &cx.inventory.aurora.clusters {
        let chosen = hits.select(entries, |entry| entry.name.matches(&cluster.identifier) && entry.tags.matches(&cluster.tags));
        let address = Kind::AuroraCluster.address(&cluster.identifier);
        if let Some(entry) = one(cx, &address, chosen) {
            let changes = plan_cluster(cx, entry, cluster, address, &index);
            cx.changes.extend(changes);
        }
    }
    hits.warn_unmatched(cx, entries, |entry| format!("[[aurora.cluster]] match `{}`", entry.name));
    refuse_shared_names(cx);
    for made in &cx.inventory.aurora.clusters {
        if let Some(source) = made.migration_source()
            && entries.iter().any(|entry| entry.name.matches(source))
            && !cx.inventory.aurora.clusters.iter().any(|cluster| cluster.identifier == source)
            && !entries.iter().any(|entry| entry.name.matches(&made.identifier) && entry.tags.matches(&made.tags))
        {
            cx.warn(
                format!(
                    "`{}` was made by an encryption migration of `{source}`, which no longer exists: that migration cannot go on; select `{}` in the desired state to keep it, or delete it and the migration's snapshots by hand",
                    made.identifier, made.identifier
                ),
                None,
            );
        }
    }
}

/// Two migrations restoring into one name: neither goes on, and the plan says why.
fn refuse_shared_names(cx: &mut Context<'_>) {
    let mut sources_by_name: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for change in &cx.changes {
        match &change.operation {
            Operation::RestoreEncryptedCluster { source, cluster, .. } => sources_by_name.entry(cluster.clone()).or_default().push(source.clone()),
            // Instance names are cut to fit, so two long cluster names can give the same.
            Operation::CreateMigratedInstances { source, instances, .. } => {
                for instance in instances {
                    sources_by_name.entry(instance.identifier.clone()).or_default().push(source.clone());
                }
            }
            _ => {}
        }
    }
    for sources in sources_by_name.values_mut() {
        sources.sort();
        sources.dedup();
    }
    for (name, sources) in sources_by_name.into_iter().filter(|(_, sources)| sources.len() > 1) {
        let bases: Vec<String> = sources.iter().map(|source| format!("{}/encryption/", Kind::AuroraCluster.address(source))).collect();
        cx.changes.retain(|change| !bases.iter().any(|base| change.address.starts_with(base.as_str())));
        cx.error(
            format!(
                "the encryption migrations of {} would all make `{name}`: give each entry its own new_name, different in its first 60 characters",
                sources.join(" and ")
            ),
            None,
        );
    }
}

/// The capacity changes in place now; encryption needs a replacement, planned as a
/// change of its own so the in-place part can be applied without `--allow-replace`.
fn plan_cluster(
    cx: &mut Context<'_>,
    entry: &ClusterEntry,
    cluster: &Cluster,
    address: String,
    index: &std::cell::OnceCell<migration::CutoverIndex>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let (have_min, have_max) = cluster.serverless_v2.map_or((None, None), |scaling| (Some(scaling.min_acu), Some(scaling.max_acu)));
    let want_min = entry.min_acu().or(have_min);
    let want_max = entry.max_acu().or(have_max);
    let capacity: Vec<AttributeChange> = [("min_acu", have_min, want_min), ("max_acu", have_max, want_max)]
        .into_iter()
        .filter(|(_, have, want)| want.is_some() && have != want)
        .map(|(name, have, want)| AttributeChange::new(name, have.map(acu), want.map(acu)))
        .collect();
    if !capacity.is_empty() {
        let mut notes = ownership_notes(&cluster.tags);
        if cluster.serverless_v2.is_none() {
            notes.push("the cluster has no Serverless v2 scaling yet: the capacity applies to its db.serverless instances only".to_owned());
        }
        changes.push(Change {
            address: address.clone(),
            kind: Kind::AuroraCluster,
            action: Action::Update,
            label: None,
            attributes: capacity,
            flags: Vec::new(),
            source: source(&entry.origin),
            reason: None,
            notes,
            depends_on: Vec::new(),
            cost: None,
            operation: Operation::ModifyAuroraCapacity {
                cluster: cluster.identifier.clone(),
                min_acu: want_min.unwrap_or(0.5),
                max_acu: want_max.unwrap_or(1.0),
            },
        });
    }

    if entry.storage_encrypted == Some(false) && cluster.encrypted_at_rest() {
        // Decrypting is not something holdfast migrates to.
        cx.warn(
            format!("{} is encrypted and its entry says storage_encrypted = false: holdfast never moves data to an unencrypted cluster", cluster.identifier),
            Some(&entry.origin),
        );
        return changes;
    }
    let attributes = encryption_differences(&cx.inventory.kms, entry, cluster);
    if !attributes.is_empty() && !is_migrating_into(cx.inventory, cluster) {
        changes.extend(migration::plan(cx, entry, cluster, &address, attributes, index));
    }
    changes
}

/// The encryption migration of the cluster `identifier`, as its entry asks and as AWS
/// holds it now; None when no entry asks it to be encrypted otherwise than it is.
pub(crate) fn migration_of(
    desired: &holdfast_desired::Desired,
    inventory: &holdfast_inventory::Inventory,
    identifier: &str,
) -> Option<Result<migration::Migration, String>> {
    let cluster = inventory.aurora.clusters.iter().find(|cluster| cluster.identifier == identifier)?;
    let mut entries = desired.aurora.cluster.iter().filter(|entry| entry.name.matches(&cluster.identifier) && entry.tags.matches(&cluster.tags));
    let entry = entries.next()?;
    if entries.next().is_some() || is_migrating_into(inventory, cluster) || encryption_differences(&inventory.kms, entry, cluster).is_empty() {
        return None;
    }
    Some(migration::work_out(inventory, entry, cluster, &migration::CutoverIndex::of(inventory)))
}

/// How the cluster's encryption differs from what its entry asks: what only a migration
/// can change.
fn encryption_differences(kms: &holdfast_inventory::kms::Kms, entry: &ClusterEntry, cluster: &Cluster) -> Vec<AttributeChange> {
    let mut attributes = Vec::new();
    let have_encrypted = cluster.encrypted_at_rest();
    if entry.storage_encrypted == Some(true) && !have_encrypted {
        attributes.push(AttributeChange::new("storage_encrypted", Some("false".to_owned()), Some("true".to_owned())));
    }
    if have_encrypted
        && entry.storage_encrypted != Some(false)
        && let Some(want) = &entry.kms_key
        && !cluster.kms_key_id.as_deref().is_some_and(|have| same_kms_key(kms, want, have))
    {
        attributes.push(AttributeChange::new("kms_key", Some(cluster.kms_key_id.clone().unwrap_or_else(|| "an AWS owned key".to_owned())), Some(want.clone())));
    }
    attributes
}

/// Whether the cluster is the new cluster of a migration whose source still exists: it is
/// never migrated itself (its source's plan says what is wrong with it); once the source
/// is gone, it is a cluster like any other.
fn is_migrating_into(inventory: &holdfast_inventory::Inventory, cluster: &Cluster) -> bool {
    cluster.migration_source().is_some_and(|source| inventory.aurora.clusters.iter().any(|other| other.identifier == source))
}
