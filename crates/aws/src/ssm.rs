//! SSM: the parameters the desired state names. Values are hashed the moment they
//! arrive; a value that cannot be decrypted is recorded as unreadable, with the reason.

use std::collections::BTreeMap;

use aws_sdk_ssm::types::{ParameterStringFilter, ResourceTypeForTagging};
use futures_util::future::try_join_all;
use holdfast_desired::Desired;
use holdfast_inventory::ssm::{Parameter, ParameterValue, Ssm};
use holdfast_inventory::{Salt, SecretHash};

use crate::Aws;
use crate::error::{AwsError, call_error};
use crate::progress::Progress;

const KIND: &str = "SSM";
/// GetParameters takes 10 names; a DescribeParameters filter takes 50 values.
const NAMES_PER_GET: usize = 10;
const NAMES_PER_FILTER: usize = 50;

pub(crate) async fn read(aws: &Aws, desired: &Desired, salt: &Salt, progress: &dyn Progress) -> Result<Ssm, AwsError> {
    let names = holdfast_desired::reads::parameter_names(desired);
    if names.is_empty() {
        return Ok(Ssm::default());
    }
    progress.started(KIND);
    // Values are fetched (and decrypted) only where they are compared; every named
    // parameter is described, which says whether it exists, its type, key and version.
    let valued = holdfast_desired::reads::parameter_values(desired);
    let (values, described) = tokio::try_join!(
        try_join_all(valued.chunks(NAMES_PER_GET).map(|chunk| get_values(aws, chunk, salt))),
        try_join_all(names.chunks(NAMES_PER_FILTER).map(|chunk| describe(aws, chunk))),
    )?;
    let mut described: BTreeMap<String, Described> = described.into_iter().flatten().map(|found| (found.name.clone(), found)).collect();
    let mut parameters: Vec<Parameter> = values.into_iter().flatten().collect();
    for parameter in &mut parameters {
        parameter.kms_key = described.remove(&parameter.name).and_then(|found| found.kms_key);
    }
    // A valued parameter GetParameters did not find is missing, whatever a concurrent
    // describe saw: the two calls see the same parameter at different moments.
    let existence_only = described.into_values().filter(|found| !valued.iter().any(|name| name.trim_start_matches('/') == found.name.trim_start_matches('/')));
    parameters.extend(existence_only.map(Described::not_read));
    // Tags cost a call per parameter: read them only where the desired state declares some.
    let tagged: Vec<usize> = parameters
        .iter()
        .enumerate()
        .filter(|(_, parameter)| desired.ssm.parameter.iter().any(|entry| entry.name() == parameter.name && !entry.tags.is_empty()))
        .map(|(index, _)| index)
        .collect();
    let tags = try_join_all(tagged.iter().map(|index| read_tags(aws, &parameters[*index].name))).await?;
    for (index, tags) in tagged.into_iter().zip(tags) {
        parameters[index].tags = tags;
    }
    progress.advanced(KIND, parameters.len());
    progress.finished(KIND);
    Ok(Ssm { parameters })
}

/// A parameter as DescribeParameters gives it: everything but the value.
struct Described {
    name: String,
    arn: Option<String>,
    parameter_type: String,
    kms_key: Option<String>,
    version: u64,
}

impl Described {
    /// The parameter, its value not read.
    fn not_read(self) -> Parameter {
        Parameter {
            arn: self.arn.unwrap_or_default(),
            name: self.name,
            parameter_type: self.parameter_type,
            kms_key: self.kms_key,
            version: self.version,
            value: ParameterValue::NotRead,
            tags: BTreeMap::new(),
        }
    }
}

