//! How bad a drift is, from what it means for the account: a secret in plaintext or a
//! realtime service on Spot is critical; a lifecycle rule missing is low.

use serde::{Deserialize, Serialize};

use crate::operation::Operation;
use crate::plan::{Action, Change, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Most severe first, as reports list them.
    pub const ALL: [Severity; 4] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|severity| severity.as_str().eq_ignore_ascii_case(text))
    }
}

/// The severity of one planned change, and what the drift means in a phrase.
pub fn of_change(change: &Change) -> (Severity, String) {
    let attribute = |name: &str| change.attributes.iter().find(|attribute| attribute.name == name);
    let has = |name: &str| attribute(name).is_some();
    match change.kind {
        Kind::EcsService => {
            // Moving secrets out of plaintext may be blocked (a parameter missing, values
            // that disagree): the secrets are no less exposed for it.
            let moves_secrets = matches!(&change.operation, Operation::UpdateService { secrets: Some(_), .. });
            if moves_secrets || change.address.ends_with("/secrets") {
                return (Severity::Critical, "secrets in plaintext task definition environment variables".to_owned());
            }
            let on_spot =
                attribute("capacity_provider_strategy").and_then(|attribute| attribute.before.as_deref()).is_some_and(|before| before.contains("FARGATE_SPOT"));
            match &change.operation {
                Operation::UpdateService { realtime: true, .. } if on_spot => {
                    (Severity::Critical, "a realtime service runs on Fargate Spot, which can stop it at two minutes' notice".to_owned())
                }
                _ if change.action == Action::Manual => (Severity::High, "the service differs in a way holdfast cannot fix by itself".to_owned()),
                _ if on_spot => (Severity::Medium, "the service runs on a capacity strategy other than declared".to_owned()),
                _ => (Severity::Medium, "the service runs on-demand where Spot was declared: it costs about three times as much".to_owned()),
            }
        }
        Kind::EcsCluster => (Severity::Medium, "the cluster lacks a capacity provider its services' strategies need".to_owned()),
        Kind::SsmParameter => {
            if change.action == Action::Create {
                (Severity::High, "a declared parameter is missing: tasks that read it fail to start".to_owned())
            } else if attribute("type").is_some_and(|attribute| attribute.before.as_deref() == Some("String")) {
                (Severity::Critical, "a secret is stored as a plaintext String".to_owned())
            } else if has("value") || has("type") {
                (Severity::High, "the parameter holds another value or type than declared".to_owned())
            } else if change.action == Action::Manual {
                (Severity::High, "the parameter differs in a way holdfast cannot fix by itself".to_owned())
            } else if has("kms_key") {
                (Severity::Medium, "the parameter is encrypted with another KMS key than declared".to_owned())
            } else {
                (Severity::Low, "the parameter's tags differ".to_owned())
            }
        }
        Kind::S3Bucket => match change.action {
            Action::Delete => (Severity::Low, "a bucket declared absent still exists".to_owned()),
            Action::Create => (Severity::Medium, "a declared bucket is missing".to_owned()),
            _ => match attribute("encryption") {
                Some(encryption) if encryption.before.is_none() => (Severity::Critical, "the bucket has no default encryption".to_owned()),
                Some(_) => (Severity::High, "the bucket is encrypted otherwise than declared".to_owned()),
                None if change.action == Action::Manual => (Severity::Medium, "the bucket differs in a way holdfast cannot fix by itself".to_owned()),
                None if has("public_access_block") => (Severity::High, "the bucket's public access block is not as declared".to_owned()),
                None if has("policy") => (Severity::High, "the bucket policy lacks the statements declared (TLS only, log delivery)".to_owned()),
                None => (Severity::Low, "the bucket's lifecycle rules differ: objects stay in a dearer storage class or are kept longer".to_owned()),
            },
        },
        Kind::AuroraCluster => {
            if attribute("storage_encrypted").is_some_and(|attribute| attribute.before.as_deref() == Some("false")) {
                (Severity::Critical, "the cluster's storage is not encrypted".to_owned())
            } else if has("storage_encrypted") || has("kms_key") {
                (Severity::High, "the cluster is encrypted otherwise than declared".to_owned())
            } else {
                let lowered = |name: &str| {
                    attribute(name).is_some_and(|attribute| {
                        let number = |value: &Option<String>| value.as_deref().and_then(|value| value.parse::<f64>().ok());
                        matches!((number(&attribute.before), number(&attribute.after)), (Some(before), Some(after)) if after < before)
                    })
                };
                if lowered("max_acu") || lowered("min_acu") {
                    (Severity::Medium, "the cluster's Serverless v2 capacity is above its cap: it can cost more than planned".to_owned())
                } else {
                    (Severity::Medium, "the cluster's Serverless v2 capacity is below what was declared: the database may be starved".to_owned())
                }
            }
        }
        Kind::VpcFlowLog => match change.action {
            Action::Create => (Severity::High, "the VPC's traffic is not logged where declared".to_owned()),
            Action::Delete => (Severity::Low, "a flow log no entry declares still delivers".to_owned()),
            _ => (Severity::Low, "the flow log's settings differ".to_owned()),
        },
        Kind::KmsKey => {
            if attribute("state").is_some_and(|attribute| attribute.before.as_deref() == Some("PendingDeletion")) {
                (Severity::Critical, "a declared key is scheduled for deletion: what it encrypts will be lost".to_owned())
            } else if change.action == Action::Create {
                (Severity::High, "a declared KMS key is missing".to_owned())
            } else if change.action == Action::Delete {
                (Severity::Low, "a key declared absent still exists".to_owned())
            } else if has("state") {
                (Severity::High, "a declared key is disabled: nothing can be encrypted or decrypted with it".to_owned())
            } else if has("key policy") {
                (Severity::High, "the key's policy does not let CloudTrail use it: the trail's log files cannot be encrypted".to_owned())
            } else if has("rotation") {
                (Severity::Medium, "the key's automatic rotation differs from what was declared".to_owned())
            } else {
                (Severity::Low, "the key's description differs".to_owned())
            }
        }
        Kind::CloudTrailTrail => {
            let stopped =
                attribute("logging").is_some_and(|attribute| attribute.after.as_deref() == Some("true") && attribute.before.as_deref() != Some("true"));
            match change.action {
                Action::Create => (Severity::Critical, "no trail records the account's API activity as declared".to_owned()),
                _ if stopped => (Severity::Critical, "the trail is not logging: API activity goes unrecorded".to_owned()),
                Action::Delete => (Severity::Low, "a trail declared absent still exists".to_owned()),
                _ if has("destination") || has("log_file_validation") || has("multi_region") => {
                    (Severity::High, "the trail records or delivers otherwise than declared".to_owned())
                }
                _ => (Severity::Medium, "the trail's settings differ".to_owned()),
            }
        }
        Kind::GuardDutyDetector => match change.action {
            Action::Create => (Severity::Critical, "GuardDuty is off: threats in the account go undetected".to_owned()),
            _ if attribute("status").is_some_and(|attribute| attribute.before.as_deref() == Some("DISABLED")) => {
                (Severity::Critical, "the GuardDuty detector is suspended: threats go undetected".to_owned())
            }
            Action::Delete => (Severity::Low, "a GuardDuty detector declared off is still there".to_owned()),
            _ if change.attributes.iter().any(|attribute| attribute.name.starts_with("feature ")) => {
                (Severity::High, "a declared GuardDuty protection feature is off".to_owned())
            }
            _ => (Severity::Medium, "GuardDuty reports findings less often than declared".to_owned()),
        },
        Kind::SecurityHub => match change.action {
            Action::Create => (Severity::High, "Security Hub is off: no standard checks the account".to_owned()),
            Action::Delete => (Severity::Low, "Security Hub declared off is still enabled".to_owned()),
            _ => (Severity::High, "a declared Security Hub standard is not enabled".to_owned()),
        },
        Kind::ConfigRecorder => {
            let stopped = attribute("recording").is_some_and(|attribute| attribute.after.as_deref() == Some("true"));
            match change.action {
                Action::Create => (Severity::High, "AWS Config records nothing: configuration changes go untracked".to_owned()),
                _ if stopped => (Severity::Critical, "the AWS Config recorder is stopped: configuration changes go untracked".to_owned()),
                Action::Delete => (Severity::Low, "an AWS Config recorder declared off is still there".to_owned()),
                _ => (Severity::Medium, "AWS Config records or delivers otherwise than declared".to_owned()),
            }
        }
        Kind::ElbLoadBalancer => match change.action {
            Action::Delete | Action::Manual => (Severity::Low, "a load balancer declared absent still exists, and costs money".to_owned()),
            _ => (Severity::Medium, "the load balancer's deletion protection differs from what was declared".to_owned()),
        },
    }
}
