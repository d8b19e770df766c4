//! The live state of an AWS account as plain structs, and its versioned JSON snapshot.
//!
//! Nothing here talks to AWS or to disks: `crates/aws` fills these structs, and the
//! planner reads them. Secret values never enter: container environment values and
//! SSM parameter values are kept only as salted hashes ([`secret`]).

pub mod aurora;
pub mod census;
pub mod cloudtrail;
pub mod config;
pub mod ecs;
pub mod elb;
pub mod guardduty;
pub mod iam;
pub mod kms;
pub mod policy;
pub mod s3;
pub mod secret;
pub mod securityhub;
pub mod ssm;
pub mod vpc;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use secret::{Salt, SecretHash};

/// Resource tags, sorted by key.
pub type Tags = BTreeMap<String, String>;

/// The snapshot format this build writes and reads. Version 2 records what was read;
/// version 4 adds what the audit reads (IAM, Aurora members, high-entropy variables);
/// version 5 what an Aurora migration needs; version 6 the usage cost estimates price
/// (task sizes, running counts, ACU use, bucket storage, flow-log volume).
pub const FORMAT_VERSION: u32 = 6;
/// Versions 2 and 3 read as version 4: every value they hold means the same there.
const READABLE_VERSIONS: std::ops::RangeInclusive<u64> = 2..=6;

/// One account and region as read at one moment; serialised, it is a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub format_version: u32,
    pub account_id: String,
    pub region: String,
    /// RFC 3339, UTC.
    pub taken_at: String,
    /// The key of every [`SecretHash`] in this snapshot.
    pub salt: Salt,
    /// What the read covered: a plan needs everything its desired state selects read.
    pub coverage: Coverage,
    #[serde(default)]
    pub ecs: ecs::Ecs,
    #[serde(default)]
    pub aurora: aurora::Aurora,
    #[serde(default)]
    pub s3: s3::S3,
    #[serde(default)]
    pub ssm: ssm::Ssm,
    #[serde(default)]
    pub vpc: vpc::Vpcs,
    #[serde(default)]
    pub kms: kms::Kms,
    #[serde(default)]
    pub cloudtrail: cloudtrail::CloudTrail,
    #[serde(default)]
    pub guardduty: guardduty::GuardDuty,
    #[serde(default)]
    pub securityhub: securityhub::SecurityHub,
    #[serde(default)]
    pub config: config::Config,
    #[serde(default)]
    pub elb: elb::Elb,
    /// Reads that failed, by kind (`aurora`, `iam`, ...), with the error: only the audit's
    /// read goes on past a failure, and reports those checks as not assessed.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub read_errors: BTreeMap<String, String>,
    /// IAM users and the root user, read by `holdfast audit` alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam: Option<iam::Iam>,
    /// Every resource of the managed kinds, selected or not; read by `holdfast drift`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub census: Option<census::Census>,
}

/// What one read of the account covered, as the keys `holdfast_desired::reads` gives:
/// `s3.bucket.lifecycle NAME`, `ssm.parameter NAME`, ... A plan made from a snapshot
/// refuses to treat as absent what the snapshot never looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// A complete description of the account (the shipped example).
    Everything,
    Reads(std::collections::BTreeSet<String>),
}

impl Coverage {
    pub fn covers(&self, key: &str) -> bool {
        match self {
            Coverage::Everything => true,
            Coverage::Reads(keys) => keys.contains(key),
        }
    }

