//! `[[cloudtrail.trail]]`: the trails whose home is this region, as they deliver now.

use holdfast_inventory::Inventory;

use crate::{Section, key_name};

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    for trail in inventory.cloudtrail.trails.iter().filter(|trail| trail.home_region == inventory.region) {
        // `logging` is declared on when left out: a stopped trail is a note, never a
        // declaration that would stop it again after someone starts it.
        if trail.logging != Some(true) {
            out.text.push('\n');
            out.review(format!("the trail `{}` is not logging: it is not imported", trail.name));
            continue;
        }
        out.entry("[[cloudtrail.trail]]", &[], 1);
        out.string("name", &trail.name);
        // Settings that are off are left undeclared, so turning them on later is no drift.
        for (key, on) in
            [("multi_region", trail.multi_region), ("log_file_validation", trail.log_file_validation), ("global_service_events", trail.global_service_events)]
        {
            if on {
                out.line(format!("{key} = true"));
            }
        }
        if let Some(bucket) = &trail.bucket {
            out.string("bucket", bucket);
        }
        if let Some(prefix) = trail.prefix.as_deref().filter(|prefix| !prefix.is_empty()) {
            out.string("prefix", prefix);
        }
        // A trail's key is left as it is: declared, holdfast would also manage the key's
        // policy for CloudTrail, which the import does not read.
        if let Some(key) = &trail.kms_key {
            out.line(format!("# encrypted with {}, which holdfast leaves as it is", key_name(inventory, key)));
        }
    }
}
