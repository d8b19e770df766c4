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
    // `recording` is declared on when left out: a stopped recorder is a note, not a
    // declaration that would turn it off again after someone starts it.
    if !recorder.recording {
        out.text.push('\n');
        out.review(format!("AWS Config's recorder `{}` is stopped: it is not imported", recorder.name));
        return;
    }
    out.entry("[config]", &[], 1);
    // A recorder of a list of resource types is not holdfast's to declare: left as it is.
    if recorder.all_supported {
        out.line("all_supported = true");
        if recorder.include_global_resources {
            out.line("include_global_resources = true");
        }
    } else {
        out.review(format!("AWS Config's recorder `{}` records a list of resource types, which holdfast leaves as it is", recorder.name));
    }
    if let Some(channel) = inventory.config.channels.first() {
        if let Some(bucket) = &channel.bucket {
            out.string("bucket", bucket);
        }
        if let Some(prefix) = channel.prefix.as_deref().filter(|prefix| !prefix.is_empty()) {
            out.string("prefix", prefix);
        }
    }
    out.line("recording = true");
    // The service-linked role is what holdfast uses when none is named.
    if let Some(role) = recorder.role_arn.as_deref().filter(|role| *role != service_linked_role(&inventory.account_id)) {
        out.string("role", role);
    }
}
