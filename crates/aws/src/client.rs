//! Client construction: one `SdkConfig` from the standard chain (environment,
//! profiles, SSO, IMDS), shared by every client, with adaptive retry for throttling.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_config::{BehaviorVersion, Region};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::RetryConfig;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::{AwsError, call_error};

/// How to reach the account. Every field left None falls back to the standard chain.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    /// Also taken from `AWS_ENDPOINT_URL` by the SDK itself.
    pub endpoint_url: Option<String>,
    /// At most this many AWS calls in flight at once.
    pub concurrency: usize,
    /// Work in another account through a role the credentials may assume.
    pub assume_role: Option<AssumeRole>,
}

/// A role to assume with STS before anything else, as `holdfast drift --accounts` does.
#[derive(Debug, Clone)]
pub struct AssumeRole {
    pub role_arn: String,
    pub external_id: Option<String>,
}

/// Clients for every service holdfast uses, sharing one configuration.
#[derive(Debug, Clone)]
pub struct Aws {
    pub(crate) ecs: aws_sdk_ecs::Client,
    pub(crate) rds: aws_sdk_rds::Client,
    pub(crate) s3: aws_sdk_s3::Client,
    pub(crate) ssm: aws_sdk_ssm::Client,
    pub(crate) lock_ssm: aws_sdk_ssm::Client,
    pub(crate) ec2: aws_sdk_ec2::Client,
    pub(crate) kms: aws_sdk_kms::Client,
    pub(crate) iam: aws_sdk_iam::Client,
    pub(crate) sts: aws_sdk_sts::Client,
    pub(crate) cloudtrail: aws_sdk_cloudtrail::Client,
    pub(crate) config: aws_sdk_config::Client,
    pub(crate) guardduty: aws_sdk_guardduty::Client,
    pub(crate) securityhub: aws_sdk_securityhub::Client,
    pub(crate) elb: aws_sdk_elasticloadbalancingv2::Client,
    region: String,
    /// For clients of services in other regions (an SNS topic elsewhere).
    pub(crate) sdk_config: aws_config::SdkConfig,
    calls: ApiCalls,
    limit: Arc<Semaphore>,
    concurrency: usize,
}

