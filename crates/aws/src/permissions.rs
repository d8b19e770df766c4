//! The least-privilege IAM policy for a desired state, from the calls holdfast makes for
//! it: `holdfast iam-policy`. The emulator tests record every call the commands make and
//! check each against this, so the policy cannot fall behind the code.

use std::collections::BTreeSet;

use holdfast_desired::Desired;
use holdfast_desired::reads::{capacity_providers, needs_bucket_names, needs_kms};
use holdfast_desired::s3::Ensure;
use serde_json::{Value, json};

/// What the credentials will be used for.
#[derive(Debug, Clone, Default)]
pub struct Uses {
    /// `apply` as well as reading; false for a read-only role (plan, snapshot, drift).
    pub apply: bool,
    /// `holdfast drift`'s coverage census: lists every resource of the managed kinds.
    pub census: bool,
    /// `holdfast audit` (and `snapshot --audit`): reads across the whole account and IAM.
    pub audit: bool,
    /// `holdfast import` (and `snapshot --import`): reads across the whole account, no IAM.
    pub import: bool,
    /// A drift history kept in S3: `s3://bucket/key`.
    pub history: Option<(String, String)>,
    /// SNS topics notified.
    pub topics: Vec<String>,
    /// The CloudWatch namespace metrics are published to.
    pub metrics: Option<String>,
    /// Cost estimates: usage from CloudWatch and task definitions, prices from the AWS
    /// Price List API.
    pub cost: bool,
}

/// The IAM action an SDK call needs: the SDK's service and operation names, as the
/// call-counting interceptor records them. Most are `service:Operation`; S3's differ.
pub fn iam_action(service: &str, operation: &str) -> String {
    let prefix = service.to_ascii_lowercase();
    let action = match (prefix.as_str(), operation) {
        ("s3", "ListBuckets") => "ListAllMyBuckets",
        ("s3", "GetBucketEncryption") => "GetEncryptionConfiguration",
        ("s3", "PutBucketEncryption") => "PutEncryptionConfiguration",
        ("s3", "GetBucketLifecycleConfiguration") => "GetLifecycleConfiguration",
        ("s3", "PutBucketLifecycleConfiguration") => "PutLifecycleConfiguration",
        ("s3", "HeadBucket" | "ListObjectsV2" | "ListObjects") => "ListBucket",
        ("s3", "HeadObject") => "GetObject",
        ("s3", "GetPublicAccessBlock") => "GetBucketPublicAccessBlock",
        ("s3", "PutPublicAccessBlock") => "PutBucketPublicAccessBlock",
        _ => operation,
    };
    // The SDK names services as their models do; IAM's prefixes differ for these.
    let prefix = match prefix.as_str() {
        "elasticloadbalancingv2" | "elastic load balancing v2" => "elasticloadbalancing".to_owned(),
        "config service" => "config".to_owned(),
        _ => prefix,
    };
    format!("{prefix}:{action}")
}

