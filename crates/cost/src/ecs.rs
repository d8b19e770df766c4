//! ECS services on Fargate: tasks × size × hours, less the Spot discount on the share of
//! tasks a strategy puts on FARGATE_SPOT.

use holdfast_inventory::ecs::{Cluster, Service, StrategyItem};
use holdfast_planner::Change;
use holdfast_planner::operation::Operation;

use crate::money::{number, price};
use crate::{Estimated, Figure, Pricing, estimate_of, free};

pub(crate) fn change(change: &Change, pricing: &Pricing<'_>) -> Option<Estimated> {
    Some(match &change.operation {
        Operation::UpdateService { cluster, service, strategy: Some(strategy), .. } => strategy_change(pricing, cluster, service, strategy),
        Operation::UpdateService { .. } => Ok(free("no charge: a secret moved to a standard SSM parameter costs nothing")),
        Operation::SetClusterCapacityProviders { .. } => Ok(free("no charge: capacity providers cost nothing of their own")),
        _ => return None,
    })
}

fn strategy_change(pricing: &Pricing<'_>, cluster_name: &str, service_name: &str, strategy: &[StrategyItem]) -> Estimated {
    let (cluster, service) = pricing.service(cluster_name, service_name)?;
    let before = placement(cluster, service)?;
    let task = TaskPrice::of(pricing, service)?;
    let (tasks, mut basis) = running(service);
    let after = Placement::of(strategy)?;
    let discount = pricing.assumed("fargate_spot_discount")? / 100.0;
    let hours = pricing.hours();
    let spot_before = before.spot_tasks(tasks);
    let spot_after = after.spot_tasks(tasks);
    let cost = |spot: f64| task.hourly * hours * ((tasks - spot) + spot * (1.0 - discount));
    let moved = spot_after - spot_before;
    let arithmetic = format!(
        "{} -> {}: {} × ({}) × {} h × {}%",
        before.describe(),
        after.describe(),
        count(moved.abs(), "task"),
        task.describe(),
        number(hours),
        number((discount * 100.0).round()),
    );
    basis.push(format!("{} a task ({})", task.size(), task.read));
    basis.push(pricing.assumption("fargate_spot_discount"));
    Ok(estimate_of(cost(spot_before), cost(spot_after), arithmetic, basis))
}

/// What a service costs a month as it runs now: for `holdfast cost`.
pub(crate) fn run_rate(pricing: &Pricing<'_>, cluster: &Cluster, service: &Service) -> Result<Figure, String> {
    let placement = placement(cluster, service)?;
    let task = TaskPrice::of(pricing, service)?;
    let (tasks, mut basis) = running(service);
    basis.push(format!("{} a task ({})", task.size(), task.read));
    let discount = pricing.assumed("fargate_spot_discount")? / 100.0;
    let spot = placement.spot_tasks(tasks);
    let hours = pricing.hours();
    let usd = task.hourly * hours * ((tasks - spot) + spot * (1.0 - discount));
    let spot_note = if spot > 0.0 { format!(", {} on FARGATE_SPOT at {}% off", number(spot), number((discount * 100.0).round())) } else { String::new() };
    if spot > 0.0 {
        basis.push(pricing.assumption("fargate_spot_discount"));
    }
    Ok(Figure { usd, arithmetic: format!("{} × ({}) × {} h{spot_note}", count(tasks, "task"), task.describe(), number(hours)), basis })
}

/// The tasks running when read, or the desired count when the running count was not read.
fn running(service: &Service) -> (f64, Vec<String>) {
    match service.running_count {
        Some(running) => (f64::from(running), vec![format!("{} running (read)", count(f64::from(running), "task"))]),
        None => (f64::from(service.desired_count), vec![format!("assumed: the desired count, {}, is running", service.desired_count)]),
    }
}

fn count(tasks: f64, what: &str) -> String {
    format!("{} {what}{}", number(tasks), if tasks == 1.0 { "" } else { "s" })
}

/// One task's Fargate price an hour, from its task definition's size.
struct TaskPrice {
    vcpu: f64,
    gb: f64,
    vcpu_usd: f64,
    gb_usd: f64,
    hourly: f64,
    read: &'static str,
}

