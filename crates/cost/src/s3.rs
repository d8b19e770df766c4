//! S3 buckets: bytes by storage class at each class's price, and where a lifecycle rule
//! would move the bytes now in Standard.

use holdfast_inventory::s3::{Bucket, LifecycleRule, Storage};
use holdfast_planner::Change;
use holdfast_planner::operation::Operation;

use crate::money::{gigabytes, number, price, size};
use crate::{Estimated, Pricing, estimate_of, free};

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

fn lifecycle(pricing: &Pricing<'_>, name: &str, rules: &[LifecycleRule]) -> Estimated {
    let bucket = pricing.bucket(name)?;
    let storage = storage(bucket)?;
    let enabled: Vec<&LifecycleRule> = rules.iter().filter(|rule| rule.status == "Enabled").collect();
    if enabled.iter().any(|rule| !whole_bucket(rule)) {
        return Err("a rule with a filter moves part of the bucket, whose size by prefix or tag is not read".to_owned());
    }
    let (before, before_parts, unpriced) = stored(pricing, storage)?;
    let standard = storage.bytes.get("StandardStorage").copied().map_or(0.0, gigabytes);
    let mut transitions: Vec<(f64, &str)> = enabled
        .iter()
        .flat_map(|rule| &rule.transitions)
        .filter_map(|transition| Some((f64::from(transition.days?), transition.storage_class.as_str())))
        .collect();
    transitions.sort_by(|a, b| a.0.total_cmp(&b.0));
    let expiration = enabled.iter().filter_map(|rule| rule.expiration_days).min().map(f64::from);
    let months = pricing.assumed("s3_months_of_data")?;
    let ages = Ages { span: months * DAYS_PER_MONTH };
    // The bytes now in Standard, by age, through each transition in turn.
    let mut after = before - standard * pricing.usd("s3_standard_gb_month")?;
    let mut after_parts = Vec::new();
    let mut segments: Vec<(f64, f64, &str)> = Vec::new();
    let mut start = 0.0;
    let mut class = "STANDARD";
    for (days, next) in &transitions {
        segments.push((start, *days, class));
        start = *days;
        class = next;
    }
    segments.push((start, f64::INFINITY, class));
    let mut tiered_share = 0.0;
    for (from, to, class) in segments {
        let to = expiration.map_or(to, |expiry| to.min(expiry));
        if to <= from {
            continue;
        }
        if class == "INTELLIGENT_TIERING" {
            let tiers = [
                (from, from + TIERING_INFREQUENT_DAYS, "s3_intelligent_frequent_gb_month", "IT frequent"),
                (from + TIERING_INFREQUENT_DAYS, from + TIERING_ARCHIVE_DAYS, "s3_intelligent_infrequent_gb_month", "IT infrequent"),
                (from + TIERING_ARCHIVE_DAYS, f64::INFINITY, "s3_intelligent_archive_instant_gb_month", "IT archive instant"),
            ];
            for (tier_from, tier_to, key, label) in tiers {
                let share = ages.share(tier_from, tier_to.min(to));
                if share > 0.0 {
                    let unit = pricing.usd(key)?;
                    after += standard * share * unit;
                    after_parts.push(format!("{} {label} × {}", size(standard * share), price(unit)));
                }
            }
            tiered_share += ages.share(from, to);
            continue;
        }
        let Some((key, name)) = class_key(class) else { return Err(format!("storage class {class} is not priced")) };
        let share = ages.share(from, to);
        if share > 0.0 {
            let unit = pricing.usd(key)?;
            after += standard * share * unit;
            after_parts.push(format!("{} {name} × {}", size(standard * share), price(unit)));
        }
    }
    let mut basis = vec![format!("stored now (read): {}", if before_parts.is_empty() { "nothing".to_owned() } else { before_parts.join(", ") })];
    if tiered_share > 0.0 {
        let per_thousand = pricing.usd("s3_intelligent_monitoring_1000_objects")?;
        match storage.objects {
            Some(objects) => {
                let monitored = objects as f64 * tiered_share;
                after += monitored / 1000.0 * per_thousand;
                after_parts.push(format!("{} objects monitored × {} per 1,000", number(monitored.round()), price(per_thousand)));
                basis.push(format!("{} objects (read); counted as all monitored (objects under 128 KB are not)", number(objects as f64)));
            }
            None => basis.push("object count not read: Intelligent-Tiering's monitoring fee is not counted".to_owned()),
        }
    }
    if standard > 0.0 {
        basis.push(pricing.assumption("s3_months_of_data"));
    }
    basis.extend(unpriced);
    let arithmetic = if standard == 0.0 {
        "nothing in Standard for the rules to move".to_owned()
    } else {
        format!("{} in Standard × {} -> {}", size(standard), price(pricing.usd("s3_standard_gb_month")?), after_parts.join(" + "))
    };
    Ok(estimate_of(before, after, arithmetic, basis))
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
pub(crate) fn run_rate(pricing: &Pricing<'_>, bucket: &Bucket) -> Result<(f64, String), String> {
    let storage = storage(bucket)?;
    let (mut usd, mut parts, unpriced) = stored(pricing, storage)?;
    let tiered = storage.bytes.keys().any(|storage_type| storage_type.starts_with("IntelligentTiering"));
    if let (true, Some(objects)) = (tiered, storage.objects) {
        let per_thousand = pricing.usd("s3_intelligent_monitoring_1000_objects")?;
        usd += objects as f64 / 1000.0 * per_thousand;
        parts.push(format!("{} objects monitored × {} per 1,000", number(objects as f64), price(per_thousand)));
    }
    parts.extend(unpriced);
    Ok((usd, if parts.is_empty() { "stores nothing".to_owned() } else { parts.join(" + ") }))
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
