//! KMS: the keys `[[kms.key]]` declares, and every key reference of the desired state,
//! which must exist (or be declared) when the plan is made. S3 does not check the key a
//! bucket's default encryption names, so a missing one would make every default-encrypted
//! upload fail; SSM, RDS and CloudTrail fail later, mid-apply.

use holdfast_desired::kms::{KeyEntry, declared};
use holdfast_desired::{Ensure, Origin};
use holdfast_inventory::kms::{Key, KeyReference};

use crate::context::{Context, source};
use crate::operation::{ManagedStatements, Operation};
use crate::plan::{Action, AttributeChange, Change, Flag, Kind};

/// The service principal CloudTrail encrypts log files as.
pub(crate) const CLOUDTRAIL: &str = "cloudtrail.amazonaws.com";

/// Plans the declared keys, then checks every key reference.
pub(crate) fn plan(cx: &mut Context<'_>) {
    for entry in cx.desired.kms.key.iter() {
        if let Some(conflict) = declared_both_ways(cx, entry) {
            cx.error(
                format!(
                    "{} is declared absent, but it names the same key as {}, which {} declares present: one key cannot be both; remove one of the entries",
                    entry.alias(),
                    conflict.alias(),
                    source(&conflict.origin)
                ),
                Some(&entry.origin),
            );
            continue;
        }
        let change = plan_key(cx, entry);
        cx.changes.extend(change);
    }
    check_references(cx);
}

/// For an absent entry, another entry declaring the same key present under another alias.
fn declared_both_ways<'a>(cx: &Context<'a>, entry: &KeyEntry) -> Option<&'a KeyEntry> {
    if entry.ensure != Ensure::Absent {
        return None;
    }
    let key = cx.inventory.kms.key_of_alias(entry.alias())?;
    cx.desired
        .kms
        .key
        .iter()
        .find(|other| other.ensure == Ensure::Present && cx.inventory.kms.key_of_alias(other.alias()).is_some_and(|other_key| other_key.id == key.id))
}

/// The declared entry a key reference means, in any spelling: its alias, the alias's ARN,
/// or the id or ARN of the key the alias points at.
pub(crate) fn declared_entry<'a>(cx: &Context<'a>, reference: &str) -> Option<&'a KeyEntry> {
    if let Some(entry) = declared(&cx.desired.kms, reference) {
        return Some(entry);
    }
    let key_id = cx.inventory.kms.key_id(reference)?;
    cx.desired.kms.key.iter().find(|entry| cx.inventory.kms.key_of_alias(entry.alias()).is_some_and(|key| key.id == key_id))
}

