//! CloudTrail: a multi-region trail that is logging, validated and encrypted logs.

use holdfast_desired::cloudtrail::TrailEntry;
use holdfast_inventory::cloudtrail::Trail;

use crate::context::{ACCOUNT, Context, Outcome, finding, location, quoted};
use crate::report::Fix;

const NEW_TRAIL: &str = "[[cloudtrail.trail]]\nname = \"account-trail\"\nmulti_region = true\nlog_file_validation = true\nglobal_service_events = true\nbucket = \"your-log-bucket\"\nkms_key = \"alias/your-log-key\"\nlogging = true";

pub(crate) fn evaluate(cx: &Context<'_>) -> Vec<Outcome> {
    let read = cx.read("cloudtrail.trails");
    let trails = &cx.inventory.cloudtrail.trails;
    vec![
        Outcome::new(
            "cloudtrail.multi_region_logging",
            ACCOUNT,
            read.clone().and_then(|()| {
                // A multi-region trail whose status could not be read may be the one that logs.
                let passes = trails.iter().any(|trail| trail.multi_region && trail.logging == Some(true));
                match trails.iter().find(|trail| trail.multi_region && trail.logging.is_none()) {
                    Some(unknown) if !passes => Err(format!(
                        "the status of the multi-region trail {} (home region {}) could not be read: audit from its home region",
                        unknown.name, unknown.home_region
                    )),
                    _ => Ok(vec![multi_region(cx, trails)]),
                }
            }),
        ),
        Outcome::new(
            "cloudtrail.log_file_validation",
            "trails",
            read.clone().map(|()| {
                trails
                    .iter()
                    .map(|trail| {
                        finding(trail.log_file_validation, address(trail), "LogFileValidationEnabled", trail.log_file_validation.to_string(), || {
                            fix(cx, trail, |entry| entry.log_file_validation == Some(true), "log_file_validation = true")
                        })
                    })
                    .collect()
            }),
        ),
        Outcome::new(
            "cloudtrail.kms_encryption",
            "trails",
            read.map(|()| {
                trails
                    .iter()
                    .map(|trail| {
                        let observed = trail.kms_key.clone().unwrap_or_else(|| "none (SSE-S3 only)".to_owned());
                        finding(trail.kms_key.is_some(), address(trail), "KmsKeyId", observed, || {
                            fix(cx, trail, |entry| entry.kms_key.is_some(), "kms_key = \"alias/your-log-key\"")
                        })
                    })
                    .collect()
            }),
        ),
    ]
}

fn address(trail: &Trail) -> String {
    format!("cloudtrail.trail/{}", trail.name)
}

/// One finding for the account: some multi-region trail is logging now.
fn multi_region(cx: &Context<'_>, trails: &[Trail]) -> crate::report::Finding {
    let described: Vec<String> = trails
        .iter()
        .map(|trail| {
            let scope = if trail.multi_region { "multi-region" } else { "single-region" };
            let logging = match trail.logging {
                Some(true) => "logging".to_owned(),
                Some(false) => "NOT logging".to_owned(),
                None => format!("status not read (home region {})", trail.home_region),
            };
            format!("{}: {scope}, {logging}", trail.name)
        })
        .collect();
    let passed = trails.iter().any(|trail| trail.multi_region && trail.logging == Some(true));
    let observed = if described.is_empty() { "no trail".to_owned() } else { described.join("; ") };
    finding(passed, "account".to_owned(), "trails", observed, || {
        let declared = cx.desired.cloudtrail.trail.iter().find(|entry| entry.ensure == holdfast_desired::Ensure::Present);
        match declared {
            Some(entry) if entry.multi_region == Some(true) && entry.logging => {
                Fix::Declared { location: location(&entry.origin), note: "declared: `holdfast apply` creates the trail and starts logging".to_owned() }
            }
            Some(entry) => Fix::AddToEntry { location: location(&entry.origin), toml: "multi_region = true\nlogging = true".to_owned() },
            None => Fix::NewEntry { toml: NEW_TRAIL.to_owned() },
        }
    })
}

fn fix(cx: &Context<'_>, trail: &Trail, declares: impl Fn(&TrailEntry) -> bool, setting: &str) -> Fix {
    match cx.desired.cloudtrail.trail.iter().find(|entry| entry.name() == trail.name) {
        Some(entry) if declares(entry) => Fix::Declared { location: location(&entry.origin), note: "declared: `holdfast apply` updates the trail".to_owned() },
        Some(entry) => Fix::AddToEntry { location: location(&entry.origin), toml: setting.to_owned() },
        None => Fix::NewEntry { toml: NEW_TRAIL.replace("\"account-trail\"", &quoted(&trail.name)) },
    }
}
