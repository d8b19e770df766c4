//! `[[aurora.cluster]]`: clusters with the same Serverless v2 range and encryption, one
//! entry each.

use std::collections::BTreeMap;

use holdfast_inventory::Inventory;
use holdfast_inventory::aurora::Cluster;

use crate::names::{Reach, globs};
use crate::{Section, key_name, names_of, number, plural, short_list};

/// What an entry declares of a cluster: the range (as written) and the key, if encrypted.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Declared {
    range: Option<(String, String)>,
    encrypted: bool,
    key: Option<String>,
}

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    let clusters = &inventory.aurora.clusters;
    let universe = names_of(clusters, |cluster| cluster.identifier.as_str());
    let mut groups: BTreeMap<Declared, Vec<&Cluster>> = BTreeMap::new();
    for cluster in clusters {
        let declared = Declared {
            range: cluster.serverless_v2.map(|scaling| (number(scaling.min_acu), number(scaling.max_acu))),
            encrypted: cluster.storage_encrypted,
            key: cluster.kms_key_id.as_deref().filter(|_| cluster.storage_encrypted).map(|key| key_name(inventory, key)),
        };
        groups.entry(declared).or_default().push(cluster);
    }
    // In name order, as a reader looks for a resource: not in the order of their settings.
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| a.1.first().map(|first| first.identifier.as_str()).cmp(&b.1.first().map(|first| first.identifier.as_str())));
    for (declared, members) in &groups {
        let names: Vec<&str> = members.iter().map(|cluster| cluster.identifier.as_str()).collect();
        for (glob, group) in globs(&names, &universe, names.len() == universe.len(), Reach::Names) {
            let listed: Vec<String> = group.iter().map(|name| (*name).to_owned()).collect();
            let encryption = if declared.encrypted { "encrypted" } else { "not encrypted at rest" };
            out.entry("[[aurora.cluster]]", &[format!("{}, {encryption}: {}", plural(group.len(), "cluster", "clusters"), short_list(&listed))], group.len());
            out.string("match", &glob);
            if let Some((min, max)) = &declared.range {
                out.line(format!("min_acu = {min}"));
                out.line(format!("max_acu = {max}"));
            }
            // Unencrypted is said in the comment, not declared: declared, it would refuse
            // the encryption someone asks for later in another entry.
            if declared.encrypted {
                out.line("storage_encrypted = true");
            }
            if let Some(key) = &declared.key {
                out.string("kms_key", key);
            }
        }
    }
}
