//! `[[drift.ignore]]`: drift a team knows about and accepts for a while. Every rule has
//! a reason and an end date, so known noise never becomes a check nobody reads, and
//! nothing stays hidden past its date.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::check::Checker;
use crate::origin::{Entries, Origin, impl_has_origin};
use crate::selector::NameGlob;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Drift {
    #[serde(default)]
    pub ignore: Entries<IgnoreRule>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IgnoreRule {
    /// Glob over drift addresses, `ecs.service/z360-beta-*`; `*` crosses `/`.
    pub address: NameGlob,
    /// The last day (UTC) the rule hides drift, `2026-12-31`.
    #[schemars(with = "Day")]
    pub until: Spanned<Day>,
    /// Why the drift is accepted: shown wherever the ignored drift is listed.
    #[schemars(with = "String")]
    pub reason: Spanned<String>,
    #[serde(skip)]
    pub origin: Origin,
}

impl_has_origin!(IgnoreRule);

impl IgnoreRule {
    /// True while `today` (`YYYY-MM-DD`, UTC) is not past the rule's last day.
    pub fn is_active(&self, today: &str) -> bool {
        today <= self.until.get_ref().as_str()
    }
}

/// A calendar day written `YYYY-MM-DD`, as a quoted string or a TOML date. Kept as
/// text: ISO dates compare correctly as strings, and the clock stays with the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day(String);

impl Day {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Checks the form and the calendar: `2026-02-30` is not a day.
    pub fn parse(text: &str) -> Result<Day, String> {
        let parts: Vec<&str> = text.split('-').collect();
        let numbers: Option<Vec<u32>> = parts.iter().map(|part| part.parse().ok()).collect();
        let well_formed = parts.len() == 3 && parts[0].len() == 4 && parts[1].len() == 2 && parts[2].len() == 2;
        match numbers {
            Some(numbers) if well_formed && (1..=12).contains(&numbers[1]) && (1..=days_in_month(numbers[0], numbers[1])).contains(&numbers[2]) => {
                Ok(Day(text.to_owned()))
            }
            _ => Err(format!("`{text}` is not a date")),
        }
    }
}

impl JsonSchema for Day {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Day".into()
    }
    // TOML writes a day bare (2026-12-31) or quoted; editors check a bare date as its text.
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "A day: 2026-12-31." })
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Date(toml::value::Datetime),
            Text(String),
            Other(toml::Value),
        }
        let text = match Written::deserialize(deserializer)? {
            Written::Date(date) if date.time.is_none() && date.offset.is_none() => date.to_string(),
            Written::Date(date) => return Err(serde::de::Error::custom(format!("`{date}` is a time; a day is written 2026-12-31"))),
            Written::Text(text) => text,
            Written::Other(value) => return Err(serde::de::Error::custom(format!("`{value}` is not a date; a day is written 2026-12-31"))),
        };
        Day::parse(&text).map_err(|message| serde::de::Error::custom(format!("{message}; a day is written 2026-12-31")))
    }
}

pub(crate) fn check(checker: &mut Checker<'_>) {
    for rule in checker.desired.drift.ignore.iter() {
        if rule.reason.get_ref().trim().is_empty() {
            checker.error(
                &rule.origin,
                rule.reason.span(),
                "an ignore rule has an empty reason",
                Some("say why this drift is accepted, and who to ask: reason = \"load test this month (platform team)\"".to_owned()),
            );
        }
        if !rule.address.as_str().contains(['.', '*', '?', '[', '{']) {
            checker.error(
                &rule.origin,
                rule.origin.span.clone(),
                format!("`{}` is not a drift address", rule.address),
                Some("addresses start with their kind: ecs.service/CLUSTER/SERVICE, s3.bucket/NAME, ssm.parameter/NAME".to_owned()),
            );
        }
    }
}