    /// Version 2 read every selected bucket's tags, every named parameter's value and
    /// the whole key list with the aliases, which version 3 records as reads of their own.
    fn upgrade_from_version_2(&mut self) {
        let Coverage::Reads(keys) = self else { return };
        let implied: Vec<String> = keys
            .iter()
            .filter_map(|key| {
                key.strip_prefix("s3.bucket ")
                    .map(|glob| format!("s3.bucket.tags {glob}"))
                    .or_else(|| key.strip_prefix("ssm.parameter ").map(|name| format!("ssm.parameter.value {name}")))
                    .or_else(|| (key == "kms.keys").then(|| "kms.key_list".to_owned()))
            })
            .collect();
        keys.extend(implied);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    // The parser's own message follows as the error's source: not repeated here.
    #[error("the snapshot is not valid JSON of the holdfast snapshot format")]
    Malformed(#[from] serde_json::Error),
    #[error("the snapshot has format_version {found}; this holdfast reads versions 2 to {FORMAT_VERSION}: take a new one with `holdfast snapshot`")]
    UnsupportedVersion { found: u64 },
}

impl Inventory {
    pub fn new(account_id: &str, region: &str, taken_at: &str, salt: Salt) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            taken_at: taken_at.to_owned(),
            salt,
            coverage: Coverage::Reads(Default::default()),
            ecs: ecs::Ecs::default(),
            aurora: aurora::Aurora::default(),
            s3: s3::S3::default(),
            ssm: ssm::Ssm::default(),
            vpc: vpc::Vpcs::default(),
            kms: kms::Kms::default(),
            cloudtrail: cloudtrail::CloudTrail::default(),
            guardduty: guardduty::GuardDuty::default(),
            securityhub: securityhub::SecurityHub::default(),
            config: config::Config::default(),
            elb: elb::Elb::default(),
            read_errors: BTreeMap::new(),
            iam: None,
            census: None,
        }
    }

    /// Parses a snapshot, refusing versions this build does not know.
    pub fn from_snapshot(json: &str) -> Result<Self, SnapshotError> {
        #[derive(Deserialize)]
        struct Version {
            format_version: u64,
        }
        let version: Version = serde_json::from_str(json)?;
        if !READABLE_VERSIONS.contains(&version.format_version) {
            return Err(SnapshotError::UnsupportedVersion { found: version.format_version });
        }
        let mut inventory: Inventory = serde_json::from_str(json)?;
        if version.format_version == 2 {
            inventory.coverage.upgrade_from_version_2();
        }
        inventory.format_version = FORMAT_VERSION;
        inventory.sort();
        Ok(inventory)
    }

    /// The snapshot text: pretty JSON, every list sorted, so equal inventories give equal bytes.
    pub fn to_snapshot(&self) -> String {
        let mut sorted = self.clone();
        sorted.sort();
        let mut text = serde_json::to_string_pretty(&sorted).expect("an inventory always serialises");
        text.push('\n');
        text
    }

    /// Puts every list in name order, so plans and snapshots do not depend on read order.
    pub fn sort(&mut self) {
        self.ecs.sort();
        self.aurora.clusters.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        if let Some(snapshots) = &mut self.aurora.snapshots {
            snapshots.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        }
        if let Some(databases) = &mut self.aurora.other_databases {
            databases.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        }
        self.s3.buckets.sort_by(|a, b| a.name.cmp(&b.name));
        self.ssm.parameters.sort_by(|a, b| a.name.cmp(&b.name));
        self.vpc.vpcs.sort_by(|a, b| a.id.cmp(&b.id));
        self.kms.aliases.sort_by(|a, b| a.name.cmp(&b.name));
        self.kms.keys.sort_by(|a, b| a.id.cmp(&b.id));
        self.s3.names.sort();
        self.s3.elsewhere.sort();
        self.ecs.capacity_providers.sort();
        self.cloudtrail.trails.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.config.recorders.sort_by(|a, b| a.name.cmp(&b.name));
        self.config.channels.sort_by(|a, b| a.name.cmp(&b.name));
        self.elb.load_balancers.sort_by(|a, b| a.arn.cmp(&b.arn));
        if let Some(standards) = self.securityhub.hub.as_mut().and_then(|hub| hub.standards.as_mut()) {
            standards.sort_by(|a, b| a.standards_arn.cmp(&b.standards_arn));
        }
        if let Some(iam) = &mut self.iam {
            iam.users.sort_by(|a, b| a.name.cmp(&b.name));
        }
        if let Some(census) = &mut self.census {
            census.sort();
        }
    }
}
