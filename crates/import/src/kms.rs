//! `[[kms.key]]`: the account's own keys that have an alias, with their description and
//! rotation where it is on. AWS managed keys are AWS's.

use holdfast_desired::toml_text::quoted;
use holdfast_inventory::Inventory;

use crate::Section;

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    for key in &inventory.kms.keys {
        if key.manager.as_deref() == Some("AWS") {
            continue;
        }
        if let Some(state) = key.state.as_deref().filter(|state| *state != "Enabled") {
            // A declared key is one to keep enabled: a disabled one, or one due for deletion, is a person's call.
            let aliases: Vec<&str> =
                inventory.kms.aliases.iter().filter(|alias| alias.target_key_id.as_deref() == Some(key.id.as_str())).map(|alias| alias.name.as_str()).collect();
            if !aliases.is_empty() {
                out.text.push('\n');
                out.review(format!("the key {} ({}) is {state}: it is not imported", aliases.join(", "), key.id));
            }
            continue;
        }
        let mut aliases: Vec<&str> = inventory
            .kms
            .aliases
            .iter()
            .filter(|alias| alias.target_key_id.as_deref() == Some(key.id.as_str()) && !alias.name.starts_with("alias/aws/"))
            .map(|alias| alias.name.as_str())
            .collect();
        aliases.sort_unstable();
        let Some(alias) = aliases.first() else { continue };
        out.entry("[[kms.key]]", &[], 1);
        out.string("alias", alias);
        if let Some(description) = key.description.as_deref().filter(|description| !description.is_empty()) {
            out.line(format!("description = {}", quoted(description)));
        }
        // Off is where AWS starts a key: declared, it would turn off rotation someone turns on.
        if key.rotation == Some(true) {
            out.line("rotation = true");
        }
    }
}
