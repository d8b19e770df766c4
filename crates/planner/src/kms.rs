//! KMS key references: every key the desired state names must exist when the plan is
//! made. S3 does not check the key a bucket's default encryption names, so a missing
//! one would make every default-encrypted upload fail; SSM and RDS fail later, mid-apply.

use holdfast_desired::Origin;
use holdfast_inventory::kms::KeyReference;

use crate::context::Context;

/// Checks every key reference of the desired state; each missing one is a plan error.
pub(crate) fn plan(cx: &mut Context<'_>) {
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
    for (key, what, origin) in references {
        match resolve(cx, key) {
            KeyReference::Missing => cx.error(
                format!(
                    "{what} names the KMS key `{key}`, which does not exist in account {} ({}): create it, or name an existing key",
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
