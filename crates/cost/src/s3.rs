//! S3 buckets: bytes by storage class at each class's price, and where a lifecycle rule
//! would move the bytes now in Standard.

use holdfast_inventory::s3::{Bucket, LifecycleRule, Storage};
use holdfast_planner::Change;
use holdfast_planner::operation::Operation;

use crate::money::{gigabytes, number, price, size};
use crate::{Estimated, Figure, Pricing, estimate_of, free};

/// Days in an average month.
const DAYS_PER_MONTH: f64 = 365.0 / 12.0;
/// Intelligent-Tiering moves an object not read for 30 days to Infrequent Access, and
/// for 90 days to Archive Instant Access.
const TIERING_INFREQUENT_DAYS: f64 = 30.0;
const TIERING_ARCHIVE_DAYS: f64 = 90.0;

pub(crate) fn change(change: &Change, pricing: &Pricing<'_>) -> Option<Estimated> {
    Some(match &change.operation {
        Operation::UpdateBucket { bucket, lifecycle: Some(rules), transition_minimum_object_size, .. } => {
            lifecycle(pricing, bucket, rules, transition_minimum_object_size.as_deref())
        }
        Operation::UpdateBucket { transition_minimum_object_size: Some(_), .. } => {
            Err("the smallest object lifecycle rules move changes which objects move, and object sizes are not read".to_owned())
        }
        Operation::UpdateBucket { encryption: Some(encryption), .. } if encryption.algorithm.starts_with("aws:kms") && !encryption.bucket_key => {
            Err("each object read or written calls KMS ($0.03 per 10,000 requests): object traffic is not read, and a bucket key would cut it".to_owned())
        }
        Operation::UpdateBucket { .. } => Ok(free(
            "no charge: encryption settings, public access blocks and policies cost nothing of their own (SSE-KMS with a bucket key makes few KMS calls)",
        )),
        Operation::CreateBucket { .. } => Ok(free("a new bucket is empty: what is written to it is counted with what writes it")),
        Operation::DeleteBucket { bucket } => deletion(pricing, bucket),
        _ => return None,
    })
}

fn storage(bucket: &Bucket) -> Result<&Storage, String> {
    bucket.storage.as_ref().ok_or_else(|| "the bucket's size was not read (CloudWatch BucketSizeBytes)".to_owned())
}

/// The price key of a CloudWatch `StorageType`; None for the types the table does not hold.
fn price_key(storage_type: &str) -> Option<&'static str> {
    Some(match storage_type {
        "StandardStorage" | "GlacierS3ObjectOverhead" | "DeepArchiveS3ObjectOverhead" => "s3_standard_gb_month",
        "IntelligentTieringFAStorage" => "s3_intelligent_frequent_gb_month",
        "IntelligentTieringIAStorage" => "s3_intelligent_infrequent_gb_month",
        "IntelligentTieringAIAStorage" => "s3_intelligent_archive_instant_gb_month",
        "StandardIAStorage" | "StandardIASizeOverhead" => "s3_standard_ia_gb_month",
        "GlacierInstantRetrievalStorage" | "GlacierIRSizeOverhead" => "s3_glacier_instant_gb_month",
        "GlacierStorage" | "GlacierObjectOverhead" | "GlacierStagingStorage" => "s3_glacier_gb_month",
        "DeepArchiveStorage" | "DeepArchiveObjectOverhead" | "DeepArchiveStagingStorage" => "s3_deep_archive_gb_month",
        _ => return None,
    })
}

/// The price key of a lifecycle rule's storage class, and its name as people read it.
fn class_key(storage_class: &str) -> Option<(&'static str, &'static str)> {
    Some(match storage_class {
        "STANDARD" => ("s3_standard_gb_month", "Standard"),
        "STANDARD_IA" => ("s3_standard_ia_gb_month", "Standard-IA"),
        "GLACIER_IR" => ("s3_glacier_instant_gb_month", "Glacier Instant Retrieval"),
        "GLACIER" => ("s3_glacier_gb_month", "Glacier"),
        "DEEP_ARCHIVE" => ("s3_deep_archive_gb_month", "Deep Archive"),
        _ => return None,
    })
}

