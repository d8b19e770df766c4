//! CloudTrail: each declared trail exists, delivers where declared, and is logging. A
//! trail is changed only from its home region; a trail is planned after the bucket
//! policy statements it needs, so CloudTrail never refuses it halfway through an apply.

use holdfast_desired::Ensure;
use holdfast_desired::cloudtrail::TrailEntry;
use holdfast_desired::s3::Delivery;
use holdfast_inventory::cloudtrail::Trail;
use holdfast_inventory::kms::KeyReference;

use crate::context::{Context, source};
use crate::operation::{Operation, TrailSettings};
use crate::plan::{Action, AttributeChange, Change, Flag, Kind};

pub(crate) fn plan(cx: &mut Context<'_>) {
    for entry in cx.desired.cloudtrail.trail.iter() {
        let live = cx.inventory.cloudtrail.trails.iter().find(|trail| trail.name == entry.name());
        if let Some(trail) = live
            && trail.home_region != cx.inventory.region
        {
            cx.warn(
                format!(
                    "trail `{}` was created in {} and is only seen from {}: plan it from its home region ({}); it is left alone here",
                    trail.name, trail.home_region, cx.inventory.region, trail.home_region
                ),
                Some(&entry.origin),
            );
            continue;
        }
        if entry.ensure == Ensure::Present {
            check_delivery(cx, entry);
            check_key(cx, entry);
        }
        let change = match (entry.ensure, live) {
            (Ensure::Present, None) => Some(create(cx, entry)),
            (Ensure::Present, Some(trail)) => update(cx, entry, trail),
            (Ensure::Absent, Some(trail)) => Some(delete(entry, trail)),
            (Ensure::Absent, None) => None,
        };
        cx.changes.extend(change);
    }
}

fn settings(entry: &TrailEntry, live: Option<&Trail>) -> TrailSettings {
    TrailSettings {
        bucket: entry.bucket().unwrap_or_default().to_owned(),
        prefix: entry.prefix().map(str::to_owned),
        // Undeclared settings keep the live value, or AWS's default for a new trail.
        multi_region: entry.multi_region.or(live.map(|trail| trail.multi_region)).unwrap_or(false),
        log_file_validation: entry.log_file_validation.or(live.map(|trail| trail.log_file_validation)).unwrap_or(false),
        global_service_events: entry.global_service_events.or(live.map(|trail| trail.global_service_events)).unwrap_or(true),
        kms_key: entry.kms_key.clone().or_else(|| live.and_then(|trail| trail.kms_key.clone())),
    }
}

fn yes_no(value: bool) -> String {
    if value { "true".to_owned() } else { "false".to_owned() }
}

/// What the trail waits for: its bucket's change (the policy statements), and its key's.
fn dependencies(cx: &Context<'_>, entry: &TrailEntry) -> Vec<String> {
    let bucket = entry.bucket().map(|bucket| Kind::S3Bucket.address(bucket));
    let key = entry.kms_key.as_deref().and_then(|key| crate::kms::key_dependency(cx, key));
    bucket.into_iter().chain(key).collect()
}

fn create(cx: &Context<'_>, entry: &TrailEntry) -> Change {
    let settings = settings(entry, None);
    let mut attributes = vec![AttributeChange::new("destination", None, Some(destination(&settings.bucket, settings.prefix.as_deref())))];
    attributes.push(AttributeChange::new("multi_region", None, Some(yes_no(settings.multi_region))));
    attributes.push(AttributeChange::new("log_file_validation", None, Some(yes_no(settings.log_file_validation))));
    attributes.push(AttributeChange::new("global_service_events", None, Some(yes_no(settings.global_service_events))));
    if let Some(key) = &settings.kms_key {
        attributes.push(AttributeChange::new("kms_key", None, Some(key.clone())));
    }
    attributes.push(AttributeChange::new("logging", None, Some(yes_no(entry.logging))));
    let settings = TrailSettings { kms_key: settings.kms_key.map(|key| crate::kms::key_to_write(cx, &key)), ..settings };
    Change {
        address: Kind::CloudTrailTrail.address(entry.name()),
        kind: Kind::CloudTrailTrail,
        action: Action::Create,
        label: None,
        attributes,
        flags: Vec::new(),
        source: source(&entry.origin),
        reason: None,
        notes: Vec::new(),
        depends_on: dependencies(cx, entry),
        cost: None,
        operation: Operation::CreateTrail { name: entry.name().to_owned(), settings, logging: entry.logging },
    }
}

