//! ECS: no secret in a plaintext environment variable of a task definition in use, found
//! by name or by a value that looked random when read. Only names are ever reported.

use holdfast_inventory::ecs::{Cluster, Service, TaskDefinition, looks_like_secret_name, names_a_fingerprint};

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
        let mut findings: Vec<Finding> = ecs
            .task_definitions
            .iter()
            .filter_map(|definition| runs.get(definition.arn.as_str()).map(|users| evaluate_definition(cx, definition, users)))
            .collect();
        // One ECS would not describe is a failure, not silence: it may hold anything.
        findings.extend(ecs.unreadable_task_definitions.iter().map(|(arn, error)| {
            let name = arn.rsplit('/').next().unwrap_or(arn);
            let error = error.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>().join("; ");
            crate::context::fail(
                format!("ecs.task_definition/{name}"),
                "environment",
                format!("not readable: {error}"),
                Fix::Manual { text: format!("point the services that run {name} at a task definition ECS can describe") },
            )
        }));
        findings
    });
    vec![Outcome::new("ecs.no_plaintext_secrets", "task definitions in use", evaluated)]
}

fn evaluate_definition(cx: &Context<'_>, definition: &TaskDefinition, users: &[(&Cluster, &Service)]) -> Finding {
    let mut suspects: Vec<(String, &'static str)> = Vec::new();
    for container in &definition.containers {
        for variable in &container.environment {
            let why = if looks_like_secret_name(&variable.name) {
                "secret-like name"
            } else if variable.looks_secret && !names_a_fingerprint(&variable.name) {
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
        .filter(|variable| looks_like_secret_name(&variable.name) || (variable.looks_secret && !names_a_fingerprint(&variable.name)))
        .map(|variable| variable.name.clone())
        .collect();
    let mut found =
        finding(suspects.is_empty(), format!("ecs.task_definition/{}", definition.short_name()), "environment", observed, || fix(cx, users, &variables));
    found.note = Some(format!("run by {}", services.join(", ")));
    found
}

fn fix(cx: &Context<'_>, users: &[(&Cluster, &Service)], variables: &[String]) -> Fix {
    let (cluster, service) = users[0];
    // ECS takes any variable name; `[[ecs.task_secrets]]` moves shell-style ones only.
    let unmovable: Vec<&str> = variables.iter().map(String::as_str).filter(|variable| !holdfast_desired::ecs::is_variable_name(variable)).collect();
    if !unmovable.is_empty() {
        return Fix::Manual {
            text: format!(
                "holdfast moves variables named with letters, digits and _ only: move {} of {} into secrets (valueFrom an SSM SecureString) by hand, or rename it",
                unmovable.join(", "),
                service.name
            ),
        };
    }
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
        for name in [
            "DB_PASSWORD",
            "REVERB_APP_KEY",
            "REVERB_APP_SECRET",
            "GITHUB_TOKEN",
            "TOKEN_SIGNING",
            "STRIPE_API_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "db_pass",
            "PASSPHRASE",
            "SIGNING_PRIVATEKEY",
            "ENCRYPTION_KEY_",
            "DATABASE_URL",
            "SENTRY_DSN",
            "PASS",
            "spring.datasource.password",
            "ConnectionStrings__Default",
            "KEY",
        ] {
            assert!(looks_like_secret_name(name), "{name}");
        }
        for name in [
            "LOG_CHANNEL",
            "APP_ENV",
            "DB_SECRET_ARN",
            "AWS_ACCESS_KEY_ID",
            "JWT_PUBLIC_KEY",
            "REVERB_APP_ID",
            "KEYBOARD_LAYOUT",
            "SECRET_NAME",
            "MAX_TOKENS",
            "TOKENIZERS_PARALLELISM",
            "TOKEN_EXPIRY_SECONDS",
            "PASSWORD_MIN_LENGTH",
            "SECRETS_MANAGER_ENDPOINT",
            "PRIMARY_KEY",
            "SORT_KEY",
            "PARTITION_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "CACHE_KEY_PREFIX",
            "BYPASS_CACHE",
            "SECRETARY_EMAIL",
        ] {
            assert!(!looks_like_secret_name(name), "{name}");
        }
    }
}
