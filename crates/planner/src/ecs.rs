//! ECS: capacity provider strategies (and the cluster providers they need), and
//! container variables moved from plaintext `environment` to SSM `secrets`.

use std::collections::{BTreeMap, BTreeSet};

use holdfast_desired::diagnostic::did_you_mean;
use holdfast_desired::ecs::{FARGATE, FARGATE_SPOT, ServiceEntry, TaskSecretsEntry, is_fargate};
use holdfast_desired::{HasOrigin, Origin};
use holdfast_inventory::SecretHash;
use holdfast_inventory::ecs::{Cluster, Service, StrategyItem, TaskDefinition};

use crate::context::{Context, ownership_notes, source};
use crate::normalize::parameter_key;
use crate::operation::{Operation, SecretMove, SecretMoves};
use crate::plan::{Action, AttributeChange, Change, Flag, Kind};
use crate::select::{Hits, one};
use crate::ssm::After;

pub(crate) fn plan(cx: &mut Context<'_>) {
    check_capacity_providers(cx);
    let desired = &cx.desired.ecs;
    let mut service_hits = Hits::new(desired.service.len());
    let mut secret_hits = Hits::new(desired.task_secrets.len());
    for cluster in &cx.inventory.ecs.clusters {
        let mut providers_needed: BTreeMap<String, Origin> = BTreeMap::new();
        let mut service_changes = Vec::new();
        // Cluster globs are matched once per cluster, not once per service: thousands of
        // services times thousands of entries is where a large plan's time went.
        let strategy_candidates = in_cluster(desired.service.iter().map(|entry| &entry.cluster), cluster);
        let secret_candidates = in_cluster(desired.task_secrets.iter().map(|entry| &entry.cluster), cluster);
        for service in &cluster.services {
            let strategy_entries = service_hits
                .select_among(&desired.service, &strategy_candidates, |entry| entry.service.matches(&service.name) && entry.tags.matches(&service.tags));
            let secret_entries = secret_hits
                .select_among(&desired.task_secrets, &secret_candidates, |entry| entry.service.matches(&service.name) && entry.tags.matches(&service.tags));
            let strategy_entry = one(cx, &service_address(cluster, service), strategy_entries);
            let changes = plan_service(cx, cluster, service, strategy_entry, &secret_entries);
            // The cluster needs the providers of a strategy a service is moved to, and only those.
            for change in &changes {
                if let (Operation::UpdateService { strategy: Some(items), .. }, Some(entry)) = (&change.operation, strategy_entry) {
                    for item in items {
                        providers_needed.entry(item.provider.clone()).or_insert_with(|| entry.origin.clone());
                    }
                }
            }
            service_changes.extend(changes);
        }
        let missing: Vec<&String> = providers_needed.keys().filter(|provider| !cluster.capacity_providers.contains(provider)).collect();
        if let Some(first) = missing.first() {
            let origin = providers_needed[*first].clone();
            let cluster_address = Kind::EcsCluster.address(&cluster.name);
            let mut after = cluster.capacity_providers.clone();
            after.extend(missing.iter().map(|provider| (*provider).clone()));
            after.sort();
            cx.changes.push(Change {
                address: cluster_address.clone(),
                kind: Kind::EcsCluster,
                action: Action::Update,
                label: None,
                attributes: vec![AttributeChange::new("capacity_providers", Some(list(&cluster.capacity_providers)), Some(list(&after)))],
                flags: Vec::new(),
                source: source(&origin),
                reason: None,
                notes: ownership_notes(&cluster.tags),
                depends_on: Vec::new(),
                cost: None,
                operation: Operation::SetClusterCapacityProviders {
                    cluster: cluster.name.clone(),
                    capacity_providers: after,
                    default_strategy: cluster.default_strategy.clone(),
                },
            });
            for change in &mut service_changes {
                change.depends_on.push(cluster_address.clone());
            }
        }
        cx.changes.extend(service_changes);
    }
    service_hits.warn_unmatched(cx, &desired.service, |entry| format!("[[ecs.service]] cluster `{}`, service `{}`", entry.cluster, entry.service));
    secret_hits.warn_unmatched(cx, &desired.task_secrets, |entry| format!("[[ecs.task_secrets]] cluster `{}`, service `{}`", entry.cluster, entry.service));
}