impl Aws {
    pub async fn connect(options: &ConnectOptions) -> Result<Aws, AwsError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry_config()?);
        if let Some(profile) = &options.profile {
            // An explicit profile wins over AWS_ACCESS_KEY_ID in the environment, as in
            // the AWS CLI: the default chain would read the environment first.
            let credentials = aws_config::profile::ProfileFileCredentialsProvider::builder().profile_name(profile).build();
            loader = loader.profile_name(profile).credentials_provider(credentials);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(endpoint) = &options.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        let mut config = loader.load().await;
        if let Some(role) = &options.assume_role {
            // The role's temporary credentials replace the chain's for every client.
            let mut provider = aws_config::sts::AssumeRoleProvider::builder(&role.role_arn).session_name("holdfast").configure(&config);
            if let Some(external_id) = &role.external_id {
                provider = provider.external_id(external_id);
            }
            let provider = provider.build().await;
            config = config.into_builder().credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(provider)).build();
        }
        let region = config
            .region()
            .map(ToString::to_string)
            .ok_or_else(|| AwsError::Setup("no AWS region is configured: give [account] region in the desired state, --region, or AWS_REGION".to_owned()))?;
        // A misspelt region would be retried as a server error, call after call.
        if !holdfast_desired::account::looks_like_region(&region) {
            return Err(AwsError::Setup(format!("`{region}` is not an AWS region name\n  hint: regions look like `us-east-1` or `eu-central-2`")));
        }
        check_credentials(&config, options.profile.as_deref(), options.assume_role.as_ref()).await?;
        let calls = ApiCalls::new();
        // An emulator or proxy serves buckets on its own host, not on bucket subdomains.
        let path_style = config.endpoint_url().is_some();
        Ok(Aws {
            ecs: aws_sdk_ecs::Client::from_conf(aws_sdk_ecs::config::Builder::from(&config).interceptor(calls.clone()).build()),
            rds: aws_sdk_rds::Client::from_conf(aws_sdk_rds::config::Builder::from(&config).interceptor(calls.clone()).build()),
            s3: aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(path_style).interceptor(calls.clone()).build()),
            ssm: aws_sdk_ssm::Client::from_conf(aws_sdk_ssm::config::Builder::from(&config).interceptor(calls.clone()).build()),
            // The apply lock's lease must be renewed on time whatever the reads meet: its
            // own retry partition keeps it out of the rate limiter that SSM throttling of
            // the reads slows down, and its attempts are few so a renewal answers in time.
            lock_ssm: aws_sdk_ssm::Client::from_conf(
                aws_sdk_ssm::config::Builder::from(&config)
                    .retry_config(RetryConfig::standard().with_max_attempts(4))
                    .retry_partition(aws_sdk_ssm::config::retry::RetryPartition::new("holdfast-apply-lock"))
                    .interceptor(calls.clone())
                    .build(),
            ),
            ec2: aws_sdk_ec2::Client::from_conf(aws_sdk_ec2::config::Builder::from(&config).interceptor(calls.clone()).build()),
            kms: aws_sdk_kms::Client::from_conf(aws_sdk_kms::config::Builder::from(&config).interceptor(calls.clone()).build()),
            iam: aws_sdk_iam::Client::from_conf(aws_sdk_iam::config::Builder::from(&config).interceptor(calls.clone()).build()),
            sts: aws_sdk_sts::Client::from_conf(aws_sdk_sts::config::Builder::from(&config).interceptor(calls.clone()).build()),
            cloudtrail: aws_sdk_cloudtrail::Client::from_conf(aws_sdk_cloudtrail::config::Builder::from(&config).interceptor(calls.clone()).build()),
            config: aws_sdk_config::Client::from_conf(aws_sdk_config::config::Builder::from(&config).interceptor(calls.clone()).build()),
            guardduty: aws_sdk_guardduty::Client::from_conf(aws_sdk_guardduty::config::Builder::from(&config).interceptor(calls.clone()).build()),
            securityhub: aws_sdk_securityhub::Client::from_conf(aws_sdk_securityhub::config::Builder::from(&config).interceptor(calls.clone()).build()),
            elb: aws_sdk_elasticloadbalancingv2::Client::from_conf(
                aws_sdk_elasticloadbalancingv2::config::Builder::from(&config).interceptor(calls.clone()).build(),
            ),
            region,
            sdk_config: config,
            calls,
            limit: Arc::new(Semaphore::new(options.concurrency.max(1))),
            concurrency: options.concurrency.max(1),
        })
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// Who the credentials are (STS GetCallerIdentity): the account, and the ARN that
    /// names the caller in a lock.
    pub async fn identity(&self) -> Result<Identity, AwsError> {
        let _permit = self.permit().await;
        let identity = self.sts.get_caller_identity().send().await.map_err(|error| call_error("sts:GetCallerIdentity", "the credentials", error))?;
        let account_id = identity.account.ok_or_else(|| AwsError::Setup("STS GetCallerIdentity returned no account id".to_owned()))?;
        Ok(Identity { account_id, arn: identity.arn.unwrap_or_default() })
    }

    /// Waits for a place among the calls in flight.
    pub(crate) async fn permit(&self) -> SemaphorePermit<'_> {
        self.limit.acquire().await.expect("the semaphore is never closed")
    }

    /// HTTP requests sent so far, retries included, by service and operation.
    pub fn api_calls(&self) -> BTreeMap<(String, String), usize> {
        self.api_stats().into_iter().map(|(key, count)| (key, count.attempts)).collect()
    }

    /// Calls made so far by service and operation: each call once, and every HTTP
    /// request it took (a retried call takes several).
    pub fn api_stats(&self) -> BTreeMap<(String, String), CallCount> {
        self.calls.counts.lock().expect("the counter lock is never poisoned").clone()
    }

    /// The most calls this connection lets be in flight at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// The interceptor every client of this connection counts its calls with.
    pub(crate) fn calls(&self) -> ApiCalls {
        self.calls.clone()
    }
}

/// Adaptive retry unless `AWS_RETRY_MODE` says `standard` (or `legacy`, read as standard):
/// adaptive paces requests with a client-side rate limiter once AWS throttles, and
/// retries; `AWS_MAX_ATTEMPTS` sets the attempts (default 8).
fn retry_config() -> Result<RetryConfig, AwsError> {
    let attempts = match std::env::var("AWS_MAX_ATTEMPTS") {
        Ok(value) => value.trim().parse::<u32>().ok().filter(|attempts| *attempts >= 1).ok_or_else(|| {
            AwsError::Setup(format!("AWS_MAX_ATTEMPTS is `{value}`: it must be a whole number of attempts from 1 to {} (holdfast's default is 8)", u32::MAX))
        })?,
        Err(_) => 8,
    };
    let config = match std::env::var("AWS_RETRY_MODE").map(|mode| mode.trim().to_ascii_lowercase()) {
        Err(_) => RetryConfig::adaptive(),
        Ok(mode) if mode == "adaptive" || mode.is_empty() => RetryConfig::adaptive(),
        Ok(mode) if mode == "standard" || mode == "legacy" => RetryConfig::standard(),
        Ok(mode) => {
            return Err(AwsError::Setup(format!(
                "AWS_RETRY_MODE is `{mode}`: it must be adaptive (holdfast's default) or standard (legacy is read as standard)"
            )));
        }
    };
    Ok(config.with_max_attempts(attempts))
}