fn destination(bucket: &str, prefix: Option<&str>) -> String {
    match prefix {
        Some(prefix) => format!("s3://{bucket}/{prefix}/"),
        None => format!("s3://{bucket}/"),
    }
}

fn update(cx: &Context<'_>, entry: &TrailEntry, trail: &Trail) -> Option<Change> {
    let want = settings(entry, Some(trail));
    let mut attributes = Vec::new();
    let have_destination = destination(trail.bucket.as_deref().unwrap_or("(none)"), trail.prefix.as_deref().filter(|prefix| !prefix.is_empty()));
    let want_destination = destination(&want.bucket, want.prefix.as_deref());
    if have_destination != want_destination {
        attributes.push(AttributeChange::new("destination", Some(have_destination), Some(want_destination)));
    }
    for (name, have, want) in [
        ("multi_region", trail.multi_region, want.multi_region),
        ("log_file_validation", trail.log_file_validation, want.log_file_validation),
        ("global_service_events", trail.global_service_events, want.global_service_events),
    ] {
        if have != want {
            attributes.push(AttributeChange::new(name, Some(yes_no(have)), Some(yes_no(want))));
        }
    }
    if let Some(key) = &entry.kms_key
        && !trail.kms_key.as_deref().is_some_and(|have| crate::normalize::same_kms_key(&cx.inventory.kms, key, have))
    {
        attributes.push(AttributeChange::new("kms_key", trail.kms_key.clone(), Some(key.clone())));
    }
    let settings_changed = !attributes.is_empty();
    let logging = match trail.logging {
        Some(have) if have != entry.logging => {
            attributes.push(AttributeChange::new("logging", Some(yes_no(have)), Some(yes_no(entry.logging))));
            Some(entry.logging)
        }
        // Not read: start or stop it anyway, which is harmless when it already is.
        None => Some(entry.logging),
        _ => None,
    };
    if attributes.is_empty() {
        return None;
    }
    let settings = settings_changed.then(|| TrailSettings { kms_key: want.kms_key.clone().map(|key| crate::kms::key_to_write(cx, &key)), ..want });
    let reason =
        (logging == Some(false)).then(|| "the trail stops recording API activity: nothing done in the account is logged until it starts again".to_owned());
    Some(Change {
        address: Kind::CloudTrailTrail.address(entry.name()),
        kind: Kind::CloudTrailTrail,
        action: Action::Update,
        label: None,
        attributes,
        flags: if logging == Some(false) { vec![Flag::StopsAudit] } else { Vec::new() },
        source: source(&entry.origin),
        reason,
        notes: Vec::new(),
        depends_on: if settings.is_some() { dependencies(cx, entry) } else { Vec::new() },
        cost: None,
        operation: Operation::UpdateTrail { name: entry.name().to_owned(), settings, logging },
    })
}

fn delete(entry: &TrailEntry, trail: &Trail) -> Change {
    let bucket = trail.bucket.as_deref().unwrap_or("its bucket");
    Change {
        address: Kind::CloudTrailTrail.address(entry.name()),
        kind: Kind::CloudTrailTrail,
        action: Action::Delete,
        label: None,
        attributes: vec![AttributeChange::new("logging", trail.logging.map(yes_no), None)],
        flags: Vec::new(),
        source: source(&entry.origin),
        reason: Some(format!("marked ensure = \"absent\": API activity stops being recorded by this trail; the log files already in {bucket} stay")),
        notes: Vec::new(),
        depends_on: Vec::new(),
        cost: None,
        operation: Operation::DeleteTrail { name: trail.name.clone(), arn: trail.arn.clone() },
    }
}

/// The trail's bucket must exist or be created, and let CloudTrail write: CloudTrail
/// refuses a bucket whose policy does not, which would stop the apply halfway.
fn check_delivery(cx: &mut Context<'_>, entry: &TrailEntry) {
    let Some(bucket) = entry.bucket() else { return };
    check_bucket(cx, "trail", entry.name(), bucket, Delivery::Cloudtrail, &entry.origin);
}

