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
                    if !excluded(dependency) {
                        added.push(dependency.clone());
                    }
                }
            }
            if added.is_empty() {
                break;
            }
            keep.extend(added);
        }
        // What depends on a change left out is left out too: it would fail, or act on what
        // is not there yet (a trail before its bucket).
        loop {
            let dropped: Vec<(String, String)> = self
                .changes
                .iter()
                .filter(|change| keep.contains(&change.address))
                .filter_map(|change| {
                    change.depends_on.iter().find(|dependency| !keep.contains(*dependency)).map(|missing| (change.address.clone(), missing.clone()))
                })
                .collect();
            if dropped.is_empty() {
                break;
            }
            for (address, missing) in dropped {
                keep.remove(&address);
                self.warnings
                    .push(Warning { message: format!("{address} is left out too: it depends on {missing}, which --exclude leaves out"), source: None });
            }
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
