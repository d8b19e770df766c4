//! What reading the account must cover for a desired state to be planned: one key per
//! thing read. A live read records the keys it covered in the inventory, so a plan made
//! later from a snapshot can tell "absent in the account" from "not read".

use crate::Desired;
use crate::ecs::is_fargate;
use crate::origin::Origin;
use crate::s3::{Delivery, Ensure};
use crate::selector::describe;

/// One thing the reader must have read, and the entry that needs it (None for reads
/// that several entries share, such as the KMS aliases).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub key: String,
    pub origin: Option<Origin>,
}

/// Every read the desired state needs, in a stable order.
pub fn reads(desired: &Desired) -> Vec<Read> {
    let mut reads = Vec::new();
    let mut add = |key: String, origin: Option<&Origin>| reads.push(Read { key, origin: origin.cloned() });
    let ecs = &desired.ecs;
    for entry in ecs.service.iter() {
        add(format!("ecs.service {} / {}", entry.cluster, describe(&entry.service, &entry.tags)), Some(&entry.origin));
    }
    for entry in ecs.task_secrets.iter() {
        add(format!("ecs.task_definitions {} / {}", entry.cluster, describe(&entry.service, &entry.tags)), Some(&entry.origin));
    }
    for provider in capacity_providers(desired) {
        add(format!("ecs.capacity_provider {provider}"), None);
    }
    for entry in desired.aurora.cluster.iter() {
        add(format!("aurora.cluster {}", describe(&entry.name, &entry.tags)), Some(&entry.origin));
    }
    for entry in desired.s3.bucket.iter() {
        add(format!("s3.bucket {}", entry.name), Some(&entry.origin));
        if !entry.tags.is_empty() {
            add(format!("s3.bucket.tags {}", entry.name), Some(&entry.origin));
        }
        if entry.ensure == Ensure::Present && (entry.encryption.is_some() || keys_to_delete(desired)) {
            add(format!("s3.bucket.encryption {}", entry.name), Some(&entry.origin));
        }
        if entry.lifecycle.is_some() || entry.transition_minimum_object_size.is_some() {
            add(format!("s3.bucket.lifecycle {}", entry.name), Some(&entry.origin));
        }
        if entry.ensure == Ensure::Absent {
            add(format!("s3.bucket.empty {}", entry.name), Some(&entry.origin));
        }
        if entry.public_access_block.is_some() {
            add(format!("s3.bucket.public_access_block {}", entry.name), Some(&entry.origin));
        }
        if entry.manages_policy() {
            add(format!("s3.bucket.policy {}", entry.name), Some(&entry.origin));
        }
    }
    if needs_bucket_names(desired) {
        add("s3.bucket_names".to_owned(), None);
    }
    for entry in desired.ssm.parameter.iter() {
        add(format!("ssm.parameter {}", entry.name()), Some(&entry.origin));
        if entry.value.is_some() {
            add(format!("ssm.parameter.value {}", entry.name()), Some(&entry.origin));
        }
    }
    for entry in ecs.task_secrets.iter() {
        for parameter in entry.secrets.values() {
            add(format!("ssm.parameter {}", parameter.get_ref()), Some(&entry.origin));
            add(format!("ssm.parameter.value {}", parameter.get_ref()), Some(&entry.origin));
        }
    }
    for entry in desired.vpc.flow_logs.iter() {
        add(format!("vpc {}", describe(&entry.vpc, &entry.tags)), Some(&entry.origin));
    }
    if needs_kms(desired) {
        add("kms.keys".to_owned(), None);
    }
    // The key list, read only to resolve the keys the desired state names.
    if !key_references(desired).is_empty() {
        add("kms.key_list".to_owned(), None);
    }
    for entry in desired.kms.key.iter() {
        add(format!("kms.key {}", entry.alias()), Some(&entry.origin));
    }
    for entry in desired.cloudtrail.trail.iter() {
        add(format!("cloudtrail.trail {}", entry.name()), Some(&entry.origin));
    }
    if let Some(guardduty) = desired.guardduty.as_deref() {
        add("guardduty.detector".to_owned(), Some(&guardduty.origin));
    }
    if let Some(hub) = desired.securityhub.as_deref() {
        add("securityhub.hub".to_owned(), Some(&hub.origin));
        if !hub.standards.is_empty() {
            add("securityhub.standards".to_owned(), Some(&hub.origin));
        }
    }
    if let Some(config) = desired.config.as_deref() {
        add("config.recorder".to_owned(), Some(&config.origin));
    }
    // Who delivers into a logging bucket now, declared or not: their statements are kept.
    for delivery in Delivery::ALL {
        if delivered_to(desired, delivery) {
            add(format!("deliveries {}", delivery.as_str()), None);
        }
    }
    for entry in desired.elb.load_balancer.iter() {
        add(format!("elb.load_balancer {}", entry.name), Some(&entry.origin));
    }
    reads.sort_by(|a, b| a.key.cmp(&b.key));
    reads.dedup_by(|a, b| a.key == b.key);
    reads
}