/// The caller, as STS names it.
#[derive(Debug, Clone)]
pub struct Identity {
    pub account_id: String,
    pub arn: String,
}

/// Resolves the credentials before any call, so "no credentials" and "no such profile"
/// are said as such, not as a network failure of the first request.
async fn check_credentials(config: &aws_config::SdkConfig, profile: Option<&str>, role: Option<&AssumeRole>) -> Result<(), AwsError> {
    use aws_credential_types::provider::ProvideCredentials;
    use aws_credential_types::provider::error::CredentialsError;
    let Some(provider) = config.credentials_provider() else {
        return Err(AwsError::Setup("no AWS credentials provider is configured".to_owned()));
    };
    let error = match provider.provide_credentials().await {
        Ok(_) => return Ok(()),
        Err(error) => error,
    };
    let detail = aws_smithy_types::error::display::DisplayErrorContext(&error).to_string();
    if let Some(role) = role {
        return Err(AwsError::Setup(format!(
            "cannot assume the role {}: {detail}\n  hint: check the role ARN and that the STS endpoint is reachable; the role's trust policy must allow these credentials to call sts:AssumeRole (with the external id, when one is set)",
            role.role_arn
        )));
    }
    Err(AwsError::Setup(match (profile, &error) {
        (Some(profile), _) => format!(
            "the credentials of profile `{profile}` could not be loaded: {detail}\n  hint: check that ~/.aws/config or ~/.aws/credentials defines [profile {profile}] (`aws configure list-profiles`), and log in if it uses SSO (`aws sso login --profile {profile}`)"
        ),
        (None, CredentialsError::CredentialsNotLoaded(_)) => format!(
            "no AWS credentials were found: {detail}\n  hint: pass --profile or set AWS_PROFILE, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them"
        ),
        (None, _) => format!(
            "no AWS credentials could be loaded: {detail}\n  hint: pass --profile or set AWS_PROFILE, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them"
        ),
    }))
}

/// Counts every attempt each client sends, so reading can be measured call by call.
/// With `HOLDFAST_RECORD_CALLS=FILE`, each is also appended to FILE as a JSON line as it
/// is sent: how the tests prove a drift check read-only, and check `holdfast iam-policy`.
#[derive(Debug, Clone)]
pub(crate) struct ApiCalls {
    counts: Arc<Mutex<BTreeMap<(String, String), CallCount>>>,
    record: Option<Arc<Mutex<std::fs::File>>>,
}

impl ApiCalls {
    fn new() -> Self {
        let record = std::env::var_os("HOLDFAST_RECORD_CALLS")
            .and_then(|path| std::fs::OpenOptions::new().create(true).append(true).open(path).ok())
            .map(|file| Arc::new(Mutex::new(file)));
        Self { counts: Arc::default(), record }
    }
}

/// One operation's calls, and the HTTP requests they took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallCount {
    pub calls: usize,
    /// Requests sent, the first attempt of each call included.
    pub attempts: usize,
}

impl CallCount {
    /// Requests beyond each call's first: throttling, server errors, broken connections.
    pub fn retries(&self) -> usize {
        self.attempts.saturating_sub(self.calls)
    }
}

fn operation_key(cfg: &ConfigBag) -> (String, String) {
    cfg.load::<Metadata>().map_or_else(|| ("unknown".to_owned(), "unknown".to_owned()), |metadata| (metadata.service().to_owned(), metadata.name().to_owned()))
}

impl Intercept for ApiCalls {
    fn name(&self) -> &'static str {
        "holdfast::ApiCalls"
    }

    // Once per call, however many attempts it took (the operation's name is not yet in
    // the bag before the call executes).
    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.counts.lock().expect("the counter lock is never poisoned").entry(operation_key(cfg)).or_default().calls += 1;
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let key = operation_key(cfg);
        if let Some(record) = &self.record {
            use std::io::Write;
            let line = serde_json::json!({ "service": key.0, "operation": key.1 }).to_string();
            let _ = writeln!(record.lock().expect("the record lock is never poisoned"), "{line}");
        }
        self.counts.lock().expect("the counter lock is never poisoned").entry(key).or_default().attempts += 1;
        Ok(())
    }
}
