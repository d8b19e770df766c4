//! SSM parameters: create what is missing, and update type, key, value and tags.
//! Values are compared by salted hash and never shown.

use holdfast_desired::ssm::{ParameterEntry, ParameterType, ValueSource};
use holdfast_inventory::SecretHash;
use holdfast_inventory::ssm::{Parameter, ParameterValue};

use crate::context::{Context, source};
use crate::ecs::{PlaintextHolder, Revisions, plaintext_holders};
use crate::normalize::same_kms_key;
use crate::operation::{Operation, ValueToWrite};
use crate::plan::{Action, AttributeChange, Change, Flag, Kind};

/// The key SSM uses for a SecureString when none is named.
const DEFAULT_KEY: &str = "alias/aws/ssm";

pub(crate) fn plan(cx: &mut Context<'_>) {
    for entry in cx.desired.ssm.parameter.iter() {
        let live = cx.inventory.ssm.parameters.iter().find(|parameter| parameter.name == entry.name());
        let mut change = match live {
            None => plan_missing(cx, entry),
            Some(live) => plan_existing(cx, entry, live),
        };
        // A value written under a key the plan creates or restores waits for that key.
        if let Some(change) = &mut change
            && let Operation::PutParameter { kms_key: Some(key), .. } = &change.operation
        {
            change.depends_on.extend(crate::kms::key_dependency(cx, key));
        }
        cx.changes.extend(change);
    }
}

pub(crate) fn address(name: &str) -> String {
    Kind::SsmParameter.address(name)
}

fn desired_key(entry: &ParameterEntry) -> Option<String> {
    (entry.parameter_type == ParameterType::SecureString).then(|| entry.kms_key.clone().unwrap_or_else(|| DEFAULT_KEY.to_owned()))
}

fn new_change(entry: &ParameterEntry, action: Action, attributes: Vec<AttributeChange>, operation: Operation) -> Change {
    let secret = entry.parameter_type == ParameterType::SecureString;
    Change {
        address: address(entry.name()),
        kind: Kind::SsmParameter,
        action,
        label: None,
        attributes,
        flags: if secret { vec![Flag::TouchesSecret] } else { Vec::new() },
        source: source(&entry.origin),
        reason: None,
        notes: Vec::new(),
        depends_on: Vec::new(),
        cost: None,
        operation,
    }
}

fn manual(entry: &ParameterEntry, reason: String) -> Change {
    manual_with(entry, Vec::new(), reason)
}

/// A manual change that still shows what differs (a secret stored as a `String` is
/// critical drift even when a person must settle its value).
fn manual_with(entry: &ParameterEntry, attributes: Vec<AttributeChange>, reason: String) -> Change {
    let mut change = new_change(entry, Action::Manual, attributes, Operation::Manual);
    change.reason = Some(reason);
    change
}

fn put(entry: &ParameterEntry, value: ValueToWrite, overwrite: bool) -> Operation {
    Operation::PutParameter {
        name: entry.name().to_owned(),
        parameter_type: entry.parameter_type.as_str().to_owned(),
        kms_key: desired_key(entry),
        value,
        overwrite,
        description: entry.description.clone(),
        tags: entry.tags.iter().map(|(key, value)| (key.clone(), value.clone())).collect(),
    }
}

/// How a value to be written is shown: never the value, always where it comes from.
fn value_label(value: &ValueToWrite) -> String {
    match value {
        ValueToWrite::Env { variable } => format!("(sensitive, from ${variable})"),
        ValueToWrite::TaskDefinition { task_definition, container, variable } => {
            let short = task_definition.rsplit('/').next().unwrap_or(task_definition);
            format!("(sensitive, from the task definition: {variable} of container {container} in {short})")
        }
        ValueToWrite::Literal { value } => value.clone(),
    }
}

/// Where a parameter's value will come from at apply time, or why there is none.
fn value_to_write(cx: &mut Context<'_>, entry: &ParameterEntry, live: Option<&Parameter>) -> Result<ValueToWrite, String> {
    match entry.value() {
        Some(ValueSource::Literal(value)) => Ok(ValueToWrite::Literal { value: value.clone() }),
        Some(ValueSource::Env(variable)) => {
            if !cx.env_hashes.contains_key(variable) {
                cx.warn(
                    format!("${variable} is not set here, so the value of {} was not compared; apply reads it and fails if it is unset then", entry.name()),
                    Some(&entry.origin),
                );
            }
            Ok(ValueToWrite::Env { variable: variable.clone() })
        }
        Some(ValueSource::MigrateFromTaskEnv(variable)) => {
            let mut holders = plaintext_holders(cx, variable, entry.name(), Revisions::Current);
            if holders.is_empty() && live.is_none() {
                // Services moved to a parameter that is missing: their value is still in
                // the revision they ran before the move.
                holders = plaintext_holders(cx, variable, entry.name(), Revisions::BeforeTheMove);
            }
            single_value(&holders, variable).map(|holder| ValueToWrite::TaskDefinition {
                task_definition: holder.task_definition.clone(),
                container: holder.container.clone(),
                variable: variable.clone(),
            })
        }
        None => Err(match live {
            None => format!(
                "{} does not exist, and the desired state gives no value (it only checks existence): create it by hand, or give it value = {{ env = \"NAME\" }}",
                entry.name()
            ),
            Some(_) => format!(
                "{} must be rewritten to change its type or key, and the desired state gives no value: give it value = {{ env = \"NAME\" }}, or change it by hand",
                entry.name()
            ),
        }),
    }
}

