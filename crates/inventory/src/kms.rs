//! KMS aliases, so `alias/x`, a key id and a key ARN that mean one key compare equal.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Kms {
    pub aliases: Vec<Alias>,
    /// Every key of the account and region (ListKeys).
    #[serde(default)]
    pub keys: Vec<Key>,
    /// Keys an interrupted apply created for a declared alias and never named: read only
    /// when a declared alias is missing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub orphans: Vec<Orphan>,
}

/// A key without an alias, tagged `holdfast:alias` with the alias it was created for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Orphan {
    pub alias: String,
    pub key_id: String,
    pub state: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub id: String,
    pub arn: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, ...: read for the keys the desired state
    /// names (DescribeKey), None for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Read for the keys `[[kms.key]]` declares, as are the next two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Automatic rotation of the key material.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<bool>,
    /// `AWS` or `CUSTOMER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// The `default` key policy, read for keys a trail encrypts with: CloudTrail must be
    /// allowed to use them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

/// What a key reference in the desired state names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyReference {
    /// A key of this account, by ARN.
    Key(String),
    /// An AWS managed alias (`alias/aws/s3`): valid before its key is first used.
    AwsManaged,
    /// A key or alias of another account, which cannot be listed from here.
    OtherAccount,
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    /// `alias/name`.
    pub name: String,
    /// The key id the alias points at; None for an AWS managed alias not yet used.
    pub target_key_id: Option<String>,
}

impl Kms {
    /// The key an alias points at, when both exist.
    pub fn key_of_alias(&self, alias: &str) -> Option<&Key> {
        let id = self.aliases.iter().find(|candidate| candidate.name == alias)?.target_key_id.as_deref()?;
        self.keys.iter().find(|key| key.id == id)
    }

    /// The state of a key of this account, by ARN, when it was read.
    pub fn state(&self, arn: &str) -> Option<&str> {
        self.keys.iter().find(|key| key.arn == arn).and_then(|key| key.state.as_deref())
    }

    /// Resolves a key id, key ARN, alias name or alias ARN against the keys and
    /// aliases read; `account_id` tells this account's ARNs from others'.
    pub fn resolve(&self, reference: &str, account_id: &str) -> KeyReference {
        if reference.starts_with("arn:") && reference.split(':').nth(4).is_some_and(|account| account != account_id) {
            return KeyReference::OtherAccount;
        }
        let alias_name = match reference.find(":alias/") {
            Some(position) => Some(&reference[position + 1..]),
            None => reference.starts_with("alias/").then_some(reference),
        };
        let key_id = match alias_name {
            Some(alias) if alias.starts_with("alias/aws/") => return KeyReference::AwsManaged,
            Some(alias) => match self.aliases.iter().find(|candidate| candidate.name == alias).and_then(|found| found.target_key_id.clone()) {
                Some(id) => id,
                None => return KeyReference::Missing,
            },
            None => reference.rsplit_once(":key/").map_or(reference, |(_, id)| id).to_owned(),
        };
        match self.keys.iter().find(|key| key.id == key_id) {
            Some(key) => KeyReference::Key(key.arn.clone()),
            None => KeyReference::Missing,
        }
    }

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
        let kms = Kms { aliases: vec![Alias { name: "alias/z360-phi".into(), target_key_id: Some("1234abcd".into()) }], keys: Vec::new(), orphans: Vec::new() };
        let id = Some("1234abcd".to_owned());
        assert_eq!(kms.key_id("alias/z360-phi"), id);
        assert_eq!(kms.key_id("arn:aws:kms:us-east-1:108782097218:alias/z360-phi"), id);
        assert_eq!(kms.key_id("arn:aws:kms:us-east-1:108782097218:key/1234abcd"), id);
        assert_eq!(kms.key_id("1234abcd"), id);
        assert_eq!(kms.key_id("alias/unknown"), None);
    }

    #[test]
    fn references_resolve_to_this_accounts_key_arns_or_are_missing() {
        let arn = "arn:aws:kms:us-east-1:108782097218:key/1234abcd".to_owned();
        let kms = Kms {
            aliases: vec![
                Alias { name: "alias/z360-phi".into(), target_key_id: Some("1234abcd".into()) },
                Alias { name: "alias/dangling".into(), target_key_id: None },
            ],
            keys: vec![Key { id: "1234abcd".into(), arn: arn.clone(), state: Some("Enabled".into()), ..Key::default() }],
            orphans: Vec::new(),
        };
        let resolve = |reference: &str| kms.resolve(reference, "108782097218");
        assert_eq!(resolve("alias/z360-phi"), KeyReference::Key(arn.clone()));
        assert_eq!(resolve("arn:aws:kms:us-east-1:108782097218:alias/z360-phi"), KeyReference::Key(arn.clone()));
        assert_eq!(resolve("1234abcd"), KeyReference::Key(arn.clone()));
        assert_eq!(resolve(&arn), KeyReference::Key(arn.clone()));
        assert_eq!(resolve("alias/does-not-exist"), KeyReference::Missing);
        assert_eq!(resolve("alias/dangling"), KeyReference::Missing);
        assert_eq!(resolve("ffff0000"), KeyReference::Missing);
        assert_eq!(resolve("alias/aws/s3"), KeyReference::AwsManaged);
        assert_eq!(resolve("arn:aws:kms:us-east-1:999999999999:key/abc"), KeyReference::OtherAccount);
    }
}
