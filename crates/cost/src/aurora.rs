//! Aurora Serverless v2: ACU-hours at the use CloudWatch recorded, and the volume.
//!
//! A cap (max ACU) is priced twice: as the change in the worst-case monthly bound, and
//! as savings only for the hours the last days' use went above the new cap.

use holdfast_inventory::aurora::{Cluster, ClusterUsage};
use holdfast_planner::Change;
use holdfast_planner::operation::Operation;

use crate::money::{dollars, gigabytes, number, price, size};
use crate::{Estimated, Figure, Pricing, estimate_of};

pub(crate) fn change(change: &Change, pricing: &Pricing<'_>) -> Option<Estimated> {
    Some(match &change.operation {
        Operation::ModifyAuroraCapacity { cluster, min_acu, max_acu } => capacity(pricing, cluster, *min_acu, *max_acu),
        Operation::RestoreEncryptedCluster { source, .. } => second_volume(pricing, source),
        Operation::CreateMigratedInstances { source, cluster, instances, .. } => idle_instances(pricing, source, cluster, instances),
        Operation::SnapshotForEncryption { cluster, .. } | Operation::CopySnapshotForEncryption { cluster, .. } => manual_snapshot(pricing, cluster),
        _ => return None,
    })
}

/// The Serverless v2 instances, which bill by the ACU: of the instances or instance
/// classes read, else every member (said so), else one (said so).
fn instances(cluster: &Cluster) -> (f64, Option<String>) {
    let serverless = |classes: &mut dyn Iterator<Item = &str>| classes.filter(|class| *class == SERVERLESS).count() as f64;
    if let Some(instances) = &cluster.instances {
        return (serverless(&mut instances.iter().map(|instance| instance.class.as_str())), None);
    }
    if let Some(usage) = cluster.usage.as_ref().filter(|usage| !usage.instance_classes.is_empty()) {
        return (serverless(&mut usage.instance_classes.iter().map(String::as_str)), None);
    }
    match &cluster.members {
        Some(members) => (members.len() as f64, Some(format!("assumed: all {} members are Serverless v2 (instance classes not read)", members.len()))),
        None => (1.0, Some("assumed: one Serverless v2 instance (instances not read)".to_owned())),
    }
}

const SERVERLESS: &str = "db.serverless";

/// The classes of the instances that are not Serverless v2, where they were read.
fn provisioned_classes(cluster: &Cluster) -> Vec<String> {
    let classes: Vec<&str> = match (&cluster.instances, &cluster.usage) {
        (Some(instances), _) => instances.iter().map(|instance| instance.class.as_str()).collect(),
        (None, Some(usage)) => usage.instance_classes.iter().map(String::as_str).collect(),
        (None, None) => Vec::new(),
    };
    classes.into_iter().filter(|class| *class != SERVERLESS).map(str::to_owned).collect()
}

/// The ACU-hour and GB-month prices of the cluster's storage configuration: Aurora
/// I/O-Optimized (`aurora-iopt1`) costs more an ACU and a GB, and nothing an I/O.
fn price_keys(cluster: &Cluster) -> (&'static str, &'static str) {
    match cluster.storage_type.as_deref() {
        Some("aurora-iopt1") => ("aurora_io_optimized_acu_hour", "aurora_io_optimized_storage_gb_month"),
        _ => ("aurora_acu_hour", "aurora_storage_gb_month"),
    }
}

