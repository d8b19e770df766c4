//! What the applier runs for each change. Every choice is made here, at plan time, so
//! the plan can be reviewed, saved and tested; the applier only carries it out.
//!
//! Operations carry no secret values: a value to write is named by where to read it
//! at apply time.

use holdfast_inventory::aurora::{Scaling, Settings};
use holdfast_inventory::ecs::StrategyItem;
use holdfast_inventory::s3::{Encryption, LifecycleRule};
use holdfast_inventory::vpc::DestinationOptions;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Operation {
    /// `PutParameter` with `Overwrite` when the parameter exists.
    PutParameter {
        name: String,
        parameter_type: String,
        kms_key: Option<String>,
        value: ValueToWrite,
        overwrite: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        /// Tags to add; tags not listed are left alone.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tags: Vec<(String, String)>,
    },
    /// `AddTagsToResource`: tags change, the value does not.
    TagParameter { name: String, tags: Vec<(String, String)> },
    /// `CreateBucket`, then its encryption, lifecycle, public access block and policy.
    CreateBucket {
        bucket: String,
        encryption: Option<Encryption>,
        lifecycle: Option<Vec<LifecycleRule>>,
        transition_minimum_object_size: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        public_access_block: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy: Option<ManagedStatements>,
    },
    /// `PutBucketEncryption`, `PutBucketLifecycleConfiguration` (the whole rule set at
    /// once), `PutPublicAccessBlock` and `PutBucketPolicy`, each only where given.
    UpdateBucket {
        bucket: String,
        encryption: Option<Encryption>,
        lifecycle: Option<Vec<LifecycleRule>>,
        transition_minimum_object_size: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        public_access_block: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy: Option<ManagedStatements>,
    },
    /// `DeleteBucket`; refused by the applier unless `--allow-delete`.
    DeleteBucket { bucket: String },
    /// `PutClusterCapacityProviders` with the whole resulting list and the default strategy unchanged.
    SetClusterCapacityProviders { cluster: String, capacity_providers: Vec<String>, default_strategy: Vec<StrategyItem> },
    /// Registers a new task definition revision when secrets move, then `UpdateService`.
    UpdateService {
        cluster: String,
        service: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        strategy: Option<Vec<StrategyItem>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secrets: Option<SecretMoves>,
        /// ECS refuses a strategy change without a new deployment.
        force_new_deployment: bool,
        /// The applier refuses to put a realtime service on FARGATE_SPOT, even from a
        /// hand-edited plan file.
        #[serde(default)]
        realtime: bool,
    },
    /// `ModifyDBCluster` with `ApplyImmediately`.
    ModifyAuroraCapacity { cluster: String, min_acu: f64, max_acu: f64 },
    /// An encryption migration's first step: `CreateDBClusterSnapshot` of the source,
    /// tagged; a snapshot of that name already made by the migration is waited for
    /// instead. Every step confirms the key is usable first, so a missing key stops the
    /// chain before anything is made.
    SnapshotForEncryption { cluster: String, snapshot: String, kms_key: String, tags: Vec<(String, String)> },
    /// `CopyDBClusterSnapshot` of the migration's snapshot under the key, tagged.
    CopySnapshotForEncryption { cluster: String, snapshot: String, copy: String, kms_key: String, tags: Vec<(String, String)> },
    /// `RestoreDBClusterFromSnapshot` into a new cluster under the key, configured as the
    /// source is; the source's settings are confirmed unchanged first, and the new
    /// cluster's encryption after.
    RestoreEncryptedCluster {
        source: String,
        snapshot: String,
        cluster: String,
        kms_key: String,
        engine: String,
        engine_version: String,
        settings: Settings,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scaling: Option<Scaling>,
        tags: Vec<(String, String)>,
    },
    /// `CreateDBInstance` for each of the source's instances the new cluster lacks.
    CreateMigratedInstances { source: String, cluster: String, kms_key: String, engine: String, instances: Vec<MigratedInstance> },
    /// `CreateFlowLogs`; then, when it `replaces` one, `DeleteFlowLogs` of that one.
    CreateFlowLog {
        vpc_id: String,
        destination_type: String,
        destination: String,
        traffic_type: String,
        max_aggregation_interval: Option<u32>,
        log_format: Option<String>,
        /// Carried over from the flow log replaced, as are the next two.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deliver_logs_permission_arn: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        destination_options: Option<DestinationOptions>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tags: Vec<(String, String)>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<String>,
    },
    /// `DeleteFlowLogs`; refused by the applier unless `--allow-delete`.
    DeleteFlowLog { vpc_id: String, flow_log_id: String },
    /// `CreateKey` (tagged with its alias), `CreateAlias`, then rotation.
    CreateKey {
        alias: String,
        description: Option<String>,
        rotation: Option<bool>,
        /// A key an interrupted apply created for this alias and never named: given the
        /// alias (enabled again if needed) instead of a new key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        adopt: Option<String>,
        /// AWS services (`cloudtrail.amazonaws.com`) the key policy lets encrypt with it,
        /// beside the account's own administrators.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        services: Vec<String>,
    },
    /// The key the alias points at: cancel a scheduled deletion and enable it, then
    /// description and rotation, each only where given.
    UpdateKey {
        alias: String,
        key_id: String,
        restore: bool,
        description: Option<String>,
        rotation: Option<bool>,
        /// holdfast's statements in the key policy (CloudTrail's), merged at apply into the
        /// policy as it is then, as for bucket policies.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy: Option<ManagedStatements>,
    },
    /// `ScheduleKeyDeletion` with the longest waiting period; refused unless `--allow-delete`.
    ScheduleKeyDeletion { alias: String, key_id: String },
    /// `CreateTrail`, then `StartLogging` when it should log.
    CreateTrail { name: String, settings: TrailSettings, logging: bool },
    /// `UpdateTrail` with the whole configuration, and/or `StartLogging` / `StopLogging`.
    UpdateTrail { name: String, settings: Option<TrailSettings>, logging: Option<bool> },
    /// `DeleteTrail`; refused unless `--allow-delete`.
    DeleteTrail { name: String, arn: String },
    /// `CreateDetector` with the features to enable.
    CreateDetector { finding_frequency: Option<String>, features: Vec<String> },
    /// `UpdateDetector` with the whole feature list (GuardDuty merges it; emulators may
    /// replace it), so features not declared keep the status they have.
    UpdateDetector {
        detector_id: String,
        finding_frequency: Option<String>,
        features: Vec<(String, String)>,
        /// Each feature's additional configuration, as it is: (feature, name, status).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        additional: Vec<(String, String, String)>,
    },
    /// `DeleteDetector`; refused unless `--allow-delete`.
    DeleteDetector { detector_id: String },
    /// `EnableSecurityHub` without its default standards, then `BatchEnableStandards`.
    EnableSecurityHub { standards: Vec<String> },
    /// `BatchEnableStandards` for the standards not yet enabled.
    EnableStandards { standards: Vec<String> },
    /// `DisableSecurityHub`; refused unless `--allow-delete`.
    DisableSecurityHub,
    /// `PutConfigurationRecorder` and `PutDeliveryChannel` where given, then start or stop
    /// recording.
    SetConfigRecorder { recorder: Option<RecorderSettings>, channel: Option<ChannelSettings>, recording: Option<bool> },
    /// Stops and deletes the recorder and its delivery channels; refused unless `--allow-delete`.
    DeleteConfigRecorder { recorder: String, channels: Vec<String> },
    /// `ModifyLoadBalancerAttributes` `deletion_protection.enabled`.
    SetDeletionProtection { name: String, arn: String, enabled: bool },
    /// `DeleteLoadBalancer`, after confirming deletion protection is off, or turning it off
    /// first when the entry says `deletion_protection = false` (one change, so no apply
    /// stops between the two and leaves it unprotected and serving); refused unless
    /// `--allow-delete`.
    DeleteLoadBalancer {
        name: String,
        arn: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        turn_off_protection: bool,
    },
    /// Nothing to run: a person acts, as the change's reason says.
    Manual,
}

