//! Selecting live resources by name glob and by tags.
//!
//! Live names carry generated suffixes (`z360-staging-Cluster-rTtLLOHCi694`), so one
//! desired-state entry selects every resource whose name matches a glob.

use std::collections::BTreeMap;
use std::fmt;

use globset::{Glob, GlobBuilder, GlobMatcher};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, de};

/// A shell-style glob over a resource name: `*`, `?`, `[abc]`, `{a,b}`. `*` also
/// crosses `/`, since SSM and S3 names use it as an ordinary character.
#[derive(Clone)]
pub struct NameGlob {
    pattern: String,
    /// None for a pattern without glob characters, compared as a string: a compiled
    /// matcher costs kilobytes, and desired states of 200,000 exact names exist.
    matcher: Option<GlobMatcher>,
}

impl NameGlob {
    pub fn new(pattern: &str) -> Result<Self, String> {
        if pattern.is_empty() {
            return Err("an empty glob selects nothing".to_owned());
        }
        if !pattern.contains(['*', '?', '[', '{', '\\', ']', '}']) {
            return Ok(Self { pattern: pattern.to_owned(), matcher: None });
        }
        let glob: Glob = GlobBuilder::new(pattern)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|error| format!("malformed glob `{pattern}`: {}", error.kind()))?;
        Ok(Self { pattern: pattern.to_owned(), matcher: Some(glob.compile_matcher()) })
    }

    /// `*`: every resource.
    pub fn any() -> Self {
        Self::new("*").expect("`*` is a valid glob")
    }

    pub fn matches(&self, name: &str) -> bool {
        match &self.matcher {
            Some(matcher) => matcher.is_match(name),
            None => self.pattern == name,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// True when the pattern has no glob characters, so it names exactly one resource.
    pub fn is_literal(&self) -> bool {
        !self.pattern.contains(['*', '?', '[', '{'])
    }
}

impl fmt::Debug for NameGlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NameGlob({:?})", self.pattern)
    }
}

impl fmt::Display for NameGlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

impl PartialEq for NameGlob {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern
    }
}
impl Eq for NameGlob {}

impl<'de> Deserialize<'de> for NameGlob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let pattern = String::deserialize(deserializer)?;
        NameGlob::new(&pattern).map_err(de::Error::custom)
    }
}

impl schemars::JsonSchema for NameGlob {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NameGlob".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "minLength": 1,
            "description": "A name, or a shell-style glob over names: `*` (which also crosses `/`), `?`, `[abc]`, `{a,b}`. `z360-staging-Cluster-*` selects every cluster of that stack, whatever its generated suffix."
        })
    }
}

/// Tags a resource must carry, each value a glob: `tags = { copilot-environment = "staging" }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct TagSelector(pub BTreeMap<String, NameGlob>);

impl TagSelector {
    pub fn matches(&self, tags: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|(key, glob)| tags.get(key).is_some_and(|value| glob.matches(value)))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for TagSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs: Vec<String> = self.0.iter().map(|(key, glob)| format!("{key}={glob}")).collect();
        write!(f, "tags {{{}}}", pairs.join(", "))
    }
}

/// How a selector reads in messages and duplicate checks: `z360-* tags {env=staging}`.
pub fn describe(name: &NameGlob, tags: &TagSelector) -> String {
    if tags.is_empty() { name.to_string() } else { format!("{name} {tags}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_generated_suffixes_and_slashes() {
        let glob = NameGlob::new("z360-staging-*").unwrap();
        assert!(glob.matches("z360-staging-Cluster-rTtLLOHCi694"));
        assert!(!glob.matches("z360-beta-Cluster-abc"));
        assert!(NameGlob::new("/z360/*").unwrap().matches("/z360/staging/reverb/app-key"));
    }

    #[test]
    fn malformed_glob_is_refused_with_the_reason() {
        let error = NameGlob::new("z360-[staging").unwrap_err();
        assert!(error.contains("unclosed character class"), "{error}");
    }

    #[test]
    fn tag_selector_needs_every_tag() {
        let mut selector = BTreeMap::new();
        selector.insert("env".to_owned(), NameGlob::new("stag*").unwrap());
        let selector = TagSelector(selector);
        let mut tags = BTreeMap::new();
        assert!(!selector.matches(&tags));
        tags.insert("env".to_owned(), "staging".to_owned());
        assert!(selector.matches(&tags));
    }
}
