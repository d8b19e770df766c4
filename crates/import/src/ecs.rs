//! `[[ecs.service]]`: each cluster's services grouped by the capacity they run on, one
//! entry per group, with named strategies; `[[ecs.task_secrets]]` for the variables
//! their task definitions already take from SSM; and, commented out, the moves to SSM of
//! plaintext variables that look like secrets.

use std::collections::BTreeMap;
use std::fmt::Write;

use holdfast_desired::ecs::is_variable_name;
use holdfast_desired::toml_text::{key, quoted};
use holdfast_inventory::ecs::{Cluster, Service, StrategyItem, TaskDefinition, looks_like_secret_name, names_a_fingerprint};
use holdfast_inventory::{Inventory, SecretHash};

use crate::names::{Reach, single};
use crate::{Section, names_of, short_list};

const FARGATE: &str = "FARGATE";
const FARGATE_SPOT: &str = "FARGATE_SPOT";

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    let clusters = &inventory.ecs.clusters;
    let cluster_names = names_of(clusters, |cluster| cluster.name.as_str());
    let definitions: BTreeMap<&str, &TaskDefinition> = inventory.ecs.task_definitions.iter().map(|definition| (definition.arn.as_str(), definition)).collect();
    let mut strategies: BTreeMap<String, Vec<StrategyItem>> = BTreeMap::new();
    let mut entries = Section::new();
    let empty = SecretHash::of(&inventory.salt, "");
    for cluster in clusters {
        let cluster_glob = single(&cluster.name, &cluster_names);
        let service_names = names_of(&cluster.services, |service| service.name.as_str());
        let mut by_strategy: BTreeMap<String, Vec<&Service>> = BTreeMap::new();
        for service in &cluster.services {
            match compute(cluster, service) {
                Ok(items) => {
                    let name = strategy_name(&items);
                    strategies.insert(name.clone(), items);
                    by_strategy.entry(name).or_default().push(service);
                }
                Err(reason) => entries.review(format!("{}/{} is not imported: it {reason}", cluster.name, service.name)),
            }
        }
        for (strategy, members) in &by_strategy {
            let runs_on = runs_on(&strategies[strategy]);
            for (glob, group) in globs(members, &service_names, Reach::Prefix) {
                let mut listed: Vec<String> = group.iter().map(|service| short_name(&service.name, &glob)).collect();
                // Names that differ only in what was cut are listed whole.
                if listed.iter().collect::<std::collections::BTreeSet<_>>().len() < listed.len() {
                    listed = group.iter().map(|service| service.name.clone()).collect();
                }
                let noun = if group.len() == 1 { "service" } else { "services" };
                entries.entry("[[ecs.service]]", &[format!("{} {noun} {runs_on}: {}", group.len(), short_list(&listed))], group.len());
                entries.string("cluster", &cluster_glob);
                entries.string("service", &glob);
                entries.string("strategy", strategy);
            }
        }
        for service in &cluster.services {
            if let Some(reason) = inventory.ecs.unreadable_task_definitions.get(&service.task_definition) {
                entries.review(format!(
                    "the task definition of {}/{} could not be read ({reason}): its secrets are neither imported nor checked for plaintext",
                    cluster.name, service.name
                ));
            }
        }
        write_task_secrets(&mut entries, cluster, &cluster_glob, &service_names, &definitions);
        suggest_secrets(&mut entries, cluster, &cluster_glob, &service_names, &definitions, &empty);
    }
    if strategies.is_empty() && entries.text.is_empty() {
        return;
    }
    if !strategies.is_empty() {
        out.line("\n[ecs.strategies]");
        let width = strategies.keys().map(|name| key(name).len()).max().unwrap_or(0);
        for (name, items) in &strategies {
            let items: Vec<String> = items.iter().map(item_toml).collect();
            let _ = writeln!(out.text, "{:width$} = [{}]", key(name), items.join(", "));
        }
    }
    out.text.push_str(&entries.text);
    out.entries += entries.entries;
    out.resources += entries.resources;
    out.review.extend(entries.review);
}

/// The glob of each group of services: one for all, or one each where none fits.
fn globs<'s>(members: &[&'s Service], universe: &[&str], reach: Reach) -> Vec<(String, Vec<&'s Service>)> {
    let names: Vec<&str> = members.iter().map(|service| service.name.as_str()).collect();
    crate::names::globs(&names, universe, names.len() == universe.len(), reach)
        .into_iter()
        .map(|(glob, group)| (glob, members.iter().filter(|service| group.contains(&service.name.as_str())).copied().collect()))
        .collect()
}

