//! The plan as data: what changes, why, what it risks, and what the applier will run.

use serde::{Deserialize, Serialize};

use crate::operation::Operation;

/// The plan file format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// A plan file is checked against a fresh plan; a field this build does not know is an
// edit it could not check, so it is refused rather than ignored.
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub format_version: u32,
    pub account_id: String,
    pub region: String,
    /// When the inventory this plan was made from was read.
    pub snapshot_taken_at: String,
    /// In the order they can be applied: everything a change depends on comes before it.
    pub changes: Vec<Change>,
    pub warnings: Vec<Warning>,
    /// What stops the plan from being applied at all: a reference to something that does
    /// not exist, or a snapshot that did not read what the desired state selects. `plan`
    /// exits 1 and `apply` changes nothing while there is one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Warning>,
    pub summary: Summary,
    /// Changes `--target` / `--exclude` left out of this plan.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub left_out: usize,
    /// The estimated monthly cost of the changes; absent with `--no-cost`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostSummary>,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// `kind/name`, e.g. `ecs.service/CLUSTER/SERVICE`; `--target` globs match it.
    pub address: String,
    pub kind: Kind,
    pub action: Action,
    /// What people call the resource, when the address does not say it (a VPC's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub attributes: Vec<AttributeChange>,
    pub flags: Vec<Flag>,
    /// The desired-state entry that asked for this change, `file:line`.
    pub source: String,
    /// Why a replacement or a manual step is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Things a reviewer should know, such as another tool owning the resource.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Addresses of changes that must be applied first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Exactly what the applier does; it decides nothing else.
    pub operation: Operation,
    /// What the change does to the monthly bill; filled after planning, from prices and
    /// usage the planner never sees (`holdfast-cost`), and never compared by `apply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Estimate>,
}

/// A change's effect on the monthly bill, in US dollars, with the arithmetic behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Estimate {
    /// `after_usd - before_usd`: negative saves.
    pub monthly_usd: f64,
    /// The resource's expected monthly cost now, and once the change is made.
    pub before_usd: f64,
    pub after_usd: f64,
    /// How the figure is reached, as a reviewer checks it:
    /// `2 tasks × (0.5 vCPU × $0.04048 + 1 GB × $0.004445) × 730 h × 70%`.
    pub arithmetic: String,
    /// The usage the figure rests on, each read from the account or assumed:
    /// `2 running tasks (read)`, `assumed: 10 GB of flow logs a month per VPC`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub basis: Vec<String>,
    /// For a cap: the most the resource can cost a month, before and after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst_case: Option<Bound>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bound {
    pub before_usd: f64,
    pub after_usd: f64,
}

/// The plan's estimated effect on the monthly bill: the sum of its changes' estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostSummary {
    /// `after_usd - before_usd`: negative saves.
    pub monthly_usd: f64,
    /// What the resources this plan changes cost a month now, and after it.
    pub before_usd: f64,
    pub after_usd: f64,
    /// Where the prices came from and when they were read.
    pub prices: String,
    /// Changes that carry an estimate, and those that could not be estimated (why each).
    pub estimated: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_estimated: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[serde(rename = "kms.key")]
    KmsKey,
    #[serde(rename = "ssm.parameter")]
    SsmParameter,
    #[serde(rename = "s3.bucket")]
    S3Bucket,
    #[serde(rename = "cloudtrail.trail")]
    CloudTrailTrail,
    #[serde(rename = "config.recorder")]
    ConfigRecorder,
    #[serde(rename = "guardduty.detector")]
    GuardDutyDetector,
    #[serde(rename = "securityhub.hub")]
    SecurityHub,
    #[serde(rename = "ecs.cluster")]
    EcsCluster,
    #[serde(rename = "ecs.service")]
    EcsService,
    #[serde(rename = "aurora.cluster")]
    AuroraCluster,
    #[serde(rename = "vpc.flow_log")]
    VpcFlowLog,
    #[serde(rename = "elb.load_balancer")]
    ElbLoadBalancer,
}

