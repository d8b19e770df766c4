//! Whether a role's own policies allow an action on a resource: used to warn before a
//! task definition reads SSM parameters its execution role may not read.
//!
//! This reads the role's inline and attached policies and evaluates their statements'
//! `Effect`, `Action` and `Resource` (with wildcards), `Deny` first. It ignores
//! conditions, permission boundaries and organisation policies, so its answer is "no
//! statement allows it" rather than a proof: it reports, it does not decide.

use globset::GlobBuilder;
use serde_json::Value;

use crate::Aws;
use crate::error::{AwsError, call_error};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Denied,
    /// No statement of the role's policies allows it.
    NotAllowed,
}

/// The role's policy documents: inline, then attached managed policies' default versions.
async fn documents(aws: &Aws, role_name: &str) -> Result<Vec<Value>, AwsError> {
    let mut documents = Vec::new();
    let _permit = aws.permit().await;
    let inline = aws
        .iam
        .list_role_policies()
        .role_name(role_name)
        .send()
        .await
        .map_err(|error| call_error("iam:ListRolePolicies", format!("role {role_name}"), error))?;
    for policy in inline.policy_names() {
        let output = aws
            .iam
            .get_role_policy()
            .role_name(role_name)
            .policy_name(policy)
            .send()
            .await
            .map_err(|error| call_error("iam:GetRolePolicy", format!("policy {policy} of role {role_name}"), error))?;
        documents.push(parse(output.policy_document()));
    }
    let attached = aws
        .iam
        .list_attached_role_policies()
        .role_name(role_name)
        .send()
        .await
        .map_err(|error| call_error("iam:ListAttachedRolePolicies", format!("role {role_name}"), error))?;
    for policy in attached.attached_policies() {
        let Some(arn) = policy.policy_arn() else { continue };
        let found = aws.iam.get_policy().policy_arn(arn).send().await.map_err(|error| call_error("iam:GetPolicy", arn.to_owned(), error))?;
        let Some(version) = found.policy().and_then(|policy| policy.default_version_id()) else { continue };
        let output = aws
            .iam
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
            .map_err(|error| call_error("iam:GetPolicyVersion", arn.to_owned(), error))?;
        if let Some(document) = output.policy_version().and_then(|version| version.document()) {
            documents.push(parse(document));
        }
    }
    Ok(documents)
}

/// Policy documents come URL-encoded from IAM.
fn parse(document: &str) -> Value {
    let decoded = percent_decode(document);
    serde_json::from_str(&decoded).unwrap_or(Value::Null)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && index + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[index + 1..index + 3], 16)
        {
            out.push(byte);
            index += 3;
            continue;
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the role named by `role_arn` may call `action` on `resource`.
pub async fn role_allows(aws: &Aws, role_arn: &str, action: &str, resource: &str) -> Result<Verdict, AwsError> {
    let role_name = role_arn.rsplit('/').next().unwrap_or(role_arn);
    Ok(evaluate(&documents(aws, role_name).await?, action, resource))
}

/// Deny wins over Allow; no matching Allow means not allowed.
pub fn evaluate(documents: &[Value], action: &str, resource: &str) -> Verdict {
    verdict(documents.iter().flat_map(statements), |statement| {
        matches_any(&statement["Action"], action, true) && matches_any(&statement["Resource"], resource, false)
    })
}

/// Whether a key policy itself lets `principal_arn` call `action`: a statement naming the
/// principal (or `*`) directly. A statement naming the account root only delegates to
/// IAM policies, which [`role_allows`] reads. Conditions are not evaluated.
pub fn key_policy_allows(policy: &Value, principal_arn: &str, action: &str) -> Verdict {
    verdict(statements(policy).into_iter(), |statement| {
        let principal = &statement["Principal"];
        let names_it = principal.as_str() == Some("*") || (matches_any(&principal["AWS"], principal_arn, false) && !principal_arn.ends_with(":root"));
        names_it && matches_any(&statement["Action"], action, true)
    })
}

/// The verdict of the statements that apply: Deny first, then any Allow.
fn verdict<'a>(statements: impl Iterator<Item = &'a Value>, applies: impl Fn(&Value) -> bool) -> Verdict {
    let mut allowed = false;
    for statement in statements.filter(|statement| applies(statement)) {
        match statement["Effect"].as_str() {
            Some("Deny") => return Verdict::Denied,
            Some("Allow") => allowed = true,
            _ => {}
        }
    }
    if allowed { Verdict::Allowed } else { Verdict::NotAllowed }
}

