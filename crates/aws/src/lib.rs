//! The one place holdfast talks to AWS: client construction, reading the inventory,
//! and SDK errors turned into errors that say what to do.
//!
//! Reading is derived from the desired state: only the kinds it declares are read,
//! lists are filtered by its globs before anything is described, batches are as large
//! as each API takes, and independent calls run concurrently under one bound.

pub mod aurora;
mod client;
pub mod ecs;
pub mod error;
pub mod iam;
pub mod kms;
pub mod lock;
pub mod progress;
pub mod s3;
pub mod ssm;
pub mod vpc;

use std::time::SystemTime;

use aws_smithy_types::date_time::{DateTime, Format};
use holdfast_desired::Desired;
use holdfast_inventory::{Coverage, Inventory, Salt};

pub use client::{Aws, ConnectOptions, Identity};
pub use error::AwsError;
pub use progress::{Progress, Silent};

/// Reads what the desired state can select into an inventory, stamped with the
/// account, region, time, and a fresh salt for its secret hashes.
pub async fn read_inventory(aws: &Aws, account_id: &str, desired: &Desired, progress: &dyn Progress) -> Result<Inventory, AwsError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|error| AwsError::Setup(format!("no randomness for the snapshot salt: {error}")))?;
    let salt = Salt::from_bytes(&salt);
    let taken_at = timestamp_now()?;
    let mut inventory = Inventory::new(account_id, aws.region(), &taken_at, salt.clone());
    let (ecs, aurora, s3, ssm, vpc, kms) = tokio::try_join!(
        ecs::read(aws, desired, &salt, progress),
        aurora::read(aws, desired, progress),
        s3::read(aws, desired, progress),
        ssm::read(aws, desired, &salt, progress),
        vpc::read(aws, desired, progress),
        kms::read(aws, desired),
    )?;
    inventory.ecs = ecs;
    inventory.aurora = aurora;
    inventory.s3 = s3;
    inventory.ssm = ssm;
    inventory.vpc = vpc;
    inventory.kms = kms;
    let missing: Vec<String> = holdfast_desired::reads::parameter_names(desired)
        .into_iter()
        .filter(|name| !inventory.ssm.parameters.iter().any(|parameter| &parameter.name == name))
        .collect();
    if !missing.is_empty() {
        ecs::read_revisions_before_moves(aws, &mut inventory.ecs, &missing, &salt).await?;
    }
    inventory.coverage = Coverage::Reads(holdfast_desired::reads(desired).into_iter().map(|read| read.key).collect());
    inventory.sort();
    Ok(inventory)
}

/// Now, in RFC 3339 (UTC).
pub fn timestamp_now() -> Result<String, AwsError> {
    DateTime::from(SystemTime::now()).fmt(Format::DateTime).map_err(|error| AwsError::Setup(error.to_string()))
}