/// A service's name as a comment lists it: past what the glob spells out, without its
/// generated suffix (`queue-Service` for `z360-staging-queue-Service-4kTq8ZbW1mXe`
/// under `z360-staging-*`).
fn short_name(name: &str, glob: &str) -> String {
    let spelled = glob.split(['*', '?', '[', '{', '\\']).next().unwrap_or_default();
    let general = crate::names::generalized(name);
    let mut trimmed = general.as_str();
    while let Some(rest) = trimmed.strip_suffix("-*").or_else(|| trimmed.strip_suffix("_*")) {
        trimmed = rest;
    }
    trimmed.strip_prefix(spelled).filter(|rest| !rest.is_empty()).unwrap_or(trimmed).to_owned()
}

/// The strategy a service runs on, as a desired-state strategy that plans no change:
/// its own strategy, `FARGATE` for launch type FARGATE, or the cluster's default.
fn compute(cluster: &Cluster, service: &Service) -> Result<Vec<StrategyItem>, String> {
    let mut items = if !service.capacity_provider_strategy.is_empty() {
        service.capacity_provider_strategy.clone()
    } else if let Some(launch_type) = &service.launch_type {
        if launch_type != FARGATE {
            return Err(format!("runs on launch type {launch_type}, which no Fargate capacity provider strategy declares"));
        }
        vec![StrategyItem { provider: FARGATE.to_owned(), weight: 1, base: 0 }]
    } else if !cluster.default_strategy.is_empty() {
        cluster.default_strategy.clone()
    } else {
        return Err("has neither a capacity provider strategy nor a launch type".to_owned());
    };
    items.sort();
    Ok(items)
}

/// `spot`, `on-demand`, `mixed-1-3` (FARGATE weight 1, FARGATE_SPOT weight 3), with
/// `-base-N` for a base; any other strategy is named after every item, so two
/// strategies never share a name.
fn strategy_name(items: &[StrategyItem]) -> String {
    let word = |provider: &str| match provider {
        FARGATE => "on-demand".to_owned(),
        FARGATE_SPOT => "spot".to_owned(),
        other => other.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect(),
    };
    match items {
        [only] if only.weight == 1 && only.base == 0 => word(&only.provider),
        [on_demand, spot] if on_demand.provider == FARGATE && spot.provider == FARGATE_SPOT => {
            let mut name = format!("mixed-{}-{}", on_demand.weight, spot.weight);
            if on_demand.base > 0 {
                let _ = write!(name, "-base-{}", on_demand.base);
            }
            if spot.base > 0 {
                let _ = write!(name, "-spot-base-{}", spot.base);
            }
            name
        }
        _ => {
            let parts: Vec<String> = items
                .iter()
                .map(|item| {
                    let base = if item.base > 0 { format!("-base-{}", item.base) } else { String::new() };
                    format!("{}-{}{base}", word(&item.provider), item.weight)
                })
                .collect();
            parts.join("-")
        }
    }
}

/// How a strategy reads in a comment: "on Fargate Spot", "on demand", "partly on Spot",
/// "on capacity provider X".
fn runs_on(items: &[StrategyItem]) -> String {
    let placing: Vec<&StrategyItem> = items.iter().filter(|item| item.weight > 0 || item.base > 0).collect();
    let own: Vec<&str> = placing.iter().filter(|item| item.provider != FARGATE && item.provider != FARGATE_SPOT).map(|item| item.provider.as_str()).collect();
    let spot = placing.iter().filter(|item| item.provider == FARGATE_SPOT).count();
    if !own.is_empty() {
        let spot = if spot > 0 { "partly on Fargate Spot, partly " } else { "" };
        return format!("{spot}on capacity provider {}", own.join(" and "));
    }
    match spot {
        0 => "on demand",
        all if all == placing.len() => "on Fargate Spot",
        _ => "partly on Fargate Spot",
    }
    .to_owned()
}

fn item_toml(item: &StrategyItem) -> String {
    let base = if item.base > 0 { format!(", base = {}", item.base) } else { String::new() };
    format!("{{ provider = {}, weight = {}{base} }}", quoted(&item.provider), item.weight)
}

/// The SSM parameter a secret reference reads, as `[[ecs.task_secrets]]` names it; None
/// for another source (Secrets Manager), which the desired state does not declare.
fn ssm_parameter(value_from: &str) -> Option<String> {
    if !value_from.starts_with("arn:") {
        return Some(value_from.to_owned());
    }
    // arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME
    (value_from.split(':').nth(2) == Some("ssm")).then(|| value_from.split_once(":parameter").map(|(_, name)| name.to_owned())).flatten()
}