/// A strategy may only name capacity providers that exist: FARGATE and FARGATE_SPOT
/// always do, any other must be in the account. Adding a misspelt one to a cluster and
/// its services would fail half-way through an apply.
fn check_capacity_providers(cx: &mut Context<'_>) {
    let desired = cx.desired;
    for entry in desired.ecs.service.iter() {
        let Some(items) = desired.ecs.strategy(entry.strategy.get_ref()) else { continue };
        for item in items.iter().filter(|item| !is_fargate(&item.provider)) {
            if cx.inventory.ecs.capacity_providers.contains(&item.provider) {
                continue;
            }
            let known = [FARGATE, FARGATE_SPOT].into_iter().chain(cx.inventory.ecs.capacity_providers.iter().map(String::as_str));
            let hint = did_you_mean(&item.provider, known).map(|hint| format!(" ({hint})")).unwrap_or_default();
            cx.error(
                format!("strategy `{}` names the capacity provider `{}`, which does not exist in the account{hint}", entry.strategy.get_ref(), item.provider),
                Some(&entry.origin),
            );
        }
    }
}

/// The indices of the entries whose cluster glob matches this cluster.
fn in_cluster<'e>(globs: impl Iterator<Item = &'e holdfast_desired::NameGlob>, cluster: &Cluster) -> Vec<usize> {
    globs.enumerate().filter(|(_, glob)| glob.matches(&cluster.name)).map(|(index, _)| index).collect()
}

fn selects(
    cluster_glob: &holdfast_desired::NameGlob,
    service_glob: &holdfast_desired::NameGlob,
    tags: &holdfast_desired::TagSelector,
    cluster: &Cluster,
    service: &Service,
) -> bool {
    cluster_glob.matches(&cluster.name) && service_glob.matches(&service.name) && tags.matches(&service.tags)
}

fn service_address(cluster: &Cluster, service: &Service) -> String {
    Kind::EcsService.address(&format!("{}/{}", cluster.name, service.name))
}

fn desired_strategy(cx: &Context<'_>, entry: &ServiceEntry) -> Vec<StrategyItem> {
    let mut items: Vec<StrategyItem> = cx
        .desired
        .ecs
        .strategy(entry.strategy.get_ref())
        .unwrap_or_default()
        .iter()
        .map(|item| StrategyItem { provider: item.provider.clone(), weight: item.weight, base: item.base })
        .collect();
    items.sort();
    items
}

/// What the service runs on now: its own strategy, a launch type, or the cluster
/// default. A service cannot have both a strategy and a launch type in AWS; should a
/// reader report both (moto does after a strategy update), the strategy is what runs.
fn live_compute(cluster: &Cluster, service: &Service) -> (Option<String>, Vec<StrategyItem>) {
    let mut items = service.capacity_provider_strategy.clone();
    if items.is_empty() {
        if let Some(launch_type) = &service.launch_type {
            return (Some(launch_type.clone()), Vec::new());
        }
        items = cluster.default_strategy.clone();
    }
    items.sort();
    (None, items)
}

/// Whether the service already runs on the capacity the strategy asks for. Launch type
/// `FARGATE` and a strategy of `FARGATE` alone place tasks on the same on-demand
/// capacity: changing one into the other would only force a redeployment, which drops
/// every websocket and call of a realtime service.
fn same_capacity(launch_type: Option<&str>, have: &[StrategyItem], want: &[StrategyItem]) -> bool {
    match launch_type {
        Some(launch_type) => {
            // Items with no weight and no base place no task.
            let placing: Vec<&StrategyItem> = want.iter().filter(|item| item.weight > 0 || item.base > 0).collect();
            launch_type == FARGATE && !placing.is_empty() && placing.iter().all(|item| item.provider == FARGATE)
        }
        None => have == want,
    }
}

fn describe_strategy(items: &[StrategyItem]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|item| {
            if item.base > 0 {
                format!("{} base {} weight {}", item.provider, item.base, item.weight)
            } else {
                format!("{} weight {}", item.provider, item.weight)
            }
        })
        .collect();
    if parts.is_empty() { "(none)".to_owned() } else { parts.join(", ") }
}

