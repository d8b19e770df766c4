//! State shared by the per-kind planners while one plan is made.

use std::collections::{BTreeMap, BTreeSet};

use holdfast_desired::ssm::ParameterEntry;
use holdfast_desired::{Desired, Origin};
use holdfast_inventory::ecs::TaskDefinition;
use holdfast_inventory::ssm::Parameter;
use holdfast_inventory::{Inventory, SecretHash, Tags};

use crate::operation::Operation;
use crate::plan::{Action, AttributeChange, Change, FORMAT_VERSION, Kind, Plan, Summary, Warning};

pub(crate) struct Context<'a> {
    pub desired: &'a Desired,
    pub inventory: &'a Inventory,
    /// Task definitions by ARN: thousands of services look theirs up.
    task_definitions: BTreeMap<&'a str, &'a TaskDefinition>,
    /// Live and declared parameters by name without its leading slash: every service
    /// moved to a parameter looks it up.
    live_parameters: BTreeMap<&'a str, &'a Parameter>,
    declared_parameters: BTreeMap<&'a str, &'a ParameterEntry>,
    pub env_hashes: &'a BTreeMap<String, SecretHash>,
    pub changes: Vec<Change>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<Warning>,
}

impl<'a> Context<'a> {
    pub fn new(desired: &'a Desired, inventory: &'a Inventory, env_hashes: &'a BTreeMap<String, SecretHash>) -> Self {
        let task_definitions = inventory.ecs.task_definitions.iter().map(|definition| (definition.arn.as_str(), definition)).collect();
        // The first of each name wins, as the linear searches these replace found it.
        let mut live_parameters = BTreeMap::new();
        for parameter in &inventory.ssm.parameters {
            live_parameters.entry(crate::normalize::parameter_key(&parameter.name)).or_insert(parameter);
        }
        let mut declared_parameters = BTreeMap::new();
        for entry in desired.ssm.parameter.iter() {
            declared_parameters.entry(crate::normalize::parameter_key(entry.name())).or_insert(entry);
        }
        Self {
            desired,
            inventory,
            task_definitions,
            live_parameters,
            declared_parameters,
            env_hashes,
            changes: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
        }
    }

    pub fn task_definition(&self, arn: &str) -> Option<&'a TaskDefinition> {
        self.task_definitions.get(arn).copied()
    }

    /// The live parameter a name or ARN means.
    pub fn live_parameter(&self, reference: &str) -> Option<&'a Parameter> {
        self.live_parameters.get(crate::normalize::parameter_key(reference)).copied()
    }

    /// The `[[ssm.parameter]]` entry a name or ARN means.
    pub fn declared_parameter(&self, reference: &str) -> Option<&'a ParameterEntry> {
        self.declared_parameters.get(crate::normalize::parameter_key(reference)).copied()
    }

    pub fn warn(&mut self, message: impl Into<String>, origin: Option<&Origin>) {
        self.warnings.push(Warning { message: message.into(), source: origin.map(source) });
    }

    /// Something that stops the whole plan from being applied.
    pub fn error(&mut self, message: impl Into<String>, origin: Option<&Origin>) {
        self.errors.push(Warning { message: message.into(), source: origin.map(source) });
    }

    /// Orders changes so each comes after what it depends on, keeps only dependencies
    /// that are in the plan, and counts them.
    pub fn finish(mut self) -> Plan {
        self.changes.sort_by(|a, b| order(a).cmp(&order(b)));
        let addresses: BTreeSet<String> = self.changes.iter().map(|change| change.address.clone()).collect();
        for change in &mut self.changes {
            change.depends_on.retain(|address| addresses.contains(address));
            change.depends_on.sort();
            change.depends_on.dedup();
            change.flags.sort();
            change.flags.dedup();
        }
        self.warnings.sort();
        self.warnings.dedup();
        self.errors.sort();
        self.errors.dedup();
        let summary = Summary::of(&self.changes);
        Plan {
            format_version: FORMAT_VERSION,
            account_id: self.inventory.account_id.clone(),
            region: self.inventory.region.clone(),
            snapshot_taken_at: self.inventory.taken_at.clone(),
            changes: self.changes,
            warnings: self.warnings,
            errors: self.errors,
            summary,
            left_out: 0,
            cost: None,
        }
    }
}

/// By kind, then address; the steps of an Aurora migration in their own order, after
/// the cluster's other change.
fn order(change: &Change) -> (usize, &str, usize) {
    const STEPS: [&str; 5] = ["snapshot", "copy", "restore", "instances", "cutover"];
    match change.migration_step() {
        Some((cluster, step)) => (kind_rank(change.kind), cluster, 1 + STEPS.iter().position(|known| *known == step).unwrap_or(STEPS.len())),
        None => (kind_rank(change.kind), &change.address, 0),
    }
}

fn kind_rank(kind: Kind) -> usize {
    Kind::ALL.iter().position(|candidate| *candidate == kind).unwrap_or(usize::MAX)
}

/// A change to a service there is one of per region (GuardDuty's detector, Security Hub),
/// addressed by the region.
pub(crate) fn regional_change(cx: &Context<'_>, kind: Kind, origin: &Origin, action: Action, attributes: Vec<AttributeChange>, operation: Operation) -> Change {
    Change {
        address: kind.address(&cx.inventory.region),
        kind,
        action,
        label: None,
        attributes,
        flags: Vec::new(),
        source: source(origin),
        reason: None,
        notes: Vec::new(),
        depends_on: Vec::new(),
        cost: None,
        operation,
    }
}

/// `file:line` of a desired-state entry.
pub(crate) fn source(origin: &Origin) -> String {
    format!("{}:{}", origin.location.file, origin.location.line)
}

/// A note for resources another tool deploys, which may put our change back.
pub(crate) fn ownership_notes(tags: &Tags) -> Vec<String> {
    let stack = tags.get("aws:cloudformation:stack-name");
    let copilot: Vec<String> = [("copilot-application", "app"), ("copilot-environment", "env"), ("copilot-service", "svc")]
        .iter()
        .filter_map(|(tag, label)| tags.get(*tag).map(|value| format!("{label} {value}")))
        .collect();
    let note = match (copilot.is_empty(), stack) {
        (false, _) => format!("deployed by AWS Copilot ({}): the next `copilot deploy` reverts this unless the manifest says the same", copilot.join(", ")),
        (true, Some(stack)) => format!("owned by CloudFormation stack `{stack}`: the next update of that stack may revert this"),
        (true, None) => return Vec::new(),
    };
    vec![note]
}
