//! S3: default encryption, SSE-KMS, and a policy that refuses requests without TLS.

use holdfast_desired::s3::BucketEntry;
use holdfast_inventory::s3::Bucket;
use serde_json::Value;

use crate::context::{Context, Outcome, finding, location, quoted};
use crate::report::Fix;

const KMS_ENCRYPTION: &str = "encryption = { algorithm = \"aws:kms\", kms_key = \"alias/YOUR-KEY\", bucket_key = true }";

pub(crate) fn evaluate(cx: &Context<'_>) -> Vec<Outcome> {
    let buckets = &cx.inventory.s3.buckets;
    let encryption = cx.read("s3.bucket *").and_then(|()| cx.read("s3.bucket.encryption *"));
    let policy = cx.read("s3.bucket *").and_then(|()| cx.read("s3.bucket.policy *"));
    let default = encryption.clone().map(|()| {
        buckets
            .iter()
            .map(|bucket| {
                let observed = bucket.encryption.as_ref().map_or_else(|| "no default encryption".to_owned(), |found| found.algorithm.clone());
                finding(bucket.encryption.is_some(), address(bucket), "default encryption", observed, || {
                    fix(cx, bucket, |entry| entry.encryption.is_some(), KMS_ENCRYPTION)
                })
            })
            .collect()
    });
    let kms = encryption.map(|()| {
        buckets
            .iter()
            .map(|bucket| {
                let observed = match &bucket.encryption {
                    Some(found) => match &found.kms_key {
                        Some(key) => format!("{} ({key})", found.algorithm),
                        None => found.algorithm.clone(),
                    },
                    None => "no default encryption".to_owned(),
                };
                let uses_kms = bucket.encryption.as_ref().is_some_and(|found| found.algorithm.starts_with("aws:kms"));
                finding(uses_kms, address(bucket), "SSEAlgorithm", observed, || {
                    fix(cx, bucket, |entry| entry.encryption.as_ref().is_some_and(|declared| declared.get_ref().algorithm.uses_kms()), KMS_ENCRYPTION)
                })
            })
            .collect()
    });
    let tls = policy.map(|()| {
        buckets
            .iter()
            .map(|bucket| {
                let denies = bucket.policy.as_deref().is_some_and(denies_insecure_transport);
                let observed = match (&bucket.policy, denies) {
                    (None, _) => "no bucket policy".to_owned(),
                    (Some(_), true) => "Deny when aws:SecureTransport is false".to_owned(),
                    (Some(_), false) => "policy has no Deny on aws:SecureTransport".to_owned(),
                };
                finding(denies, address(bucket), "bucket policy", observed, || fix(cx, bucket, |entry| entry.require_tls == Some(true), "require_tls = true"))
            })
            .collect()
    });
    vec![
        Outcome::new("s3.default_encryption", "buckets", default),
        Outcome::new("s3.kms_encryption", "buckets", kms),
        Outcome::new("s3.tls_only", "buckets", tls),
    ]
}

fn address(bucket: &Bucket) -> String {
    format!("s3.bucket/{}", bucket.name)
}

/// The entry that declares the setting, else the first that selects the bucket.
fn fix(cx: &Context<'_>, bucket: &Bucket, declares: impl Fn(&BucketEntry) -> bool, setting: &str) -> Fix {
    let tags = bucket.tags.clone().unwrap_or_default();
    let selects = |entry: &&BucketEntry| entry.name.matches(&bucket.name) && (entry.tags.is_empty() || entry.tags.matches(&tags));
    if let Some(entry) = cx.desired.s3.bucket.iter().filter(selects).find(|entry| entry.ensure == holdfast_desired::Ensure::Absent) {
        return Fix::Declared { location: location(&entry.origin), note: "declared absent: `holdfast apply --allow-delete` removes the bucket".to_owned() };
    }
    let selecting: Vec<&BucketEntry> = cx.desired.s3.bucket.iter().filter(selects).collect();
    if let Some(entry) = selecting.iter().find(|entry| declares(entry)) {
        return Fix::Declared { location: location(&entry.origin), note: "declared: `holdfast apply` sets it".to_owned() };
    }
    match selecting.first() {
        Some(entry) => Fix::AddToEntry { location: location(&entry.origin), toml: setting.to_owned() },
        None => Fix::NewEntry { toml: format!("[[s3.bucket]]\nname = {}\n{setting}", quoted(&bucket.name)) },
    }
}

/// Whether some statement denies every S3 action when `aws:SecureTransport` is false, as
/// Config's `s3-bucket-ssl-requests-only` asks.
pub(crate) fn denies_insecure_transport(policy: &str) -> bool {
    let Ok(document) = serde_json::from_str::<Value>(policy) else { return false };
    let statements = match document.get("Statement") {
        Some(Value::Array(statements)) => statements.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => return false,
    };
    statements.iter().any(|statement| {
        let deny = statement.get("Effect").and_then(Value::as_str) == Some("Deny");
        let actions = match statement.get("Action") {
            Some(Value::String(action)) => vec![action.as_str()],
            Some(Value::Array(actions)) => actions.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let every_action = actions.iter().any(|action| matches!(*action, "s3:*" | "*"));
        let insecure = statement
            .get("Condition")
            .and_then(|condition| condition.get("Bool"))
            .and_then(|bool| bool.get("aws:SecureTransport"))
            .is_some_and(|value| matches!(value, Value::Bool(false)) || value.as_str() == Some("false"));
        deny && every_action && insecure
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_deny_of_every_action_without_tls_counts() {
        let policy = |effect: &str, action: &str, value: &str| {
            format!(
                r#"{{"Statement":[{{"Effect":"{effect}","Principal":"*","Action":"{action}","Resource":"*","Condition":{{"Bool":{{"aws:SecureTransport":{value}}}}}}}]}}"#
            )
        };
        assert!(denies_insecure_transport(&policy("Deny", "s3:*", "\"false\"")));
        assert!(denies_insecure_transport(&policy("Deny", "s3:*", "false")));
        assert!(!denies_insecure_transport(&policy("Allow", "s3:*", "\"false\"")));
        assert!(!denies_insecure_transport(&policy("Deny", "s3:GetObject", "\"false\"")));
        assert!(!denies_insecure_transport(&policy("Deny", "s3:*", "\"true\"")));
        assert!(!denies_insecure_transport("not json"));
    }
}