/// An instance of the new cluster, made as the source's instance it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigratedInstance {
    pub identifier: String,
    /// The source's instance it stands for.
    pub replaces: String,
    pub class: String,
    pub writer: bool,
    pub promotion_tier: Option<i32>,
    pub parameter_group: Option<String>,
    pub availability_zone: Option<String>,
    pub publicly_accessible: bool,
    /// The source instance's own tags, and the migration's.
    pub tags: Vec<(String, String)>,
}

/// The statements holdfast owns in a bucket policy (their `Sid` starts `holdfast-`). At
/// apply, the policy is read again and only these are replaced; every other statement is
/// kept byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedStatements {
    pub statements: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrailSettings {
    pub bucket: String,
    pub prefix: Option<String>,
    pub multi_region: bool,
    pub log_file_validation: bool,
    pub global_service_events: bool,
    pub kms_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecorderSettings {
    pub name: String,
    pub role_arn: String,
    pub all_supported: bool,
    pub include_global_resources: bool,
    /// Carried over from the live recorder: the put replaces the whole recorder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_frequency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSettings {
    pub name: String,
    pub bucket: String,
    pub prefix: Option<String>,
    /// Carried over from the live channel: the put replaces the whole channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns_topic_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_frequency: Option<String>,
}

/// Where the applier reads a value it writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum ValueToWrite {
    /// The environment variable of the applying process.
    Env { variable: String },
    /// A plaintext variable of a live task definition's container, for a migration.
    TaskDefinition { task_definition: String, container: String, variable: String },
    /// A literal in the desired state (never a SecureString).
    Literal { value: String },
}

/// Container variables to move from plaintext `environment` to `secrets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretMoves {
    /// The task definition the new revision is based on; the apply refuses if the
    /// service runs another by then.
    pub from_task_definition: String,
    pub moves: Vec<SecretMove>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretMove {
    pub container: String,
    pub variable: String,
    /// The SSM parameter name; the applier writes its ARN as `valueFrom`.
    pub parameter: String,
}
