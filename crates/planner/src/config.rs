//! AWS Config: the region's recorder records what is declared and is recording, and its
//! delivery channel delivers to the declared bucket, after the bucket's policy lets it.

use holdfast_desired::config::{Config, service_linked_role};
use holdfast_desired::s3::Delivery;
use holdfast_inventory::config::{DeliveryChannel, Recorder};

use crate::context::{Context, source};
use crate::operation::{ChannelSettings, Operation, RecorderSettings};
use crate::plan::{Action, AttributeChange, Change, Flag, Kind};

/// The name AWS gives a region's recorder and channel when they are made in the console.
const DEFAULT_NAME: &str = "default";

pub(crate) fn plan(cx: &mut Context<'_>) {
    let Some(config) = cx.desired.config.as_deref() else { return };
    let recorder = cx.inventory.config.recorders.first();
    let channel = cx.inventory.config.channels.first();
    let change = if config.enabled {
        if let Some(bucket) = config.bucket() {
            let name = channel.map_or(DEFAULT_NAME, |channel| channel.name.as_str());
            crate::cloudtrail::check_bucket(cx, "Config delivery channel", name, bucket, Delivery::Config, &config.origin);
        }
        set(cx, config, recorder, channel)
    } else {
        recorder.map(|recorder| delete(cx, config, recorder))
    };
    cx.changes.extend(change);
}

fn yes_no(value: bool) -> String {
    if value { "true".to_owned() } else { "false".to_owned() }
}

fn destination(bucket: Option<&str>, prefix: Option<&str>) -> String {
    match (bucket, prefix) {
        (Some(bucket), Some(prefix)) => format!("s3://{bucket}/{prefix}/"),
        (Some(bucket), None) => format!("s3://{bucket}/"),
        (None, _) => "(none)".to_owned(),
    }
}

fn set(cx: &Context<'_>, config: &Config, recorder: Option<&Recorder>, channel: Option<&DeliveryChannel>) -> Option<Change> {
    let account = &cx.inventory.account_id;
    let mut attributes = Vec::new();
    let want_role = config
        .role
        .as_ref()
        .map(|role| role.get_ref().clone())
        .or_else(|| recorder.and_then(|recorder| recorder.role_arn.clone()))
        .unwrap_or_else(|| service_linked_role(account));
    let want = RecorderSettings {
        name: recorder.map_or(DEFAULT_NAME, |recorder| recorder.name.as_str()).to_owned(),
        role_arn: want_role,
        all_supported: config.all_supported.or(recorder.map(|recorder| recorder.all_supported)).unwrap_or(true),
        include_global_resources: config.include_global_resources.or(recorder.map(|recorder| recorder.include_global_resources)).unwrap_or(false),
        resource_types: Vec::new(),
        recording_frequency: recorder.and_then(|recorder| recorder.recording_frequency.clone()),
    };
    // Resource types go with recording only some: not with all_supported.
    let want = RecorderSettings {
        resource_types: if want.all_supported { Vec::new() } else { recorder.map(|recorder| recorder.resource_types.clone()).unwrap_or_default() },
        ..want
    };
    let have_recorder = recorder.map(|recorder| (recorder.role_arn.clone().unwrap_or_default(), recorder.all_supported, recorder.include_global_resources));
    match have_recorder {
        None => {
            attributes.push(AttributeChange::new("recorder", None, Some(want.name.clone())));
            attributes.push(AttributeChange::new("role", None, Some(want.role_arn.clone())));
            attributes.push(AttributeChange::new("all_supported", None, Some(yes_no(want.all_supported))));
            attributes.push(AttributeChange::new("include_global_resources", None, Some(yes_no(want.include_global_resources))));
        }
        Some((role, all, global)) => {
            if role != want.role_arn {
                attributes.push(AttributeChange::new("role", Some(role), Some(want.role_arn.clone())));
            }
            if all != want.all_supported {
                attributes.push(AttributeChange::new("all_supported", Some(yes_no(all)), Some(yes_no(want.all_supported))));
            }
            if global != want.include_global_resources {
                attributes.push(AttributeChange::new("include_global_resources", Some(yes_no(global)), Some(yes_no(want.include_global_resources))));
            }
        }
    }
    let put_recorder = !attributes.is_empty();
    let want_channel = ChannelSettings {
        name: channel.map_or(DEFAULT_NAME, |channel| channel.name.as_str()).to_owned(),
        bucket: config.bucket().unwrap_or_default().to_owned(),
        prefix: config.prefix().map(str::to_owned),
        kms_key_arn: channel.and_then(|channel| channel.kms_key_arn.clone()),
        sns_topic_arn: channel.and_then(|channel| channel.sns_topic_arn.clone()),
        snapshot_frequency: channel.and_then(|channel| channel.snapshot_frequency.clone()),
    };
    let have_destination = channel.map(|channel| destination(channel.bucket.as_deref(), channel.prefix.as_deref().filter(|prefix| !prefix.is_empty())));
    let want_destination = destination(Some(&want_channel.bucket), want_channel.prefix.as_deref());
    let put_channel = have_destination.as_deref() != Some(want_destination.as_str());
    if put_channel {
        attributes.push(AttributeChange::new("delivery", have_destination, Some(want_destination)));
    }
    let recording = match recorder.map(|recorder| recorder.recording) {
        Some(have) if have == config.recording => None,
        // A new recorder does not record until started: nothing to stop.
        None if !config.recording => {
            attributes.push(AttributeChange::new("recording", None, Some(yes_no(false))));
            None
        }
        have => {
            attributes.push(AttributeChange::new("recording", have.map(yes_no), Some(yes_no(config.recording))));
            Some(config.recording)
        }
    };
    if attributes.is_empty() {
        return None;
    }
    let reason = (recording == Some(false)).then(|| "configuration changes stop being recorded until the recorder starts again".to_owned());
    let bucket = config.bucket().map(|bucket| Kind::S3Bucket.address(bucket));
    Some(Change {
        address: Kind::ConfigRecorder.address(&cx.inventory.region),
        kind: Kind::ConfigRecorder,
        action: if recorder.is_none() { Action::Create } else { Action::Update },
        label: None,
        attributes,
        flags: if recording == Some(false) { vec![Flag::StopsAudit] } else { Vec::new() },
        source: source(&config.origin),
        reason,
        notes: Vec::new(),
        depends_on: if put_channel { bucket.into_iter().collect() } else { Vec::new() },
        cost: None,
        operation: Operation::SetConfigRecorder { recorder: put_recorder.then_some(want), channel: put_channel.then_some(want_channel), recording },
    })
}

fn delete(cx: &Context<'_>, config: &Config, recorder: &Recorder) -> Change {
    Change {
        address: Kind::ConfigRecorder.address(&cx.inventory.region),
        kind: Kind::ConfigRecorder,
        action: Action::Delete,
        label: None,
        attributes: vec![AttributeChange::new("recording", Some(yes_no(recorder.recording)), None)],
        flags: Vec::new(),
        source: source(&config.origin),
        reason: Some("[config] enabled = false: configuration changes stop being recorded; the history already delivered stays in its bucket".to_owned()),
        notes: Vec::new(),
        depends_on: Vec::new(),
        cost: None,
        operation: Operation::DeleteConfigRecorder {
            recorder: recorder.name.clone(),
            channels: cx.inventory.config.channels.iter().map(|channel| channel.name.clone()).collect(),
        },
    }
}