fn plan_key(cx: &Context<'_>, entry: &KeyEntry) -> Option<Change> {
    let alias = entry.alias();
    let address = Kind::KmsKey.address(alias);
    let alias_exists = cx.inventory.kms.aliases.iter().any(|candidate| candidate.name == alias);
    let key = cx.inventory.kms.key_of_alias(alias);
    let change = |action, attributes, flags, reason, operation| Change {
        address: address.clone(),
        kind: Kind::KmsKey,
        action,
        label: None,
        attributes,
        flags,
        source: source(&entry.origin),
        reason,
        notes: Vec::new(),
        depends_on: Vec::new(),
        cost: None,
        operation,
    };
    match (entry.ensure, key) {
        (Ensure::Present, None) if alias_exists => Some(change(
            Action::Manual,
            Vec::new(),
            Vec::new(),
            Some(format!("the alias {alias} exists but points at no key of this account: point it at a key (aws kms update-alias), or delete it")),
            Operation::Manual,
        )),
        (Ensure::Present, None) if cx.inventory.kms.orphans.iter().filter(|orphan| orphan.alias == alias).count() > 1 => {
            let ids: Vec<&str> = cx.inventory.kms.orphans.iter().filter(|orphan| orphan.alias == alias).map(|orphan| orphan.key_id.as_str()).collect();
            Some(change(
                Action::Manual,
                Vec::new(),
                Vec::new(),
                Some(format!(
                    "{} keys without an alias are tagged holdfast:alias = {alias} ({}), left by interrupted applies: give one the alias by hand (aws kms create-alias) and schedule the others' deletion",
                    ids.len(),
                    ids.join(", ")
                )),
                Operation::Manual,
            ))
        }
        (Ensure::Present, None) => {
            let mut attributes = vec![AttributeChange::new("alias", None, Some(alias.to_owned()))];
            let orphan = cx.inventory.kms.orphans.iter().find(|orphan| orphan.alias == alias);
            if let Some(orphan) = orphan {
                let restored = if orphan.state == "Enabled" { String::new() } else { format!(", {} now: enabled again", orphan.state) };
                attributes.push(AttributeChange::new(
                    "key",
                    None,
                    Some(format!("adopts {}, which an interrupted apply created for this alias and never named{restored}", orphan.key_id)),
                ));
            }
            if let Some(description) = &entry.description {
                attributes.push(AttributeChange::new("description", None, Some(description.clone())));
            }
            if let Some(rotation) = entry.rotation {
                attributes.push(AttributeChange::new("rotation", None, Some(on_off(rotation))));
            }
            let services = services_using(cx, alias);
            if !services.is_empty() {
                attributes.push(AttributeChange::new("key policy", None, Some(format!("the account's administrators, and {}", services.join(", ")))));
            }
            Some(change(
                Action::Create,
                attributes,
                Vec::new(),
                None,
                Operation::CreateKey {
                    alias: alias.to_owned(),
                    description: entry.description.clone(),
                    rotation: entry.rotation,
                    adopt: orphan.map(|orphan| orphan.key_id.clone()),
                    services,
                },
            ))
        }
        (Ensure::Present, Some(key)) => update(cx, entry, key).map(|(attributes, operation)| change(Action::Update, attributes, Vec::new(), None, operation)),
        (Ensure::Absent, Some(key)) if key.state.as_deref() != Some("PendingDeletion") => {
            let users = users_of(cx, key);
            let reason = if users.is_empty() {
                format!(
                    "marked ensure = \"absent\": deletion is scheduled 30 days out, and can be cancelled until then (aws kms cancel-key-deletion --key-id {})",
                    key.id
                )
            } else {
                format!(
                    "marked ensure = \"absent\", but the key still encrypts {}: data under a deleted key is lost for good. Deletion is scheduled 30 days out and can be cancelled until then",
                    users.join(", ")
                )
            };
            Some(change(
                Action::Delete,
                vec![AttributeChange::new("state", key.state.clone(), Some("PendingDeletion (30 days)".to_owned()))],
                vec![Flag::DeletesData],
                Some(reason),
                Operation::ScheduleKeyDeletion { alias: alias.to_owned(), key_id: key.id.clone() },
            ))
        }
        (Ensure::Absent, _) => None,
    }
}

fn update(cx: &Context<'_>, entry: &KeyEntry, key: &Key) -> Option<(Vec<AttributeChange>, Operation)> {
    let mut attributes = Vec::new();
    let state = key.state.as_deref().unwrap_or("Enabled");
    let restore = state == "PendingDeletion" || state == "Disabled";
    if restore {
        attributes.push(AttributeChange::new("state", Some(state.to_owned()), Some("Enabled".to_owned())));
    }
    let description = entry.description.as_ref().filter(|want| key.description.as_deref() != Some(want.as_str()));
    if let Some(want) = description {
        attributes.push(AttributeChange::new("description", key.description.clone(), Some(want.clone())));
    }
    let rotation = entry.rotation.filter(|want| key.rotation != Some(*want));
    if let Some(want) = rotation {
        attributes.push(AttributeChange::new("rotation", key.rotation.map(on_off), Some(on_off(want))));
    }
    // A declared trail encrypts with this key: its policy must let CloudTrail.
    let mut policy = None;
    let wanted = holdfast_inventory::policy::cloudtrail_key_statements(&cx.inventory.account_id);
    if !services_using(cx, entry.alias()).is_empty()
        && let Some(text) = &key.policy
        && (!allows_service(text, CLOUDTRAIL, &cx.inventory.account_id)
            || holdfast_inventory::policy::Document::parse(text).is_ok_and(|document| {
                let ours = document.managed();
                !ours.is_empty() && !crate::bucket_policy::same(&ours, &wanted)
            }))
    {
        let before = if text.contains("holdfast-cloudtrail-") {
            "holdfast's CloudTrail statements changed: they do not let cloudtrail.amazonaws.com use the key"
        } else {
            "no statement lets cloudtrail.amazonaws.com use the key"
        };
        attributes.push(AttributeChange::new(
            "key policy",
            Some(before.to_owned()),
            Some("holdfast-cloudtrail-encrypt, holdfast-cloudtrail-describe added; other statements kept".to_owned()),
        ));
        policy = Some(ManagedStatements { statements: wanted });
    }
    (!attributes.is_empty()).then(|| {
        let operation =
            Operation::UpdateKey { alias: entry.alias().to_owned(), key_id: key.id.clone(), restore, description: description.cloned(), rotation, policy };
        (attributes, operation)
    })
}