fn capacity(pricing: &Pricing<'_>, identifier: &str, min_acu: f64, max_acu: f64) -> Estimated {
    let cluster = pricing.aurora_cluster(identifier)?;
    let Some(scaling) = cluster.serverless_v2 else { return Err("the cluster has no Serverless v2 scaling to change".to_owned()) };
    let acu_usd = pricing.usd(price_keys(cluster).0)?;
    let hours = pricing.hours();
    let (instances, assumed) = instances(cluster);
    let monthly = |acu: f64| acu * instances * hours * acu_usd;
    let mut basis: Vec<String> = assumed.into_iter().collect();
    let (before, after, use_text) = match cluster.usage.as_ref().filter(|usage| usage.hours() > 0) {
        Some(usage) => {
            let before = expected(usage, scaling.min_acu, scaling.max_acu);
            let after = expected(usage, min_acu, max_acu);
            basis.push(describe_use(usage));
            let moves = moved(usage, (scaling.min_acu, scaling.max_acu), (min_acu, max_acu));
            let hours = usage.hours();
            let each = if instances > 1.0 { " an instance" } else { "" };
            let mut parts = Vec::new();
            for (acu_hours, why) in [
                (moves.above_new_max, format!("less: use above the new maximum of {} ACU", number(max_acu))),
                (moves.above_old_max, format!("more: use the old maximum of {} ACU held back", number(scaling.max_acu))),
                (moves.under_new_min, format!("more: use under the new minimum of {} ACU", number(min_acu))),
                (moves.under_old_min, format!("less: the old minimum of {} ACU no longer held", number(scaling.min_acu))),
            ] {
                if acu_hours > 0.0 {
                    parts.push(format!("{} ACU-hours{each} in {hours} h {why}", number(round(acu_hours))));
                }
            }
            if parts.is_empty() {
                parts.push(format!("use stayed within {} ACU", range(min_acu, max_acu)));
            }
            (before, after, parts.join("; "))
        }
        None => {
            basis.push("assumed: the cluster idles at its minimum (ACU use not read)".to_owned());
            (scaling.min_acu, scaling.min_acu.clamp(min_acu, max_acu), "use not read".to_owned())
        }
    };
    let arithmetic = format!(
        "{} -> {} ACU; worst case {} × {} ACU × {} h × {} = {} -> {}; {use_text}",
        range(scaling.min_acu, scaling.max_acu),
        range(min_acu, max_acu),
        count(instances),
        number(scaling.max_acu),
        number(hours),
        price(acu_usd),
        dollars(monthly(scaling.max_acu)),
        dollars(monthly(max_acu)),
    );
    let mut estimate = estimate_of(monthly(before), monthly(after), arithmetic, basis);
    estimate.worst_case =
        Some(holdfast_planner::Bound { before_usd: crate::money::cents(monthly(scaling.max_acu)), after_usd: crate::money::cents(monthly(max_acu)) });
    Ok(estimate)
}

/// The average ACU had use been held within `min..=max`.
fn expected(usage: &ClusterUsage, min: f64, max: f64) -> f64 {
    let hours = f64::from(usage.hours());
    usage.hours_at_acu.iter().map(|(acu, count)| acu.clamp(min, max) * f64::from(*count)).sum::<f64>() / hours
}

/// The ACU-hours a new range takes off the use (above its maximum) and adds to it (under
/// its minimum), against the use as the old range held it.
/// The ACU-hours a new range takes off the use or adds to it, against the use as the old
/// range held it, by the bound that moves them.
#[derive(Debug, Default, PartialEq)]
struct Moves {
    above_new_max: f64,
    above_old_max: f64,
    under_new_min: f64,
    under_old_min: f64,
}

fn moved(usage: &ClusterUsage, (old_min, old_max): (f64, f64), (new_min, new_max): (f64, f64)) -> Moves {
    let mut moves = Moves::default();
    for (acu, count) in &usage.hours_at_acu {
        let (was, becomes) = (acu.clamp(old_min, old_max), acu.clamp(new_min, new_max));
        let hours = f64::from(*count);
        if becomes < was {
            // Down: the lower maximum caps it, or the old minimum no longer holds it up.
            if becomes == new_max { moves.above_new_max += (was - becomes) * hours } else { moves.under_old_min += (was - becomes) * hours }
        } else if becomes > was {
            if becomes == new_min { moves.under_new_min += (becomes - was) * hours } else { moves.above_old_max += (becomes - was) * hours }
        }
    }
    moves
}