/// Shared by trails and the Config delivery channel.
pub(crate) fn check_bucket(cx: &mut Context<'_>, what: &str, name: &str, bucket: &str, delivery: Delivery, origin: &holdfast_desired::Origin) {
    let desired = cx.desired;
    if let Some(doomed) = desired.s3.bucket.iter().find(|candidate| candidate.ensure == Ensure::Absent && candidate.name.as_str() == bucket) {
        cx.error(
            format!(
                "the {what} `{name}` delivers to the bucket `{bucket}`, which {} marks ensure = \"absent\": deliver elsewhere, or keep the bucket",
                source(&doomed.origin)
            ),
            Some(origin),
        );
        return;
    }
    let declared =
        desired.s3.bucket.iter().find(|candidate| candidate.ensure == Ensure::Present && candidate.name.is_literal() && candidate.name.as_str() == bucket);
    let exists = cx.inventory.s3.names.iter().chain(&cx.inventory.s3.elsewhere).any(|candidate| candidate == bucket);
    match declared {
        None if !exists => cx.error(
            format!("the {what} `{name}` delivers to the bucket `{bucket}`, which does not exist, and no [[s3.bucket]] entry creates it: declare it, with deliveries = [\"{}\"]", delivery.as_str()),
            Some(origin),
        ),
        None if cx.inventory.s3.names.iter().any(|candidate| candidate == bucket) => cx.warn(
            format!(
                "the {what} `{name}` delivers to `{bucket}`, whose policy holdfast does not manage: AWS refuses a bucket whose policy does not let {} write; declare [[s3.bucket]] name = \"{bucket}\" with deliveries = [\"{}\"] to have holdfast write the statements",
                delivery.as_str(),
                delivery.as_str()
            ),
            Some(origin),
        ),
        Some(_) if exists && !cx.inventory.s3.buckets.iter().any(|candidate| candidate.name == bucket) => cx.warn(
            format!(
                "the {what} `{name}` delivers to `{bucket}`, which is in another region than {}: its policy statements are written when holdfast plans that region, so apply it there first",
                cx.inventory.region
            ),
            Some(origin),
        ),
        // An entry that leaves the bucket's deliveries alone, on a bucket that exists, leaves
        // its policy as it is: whoever wrote it may well let the service write.
        Some(bucket_entry) if !bucket_entry.delivers(delivery) && bucket_entry.deliveries.is_none() && exists => cx.warn(
            format!(
                "the {what} `{name}` delivers to `{bucket}`, whose entry ({}) leaves its deliveries to others: AWS refuses a bucket whose policy does not let {} write; add \"{}\" to its deliveries to have holdfast write the statements",
                source(&bucket_entry.origin),
                delivery.as_str(),
                delivery.as_str()
            ),
            Some(origin),
        ),
        Some(bucket_entry) if !bucket_entry.delivers(delivery) => cx.error(
            format!(
                "the {what} `{name}` delivers to `{bucket}`, but its entry ({}) does not list \"{}\" in deliveries: AWS would refuse the {what} for want of the bucket policy statements; add it",
                source(&bucket_entry.origin),
                delivery.as_str()
            ),
            Some(origin),
        ),
        _ => {}
    }
}

/// CloudTrail encrypts with a key only when the key policy lets it: checked here for a key
/// that exists, and written into the policy of a key the plan creates.
fn check_key(cx: &mut Context<'_>, entry: &TrailEntry) {
    let Some(reference) = entry.kms_key.as_deref() else { return };
    // A declared key gets the statements from its own change.
    if crate::kms::declared_entry(cx, reference).is_some_and(|entry| entry.ensure == holdfast_desired::Ensure::Present) {
        return;
    }
    let KeyReference::Key(arn) = crate::kms::resolve(cx, reference) else { return };
    let Some(policy) = cx.inventory.kms.keys.iter().find(|key| key.arn == arn).and_then(|key| key.policy.as_deref()) else { return };
    if !crate::kms::allows_service(policy, crate::kms::CLOUDTRAIL, &cx.inventory.account_id) {
        cx.error(
            format!(
                "the trail `{}` encrypts with `{reference}`, whose key policy does not let cloudtrail.amazonaws.com use it, so CloudTrail would refuse the trail: add a statement allowing it kms:GenerateDataKey* and kms:DescribeKey (AWS's \"Configure AWS KMS key policies for CloudTrail\")",
                entry.name()
            ),
            Some(&entry.origin),
        );
    }
}
