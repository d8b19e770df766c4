//! SSM Parameter Store: secrets as SecureStrings under a customer-managed key.

use holdfast_inventory::ecs::looks_like_secret_name;
use holdfast_inventory::ssm::Parameter;

use crate::context::{Context, Outcome, finding, location, quoted};
use crate::report::Fix;

const SECURE_STRING: &str = "SecureString";

pub(crate) fn evaluate(cx: &Context<'_>) -> Vec<Outcome> {
    // Whether a key is AWS managed comes from KMS's aliases and keys: without them, no verdict.
    let evaluated = cx.read("ssm.parameter_list").and_then(|()| cx.read("kms.keys")).map(|()| {
        // What containers read as secrets, by parameter name (an ARN reduced to its name).
        let referenced: std::collections::HashSet<&str> = cx
            .inventory
            .ecs
            .task_definitions
            .iter()
            .flat_map(|definition| &definition.containers)
            .flat_map(|container| &container.secrets)
            .map(|secret| secret.value_from.split_once(":parameter").map_or(secret.value_from.as_str(), |(_, name)| name).trim_start_matches('/'))
            .collect();
        cx.inventory
            .ssm
            .parameters
            .iter()
            .filter(|parameter| holds_a_secret(parameter, &referenced))
            .map(|parameter| {
                let key = parameter.kms_key.as_deref();
                let manager = key.map(|key| manager(cx, key));
                let customer_key = parameter.parameter_type == SECURE_STRING && manager == Some(Manager::Customer);
                let observed = match (key, manager) {
                    _ if parameter.parameter_type != SECURE_STRING => format!("{} (plaintext)", parameter.parameter_type),
                    (Some(key), Some(Manager::Aws)) => format!("SecureString, {key} (AWS managed key)"),
                    (Some(key), Some(Manager::Unknown)) => format!("SecureString, {key} (a key KMS did not describe)"),
                    (Some(key), _) => format!("SecureString, {key}"),
                    (None, _) => "SecureString, alias/aws/ssm (AWS managed key)".to_owned(),
                };
                finding(customer_key, format!("ssm.parameter/{}", parameter.name.trim_start_matches('/')), "Type, KeyId", observed, || fix(cx, parameter))
            })
            .collect()
    });
    vec![Outcome::new("ssm.secure_string_cmk", "secret parameters", evaluated)]
}

/// A SecureString, a parameter a container reads as a secret, or one named like a secret.
fn holds_a_secret(parameter: &Parameter, referenced: &std::collections::HashSet<&str>) -> bool {
    let referenced = referenced.contains(parameter.name.trim_start_matches('/'));
    let last = parameter.name.rsplit('/').next().unwrap_or(&parameter.name);
    parameter.parameter_type == SECURE_STRING || referenced || looks_like_secret_name(last)
}

/// `alias/aws/*` by name or ARN.
fn is_aws_alias(key: &str) -> bool {
    key.starts_with("alias/aws/") || (key.starts_with("arn:") && key.contains(":alias/aws/"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Manager {
    Aws,
    Customer,
    /// Neither an alias nor DescribeKey said: no credit on a guess.
    Unknown,
}

/// Who manages a key: `alias/aws/*` by name or ARN, a key such an alias points at, or
/// what DescribeKey said; a customer alias's key is the customer's.
fn manager(cx: &Context<'_>, key: &str) -> Manager {
    if is_aws_alias(key) {
        return Manager::Aws;
    }
    let kms = &cx.inventory.kms;
    if key.starts_with("alias/") || key.contains(":alias/") {
        let name = key.split_once(":alias/").map_or(key.to_owned(), |(_, name)| format!("alias/{name}"));
        return if kms.aliases.iter().any(|alias| alias.name == name) { Manager::Customer } else { Manager::Unknown };
    }
    let id = key.rsplit('/').next().unwrap_or(key);
    let aliased: Vec<&str> = kms.aliases.iter().filter(|alias| alias.target_key_id.as_deref() == Some(id)).map(|alias| alias.name.as_str()).collect();
    if aliased.iter().any(|name| name.starts_with("alias/aws/")) {
        return Manager::Aws;
    }
    match kms.keys.iter().find(|found| found.id == id || found.arn == key).and_then(|found| found.manager.as_deref()) {
        Some("AWS") => Manager::Aws,
        Some(_) => Manager::Customer,
        None if !aliased.is_empty() => Manager::Customer,
        None => Manager::Unknown,
    }
}

fn fix(cx: &Context<'_>, parameter: &Parameter) -> Fix {
    match cx.desired.ssm.parameter.iter().find(|entry| entry.name() == parameter.name) {
        Some(entry)
            if entry.parameter_type == holdfast_desired::ssm::ParameterType::SecureString && entry.kms_key.as_deref().is_some_and(|key| !is_aws_alias(key)) =>
        {
            Fix::Declared {
                location: location(&entry.origin),
                note: "declared: `holdfast plan` shows the re-encryption, which needs the value (`value = { env = \"...\" }`)".to_owned(),
            }
        }
        Some(entry) => Fix::AddToEntry { location: location(&entry.origin), toml: "type = \"SecureString\"\nkms_key = \"alias/your-key\"".to_owned() },
        None => Fix::NewEntry {
            toml: format!(
                "[[ssm.parameter]]\nname = {}\ntype = \"SecureString\"\nkms_key = \"alias/your-key\"\nvalue = {{ env = \"VARIABLE_HOLDING_IT\" }}",
                quoted(&parameter.name)
            ),
        },
    }
}
