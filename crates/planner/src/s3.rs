//! S3: default encryption and the lifecycle configuration of present buckets, buckets
//! to create, and orphans to delete.

use std::collections::BTreeMap;

use holdfast_desired::s3::{BucketEntry, Ensure, LifecycleRule as DesiredRule};
use holdfast_inventory::policy::Document;
use holdfast_inventory::s3::{Bucket, Encryption, Lifecycle, LifecycleFilter, LifecycleRule, PublicAccessBlock, Transition};

use crate::bucket_policy;
use crate::context::{Context, ownership_notes, source};
use crate::normalize::same_kms_key;
use crate::operation::{ManagedStatements, Operation};
use crate::plan::{Action, AttributeChange, Change, Flag, Kind};
use crate::select::{Hits, one};

const AWS_MANAGED_KEY: &str = "alias/aws/s3";

pub(crate) fn plan(cx: &mut Context<'_>) {
    let entries = &cx.desired.s3.bucket;
    let mut hits = Hits::new(entries.len());
    for bucket in &cx.inventory.s3.buckets {
        let chosen = hits.select(entries, |entry| entry.name.matches(&bucket.name) && entry.tags.matches(bucket.tags_or_none()));
        let address = Kind::S3Bucket.address(&bucket.name);
        if let Some(entry) = one(cx, &address, chosen) {
            let change = match entry.ensure {
                Ensure::Absent => {
                    let users =
                        holdfast_desired::s3::Delivery::ALL.into_iter().flat_map(|delivery| bucket_policy::live_users(cx, delivery, &bucket.name)).collect();
                    let (blocking, waits) = bucket_policy::blocking_and_waits(users);
                    if blocking.is_empty() {
                        let mut change = delete(entry, bucket, address);
                        change.depends_on = waits;
                        Some(change)
                    } else {
                        cx.error(
                            format!(
                                "bucket {} is marked ensure = \"absent\", but {} still deliver{} there: move or remove them first",
                                bucket.name,
                                blocking.join(", "),
                                if blocking.len() == 1 { "s" } else { "" }
                            ),
                            Some(&entry.origin),
                        );
                        None
                    }
                }
                Ensure::Present => update(cx, entry, bucket, address),
            };
            cx.changes.extend(change);
        }
    }
    // A bucket named exactly (no glob) that does not exist is created; an absent one is already gone.
    for (index, entry) in entries.iter().enumerate() {
        let exists = cx.inventory.s3.buckets.iter().any(|bucket| entry.name.matches(&bucket.name));
        // Bucket names are global: one that exists in another region, or in another
        // account (HeadBucket found it outside this region's listing), cannot be created here.
        let elsewhere = !exists && cx.inventory.s3.names.iter().chain(&cx.inventory.s3.elsewhere).any(|name| entry.name.matches(name));
        if elsewhere && entry.ensure == Ensure::Present {
            cx.warn(
                format!(
                    "bucket `{}` exists, but not among this account's buckets in {} (it is in another region, or another account's): it is left alone here",
                    entry.name, cx.inventory.region
                ),
                Some(&entry.origin),
            );
            hits.mark(index);
            continue;
        }
        if !exists && entry.name.is_literal() {
            if entry.ensure == Ensure::Present {
                let change = create(cx, entry);
                cx.changes.push(change);
            }
            hits.mark(index);
        }
    }
    hits.warn_unmatched(cx, entries, |entry| format!("[[s3.bucket]] name `{}`", entry.name));
}

