//! ECS: no secret in a plaintext environment variable of a task definition in use, found
//! by name or by a value that looked random when read. Only names are ever reported.

use holdfast_inventory::ecs::{Cluster, Service, TaskDefinition};

use crate::context::{Context, Outcome, finding, location, quoted, toml_key};
use crate::report::{Finding, Fix};

pub(crate) fn evaluate(cx: &Context<'_>) -> Vec<Outcome> {
    let evaluated = cx.read("ecs.task_definitions * / *").map(|()| {
        let ecs = &cx.inventory.ecs;
        let mut runs: std::collections::HashMap<&str, Vec<(&Cluster, &Service)>> = std::collections::HashMap::new();
        for cluster in &ecs.clusters {
            for service in &cluster.services {
                runs.entry(service.task_definition.as_str()).or_default().push((cluster, service));
            }
        }
        // Revisions kept only because secrets were moved out of them run nowhere.
        ecs.task_definitions.iter().filter_map(|definition| runs.get(definition.arn.as_str()).map(|users| evaluate_definition(cx, definition, users))).collect()
    });
    vec![Outcome::new("ecs.no_plaintext_secrets", "task definitions in use", evaluated)]
}

fn evaluate_definition(cx: &Context<'_>, definition: &TaskDefinition, users: &[(&Cluster, &Service)]) -> Finding {
    let mut suspects: Vec<(String, &'static str)> = Vec::new();
    for container in &definition.containers {
        for variable in &container.environment {
            let why = if looks_like_secret_name(&variable.name) {
                "secret-like name"
            } else if variable.looks_secret {
                "secret-looking value"
            } else {
                continue;
            };
            suspects.push((format!("{} (container {}, {why})", variable.name, container.name), why));
        }
    }
    let from_secrets: usize = definition.containers.iter().map(|container| container.secrets.len()).sum();
    let observed = if suspects.is_empty() {
        format!("no secret-like plaintext variable; {from_secrets} variable(s) from secrets")
    } else {
        format!("plaintext: {}", suspects.iter().map(|(text, _)| text.as_str()).collect::<Vec<_>>().join(", "))
    };
    let services: Vec<String> = users.iter().map(|(cluster, service)| format!("{}/{}", cluster.name, service.name)).collect();
    let variables: Vec<String> = definition
        .containers
        .iter()
        .flat_map(|container| &container.environment)
        .filter(|variable| looks_like_secret_name(&variable.name) || variable.looks_secret)
        .map(|variable| variable.name.clone())
        .collect();
    let mut found =
        finding(suspects.is_empty(), format!("ecs.task_definition/{}", definition.short_name()), "environment", observed, || fix(cx, users, &variables));
    found.note = Some(format!("run by {}", services.join(", ")));
    found
}

/// A variable name that says it holds a secret: `*_PASSWORD`, `*_SECRET`, `*_KEY`,
/// `*TOKEN*` and their kin, but not the name or ARN of one (`*_SECRET_ARN`), an id
/// (`*_KEY_ID`) or a public key.
pub(crate) fn looks_like_secret_name(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    const NOT_SECRETS: [&str; 6] = ["_ARN", "_ID", "_NAME", "_PATH", "_FILE", "_URL"];
    let reference = NOT_SECRETS.iter().any(|suffix| name.ends_with(suffix)) || name.contains("PUBLIC");
    if reference && !name.contains("DATABASE_URL") {
        return false;
    }
    // Names whose value usually carries a password, whatever their ending.
    const CONNECTION: [&str; 4] = ["DATABASE_URL", "CONNECTION_STRING", "_DSN", "CONN_STR"];
    if CONNECTION.iter().any(|part| name.contains(part)) {
        return true;
    }
    const ANYWHERE: [&str; 10] = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "PRIVATE_KEY", "PRIVATEKEY", "API_KEY", "APIKEY", "CREDENTIAL"];
    const ENDINGS: [&str; 3] = ["_KEY", "_PASS", "_PWD"];
    const WHOLE: [&str; 4] = ["KEY", "PASS", "PWD", "DSN"];
    ANYWHERE.iter().any(|part| name.contains(part))
        || ENDINGS.iter().any(|ending| name.trim_end_matches('_').ends_with(ending))
        || WHOLE.contains(&name.as_str())
}

fn fix(cx: &Context<'_>, users: &[(&Cluster, &Service)], variables: &[String]) -> Fix {
    let (cluster, service) = users[0];
    let entry = cx
        .desired
        .ecs
        .task_secrets
        .iter()
        .find(|entry| entry.cluster.matches(&cluster.name) && entry.service.matches(&service.name) && entry.tags.matches(&service.tags));
    match entry {
        Some(entry) if variables.iter().all(|variable| entry.secrets.contains_key(variable)) => {
            Fix::Declared { location: location(&entry.origin), note: "declared: `holdfast apply` moves them to the parameters".to_owned() }
        }
        Some(entry) => {
            // The whole table, the entry's own moves first: pasted over its `secrets`, it is valid TOML.
            let mut secrets: Vec<String> =
                entry.secrets.iter().map(|(variable, parameter)| format!("{} = {}", toml_key(variable), quoted(parameter.get_ref()))).collect();
            secrets.extend(variables.iter().filter(|variable| !entry.secrets.contains_key(*variable)).map(|variable| parameter_for(service, variable)));
            Fix::AddToEntry { location: location(&entry.origin), toml: format!("# in place of the entry's secrets\nsecrets = {{ {} }}", secrets.join(", ")) }
        }
        None => {
            let secrets: Vec<String> = variables.iter().map(|variable| parameter_for(service, variable)).collect();
            let parameters: Vec<String> = variables
                .iter()
                .map(|variable| {
                    format!(
                        "[[ssm.parameter]]\nname = {}\ntype = \"SecureString\"\nkms_key = \"alias/your-key\"\nvalue = {{ migrate_from_task_env = {} }}",
                        quoted(&parameter_name(service, variable)),
                        quoted(variable)
                    )
                })
                .collect();
            Fix::NewEntry {
                toml: format!(
                    "[[ecs.task_secrets]]\ncluster = {}\nservice = {}\nsecrets = {{ {} }}\n\n{}",
                    quoted(&cluster.name),
                    quoted(&service.name),
                    secrets.join(", "),
                    parameters.join("\n\n")
                ),
            }
        }
    }
}

/// A parameter name for a variable: `/SERVICE/variable-name`, in the characters SSM allows.
fn parameter_name(service: &Service, variable: &str) -> String {
    let safe = |text: &str| -> String {
        text.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') { c.to_ascii_lowercase() } else { '-' }).collect()
    };
    format!("/{}/{}", safe(&service.name), safe(variable))
}

fn parameter_for(service: &Service, variable: &str) -> String {
    format!("{} = {}", toml_key(variable), quoted(&parameter_name(service, variable)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_found_and_their_references_are_not() {
        for name in
            ["DB_PASSWORD", "REVERB_APP_KEY", "REVERB_APP_SECRET", "GITHUB_TOKEN", "TOKEN_SIGNING", "STRIPE_API_KEY", "AWS_SECRET_ACCESS_KEY", "db_pass"]
        {
            assert!(looks_like_secret_name(name), "{name}");
        }
        for name in ["LOG_CHANNEL", "APP_ENV", "DB_SECRET_ARN", "AWS_ACCESS_KEY_ID", "JWT_PUBLIC_KEY", "REVERB_APP_ID", "KEYBOARD_LAYOUT", "SECRET_NAME"] {
            assert!(!looks_like_secret_name(name), "{name}");
        }
    }
}