/// The actions reading this desired state calls, with `Resource: *` (list and describe
/// calls cannot be scoped further).
pub fn read_actions(desired: &Desired, census: bool) -> BTreeSet<String> {
    let mut actions = BTreeSet::from(["sts:GetCallerIdentity".to_owned()]);
    let mut add = |list: &[&str]| actions.extend(list.iter().map(|action| (*action).to_owned()));
    let ecs = &desired.ecs;
    if census || !ecs.service.is_empty() || !ecs.task_secrets.is_empty() {
        add(&["ecs:ListClusters", "ecs:DescribeClusters", "ecs:ListServices", "ecs:DescribeServices"]);
    }
    if !ecs.task_secrets.is_empty() {
        add(&["ecs:DescribeTaskDefinition"]);
    }
    if !capacity_providers(desired).is_empty() {
        add(&["ecs:DescribeCapacityProviders"]);
    }
    if census || !desired.aurora.cluster.is_empty() {
        add(&["rds:DescribeDBClusters"]);
    }
    if desired.aurora.cluster.iter().any(holdfast_desired::aurora::ClusterEntry::asks_encryption) {
        // What an encryption migration has made so far, read only where one is needed, and
        // the services' task definitions, for what holds the old address at the cutover.
        add(&["rds:DescribeDBInstances", "rds:DescribeDBClusterSnapshots"]);
        if !ecs.service.is_empty() || !ecs.task_secrets.is_empty() {
            add(&["ecs:DescribeTaskDefinition"]);
        }
    }
    if census || needs_bucket_names(desired) {
        add(&["s3:ListAllMyBuckets"]);
    }
    if !desired.s3.bucket.is_empty() {
        add(&["s3:GetBucketLocation", "s3:GetBucketTagging"]);
    }
    let buckets = &desired.s3.bucket;
    if buckets.iter().any(|entry| entry.ensure == Ensure::Present && (entry.encryption.is_some() || holdfast_desired::reads::keys_to_delete(desired))) {
        add(&["s3:GetEncryptionConfiguration"]);
    }
    if buckets.iter().any(|entry| entry.lifecycle.is_some() || entry.transition_minimum_object_size.is_some()) {
        add(&["s3:GetLifecycleConfiguration"]);
    }
    // Emptiness of a bucket to delete, and flow-log destinations in other accounts.
    if buckets.iter().any(|entry| entry.ensure == Ensure::Absent) || needs_bucket_names(desired) && !desired.vpc.flow_logs.is_empty() {
        add(&["s3:ListBucket"]);
    }
    if !holdfast_desired::reads::parameter_names(desired).is_empty() {
        add(&["ssm:DescribeParameters"]);
    }
    if desired.ssm.parameter.iter().any(|entry| !entry.tags.is_empty()) {
        add(&["ssm:ListTagsForResource"]);
    }
    if census || !desired.vpc.flow_logs.is_empty() {
        add(&["ec2:DescribeVpcs"]);
    }
    if !desired.vpc.flow_logs.is_empty() {
        add(&["ec2:DescribeFlowLogs"]);
    }
    if needs_kms(desired) {
        add(&["kms:ListAliases", "kms:ListKeys", "kms:DescribeKey"]);
    }
    if desired.kms.key.iter().any(|entry| entry.rotation.is_some()) {
        add(&["kms:GetKeyRotationStatus"]);
    }
    // A declared alias that is missing: keys an interrupted apply left are found by tag.
    if !desired.kms.key.is_empty() {
        add(&["kms:ListResourceTags"]);
    }
    if desired.cloudtrail.trail.iter().any(|entry| entry.kms_key.is_some()) {
        add(&["kms:GetKeyPolicy"]);
    }
    if buckets.iter().any(|entry| entry.public_access_block.is_some()) {
        add(&["s3:GetBucketPublicAccessBlock"]);
    }
    if buckets.iter().any(|entry| entry.manages_policy()) {
        add(&["s3:GetBucketPolicy"]);
    }
    // Trail and Config buckets the account does not own are looked for with HeadBucket.
    if desired.cloudtrail.trail.iter().any(|entry| entry.bucket().is_some()) || desired.config.as_deref().is_some_and(|config| config.bucket().is_some()) {
        add(&["s3:ListBucket"]);
    }
    if !desired.cloudtrail.trail.is_empty() {
        add(&["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"]);
    }
    // Who delivers into a bucket whose delivery statements are managed.
    if holdfast_desired::reads::delivered_to(desired, holdfast_desired::s3::Delivery::Cloudtrail) {
        add(&[
            "cloudtrail:DescribeTrails",
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
            "config:DescribeDeliveryChannels",
            "ec2:DescribeFlowLogs",
        ]);
    }
    if desired.guardduty.is_some() {
        add(&["guardduty:ListDetectors", "guardduty:GetDetector"]);
    }
    if let Some(hub) = desired.securityhub.as_deref() {
        add(&["securityhub:DescribeHub"]);
        if !hub.standards.is_empty() {
            add(&["securityhub:GetEnabledStandards"]);
        }
    }
    if desired.config.is_some() {
        add(&["config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus", "config:DescribeDeliveryChannels"]);
    }
    if !desired.elb.load_balancer.is_empty() {
        add(&["elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes"]);
    }
    if desired.elb.load_balancer.iter().any(|entry| entry.ensure == Ensure::Absent) {
        add(&["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"]);
    }
    actions
}

