//! `[[elb.load_balancer]]`: the load balancers protected from deletion. Those that are
//! not are named for review: declaring "unprotected" would undo protection turned on later.

use holdfast_inventory::Inventory;

use crate::names::{Reach, globs};
use crate::{Section, names_of, plural, short_list};

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    let balancers = &inventory.elb.load_balancers;
    let universe = names_of(balancers, |balancer| balancer.name.as_str());
    let protected: Vec<&str> = balancers.iter().filter(|balancer| balancer.deletion_protection).map(|balancer| balancer.name.as_str()).collect();
    if !protected.is_empty() {
        for (glob, group) in globs(&protected, &universe, protected.len() == universe.len(), Reach::Names) {
            let listed: Vec<String> = group.iter().map(|name| (*name).to_owned()).collect();
            out.entry("[[elb.load_balancer]]", &[format!("{}: {}", plural(group.len(), "load balancer", "load balancers"), short_list(&listed))], group.len());
            out.string("name", &glob);
            out.line("deletion_protection = true");
        }
    }
    let unprotected: Vec<String> = balancers.iter().filter(|balancer| !balancer.deletion_protection).map(|balancer| balancer.name.clone()).collect();
    if !unprotected.is_empty() {
        out.text.push('\n');
        out.review(format!(
            "{} deletion protection: {}",
            plural(unprotected.len(), "load balancer has no", "load balancers have no"),
            short_list(&unprotected)
        ));
    }
}
