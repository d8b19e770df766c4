//! Load balancers: deletion protection as declared, and orphans removed. A protected load
//! balancer is deleted only when the entry turns its protection off, as a change of its own.

use holdfast_desired::Ensure;
use holdfast_desired::elb::LoadBalancerEntry;
use holdfast_inventory::elb::LoadBalancer;

use crate::context::{Context, source};
use crate::operation::Operation;
use crate::plan::{Action, AttributeChange, Change, Kind};
use crate::select::{Hits, one};

pub(crate) fn plan(cx: &mut Context<'_>) {
    let entries = &cx.desired.elb.load_balancer;
    let mut hits = Hits::new(entries.len());
    for balancer in &cx.inventory.elb.load_balancers {
        let chosen = hits.select(entries, |entry| entry.name.matches(&balancer.name));
        let address = Kind::ElbLoadBalancer.address(&balancer.name);
        let Some(entry) = one(cx, &address, chosen) else { continue };
        if entry.ensure == Ensure::Absent {
            let change = delete(entry, balancer);
            cx.changes.push(change);
        } else if let Some(want) = entry.deletion_protection.filter(|want| *want != balancer.deletion_protection) {
            cx.changes.push(protection(entry, balancer, want));
        }
    }
    // An absent load balancer that is already gone is what was asked for.
    for (index, entry) in entries.iter().enumerate() {
        if entry.ensure == Ensure::Absent {
            hits.mark(index);
        }
    }
    hits.warn_unmatched(cx, entries, |entry| format!("[[elb.load_balancer]] name `{}`", entry.name));
}

fn on_off(on: bool) -> String {
    if on { "on".to_owned() } else { "off".to_owned() }
}

fn protection(entry: &LoadBalancerEntry, balancer: &LoadBalancer, want: bool) -> Change {
    Change {
        address: Kind::ElbLoadBalancer.address(&balancer.name),
        kind: Kind::ElbLoadBalancer,
        action: Action::Update,
        label: Some(balancer.kind.clone()),
        attributes: vec![AttributeChange::new("deletion_protection", Some(on_off(balancer.deletion_protection)), Some(on_off(want)))],
        flags: Vec::new(),
        source: source(&entry.origin),
        reason: None,
        notes: Vec::new(),
        depends_on: Vec::new(),
        cost: None,
        operation: Operation::SetDeletionProtection { name: balancer.name.clone(), arn: balancer.arn.clone(), enabled: want },
    }
}

fn delete(entry: &LoadBalancerEntry, balancer: &LoadBalancer) -> Change {
    let mut attributes = Vec::new();
    if let Some(dns) = &balancer.dns_name {
        attributes.push(AttributeChange::new("dns_name", Some(dns.clone()), None));
    }
    let listeners: Vec<String> = balancer
        .listeners
        .iter()
        .flatten()
        .map(|listener| format!("{} {}", listener.protocol.as_deref().unwrap_or("?"), listener.port.map_or_else(|| "?".to_owned(), |port| port.to_string())))
        .collect();
    attributes.push(AttributeChange::new("listeners", Some(if listeners.is_empty() { "(none)".to_owned() } else { listeners.join(", ") }), None));
    let groups = balancer.target_groups.as_deref().unwrap_or_default();
    let registered: usize = groups.iter().map(|group| group.registered_targets).sum();
    let described: Vec<String> = groups
        .iter()
        .map(|group| format!("{} ({} target{})", group.name, group.registered_targets, if group.registered_targets == 1 { "" } else { "s" }))
        .collect();
    let mut notes = Vec::new();
    if !described.is_empty() {
        notes.push(format!("target groups: {}", described.join(", ")));
    }
    if registered > 0 {
        notes.push(format!(
            "{registered} target{} still registered: whatever they serve through this load balancer stops being reachable",
            if registered == 1 { " is" } else { "s are" }
        ));
    }
    if !groups.is_empty() {
        notes.push("the target groups stay (they cost nothing alone); delete them separately if nothing else uses them".to_owned());
    }
    // Protection on: deleted only when the entry turns it off too, in the same change.
    let turn_off_protection = balancer.deletion_protection && entry.deletion_protection == Some(false);
    if turn_off_protection {
        attributes.insert(0, AttributeChange::new("deletion_protection", Some(on_off(true)), Some("off, then deleted".to_owned())));
    }
    let protected = balancer.deletion_protection && !turn_off_protection;
    let (action, reason, operation) = if protected {
        (
            Action::Manual,
            format!(
                "deletion protection is on for {}: holdfast does not turn it off unless the entry says deletion_protection = false, which makes that a change of its own",
                balancer.name
            ),
            Operation::Manual,
        )
    } else {
        (
            Action::Delete,
            match listeners.len() {
                0 => "marked ensure = \"absent\"".to_owned(),
                1 => "marked ensure = \"absent\"; its listener goes with it".to_owned(),
                count => format!("marked ensure = \"absent\"; its {count} listeners go with it"),
            },
            Operation::DeleteLoadBalancer { name: balancer.name.clone(), arn: balancer.arn.clone(), turn_off_protection },
        )
    };
    Change {
        address: Kind::ElbLoadBalancer.address(&balancer.name),
        kind: Kind::ElbLoadBalancer,
        action,
        label: Some(balancer.kind.clone()),
        attributes,
        flags: Vec::new(),
        source: source(&entry.origin),
        reason: Some(reason),
        notes,
        depends_on: Vec::new(),
        cost: None,
        operation,
    }
}
