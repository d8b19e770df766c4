//! The one place holdfast talks to AWS: client construction, reading the inventory,
//! and SDK errors turned into errors that say what to do.
//!
//! Reading is derived from the desired state: only the kinds it declares are read,
//! lists are filtered by its globs before anything is described, batches are as large
//! as each API takes, and independent calls run concurrently under one bound.

pub mod aurora;
mod client;
pub mod cloudtrail;
pub mod config;
pub mod ecs;
pub mod elb;
pub mod error;
pub mod guardduty;
pub mod iam;
pub mod kms;
pub mod lock;
mod metrics;
pub mod notify;
pub mod objects;
pub mod permissions;
pub mod pricing;
pub mod progress;
pub mod s3;
pub mod securityhub;
pub mod ssm;
pub mod vpc;

use std::time::SystemTime;

use aws_smithy_types::date_time::{DateTime, Format};
use holdfast_desired::Desired;
use holdfast_inventory::census::Census;
use holdfast_inventory::{Coverage, Inventory, Salt};

pub use client::{AssumeRole, Aws, CallCount, ConnectOptions, Identity};
pub use error::AwsError;
pub use progress::{Progress, Silent};

/// What to read beyond what the desired state selects.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The name of every resource of the managed kinds, for a coverage report.
    pub census: bool,
    /// Everything `holdfast audit` checks, across the whole account: every bucket,
    /// cluster, VPC, service's task definition, trail and parameter, the region's
    /// security services, and IAM's credential report.
    pub audit: bool,
    /// Everything `holdfast import` writes, across the whole account: the audit's read
    /// (without IAM's credential report), every bucket's lifecycle rules, every load
    /// balancer, and every key with an alias. Failures are tolerated the same way.
    pub import: bool,
    /// With `import`, read only these kinds (`ecs`, `s3`, ...); None for all.
    pub kinds: Option<Vec<&'static str>>,
}

impl ReadOptions {
    /// Whether an import reads this kind (`ecs`, `s3`, ...): every kind unless `kinds` says.
    fn wants(&self, kind: &str) -> bool {
        self.kinds.as_ref().is_none_or(|kinds| kinds.contains(&kind))
    }
}

/// The kinds that name KMS keys: importing any reads the account's keys and aliases, so
/// the keys they name can be told by alias.
const KEYED: [&str; 5] = ["kms", "s3", "ssm", "aurora", "cloudtrail"];

/// The coverage keys of the audit's reads beyond the desired state's own.
pub const AUDIT_READS: &[&str] = &["aurora.other_databases", "cloudtrail.trails", "ssm.parameter_list", "iam.credentials"];

/// Reads what the desired state can select into an inventory, stamped with the
/// account, region, time, and a fresh salt for its secret hashes.
pub async fn read_inventory(aws: &Aws, account_id: &str, desired: &Desired, progress: &dyn Progress) -> Result<Inventory, AwsError> {
    read_inventory_with(aws, account_id, desired, progress, ReadOptions::default()).await
}

