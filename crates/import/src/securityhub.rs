//! `[securityhub]`: Security Hub enabled, with the standards it is subscribed to.

use holdfast_desired::toml_text::quoted;
use holdfast_inventory::Inventory;

use crate::Section;

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    let Some(hub) = &inventory.securityhub.hub else {
        out.text.push('\n');
        out.review("Security Hub is not enabled in this region".to_owned());
        return;
    };
    out.entry("[securityhub]", &[], 1);
    out.line("enabled = true");
    if let Some(standards) = &hub.standards {
        let names: Vec<String> = standards
            .iter()
            .filter(|standard| matches!(standard.status.as_str(), "READY" | "PENDING" | "INCOMPLETE"))
            .map(|standard| quoted(short(&standard.standards_arn)))
            .collect();
        if !names.is_empty() {
            out.line(format!("standards = [{}]", names.join(", ")));
        }
    }
}

/// `aws-foundational-security-best-practices/v/1.0.0` from its ARN, as people write it.
fn short(arn: &str) -> &str {
    arn.split_once(":standards/").or_else(|| arn.split_once(":ruleset/")).map_or(arn, |(_, name)| name)
}
