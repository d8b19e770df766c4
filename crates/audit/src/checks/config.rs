//! AWS Config: a recorder that records, delivers, and covers every resource type.

use crate::context::{ACCOUNT, Context, Outcome, finding, table_fix};

const NEW_ENTRY: &str = "[config]\nall_supported = true\ninclude_global_resources = true\nbucket = \"your-log-bucket\"\nrecording = true";

pub(crate) fn evaluate(cx: &Context<'_>) -> Vec<Outcome> {
    let read = cx.read("config.recorder");
    let config = &cx.inventory.config;
    let declared = cx.desired.config.as_deref();
    let fix = |declares: bool, setting: &str| table_fix(declared.map(|entry| &entry.origin), declares, setting, NEW_ENTRY);
    let on = read.clone().map(|()| {
        let recording = config.recorders.iter().find(|recorder| recorder.recording);
        let channel = config.channels.first();
        let observed = match (config.recorders.first(), channel) {
            (None, _) => "no recorder".to_owned(),
            (Some(recorder), channel) => format!(
                "recorder {} {}; {}",
                recorder.name,
                if recording.is_some() { "recording" } else { "NOT recording" },
                channel
                    .map_or_else(|| "no delivery channel".to_owned(), |channel| format!("delivering to {}", channel.bucket.as_deref().unwrap_or("no bucket")))
            ),
        };
        vec![finding(recording.is_some() && channel.is_some(), "account".to_owned(), "recorder", observed, || {
            fix(declared.is_some_and(|entry| entry.recording && entry.bucket().is_some()), "recording = true\nbucket = \"your-log-bucket\"")
        })]
    });
    let everything = read.map(|()| {
        config
            .recorders
            .iter()
            .map(|recorder| {
                let observed = format!("allSupported {}, includeGlobalResourceTypes {}", recorder.all_supported, recorder.include_global_resources);
                finding(
                    recorder.all_supported && recorder.include_global_resources,
                    format!("config.recorder/{}", recorder.name),
                    "recording group",
                    observed,
                    || {
                        fix(
                            declared.is_some_and(|entry| entry.all_supported == Some(true) && entry.include_global_resources == Some(true)),
                            "all_supported = true\ninclude_global_resources = true",
                        )
                    },
                )
            })
            .collect()
    });
    vec![Outcome::new("config.recorder_on", ACCOUNT, on), Outcome::new("config.records_everything", "recorders", everything)]
}
