//! Aurora: Serverless v2 capacity in place; storage encryption only by replacement.

use holdfast_desired::aurora::ClusterEntry;
use holdfast_inventory::aurora::Cluster;

use crate::context::{Context, ownership_notes, source};
use crate::normalize::{acu, same_kms_key};
use crate::operation::Operation;
use crate::plan::{Action, AttributeChange, Change, Flag, Kind};
use crate::select::{Hits, one};

/// The key RDS uses for an encrypted cluster when none is named.
const DEFAULT_KEY: &str = "alias/aws/rds";

pub(crate) fn plan(cx: &mut Context<'_>) {
    let entries = &cx.desired.aurora.cluster;
    let mut hits = Hits::new(entries.len());
    for cluster in &cx.inventory.aurora.clusters {
        let chosen = hits.select(entries, |entry| entry.name.matches(&cluster.identifier) && entry.tags.matches(&cluster.tags));
        let address = Kind::AuroraCluster.address(&cluster.identifier);
        if let Some(entry) = one(cx, &address, chosen) {
            let changes = plan_cluster(cx, entry, cluster, address);
            cx.changes.extend(changes);
        }
    }
    hits.warn_unmatched(cx, entries, |entry| format!("[[aurora.cluster]] match `{}`", entry.name));
}

/// The capacity changes in place now; encryption needs a replacement, planned as a
/// change of its own so the in-place part can be applied without `--allow-replace`.
fn plan_cluster(cx: &Context<'_>, entry: &ClusterEntry, cluster: &Cluster, address: String) -> Vec<Change> {
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
            operation: Operation::ModifyAuroraCapacity {
                cluster: cluster.identifier.clone(),
                min_acu: want_min.unwrap_or(0.5),
                max_acu: want_max.unwrap_or(1.0),
            },
        });
    }

    let mut attributes = Vec::new();
    let mut reason = None;
    if let Some(want) = entry.storage_encrypted
        && want != cluster.storage_encrypted
    {
        attributes.push(AttributeChange::new("storage_encrypted", Some(cluster.storage_encrypted.to_string()), Some(want.to_string())));
        reason = Some(
            "storage encryption can only be chosen when a cluster is created: the cluster is snapshotted, restored as an encrypted copy, and switched over; writes after the snapshot are lost unless the application is stopped first",
        );
    }
    if cluster.storage_encrypted
        && entry.storage_encrypted != Some(false)
        && let (Some(want), Some(have)) = (&entry.kms_key, &cluster.kms_key_id)
        && !same_kms_key(&cx.inventory.kms, want, have)
    {
        attributes.push(AttributeChange::new("kms_key", Some(have.clone()), Some(want.clone())));
        reason = Some(
            "the key of an encrypted cluster cannot be changed: the cluster is snapshotted, the snapshot copied under the new key and restored, and switched over; writes after the snapshot are lost unless the application is stopped first",
        );
    }
    if let Some(reason) = reason {
        let storage_encrypted = entry.storage_encrypted.unwrap_or(cluster.storage_encrypted);
        changes.push(Change {
            address: format!("{address}/encryption"),
            kind: Kind::AuroraCluster,
            action: Action::Replace,
            label: None,
            attributes,
            flags: vec![Flag::ForcesReplacement, Flag::DeletesData],
            source: source(&entry.origin),
            reason: Some(reason.to_owned()),
            notes: ownership_notes(&cluster.tags),
            depends_on: if changes.is_empty() { Vec::new() } else { vec![address.clone()] },
            operation: Operation::ReplaceAuroraEncrypted {
                cluster: cluster.identifier.clone(),
                storage_encrypted,
                kms_key: entry.kms_key.clone().or_else(|| storage_encrypted.then(|| DEFAULT_KEY.to_owned())),
                min_acu: want_min,
                max_acu: want_max,
            },
        });
    }
    changes
}