fn create(cx: &Context<'_>, entry: &BucketEntry) -> Change {
    let name = entry.name.as_str().to_owned();
    let encryption = entry.encryption.as_ref().map(|encryption| desired_encryption(encryption.get_ref()));
    let lifecycle = entry.lifecycle.as_ref().map(|rules| rules.iter().map(|rule| to_live(rule.get_ref())).collect::<Vec<_>>());
    let mut attributes = vec![];
    if let Some(encryption) = &encryption {
        attributes.push(AttributeChange::new("encryption", None, Some(describe_encryption(encryption))));
    }
    let encryption = encryption.map(|encryption| with_key_arn(cx, encryption));
    if let Some(rules) = &lifecycle {
        attributes.push(AttributeChange::new("lifecycle", None, Some(describe_rules(rules))));
    }
    if let Some(on) = entry.public_access_block {
        attributes.push(AttributeChange::new("public_access_block", None, Some(describe_block(&PublicAccessBlock::all(on)))));
    }
    let policy = entry.manages_policy().then(|| bucket_policy::wanted(cx, entry, &name, &Document::empty())).filter(|statements| !statements.is_empty());
    if let Some(statements) = &policy {
        attributes.push(AttributeChange::new("policy", None, Some(bucket_policy::describe(statements))));
    }
    let depends_on = key_dependencies(cx, entry);
    Change {
        address: Kind::S3Bucket.address(&name),
        kind: Kind::S3Bucket,
        action: Action::Create,
        label: None,
        attributes,
        flags: Vec::new(),
        source: source(&entry.origin),
        reason: None,
        notes: Vec::new(),
        depends_on,
        cost: None,
        operation: Operation::CreateBucket {
            bucket: name,
            encryption,
            lifecycle,
            transition_minimum_object_size: entry.transition_minimum_object_size.as_ref().map(|size| size.get_ref().clone()),
            public_access_block: entry.public_access_block,
            policy: policy.map(|statements| ManagedStatements { statements }),
        },
    }
}

fn delete(entry: &BucketEntry, bucket: &Bucket, address: String) -> Change {
    let (flags, reason) = match bucket.empty {
        Some(true) => (Vec::new(), "marked ensure = \"absent\"; the bucket is empty".to_owned()),
        Some(false) => (
            vec![Flag::DeletesData],
            "marked ensure = \"absent\"; the bucket holds objects, and S3 deletes a bucket only once it is empty: empty it by hand first".to_owned(),
        ),
        None => (vec![Flag::DeletesData], "marked ensure = \"absent\"; whether the bucket is empty was not read".to_owned()),
    };
    Change {
        address,
        kind: Kind::S3Bucket,
        action: Action::Delete,
        label: None,
        attributes: Vec::new(),
        flags,
        source: source(&entry.origin),
        reason: Some(reason),
        notes: ownership_notes(bucket.tags_or_none()),
        depends_on: Vec::new(),
        cost: None,
        operation: Operation::DeleteBucket { bucket: bucket.name.clone() },
    }
}

