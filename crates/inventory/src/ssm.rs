//! SSM parameters, their values known only by hash.

use serde::{Deserialize, Serialize};

use crate::Tags;
use crate::secret::SecretHash;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ssm {
    pub parameters: Vec<Parameter>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    pub name: String,
    pub arn: String,
    /// `String`, `StringList` or `SecureString`.
    pub parameter_type: String,
    /// The key of a SecureString, as AWS reports it (usually `alias/aws/ssm` or a key ARN).
    pub kms_key: Option<String>,
    pub version: u64,
    pub value: ParameterValue,
    #[serde(default)]
    pub tags: Tags,
}

/// What is known of a parameter's value: its hash, why it could not be read, or that it
/// was not asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterValue {
    Hash(SecretHash),
    /// Reading needs `ssm:GetParameter` and, for a SecureString, `kms:Decrypt`; a
    /// read-only drift job may lack them.
    Unreadable {
        reason: String,
    },
    /// Not read: the desired state checks only that the parameter exists, so neither
    /// `ssm:GetParameters` nor `kms:Decrypt` is asked for.
    NotRead,
}