/// The variables every container of the definition takes from one SSM parameter and
/// none holds in plaintext: what an entry can declare without planning a change.
fn secrets_from_ssm(definition: &TaskDefinition) -> BTreeMap<String, String> {
    let mut found: BTreeMap<String, Option<String>> = BTreeMap::new();
    for container in &definition.containers {
        for secret in &container.secrets {
            let parameter = ssm_parameter(&secret.value_from);
            match found.get(&secret.name) {
                Some(existing) if *existing != parameter => {
                    found.insert(secret.name.clone(), None);
                }
                Some(_) => {}
                None => {
                    found.insert(secret.name.clone(), parameter);
                }
            }
        }
    }
    let plaintext = |name: &str| definition.containers.iter().any(|container| container.environment.iter().any(|variable| variable.name == name));
    found
        .into_iter()
        .filter_map(|(name, parameter)| parameter.filter(|_| !plaintext(&name) && is_variable_name(&name)).map(|parameter| (name, parameter)))
        .collect()
}

fn write_task_secrets(out: &mut Section, cluster: &Cluster, cluster_glob: &str, service_names: &[&str], definitions: &BTreeMap<&str, &TaskDefinition>) {
    let mut by_secrets: BTreeMap<BTreeMap<String, String>, Vec<&Service>> = BTreeMap::new();
    for service in &cluster.services {
        let Some(definition) = definitions.get(service.task_definition.as_str()) else { continue };
        let secrets = secrets_from_ssm(definition);
        if !secrets.is_empty() {
            by_secrets.entry(secrets).or_default().push(service);
        }
    }
    for (secrets, members) in &by_secrets {
        for (glob, group) in globs(members, service_names, Reach::Names) {
            let noun = if group.len() == 1 { "service takes" } else { "services take" };
            out.entry("[[ecs.task_secrets]]", &[format!("{} {noun} these from SSM already", group.len())], 0);
            out.string("cluster", cluster_glob);
            out.string("service", &glob);
            let pairs: Vec<String> = secrets.iter().map(|(variable, parameter)| format!("{} = {}", key(variable), quoted(parameter))).collect();
            out.line(format!("secrets = {{ {} }}", pairs.join(", ")));
        }
    }
}

/// The plaintext variables of a definition that look like secrets, by name or by value;
/// an empty one is no secret, and SSM would refuse it.
fn plaintext_secrets(definition: &TaskDefinition, empty: &SecretHash) -> Vec<String> {
    let mut names: Vec<String> = definition
        .containers
        .iter()
        .flat_map(|container| &container.environment)
        .filter(|variable| &variable.value_hash != empty)
        .filter(|variable| looks_like_secret_name(&variable.name) || (variable.looks_secret && !names_a_fingerprint(&variable.name)))
        .filter(|variable| is_variable_name(&variable.name))
        .map(|variable| variable.name.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The distinct values (as hashes) a plaintext variable has across the services' containers.
fn values_of<'a>(group: &[&Service], definitions: &BTreeMap<&str, &'a TaskDefinition>, variable: &str) -> std::collections::BTreeSet<&'a SecretHash> {
    group
        .iter()
        .filter_map(|service| definitions.get(service.task_definition.as_str()))
        .flat_map(|definition| definition.containers.iter().flat_map(|container| &container.environment))
        .filter(|found| found.name == variable)
        .map(|found| &found.value_hash)
        .collect()
}

