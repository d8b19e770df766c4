//! S3: default encryption, SSE-KMS, and a policy that refuses requests without TLS.

use holdfast_desired::s3::BucketEntry;
use holdfast_inventory::s3::Bucket;
use serde_json::Value;

use crate::context::{Context, Outcome, finding, location, quoted};
use crate::report::Fix;

const KMS_ENCRYPTION: &str = "encryption = { algorithm = \"aws:kms\", kms_key = \"alias/your-key\", bucket_key = true }";

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
                let denies = bucket.policy.as_deref().is_some_and(|policy| denies_insecure_transport(policy, &bucket.name));
                let observed = match (&bucket.policy, denies) {
                    (None, _) => "no bucket policy".to_owned(),
                    (Some(_), true) => "Deny when aws:SecureTransport is false".to_owned(),
                    (Some(_), false) => "no statement denies everyone every S3 action on the bucket and its objects without TLS".to_owned(),
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

/// Whether some statement denies everyone every S3 action on the bucket and its objects
/// whenever `aws:SecureTransport` is false, as Config's `s3-bucket-ssl-requests-only`
/// asks: `Effect: Deny`, `Principal: *`, `Action: s3:*` (or `*`), `Resource` covering
/// both `arn:aws:s3:::BUCKET` and `arn:aws:s3:::BUCKET/*`, and a condition that is that
/// test alone (`Bool` or `BoolIfExists`). A narrower statement (another principal, a VPC
/// condition, the bucket without its objects) lets some plain-HTTP request through.
pub(crate) fn denies_insecure_transport(policy: &str, bucket: &str) -> bool {
    let Ok(document) = serde_json::from_str::<Value>(policy) else { return false };
    let statements = match document.get("Statement") {
        Some(Value::Array(statements)) => statements.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => return false,
    };
    let strings = |value: Option<&Value>| -> Vec<String> {
        match value {
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            _ => Vec::new(),
        }
    };
    let targets = [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")];
    // The statements that deny everyone everything without TLS; together they must cover
    // both the bucket and its objects (one statement each is as good as one for both).
    let qualifying: Vec<Vec<String>> = statements
        .iter()
        .filter(|statement| {
            let deny = statement.get("Effect").and_then(Value::as_str) == Some("Deny");
            // Everyone: `*`, or an `AWS` principal list that holds `*` (other principals beside it change nothing).
            let everyone = match statement.get("Principal") {
                Some(Value::String(principal)) => principal == "*",
                Some(Value::Object(principal)) => strings(principal.get("AWS")).iter().any(|name| name == "*"),
                _ => false,
            };
            // Action names are case-insensitive.
            let every_action = strings(statement.get("Action")).iter().any(|action| action == "*" || action.eq_ignore_ascii_case("s3:*"));
            let only_tls = statement.get("Condition").and_then(Value::as_object).is_some_and(|condition| {
                !condition.is_empty()
                    && condition.iter().all(|(operator, tests)| {
                        matches!(operator.as_str(), "Bool" | "BoolIfExists")
                            && tests.as_object().is_some_and(|tests| {
                                // Condition keys are case-insensitive in IAM.
                                !tests.is_empty()
                                    && tests.iter().all(|(key, value)| {
                                        key.eq_ignore_ascii_case("aws:SecureTransport")
                                            && (strings(Some(value)) == ["false"] || value == &Value::Bool(false) || value == &serde_json::json!([false]))
                                    })
                            })
                    })
            });
            deny && everyone && every_action && only_tls
        })
        .map(|statement| strings(statement.get("Resource")))
        .collect();
    targets.iter().all(|target| qualifying.iter().flatten().any(|resource| glob_matches(resource, target)))
}

/// IAM's resource wildcards: `*` any run of characters, `?` one.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut p, mut t, mut star, mut mark) = (0, 0, None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(at) = star {
            p = at + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_deny_of_everyone_everything_without_tls_counts() {
        let statement = |effect: &str, principal: &str, action: &str, resource: &str, condition: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Principal":{principal},"Action":"{action}","Resource":{resource},"Condition":{condition}}}]}}"#
            )
        };
        let both = r#"["arn:aws:s3:::logs","arn:aws:s3:::logs/*"]"#;
        let tls = r#"{"Bool":{"aws:SecureTransport":"false"}}"#;
        assert!(denies_insecure_transport(&statement("Deny", "\"*\"", "s3:*", both, tls), "logs"));
        assert!(denies_insecure_transport(
            &statement("Deny", r#"{"AWS":"*"}"#, "s3:*", r#""arn:aws:s3:::logs*""#, r#"{"BoolIfExists":{"aws:SecureTransport":false}}"#),
            "logs"
        ));
        assert!(denies_insecure_transport(&statement("Deny", "\"*\"", "*", r#""*""#, tls), "logs"));
        assert!(
            denies_insecure_transport(&statement("Deny", "\"*\"", "s3:*", both, r#"{"Bool":{"aws:securetransport":["false"]}}"#), "logs"),
            "keys are case-insensitive"
        );
        // Each narrower statement lets some plain-HTTP request through.
        assert!(!denies_insecure_transport(&statement("Allow", "\"*\"", "s3:*", both, tls), "logs"));
        assert!(!denies_insecure_transport(&statement("Deny", "\"*\"", "s3:GetObject", both, tls), "logs"));
        assert!(!denies_insecure_transport(&statement("Deny", "\"*\"", "s3:*", both, r#"{"Bool":{"aws:SecureTransport":"true"}}"#), "logs"));
        assert!(!denies_insecure_transport(&statement("Deny", r#"{"AWS":"arn:aws:iam::123456789012:root"}"#, "s3:*", both, tls), "logs"));
        assert!(!denies_insecure_transport(&statement("Deny", "\"*\"", "s3:*", r#""arn:aws:s3:::other-bucket*""#, tls), "logs"));
        assert!(!denies_insecure_transport(&statement("Deny", "\"*\"", "s3:*", r#""arn:aws:s3:::logs""#, tls), "logs"), "the objects are not covered");
        assert!(
            !denies_insecure_transport(
                &statement("Deny", "\"*\"", "s3:*", both, r#"{"Bool":{"aws:SecureTransport":"false"},"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#),
                "logs"
            ),
            "only from one VPC"
        );
        assert!(!denies_insecure_transport("not json", "logs"));
        // What AWS enforces all the same: an action in capitals, `*` among other principals,
        // the bucket and its objects in two statements, both Bool operators at once.
        assert!(denies_insecure_transport(
            &statement("Deny", r#"{"AWS":["arn:aws:iam::123456789012:root","*"],"Service":"ec2.amazonaws.com"}"#, "S3:*", both, tls),
            "logs"
        ));
        let split = r#"{"Statement":[
            {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::logs","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
            {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::logs/*","Condition":{"Bool":{"aws:SecureTransport":"false"},"BoolIfExists":{"aws:SecureTransport":"false"}}}]}"#;
        assert!(denies_insecure_transport(split, "logs"));
        assert!(!denies_insecure_transport(&split.replace("logs/*", "other/*"), "logs"), "the objects are someone else's");
    }
}