/// What the bytes stored cost a month, by class, and the classes not priced.
fn stored(pricing: &Pricing<'_>, storage: &Storage) -> Result<(f64, Vec<String>, Vec<String>), String> {
    let mut usd = 0.0;
    let mut parts = Vec::new();
    let mut unpriced = Vec::new();
    for (storage_type, bytes) in &storage.bytes {
        let gb = gigabytes(*bytes);
        match price_key(storage_type) {
            Some(key) => {
                let unit = pricing.usd(key)?;
                usd += gb * unit;
                parts.push(format!("{} {} × {}", size(gb), short(storage_type), price(unit)));
            }
            None => unpriced.push(format!("{} in {storage_type} is not priced", size(gb))),
        }
    }
    Ok((usd, parts, unpriced))
}

fn short(storage_type: &str) -> &str {
    storage_type.strip_suffix("Storage").unwrap_or(storage_type)
}

/// The bucket as the rules wanted will hold it in the steady state, against the same under
/// the rules it has now, added to what it costs today.
///
/// The bytes are taken as written at a steady rate, and not read again after 30 days: the
/// rate is what the bucket holds over how long the rules now keep it (their expiration, or
/// the months assumed). Rules only ever move bytes colder, so without rules that move or
/// expire anything now, only the bytes in Standard are the rules' to move; bytes put
/// straight into another class stay where they are.
fn lifecycle(pricing: &Pricing<'_>, name: &str, rules: &[LifecycleRule], minimum_size: Option<&str>) -> Estimated {
    let bucket = pricing.bucket(name)?;
    let storage = storage(bucket)?;
    if storage.bytes.is_empty() && bucket.empty != Some(true) {
        return Err("S3 reported no size for the bucket in the last days (it does once a day, and not for a new bucket)".to_owned());
    }
    let now: Vec<&LifecycleRule> = bucket.lifecycle.iter().flat_map(|lifecycle| &lifecycle.rules).filter(|rule| rule.status == "Enabled").collect();
    let wanted: Vec<&LifecycleRule> = rules.iter().filter(|rule| rule.status == "Enabled").collect();
    if now.iter().chain(&wanted).any(|rule| !whole_bucket(rule)) {
        return Err("a rule with a filter moves part of the bucket, whose size by prefix, tag or object size is not read".to_owned());
    }
    let noncurrent = |rules: &[&LifecycleRule]| rules.iter().filter_map(|rule| rule.noncurrent_expiration_days).min();
    if noncurrent(&now) != noncurrent(&wanted) {
        return Err("the rules change how long noncurrent versions are kept, and their size is not read".to_owned());
    }
    let (actual, now_parts, unpriced) = stored(pricing, storage)?;
    let total_gb = gigabytes(storage.total_bytes());
    let moves_now = now.iter().any(|rule| !rule.transitions.is_empty() || rule.expiration_days.is_some());
    // What the rules have to work with: everything, when the rules now put it where it is.
    let standard_gb = storage.bytes.get("StandardStorage").copied().map_or(0.0, gigabytes);
    let movable_gb = if moves_now { total_gb } else { standard_gb };
    // An expiration deletes bytes in every class, and the colder ones' ages are not read.
    if !moves_now && movable_gb < total_gb && wanted.iter().any(|rule| rule.expiration_days.is_some()) {
        return Err("an expiration deletes bytes in every storage class, and the age of those outside Standard is not read".to_owned());
    }
    let objects = storage.objects.map(|objects| objects as f64 * if total_gb > 0.0 { movable_gb / total_gb } else { 0.0 });
    let span = pricing.assumed("s3_months_of_data")? * DAYS_PER_MONTH;
    let now_minimum = bucket.lifecycle.as_ref().and_then(|lifecycle| lifecycle.transition_minimum_object_size.as_deref());
    let old = Rules::of(&now, now_minimum, span);
    let new = Rules::of(&wanted, minimum_size.or(now_minimum), span);
    let flow = Flow {
        gb_per_day: movable_gb / old.horizon,
        objects_per_gb: objects.filter(|_| movable_gb > 0.0).map(|objects| objects / movable_gb),
        average_kb: average_kb(movable_gb, objects),
    };
    let (old_usd, old_parts) = steady(pricing, &flow, &old)?;
    let (new_usd, new_parts) = steady(pricing, &flow, &new)?;
    let after = actual + new_usd - old_usd;
    // Where the rules now put the bytes, the model of them must come near what they cost.
    let at_odds = moves_now && (old_usd - actual).abs() > (0.25 * actual).max(0.05);
    if after < -0.005 || at_odds {
        return Err("the bucket's bytes are not where its rules now would put them, so what the new rules save is not known".to_owned());
    }
    let mut basis = vec![format!("stored now (read): {}", if now_parts.is_empty() { "nothing".to_owned() } else { now_parts.join(", ") })];
    if !moves_now && movable_gb < total_gb {
        basis.push(format!("only the {} in Standard moves: rules never move bytes back from colder classes", size(movable_gb)));
    }
    match (storage.objects, flow.average_kb) {
        (Some(objects), Some(kb)) => basis.push(format!("{} objects (read), {} on average", number(objects as f64), object_size(kb))),
        (Some(objects), None) => basis.push(format!("{} objects (read)", number(objects as f64))),
        (None, _) => basis.push("object count not read: per-object fees and minimum sizes are not counted".to_owned()),
    }
    basis.push(format!("written at {} a day (what the bucket holds over the {} days it keeps)", size(flow.gb_per_day), number(old.horizon.round())));
    basis.push(pricing.assumption("s3_months_of_data"));
    basis.extend(unpriced);
    let arithmetic = format!("{} -> {}", old_parts.join(" + "), new_parts.join(" + "));
    Ok(estimate_of(actual, after.max(0.0), arithmetic, basis))
}