fn list(items: &[String]) -> String {
    if items.is_empty() { "(none)".to_owned() } else { items.join(", ") }
}

fn plan_service(
    cx: &mut Context<'_>,
    cluster: &Cluster,
    service: &Service,
    strategy_entry: Option<&ServiceEntry>,
    secret_entries: &[&TaskSecretsEntry],
) -> Vec<Change> {
    let address = service_address(cluster, service);
    let mut attributes = Vec::new();
    let mut flags = Vec::new();
    let mut strategy = None;
    let mut origin: Option<&Origin> = None;
    let realtime = strategy_entry.is_some_and(|entry| entry.realtime);
    if let Some(entry) = strategy_entry {
        let want = desired_strategy(cx, entry);
        let (launch_type, have) = live_compute(cluster, service);
        if entry.realtime && uses_spot_items(&want) {
            // Validation refuses this; the guard stays so no path can move a realtime service to Spot.
            cx.warn(format!("{address} is realtime; holdfast will not move it to FARGATE_SPOT"), Some(&entry.origin));
        } else if !same_capacity(launch_type.as_deref(), &have, &want) {
            let before = match &launch_type {
                Some(launch_type) => format!("launch type {launch_type}"),
                None => describe_strategy(&have),
            };
            attributes.push(AttributeChange::new("capacity_provider_strategy", Some(before), Some(describe_strategy(&want))));
            flags.push(Flag::Redeploy);
            strategy = Some(want);
            origin = Some(&entry.origin);
        }
    }
    let mut changes = Vec::new();
    let mut depends_on = Vec::new();
    let mut secrets = None;
    let secret_origin = secret_entries.first().map(|entry| entry.origin());
    if let Some(planned) = plan_secrets(cx, &address, service, secret_entries) {
        if planned.problems.is_empty() {
            flags.extend([Flag::Redeploy, Flag::TouchesSecret]);
            depends_on.extend(planned.moves.moves.iter().map(|secret| crate::ssm::address(&secret.parameter)));
            attributes.extend(planned.attributes);
            origin = origin.or(secret_origin);
            secrets = Some(planned.moves);
        } else if let Some(secret_origin) = secret_origin {
            // The move would break the service or change a secret it runs with: a person
            // settles it; the rest of the service's change goes ahead on its own.
            changes.push(Change {
                address: format!("{address}/secrets"),
                kind: Kind::EcsService,
                action: Action::Manual,
                label: None,
                attributes: planned.attributes,
                flags: vec![Flag::TouchesSecret],
                source: source(secret_origin),
                reason: Some(format!("{}; nothing is moved until this is settled", planned.problems.join("; "))),
                notes: ownership_notes(&service.tags),
                depends_on: Vec::new(),
                cost: None,
                operation: Operation::Manual,
            });
        }
    }
    if let Some(origin) = origin {
        changes.insert(
            0,
            Change {
                address,
                kind: Kind::EcsService,
                action: Action::Update,
                label: None,
                attributes,
                flags,
                source: source(origin),
                reason: None,
                notes: ownership_notes(&service.tags),
                depends_on,
                cost: None,
                operation: Operation::UpdateService {
                    cluster: cluster.name.clone(),
                    service: service.name.clone(),
                    strategy,
                    secrets,
                    force_new_deployment: true,
                    realtime,
                },
            },
        );
    }
    changes
}

fn uses_spot_items(items: &[StrategyItem]) -> bool {
    items.iter().any(|item| item.provider == FARGATE_SPOT && (item.weight > 0 || item.base > 0))
}