fn describe_use(usage: &ClusterUsage) -> String {
    let peak = usage.hours_at_acu.last().map_or(0.0, |(acu, _)| *acu);
    format!(
        "ACU use read over the last {} days, {} hourly averages: average {}, p95 {}, peak {}",
        usage.days,
        usage.hours(),
        number(round(usage.average_acu().unwrap_or(0.0))),
        number(usage.p95_acu().unwrap_or(0.0)),
        number(peak)
    )
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn range(min: f64, max: f64) -> String {
    format!("{}-{}", number(min), number(max))
}

fn count(instances: f64) -> String {
    format!("{} instance{}", number(instances), if instances == 1.0 { "" } else { "s" })
}

/// The restored cluster's volume: a second copy of the source's, until the old cluster
/// is deleted.
fn second_volume(pricing: &Pricing<'_>, source: &str) -> Estimated {
    let cluster = pricing.aurora_cluster(source)?;
    let gb_usd = pricing.usd(price_keys(cluster).1)?;
    let Some(bytes) = cluster.usage.as_ref().and_then(|usage| usage.volume_bytes) else {
        return Err(format!("the source's volume size was not read; a second volume costs {} per GB-month", price(gb_usd)));
    };
    let gb = gigabytes(bytes);
    let arithmetic = format!("a second volume until the old cluster is deleted: {} × {} per GB-month", size(gb), price(gb_usd));
    Ok(estimate_of(0.0, gb * gb_usd, arithmetic, vec![format!("the source's volume, {} (read)", size(gb))]))
}

/// A manual snapshot (or its copy) of the source: backup storage until it is deleted.
fn manual_snapshot(pricing: &Pricing<'_>, source: &str) -> Estimated {
    let cluster = pricing.aurora_cluster(source)?;
    let gb_usd = pricing.usd("aurora_backup_gb_month")?;
    let Some(bytes) = cluster.usage.as_ref().and_then(|usage| usage.volume_bytes) else {
        return Err(format!("the source's volume size was not read; a manual snapshot costs {} per GB-month", price(gb_usd)));
    };
    let gb = gigabytes(bytes);
    let arithmetic = format!("a manual snapshot, kept until deleted: up to {} × {} per GB-month of backup storage", size(gb), price(gb_usd));
    let basis = vec![
        format!("the source's volume, {} (read): a snapshot holds at most that", size(gb)),
        "free while within the backup retention period and Aurora's free allowance: counted as billed, the most it can cost".to_owned(),
    ];
    Ok(estimate_of(0.0, gb * gb_usd, arithmetic, basis))
}

/// The new cluster's instances, idling at the minimum beside the old ones until the
/// cutover; after it, the old ones idle instead, until deleted.
fn idle_instances(pricing: &Pricing<'_>, source: &str, new_cluster: &str, new_instances: &[holdfast_planner::operation::MigratedInstance]) -> Estimated {
    let cluster = pricing.aurora_cluster(source)?;
    let provisioned: Vec<&str> = new_instances.iter().filter(|instance| instance.class != SERVERLESS).map(|instance| instance.class.as_str()).collect();
    if !provisioned.is_empty() {
        return Err(format!("provisioned instances ({}) are not priced", provisioned.join(", ")));
    }
    let acu_usd = pricing.usd(price_keys(cluster).0)?;
    // The new cluster scales as the restore makes it (the entry's scaling), or as it was
    // restored already, else as the source.
    let restored = pricing.aurora_cluster(new_cluster).ok().and_then(|restored| restored.serverless_v2);
    let min = pricing.migration_scaling(source).or(restored).or(cluster.serverless_v2).map_or(0.5, |scaling| scaling.min_acu);
    let hours = pricing.hours();
    let instances = new_instances.len() as f64;
    let arithmetic = format!("{} × {} ACU (the minimum) × {} h × {}, while both clusters exist", count(instances), number(min), number(hours), price(acu_usd));
    Ok(estimate_of(
        0.0,
        instances * min * hours * acu_usd,
        arithmetic,
        vec!["assumed: one of the two clusters idles at its minimum until the old one is deleted".to_owned()],
    ))
}

/// What a cluster costs a month as it runs now: for `holdfast cost`.
pub(crate) fn run_rate(pricing: &Pricing<'_>, cluster: &Cluster) -> Result<Figure, String> {
    let (acu_key, gb_key) = price_keys(cluster);
    let (acu_usd, gb_usd) = (pricing.usd(acu_key)?, pricing.usd(gb_key)?);
    let hours = pricing.hours();
    let (instances, assumed) = instances(cluster);
    let mut basis: Vec<String> = assumed.into_iter().collect();
    let provisioned = provisioned_classes(cluster);
    let Some(scaling) = cluster.serverless_v2.filter(|_| instances > 0.0) else {
        return Err(format!(
            "no Serverless v2 instance: provisioned instances ({}) are not priced",
            if provisioned.is_empty() { "classes not read".to_owned() } else { provisioned.join(", ") }
        ));
    };
    if !provisioned.is_empty() {
        basis.push(format!("provisioned instances ({}) are not priced", provisioned.join(", ")));
    }
    let usage = cluster.usage.as_ref().filter(|usage| usage.hours() > 0);
    // The hours as the cluster's range holds them, as the plan prices them.
    let (acu, read) = match usage {
        Some(usage) if usage.average_acu().is_some_and(|average| (average - expected(usage, scaling.min_acu, scaling.max_acu)).abs() > 0.005) => {
            (expected(usage, scaling.min_acu, scaling.max_acu), format!("the use read, held within {} ACU", range(scaling.min_acu, scaling.max_acu)))
        }
        Some(usage) => (expected(usage, scaling.min_acu, scaling.max_acu), "average, read".to_owned()),
        None => (scaling.min_acu, "assumed: the minimum, use not read".to_owned()),
    };
    let gb = cluster.usage.as_ref().and_then(|usage| usage.volume_bytes).map(gigabytes);
    let mut usd = acu * instances * hours * acu_usd;
    let mut text = format!("{} × {} ACU ({read}) × {} h × {}", count(instances), number(round(acu)), number(hours), price(acu_usd));
    match gb {
        Some(gb) => {
            usd += gb * gb_usd;
            text.push_str(&format!(" + {} × {}", size(gb), price(gb_usd)));
        }
        None => basis.push("the volume's size was not read: storage not counted".to_owned()),
    }
    if let Some(usage) = usage {
        basis.push(describe_use(usage));
    }
    Ok(Figure { usd, arithmetic: text, basis })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(pairs: &[(f64, u32)]) -> ClusterUsage {
        ClusterUsage { days: 14, hours_at_acu: pairs.to_vec(), volume_bytes: None, instance_classes: Vec::new() }
    }

    #[test]
    fn a_cap_saves_only_the_use_above_it() {
        let idle = usage(&[(0.5, 300), (1.0, 36)]);
        assert_eq!(moved(&idle, (0.5, 8.0), (0.5, 4.0)), Moves::default());
        assert_eq!(expected(&idle, 0.5, 4.0), expected(&idle, 0.5, 8.0));
        let busy = usage(&[(0.5, 236), (6.0, 100)]);
        // 100 of 336 hours at 6 ACU, capped at 4: 2 ACU less for those hours.
        assert_eq!(moved(&busy, (0.5, 8.0), (0.5, 4.0)), Moves { above_new_max: 200.0, ..Moves::default() });
        assert_eq!(moved(&busy, (0.5, 8.0), (2.0, 8.0)), Moves { under_new_min: 236.0 * 1.5, ..Moves::default() });
        // Use the old maximum held back, let through by a higher one.
        let capped = usage(&[(0.5, 300), (12.0, 36)]);
        assert_eq!(moved(&capped, (0.5, 8.0), (0.5, 16.0)), Moves { above_old_max: 36.0 * 4.0, ..Moves::default() });
        assert!((expected(&busy, 0.5, 8.0) - expected(&busy, 0.5, 4.0) - 200.0 / 336.0).abs() < 1e-9);
    }
}
