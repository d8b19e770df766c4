//! `[[elb.load_balancer]]`: load balancers by deletion protection, one entry each way.

use holdfast_inventory::Inventory;

use crate::names::globs;
use crate::{Section, names_of, plural, short_list};

pub(crate) fn write(inventory: &Inventory, out: &mut Section) {
    let balancers = &inventory.elb.load_balancers;
    let universe = names_of(balancers, |balancer| balancer.name.as_str());
    for protected in [true, false] {
        let names: Vec<&str> = balancers.iter().filter(|balancer| balancer.deletion_protection == protected).map(|balancer| balancer.name.as_str()).collect();
        if names.is_empty() {
            continue;
        }
        for (glob, group) in globs(&names, &universe, names.len() == universe.len()) {
            let listed: Vec<String> = group.iter().map(|name| (*name).to_owned()).collect();
            out.entry("[[elb.load_balancer]]", &[format!("{}: {}", plural(group.len(), "load balancer", "load balancers"), short_list(&listed))], group.len());
            out.string("name", &glob);
            out.line(format!("deletion_protection = {protected}"));
        }
    }
}
