//! Aurora: every cluster's storage encrypted, whether or not it has instances.

use holdfast_inventory::aurora::Cluster;

use crate::context::{Context, Outcome, finding, location, quoted};
use crate::report::Fix;

pub(crate) fn evaluate(cx: &Context<'_>) -> Vec<Outcome> {
    let evaluated = cx.read("aurora.cluster *").map(|()| {
        cx.inventory
            .aurora
            .clusters
            .iter()
            .map(|cluster| {
                let observed = match &cluster.kms_key_id {
                    Some(key) if cluster.storage_encrypted => format!("true ({key})"),
                    // Encrypted by default since 2026, with a key AWS owns.
                    _ if cluster.encrypted_at_rest() => "false, StorageEncryptionType = sse-rds (an AWS owned key)".to_owned(),
                    _ => cluster.storage_encrypted.to_string(),
                };
                let mut found =
                    finding(cluster.encrypted_at_rest(), format!("aurora.cluster/{}", cluster.identifier), "StorageEncrypted", observed, || fix(cx, cluster));
                found.note = match cluster.members.as_deref() {
                    Some([]) => Some(
                        "no DB instances: Prowler's HIPAA mapping checks instances (rds_instance_storage_encrypted), so it never sees this cluster".to_owned(),
                    ),
                    Some(members) => Some(format!("{} instance(s): {}", members.len(), members.join(", "))),
                    None => None,
                };
                found
            })
            .collect()
    });
    let others = cx.read("aurora.other_databases").and_then(|()| {
        let databases = cx.inventory.aurora.other_databases.as_ref().ok_or_else(|| "RDS databases outside Aurora were not read".to_owned())?;
        Ok(databases
            .iter()
            .map(|database| {
                finding(
                    database.storage_encrypted,
                    format!("rds.{}/{}", database.kind, database.identifier),
                    "StorageEncrypted",
                    database.storage_encrypted.to_string(),
                    || Fix::Manual {
                        text: format!(
                            "holdfast does not manage {} databases: snapshot {}, copy the snapshot with a KMS key, restore it, and switch over",
                            database.engine, database.identifier
                        ),
                    },
                )
            })
            .collect())
    });
    vec![Outcome::new("aurora.cluster_encrypted", "clusters", evaluated), Outcome::new("rds.storage_encrypted", "databases", others)]
}

/// Said with every Aurora fix: encryption comes by a migration to a new cluster.
const MIGRATION: &str = "# encryption is chosen when a cluster is created: holdfast migrates the data to a new, encrypted\n# cluster beside this one (apply --allow-replace), and a person switches over";

fn fix(cx: &Context<'_>, cluster: &Cluster) -> Fix {
    let entry = cx.desired.aurora.cluster.iter().find(|entry| entry.name.matches(&cluster.identifier) && entry.tags.matches(&cluster.tags));
    match entry {
        Some(entry) if entry.storage_encrypted == Some(true) => Fix::Declared {
            location: location(&entry.origin),
            note: format!(
                "declared, but storage encryption is chosen when a cluster is created: `holdfast apply --allow-replace` restores an encrypted copy beside it, and `holdfast runbook aurora.cluster/{}` prints the steps and the cutover",
                cluster.identifier
            ),
        },
        Some(entry) => Fix::AddToEntry { location: location(&entry.origin), toml: format!("{MIGRATION}\nstorage_encrypted = true") },
        None => Fix::NewEntry { toml: format!("{MIGRATION}\n[[aurora.cluster]]\nmatch = {}\nstorage_encrypted = true", quoted(&cluster.identifier)) },
    }
}
