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
        Operation::UpdateBucket { bucket, lifecycle: Some(rules), .. } => lifecycle(pricing, bucket, rules),
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

/// The bucket's bytes moved by the rules in the steady state (every byte where its age puts
/// it), against the same under the rules it has now: the difference is what the change does
/// to the bill, added to what the bucket costs as it stores today.
fn lifecycle(pricing: &Pricing<'_>, name: &str, rules: &[LifecycleRule]) -> Estimated {
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
    let (actual, now_parts, unpriced) = stored(pricing, storage)?;
    let contents = Contents { gb: gigabytes(storage.total_bytes()), objects: storage.objects.map(|objects| objects as f64) };
    let ages = Ages { span: pricing.assumed("s3_months_of_data")? * DAYS_PER_MONTH };
    let (old_usd, old_parts) = steady(pricing, &contents, &now, &ages)?;
    let (new_usd, new_parts) = steady(pricing, &contents, &wanted, &ages)?;
    let mut basis = vec![format!("stored now (read): {}", if now_parts.is_empty() { "nothing".to_owned() } else { now_parts.join(", ") })];
    match contents.average_kb() {
        Some(kb) => basis.push(format!("{} objects (read), {} KB on average", number(contents.objects.unwrap_or(0.0)), number(kb.round()))),
        None => basis.push("object count not read: per-object fees and minimum sizes are not counted".to_owned()),
    }
    basis.push(pricing.assumption("s3_months_of_data"));
    basis.push("one-off transition requests are not counted".to_owned());
    basis.extend(unpriced);
    let arithmetic = format!("{} -> {}", old_parts.join(" + "), new_parts.join(" + "));
    Ok(estimate_of(actual, (actual + new_usd - old_usd).max(0.0), arithmetic, basis))
}

/// What a bucket holds, as the estimates see it.
struct Contents {
    gb: f64,
    objects: Option<f64>,
}

impl Contents {
    fn average_kb(&self) -> Option<f64> {
        self.objects.filter(|objects| *objects > 0.0).map(|objects| self.gb * 1024.0 * 1024.0 / objects)
    }
}

/// Intelligent-Tiering neither monitors nor moves objects under 128 KB; Standard-IA and
/// Glacier Instant Retrieval bill each object as 128 KB at least; Glacier and Deep Archive
/// add 40 KB an object (32 KB at their price, 8 KB at Standard's).
const SMALL_OBJECT_KB: f64 = 128.0;
const ARCHIVE_OVERHEAD_KB: f64 = 32.0;
const ARCHIVE_INDEX_KB: f64 = 8.0;

/// What the bucket costs a month once `rules` hold every byte where its age puts it.
fn steady(pricing: &Pricing<'_>, contents: &Contents, rules: &[&LifecycleRule], ages: &Ages) -> Result<(f64, Vec<String>), String> {
    let mut transitions: Vec<(f64, &str)> = rules
        .iter()
        .flat_map(|rule| &rule.transitions)
        .filter_map(|transition| Some((f64::from(transition.days?), transition.storage_class.as_str())))
        .collect();
    transitions.sort_by(|a, b| a.0.total_cmp(&b.0));
    let expiration = rules.iter().filter_map(|rule| rule.expiration_days).min().map(f64::from);
    let mut segments: Vec<(f64, f64, &str)> = Vec::new();
    let mut start = 0.0;
    let mut class = "STANDARD";
    for (days, next) in &transitions {
        segments.push((start, *days, class));
        start = *days;
        class = next;
    }
    segments.push((start, f64::INFINITY, class));
    let standard = pricing.usd("s3_standard_gb_month")?;
    let kb_to_gb = |kb: f64| kb / (1024.0 * 1024.0);
    let small = contents.average_kb().is_some_and(|kb| kb < SMALL_OBJECT_KB);
    let (mut usd, mut parts) = (0.0, Vec::new());
    for (from, to, class) in segments {
        let to = expiration.map_or(to, |expiry| to.min(expiry));
        let share = ages.share(from, to);
        if share <= 0.0 {
            continue;
        }
        let (gb, objects) = (contents.gb * share, contents.objects.map(|objects| objects * share));
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
                    let tier = ages.share(tier_from, tier_to.min(to));
                    if tier > 0.0 {
                        let unit = pricing.usd(key)?;
                        usd += contents.gb * tier * unit;
                        parts.push(format!("{} {label} × {}", size(contents.gb * tier), price(unit)));
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

/// Object ages spread evenly over `span` days: the assumption where ages are not read.
struct Ages {
    span: f64,
}

impl Ages {
    /// The share of bytes between `from` and `to` days old.
    fn share(&self, from: f64, to: f64) -> f64 {
        if self.span <= 0.0 {
            return 0.0;
        }
        ((to.min(self.span) - from.min(self.span)) / self.span).max(0.0)
    }
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
    if storage.bytes.is_empty() && bucket.empty == Some(false) {
        return Err("S3 reported no size for the bucket in the last days (it does once a day, and not for a new bucket)".to_owned());
    }
    let (mut usd, mut parts, unpriced) = stored(pricing, storage)?;
    let tiered = storage.bytes.keys().any(|storage_type| storage_type.starts_with("IntelligentTiering"));
    if let (true, Some(objects)) = (tiered, storage.objects) {
        let per_thousand = pricing.usd("s3_intelligent_monitoring_1000_objects")?;
        usd += objects as f64 / 1000.0 * per_thousand;
        parts.push(format!("{} objects monitored × {} per 1,000", number(objects as f64), price(per_thousand)));
    }
    let mut basis = vec!["bytes by storage class from S3's daily metrics (read)".to_owned()];
    basis.extend(unpriced);
    basis.push("requests and data transfer are not counted".to_owned());
    Ok(Figure { usd, arithmetic: if parts.is_empty() { "stores nothing".to_owned() } else { parts.join(" + ") }, basis })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_spread_evenly() {
        let ages = Ages { span: 360.0 };
        assert_eq!(ages.share(0.0, 90.0), 0.25);
        assert_eq!(ages.share(90.0, f64::INFINITY), 0.75);
        assert_eq!(ages.share(400.0, 500.0), 0.0);
    }
}