fn update(cx: &mut Context<'_>, entry: &BucketEntry, bucket: &Bucket, address: String) -> Option<Change> {
    let mut attributes = Vec::new();
    let mut put_encryption = None;
    if let Some(want) = &entry.encryption {
        let declared = want.get_ref();
        // A bucket with no configuration gets SSE-S3 from AWS, so that is what it has.
        let have = bucket.encryption.clone().unwrap_or(Encryption { algorithm: "AES256".to_owned(), kms_key: None, bucket_key: false });
        let mut want = desired_encryption(declared);
        // Undeclared settings stay as they are: the put carries the live bucket key.
        if declared.bucket_key.is_none() {
            want.bucket_key = have.bucket_key;
        }
        if !same_encryption(cx, &want, &have) {
            attributes.push(AttributeChange::new("encryption", Some(describe_encryption(&have)), Some(describe_encryption(&want))));
            put_encryption = Some(with_key_arn(cx, want));
        }
    }
    let mut put_lifecycle = None;
    let mut put_minimum_size = None;
    if let Some(rules) = &entry.lifecycle {
        let want: Vec<LifecycleRule> = rules.iter().map(|rule| to_live(rule.get_ref())).collect();
        let have: &[LifecycleRule] = bucket.lifecycle.as_ref().map_or(&[], |lifecycle| lifecycle.rules.as_slice());
        if canonical_set(&want) != canonical_set(have) {
            let before = if bucket.lifecycle.is_none() { "(none)".to_owned() } else { describe_rules(have) };
            attributes.push(AttributeChange::new("lifecycle", Some(before), Some(describe_rules(&want))));
            put_lifecycle = Some(want);
        }
    }
    if let Some(size) = &entry.transition_minimum_object_size {
        let have = bucket.lifecycle.as_ref().and_then(|lifecycle: &Lifecycle| lifecycle.transition_minimum_object_size.clone());
        if have.as_deref() != Some(size.get_ref().as_str()) {
            attributes.push(AttributeChange::new("transition_minimum_object_size", have, Some(size.get_ref().clone())));
            put_minimum_size = Some(size.get_ref().clone());
            // The size is part of the lifecycle configuration, so the rules are put with it.
            put_lifecycle = put_lifecycle.or_else(|| entry.lifecycle.as_ref().map(|rules| rules.iter().map(|rule| to_live(rule.get_ref())).collect()));
        }
    }
    // A put replaces the whole configuration: settings holdfast cannot declare would be lost.
    if put_lifecycle.is_some() {
        let unmodelled: Vec<String> = bucket
            .lifecycle
            .iter()
            .flat_map(|lifecycle| &lifecycle.rules)
            .filter(|rule| !rule.unmodelled.is_empty())
            .map(|rule| format!("`{}` ({})", rule.id, rule.unmodelled.join(", ")))
            .collect();
        if !unmodelled.is_empty() {
            cx.warn(
                format!(
                    "s3.bucket/{}: its lifecycle rules {} have settings the desired state cannot declare, which putting the declared rules would delete: holdfast leaves the lifecycle configuration as it is; change it by hand, or remove those settings first",
                    bucket.name,
                    unmodelled.join(", ")
                ),
                Some(&entry.origin),
            );
            attributes.retain(|attribute| attribute.name != "lifecycle" && attribute.name != "transition_minimum_object_size");
            put_lifecycle = None;
            put_minimum_size = None;
        }
    }
    let mut put_block = None;
    if let Some(on) = entry.public_access_block {
        let want = PublicAccessBlock::all(on);
        let have = bucket.public_access_block.unwrap_or_default();
        if have != want {
            attributes.push(AttributeChange::new("public_access_block", Some(describe_block(&have)), Some(describe_block(&want))));
            put_block = Some(on);
        }
    }
    let mut notes = ownership_notes(bucket.tags_or_none());
    let mut put_policy = None;
    // Statements a live delivery still writes with are taken away only after the plan
    // removes it; never while it runs.
    let mut waits = Vec::new();
    if entry.deliveries.is_some() {
        for delivery in holdfast_desired::s3::Delivery::ALL.into_iter().filter(|delivery| !entry.delivers(*delivery)) {
            let has_statements = bucket.policy.as_deref().is_some_and(|policy| policy.contains(&format!("holdfast-{}-", delivery.as_str())));
            if !has_statements {
                continue;
            }
            let (blocking, removed_by) = bucket_policy::blocking_and_waits(bucket_policy::live_users(cx, delivery, &bucket.name));
            if !blocking.is_empty() {
                cx.error(
                    format!(
                        "bucket {} leaves \"{}\" out of deliveries, but {} still deliver{} there: removing its statements would stop those logs; keep it in deliveries, or move or remove them first",
                        bucket.name,
                        delivery.as_str(),
                        blocking.join(", "),
                        if blocking.len() == 1 { "s" } else { "" }
                    ),
                    Some(&entry.origin),
                );
                return None;
            }
            waits.extend(removed_by);
        }
    }
    if entry.manages_policy() {
        match bucket.policy.as_deref().map(Document::parse).unwrap_or_else(|| Ok(Document::empty())) {
            Ok(live) => {
                let want = bucket_policy::wanted(cx, entry, &bucket.name, &live);
                let have = live.managed();
                if !bucket_policy::same(&want, &have) {
                    attributes.push(AttributeChange::new("policy", Some(bucket_policy::describe(&have)), Some(bucket_policy::describe(&want))));
                    let kept = live.foreign_count();
                    if kept > 0 {
                        notes.push(format!("{} other policy statement{} kept exactly as they are", kept, if kept == 1 { " is" } else { "s are" }));
                    }
                    put_policy = Some(ManagedStatements { statements: want });
                }
            }
            Err(problem) => cx.error(
                format!("the policy of bucket {} cannot be read as a policy document ({problem}): holdfast will not rewrite it; fix it by hand", bucket.name),
                Some(&entry.origin),
            ),
        }
    }
    if attributes.is_empty() {
        return None;
    }
    Some(Change {
        address,
        kind: Kind::S3Bucket,
        action: Action::Update,
        label: None,
        attributes,
        flags: Vec::new(),
        source: source(&entry.origin),
        reason: None,
        notes,
        depends_on: if put_encryption.is_some() { key_dependencies(cx, entry).into_iter().chain(waits).collect() } else { waits },
        cost: None,
        operation: Operation::UpdateBucket {
            bucket: bucket.name.clone(),
            encryption: put_encryption,
            lifecycle: put_lifecycle,
            transition_minimum_object_size: put_minimum_size,
            public_access_block: put_block,
            policy: put_policy,
        },
    })
}