/// The variable-to-parameter map the entries give a service; a variable two entries
/// map to different parameters is left alone, with a warning.
fn wanted_secrets(cx: &mut Context<'_>, address: &str, entries: &[&TaskSecretsEntry]) -> BTreeMap<String, String> {
    let mut wanted: BTreeMap<String, (String, &Origin)> = BTreeMap::new();
    let mut conflicted = BTreeSet::new();
    for entry in entries {
        for (variable, parameter) in &entry.secrets {
            match wanted.get(variable) {
                Some((other, first)) if other != parameter.get_ref() => {
                    cx.warn(
                        format!("{address}: {variable} is mapped to {other} at {} and to {} here; left unchanged", source(first), parameter.get_ref()),
                        Some(&entry.origin),
                    );
                    conflicted.insert(variable.clone());
                }
                Some(_) => {}
                None => {
                    wanted.insert(variable.clone(), (parameter.get_ref().clone(), &entry.origin));
                }
            }
        }
    }
    wanted.into_iter().filter(|(variable, _)| !conflicted.contains(variable)).map(|(variable, (parameter, _))| (variable, parameter)).collect()
}

/// The secret moves of one service, what they change, and why they may not go ahead.
struct PlannedSecrets {
    moves: SecretMoves,
    attributes: Vec<AttributeChange>,
    problems: Vec<String>,
}

fn plan_secrets(cx: &mut Context<'_>, address: &str, service: &Service, entries: &[&TaskSecretsEntry]) -> Option<PlannedSecrets> {
    if entries.is_empty() {
        return None;
    }
    let wanted = wanted_secrets(cx, address, entries);
    let Some(definition) = cx.task_definition(&service.task_definition) else {
        cx.warn(
            format!("{address}: task definition {} is not in the inventory, so its secrets were not checked", service.task_definition),
            entries.first().map(|entry| entry.origin()),
        );
        return None;
    };
    let mut attributes = Vec::new();
    // Each move with the plaintext value it replaces, when it replaces one.
    let mut moves: Vec<(SecretMove, Option<&SecretHash>)> = Vec::new();
    let mut source_problems = Vec::new();
    for (variable, parameter) in &wanted {
        let after = Some(format!("secret from {parameter}"));
        let mut found = false;
        for container in &definition.containers {
            let secret_move = || SecretMove { container: container.name.clone(), variable: variable.clone(), parameter: parameter.clone() };
            if let Some(env) = container.environment.iter().rfind(|env| &env.name == variable) {
                found = true;
                let before = Some("plaintext environment (sensitive)".to_owned());
                attributes.push(AttributeChange::new(format!("container[{}].{variable}", container.name), before, after.clone()).sensitive());
                moves.push((secret_move(), Some(&env.value_hash)));
                if let Some(secret) = container.secrets.iter().find(|secret| &secret.name == variable) {
                    source_problems.push(format!(
                        "container {} has {variable} both in plaintext and as a secret from {}: which of the two it runs with is not for holdfast to guess",
                        container.name, secret.value_from
                    ));
                }
            } else if let Some(secret) = container.secrets.iter().find(|secret| &secret.name == variable) {
                found = true;
                if parameter_key(&secret.value_from) != parameter_key(parameter) {
                    let before = Some(format!("secret from {}", secret.value_from));
                    attributes.push(AttributeChange::new(format!("container[{}].{variable}", container.name), before, after.clone()));
                    moves.push((secret_move(), None));
                    if secret.value_from.starts_with("arn:") && !secret.value_from.starts_with("arn:aws:ssm:") {
                        source_problems.push(format!(
                            "{variable} of container {} reads {} now, whose value holdfast cannot compare with {parameter}: moving it could change the secret the service runs with",
                            container.name, secret.value_from
                        ));
                    }
                }
            }
        }
        if !found {
            match definition.containers.as_slice() {
                [only] => {
                    attributes.push(AttributeChange::new(format!("container[{}].{variable}", only.name), None, after));
                    moves.push((SecretMove { container: only.name.clone(), variable: variable.clone(), parameter: parameter.clone() }, None));
                }
                _ => cx.warn(
                    format!(
                        "{address}: {variable} is in no container of {}, and with several containers holdfast cannot tell which one needs it",
                        definition.short_name()
                    ),
                    entries.first().map(|entry| entry.origin()),
                ),
            }
        }
    }
    if moves.is_empty() {
        return None;
    }
    let mut problems = source_problems;
    for (secret, plaintext) in &moves {
        match crate::ssm::value_after(cx, &secret.parameter) {
            After::Missing => problems.push(format!(
                "{} does not exist and no [[ssm.parameter]] declares it, so a task definition naming it would start no task: declare it (value = {{ migrate_from_task_env = \"{}\" }} moves the plaintext value there)",
                secret.parameter, secret.variable
            )),
            After::Hash(hash) if plaintext.is_some_and(|plaintext| *plaintext != hash) => problems.push(format!(
                "{} holds a different value from plaintext {} in container {} of {}: moving the service would change the value it runs with",
                secret.parameter,
                secret.variable,
                secret.container,
                definition.short_name()
            )),
            _ => {}
        }
        if let Some(kind) = crate::ssm::type_after(cx, &secret.parameter).filter(|kind| *kind != "SecureString") {
            problems.push(format!("{} is a {kind} parameter: a secret moved there would be stored unencrypted; make it a SecureString", secret.parameter));
        }
    }
    problems.dedup();
    attributes.push(AttributeChange::new("task_definition", Some(definition.short_name()), Some(format!("{}:(next revision)", definition.family))));
    let moves = SecretMoves { from_task_definition: definition.arn.clone(), moves: moves.into_iter().map(|(secret, _)| secret).collect() };
    Some(PlannedSecrets { moves, attributes, problems })
}

