//! One apply at a time per account and region: an SSM parameter created with
//! `Overwrite = false` is the lock, since SSM refuses to create it twice.

use aws_sdk_ssm::operation::put_parameter::PutParameterError;
use aws_sdk_ssm::types::ParameterType;

use crate::Aws;
use crate::error::{AwsError, call_error};

pub const LOCK_PARAMETER: &str = "/holdfast/apply-lock";

/// Who holds the lock, as written in it: `owner since TIME`.
#[derive(Debug)]
pub enum Acquired {
    Yes,
    HeldBy(String),
}

pub async fn acquire(aws: &Aws, holder: &str) -> Result<Acquired, AwsError> {
    let attempt = {
        let _permit = aws.permit().await;
        aws.ssm
            .put_parameter()
            .name(LOCK_PARAMETER)
            .r#type(ParameterType::String)
            .value(holder)
            .description("holdfast apply in progress; `holdfast apply --force-unlock` removes a stale one")
            .overwrite(false)
            .send()
            .await
    };
    match attempt {
        Ok(_) => Ok(Acquired::Yes),
        Err(error) if matches!(error.as_service_error(), Some(PutParameterError::ParameterAlreadyExists(_))) => {
            let _permit = aws.permit().await;
            let held = aws.ssm.get_parameter().name(LOCK_PARAMETER).send().await.map_err(|error| call_error("ssm:GetParameter", LOCK_PARAMETER, error))?;
            Ok(Acquired::HeldBy(held.parameter().and_then(|parameter| parameter.value()).unwrap_or("an unknown holder").to_owned()))
        }
        Err(error) => Err(call_error("ssm:PutParameter", LOCK_PARAMETER, error)),
    }
}

/// Removes the lock, whoever holds it.
pub async fn release(aws: &Aws) -> Result<(), AwsError> {
    let _permit = aws.permit().await;
    match aws.ssm.delete_parameter().name(LOCK_PARAMETER).send().await {
        Ok(_) => Ok(()),
        Err(error) if matches!(error.as_service_error(), Some(aws_sdk_ssm::operation::delete_parameter::DeleteParameterError::ParameterNotFound(_))) => Ok(()),
        Err(error) => Err(call_error("ssm:DeleteParameter", LOCK_PARAMETER, error)),
    }
}