/// The declared key the entry's encryption uses, when the plan creates or restores it.
fn key_dependencies(cx: &Context<'_>, entry: &BucketEntry) -> Vec<String> {
    entry
        .encryption
        .as_ref()
        .and_then(|encryption| encryption.get_ref().kms_key.as_deref())
        .and_then(|key| crate::kms::key_dependency(cx, key))
        .into_iter()
        .collect()
}

fn describe_block(block: &PublicAccessBlock) -> String {
    if *block == PublicAccessBlock::all(true) {
        return "all four settings on".to_owned();
    }
    if *block == PublicAccessBlock::all(false) {
        return "off".to_owned();
    }
    let on: Vec<&str> = [
        (block.block_public_acls, "BlockPublicAcls"),
        (block.ignore_public_acls, "IgnorePublicAcls"),
        (block.block_public_policy, "BlockPublicPolicy"),
        (block.restrict_public_buckets, "RestrictPublicBuckets"),
    ]
    .into_iter()
    .filter_map(|(set, name)| set.then_some(name))
    .collect();
    format!("only {}", on.join(", "))
}

fn desired_encryption(encryption: &holdfast_desired::s3::Encryption) -> Encryption {
    Encryption { algorithm: encryption.algorithm.as_str().to_owned(), kms_key: encryption.kms_key.clone(), bucket_key: encryption.bucket_key.unwrap_or(false) }
}

/// The encryption to put, naming its key by ARN: S3 stores whatever it is given, and an
/// alias there is resolved at every upload.
fn with_key_arn(cx: &Context<'_>, mut encryption: Encryption) -> Encryption {
    encryption.kms_key = encryption.kms_key.map(|key| crate::kms::key_to_write(cx, &key));
    encryption
}

fn same_encryption(cx: &Context<'_>, want: &Encryption, have: &Encryption) -> bool {
    if want.algorithm != have.algorithm || (want.algorithm != "AES256" && want.bucket_key != have.bucket_key) {
        return false;
    }
    if want.algorithm == "AES256" {
        return true;
    }
    let want_key = want.kms_key.as_deref().unwrap_or(AWS_MANAGED_KEY);
    let have_key = have.kms_key.as_deref().unwrap_or(AWS_MANAGED_KEY);
    same_kms_key(&cx.inventory.kms, want_key, have_key)
}

fn describe_encryption(encryption: &Encryption) -> String {
    match (&encryption.kms_key, encryption.algorithm.as_str()) {
        (_, "AES256") => "AES256 (SSE-S3)".to_owned(),
        (key, algorithm) => {
            let key = key.as_deref().unwrap_or(AWS_MANAGED_KEY);
            format!("{algorithm} with {key}, bucket key {}", if encryption.bucket_key { "on" } else { "off" })
        }
    }
}

