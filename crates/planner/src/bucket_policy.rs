//! The statements holdfast owns in a bucket policy: the TLS-only deny, and what each
//! log-delivering service needs to write there. Other statements are never touched.

use holdfast_desired::s3::{BucketEntry, Delivery};
use holdfast_inventory::policy::{Document, MANAGED_PREFIX};
use serde_json::{Value, json};

use crate::context::Context;

const REQUIRE_TLS: &str = "holdfast-require-tls";

/// The Sid prefix of each group of statements one setting owns.
fn group(delivery: Delivery) -> String {
    format!("{MANAGED_PREFIX}{}-", delivery.as_str())
}

/// The holdfast statements the bucket should have: those of what the entry declares, and
/// the live ones of what it leaves out (unmanaged settings stay as they are).
pub(crate) fn wanted(cx: &Context<'_>, entry: &BucketEntry, bucket: &str, live: &Document) -> Vec<Value> {
    let live_managed = live.managed();
    let live_group =
        |prefix: &str| -> Vec<Value> { live_managed.iter().filter(|statement| sid(statement).is_some_and(|sid| sid.starts_with(prefix))).cloned().collect() };
    let mut statements = Vec::new();
    match entry.require_tls {
        Some(true) => statements.push(require_tls(bucket)),
        Some(false) => {}
        None => statements.extend(live_group(REQUIRE_TLS)),
    }
    for delivery in Delivery::ALL {
        match &entry.deliveries {
            Some(_) if entry.delivers(delivery) => statements.extend(delivery_statements(cx, delivery, bucket)),
            Some(_) => {}
            None => statements.extend(live_group(&group(delivery))),
        }
    }
    // A holdfast- statement of no known group (written by a later version) is kept.
    let known =
        |statement: &Value| sid(statement).is_some_and(|sid| sid == REQUIRE_TLS || Delivery::ALL.iter().any(|delivery| sid.starts_with(&group(*delivery))));
    statements.extend(live_managed.iter().filter(|statement| !known(statement)).cloned());
    statements
}

fn sid(statement: &Value) -> Option<&str> {
    statement.get("Sid").and_then(Value::as_str)
}

fn require_tls(bucket: &str) -> Value {
    json!({
        "Sid": REQUIRE_TLS,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": { "Bool": { "aws:SecureTransport": "false" } },
    })
}

/// Something that delivers into a bucket now, as this region sees it (its trails, the
/// multi-region trails of other regions, its Config channel, its flow logs to S3).
pub(crate) struct LiveUser {
    pub name: String,
    /// The change of this plan that removes it: a bucket change that takes its statements or
    /// the bucket away waits for that change, and is skipped with it.
    pub removed_by: Option<String>,
}

/// Who delivers into the bucket now: removing their statements or the bucket would stop
/// their logs, unless the plan removes them first.
pub(crate) fn live_users(cx: &Context<'_>, delivery: Delivery, bucket: &str) -> Vec<LiveUser> {
    use crate::plan::Kind;
    let inventory = cx.inventory;
    match delivery {
        Delivery::Cloudtrail => inventory
            .cloudtrail
            .trails
            .iter()
            .filter(|trail| trail.bucket.as_deref() == Some(bucket))
            .map(|trail| {
                let absent = cx.desired.cloudtrail.trail.iter().any(|entry| entry.name() == trail.name && entry.ensure == holdfast_desired::Ensure::Absent);
                let removed_by = (absent && trail.home_region == inventory.region).then(|| Kind::CloudTrailTrail.address(&trail.name));
                LiveUser { name: format!("the trail {}", trail.name), removed_by }
            })
            .collect(),
        Delivery::Config => {
            let turned_off = cx.desired.config.as_deref().is_some_and(|config| !config.enabled) && !inventory.config.recorders.is_empty();
            inventory
                .config
                .channels
                .iter()
                .filter(|channel| channel.bucket.as_deref() == Some(bucket))
                .map(|channel| LiveUser {
                    name: format!("the AWS Config delivery channel {}", channel.name),
                    removed_by: turned_off.then(|| Kind::ConfigRecorder.address(&inventory.region)),
                })
                .collect()
        }
        Delivery::FlowLogs => {
            let declared = inventory
                .vpc
                .vpcs
                .iter()
                .flat_map(|vpc| &vpc.flow_logs)
                .filter(|flow_log| flow_log.destination_type == "s3")
                .map(|flow_log| &flow_log.destination);
            let mut arns: Vec<&String> = declared
                .chain(&inventory.vpc.s3_destinations)
                .filter(|arn| arn.trim_start_matches("arn:aws:s3:::").split('/').next() == Some(bucket))
                .collect();
            arns.sort();
            arns.dedup();
            arns.into_iter().map(|arn| LiveUser { name: format!("a flow log to {arn}"), removed_by: None }).collect()
        }
    }
}