fn on_off(on: bool) -> String {
    if on { "on".to_owned() } else { "off".to_owned() }
}

/// The AWS services that encrypt with a declared key, for the policy of a key created here.
fn services_using(cx: &Context<'_>, alias: &str) -> Vec<String> {
    let used_by_trail = cx
        .desired
        .cloudtrail
        .trail
        .iter()
        .filter(|trail| trail.ensure == Ensure::Present)
        .filter_map(|trail| trail.kms_key.as_deref())
        .any(|reference| declared_entry(cx, reference).is_some_and(|entry| entry.alias() == alias));
    if used_by_trail { vec![CLOUDTRAIL.to_owned()] } else { Vec::new() }
}

/// What the inventory shows encrypted under a key: buckets, parameters, clusters, trails.
fn users_of(cx: &Context<'_>, key: &Key) -> Vec<String> {
    let kms = &cx.inventory.kms;
    let is_key = |reference: &str| kms.key_id(reference).as_deref() == Some(key.id.as_str());
    let mut users: Vec<String> = Vec::new();
    for bucket in &cx.inventory.s3.buckets {
        if bucket.encryption.as_ref().and_then(|encryption| encryption.kms_key.as_deref()).is_some_and(is_key) {
            users.push(format!("bucket {}", bucket.name));
        }
    }
    for parameter in &cx.inventory.ssm.parameters {
        if parameter.kms_key.as_deref().is_some_and(is_key) {
            users.push(format!("parameter {}", parameter.name));
        }
    }
    for cluster in &cx.inventory.aurora.clusters {
        if cluster.storage_encrypted && cluster.kms_key_id.as_deref().is_some_and(is_key) {
            users.push(format!("Aurora cluster {}", cluster.identifier));
        }
    }
    for trail in &cx.inventory.cloudtrail.trails {
        if trail.kms_key.as_deref().is_some_and(is_key) {
            users.push(format!("trail {}", trail.name));
        }
    }
    // Other aliases name the same key: whatever uses them loses it too.
    for alias in &kms.aliases {
        if alias.target_key_id.as_deref() == Some(key.id.as_str()) && !cx.desired.kms.key.iter().any(|entry| entry.alias() == alias.name) {
            users.push(format!("whatever uses its other alias {}", alias.name));
        }
    }
    users
}

/// Whether a key policy has an Allow statement for this service principal.
pub(crate) fn allows_service(policy: &str, service: &str, account_id: &str) -> bool {
    let Ok(document) = serde_json::from_str::<serde_json::Value>(policy) else { return false };
    let statements = match &document["Statement"] {
        serde_json::Value::Array(items) => items.clone(),
        single => vec![single.clone()],
    };
    let listed = |value: &serde_json::Value, wanted: &[&str]| match value {
        serde_json::Value::String(text) => wanted.contains(&text.as_str()),
        serde_json::Value::Array(items) => items.iter().any(|item| item.as_str().is_some_and(|text| wanted.contains(&text))),
        _ => false,
    };
    let names_service = |statement: &serde_json::Value| {
        let principal = &statement["Principal"];
        principal == "*" || listed(&principal["Service"], &[service]) || listed(&principal["AWS"], &["*"])
    };
    let generates_keys = |statement: &serde_json::Value| listed(&statement["Action"], &["kms:GenerateDataKey*", "kms:GenerateDataKey", "kms:*", "*"]);
    // An unconditional Deny that reaches the service wins over any Allow.
    let denied = statements
        .iter()
        .any(|statement| statement["Effect"] == "Deny" && statement.get("Condition").is_none() && names_service(statement) && generates_keys(statement));
    // A condition naming another account's trails or sources grants this account nothing.
    let for_this_account = |statement: &serde_json::Value| {
        let condition = statement.get("Condition").map(serde_json::Value::to_string).unwrap_or_default();
        let accounts = condition.split(|c: char| !c.is_ascii_digit()).filter(|run| run.len() == 12);
        accounts.into_iter().all(|account| account == account_id)
    };
    let allowed = statements.iter().any(|statement| {
        statement["Effect"] == "Allow" && listed(&statement["Principal"]["Service"], &[service]) && generates_keys(statement) && for_this_account(statement)
    });
    allowed && !denied
}