fn single_value<'h>(holders: &'h [PlaintextHolder], variable: &str) -> Result<&'h PlaintextHolder, String> {
    let Some(first) = holders.first() else {
        return Err(format!(
            "no selected task definition holds {variable} in plaintext to migrate from: set the value another way, e.g. value = {{ env = \"NAME\" }}"
        ));
    };
    let disagree: Vec<&PlaintextHolder> = holders.iter().filter(|holder| holder.value_hash != first.value_hash).collect();
    if disagree.is_empty() {
        return Ok(first);
    }
    // Grouped by value, never showing any part of one (not even of its hash).
    let mut groups: Vec<(&SecretHash, Vec<&str>)> = Vec::new();
    for holder in holders {
        let name = short_name(&holder.task_definition);
        match groups.iter_mut().find(|(hash, _)| **hash == holder.value_hash) {
            Some((_, names)) if !names.contains(&name) => names.push(name),
            Some(_) => {}
            None => groups.push((&holder.value_hash, vec![name])),
        }
    }
    let described: Vec<String> = groups.iter().enumerate().map(|(index, (_, names))| format!("value {}: {}", index + 1, names.join(", "))).collect();
    Err(format!(
        "task definitions hold {} different values of {variable} ({}); decide which is right and set it with value = {{ env = \"NAME\" }}",
        groups.len(),
        described.join("; ")
    ))
}

fn plan_missing(cx: &mut Context<'_>, entry: &ParameterEntry) -> Option<Change> {
    let value = match value_to_write(cx, entry, None) {
        Ok(value) => value,
        Err(reason) => return Some(manual(entry, reason)),
    };
    let mut attributes = vec![AttributeChange::new("type", None, Some(entry.parameter_type.as_str().to_owned()))];
    if let Some(key) = desired_key(entry) {
        attributes.push(AttributeChange::new("kms_key", None, Some(key)));
    }
    let shown = AttributeChange::new("value", None, Some(value_label(&value)));
    attributes.push(if entry.parameter_type == ParameterType::SecureString { shown.sensitive() } else { shown });
    for (key, tag) in &entry.tags {
        attributes.push(AttributeChange::new(format!("tags.{key}"), None, Some(tag.clone())));
    }
    let note = match &value {
        ValueToWrite::TaskDefinition { task_definition, .. } if !runs_now(cx, task_definition) => Some(format!(
            "the value is the one the services ran with before holdfast moved them to this parameter ({}); if the parameter was rotated before it went missing, this is the old value: check it",
            short_name(task_definition)
        )),
        _ => None,
    };
    let mut change = new_change(entry, Action::Create, attributes, put(entry, value, false));
    change.notes.extend(note);
    Some(change)
}

/// Whether some service runs this task definition now.
fn runs_now(cx: &Context<'_>, task_definition: &str) -> bool {
    cx.inventory.ecs.clusters.iter().flat_map(|cluster| &cluster.services).any(|service| service.task_definition == task_definition)
}

fn plan_existing(cx: &mut Context<'_>, entry: &ParameterEntry, live: &Parameter) -> Option<Change> {
    let mut attributes = Vec::new();
    let mut rewrite = false;
    if live.parameter_type != entry.parameter_type.as_str() {
        attributes.push(AttributeChange::new("type", Some(live.parameter_type.clone()), Some(entry.parameter_type.as_str().to_owned())));
        rewrite = true;
    }
    if let Some(want) = desired_key(entry) {
        let have = live.kms_key.clone().unwrap_or_else(|| DEFAULT_KEY.to_owned());
        if !same_kms_key(&cx.inventory.kms, &want, &have) {
            attributes.push(AttributeChange::new("kms_key", Some(have), Some(want)));
            rewrite = true;
        }
    }
    let value_differs = match compare_value(cx, entry, live) {
        Comparison::Same => false,
        Comparison::Differs => true,
        Comparison::Conflict(reason) => return Some(manual_with(entry, attributes, reason)),
    };
    for (key, tag) in &entry.tags {
        if live.tags.get(key) != Some(tag) {
            attributes.push(AttributeChange::new(format!("tags.{key}"), live.tags.get(key).cloned(), Some(tag.clone())));
        }
    }
    if attributes.is_empty() && !value_differs {
        return None;
    }
    let value = if value_differs || rewrite {
        match value_to_write(cx, entry, Some(live)) {
            Ok(value) => value,
            Err(reason) => return Some(manual_with(entry, attributes, reason)),
        }
    } else {
        // Only tags change: tagging needs no value.
        return Some(new_change(entry, Action::Update, attributes, tag_only(entry)));
    };
    if value_differs {
        attributes.push(AttributeChange::new("value", Some("(sensitive)".to_owned()), Some(value_label(&value))).sensitive());
    }
    Some(new_change(entry, Action::Update, attributes, put(entry, value, true)))
}