/// [`read_inventory`], reading what `options` asks for as well.
pub async fn read_inventory_with(aws: &Aws, account_id: &str, desired: &Desired, progress: &dyn Progress, options: ReadOptions) -> Result<Inventory, AwsError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|error| AwsError::Setup(format!("no randomness for the snapshot salt: {error}")))?;
    let salt = Salt::from_bytes(&salt);
    let taken_at = timestamp_now()?;
    let mut inventory = Inventory::new(account_id, aws.region(), &taken_at, salt.clone());
    let census = options.census;
    // The audit reports what it could not read, kind by kind, rather than nothing at all;
    // every other read stops at the first failure.
    let whole_account = options.audit || options.import;
    let failures = Failures { audit: whole_account, failed: std::sync::Mutex::new(Vec::new()) };
    let scoped;
    let desired = if options.import {
        let mut import_scope = desired.with_import_scope();
        if let Some(kinds) = &options.kinds {
            import_scope.keep_kinds(kinds);
        }
        scoped = import_scope;
        &scoped
    } else if options.audit {
        scoped = desired.with_audit_scope();
        &scoped
    } else {
        desired
    };
    // The census lists this region's buckets itself only when reading S3 does not.
    let own_bucket_listing = census && !holdfast_desired::reads::needs_bucket_names(desired);
    let ((ecs, services), (aurora, clusters), (s3, regional_buckets), census_buckets, ssm, (vpc, vpcs), kms, cloudtrail, guardduty, securityhub, config, elb) =
        tokio::try_join!(
            tolerant(&failures, "ecs", ecs::read(aws, desired, &salt, progress, census, whole_account)),
            tolerant(&failures, "aurora", aurora::read(aws, desired, progress, census, whole_account)),
            tolerant(&failures, "s3", s3::read(aws, desired, progress)),
            async { if own_bucket_listing { s3::census(aws).await.map(Some) } else { Ok(None) } },
            tolerant(&failures, "ssm", ssm::read(aws, desired, &salt, progress)),
            tolerant(&failures, "vpc", vpc::read(aws, desired, progress, census)),
            tolerant(&failures, "kms", kms::read(aws, desired, options.import && KEYED.iter().any(|kind| options.wants(kind)))),
            tolerant(&failures, "cloudtrail", cloudtrail::read(aws, desired, whole_account && options.wants("cloudtrail"))),
            tolerant(&failures, "guardduty", guardduty::read(aws, desired)),
            tolerant(&failures, "securityhub", securityhub::read(aws, desired, whole_account)),
            tolerant(&failures, "config", config::read(aws, desired)),
            tolerant(&failures, "elb", elb::read(aws, desired)),
        )?;
    inventory.ecs = ecs;
    inventory.aurora = aurora;
    inventory.s3 = s3;
    inventory.ssm = ssm;
    inventory.vpc = vpc;
    inventory.kms = kms;
    inventory.cloudtrail = cloudtrail;
    inventory.guardduty = guardduty;
    inventory.securityhub = securityhub;
    inventory.config = config;
    inventory.elb = elb;
    if options.import {
        // Where trails, Config and flow logs deliver is checked against the bucket listing,
        // which reading S3 makes; without S3, it is listed alone.
        if inventory.s3.names.is_empty() && ["vpc", "cloudtrail", "config"].into_iter().any(|kind| options.wants(kind)) {
            inventory.s3.names = tolerant(&failures, "s3", s3::census(aws)).await?;
        }
        // A capacity provider a cluster uses exists: the strategies written name them.
        let attached = inventory.ecs.clusters.iter().flat_map(|cluster| &cluster.capacity_providers);
        let custom: Vec<String> = attached.filter(|provider| !holdfast_desired::ecs::is_fargate(provider)).cloned().collect();
        inventory.ecs.capacity_providers.extend(custom);
        inventory.ecs.capacity_providers.sort();
        inventory.ecs.capacity_providers.dedup();
    }
    if census {
        let buckets = match regional_buckets.or(census_buckets) {
            Some(names) => names,
            // S3 was read with the fallback listing (no region filter at the endpoint).
            None => s3::census(aws).await?,
        };
        inventory.census = Some(Census {
            ecs_services: services.unwrap_or_default(),
            aurora_clusters: clusters.unwrap_or_default(),
            s3_buckets: buckets,
            vpcs: vpcs.unwrap_or_default(),
        });
    }
    let missing: Vec<String> = holdfast_desired::reads::parameter_names(desired)
        .into_iter()
        .filter(|name| !inventory.ssm.parameters.iter().any(|parameter| &parameter.name == name))
        .collect();
    if !missing.is_empty() {
        tolerant(&failures, "ecs", ecs::read_revisions_before_moves(aws, &mut inventory.ecs, &missing, &salt)).await?;
    }
    let mut coverage: std::collections::BTreeSet<String> = holdfast_desired::reads(desired).into_iter().map(|read| read.key).collect();
    if whole_account {
        coverage.extend(AUDIT_READS.iter().filter(|key| options.audit || **key != "iam.credentials").map(|key| (*key).to_owned()));
        let (all_parameters, iam) = tokio::join!(
            tolerant(&failures, "ssm", async { if options.wants("ssm") { ssm::read_all(aws, &mut inventory.ssm).await } else { Ok(()) } }),
            tolerant(&failures, "iam", async { if options.audit { iam::read_credentials(aws).await.map(Some) } else { Ok(None) } })
        );
        all_parameters?;
        inventory.iam = iam?;
        // Which parameters' keys are AWS managed: aliases answer most; DescribeKey the rest.
        let mut references: Vec<String> = inventory.ssm.parameters.iter().filter_map(|parameter| parameter.kms_key.clone()).collect();
        references.sort();
        references.dedup();
        tolerant(&failures, "kms", kms::describe_managers(aws, &mut inventory.kms, &references)).await?;
        // What failed is not covered: the audit says "not assessed", and why.
        for (kind, error) in failures.failed.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
            coverage.retain(|key| !key.starts_with(&format!("{kind}.")) && !key.starts_with(&format!("{kind} ")));
            inventory.read_errors.entry(kind.to_owned()).or_insert(error);
        }
    }
    inventory.coverage = Coverage::Reads(coverage);
    inventory.sort();
    Ok(inventory)
}

/// The reads that failed, by kind, when failures are tolerated (the audit's read).
struct Failures {
    audit: bool,
    failed: std::sync::Mutex<Vec<(&'static str, String)>>,
}

/// A kind's read; in the audit, a failure is recorded and the kind left empty.
async fn tolerant<T: Default>(failures: &Failures, kind: &'static str, read: impl std::future::Future<Output = Result<T, AwsError>>) -> Result<T, AwsError> {
    match read.await {
        Err(error) if failures.audit => {
            failures.failed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((kind, error.to_string()));
            Ok(T::default())
        }
        other => other,
    }
}

/// Now, in RFC 3339 (UTC).
pub fn timestamp_now() -> Result<String, AwsError> {
    DateTime::from(SystemTime::now()).fmt(Format::DateTime).map_err(|error| AwsError::Setup(error.to_string()))
}
