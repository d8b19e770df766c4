//! Resource policy documents (bucket policies) edited statement by statement.
//!
//! holdfast owns only the statements whose `Sid` starts with [`MANAGED_PREFIX`]. Every
//! other statement, and every top-level key, keeps its exact text: the document is split
//! into raw JSON pieces and put back together around holdfast's own statements.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// The `Sid` prefix of the statements holdfast writes and may rewrite.
pub const MANAGED_PREFIX: &str = "holdfast-";

/// A policy document as pieces of its original text.
#[derive(Debug)]
pub struct Document {
    /// Top-level keys in their order, with their raw values; `Statement` among them.
    keys: Vec<(String, Box<RawValue>)>,
    statements: Vec<Statement>,
}

#[derive(Debug)]
struct Statement {
    raw: Box<RawValue>,
    sid: Option<String>,
}

struct Ordered(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = Ordered;
            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut keys = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Box<RawValue>>()? {
                    keys.push((key, value));
                }
                Ok(Ordered(keys))
            }
        }
        deserializer.deserialize_map(Keys)
    }
}

impl Document {
    /// Splits a policy into its pieces; an error says why it is not a policy document.
    pub fn parse(text: &str) -> Result<Document, String> {
        let Ordered(keys) = serde_json::from_str(text).map_err(|error| format!("the policy is not a JSON object: {error}"))?;
        // Which of two same-named keys counts is up to the reader: refuse to guess.
        for (index, (key, _)) in keys.iter().enumerate() {
            if keys[..index].iter().any(|(earlier, _)| earlier == key) {
                return Err(format!("the policy has the key `{key}` twice"));
            }
        }
        let mut statements = Vec::new();
        if let Some((_, raw)) = keys.iter().find(|(key, _)| key == "Statement") {
            let pieces: Vec<Box<RawValue>> = if raw.get().trim_start().starts_with('[') {
                serde_json::from_str(raw.get()).map_err(|error| format!("the policy's Statement is not a list: {error}"))?
            } else {
                vec![raw.clone()]
            };
            for raw in pieces {
                // A statement with a key twice (two Sids) is read differently by different readers.
                if let Ok(Ordered(fields)) = serde_json::from_str::<Ordered>(raw.get()) {
                    for (index, (key, _)) in fields.iter().enumerate() {
                        if fields[..index].iter().any(|(earlier, _)| earlier == key) {
                            return Err(format!("a policy statement has the key `{key}` twice"));
                        }
                    }
                }
                let value: Value = serde_json::from_str(raw.get()).map_err(|error| format!("a policy statement is not JSON: {error}"))?;
                let sid = value.get("Sid").and_then(Value::as_str).map(str::to_owned);
                statements.push(Statement { raw, sid });
            }
        }
        Ok(Document { keys, statements })
    }

    /// An empty policy, for a bucket that has none.
    pub fn empty() -> Document {
        Document { keys: Vec::new(), statements: Vec::new() }
    }

    /// holdfast's statements, parsed.
    pub fn managed(&self) -> Vec<Value> {
        self.statements
            .iter()
            .filter(|statement| is_managed(statement.sid.as_deref()))
            .filter_map(|statement| serde_json::from_str(statement.raw.get()).ok())
            .collect()
    }

    /// How many statements are someone else's.
    pub fn foreign_count(&self) -> usize {
        self.statements.iter().filter(|statement| !is_managed(statement.sid.as_deref())).count()
    }

    /// The document with holdfast's statements replaced by `managed`: one already there
    /// keeps its place, a new one goes last, one not given is dropped. None when nothing
    /// would be left, so the policy is deleted.
    pub fn with_managed(&self, managed: &[Value]) -> Option<String> {
        let sid_of = |value: &Value| value.get("Sid").and_then(Value::as_str).map(str::to_owned);
        let mut pieces: Vec<String> = Vec::new();
        let mut placed: Vec<String> = Vec::new();
        for statement in &self.statements {
            if !is_managed(statement.sid.as_deref()) {
                pieces.push(statement.raw.get().to_owned());
                continue;
            }
            // A holdfast Sid found twice keeps one place: the first.
            if statement.sid.as_ref().is_some_and(|sid| placed.contains(sid)) {
                continue;
            }
            if let Some(replacement) = managed.iter().find(|value| sid_of(value) == statement.sid) {
                pieces.push(replacement.to_string());
                placed.extend(statement.sid.clone());
            }
        }
        for value in managed {
            if !sid_of(value).is_some_and(|sid| placed.contains(&sid)) {
                pieces.push(value.to_string());
            }
        }
        if pieces.is_empty() {
            return None;
        }
        let statement = format!("[{}]", pieces.join(","));
        let mut parts: Vec<String> = Vec::new();
        let mut wrote_statement = false;
        for (key, raw) in &self.keys {
            let value = if key == "Statement" {
                wrote_statement = true;
                statement.clone()
            } else {
                raw.get().to_owned()
            };
            parts.push(format!("{}:{value}", Value::String(key.clone())));
        }
        if !self.keys.iter().any(|(key, _)| key == "Version") {
            parts.insert(0, "\"Version\":\"2012-10-17\"".to_owned());
        }
        if !wrote_statement {
            parts.push(format!("\"Statement\":{statement}"));
        }
        Some(format!("{{{}}}", parts.join(",")))
    }
}

