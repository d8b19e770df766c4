//! Where a desired-state entry was written, so plans and errors can point back at it.

use std::ops::Range;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::diagnostic::Location;

/// The file (an index into `Desired::files`), byte span and location of an entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: usize,
    pub span: Range<usize>,
    pub location: Location,
}

/// An entry that knows where it was written.
pub trait HasOrigin {
    fn origin(&self) -> &Origin;
    fn origin_mut(&mut self) -> &mut Origin;
}

/// An array of tables (`[[ecs.service]]`), each entry remembering its span.
#[derive(Debug, Clone)]
pub struct Entries<E>(pub Vec<E>);

impl<E> Default for Entries<E> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<E> std::ops::Deref for Entries<E> {
    type Target = Vec<E>;
    fn deref(&self) -> &Vec<E> {
        &self.0
    }
}

impl<'de, E: Deserialize<'de> + HasOrigin> Deserialize<'de> for Entries<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Vec::<Spanned<E>>::deserialize(deserializer)?;
        Ok(Self(
            spanned
                .into_iter()
                .map(|entry| {
                    let span = entry.span();
                    let mut entry = entry.into_inner();
                    entry.origin_mut().span = span;
                    entry
                })
                .collect(),
        ))
    }
}

macro_rules! impl_has_origin {
    ($($entry:ty),* $(,)?) => {
        $(impl $crate::origin::HasOrigin for $entry {
            fn origin(&self) -> &$crate::origin::Origin { &self.origin }
            fn origin_mut(&mut self) -> &mut $crate::origin::Origin { &mut self.origin }
        })*
    };
}
pub(crate) use impl_has_origin;

/// Whether a resource must exist. `absent` marks one to remove; apply deletes only with
/// `--allow-delete`. The kinds that take it say so in docs/desired-state.md.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Ensure {
    #[default]
    Present,
    Absent,
}

// The schema of an array of tables is the array's; of a single table, the table's.
impl<E: JsonSchema> JsonSchema for Entries<E> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        Vec::<E>::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        Vec::<E>::json_schema(generator)
    }
}

impl<E: JsonSchema> JsonSchema for Single<E> {
    fn inline_schema() -> bool {
        E::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        E::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        E::json_schema(generator)
    }
}

/// A table that appears once per account (`[guardduty]`), remembering its span.
#[derive(Debug, Clone)]
pub struct Single<E>(pub E);

impl<E> std::ops::Deref for Single<E> {
    type Target = E;
    fn deref(&self) -> &E {
        &self.0
    }
}

impl<'de, E: Deserialize<'de> + HasOrigin> Deserialize<'de> for Single<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<E>::deserialize(deserializer)?;
        let span = spanned.span();
        let mut entry = spanned.into_inner();
        entry.origin_mut().span = span;
        Ok(Self(entry))
    }
}