async fn get_values(aws: &Aws, names: &[String], salt: &Salt) -> Result<Vec<Parameter>, AwsError> {
    let _permit = aws.permit().await;
    let decrypted = aws.ssm.get_parameters().set_names(Some(names.to_vec())).with_decryption(true).send().await;
    let (output, unreadable) = match decrypted {
        Ok(output) => (output, None),
        Err(error) => {
            let error = call_error("ssm:GetParameters", format!("parameters {}", names.join(", ")), error);
            if !error.is_access_denied() {
                return Err(error);
            }
            // Decrypting needs kms:Decrypt, which a read-only drift job may lack: read
            // what can be read without it and say why the rest was not compared.
            let plain = aws.ssm.get_parameters().set_names(Some(names.to_vec())).with_decryption(false).send().await;
            let output = plain.map_err(|plain_error| call_error("ssm:GetParameters", format!("parameters {}", names.join(", ")), plain_error))?;
            (
                output,
                Some(format!("decrypting was denied ({}); grant kms:Decrypt on the parameter's key to compare it", error.code().unwrap_or("AccessDenied"))),
            )
        }
    };
    Ok(output
        .parameters()
        .iter()
        .map(|parameter| {
            let parameter_type = parameter.r#type().map(|kind| kind.as_str().to_owned()).unwrap_or_default();
            let value = match (&unreadable, parameter_type.as_str()) {
                (Some(reason), "SecureString") => ParameterValue::Unreadable { reason: reason.clone() },
                _ => ParameterValue::Hash(SecretHash::of(salt, parameter.value().unwrap_or_default())),
            };
            Parameter {
                name: parameter.name().unwrap_or_default().to_owned(),
                arn: parameter.arn().unwrap_or_default().to_owned(),
                parameter_type,
                kms_key: None,
                version: u64::try_from(parameter.version()).unwrap_or(0),
                value,
                tags: Default::default(),
            }
        })
        .collect())
}

/// Every parameter of the region, described (never fetched): the audit's list, whose
/// values are recorded as not read. Added to `ssm` where the read did not name them.
pub(crate) async fn read_all(aws: &Aws, ssm: &mut Ssm) -> Result<(), AwsError> {
    let described = describe_matching(aws, None).await?;
    let known: std::collections::BTreeSet<String> = ssm.parameters.iter().map(|parameter| parameter.name.clone()).collect();
    ssm.parameters.extend(described.into_iter().filter(|found| !known.contains(&found.name)).map(Described::not_read));
    Ok(())
}

async fn describe(aws: &Aws, names: &[String]) -> Result<Vec<Described>, AwsError> {
    describe_matching(aws, Some(names)).await
}

/// DescribeParameters for these names, or for every parameter.
async fn describe_matching(aws: &Aws, names: Option<&[String]>) -> Result<Vec<Described>, AwsError> {
    let filter = match names {
        Some(names) => Some(
            ParameterStringFilter::builder()
                .key("Name")
                .option("Equals")
                .set_values(Some(names.to_vec()))
                .build()
                .map_err(|error| AwsError::Setup(error.to_string()))?,
        ),
        None => None,
    };
    let what = names.map_or_else(|| "every parameter".to_owned(), |names| format!("{} parameters", names.len()));
    let _permit = aws.permit().await;
    let pages = aws
        .ssm
        .describe_parameters()
        .set_parameter_filters(filter.map(|filter| vec![filter]))
        .max_results(50)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(|error| call_error("ssm:DescribeParameters", what, error))?;
    Ok(pages
        .iter()
        .flat_map(|page| page.parameters())
        .filter_map(|metadata| {
            Some(Described {
                name: metadata.name()?.to_owned(),
                arn: metadata.arn().map(str::to_owned),
                parameter_type: metadata.r#type().map(|kind| kind.as_str().to_owned()).unwrap_or_default(),
                kms_key: metadata.key_id().map(str::to_owned),
                version: u64::try_from(metadata.version()).unwrap_or(0),
            })
        })
        .collect())
}

async fn read_tags(aws: &Aws, name: &str) -> Result<std::collections::BTreeMap<String, String>, AwsError> {
    let _permit = aws.permit().await;
    let output = aws
        .ssm
        .list_tags_for_resource()
        .resource_type(ResourceTypeForTagging::Parameter)
        .resource_id(name)
        .send()
        .await
        .map_err(|error| call_error("ssm:ListTagsForResource", format!("parameter {name}"), error))?;
    Ok(output.tag_list().iter().map(|tag| (tag.key().to_owned(), tag.value().to_owned())).collect())
}

/// What to write with `PutParameter`. The value is used for the one call and dropped.
pub struct NewParameter<'a> {
    pub name: &'a str,
    pub parameter_type: &'a str,
    pub kms_key: Option<&'a str>,
    pub description: Option<&'a str>,
    pub overwrite: bool,
    pub tags: &'a [(String, String)],
}