/// Splits live users into those the plan does not remove (named, for an error) and the
/// changes that remove the others (for the bucket change to wait on).
pub(crate) fn blocking_and_waits(users: Vec<LiveUser>) -> (Vec<String>, Vec<String>) {
    let mut blocking = Vec::new();
    let mut waits = Vec::new();
    for user in users {
        match user.removed_by {
            Some(address) => waits.push(address),
            None => blocking.push(user.name),
        }
    }
    (blocking, waits)
}

fn delivery_statements(cx: &Context<'_>, delivery: Delivery, bucket: &str) -> Vec<Value> {
    let account = &cx.inventory.account_id;
    let bucket_arn = format!("arn:aws:s3:::{bucket}");
    // Under any prefix: a trail or channel of this account in another region, which no
    // plan of this region can see, writes with the same statement.
    let objects = |tail: &str| Value::String(format!("{bucket_arn}/*AWSLogs/{account}/{tail}*"));
    let source = json!({ "StringEquals": { "aws:SourceAccount": account } });
    let write_condition = json!({ "StringEquals": { "aws:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control" } });
    let (service, name) = match delivery {
        Delivery::Cloudtrail => ("cloudtrail.amazonaws.com", "cloudtrail"),
        Delivery::Config => ("config.amazonaws.com", "config"),
        Delivery::FlowLogs => ("delivery.logs.amazonaws.com", "flow-logs"),
    };
    let statement = |suffix: &str, action: &str, resource: Value, condition: &Value| {
        json!({
            "Sid": format!("{MANAGED_PREFIX}{name}-{suffix}"),
            "Effect": "Allow",
            "Principal": { "Service": service },
            "Action": action,
            "Resource": resource,
            "Condition": condition,
        })
    };
    let mut statements = vec![statement("acl-check", "s3:GetBucketAcl", Value::String(bucket_arn.clone()), &source)];
    if delivery == Delivery::Config {
        statements.push(statement("bucket-check", "s3:ListBucket", Value::String(bucket_arn.clone()), &source));
    }
    let tail = if delivery == Delivery::Config { "Config/" } else { "" };
    statements.push(statement("write", "s3:PutObject", objects(tail), &write_condition));
    statements
}

/// A statement with equivalent spellings made one: a one-item list is its item, lists of
/// strings are in order.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Array(items) if items.len() == 1 => canonical(&items[0]),
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(canonical).collect();
            items.sort_by_key(Value::to_string);
            Value::Array(items)
        }
        // Keys in one order, whatever order the statement was written in.
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|key| (key.clone(), canonical(&map[key]))).collect())
        }
        other => other.clone(),
    }
}

/// Whether two sets of statements say the same, in any order and spelling.
pub(crate) fn same(a: &[Value], b: &[Value]) -> bool {
    let sorted = |statements: &[Value]| {
        let mut texts: Vec<String> = statements.iter().map(|statement| canonical(statement).to_string()).collect();
        texts.sort();
        texts
    };
    sorted(a) == sorted(b)
}

/// Statements as a reviewer reads them: pretty JSON keyed by Sid, so a line diff shows
/// which statement each changed line belongs to.
pub(crate) fn describe(statements: &[Value]) -> String {
    if statements.is_empty() {
        return "(no holdfast statements)".to_owned();
    }
    let mut sorted: Vec<&Value> = statements.iter().collect();
    sorted.sort_by(|a, b| sid(a).cmp(&sid(b)));
    let mut keyed = serde_json::Map::new();
    for statement in sorted {
        let mut body = statement.clone();
        if let Some(map) = body.as_object_mut() {
            map.shift_remove("Sid");
        }
        // A Sid found twice shows twice, so nothing hides behind the first.
        let base = sid(statement).unwrap_or("(no Sid)").to_owned();
        let mut key = base.clone();
        let mut count = 1;
        while keyed.contains_key(&key) {
            count += 1;
            key = format!("{base} ({count})");
        }
        keyed.insert(key, body);
    }
    serde_json::to_string_pretty(&keyed).unwrap_or_default()
}
