//! `[guardduty]`: the region's detector, its finding frequency and the features it has on.

use holdfast_desired::toml_text::quoted;
use holdfast_inventory::Inventory;

use crate::Section;

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    let Some(detector) = &inventory.guardduty.detector else {
        out.text.push('\n');
        out.review("GuardDuty is not enabled in this region".to_owned());
        return;
    };
    // `enabled = false` asks for the detector's deletion: a suspended one is a note.
    if !detector.enabled {
        out.text.push('\n');
        out.review(format!("GuardDuty's detector {} is suspended: it monitors nothing, and is not imported", detector.id));
        return;
    }
    out.entry("[guardduty]", &[], 1);
    out.line("enabled = true");
    if let Some(frequency) = &detector.finding_frequency {
        out.string("finding_frequency", frequency);
    }
    let features: Vec<String> = detector.features.iter().filter(|(_, status)| *status == "ENABLED").map(|(name, _)| quoted(name)).collect();
    if !features.is_empty() {
        out.line(format!("features = [{}]", features.join(", ")));
    }
}