/// The change that creates or restores the key a reference names, for the changes that
/// use it to depend on.
pub(crate) fn key_dependency(cx: &Context<'_>, reference: &str) -> Option<String> {
    declared_entry(cx, reference).filter(|entry| entry.ensure == Ensure::Present).map(|entry| Kind::KmsKey.address(entry.alias()))
}

/// Checks every key reference of the desired state; each missing one is a plan error.
fn check_references(cx: &mut Context<'_>) {
    let desired = cx.desired;
    let mut references: Vec<(&str, &str, &Origin)> = Vec::new();
    for entry in desired.s3.bucket.iter() {
        if let Some(key) = entry.encryption.as_ref().and_then(|encryption| encryption.get_ref().kms_key.as_deref()) {
            references.push((key, "[[s3.bucket]] encryption", &entry.origin));
        }
    }
    for entry in desired.ssm.parameter.iter() {
        if let Some(key) = entry.kms_key.as_deref() {
            references.push((key, "[[ssm.parameter]]", &entry.origin));
        }
    }
    for entry in desired.aurora.cluster.iter() {
        if let Some(key) = entry.kms_key.as_deref() {
            references.push((key, "[[aurora.cluster]]", &entry.origin));
        }
    }
    for entry in desired.cloudtrail.trail.iter() {
        if let Some(key) = entry.kms_key.as_deref() {
            references.push((key, "[[cloudtrail.trail]]", &entry.origin));
        }
    }
    for (key, what, origin) in references {
        if key.trim().is_empty() {
            cx.error(format!("{what} names an empty KMS key"), Some(origin));
            continue;
        }
        let declared = declared_entry(cx, key);
        if let Some(entry) = declared.filter(|entry| entry.ensure == Ensure::Absent) {
            cx.error(format!("{what} names the KMS key `{key}`, which {} marks ensure = \"absent\"", source(&entry.origin)), Some(origin));
            continue;
        }
        match resolve(cx, key) {
            // Declared: the plan creates it, or restores it, before anything uses it.
            _ if declared.is_some() => {}
            KeyReference::Missing => cx.error(
                format!(
                    "{what} names the KMS key `{key}`, which does not exist in account {} ({}) and no [[kms.key]] declares: declare it (alias = \"{key}\"), or name an existing key",
                    cx.inventory.account_id, cx.inventory.region
                ),
                Some(origin),
            ),
            // A disabled key refuses every use; one pending deletion takes the data with it.
            KeyReference::Key(arn) => match cx.inventory.kms.state(&arn) {
                Some(state) if state != "Enabled" => cx.error(
                    format!("{what} names the KMS key `{key}` ({arn}), which is {state}: nothing can be encrypted with it, and what is encrypted under a deleted key is lost; enable it (or cancel its deletion), or name another key"),
                    Some(origin),
                ),
                _ => {}
            },
            KeyReference::OtherAccount => cx.warn(
                format!("{what} names the KMS key `{key}` of another account: whether it exists and is enabled cannot be read from here, so apply checks it just before use"),
                Some(origin),
            ),
            KeyReference::AwsManaged => {}
        }
    }
}

pub(crate) fn resolve(cx: &Context<'_>, reference: &str) -> KeyReference {
    cx.inventory.kms.resolve(reference, &cx.inventory.account_id)
}

/// What to write for a key reference: the key ARN where it resolves to one of this
/// account's keys (as AWS advises for bucket encryption), the reference as given otherwise.
pub(crate) fn key_to_write(cx: &Context<'_>, reference: &str) -> String {
    match resolve(cx, reference) {
        KeyReference::Key(arn) => arn,
        _ => reference.to_owned(),
    }
}
