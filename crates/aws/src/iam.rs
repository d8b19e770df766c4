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
    let mut allowed = false;
    for statement in documents.iter().flat_map(statements) {
        if !covers(statement, "Action", "NotAction", action, true) || !covers(statement, "Resource", "NotResource", resource, false) {
            continue;
        }
        match statement["Effect"].as_str() {
            Some("Deny") => return Verdict::Denied,
            Some("Allow") => allowed = true,
            _ => {}
        }
    }
    if allowed { Verdict::Allowed } else { Verdict::NotAllowed }
}

/// What a key policy says of a principal calling an action on its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyGrant {
    /// A statement denies it (naming the principal, its account, or everyone).
    Denied,
    /// A statement allows the principal itself (or everyone).
    Allowed,
    /// A statement allows the account: the principal's IAM policies decide.
    DelegatedToIam,
    /// No statement allows it: whatever the IAM policies say, the key cannot be used.
    NotGranted,
}

/// Reads a key policy the way KMS does: a key is usable only if its policy allows the
/// principal, directly or by delegating to the account's IAM policies, and nothing denies
/// it. Conditions are not evaluated.
pub fn key_grant(policy: &Value, principal_arn: &str, action: &str) -> KeyGrant {
    let account = principal_arn.split(':').nth(4).unwrap_or_default();
    let mut grant = KeyGrant::NotGranted;
    for statement in statements(policy) {
        if !covers(statement, "Action", "NotAction", action, true) {
            continue;
        }
        let principal = &statement["Principal"];
        let everyone = principal.as_str() == Some("*") || principal["AWS"].as_str() == Some("*");
        let direct = everyone || matches_any(&principal["AWS"], principal_arn, false);
        let whole_account = matches_any(&principal["AWS"], &format!("arn:aws:iam::{account}:root"), false) || matches_any(&principal["AWS"], account, false);
        match statement["Effect"].as_str() {
            Some("Deny") if direct || whole_account => return KeyGrant::Denied,
            Some("Allow") if direct => grant = KeyGrant::Allowed,
            Some("Allow") if whole_account && grant == KeyGrant::NotGranted => grant = KeyGrant::DelegatedToIam,
            _ => {}
        }
    }
    grant
}

/// Whether a statement's `Action` (or `NotAction`) covers `value`; a statement with
/// neither, as a key policy's `Resource` may be, covers everything.
fn covers(statement: &Value, field: &str, not_field: &str, value: &str, case_insensitive: bool) -> bool {
    if !statement[not_field].is_null() {
        return !matches_any(&statement[not_field], value, case_insensitive);
    }
    statement[field].is_null() || matches_any(&statement[field], value, case_insensitive)
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

/// Makes sure AWS Config's service-linked role exists: AWS creates it when Config is
/// turned on in the console, but not when the recorder is put through the API.
pub async fn ensure_config_role(aws: &Aws) -> Result<(), AwsError> {
    let name = "AWSServiceRoleForConfig";
    let _permit = aws.permit().await;
    match aws.iam.get_role().role_name(name).send().await {
        Ok(_) => return Ok(()),
        Err(error) if matches!(error.as_service_error(), Some(aws_sdk_iam::operation::get_role::GetRoleError::NoSuchEntityException(_))) => {}
        Err(error) => return Err(crate::error::call_error("iam:GetRole", format!("role {name}"), error)),
    }
    match aws.iam.create_service_linked_role().aws_service_name("config.amazonaws.com").send().await {
        Ok(_) => Ok(()),
        // Made meanwhile, or named differently than looked for: it exists, which is the point.
        Err(error) if aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&error) == Some("EntityAlreadyExists") => Ok(()),
        Err(error) => Err(crate::error::call_error("iam:CreateServiceLinkedRole", "AWS Config's service-linked role", error)),
    }
}