/// The key policy statements that let CloudTrail encrypt log files with a key of this
/// account (AWS's "Configure AWS KMS key policies for CloudTrail").
pub fn cloudtrail_key_statements(account_id: &str) -> Vec<Value> {
    vec![
        serde_json::json!({
            "Sid": format!("{MANAGED_PREFIX}cloudtrail-encrypt"),
            "Effect": "Allow",
            "Principal": { "Service": "cloudtrail.amazonaws.com" },
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": { "StringLike": { "kms:EncryptionContext:aws:cloudtrail:arn": format!("arn:aws:cloudtrail:*:{account_id}:trail/*") } },
        }),
        serde_json::json!({
            "Sid": format!("{MANAGED_PREFIX}cloudtrail-describe"),
            "Effect": "Allow",
            "Principal": { "Service": "cloudtrail.amazonaws.com" },
            "Action": "kms:DescribeKey",
            "Resource": "*",
        }),
    ]
}

fn is_managed(sid: Option<&str>) -> bool {
    sid.is_some_and(|sid| sid.starts_with(MANAGED_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOREIGN: &str = r#"{"Sid": "TeamRead",  "Effect":"Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*"}"#;

    #[test]
    fn foreign_statements_and_keys_keep_their_exact_text() {
        let text = format!(r#"{{ "Id": "keep-me", "Version": "2012-10-17", "Statement": [ {FOREIGN}, {{"Sid":"holdfast-old","Effect":"Deny"}} ] }}"#);
        let document = Document::parse(&text).unwrap();
        assert_eq!(document.foreign_count(), 1);
        assert_eq!(document.managed().len(), 1);
        let ours = serde_json::json!({"Sid": "holdfast-require-tls", "Effect": "Deny"});
        let merged = document.with_managed(std::slice::from_ref(&ours)).unwrap();
        assert!(merged.contains(FOREIGN), "{merged}");
        assert!(merged.starts_with(r#"{"Id":"keep-me","Version":"2012-10-17","Statement":["#), "{merged}");
        assert!(!merged.contains("holdfast-old"), "{merged}");
        let again = Document::parse(&merged).unwrap();
        assert_eq!(again.managed(), vec![ours]);
    }

    #[test]
    fn a_single_statement_object_and_an_empty_result() {
        let document = Document::parse(r#"{"Version":"2012-10-17","Statement":{"Sid":"holdfast-x","Effect":"Deny"}}"#).unwrap();
        assert_eq!(document.managed().len(), 1);
        assert_eq!(document.with_managed(&[]), None);
        let fresh = Document::empty().with_managed(&[serde_json::json!({"Sid": "holdfast-a"})]).unwrap();
        assert_eq!(fresh, r#"{"Version":"2012-10-17","Statement":[{"Sid":"holdfast-a"}]}"#);
    }

    #[test]
    fn a_statement_already_there_keeps_its_place() {
        let document = Document::parse(r#"{"Statement":[{"Sid":"holdfast-a","v":1},{"Sid":"Other"}]}"#).unwrap();
        let merged = document.with_managed(&[serde_json::json!({"Sid": "holdfast-a", "v": 2})]).unwrap();
        assert_eq!(merged, r#"{"Version":"2012-10-17","Statement":[{"Sid":"holdfast-a","v":2},{"Sid":"Other"}]}"#);
    }

    #[test]
    fn a_holdfast_statement_found_twice_is_written_once() {
        let document = Document::parse(r#"{"Statement":[{"Sid":"holdfast-a","v":1},{"Sid":"holdfast-a","v":1}]}"#).unwrap();
        let merged = document.with_managed(&[serde_json::json!({"Sid": "holdfast-a", "v": 1})]).unwrap();
        assert_eq!(merged, r#"{"Version":"2012-10-17","Statement":[{"Sid":"holdfast-a","v":1}]}"#);
    }

    #[test]
    fn a_key_given_twice_is_refused() {
        let error = Document::parse(r#"{"Statement":[{"Sid":"a"}],"Statement":[{"Sid":"b"}]}"#).unwrap_err();
        assert!(error.contains("`Statement` twice"), "{error}");
    }

    #[test]
    fn a_statement_with_two_sids_is_refused() {
        let error = Document::parse(r#"{"Statement":[{"Sid":"KeepMe","Sid":"holdfast-require-tls","Effect":"Deny"}]}"#).unwrap_err();
        assert!(error.contains("`Sid` twice"), "{error}");
    }

    #[test]
    fn text_that_is_not_a_policy_is_an_error() {
        assert!(Document::parse("not json").is_err());
        assert!(Document::parse(r#"{"Statement": [1, "#).is_err());
    }
}