/// The capacity providers strategies name, other than Fargate's (which always exist):
/// each must be looked up in the account.
pub fn capacity_providers(desired: &Desired) -> Vec<String> {
    let mut names: Vec<String> = desired
        .ecs
        .strategies
        .values()
        .flat_map(|items| items.get_ref())
        .filter(|item| !is_fargate(&item.provider))
        .map(|item| item.provider.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The account's bucket names: buckets to select, and flow-log, trail and Config
/// destinations to check.
pub fn needs_bucket_names(desired: &Desired) -> bool {
    !desired.s3.bucket.is_empty()
        || desired.cloudtrail.trail.iter().any(|entry| entry.bucket().is_some())
        || desired.config.as_deref().is_some_and(|config| config.bucket().is_some())
        || desired
            .vpc
            .flow_logs
            .iter()
            .any(|entry| entry.destination.get_ref().starts_with("s3://") || entry.destination.get_ref().starts_with("arn:aws:s3:::"))
}

/// KMS keys and aliases: every keyed kind compares and checks key references.
pub fn needs_kms(desired: &Desired) -> bool {
    !desired.s3.bucket.is_empty()
        || !desired.ssm.parameter.is_empty()
        || !desired.aurora.cluster.is_empty()
        || !desired.kms.key.is_empty()
        || desired.cloudtrail.trail.iter().any(|entry| entry.kms_key.is_some())
}

/// Every KMS key the desired state names, other than AWS managed aliases.
pub fn key_references(desired: &Desired) -> Vec<String> {
    let buckets = desired.s3.bucket.iter().filter_map(|entry| entry.encryption.as_ref().and_then(|encryption| encryption.get_ref().kms_key.clone()));
    let parameters = desired.ssm.parameter.iter().filter_map(|entry| entry.kms_key.clone());
    let clusters = desired.aurora.cluster.iter().filter_map(|entry| entry.kms_key.clone());
    let trails = desired.cloudtrail.trail.iter().filter_map(|entry| entry.kms_key.clone());
    let declared = desired.kms.key.iter().map(|entry| entry.alias().to_owned());
    let mut keys: Vec<String> = buckets.chain(parameters).chain(clusters).chain(trails).chain(declared).filter(|key| !key.contains("alias/aws/")).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The SSM parameters to read: those declared, and those `[[ecs.task_secrets]]` moves
/// services to, which must exist before a task definition may name them.
pub fn parameter_names(desired: &Desired) -> Vec<String> {
    let mut names: Vec<String> = desired.ssm.parameter.iter().map(|entry| entry.name().to_owned()).collect();
    names.extend(desired.ecs.task_secrets.iter().flat_map(|entry| entry.secrets.values().map(|parameter| parameter.get_ref().clone())));
    names.sort();
    names.dedup();
    names
}

/// The parameters whose values are compared: those declared with a `value`, and those
/// `[[ecs.task_secrets]]` moves services to (the value they run with must not change).
/// Every other parameter is only checked to exist, and its value is never fetched.
pub fn parameter_values(desired: &Desired) -> Vec<String> {
    let mut names: Vec<String> = desired.ssm.parameter.iter().filter(|entry| entry.value.is_some()).map(|entry| entry.name().to_owned()).collect();
    names.extend(desired.ecs.task_secrets.iter().flat_map(|entry| entry.secrets.values().map(|parameter| parameter.get_ref().clone())));
    names.sort();
    names.dedup();
    names
}

/// Whether some bucket entry manages delivery statements, or deletes a bucket: then every
/// live trail, Config channel and S3 flow log of the region is read, not only the
/// declared ones, so that no live delivery loses its statements or its bucket.
pub fn delivered_to(desired: &Desired, delivery: Delivery) -> bool {
    let _ = delivery; // any managed deliveries: removing one must know who still uses it
    desired.s3.bucket.iter().any(|entry| entry.deliveries.is_some() || entry.ensure == Ensure::Absent)
}

/// Whether a key is declared absent: then every selected bucket's encryption is read, so
/// the plan can name what the key still encrypts.
pub fn keys_to_delete(desired: &Desired) -> bool {
    desired.kms.key.iter().any(|entry| entry.ensure == Ensure::Absent)
}
