//! `[ecs]`: named capacity provider strategies, which services use them, and which
//! container variables must come from SSM rather than plaintext `environment`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::check::Checker;
use crate::diagnostic::did_you_mean;
use crate::origin::{Entries, Origin, impl_has_origin};
use crate::selector::{NameGlob, TagSelector, describe};

pub const FARGATE: &str = "FARGATE";
pub const FARGATE_SPOT: &str = "FARGATE_SPOT";

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ecs {
    /// Named capacity provider strategies, referred to by `[[ecs.service]] strategy`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Vec<StrategyItem>>")]
    pub strategies: BTreeMap<String, Spanned<Vec<StrategyItem>>>,
    #[serde(default)]
    pub service: Entries<ServiceEntry>,
    #[serde(default)]
    pub task_secrets: Entries<TaskSecretsEntry>,
    /// Which file each strategy was written in (filled when files are merged).
    #[serde(skip)]
    pub strategy_files: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StrategyItem {
    pub provider: String,
    /// AWS's default weight is 0.
    #[serde(default)]
    #[schemars(range(max = 1000))]
    pub weight: u32,
    #[serde(default)]
    #[schemars(range(max = 100000))]
    pub base: u32,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceEntry {
    #[serde(default = "NameGlob::any")]
    pub cluster: NameGlob,
    pub service: NameGlob,
    #[serde(default)]
    pub tags: TagSelector,
    #[schemars(with = "String")]
    pub strategy: Spanned<String>,
    /// A realtime service may never be given a strategy that uses FARGATE_SPOT.
    #[serde(default)]
    pub realtime: bool,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskSecretsEntry {
    #[serde(default = "NameGlob::any")]
    pub cluster: NameGlob,
    pub service: NameGlob,
    #[serde(default)]
    pub tags: TagSelector,
    /// Container variable name to SSM parameter name.
    #[schemars(with = "BTreeMap<String, String>")]
    pub secrets: BTreeMap<String, Spanned<String>>,
    #[serde(skip)]
    pub origin: Origin,
}

impl_has_origin!(ServiceEntry, TaskSecretsEntry);

impl Ecs {
    pub fn strategy(&self, name: &str) -> Option<&[StrategyItem]> {
        self.strategies.get(name).map(|items| items.get_ref().as_slice())
    }
}

/// `FARGATE` or `FARGATE_SPOT`: the providers every cluster can use without creating them.
pub fn is_fargate(provider: &str) -> bool {
    provider == FARGATE || provider == FARGATE_SPOT
}

/// True when the strategy can place tasks on Spot capacity.
pub fn uses_spot(items: &[StrategyItem]) -> bool {
    items.iter().any(|item| item.provider == FARGATE_SPOT && (item.weight > 0 || item.base > 0))
}

pub(crate) fn check(checker: &mut Checker<'_>) {
    let ecs = &checker.desired.ecs;
    for (name, items) in &ecs.strategies {
        let origin = Origin { file: ecs.strategy_files.get(name).copied().unwrap_or_default(), ..Origin::default() };
        let span = items.span();
        let items = items.get_ref();
        if items.is_empty() {
            checker.error(
                &origin,
                span.clone(),
                format!("strategy `{name}` has no capacity providers"),
                Some("give it at least one: [{ provider = \"FARGATE\", weight = 1 }]".to_owned()),
            );
        } else if items.iter().all(|item| item.weight == 0) {
            checker.error(
                &origin,
                span.clone(),
                format!("strategy `{name}` gives every provider weight 0"),
                Some("ECS needs at least one provider with a weight above 0".to_owned()),
            );
        }
        if items.iter().filter(|item| item.base > 0).count() > 1 {
            checker.error(
                &origin,
                span.clone(),
                format!("strategy `{name}` sets `base` on more than one provider"),
                Some("ECS accepts a base on one provider of a strategy only".to_owned()),
            );
        }
        for item in items {
            if item.weight > 1000 {
                checker.error(
                    &origin,
                    span.clone(),
                    format!("strategy `{name}`: weight {} is above 1000", item.weight),
                    Some("ECS accepts weights from 0 to 1000".to_owned()),
                );
            }
            if item.base > 100_000 {
                checker.error(
                    &origin,
                    span.clone(),
                    format!("strategy `{name}`: base {} is above 100000", item.base),
                    Some("ECS accepts a base from 0 to 100000".to_owned()),
                );
            }
        }
        for item in items {
            // ECS reserves names that start with `aws`, `ecs` or `fargate` for its own providers.
            let lower = item.provider.to_ascii_lowercase();
            if !is_fargate(&item.provider) && ["aws", "ecs", "fargate"].iter().any(|prefix| lower.starts_with(prefix)) {
                let hint = did_you_mean(&item.provider, [FARGATE, FARGATE_SPOT]).unwrap_or_else(|| {
                    "names starting with `aws`, `ecs` or `fargate` are reserved: use FARGATE, FARGATE_SPOT, or the name of a capacity provider you created"
                        .to_owned()
                });
                checker.error(&origin, span.clone(), format!("strategy `{name}`: `{}` is not a capacity provider ECS has", item.provider), Some(hint));
            }
        }
        let mut providers: Vec<&str> = items.iter().map(|item| item.provider.as_str()).collect();
        providers.sort_unstable();
        if providers.windows(2).any(|pair| pair[0] == pair[1]) {
            checker.error(&origin, span, format!("strategy `{name}` names a capacity provider twice"), Some("list each provider once".to_owned()));
        }
    }

    for entry in ecs.service.iter() {
        let name = entry.strategy.get_ref();
        match ecs.strategy(name) {
            None => {
                let known: Vec<&str> = ecs.strategies.keys().map(String::as_str).collect();
                let hint = did_you_mean(name, known.iter().copied()).or_else(|| {
                    Some(format!("define it under [ecs.strategies]; known strategies: {}", if known.is_empty() { "none".to_owned() } else { known.join(", ") }))
                });
                checker.error(&entry.origin, entry.strategy.span(), format!("unknown strategy `{name}`"), hint);
            }
            Some(items) if entry.realtime && uses_spot(items) => {
                checker.error(
                    &entry.origin,
                    entry.strategy.span(),
                    format!("service `{}` is realtime, but strategy `{name}` uses FARGATE_SPOT", entry.service),
                    Some("Spot tasks can be stopped with two minutes' notice; give realtime services an on-demand strategy".to_owned()),
                );
            }
            Some(_) => {}
        }
    }
    checker.duplicates(
        "ECS service selector",
        ecs.service.iter().map(|entry| (format!("{} / {}", entry.cluster, describe(&entry.service, &entry.tags)), &entry.origin)),
    );

    for entry in ecs.task_secrets.iter() {
        for (variable, parameter) in &entry.secrets {
            if !is_variable_name(variable) {
                checker.entry_error(
                    &entry.origin,
                    format!("`{variable}` is not a valid container variable name"),
                    Some("use letters, digits and `_`, not starting with a digit".to_owned()),
                );
            }
            if !crate::ssm::is_parameter_name(parameter.get_ref()) {
                checker.error(
                    &entry.origin,
                    parameter.span(),
                    format!("`{}` is not an SSM parameter name", parameter.get_ref()),
                    Some("parameter names look like `/team/env/name`".to_owned()),
                );
            }
        }
    }
    let mut per_variable = Vec::new();
    for entry in ecs.task_secrets.iter() {
        for variable in entry.secrets.keys() {
            per_variable.push((format!("{} / {} {variable}", entry.cluster, entry.service), &entry.origin));
        }
    }
    checker.duplicates("secret variable", per_variable);
}

/// A name `[[ecs.task_secrets]]` can move: letters, digits and `_`, not starting with a digit.
pub fn is_variable_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
}
