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
                    _ => cluster.storage_encrypted.to_string(),
                };
                let mut found =
                    finding(cluster.storage_encrypted, format!("aurora.cluster/{}", cluster.identifier), "StorageEncrypted", observed, || fix(cx, cluster));
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

/// Said with every Aurora fix: the plan shows a replacement, which must not be forced.
const MIGRATION: &str = "# encryption is chosen when a cluster is created: holdfast plans this as a replacement, which\n# deletes data if forced; migrate instead (snapshot, copy with a KMS key, restore, cut over)";

fn fix(cx: &Context<'_>, cluster: &Cluster) -> Fix {
    let entry = cx.desired.aurora.cluster.iter().find(|entry| entry.name.matches(&cluster.identifier) && entry.tags.matches(&cluster.tags));
    match entry {
        Some(entry) if entry.storage_encrypted == Some(true) => Fix::Declared {
            location: location(&entry.origin),
            note: "declared, but storage encryption is chosen when a cluster is created: migrate it (snapshot, copy with a KMS key, restore, cut over); `holdfast plan` shows it as a replacement".to_owned(),
        },
        Some(entry) => Fix::AddToEntry { location: location(&entry.origin), toml: format!("{MIGRATION}\nstorage_encrypted = true") },
        None => Fix::NewEntry { toml: format!("{MIGRATION}\n[[aurora.cluster]]\nmatch = {}\nstorage_encrypted = true", quoted(&cluster.identifier)) },
    }
}