/// The account's IAM users and root user, for the audit: one credential report (generated
/// if none is fresh) gives every user's console access, MFA and key ages in two or three
/// calls, where listing would cost two calls per user. The root user's row is read from
/// the report, or from the account summary when the report has none.
pub async fn read_credentials(aws: &Aws) -> Result<holdfast_inventory::iam::Iam, AwsError> {
    use aws_sdk_iam::types::{ReportStateType, SummaryKeyType};
    let deadline = std::time::Instant::now() + REPORT_WAIT;
    loop {
        let state = {
            let _permit = aws.permit().await;
            aws.iam.generate_credential_report().send().await.map_err(|error| call_error("iam:GenerateCredentialReport", "the credential report", error))?
        };
        if state.state() == Some(&ReportStateType::Complete) {
            break;
        }
        if std::time::Instant::now() > deadline {
            return Err(AwsError::Setup(format!(
                "IAM did not finish the credential report within {} s: run the audit again in a minute",
                REPORT_WAIT.as_secs()
            )));
        }
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
    let report = {
        let _permit = aws.permit().await;
        aws.iam.get_credential_report().send().await.map_err(|error| call_error("iam:GetCredentialReport", "the credential report", error))?
    };
    let text = report.content().map(|blob| String::from_utf8_lossy(blob.as_ref()).into_owned()).unwrap_or_default();
    let (users, root, unparsed_rows) = parse_credential_report(&text);
    let root = match root {
        Some(root) => Some(root),
        None => {
            let _permit = aws.permit().await;
            let summary = aws.iam.get_account_summary().send().await.map_err(|error| call_error("iam:GetAccountSummary", "the account summary", error))?;
            summary.summary_map().map(|map| holdfast_inventory::iam::Root {
                mfa_active: map.get(&SummaryKeyType::AccountMfaEnabled).copied().unwrap_or(0) > 0,
                access_keys_present: map.get(&SummaryKeyType::AccountAccessKeysPresent).copied().unwrap_or(0) > 0,
                source: "account summary".to_owned(),
            })
        }
    };
    let report_generated = report.generated_time().and_then(|time| time.fmt(aws_smithy_types::date_time::Format::DateTime).ok());
    Ok(holdfast_inventory::iam::Iam { report_generated, users, root, unparsed_rows })
}

/// IAM builds a report in seconds; an account with many thousands of users takes longer.
const REPORT_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// The report's CSV: a header row, then one row per user and `<root_account>`. No field is
/// quoted, and only a user name (and so its ARN) may hold a comma: every other column is a
/// date, a boolean, N/A or a region, so the columns are counted from the right.
fn parse_credential_report(text: &str) -> (Vec<holdfast_inventory::iam::User>, Option<holdfast_inventory::iam::Root>, usize) {
    use holdfast_inventory::iam::{AccessKey, Root, User};
    let mut lines = text.lines();
    let Some(header) = lines.next() else { return (Vec::new(), None, 0) };
    let columns: Vec<&str> = header.split(',').collect();
    let mut users = Vec::new();
    let mut root = None;
    let mut unparsed = 0;
    for line in lines.filter(|line| !line.trim().is_empty()) {
        let fields = split_csv(line);
        // Only a user name (and so its ARN) may hold a comma; unquoted, the fields beyond
        // the header's count are those commas, as many in each.
        let Some(extra) = fields.len().checked_sub(columns.len()).filter(|extra| extra % 2 == 0) else {
            unparsed += 1;
            continue;
        };
        let rest: Vec<&str> = fields[2 + extra..].iter().map(String::as_str).collect();
        let (name, arn) = (fields[..1 + extra / 2].join(","), fields[1 + extra / 2..2 + extra].join(","));
        if !arn.starts_with("arn:") || !(name == "<root_account>" || arn.ends_with(&name)) {
            unparsed += 1;
            continue;
        }
        let value = |column: &str| columns.iter().position(|c| *c == column).and_then(|index| index.checked_sub(2)).and_then(|index| rest.get(index).copied());
        let yes = |column: &str| value(column) == Some("true");
        let date = |column: &str| value(column).filter(|text| !matches!(*text, "N/A" | "not_supported" | "no_information" | "")).map(str::to_owned);
        let keys: Vec<AccessKey> = [1u8, 2]
            .into_iter()
            .filter(|slot| yes(&format!("access_key_{slot}_active")) || date(&format!("access_key_{slot}_last_rotated")).is_some())
            .map(|slot| AccessKey { slot, active: yes(&format!("access_key_{slot}_active")), last_rotated: date(&format!("access_key_{slot}_last_rotated")) })
            .collect();
        if name == "<root_account>" {
            root = Some(Root { mfa_active: yes("mfa_active"), access_keys_present: keys.iter().any(|key| key.active), source: "credential report".to_owned() });
        } else {
            users.push(User { name, arn, console_access: yes("password_enabled"), mfa_active: yes("mfa_active"), access_keys: keys });
        }
    }
    (users, root, unparsed)
}

/// One CSV line: fields split at commas, except inside double quotes (`""` is a quote).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut characters = line.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '"' if quoted && characters.peek() == Some(&'"') => {
                characters.next();
                fields.last_mut().expect("one field at least").push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            other => fields.last_mut().expect("one field at least").push(other),
        }
    }
    fields
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
    fn not_action_and_not_resource_are_read() {
        let documents = policy(serde_json::json!([
            { "Effect": "Allow", "Action": "*", "Resource": "*" },
            { "Effect": "Deny", "NotAction": ["s3:*", "logs:*"], "Resource": "*" }
        ]));
        assert_eq!(evaluate(&documents, "ssm:GetParameters", PARAMETER), Verdict::Denied, "NotAction denies everything it does not name");
        let documents = policy(serde_json::json!([{ "Effect": "Allow", "Action": "ssm:*", "NotResource": "arn:aws:ssm:*:*:parameter/z360/*" }]));
        assert_eq!(evaluate(&documents, "ssm:GetParameters", PARAMETER), Verdict::NotAllowed);
    }

    #[test]
    fn a_key_is_usable_only_as_its_policy_allows() {
        let role = "arn:aws:iam::108782097218:role/web-ExecutionRole";
        let statement =
            |effect: &str, principal: &str| serde_json::json!({ "Effect": effect, "Principal": { "AWS": principal }, "Action": "kms:*", "Resource": "*" });
        let key_policy = |statements: Vec<Value>| serde_json::json!({ "Statement": statements });
        let root = "arn:aws:iam::108782097218:root";
        assert_eq!(key_grant(&key_policy(vec![statement("Allow", root)]), role, "kms:Decrypt"), KeyGrant::DelegatedToIam);
        assert_eq!(key_grant(&key_policy(vec![statement("Allow", role)]), role, "kms:Decrypt"), KeyGrant::Allowed);
        assert_eq!(
            key_grant(&key_policy(vec![statement("Allow", "arn:aws:iam::108782097218:role/admin")]), role, "kms:Decrypt"),
            KeyGrant::NotGranted,
            "no delegation to IAM"
        );
        assert_eq!(key_grant(&key_policy(vec![statement("Allow", root), statement("Deny", role)]), role, "kms:Decrypt"), KeyGrant::Denied);
    }

    #[test]
    fn the_credential_report_reads_users_root_and_names_with_commas() {
        let report = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::108782097218:root,2020-01-01T00:00:00+00:00,not_supported,2026-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
dana,arn:aws:iam::108782097218:user/dana,2021-03-01T00:00:00+00:00,true,N/A,2021-03-01T00:00:00+00:00,N/A,false,true,2021-03-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
ci,bot,arn:aws:iam::108782097218:user/ci,bot,2024-05-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-11-01T00:00:00+00:00,N/A,N/A,N/A,true,2025-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A
";
        let (users, root, unparsed) = parse_credential_report(&format!(
            "{report}short,arn:aws:iam::108782097218:user/short,true\nx,true,y,arn:aws:iam::108782097218:user/x,true,y,2024-05-01T00:00:00+00:00,true,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\"q,uoted\",\"arn:aws:iam::108782097218:user/q,uoted\",2024-05-01T00:00:00+00:00,true,N/A,N/A,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        ));
        assert_eq!(unparsed, 1, "a row with a field missing is counted, not guessed at");
        let root = root.expect("the root row");
        assert!(root.mfa_active && !root.access_keys_present);
        assert_eq!(users.len(), 4);
        assert_eq!((users[2].name.as_str(), users[2].console_access, users[2].mfa_active), ("x,true,y", true, false), "a name that looks like fields");
        assert!(users[2].access_keys.is_empty());
        assert_eq!((users[3].name.as_str(), users[3].console_access, users[3].mfa_active), ("q,uoted", true, true), "quoted fields keep their commas");
        assert_eq!((users[0].name.as_str(), users[0].console_access, users[0].mfa_active), ("dana", true, false));
        assert_eq!(users[0].access_keys.len(), 1);
        assert_eq!(users[0].access_keys[0].last_rotated.as_deref(), Some("2021-03-01T00:00:00+00:00"));
        assert_eq!((users[1].name.as_str(), users[1].arn.as_str()), ("ci,bot", "arn:aws:iam::108782097218:user/ci,bot"));
        assert!(!users[1].console_access);
        assert_eq!(users[1].access_keys.iter().map(|key| (key.slot, key.active)).collect::<Vec<_>>(), vec![(1, true), (2, true)]);
    }

    #[test]
    fn url_encoded_documents_decode() {
        assert_eq!(percent_decode("%7B%22a%22%3A%20%22b%22%7D"), "{\"a\": \"b\"}");
    }
}