impl TaskPrice {
    fn of(pricing: &Pricing<'_>, service: &Service) -> Result<TaskPrice, String> {
        let definition = pricing.task_definition(&service.task_definition);
        let (Some(cpu), Some(memory)) = (definition.and_then(|definition| definition.cpu_units), definition.and_then(|definition| definition.memory_mib))
        else {
            return Err("the task definition's CPU and memory were not read".to_owned());
        };
        let platform = definition.and_then(|definition| definition.cpu_architecture.as_deref()).unwrap_or("X86_64");
        let system = definition.and_then(|definition| definition.os_family.as_deref()).unwrap_or("LINUX");
        if platform != "X86_64" || system != "LINUX" {
            return Err(format!("{system} on {platform} is not priced: the table holds Fargate's Linux x86 prices"));
        }
        let (vcpu, gb) = (f64::from(cpu) / 1024.0, f64::from(memory) / 1024.0);
        let (vcpu_usd, gb_usd) = (pricing.usd("fargate_vcpu_hour")?, pricing.usd("fargate_gb_hour")?);
        Ok(TaskPrice { vcpu, gb, vcpu_usd, gb_usd, hourly: vcpu * vcpu_usd + gb * gb_usd, read: "task definition, read" })
    }

    fn describe(&self) -> String {
        format!("{} vCPU × {} + {} GB × {}", number(self.vcpu), price(self.vcpu_usd), number(self.gb), price(self.gb_usd))
    }

    fn size(&self) -> String {
        format!("{} vCPU and {} GB", number(self.vcpu), number(self.gb))
    }
}

/// Where a service's tasks run: Fargate on-demand, Spot, or both by a strategy.
struct Placement {
    items: Vec<StrategyItem>,
}

/// A strategy wins over a launch type, as ECS places tasks (and as the planner reads the
/// service); without either, the cluster's default strategy.
fn placement(cluster: &Cluster, service: &Service) -> Result<Placement, String> {
    if !service.capacity_provider_strategy.is_empty() {
        return Placement::of(&service.capacity_provider_strategy);
    }
    match service.launch_type.as_deref() {
        Some("FARGATE") => Ok(Placement { items: vec![StrategyItem { provider: "FARGATE".into(), weight: 1, base: 0 }] }),
        Some(other) => Err(format!("it runs on the {other} launch type, which is not priced (Fargate only)")),
        None => Placement::of(&cluster.default_strategy),
    }
}

impl Placement {
    fn of(items: &[StrategyItem]) -> Result<Placement, String> {
        if items.is_empty() {
            return Err("the service has no strategy and its cluster no default".to_owned());
        }
        if let Some(other) = items.iter().find(|item| item.provider != "FARGATE" && item.provider != "FARGATE_SPOT") {
            return Err(format!("capacity provider {} runs on EC2 instances, which are not priced", other.provider));
        }
        Ok(Placement { items: items.to_vec() })
    }

    /// Tasks on FARGATE_SPOT: each provider's `base` first, the rest by weight, as ECS
    /// places them.
    fn spot_tasks(&self, tasks: f64) -> f64 {
        let base: f64 = self.items.iter().map(|item| f64::from(item.base)).sum::<f64>().min(tasks);
        let spot_base = self.items.iter().filter(|item| item.provider == "FARGATE_SPOT").map(|item| f64::from(item.base)).sum::<f64>().min(base);
        let weights: f64 = self.items.iter().map(|item| f64::from(item.weight)).sum();
        let spot_weight: f64 = self.items.iter().filter(|item| item.provider == "FARGATE_SPOT").map(|item| f64::from(item.weight)).sum();
        let rest = tasks - base;
        spot_base + if weights > 0.0 { rest * spot_weight / weights } else { 0.0 }
    }

    fn describe(&self) -> String {
        match self.items.as_slice() {
            [only] => only.provider.clone(),
            items => items
                .iter()
                .map(|item| format!("{} {}{}", item.provider, item.weight, if item.base > 0 { format!(" (base {})", item.base) } else { String::new() }))
                .collect::<Vec<_>>()
                .join(" + "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(provider: &str, weight: u32, base: u32) -> StrategyItem {
        StrategyItem { provider: provider.into(), weight, base }
    }

    #[test]
    fn places_the_base_first_then_by_weight() {
        let mixed = Placement::of(&[item("FARGATE", 1, 1), item("FARGATE_SPOT", 3, 0)]).unwrap();
        assert_eq!(mixed.spot_tasks(5.0), 3.0);
        assert_eq!(mixed.spot_tasks(1.0), 0.0);
        let spot = Placement::of(&[item("FARGATE_SPOT", 1, 0)]).unwrap();
        assert_eq!(spot.spot_tasks(2.0), 2.0);
        assert!(Placement::of(&[item("my-asg", 1, 0)]).is_err());
    }
}
