//! One S3 object read and written whole, with a condition on the write: a drift history
//! kept in S3 by scheduled jobs that have no disk, where two runners must never
//! overwrite each other's record.

use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::Aws;
use crate::error::{AwsError, call_error};

/// An object's text and the ETag that version has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned {
    pub text: String,
    pub etag: String,
}

/// What a conditional write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Yes,
    /// Someone wrote the object since it was read (or created it, when it was absent).
    Conflict,
}

/// The object, or None when there is none yet.
pub async fn read(aws: &Aws, bucket: &str, key: &str) -> Result<Option<Versioned>, AwsError> {
    let _permit = aws.permit().await;
    let what = format!("s3://{bucket}/{key}");
    let output = match aws.s3.get_object().bucket(bucket).key(key).send().await {
        Ok(output) => output,
        Err(SdkError::ServiceError(error)) if matches!(error.err(), GetObjectError::NoSuchKey(_)) => return Ok(None),
        Err(error) => return Err(call_error("s3:GetObject", what, error)),
    };
    let etag = output.e_tag().unwrap_or_default().to_owned();
    let bytes = output.body.collect().await.map_err(|error| AwsError::Setup(format!("cannot read {what}: {error}")))?.into_bytes();
    // A stray byte that is not UTF-8 spoils its line only, which the reader skips.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok(Some(Versioned { text, etag }))
}

/// Writes the object only if it is still the version read (`etag`), or still absent
/// (`None`): S3's conditional writes, If-Match and If-None-Match.
pub async fn write_if(aws: &Aws, bucket: &str, key: &str, text: String, etag: Option<&str>) -> Result<Written, AwsError> {
    let _permit = aws.permit().await;
    let mut request = aws.s3.put_object().bucket(bucket).key(key).content_type("application/x-ndjson").body(text.into_bytes().into());
    request = match etag {
        Some(etag) => request.if_match(etag),
        None => request.if_none_match("*"),
    };
    match request.send().await {
        Ok(_) => Ok(Written::Yes),
        // 412: the condition failed; 409: another conditional write to the key was in flight.
        Err(SdkError::ServiceError(error)) if matches!(error.err().code(), Some("PreconditionFailed" | "ConditionalRequestConflict")) => Ok(Written::Conflict),
        // If-Match on an object deleted since it was read.
        Err(SdkError::ServiceError(error)) if matches!(error.err().code(), Some("NoSuchKey")) => Ok(Written::Conflict),
        Err(error) => Err(call_error("s3:PutObject", format!("s3://{bucket}/{key}"), error)),
    }
}