/// The desired rule in the form AWS stores it, for the applier to put.
fn to_live(rule: &DesiredRule) -> LifecycleRule {
    LifecycleRule {
        id: rule.id.clone(),
        status: if rule.enabled { "Enabled" } else { "Disabled" }.to_owned(),
        filter: Some(LifecycleFilter { prefix: Some(rule.prefix.clone().unwrap_or_default()), ..LifecycleFilter::default() }),
        legacy_prefix: None,
        transitions: rule
            .transitions
            .iter()
            .map(|transition| Transition { days: Some(transition.days), storage_class: transition.class.as_str().to_owned() })
            .collect(),
        expiration_days: rule.expiration_days,
        noncurrent_expiration_days: rule.noncurrent_expiration_days,
        abort_incomplete_multipart_days: rule.abort_incomplete_multipart_days,
        unmodelled: Vec::new(),
    }
}

/// A rule with every equivalent spelling made one: no filter, `{}`, `{ Prefix = "" }`
/// and a legacy empty prefix all mean the whole bucket; transitions in any order are
/// the same transitions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct CanonicalRule {
    status: String,
    prefix: String,
    tags: BTreeMap<String, String>,
    size_range: (Option<i64>, Option<i64>),
    transitions: Vec<Transition>,
    expiration_days: Option<u32>,
    noncurrent_expiration_days: Option<u32>,
    abort_incomplete_multipart_days: Option<u32>,
}

fn canonical(rule: &LifecycleRule) -> CanonicalRule {
    let filter = rule.filter.clone().unwrap_or_default();
    let prefix = filter.prefix.clone().or_else(|| rule.legacy_prefix.clone()).unwrap_or_default();
    let mut transitions = rule.transitions.clone();
    transitions.sort();
    CanonicalRule {
        status: rule.status.clone(),
        prefix,
        tags: filter.tags,
        size_range: (filter.object_size_greater_than, filter.object_size_less_than),
        transitions,
        expiration_days: rule.expiration_days,
        noncurrent_expiration_days: rule.noncurrent_expiration_days,
        abort_incomplete_multipart_days: rule.abort_incomplete_multipart_days,
    }
}

/// Rules by id: the order rules are stored in means nothing to S3.
fn canonical_set(rules: &[LifecycleRule]) -> BTreeMap<String, CanonicalRule> {
    rules.iter().map(|rule| (rule.id.clone(), canonical(rule))).collect()
}

/// One line per rule, in id order, so a diff of two rule sets reads rule by rule.
fn describe_rules(rules: &[LifecycleRule]) -> String {
    if rules.is_empty() {
        return "(no rules)".to_owned();
    }
    let lines: Vec<String> = canonical_set(rules).into_iter().map(|(id, rule)| describe_rule(&id, &rule)).collect();
    lines.join("\n")
}

fn describe_rule(id: &str, rule: &CanonicalRule) -> String {
    let scope = if rule.prefix.is_empty() { "whole bucket".to_owned() } else { format!("prefix {}", rule.prefix) };
    let mut parts = vec![format!("{id}: {scope}")];
    if !rule.tags.is_empty() || rule.size_range != (None, None) {
        parts.push("with tag or size conditions".to_owned());
    }
    if rule.status != "Enabled" {
        parts.push(rule.status.to_lowercase());
    }
    let transitions: Vec<String> = rule
        .transitions
        .iter()
        .map(|transition| match transition.days {
            Some(days) => format!("day {days} -> {}", transition.storage_class),
            None => format!("on a date -> {}", transition.storage_class),
        })
        .collect();
    if !transitions.is_empty() {
        parts.push(transitions.join(", "));
    }
    if let Some(days) = rule.expiration_days {
        parts.push(format!("expire day {days}"));
    }
    if let Some(days) = rule.noncurrent_expiration_days {
        parts.push(format!("expire noncurrent day {days}"));
    }
    if let Some(days) = rule.abort_incomplete_multipart_days {
        parts.push(format!("abort incomplete uploads day {days}"));
    }
    parts.join("; ")
}