/// A container that holds `variable` in plaintext, in a service that a
/// `[[ecs.task_secrets]]` entry moves to `parameter`.
pub(crate) struct PlaintextHolder {
    pub task_definition: String,
    pub container: String,
    pub value_hash: SecretHash,
}

/// Which revisions hold a plaintext value to migrate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Revisions {
    /// The revisions the services run now.
    Current,
    /// The revisions holdfast moved them from, for services already moved to a parameter
    /// that is missing: the value survives only there.
    BeforeTheMove,
}

/// The newest revision before holdfast's moves that holds `variable` in plaintext,
/// following the `holdfast:secrets-moved-from` tags back (a service may have been moved
/// one variable at a time).
fn revision_before_the_move<'a>(cx: &Context<'a>, current: &'a TaskDefinition, variable: &str) -> Option<&'a TaskDefinition> {
    let mut definition = current;
    for _ in 0..MOVES_FOLLOWED {
        definition = cx.task_definition(definition.secrets_moved_from.as_deref()?)?;
        if definition.containers.iter().any(|container| container.environment.iter().any(|env| env.name == variable)) {
            return Some(definition);
        }
    }
    None
}

/// How many moves back a value is looked for; the reader reads as many revisions back.
const MOVES_FOLLOWED: usize = 10;

pub(crate) fn plaintext_holders(cx: &Context<'_>, variable: &str, parameter: &str, revisions: Revisions) -> Vec<PlaintextHolder> {
    let entries: Vec<&TaskSecretsEntry> =
        cx.desired.ecs.task_secrets.iter().filter(|entry| entry.secrets.get(variable).is_some_and(|mapped| mapped.get_ref() == parameter)).collect();
    let mut holders = Vec::new();
    for cluster in &cx.inventory.ecs.clusters {
        let in_this_cluster: Vec<&&TaskSecretsEntry> = entries.iter().filter(|entry| entry.cluster.matches(&cluster.name)).collect();
        if in_this_cluster.is_empty() {
            continue;
        }
        for service in &cluster.services {
            if !in_this_cluster.iter().any(|entry| selects(&entry.cluster, &entry.service, &entry.tags, cluster, service)) {
                continue;
            }
            let Some(current): Option<&TaskDefinition> = cx.task_definition(&service.task_definition) else { continue };
            let definition = match revisions {
                Revisions::Current => current,
                Revisions::BeforeTheMove => match revision_before_the_move(cx, current, variable) {
                    Some(previous) => previous,
                    None => continue,
                },
            };
            for container in &definition.containers {
                if let Some(env) = container.environment.iter().rfind(|env| env.name == variable) {
                    holders.push(PlaintextHolder {
                        task_definition: definition.arn.clone(),
                        container: container.name.clone(),
                        value_hash: env.value_hash.clone(),
                    });
                }
            }
        }
    }
    holders.sort_by(|a, b| (&a.task_definition, &a.container).cmp(&(&b.task_definition, &b.container)));
    holders.dedup_by(|a, b| a.task_definition == b.task_definition && a.container == b.container);
    holders
}
