//! `--target` and `--exclude`: narrowing a plan to the changes a reviewer wants.

use std::collections::BTreeSet;

use holdfast_desired::NameGlob;

use crate::plan::{Plan, Summary, Warning};

impl Plan {
    /// Keeps the changes whose address matches a target (all, when none is given) and
    /// no exclude, plus everything they depend on, which must be applied first.
    pub fn select(mut self, targets: &[NameGlob], excludes: &[NameGlob]) -> Plan {
        if targets.is_empty() && excludes.is_empty() {
            return self;
        }
        let excluded = |address: &str| excludes.iter().any(|glob| glob.matches(address));
        let mut keep: BTreeSet<String> = self
            .changes
            .iter()
            .filter(|change| (targets.is_empty() || targets.iter().any(|glob| glob.matches(&change.address))) && !excluded(&change.address))
            .map(|change| change.address.clone())
            .collect();
        // Dependencies come along, even when a target did not name them.
        loop {
            let mut added = Vec::new();
            for change in self.changes.iter().filter(|change| keep.contains(&change.address)) {
                for dependency in &change.depends_on {
                    if keep.contains(dependency) {
                        continue;
                    }
                    if excluded(dependency) {
                        self.warnings.push(Warning {
                            message: format!("{} depends on {dependency}, which --exclude leaves out; applying it alone may fail", change.address),
                            source: None,
                        });
                    } else {
                        added.push(dependency.clone());
                    }
                }
            }
            if added.is_empty() {
                break;
            }
            keep.extend(added);
        }
        let before = self.changes.len();
        self.changes.retain(|change| keep.contains(&change.address));
        self.left_out += before - self.changes.len();
        self.warnings.sort();
        self.warnings.dedup();
        self.summary = Summary::of(&self.changes);
        self
    }
}
