//! Which desired-state entry governs a live resource.
//!
//! One live resource is governed by at most one entry of a kind. When two entries
//! select it, holdfast changes nothing there and says so: guessing which one wins
//! would make the plan depend on file order.

use holdfast_desired::HasOrigin;

use crate::context::{Context, source};

/// Tracks which entries selected at least one live resource.
pub(crate) struct Hits(Vec<bool>);

impl Hits {
    pub fn new(count: usize) -> Self {
        Self(vec![false; count])
    }

    /// The entries (by index) that select a resource, marked as used.
    pub fn select<'e, E>(&mut self, entries: &'e [E], selects: impl Fn(&E) -> bool) -> Vec<&'e E> {
        let mut chosen = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            if selects(entry) {
                self.0[index] = true;
                chosen.push(entry);
            }
        }
        chosen
    }

    /// [`Hits::select`] among the entries at `candidates` (indices, ascending) alone: the
    /// ones a cheaper test already kept, such as those whose cluster glob matches.
    pub fn select_among<'e, E>(&mut self, entries: &'e [E], candidates: &[usize], selects: impl Fn(&E) -> bool) -> Vec<&'e E> {
        let mut chosen = Vec::new();
        for &index in candidates {
            let entry = &entries[index];
            if selects(entry) {
                self.0[index] = true;
                chosen.push(entry);
            }
        }
        chosen
    }

    /// Counts an entry as used without a live resource (a bucket it will create).
    pub fn mark(&mut self, index: usize) {
        self.0[index] = true;
    }

    /// Warns for each entry that selected nothing: a typo in a glob must not pass silently.
    pub fn warn_unmatched<E: HasOrigin>(&self, cx: &mut Context<'_>, entries: &[E], describe: impl Fn(&E) -> String) {
        for (entry, hit) in entries.iter().zip(&self.0) {
            if !hit {
                cx.warn(format!("{} matches nothing in the account", describe(entry)), Some(entry.origin()));
            }
        }
    }
}

/// The one entry that governs `resource`, or None (with a warning) when several do.
pub(crate) fn one<'e, E: HasOrigin>(cx: &mut Context<'_>, resource: &str, chosen: Vec<&'e E>) -> Option<&'e E> {
    match chosen.as_slice() {
        [] => None,
        [only] => Some(*only),
        [first, rest @ ..] => {
            let others: Vec<String> = rest.iter().map(|entry| source(entry.origin())).collect();
            cx.warn(
                format!("{resource} is selected by more than one entry (also {}); holdfast leaves it unchanged until one entry selects it", others.join(", ")),
                Some(first.origin()),
            );
            None
        }
    }
}