fn statements(document: &Value) -> Vec<&Value> {
    match &document["Statement"] {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![&document["Statement"]],
        _ => Vec::new(),
    }
}

/// IAM wildcards: `*` and `?`, actions compared without case.
fn matches_any(patterns: &Value, value: &str, case_insensitive: bool) -> bool {
    let patterns: Vec<&str> = match patterns {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    patterns.iter().any(|pattern| {
        GlobBuilder::new(pattern)
            .case_insensitive(case_insensitive)
            .literal_separator(false)
            .backslash_escape(false)
            .build()
            .is_ok_and(|glob| glob.compile_matcher().is_match(value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(statements: Value) -> Vec<Value> {
        vec![serde_json::json!({ "Version": "2012-10-17", "Statement": statements })]
    }

    const PARAMETER: &str = "arn:aws:ssm:us-east-1:108782097218:parameter/z360/staging/reverb/app-key";

    #[test]
    fn wildcard_action_and_resource_allow() {
        let documents = policy(serde_json::json!([{ "Effect": "Allow", "Action": ["ssm:GetParameter*"], "Resource": "arn:aws:ssm:*:*:parameter/z360/*" }]));
        assert_eq!(evaluate(&documents, "ssm:GetParameters", PARAMETER), Verdict::Allowed);
        assert_eq!(evaluate(&documents, "SSM:getparameters", PARAMETER), Verdict::Allowed, "actions compare without case");
    }

    #[test]
    fn other_resource_or_action_is_not_allowed() {
        let documents = policy(serde_json::json!({ "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": "arn:aws:ssm:*:*:parameter/other/*" }));
        assert_eq!(evaluate(&documents, "ssm:GetParameters", PARAMETER), Verdict::NotAllowed);
        assert_eq!(evaluate(&policy(serde_json::json!([])), "ssm:GetParameters", PARAMETER), Verdict::NotAllowed);
    }

    #[test]
    fn deny_wins() {
        let documents = policy(serde_json::json!([
            { "Effect": "Allow", "Action": "*", "Resource": "*" },
            { "Effect": "Deny", "Action": "ssm:*", "Resource": "*" }
        ]));
        assert_eq!(evaluate(&documents, "ssm:GetParameters", PARAMETER), Verdict::Denied);
    }

    #[test]
    fn key_policy_must_name_the_role_itself() {
        let role = "arn:aws:iam::108782097218:role/web-ExecutionRole";
        let root_only = serde_json::json!({ "Statement": [{ "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::108782097218:root" }, "Action": "kms:*", "Resource": "*" }] });
        assert_eq!(key_policy_allows(&root_only, role, "kms:Decrypt"), Verdict::NotAllowed, "the root statement only delegates to IAM");
        let names_role =
            serde_json::json!({ "Statement": [{ "Effect": "Allow", "Principal": { "AWS": [role] }, "Action": ["kms:Decrypt"], "Resource": "*" }] });
        assert_eq!(key_policy_allows(&names_role, role, "kms:Decrypt"), Verdict::Allowed);
        assert_eq!(key_policy_allows(&names_role, role, "kms:Encrypt"), Verdict::NotAllowed);
    }

    #[test]
    fn url_encoded_documents_decode() {
        assert_eq!(percent_decode("%7B%22a%22%3A%20%22b%22%7D"), "{\"a\": \"b\"}");
    }
}
