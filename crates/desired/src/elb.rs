//! `[[elb.load_balancer]]`: Application and Network Load Balancers to keep protected or
//! to remove.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::check::Checker;
use crate::origin::{Ensure, Entries, Origin, impl_has_origin};
use crate::selector::NameGlob;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Elb {
    #[serde(default)]
    pub load_balancer: Entries<LoadBalancerEntry>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerEntry {
    /// Glob over the load balancer's name; an exact name for `ensure = "absent"`.
    pub name: NameGlob,
    #[serde(default)]
    pub ensure: Ensure,
    /// Deletion protection. An absent load balancer whose protection is on is deleted only
    /// when this says `false`, which turns it off as a change of its own first.
    pub deletion_protection: Option<bool>,
    #[serde(skip)]
    pub origin: Origin,
}

impl_has_origin!(LoadBalancerEntry);

pub(crate) fn check(checker: &mut Checker<'_>) {
    for entry in checker.desired.elb.load_balancer.iter() {
        if entry.ensure == Ensure::Absent && !entry.name.is_literal() {
            checker.entry_error(
                &entry.origin,
                format!("`ensure = \"absent\"` needs an exact load balancer name, not the glob `{}`", entry.name),
                Some("a glob could delete load balancers nobody meant to; name each one".to_owned()),
            );
        }
        if entry.ensure == Ensure::Absent && entry.deletion_protection == Some(true) {
            checker.entry_error(
                &entry.origin,
                format!("load balancer `{}` is `ensure = \"absent\"` with deletion_protection = true", entry.name),
                Some("to delete it, say deletion_protection = false; to keep it, remove ensure".to_owned()),
            );
        }
        if entry.ensure == Ensure::Present && entry.deletion_protection.is_none() {
            checker.entry_error(
                &entry.origin,
                format!("[[elb.load_balancer]] `{}` declares nothing", entry.name),
                Some("set deletion_protection, or ensure = \"absent\" to remove it".to_owned()),
            );
        }
    }
    let entries = &checker.desired.elb.load_balancer;
    checker.duplicates("load balancer selector", entries.iter().map(|entry| (entry.name.to_string(), &entry.origin)));
}
