//! One apply at a time per account and region, as a lease: an SSM parameter created with
//! `Overwrite = false` (SSM refuses to create it twice) holds a unique lock id, the
//! holder, and when it was last renewed. The running apply renews it; a lock that is not
//! renewed for its lease expires, so a crashed apply's lock can be told from a live one.
//! Releasing and breaking a lock name its id, so neither can remove a newer holder's lock.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_ssm::operation::delete_parameter::DeleteParameterError;
use aws_sdk_ssm::operation::get_parameter::GetParameterError;
use aws_sdk_ssm::operation::put_parameter::PutParameterError;
use aws_sdk_ssm::types::ParameterType;
use serde::{Deserialize, Serialize};

// Lock calls take no place among the calls in flight: a renewal must never wait behind a
// slow call, or the lease would lapse under a live apply.
use crate::Aws;
use crate::error::{AwsError, call_error};

pub const LOCK_PARAMETER: &str = "/holdfast/apply-lock";

/// How long a lock lives without renewal, unless `HOLDFAST_LOCK_LEASE_SECONDS` says otherwise.
pub const DEFAULT_LEASE_SECONDS: u64 = 60;

/// What the lock parameter holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// Unique per apply: `holdfast apply --force-unlock ID` names it.
    pub id: String,
    /// Who applies: the AWS identity, host and process.
    pub holder: String,
    /// Seconds since the Unix epoch, by the holder's clock.
    pub acquired_at: u64,
    pub renewed_at: u64,
    pub lease_seconds: u64,
}

impl Lease {
    /// True when the holder stopped renewing it for longer than the lease.
    pub fn expired(&self, now: u64) -> bool {
        now > self.renewed_at.saturating_add(self.lease_seconds)
    }

    /// "held by X since N s, renewed N s ago (lease 60 s)".
    pub fn describe(&self, now: u64) -> String {
        let state = if self.expired(now) { "EXPIRED: its holder stopped renewing it" } else { "live: its holder is renewing it" };
        format!(
            "lock {} held by {}, taken {} s ago, renewed {} s ago, lease {} s ({state})",
            self.id,
            self.holder,
            now.saturating_sub(self.acquired_at),
            now.saturating_sub(self.renewed_at),
            self.lease_seconds
        )
    }
}

/// The lock as found: a lease, or text some other writer left there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Lease(Lease),
    /// Not a lease holdfast wrote; its id for `--force-unlock` is `unknown`.
    Unreadable(String),
}

impl Found {
    pub fn id(&self) -> &str {
        match self {
            Found::Lease(lease) => &lease.id,
            Found::Unreadable(_) => "unknown",
        }
    }

    pub fn describe(&self, now: u64) -> String {
        match self {
            Found::Lease(lease) => lease.describe(now),
            Found::Unreadable(text) => format!("lock unknown, not written by this holdfast: {text}"),
        }
    }

    /// A lease still being renewed; a lock holdfast cannot read counts as live.
    pub fn is_live(&self, now: u64) -> bool {
        match self {
            Found::Lease(lease) => !lease.expired(now),
            Found::Unreadable(_) => true,
        }
    }
}

pub enum Acquired {
    Yes(Lease),
    HeldBy(Found),
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

/// The lease length: `HOLDFAST_LOCK_LEASE_SECONDS`, or 60 s.
pub fn lease_seconds() -> u64 {
    std::env::var("HOLDFAST_LOCK_LEASE_SECONDS").ok().and_then(|value| value.parse().ok()).filter(|seconds| *seconds >= 1).unwrap_or(DEFAULT_LEASE_SECONDS)
}

fn new_id() -> Result<String, AwsError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|error| AwsError::Setup(format!("no randomness for a lock id: {error}")))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

fn text(lease: &Lease) -> String {
    serde_json::to_string(lease).expect("a lease always serialises")
}

pub async fn acquire(aws: &Aws, holder: &str, lease_seconds: u64) -> Result<Acquired, AwsError> {
    let now = now();
    let lease = Lease { id: new_id()?, holder: holder.to_owned(), acquired_at: now, renewed_at: now, lease_seconds };
    let attempt = {
        aws.lock_ssm
            .put_parameter()
            .name(LOCK_PARAMETER)
            .r#type(ParameterType::String)
            .value(text(&lease))
            .description("holdfast apply in progress; `holdfast apply --force-unlock LOCK_ID` removes one whose lease expired")
            .overwrite(false)
            .send()
            .await
    };
    match attempt {
        Ok(_) => Ok(Acquired::Yes(lease)),
        Err(error) if matches!(error.as_service_error(), Some(PutParameterError::ParameterAlreadyExists(_))) => match read(aws).await? {
            Some(found) => Ok(Acquired::HeldBy(found)),
            // Released between the two calls: try once more.
            None => Box::pin(acquire(aws, holder, lease_seconds)).await,
        },
        Err(error) => Err(call_error("ssm:PutParameter", LOCK_PARAMETER, error)),
    }
}