pub async fn put_parameter(aws: &Aws, parameter: &NewParameter<'_>, value: String) -> Result<(), AwsError> {
    use aws_sdk_ssm::types::ParameterType;
    let mut request = aws
        .ssm
        .put_parameter()
        .name(parameter.name)
        .value(value)
        .r#type(ParameterType::from(parameter.parameter_type))
        .set_key_id(parameter.kms_key.map(str::to_owned))
        .set_description(parameter.description.map(str::to_owned))
        .overwrite(parameter.overwrite);
    // SSM takes tags with a new parameter only; an overwrite tags separately.
    if !parameter.overwrite && !parameter.tags.is_empty() {
        request = request.set_tags(Some(ssm_tags(parameter.tags)?));
    }
    {
        let _permit = aws.permit().await;
        request.send().await.map_err(|error| call_error("ssm:PutParameter", format!("parameter {}", parameter.name), error))?;
    }
    if parameter.overwrite && !parameter.tags.is_empty() {
        add_tags(aws, parameter.name, parameter.tags).await?;
    }
    Ok(())
}

fn ssm_tags(tags: &[(String, String)]) -> Result<Vec<aws_sdk_ssm::types::Tag>, AwsError> {
    tags.iter()
        .map(|(key, value)| aws_sdk_ssm::types::Tag::builder().key(key).value(value).build().map_err(|error| AwsError::Setup(error.to_string())))
        .collect()
}

pub async fn add_tags(aws: &Aws, name: &str, tags: &[(String, String)]) -> Result<(), AwsError> {
    let tags = ssm_tags(tags)?;
    let _permit = aws.permit().await;
    aws.ssm
        .add_tags_to_resource()
        .resource_type(ResourceTypeForTagging::Parameter)
        .resource_id(name)
        .set_tags(Some(tags))
        .send()
        .await
        .map_err(|error| call_error("ssm:AddTagsToResource", format!("parameter {name}"), error))?;
    Ok(())
}

/// The ARN ECS task definitions use to name a parameter in `valueFrom`.
pub fn parameter_arn(region: &str, account_id: &str, name: &str) -> String {
    let separator = if name.starts_with('/') { "" } else { "/" };
    format!("arn:aws:ssm:{region}:{account_id}:parameter{separator}{name}")
}

/// What a parameter holds, checked at the moment a task definition is about to name it.
#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    Missing,
    /// It exists, but not with the value the service runs with now.
    HoldsAnotherValue,
    /// It exists (with the expected value, when one was given), under this key.
    Holds {
        key_id: Option<String>,
    },
}

/// What a parameter must hold before a service is moved to it.
pub enum Expected<'a> {
    /// The plaintext value the service runs with now.
    Plaintext(&'a str),
    /// The value of the parameter the service reads now (by name or ARN).
    SameAs(&'a str),
    /// Nothing to compare: the service does not have the variable yet.
    Nothing,
}

/// Reads a parameter (decrypting it) and compares it with what is expected here, so no
/// value leaves this function: each is dropped as soon as it is compared.
pub async fn check_parameter(aws: &Aws, name: &str, expected: Expected<'_>) -> Result<Checked, AwsError> {
    let Some(value) = decrypted(aws, name).await? else { return Ok(Checked::Missing) };
    let same = match expected {
        Expected::Plaintext(plaintext) => value == plaintext,
        // A service reading a parameter that is gone is broken already: moving it cannot hurt.
        Expected::SameAs(current) => decrypted(aws, current).await?.is_none_or(|current| current == value),
        Expected::Nothing => true,
    };
    drop(value);
    if !same {
        return Ok(Checked::HoldsAnotherValue);
    }
    let described = describe(aws, &[name.to_owned()]).await?;
    Ok(Checked::Holds { key_id: described.into_iter().find(|found| found.name == name).and_then(|found| found.kms_key) })
}

/// A parameter's value, decrypted, or None when it does not exist. `name` may be an ARN.
async fn decrypted(aws: &Aws, name: &str) -> Result<Option<String>, AwsError> {
    let read = {
        let _permit = aws.permit().await;
        aws.ssm.get_parameter().name(name).with_decryption(true).send().await
    };
    match read {
        Ok(output) => Ok(Some(output.parameter().and_then(|parameter| parameter.value()).unwrap_or_default().to_owned())),
        Err(error) if matches!(error.as_service_error(), Some(aws_sdk_ssm::operation::get_parameter::GetParameterError::ParameterNotFound(_))) => Ok(None),
        Err(error) => Err(call_error("ssm:GetParameter", format!("parameter {name}"), error)),
    }
}