/// `350 KB`, `20.5 MB`: an average object's size.
fn object_size(kb: f64) -> String {
    if kb < 1024.0 { format!("{} KB", number(kb.round())) } else { format!("{} MB", number((kb / 102.4).round() / 10.0)) }
}

/// Bytes arriving at a steady rate, and their objects.
struct Flow {
    gb_per_day: f64,
    objects_per_gb: Option<f64>,
    average_kb: Option<f64>,
}

fn average_kb(gb: f64, objects: Option<f64>) -> Option<f64> {
    objects.filter(|objects| *objects > 0.0).map(|objects| gb * 1024.0 * 1024.0 / objects)
}

/// A rule set as the model reads it: the classes bytes pass through by age, and how long
/// the bucket keeps them.
struct Rules<'a> {
    transitions: Vec<(f64, &'a str)>,
    horizon: f64,
    /// Objects under 128 KB transition nowhere (S3's default), or only to Glacier and Deep
    /// Archive (`varies_by_storage_class`).
    small_to_archives_only: bool,
}

impl<'a> Rules<'a> {
    fn of(rules: &[&'a LifecycleRule], minimum_size: Option<&str>, span: f64) -> Self {
        let mut transitions: Vec<(f64, &str)> = rules
            .iter()
            .flat_map(|rule| &rule.transitions)
            .filter_map(|transition| Some((f64::from(transition.days?), transition.storage_class.as_str())))
            .collect();
        transitions.sort_by(|a, b| a.0.total_cmp(&b.0));
        let expiration = rules.iter().filter_map(|rule| rule.expiration_days).min().map(f64::from);
        Self {
            transitions,
            horizon: expiration.map_or(span, |days| days.min(span)).max(1.0),
            small_to_archives_only: minimum_size == Some("varies_by_storage_class"),
        }
    }
}

/// Intelligent-Tiering neither monitors nor moves objects under 128 KB; Standard-IA and
/// Glacier Instant Retrieval bill each object as 128 KB at least; Glacier and Deep Archive
/// add 40 KB an object (32 KB at their price, 8 KB at Standard's).
const SMALL_OBJECT_KB: f64 = 128.0;
const ARCHIVE_OVERHEAD_KB: f64 = 32.0;
const ARCHIVE_INDEX_KB: f64 = 8.0;

/// What the bucket costs a month once `rules` hold every byte where its age puts it.
fn steady(pricing: &Pricing<'_>, flow: &Flow, rules: &Rules<'_>) -> Result<(f64, Vec<String>), String> {
    let small = flow.average_kb.is_some_and(|kb| kb < SMALL_OBJECT_KB);
    let mut segments: Vec<(f64, f64, &str)> = Vec::new();
    let mut start = 0.0;
    let mut class = "STANDARD";
    for (days, next) in &rules.transitions {
        // Small objects stay behind where S3 would not move them.
        if small && !(rules.small_to_archives_only && matches!(*next, "GLACIER" | "DEEP_ARCHIVE")) {
            continue;
        }
        segments.push((start, *days, class));
        start = *days;
        class = next;
    }
    segments.push((start, f64::INFINITY, class));
    let standard = pricing.usd("s3_standard_gb_month")?;
    let kb_to_gb = |kb: f64| kb / (1024.0 * 1024.0);
    let (mut usd, mut parts) = (0.0, Vec::new());
    for (from, to, class) in segments {
        let to = to.min(rules.horizon);
        if to <= from {
            continue;
        }
        let gb = flow.gb_per_day * (to - from);
        let objects = flow.objects_per_gb.map(|per_gb| per_gb * gb);
        match class {
            "INTELLIGENT_TIERING" if small => {
                let unit = pricing.usd("s3_intelligent_frequent_gb_month")?;
                usd += gb * unit;
                parts.push(format!("{} IT frequent × {} (objects under 128 KB on average: not tiered, not monitored)", size(gb), price(unit)));
            }
            "INTELLIGENT_TIERING" => {
                let tiers = [
                    (from, from + TIERING_INFREQUENT_DAYS, "s3_intelligent_frequent_gb_month", "IT frequent"),
                    (from + TIERING_INFREQUENT_DAYS, from + TIERING_ARCHIVE_DAYS, "s3_intelligent_infrequent_gb_month", "IT infrequent"),
                    (from + TIERING_ARCHIVE_DAYS, f64::INFINITY, "s3_intelligent_archive_instant_gb_month", "IT archive instant"),
                ];
                for (tier_from, tier_to, key, label) in tiers {
                    let days = tier_to.min(to) - tier_from.min(to);
                    if days > 0.0 {
                        let unit = pricing.usd(key)?;
                        usd += flow.gb_per_day * days * unit;
                        parts.push(format!("{} {label} × {}", size(flow.gb_per_day * days), price(unit)));
                    }
                }
                if let Some(objects) = objects {
                    let per_thousand = pricing.usd("s3_intelligent_monitoring_1000_objects")?;
                    usd += objects / 1000.0 * per_thousand;
                    parts.push(format!("{} objects monitored × {} per 1,000", number(objects.round()), price(per_thousand)));
                }
            }
            _ => {
                let Some((key, name)) = class_key(class) else { return Err(format!("storage class {class} is not priced")) };
                let unit = pricing.usd(key)?;
                match (class, objects) {
                    ("STANDARD_IA" | "GLACIER_IR", Some(objects)) if gb < kb_to_gb(objects * SMALL_OBJECT_KB) => {
                        let billed = kb_to_gb(objects * SMALL_OBJECT_KB);
                        usd += billed * unit;
                        parts.push(format!("{} {name} × {} (each object billed as 128 KB at least)", size(billed), price(unit)));
                    }
                    ("GLACIER" | "DEEP_ARCHIVE", Some(objects)) => {
                        usd += gb * unit + kb_to_gb(objects * ARCHIVE_OVERHEAD_KB) * unit + kb_to_gb(objects * ARCHIVE_INDEX_KB) * standard;
                        parts.push(format!("{} {name} × {} + {} objects × 40 KB of overhead", size(gb), price(unit), number(objects.round())));
                    }
                    _ => {
                        usd += gb * unit;
                        parts.push(format!("{} {name} × {}", size(gb), price(unit)));
                    }
                }
            }
        }
    }
    if parts.is_empty() {
        parts.push("nothing kept".to_owned());
    }
    Ok((usd, parts))
}

/// Whether a rule applies to every object: no filter, or an empty one.
fn whole_bucket(rule: &LifecycleRule) -> bool {
    rule.legacy_prefix.as_deref().is_none_or(str::is_empty)
        && rule.filter.as_ref().is_none_or(|filter| {
            filter.prefix.as_deref().is_none_or(str::is_empty)
                && filter.tags.is_empty()
                && filter.object_size_greater_than.is_none()
                && filter.object_size_less_than.is_none()
        })
}

fn deletion(pricing: &Pricing<'_>, name: &str) -> Estimated {
    let bucket = pricing.bucket(name)?;
    // A listing that found nothing is today's; S3's size metric may be a day behind.
    if bucket.empty == Some(true) {
        return Ok(estimate_of(0.0, 0.0, "empty (read): stores nothing", Vec::new()));
    }
    if let Some(storage) = &bucket.storage {
        let (usd, parts, unpriced) = stored(pricing, storage)?;
        let arithmetic = if parts.is_empty() { "stores nothing".to_owned() } else { parts.join(" + ") };
        return Ok(estimate_of(usd, 0.0, arithmetic, unpriced));
    }
    match bucket.empty {
        Some(true) => Ok(estimate_of(0.0, 0.0, "empty (read): stores nothing", Vec::new())),
        _ => Err("the bucket's size was not read (CloudWatch BucketSizeBytes)".to_owned()),
    }
}

/// What a bucket costs a month as it stores now: for `holdfast cost`.
pub(crate) fn run_rate(pricing: &Pricing<'_>, bucket: &Bucket) -> Result<Figure, String> {
    let storage = storage(bucket)?;
    if storage.bytes.is_empty() && bucket.empty != Some(true) {
        return Err("S3 reported no size for the bucket in the last days (it does once a day, and not for a new bucket)".to_owned());
    }
    let (mut usd, mut parts, unpriced) = stored(pricing, storage)?;
    // Intelligent-Tiering's fee is for its own objects: the bucket's, in the share of its
    // bytes that tier holds.
    let tiered: u64 = storage.bytes.iter().filter(|(storage_type, _)| storage_type.starts_with("IntelligentTiering")).map(|(_, bytes)| bytes).sum();
    if let (true, Some(objects)) = (tiered > 0, storage.objects) {
        let per_thousand = pricing.usd("s3_intelligent_monitoring_1000_objects")?;
        let monitored = objects as f64 * tiered as f64 / storage.total_bytes() as f64;
        usd += monitored / 1000.0 * per_thousand;
        parts.push(format!("{} objects monitored × {} per 1,000 (their share of the bytes)", number(monitored.round()), price(per_thousand)));
    }
    let mut basis = vec!["bytes by storage class from S3's daily metrics (read)".to_owned()];
    basis.extend(unpriced);
    basis.push("requests and data transfer are not counted".to_owned());
    Ok(Figure { usd, arithmetic: if parts.is_empty() { "stores nothing".to_owned() } else { parts.join(" + ") }, basis })
}
