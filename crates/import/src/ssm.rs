//! `[[ssm.parameter]]`: each parameter by name, type and key, never its value. A
//! SecureString is declared to exist, encrypted under its key; its value stays in SSM.

use holdfast_inventory::Inventory;

use crate::{Section, key_name};

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    // Under /holdfast/ is holdfast's own apply lock, which no desired state may declare.
    let parameters: Vec<_> = inventory.ssm.parameters.iter().filter(|parameter| !parameter.name.trim_start_matches('/').starts_with("holdfast/")).collect();
    if parameters.is_empty() {
        return;
    }
    out.line("\n# Each parameter's name, type and key; values are never written: they stay in SSM.");
    for parameter in parameters {
        out.entry("[[ssm.parameter]]", &[], 1);
        out.string("name", &parameter.name);
        out.string("type", &parameter.parameter_type);
        if let Some(key) = parameter.kms_key.as_deref().filter(|_| parameter.parameter_type == "SecureString") {
            out.string("kms_key", &key_name(inventory, key));
        }
    }
}
