//! Semantic checks that run after every file has parsed: cross-references, ranges and
//! duplicates, each reported at the exact field.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::Desired;
use crate::diagnostic::{Diagnostic, Location};
use crate::origin::Origin;

pub(crate) struct Checker<'a> {
    pub desired: &'a Desired,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    pub fn new(desired: &'a Desired) -> Self {
        Self { desired, diagnostics: Vec::new() }
    }

    /// An error at a span of the file the entry came from.
    pub fn error(&mut self, origin: &Origin, span: Range<usize>, message: impl Into<String>, hint: Option<String>) {
        let file = &self.desired.files[origin.file];
        self.diagnostics.push(file.diagnostic(span, message, hint));
    }

    /// An error at the start of an entry.
    pub fn entry_error(&mut self, origin: &Origin, message: impl Into<String>, hint: Option<String>) {
        self.error(origin, origin.span.clone(), message, hint);
    }

    /// Reports every entry whose key was already defined by an earlier entry, naming both places.
    pub fn duplicates<'e>(&mut self, what: &str, keyed: impl IntoIterator<Item = (String, &'e Origin)>) {
        let mut seen: BTreeMap<String, Location> = BTreeMap::new();
        for (key, origin) in keyed {
            match seen.get(&key) {
                Some(first) => {
                    let message = format!("{what} `{key}` is defined twice: here and at {first}");
                    self.entry_error(origin, message, Some("merge the two entries into one, or make their selectors differ".to_owned()));
                }
                None => {
                    seen.insert(key, origin.location.clone());
                }
            }
        }
    }
}
