//! `[[cloudtrail.trail]]`: the trails whose home is this region, as they deliver now.

use holdfast_inventory::Inventory;

use crate::{Section, key_name};

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    for trail in inventory.cloudtrail.trails.iter().filter(|trail| trail.home_region == inventory.region) {
        out.entry("[[cloudtrail.trail]]", &[], 1);
        out.string("name", &trail.name);
        out.line(format!("multi_region = {}", trail.multi_region));
        out.line(format!("log_file_validation = {}", trail.log_file_validation));
        out.line(format!("global_service_events = {}", trail.global_service_events));
        if let Some(bucket) = &trail.bucket {
            out.string("bucket", bucket);
        }
        if let Some(prefix) = trail.prefix.as_deref().filter(|prefix| !prefix.is_empty()) {
            out.string("prefix", prefix);
        }
        if let Some(key) = &trail.kms_key {
            out.string("kms_key", &key_name(inventory, key));
        }
        if let Some(logging) = trail.logging {
            out.line(format!("logging = {logging}"));
        }
    }
}