fn tag_only(entry: &ParameterEntry) -> Operation {
    Operation::TagParameter { name: entry.name().to_owned(), tags: entry.tags.iter().map(|(key, value)| (key.clone(), value.clone())).collect() }
}

enum Comparison {
    Same,
    Differs,
    /// A person must decide which value is right.
    Conflict(String),
}

/// Whether the live value differs from the desired one. Values that cannot be compared
/// are reported as warnings, never guessed at.
fn compare_value(cx: &mut Context<'_>, entry: &ParameterEntry, live: &Parameter) -> Comparison {
    let want: Option<SecretHash> = match entry.value() {
        None => return Comparison::Same,
        Some(ValueSource::Literal(value)) => Some(SecretHash::of(&cx.inventory.salt, value)),
        Some(ValueSource::Env(variable)) => cx.env_hashes.get(variable).cloned(),
        Some(ValueSource::MigrateFromTaskEnv(variable)) => {
            // The parameter already exists: moving the services to it must not change the
            // value they run with, so a different value is for a person to settle.
            let holders = plaintext_holders(cx, variable, entry.name(), Revisions::Current);
            let ParameterValue::Hash(hash) = &live.value else { return Comparison::Same };
            let differing: Vec<String> =
                holders.iter().filter(|holder| &holder.value_hash != hash).map(|holder| short_name(&holder.task_definition).to_owned()).collect();
            if differing.is_empty() {
                return Comparison::Same;
            }
            return Comparison::Conflict(format!(
                "{} already exists with a value that differs from plaintext {variable} in {}: moving the services would change the value they run with. Decide which is right: write that value to the parameter (value = {{ env = \"NAME\" }}), or keep {variable} out of [[ecs.task_secrets]] until they agree",
                entry.name(),
                differing.join(", ")
            ));
        }
    };
    let Some(want) = want else { return Comparison::Same };
    match &live.value {
        ParameterValue::Hash(have) if *have != want => Comparison::Differs,
        ParameterValue::Hash(_) => Comparison::Same,
        ParameterValue::Unreadable { reason } => {
            cx.warn(format!("the value of {} could not be compared: {reason}", entry.name()), Some(&entry.origin));
            Comparison::Same
        }
        // Coverage makes a plan that compares a value read it; a snapshot that says
        // otherwise (edited, or from another tool) must not pass for "no change".
        ParameterValue::NotRead => {
            cx.error(
                format!(
                    "the value of {} was not read in this account state, so it cannot be compared: take a new snapshot with this desired state",
                    entry.name()
                ),
                Some(&entry.origin),
            );
            Comparison::Same
        }
    }
}

/// `family:revision` of a task definition ARN.
pub(crate) fn short_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// What a parameter holds once this plan is applied, as services moved to it will read it.
pub(crate) enum After {
    Hash(SecretHash),
    /// Not known here (an unset `$VAR`, an unreadable value); apply checks it.
    Unknown,
    /// Missing now, and nothing in this plan creates it.
    Missing,
    /// A change this plan cannot make by itself (a person must act first).
    Blocked,
}

/// The type a parameter has once this plan is applied: as declared, else as it is.
pub(crate) fn type_after<'a>(cx: &Context<'a>, name: &str) -> Option<&'a str> {
    match cx.declared_parameter(name) {
        Some(entry) => Some(entry.parameter_type.as_str()),
        None => cx.live_parameter(name).map(|parameter| parameter.parameter_type.as_str()),
    }
}

pub(crate) fn value_after(cx: &Context<'_>, name: &str) -> After {
    let planned = cx.changes.iter().find(|change| {
        change.kind == Kind::SsmParameter
            && crate::normalize::parameter_key(&change.address[Kind::SsmParameter.as_str().len()..]) == crate::normalize::parameter_key(name)
    });
    let live = cx.live_parameter(name);
    match planned.map(|change| &change.operation) {
        Some(Operation::Manual) => After::Blocked,
        Some(Operation::PutParameter { value, .. }) => match value {
            ValueToWrite::Literal { value } => After::Hash(SecretHash::of(&cx.inventory.salt, value)),
            ValueToWrite::Env { variable } => cx.env_hashes.get(variable).cloned().map_or(After::Unknown, After::Hash),
            ValueToWrite::TaskDefinition { task_definition, container, variable } => cx
                .task_definition(task_definition)
                .and_then(|definition| definition.containers.iter().find(|candidate| &candidate.name == container))
                .and_then(|found| found.environment.iter().rfind(|env| &env.name == variable))
                .map_or(After::Unknown, |env| After::Hash(env.value_hash.clone())),
        },
        _ => match live.map(|parameter| &parameter.value) {
            Some(ParameterValue::Hash(hash)) => After::Hash(hash.clone()),
            Some(ParameterValue::Unreadable { .. } | ParameterValue::NotRead) => After::Unknown,
            None => After::Missing,
        },
    }
}
