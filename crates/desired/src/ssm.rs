//! `[[ssm.parameter]]`: SSM parameters, and where a secret's value comes from.
//!
//! A SecureString never takes a literal value: TOML files end up in version control.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::check::Checker;
use crate::origin::{Entries, Origin, impl_has_origin};

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ssm {
    #[serde(default)]
    pub parameter: Entries<ParameterEntry>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParameterEntry {
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    #[serde(rename = "type")]
    pub parameter_type: ParameterType,
    /// The key of a SecureString; `alias/aws/ssm` when left out.
    pub kms_key: Option<String>,
    /// Left out: holdfast checks the parameter exists and never reads or writes its value.
    #[schemars(with = "Option<ValueSource>")]
    pub value: Option<Spanned<ValueSource>>,
    pub description: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(skip)]
    pub origin: Origin,
}

impl_has_origin!(ParameterEntry);

impl ParameterEntry {
    pub fn name(&self) -> &str {
        self.name.get_ref()
    }

    pub fn value(&self) -> Option<&ValueSource> {
        self.value.as_ref().map(Spanned::get_ref)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum ParameterType {
    String,
    StringList,
    SecureString,
}

impl ParameterType {
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterType::String => "String",
            ParameterType::StringList => "StringList",
            ParameterType::SecureString => "SecureString",
        }
    }
}

/// Where a parameter's value comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum ValueSource {
    /// `value = "text"`: allowed for String and StringList only.
    Literal(String),
    /// `value = { env = "NAME" }`: read from the environment at plan and apply time.
    Env(String),
    /// `value = { migrate_from_task_env = "NAME" }`: taken from the plaintext container
    /// variable NAME of the services that `[[ecs.task_secrets]]` moves to this parameter.
    MigrateFromTaskEnv(String),
}

// Literal values are not secrets (SecureStrings refuse them), but keep Debug tidy anyway.
impl fmt::Debug for ValueSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueSource::Literal(_) => f.write_str("Literal(..)"),
            ValueSource::Env(name) => write!(f, "Env({name:?})"),
            ValueSource::MigrateFromTaskEnv(name) => write!(f, "MigrateFromTaskEnv({name:?})"),
        }
    }
}

const VALUE_SOURCES: &[&str] = &["env", "migrate_from_task_env"];

impl JsonSchema for ValueSource {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ValueSource".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let variable = |key: &str, description: &str| {
            schemars::json_schema!({
                "type": "object",
                "properties": { key: { "type": "string", "description": description } },
                "required": [key],
                "additionalProperties": false
            })
        };
        schemars::json_schema!({
            "description": "Where the value comes from. A SecureString never takes a literal value.",
            "oneOf": [
                { "type": "string", "description": "A literal value: for String and StringList parameters only." },
                variable("env", "Read from this environment variable at plan and apply time."),
                variable("migrate_from_task_env", "Taken from this plaintext container variable of the services [[ecs.task_secrets]] moves to the parameter.")
            ]
        })
    }
}

impl<'de> Deserialize<'de> for ValueSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SourceVisitor;
        impl<'de> Visitor<'de> for SourceVisitor {
            type Value = ValueSource;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, { env = \"NAME\" } or { migrate_from_task_env = \"NAME\" }")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<ValueSource, E> {
                Ok(ValueSource::Literal(value.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ValueSource, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::custom("an empty value source; write { env = \"NAME\" } or { migrate_from_task_env = \"NAME\" }"));
                };
                let source = match key.as_str() {
                    "env" => ValueSource::Env(map.next_value()?),
                    "migrate_from_task_env" => ValueSource::MigrateFromTaskEnv(map.next_value()?),
                    other => return Err(de::Error::unknown_field(other, VALUE_SOURCES)),
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!("a value source takes one key, found a second: `{extra}`")));
                }
                Ok(source)
            }
        }
        deserializer.deserialize_any(SourceVisitor)
    }
}

/// SSM's naming rules: letters, digits and `_.-/`, hierarchical names start with `/`.
pub fn is_parameter_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 1011
        && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"_.-/".contains(&byte))
        && (!name.contains('/') || name.starts_with('/'))
        && !name.ends_with('/')
        && !name.to_ascii_lowercase().trim_start_matches('/').starts_with("aws")
        && !name.to_ascii_lowercase().trim_start_matches('/').starts_with("ssm")
}

pub(crate) fn check(checker: &mut Checker<'_>) {
    let desired = checker.desired;
    for entry in desired.ssm.parameter.iter() {
        let name = entry.name();
        if name.trim_start_matches('/').starts_with("holdfast/") {
            checker.error(
                &entry.origin,
                entry.name.span(),
                format!("`{name}` is under /holdfast/, which holdfast keeps for its own apply lock"),
                Some("name the parameter elsewhere".to_owned()),
            );
        }
        if !is_parameter_name(name) {
            checker.error(
                &entry.origin,
                entry.name.span(),
                format!("`{name}` is not a valid SSM parameter name"),
                Some("use letters, digits and `_.-/`; hierarchical names start with `/`; names may not begin with `aws` or `ssm`".to_owned()),
            );
        }
        if entry.kms_key.is_some() && entry.parameter_type != ParameterType::SecureString {
            checker.entry_error(
                &entry.origin,
                format!("kms_key is set on `{name}`, a {}", entry.parameter_type.as_str()),
                Some("only SecureString parameters are encrypted with a KMS key".to_owned()),
            );
        }
        let Some(value) = &entry.value else { continue };
        match value.get_ref() {
            ValueSource::Literal(_) if entry.parameter_type == ParameterType::SecureString => {
                checker.error(
                    &entry.origin,
                    value.span(),
                    format!("`{name}` is a SecureString with a literal value in the desired state"),
                    Some("a secret in a TOML file ends up in version control: use value = { env = \"NAME\" }, value = { migrate_from_task_env = \"NAME\" }, or leave value out to check existence only".to_owned()),
                );
            }
            ValueSource::Env(variable) | ValueSource::MigrateFromTaskEnv(variable) if variable.is_empty() => {
                checker.error(&entry.origin, value.span(), "an empty variable name", Some("name the environment variable that holds the value".to_owned()));
            }
            // Not echoed: a secret pasted where its variable's name belongs is still a secret.
            ValueSource::Env(variable) | ValueSource::MigrateFromTaskEnv(variable)
                if !variable.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    || !variable.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_') =>
            {
                checker.error(
                    &entry.origin,
                    value.span(),
                    format!("the value source of `{name}` does not name a variable: names are letters, digits and `_`"),
                    Some("write the variable's name, never the secret itself: value = { env = \"APP_TOKEN\" }".to_owned()),
                );
            }
            ValueSource::MigrateFromTaskEnv(variable) => {
                let mapped = desired.ecs.task_secrets.iter().any(|secrets| secrets.secrets.get(variable).is_some_and(|parameter| parameter.get_ref() == name));
                if !mapped {
                    checker.error(
                        &entry.origin,
                        value.span(),
                        format!("`{name}` migrates from container variable `{variable}`, but no [[ecs.task_secrets]] maps `{variable}` to it"),
                        Some(format!("add secrets = {{ {variable} = \"{name}\" }} to the [[ecs.task_secrets]] entry of the services that hold it")),
                    );
                }
            }
            _ => {}
        }
    }
    checker.duplicates("SSM parameter", desired.ssm.parameter.iter().map(|entry| (entry.name().to_owned(), &entry.origin)));
}
