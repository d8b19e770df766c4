//! KMS aliases, so `alias/x`, a key id and a key ARN that mean one key compare equal.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Kms {
    pub aliases: Vec<Alias>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    /// `alias/name`.
    pub name: String,
    /// The key id the alias points at; None for an AWS managed alias not yet used.
    pub target_key_id: Option<String>,
}

impl Kms {
    /// The key id a reference means, when it can be told: a key id, a key ARN, an alias
    /// name or an alias ARN. Unknown aliases stay unresolved.
    pub fn key_id(&self, reference: &str) -> Option<String> {
        let alias_name = if let Some(position) = reference.find(":alias/") {
            Some(&reference[position + 1..])
        } else if reference.starts_with("alias/") {
            Some(reference)
        } else {
            None
        };
        if let Some(alias_name) = alias_name {
            return self.aliases.iter().find(|alias| alias.name == alias_name).and_then(|alias| alias.target_key_id.clone());
        }
        match reference.rsplit_once(":key/") {
            Some((_, id)) => Some(id.to_owned()),
            None => Some(reference.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_key_id_and_arns_resolve_to_one_key() {
        let kms = Kms { aliases: vec![Alias { name: "alias/z360-phi".into(), target_key_id: Some("1234abcd".into()) }] };
        let id = Some("1234abcd".to_owned());
        assert_eq!(kms.key_id("alias/z360-phi"), id);
        assert_eq!(kms.key_id("arn:aws:kms:us-east-1:108782097218:alias/z360-phi"), id);
        assert_eq!(kms.key_id("arn:aws:kms:us-east-1:108782097218:key/1234abcd"), id);
        assert_eq!(kms.key_id("1234abcd"), id);
        assert_eq!(kms.key_id("alias/unknown"), None);
    }
}
