//! SDK errors turned into errors that say which call failed, on what, and what to do.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// An AWS call failed. `call` is the IAM action name (`ecs:DescribeServices`).
    #[error("{call} on {resource} failed: {message}\n  hint: {hint}")]
    Call { call: &'static str, resource: String, code: Option<String>, message: String, hint: String },
    #[error("{0}")]
    Setup(String),
}

impl AwsError {
    /// The AWS error code, when AWS gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Call { code, .. } => code.as_deref(),
            AwsError::Setup(_) => None,
        }
    }

    pub fn is_access_denied(&self) -> bool {
        self.code().is_some_and(is_access_denied)
    }
}

fn is_access_denied(code: &str) -> bool {
    matches!(
        code,
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "UnauthorizedAccess" | "AuthorizationError" | "KMS.AccessDeniedException"
    )
}

/// Maps a failed SDK call to an [`AwsError`] naming the call and resource, with a hint.
pub(crate) fn call_error<E>(call: &'static str, resource: impl Into<String>, error: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let resource = resource.into();
    let (code, message, hint) = match &error {
        SdkError::DispatchFailure(failure) => {
            let detail = if failure.is_timeout() {
                "timed out"
            } else if failure.is_io() {
                "could not connect"
            } else {
                "could not send the request"
            };
            (None, detail.to_owned(), "check the network, the region, and AWS_ENDPOINT_URL / --endpoint-url if you set one".to_owned())
        }
        SdkError::TimeoutError(_) => (None, "timed out".to_owned(), "AWS did not answer in time; try again, or lower --concurrency".to_owned()),
        SdkError::ConstructionFailure(_) => {
            (None, "the request could not be built".to_owned(), "check the credentials and region configuration (aws configure list)".to_owned())
        }
        _ => {
            let code = error.code().map(str::to_owned);
            let status = error.raw_response().map(|response| response.status().as_u16());
            let message = match (error.message(), code.as_deref(), status) {
                (Some(message), _, _) => message.to_owned(),
                // An answer that is not an AWS error at all (an emulator's 404 page): its
                // status says more than the parser's complaint about the body.
                (None, None, Some(status)) => format!("HTTP {status}, and the body is not an AWS error response: the endpoint may not implement {call}"),
                (None, Some(code), _) => format!("AWS answered {code}, with no message"),
                (None, None, None) => aws_smithy_types::error::display::DisplayErrorContext(&error).to_string(),
            };
            let hint = hint_for(call, code.as_deref());
            (code, message, hint)
        }
    };
    AwsError::Call { call, resource, code, message, hint }
}

fn hint_for(call: &str, code: Option<&str>) -> String {
    match code {
        Some(code) if is_access_denied(code) => {
            format!("the credentials may not call {call}: grant the IAM action `{call}` (docs/permissions.md lists every action holdfast uses)")
        }
        Some("ExpiredToken" | "ExpiredTokenException" | "RequestExpired") => "the credentials have expired: refresh them (for SSO: aws sso login)".to_owned(),
        Some("InvalidClientTokenId" | "UnrecognizedClientException" | "InvalidAccessKeyId" | "SignatureDoesNotMatch" | "AuthFailure") => {
            "the credentials are not valid for this account: check AWS_PROFILE / --profile and the access key".to_owned()
        }
        Some("ThrottlingException" | "Throttling" | "RequestLimitExceeded" | "TooManyRequestsException" | "SlowDown") => {
            "AWS throttled the requests even after retries: lower --concurrency, or run fewer accounts at once".to_owned()
        }
        Some(code) => format!("AWS answered {code}"),
        None => "no error code came back, so the answer may not be AWS's: check the endpoint (AWS_ENDPOINT_URL / --endpoint-url), any proxy, and the region"
            .to_owned(),
    }
}
