//! `[config]`: the region's AWS Config recorder and where it delivers.

use holdfast_desired::config::service_linked_role;
use holdfast_inventory::Inventory;

use crate::Section;

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    let Some(recorder) = inventory.config.recorders.first() else {
        out.text.push('\n');
        out.review("AWS Config records nothing in this region".to_owned());
        return;
    };
    out.entry("[config]", &[], 1);
    out.line(format!("all_supported = {}", recorder.all_supported));
    out.line(format!("include_global_resources = {}", recorder.include_global_resources));
    if let Some(channel) = inventory.config.channels.first() {
        if let Some(bucket) = &channel.bucket {
            out.string("bucket", bucket);
        }
        if let Some(prefix) = channel.prefix.as_deref().filter(|prefix| !prefix.is_empty()) {
            out.string("prefix", prefix);
        }
    }
    out.line(format!("recording = {}", recorder.recording));
    // The service-linked role is what holdfast uses when none is named.
    if let Some(role) = recorder.role_arn.as_deref().filter(|role| *role != service_linked_role(&inventory.account_id)) {
        out.string("role", role);
    }
}