/// What `holdfast audit` reads: the desired state's reads with the whole-account scope,
/// every trail's status, every parameter's metadata, and IAM's credential report.
pub fn audit_actions(desired: &Desired) -> BTreeSet<String> {
    let mut actions = read_actions(&desired.with_audit_scope(), true);
    let iam = ["iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:GetAccountSummary"];
    actions.extend(WHOLE_ACCOUNT_ACTIONS.iter().chain(&iam).map(|action| (*action).to_owned()));
    actions
}

/// What a whole-account read lists beyond a desired state's own reads: every trail's
/// status, every parameter's metadata, which instances are Serverless v2, the standards.
const WHOLE_ACCOUNT_ACTIONS: [&str; 5] =
    ["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "rds:DescribeDBInstances", "ssm:DescribeParameters", "securityhub:GetEnabledStandards"];

/// What `holdfast import` reads: the whole-account scope with lifecycle rules and load
/// balancers, every trail and parameter, and every aliased key with its rotation.
pub fn import_actions(desired: &Desired) -> BTreeSet<String> {
    let mut actions = read_actions(&desired.with_import_scope(), true);
    let keys = ["kms:ListAliases", "kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus"];
    actions.extend(WHOLE_ACCOUNT_ACTIONS.iter().chain(&keys).map(|action| (*action).to_owned()));
    actions
}

/// What `apply` calls beyond reading, for the kinds this desired state declares.
pub fn apply_actions(desired: &Desired) -> BTreeSet<String> {
    // The apply lock is an SSM parameter; the identity check reads STS.
    let mut actions: BTreeSet<String> = ["ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"].iter().map(|action| (*action).to_owned()).collect();
    let mut add = |list: &[&str]| actions.extend(list.iter().map(|action| (*action).to_owned()));
    let ecs = &desired.ecs;
    if !ecs.service.is_empty() || !ecs.task_secrets.is_empty() {
        add(&["ecs:UpdateService", "ecs:PutClusterCapacityProviders", "ecs:DescribeClusters", "ecs:DescribeServices"]);
    }
    if !ecs.task_secrets.is_empty() {
        // The new revision is tagged with the one it was made from, and its execution
        // role is checked for reading the parameters (and their key) first.
        add(&[
            "ecs:RegisterTaskDefinition",
            "ecs:TagResource",
            "ecs:DescribeTaskDefinition",
            "iam:PassRole",
            "iam:ListRolePolicies",
            "iam:GetRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:GetPolicy",
            "iam:GetPolicyVersion",
            "kms:GetKeyPolicy",
            "kms:DescribeKey",
            "ssm:GetParameters",
        ]);
    }
    if !desired.aurora.cluster.is_empty() {
        add(&["rds:ModifyDBCluster", "rds:DescribeDBClusters"]);
    }
    if desired.aurora.cluster.iter().any(holdfast_desired::aurora::ClusterEntry::asks_encryption) {
        // The encryption migration: snapshot, copy, restore, instances, each tagged; the
        // key is checked before use, and RDS needs a grant on a customer managed key.
        add(&[
            "rds:CreateDBClusterSnapshot",
            "rds:CopyDBClusterSnapshot",
            "rds:RestoreDBClusterFromSnapshot",
            "rds:CreateDBInstance",
            "rds:AddTagsToResource",
            "rds:DescribeDBClusterSnapshots",
            "rds:DescribeDBInstances",
            "kms:DescribeKey",
            "kms:CreateGrant",
        ]);
    }
    if !desired.s3.bucket.is_empty() {
        add(&[
            "s3:CreateBucket",
            "s3:PutEncryptionConfiguration",
            "s3:GetEncryptionConfiguration",
            "s3:PutLifecycleConfiguration",
            "s3:ListBucket",
            "s3:DeleteBucket",
        ]);
    }
    if !desired.ssm.parameter.is_empty() {
        add(&["ssm:AddTagsToResource", "ssm:GetParameters", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]);
    }
    let buckets = &desired.s3.bucket;
    if buckets.iter().any(|entry| entry.public_access_block.is_some()) {
        add(&["s3:PutBucketPublicAccessBlock"]);
    }
    if buckets.iter().any(|entry| entry.manages_policy()) {
        add(&["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"]);
    }
    if !desired.kms.key.is_empty() {
        // A key is created tagged with its alias; an interrupted creation is found by that tag.
        add(&[
            "kms:CreateKey",
            "kms:CreateAlias",
            "kms:TagResource",
            "kms:ListKeys",
            "kms:ListResourceTags",
            "kms:DescribeKey",
            "kms:EnableKeyRotation",
            "kms:DisableKeyRotation",
            "kms:UpdateKeyDescription",
            "kms:CancelKeyDeletion",
            "kms:EnableKey",
            "kms:ScheduleKeyDeletion",
            "kms:GetKeyPolicy",
            "kms:PutKeyPolicy",
        ]);
    }
    if !desired.cloudtrail.trail.is_empty() {
        add(&[
            "cloudtrail:DescribeTrails",
            "cloudtrail:CreateTrail",
            "cloudtrail:UpdateTrail",
            "cloudtrail:StartLogging",
            "cloudtrail:StopLogging",
            "cloudtrail:DeleteTrail",
            "kms:DescribeKey",
        ]);
    }
    if desired.guardduty.is_some() {
        add(&["guardduty:ListDetectors", "guardduty:GetDetector", "guardduty:CreateDetector", "guardduty:UpdateDetector", "guardduty:DeleteDetector"]);
    }
    if desired.securityhub.is_some() {
        add(&["securityhub:DescribeHub", "securityhub:EnableSecurityHub", "securityhub:BatchEnableStandards", "securityhub:DisableSecurityHub"]);
    }
    if desired.config.is_some() {
        add(&[
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
            "config:DescribeDeliveryChannels",
            "config:PutConfigurationRecorder",
            "config:PutDeliveryChannel",
            "config:StartConfigurationRecorder",
            "config:StopConfigurationRecorder",
            "config:DeleteDeliveryChannel",
            "config:DeleteConfigurationRecorder",
            // The recorder's role is passed to AWS Config; its service-linked role is made when missing.
            "iam:PassRole",
            "iam:GetRole",
            "iam:CreateServiceLinkedRole",
        ]);
    }
    if !desired.elb.load_balancer.is_empty() {
        add(&[
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
            "elasticloadbalancing:DeleteLoadBalancer",
        ]);
    }
    if !desired.vpc.flow_logs.is_empty() {
        add(&[
            "ec2:CreateFlowLogs",
            "ec2:DeleteFlowLogs",
            "ec2:DescribeFlowLogs",
            "ec2:CreateTags",
            "iam:PassRole",
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
        ]);
    }
    actions
}

/// What cost estimates read: task sizes, Aurora instance classes, CloudWatch metrics (ACU
/// use, bucket sizes, flow-log volume), and list prices.
pub fn cost_actions() -> BTreeSet<String> {
    ["ecs:DescribeTaskDefinition", "rds:DescribeDBInstances", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "pricing:GetProducts"]
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// `arn:aws:ssm:REGION:ACCOUNT:parameter/NAME` of each parameter the desired state
/// reads, with `*` for an account or region it does not declare.
fn parameter_arns(desired: &Desired) -> Vec<String> {
    let (region, account) = desired.account.as_ref().map_or(("*", "*"), |account| (account.region(), account.id()));
    holdfast_desired::reads::parameter_names(desired)
        .iter()
        .map(|name| format!("arn:aws:ssm:{region}:{account}:parameter/{}", name.trim_start_matches('/')))
        .collect()
}

/// The policy document, one statement per purpose so a reviewer sees why each action is there.
pub fn policy(desired: &Desired, uses: &Uses) -> Value {
    let mut statements = vec![json!({
        "Sid": "HoldfastRead",
        "Effect": "Allow",
        "Action": read_actions(desired, uses.census).into_iter().collect::<Vec<_>>(),
        "Resource": "*",
    })];
    // A drift check mentions an apply under way, from the apply lock.
    let (region, account) = desired.account.as_ref().map_or(("*", "*"), |account| (account.region(), account.id()));
    statements.push(json!({
        "Sid": "HoldfastSeeApplyLock",
        "Effect": "Allow",
        "Action": "ssm:GetParameter",
        "Resource": format!("arn:aws:ssm:{region}:{account}:parameter{}", crate::lock::LOCK_PARAMETER),
    }));
    let parameters = parameter_arns(desired);
    if !parameters.is_empty() {
        // Values of the declared parameters only, never every SecureString in the account.
        statements.push(json!({ "Sid": "HoldfastReadParameters", "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": parameters }));
        // Optional: without it SecureString values are not compared, and the plan says so.
        // SSM names the parameter in the encryption context, which scopes this to them.
        statements.push(json!({
            "Sid": "HoldfastCompareSecrets",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {
                "StringLike": { "kms:ViaService": "ssm.*.amazonaws.com" },
                "StringEquals": { "kms:EncryptionContext:PARAMETER_ARN": parameters },
            },
        }));
    }
    if uses.audit {
        let read = read_actions(desired, uses.census);
        let audit: Vec<String> = audit_actions(desired).into_iter().filter(|action| !read.contains(action)).collect();
        // GenerateCredentialReport writes nothing but the report itself, which IAM keeps for four hours.
        statements.push(json!({ "Sid": "HoldfastAudit", "Effect": "Allow", "Action": audit, "Resource": "*" }));
    }
    if uses.import {
        let read = read_actions(desired, uses.census);
        let import: Vec<String> = import_actions(desired).into_iter().filter(|action| !read.contains(action)).collect();
        statements.push(json!({ "Sid": "HoldfastImport", "Effect": "Allow", "Action": import, "Resource": "*" }));
    }
    if uses.apply {
        let read = read_actions(desired, uses.census);
        let apply: Vec<String> = apply_actions(desired).into_iter().filter(|action| !read.contains(action)).collect();
        statements.push(json!({ "Sid": "HoldfastApply", "Effect": "Allow", "Action": apply, "Resource": "*" }));
    }
    if uses.cost {
        let read = read_actions(desired, uses.census);
        let cost: Vec<String> = cost_actions().into_iter().filter(|action| !read.contains(action)).collect();
        // Optional: without them a plan's estimates say what was not read, or use the
        // shipped prices.
        statements.push(json!({ "Sid": "HoldfastCostEstimates", "Effect": "Allow", "Action": cost, "Resource": "*" }));
    }
    if let Some((bucket, key)) = &uses.history {
        statements.push(json!({
            "Sid": "HoldfastDriftHistory",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": format!("arn:aws:s3:::{bucket}/{key}"),
        }));
    }
    if !uses.topics.is_empty() {
        statements.push(json!({ "Sid": "HoldfastNotify", "Effect": "Allow", "Action": "sns:Publish", "Resource": uses.topics }));
    }
    if let Some(namespace) = &uses.metrics {
        statements.push(json!({
            "Sid": "HoldfastMetrics",
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": { "StringEquals": { "cloudwatch:namespace": namespace } },
        }));
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// Every action a policy allows, for checking recorded calls against it.
pub fn allowed_actions(policy: &Value) -> BTreeSet<String> {
    let mut allowed = BTreeSet::new();
    for statement in policy["Statement"].as_array().into_iter().flatten() {
        match &statement["Action"] {
            Value::String(action) => {
                allowed.insert(action.clone());
            }
            Value::Array(actions) => allowed.extend(actions.iter().filter_map(|action| action.as_str().map(str::to_owned))),
            _ => {}
        }
    }
    allowed
}