/// The lock as it is now, if there is one.
pub async fn read(aws: &Aws) -> Result<Option<Found>, AwsError> {
    match aws.lock_ssm.get_parameter().name(LOCK_PARAMETER).send().await {
        Ok(output) => {
            let value = output.parameter().and_then(|parameter| parameter.value()).unwrap_or_default();
            Ok(Some(serde_json::from_str(value).map_or_else(|_| Found::Unreadable(value.to_owned()), Found::Lease)))
        }
        Err(error) if matches!(error.as_service_error(), Some(GetParameterError::ParameterNotFound(_))) => Ok(None),
        Err(error) => Err(call_error("ssm:GetParameter", LOCK_PARAMETER, error)),
    }
}

pub enum Renewal {
    Renewed,
    /// Someone broke the lock, and perhaps took it: stop starting changes.
    Lost(Option<Found>),
}

/// Renews our lease, after checking the lock is still ours.
pub async fn renew(aws: &Aws, lease: &mut Lease) -> Result<Renewal, AwsError> {
    match read(aws).await? {
        Some(Found::Lease(found)) if found.id == lease.id => {}
        other => return Ok(Renewal::Lost(other)),
    }
    lease.renewed_at = now();
    aws.lock_ssm
        .put_parameter()
        .name(LOCK_PARAMETER)
        .r#type(ParameterType::String)
        .value(text(lease))
        .overwrite(true)
        .send()
        .await
        .map_err(|error| call_error("ssm:PutParameter", LOCK_PARAMETER, error))?;
    Ok(Renewal::Renewed)
}

pub enum Released {
    Yes,
    /// The lock is someone else's now (ours was broken): left alone.
    NotOurs(Found),
    AlreadyGone,
}

/// Removes the lock only if it is the one with this id.
pub async fn release(aws: &Aws, id: &str) -> Result<Released, AwsError> {
    match read(aws).await? {
        None => Ok(Released::AlreadyGone),
        Some(found) if found.id() != id => Ok(Released::NotOurs(found)),
        Some(_) => delete(aws).await,
    }
}

pub enum Unlocked {
    Yes(Found),
    NotLocked,
    /// The lock has another id: breaking it could break a newer apply's lock.
    OtherId(Found),
    /// The lease is being renewed: its holder looks alive.
    Live(Found),
}

/// Breaks the lock with this id, if its lease expired or `even_if_live` says so.
pub async fn force_unlock(aws: &Aws, id: &str, even_if_live: bool) -> Result<Unlocked, AwsError> {
    let Some(found) = read(aws).await? else { return Ok(Unlocked::NotLocked) };
    if found.id() != id {
        return Ok(Unlocked::OtherId(found));
    }
    if found.is_live(now()) && !even_if_live {
        return Ok(Unlocked::Live(found));
    }
    delete(aws).await?;
    Ok(Unlocked::Yes(found))
}

async fn delete(aws: &Aws) -> Result<Released, AwsError> {
    match aws.lock_ssm.delete_parameter().name(LOCK_PARAMETER).send().await {
        Ok(_) => Ok(Released::Yes),
        Err(error) if matches!(error.as_service_error(), Some(DeleteParameterError::ParameterNotFound(_))) => Ok(Released::AlreadyGone),
        Err(error) => Err(call_error("ssm:DeleteParameter", LOCK_PARAMETER, error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_expires_only_after_its_length_without_renewal() {
        let lease = Lease { id: "abc".into(), holder: "me".into(), acquired_at: 100, renewed_at: 160, lease_seconds: 60 };
        assert!(!lease.expired(220));
        assert!(lease.expired(221));
        assert!(Found::Lease(lease.clone()).is_live(200));
        assert!(Found::Unreadable("by hand".into()).is_live(10_000), "a lock holdfast cannot read is never assumed dead");
        assert!(lease.describe(230).contains("EXPIRED"));
    }
}
