//! `[[s3.bucket]]`: buckets with the same encryption, lifecycle rules, public access
//! block and holdfast-owned policy statements, one entry each.

use std::collections::BTreeMap;

use holdfast_desired::toml_text::quoted;
use holdfast_inventory::Inventory;
use holdfast_inventory::policy::{Document, MANAGED_PREFIX};
use holdfast_inventory::s3::{Bucket, LifecycleRule};

use crate::names::{Reach, globs};
use crate::{Section, key_name, plural, short_list};

/// What S3 applies to a new lifecycle configuration anyway since September 2024.
const DEFAULT_MINIMUM_SIZE: &str = "all_storage_classes_128K";

/// What an entry declares of a bucket, each line as written.
#[derive(PartialEq, Eq, PartialOrd, Ord, Default)]
struct Declared {
    lines: Vec<String>,
}

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    let buckets = &inventory.s3.buckets;
    let mut universe: Vec<&str> = buckets.iter().map(|bucket| bucket.name.as_str()).chain(inventory.s3.names.iter().map(String::as_str)).collect();
    universe.sort_unstable();
    universe.dedup();
    let mut groups: BTreeMap<Declared, Vec<&Bucket>> = BTreeMap::new();
    for bucket in buckets {
        let declared = declared(inventory, bucket, out);
        groups.entry(declared).or_default().push(bucket);
    }
    // In name order, as a reader looks for a resource: not in the order of their settings.
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| a.1.first().map(|first| first.name.as_str()).cmp(&b.1.first().map(|first| first.name.as_str())));
    for (declared, members) in &groups {
        let names: Vec<&str> = members.iter().map(|bucket| bucket.name.as_str()).collect();
        for (glob, group) in globs(&names, &universe, names.len() == universe.len(), Reach::Names) {
            let listed: Vec<String> = group.iter().map(|name| (*name).to_owned()).collect();
            let comment = if group.len() > 1 { vec![format!("{}: {}", plural(group.len(), "bucket", "buckets"), short_list(&listed))] } else { Vec::new() };
            out.entry("[[s3.bucket]]", &comment, group.len());
            out.string("name", &glob);
            for line in &declared.lines {
                out.line(line);
            }
        }
    }
}

fn declared(inventory: &Inventory, bucket: &Bucket, out: &mut Section) -> Declared {
    let mut lines = Vec::new();
    if let Some(encryption) = &bucket.encryption {
        let mut parts = vec![format!("algorithm = {}", quoted(&encryption.algorithm))];
        if let Some(key) = &encryption.kms_key {
            parts.push(format!("kms_key = {}", quoted(&key_name(inventory, key))));
        }
        if encryption.bucket_key {
            parts.push("bucket_key = true".to_owned());
        }
        lines.push(format!("encryption = {{ {} }}", parts.join(", ")));
    }
    if let Some(lifecycle) = &bucket.lifecycle {
        match lifecycle.rules.iter().map(rule).collect::<Result<Vec<String>, String>>() {
            Ok(rules) if rules.is_empty() => {}
            Ok(rules) if rules.len() == 1 => lines.push(format!("lifecycle = [{}]", rules[0])),
            Ok(rules) => lines.push(format!("lifecycle = [\n  {},\n]", rules.join(",\n  "))),
            Err(reason) => out.review(format!("the lifecycle rules of {} are not imported: {reason}; holdfast leaves them as they are", bucket.name)),
        }
        if let Some(size) = lifecycle.transition_minimum_object_size.as_deref().filter(|size| *size != DEFAULT_MINIMUM_SIZE) {
            lines.push(format!("transition_minimum_object_size = {}", quoted(size)));
        }
    }
    if let Some(block) = &bucket.public_access_block {
        let all = [block.block_public_acls, block.ignore_public_acls, block.block_public_policy, block.restrict_public_buckets];
        // All off is left undeclared: declared, it would undo blocking someone turns on.
        if all.iter().all(|on| *on) {
            lines.push("public_access_block = true".to_owned());
        } else if all.iter().any(|on| *on) {
            out.review(format!("{} blocks public access in part only; holdfast declares all four settings or none, so it is left as it is", bucket.name));
        }
    }
    // Only the statements holdfast wrote are holdfast's to declare; others stay as they are.
    if let Some(document) = bucket.policy.as_deref().and_then(|policy| Document::parse(policy).ok()) {
        let sids: Vec<String> =
            document.managed().iter().filter_map(|statement| statement.get("Sid").and_then(|sid| sid.as_str()).map(str::to_owned)).collect();
        if sids.iter().any(|sid| sid == &format!("{MANAGED_PREFIX}require-tls")) {
            lines.push("require_tls = true".to_owned());
        }
        let deliveries: Vec<String> = ["cloudtrail", "config", "flow-logs"]
            .into_iter()
            .filter(|delivery| sids.iter().any(|sid| sid.starts_with(&format!("{MANAGED_PREFIX}{delivery}-"))))
            .map(quoted)
            .collect();
        if !deliveries.is_empty() {
            lines.push(format!("deliveries = [{}]", deliveries.join(", ")));
        }
    }
    Declared { lines }
}

/// One rule as an inline table, or why the desired state cannot say it.
fn rule(rule: &LifecycleRule) -> Result<String, String> {
    if !rule.unmodelled.is_empty() {
        return Err(format!("rule `{}` has {}, which the desired state cannot declare", rule.id, rule.unmodelled.join(", ")));
    }
    if rule.id.is_empty() {
        return Err("a rule has no id".to_owned());
    }
    let acts = !rule.transitions.is_empty()
        || rule.expiration_days.is_some()
        || rule.noncurrent_expiration_days.is_some()
        || rule.abort_incomplete_multipart_days.is_some();
    if !acts {
        return Err(format!("rule `{}` does nothing the desired state can declare", rule.id));
    }
    let mut parts = vec![format!("id = {}", quoted(&rule.id))];
    let prefix = match (&rule.filter, &rule.legacy_prefix) {
        (Some(filter), _) => {
            if !filter.tags.is_empty() || filter.object_size_greater_than.is_some() || filter.object_size_less_than.is_some() {
                return Err(format!("rule `{}` filters by tags or object size", rule.id));
            }
            filter.prefix.clone()
        }
        (None, prefix) => prefix.clone(),
    };
    if let Some(prefix) = prefix.filter(|prefix| !prefix.is_empty()) {
        parts.push(format!("prefix = {}", quoted(&prefix)));
    }
    if rule.status != "Enabled" {
        parts.push("enabled = false".to_owned());
    }
    let mut transitions = Vec::new();
    for transition in &rule.transitions {
        let Some(days) = transition.days else { return Err(format!("rule `{}` moves objects on a date", rule.id)) };
        transitions.push(format!("{{ days = {days}, class = {} }}", quoted(&transition.storage_class)));
    }
    if !transitions.is_empty() {
        parts.push(format!("transitions = [{}]", transitions.join(", ")));
    }
    for (key, days) in [
        ("expiration_days", rule.expiration_days),
        ("noncurrent_expiration_days", rule.noncurrent_expiration_days),
        ("abort_incomplete_multipart_days", rule.abort_incomplete_multipart_days),
    ] {
        if let Some(days) = days {
            parts.push(format!("{key} = {days}"));
        }
    }
    Ok(format!("{{ {} }}", parts.join(", ")))
}