impl Kind {
    /// Every kind, in the order their changes are applied: keys before what they encrypt,
    /// buckets and their policies before what delivers to them.
    pub const ALL: [Kind; 12] = [
        Kind::KmsKey,
        Kind::SsmParameter,
        Kind::S3Bucket,
        Kind::CloudTrailTrail,
        Kind::ConfigRecorder,
        Kind::GuardDutyDetector,
        Kind::SecurityHub,
        Kind::EcsCluster,
        Kind::EcsService,
        Kind::AuroraCluster,
        Kind::VpcFlowLog,
        Kind::ElbLoadBalancer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::KmsKey => "kms.key",
            Kind::SsmParameter => "ssm.parameter",
            Kind::S3Bucket => "s3.bucket",
            Kind::CloudTrailTrail => "cloudtrail.trail",
            Kind::ConfigRecorder => "config.recorder",
            Kind::GuardDutyDetector => "guardduty.detector",
            Kind::SecurityHub => "securityhub.hub",
            Kind::EcsCluster => "ecs.cluster",
            Kind::EcsService => "ecs.service",
            Kind::AuroraCluster => "aurora.cluster",
            Kind::VpcFlowLog => "vpc.flow_log",
            Kind::ElbLoadBalancer => "elb.load_balancer",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::KmsKey => "KMS keys",
            Kind::SsmParameter => "SSM parameters",
            Kind::S3Bucket => "S3 buckets",
            Kind::CloudTrailTrail => "CloudTrail trails",
            Kind::ConfigRecorder => "AWS Config",
            Kind::GuardDutyDetector => "GuardDuty",
            Kind::SecurityHub => "Security Hub",
            Kind::EcsCluster => "ECS clusters",
            Kind::EcsService => "ECS services",
            Kind::AuroraCluster => "Aurora clusters",
            Kind::VpcFlowLog => "VPC flow logs",
            Kind::ElbLoadBalancer => "Load balancers",
        }
    }

    /// `kind/name`; an SSM name's own leading `/` serves as the separator.
    pub fn address(self, name: &str) -> String {
        if name.starts_with('/') { format!("{}{name}", self.as_str()) } else { format!("{}/{name}", self.as_str()) }
    }

    /// The resource's name within an address of this kind, for display.
    pub fn name_in(self, address: &str) -> &str {
        let rest = address.strip_prefix(self.as_str()).unwrap_or(address);
        match self {
            Kind::SsmParameter => rest,
            _ => rest.trim_start_matches('/'),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Replace,
    Delete,
    /// Something holdfast will not do by itself; the reason says what a person must.
    Manual,
}

impl Action {
    /// Terraform's markers, which the users already read fluently.
    pub fn marker(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::Manual => "!",
        }
    }

    /// How the text plan says it: "will be created".
    pub fn outcome(self) -> &'static str {
        match self {
            Action::Create => "will be created",
            Action::Update => "will be updated in place",
            Action::Replace => "will be replaced",
            Action::Delete => "will be deleted",
            Action::Manual => "needs a person",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
            Action::Manual => "manual",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    ForcesReplacement,
    /// The service starts new tasks and stops the old ones.
    Redeploy,
    DeletesData,
    /// A secret's value or its location changes; the values are never shown.
    TouchesSecret,
    /// A trail stops logging or a Config recorder stops recording: like a deletion, apply
    /// needs `--allow-delete`.
    StopsAudit,
}

impl Flag {
    pub fn describe(self) -> &'static str {
        match self {
            Flag::ForcesReplacement => "forces replacement",
            Flag::Redeploy => "redeploys",
            Flag::DeletesData => "deletes data",
            Flag::TouchesSecret => "touches a secret",
            Flag::StopsAudit => "stops an audit log",
        }
    }
}

/// One attribute's value before and after, as text; None when absent. Sensitive values
/// are only ever described ("(sensitive)"), since the planner never holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeChange {
    pub name: String,
    pub before: Option<String>,
    pub after: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

impl AttributeChange {
    pub fn new(name: impl Into<String>, before: Option<String>, after: Option<String>) -> Self {
        Self { name: name.into(), before, after, sensitive: false }
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    pub message: String,
    /// The desired-state entry concerned, `file:line`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub manual: usize,
}

impl Summary {
    pub fn of(changes: &[Change]) -> Self {
        let mut summary = Summary::default();
        for change in changes {
            // A step of a replacement (an Aurora migration's) counts as one: what needs
            // --allow-replace is what a reviewer, or a CI gate, looks for under `replace`.
            if change.flags.contains(&Flag::ForcesReplacement) && change.action == Action::Create {
                summary.replace += 1;
                continue;
            }
            *match change.action {
                Action::Create => &mut summary.create,
                Action::Update => &mut summary.update,
                Action::Replace => &mut summary.replace,
                Action::Delete => &mut summary.delete,
                Action::Manual => &mut summary.manual,
            } += 1;
        }
        summary
    }

    pub fn total(&self) -> usize {
        self.create + self.update + self.replace + self.delete + self.manual
    }
}

impl Change {
    /// For a step of an Aurora encryption migration: the cluster's address and the step
    /// (`snapshot`, `copy`, `restore`, `instances`, `cutover`).
    pub fn migration_step(&self) -> Option<(&str, &str)> {
        if self.kind != Kind::AuroraCluster {
            return None;
        }
        self.address.rsplit_once("/encryption/")
    }
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// True when the plan must not be applied at all (see [`Plan::errors`]).
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a plan always serialises");
        text.push('\n');
        text
    }

    pub fn from_json(text: &str) -> Result<Plan, PlanFileError> {
        #[derive(Deserialize)]
        struct Version {
            format_version: u64,
        }
        let version: Version = serde_json::from_str(text)?;
        if version.format_version != u64::from(FORMAT_VERSION) {
            return Err(PlanFileError::UnsupportedVersion { found: version.format_version });
        }
        Ok(serde_json::from_str(text)?)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    // The parser's own message follows as the error's source: not repeated here.
    #[error("not a holdfast plan file")]
    Malformed(#[from] serde_json::Error),
    #[error("the plan file has format_version {found}; this holdfast reads version {FORMAT_VERSION}")]
    UnsupportedVersion { found: u64 },
}