/// Commented-out entries that would move plaintext secrets to SSM SecureStrings: a
/// person decides, and names the parameters and the key.
fn suggest_secrets(
    out: &mut Section,
    cluster: &Cluster,
    cluster_glob: &str,
    service_names: &[&str],
    definitions: &BTreeMap<&str, &TaskDefinition>,
    empty: &SecretHash,
) {
    let mut by_variables: BTreeMap<Vec<String>, Vec<&Service>> = BTreeMap::new();
    for service in &cluster.services {
        let Some(definition) = definitions.get(service.task_definition.as_str()) else { continue };
        let variables = plaintext_secrets(definition, empty);
        if !variables.is_empty() {
            by_variables.entry(variables).or_default().push(service);
        }
    }
    for (all_variables, members) in &by_variables {
        for (glob, group) in globs(members, service_names, Reach::Names) {
            // One parameter holds one value: a variable whose value differs between the
            // containers or services is named for review, not suggested.
            let (variables, mixed): (Vec<String>, Vec<String>) =
                all_variables.iter().cloned().partition(|variable| values_of(&group, definitions, variable).len() == 1);
            let listed: Vec<String> = group.iter().map(|service| service.name.clone()).collect();
            if !mixed.is_empty() {
                out.text.push('\n');
                out.review(format!(
                    "{} in plaintext in the task definitions of {} ({}) {} different values: each value needs a parameter of its own, which holdfast does not guess",
                    mixed.join(", "),
                    cluster.name,
                    short_list(&listed),
                    if mixed.len() == 1 { "holds" } else { "hold" }
                ));
            }
            if variables.is_empty() {
                continue;
            }
            let stem = glob.split(['*', '?', '[', '{']).next().unwrap_or_default().trim_matches(['-', '_', '/', '.']).replace('\\', "");
            let parameter = |variable: &str| {
                let tail: String = variable.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
                format!("/{stem}/{tail}")
            };
            out.text.push('\n');
            out.review(format!(
                "{} {} in plaintext in the task definitions of {} and {} ({}). To move {} to SSM SecureStrings, uncomment these entries and check the parameter names: apply creates each parameter from the value the services run with, then moves them.",
                variables.join(", "),
                if variables.len() == 1 { "is" } else { "are" },
                cluster.name,
                if variables.len() == 1 { "looks like a secret" } else { "look like secrets" },
                short_list(&listed),
                if variables.len() == 1 { "it" } else { "them" },
            ));
            out.line("# [[ecs.task_secrets]]");
            let _ = writeln!(out.text, "# cluster = {}", quoted(cluster_glob));
            let _ = writeln!(out.text, "# service = {}", quoted(&glob));
            let pairs: Vec<String> = variables.iter().map(|variable| format!("{} = {}", key(variable), quoted(&parameter(variable)))).collect();
            let _ = writeln!(out.text, "# secrets = {{ {} }}", pairs.join(", "));
            for variable in &variables {
                out.line("#");
                out.line("# [[ssm.parameter]]");
                let _ = writeln!(out.text, "# name = {}", quoted(&parameter(variable)));
                out.line("# type = \"SecureString\"");
                let _ = writeln!(out.text, "# value = {{ migrate_from_task_env = {} }}", quoted(variable));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(list: &[(&str, u32, u32)]) -> Vec<StrategyItem> {
        let mut items: Vec<StrategyItem> =
            list.iter().map(|(provider, weight, base)| StrategyItem { provider: (*provider).to_owned(), weight: *weight, base: *base }).collect();
        items.sort();
        items
    }

    #[test]
    fn strategies_are_named_as_people_name_them_and_never_alike() {
        assert_eq!(strategy_name(&items(&[(FARGATE_SPOT, 1, 0)])), "spot");
        assert_eq!(strategy_name(&items(&[(FARGATE, 1, 0)])), "on-demand");
        assert_eq!(strategy_name(&items(&[(FARGATE_SPOT, 3, 0), (FARGATE, 1, 0)])), "mixed-1-3");
        assert_eq!(strategy_name(&items(&[(FARGATE, 1, 1), (FARGATE_SPOT, 3, 0)])), "mixed-1-3-base-1");
        assert_eq!(strategy_name(&items(&[(FARGATE_SPOT, 2, 0)])), "spot-2");
        assert_eq!(strategy_name(&items(&[("my-ec2-capacity", 1, 2)])), "my-ec2-capacity-1-base-2");
    }

    #[test]
    fn only_ssm_references_no_container_holds_in_plaintext_are_declared() {
        use holdfast_inventory::ecs::{Container, EnvironmentVariable, SecretReference};
        let salt = holdfast_inventory::Salt::from_bytes(b"0123456789abcdef");
        let reference = |name: &str, from: &str| SecretReference { name: name.to_owned(), value_from: from.to_owned() };
        let definition = TaskDefinition {
            arn: "arn:aws:ecs:us-east-1:123456789012:task-definition/app:1".into(),
            family: "app".into(),
            revision: 1,
            execution_role_arn: None,
            cpu_units: None,
            memory_mib: None,
            cpu_architecture: None,
            os_family: None,
            containers: vec![
                Container {
                    name: "app".into(),
                    environment: vec![EnvironmentVariable::new(&salt, "BOTH", "x")],
                    secrets: vec![
                        reference("DB", "arn:aws:ssm:us-east-1:123456789012:parameter/app/db"),
                        reference("TOKEN", "/app/token"),
                        reference("VAULT", "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"),
                    ],
                },
                Container {
                    name: "sidecar".into(),
                    environment: Vec::new(),
                    secrets: vec![reference("BOTH", "/app/both"), reference("TOKEN", "/other/token")],
                },
            ],
            secrets_moved_from: None,
        };
        let found = secrets_from_ssm(&definition);
        assert_eq!(found.into_iter().collect::<Vec<_>>(), [("DB".to_owned(), "/app/db".to_owned())]);
    }
}
