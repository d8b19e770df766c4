//! `holdfast cost`: what the resources the desired state selects cost a month as they run
//! now, by kind and by the entry that selects them.

use holdfast_desired::{Desired, HasOrigin, Origin};
use holdfast_inventory::Inventory;
use holdfast_planner::Kind;
use serde::Serialize;

use crate::money::cents;
use crate::{Figure, Prices, Pricing, aurora, cloudtrail, config, ecs, elb, guardduty, kms, s3, securityhub, vpc};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRate {
    pub account_id: String,
    pub region: String,
    pub taken_at: String,
    /// Where the prices came from and when they were read.
    pub prices: String,
    pub monthly_usd: f64,
    pub kinds: Vec<KindRate>,
    /// Resources selected but not priced, and why.
    pub not_priced: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindRate {
    pub kind: Kind,
    pub monthly_usd: f64,
    pub entries: Vec<EntryRate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryRate {
    /// The desired-state entry, `file:line`.
    pub source: String,
    pub monthly_usd: f64,
    pub resources: Vec<ResourceRate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceRate {
    pub address: String,
    pub monthly_usd: f64,
    pub arithmetic: String,
    /// The usage the figure rests on, each read or `assumed: ...`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub basis: Vec<String>,
}

/// Gathers resource figures under their kind and entry.
struct Tally {
    rows: Vec<(Kind, String, ResourceRate)>,
    not_priced: Vec<String>,
}

impl Tally {
    /// Counts a resource under the first entry that selects it; one selected by several
    /// says so, as the plan does (which leaves it unchanged).
    fn add(&mut self, kind: Kind, origins: &[&Origin], address: String, figure: Result<Figure, String>) {
        let Some(origin) = origins.first() else { return };
        match figure {
            Ok(Figure { usd, arithmetic, mut basis }) => {
                if origins.len() > 1 {
                    let others: Vec<String> = origins[1..].iter().map(|other| source(other)).collect();
                    basis.push(format!("also selected by {}: the plan leaves it unchanged until one entry selects it", others.join(", ")));
                }
                self.rows.push((kind, source(origin), ResourceRate { address, monthly_usd: cents(usd), arithmetic, basis }));
            }
            Err(reason) => self.not_priced.push(format!("{address}: {reason}")),
        }
    }
}

fn source(origin: &Origin) -> String {
    format!("{}:{}", origin.location.file, origin.location.line)
}

/// The entries of `entries` that select a resource.
fn selecting<E: HasOrigin>(entries: &[E], selects: impl Fn(&E) -> bool) -> Vec<&Origin> {
    entries.iter().filter(|entry| selects(entry)).map(HasOrigin::origin).collect()
}

/// What every selected resource costs a month now.
pub fn run_rate(desired: &Desired, inventory: &Inventory, prices: &Prices) -> RunRate {
    let pricing = Pricing::new(prices, inventory);
    let mut tally = Tally { rows: Vec::new(), not_priced: Vec::new() };
    for cluster in &inventory.ecs.clusters {
        for service in &cluster.services {
            let entries = selecting(&desired.ecs.service, |entry| {
                entry.cluster.matches(&cluster.name) && entry.service.matches(&service.name) && entry.tags.matches(&service.tags)
            });
            let address = Kind::EcsService.address(&format!("{}/{}", cluster.name, service.name));
            tally.add(Kind::EcsService, &entries, address, ecs::run_rate(&pricing, cluster, service));
        }
    }
    for cluster in &inventory.aurora.clusters {
        let entries = selecting(&desired.aurora.cluster, |entry| entry.name.matches(&cluster.identifier) && entry.tags.matches(&cluster.tags));
        tally.add(Kind::AuroraCluster, &entries, Kind::AuroraCluster.address(&cluster.identifier), aurora::run_rate(&pricing, cluster));
    }
    for bucket in &inventory.s3.buckets {
        let entries = selecting(&desired.s3.bucket, |entry| entry.name.matches(&bucket.name) && entry.tags.matches(bucket.tags_or_none()));
        tally.add(Kind::S3Bucket, &entries, Kind::S3Bucket.address(&bucket.name), s3::run_rate(&pricing, bucket));
    }
    for network in &inventory.vpc.vpcs {
        let name = network.name().unwrap_or(&network.id);
        let entries =
            selecting(&desired.vpc.flow_logs, |entry| (entry.vpc.matches(name) || entry.vpc.matches(&network.id)) && entry.tags.matches(&network.tags));
        for flow_log in &network.flow_logs {
            let address = Kind::VpcFlowLog.address(&format!("{}/{}", network.id, flow_log.id));
            tally.add(Kind::VpcFlowLog, &entries, address, vpc::run_rate(&pricing, &network.id, flow_log));
        }
    }
    for load_balancer in &inventory.elb.load_balancers {
        let entries = selecting(&desired.elb.load_balancer, |entry| entry.name.matches(&load_balancer.name));
        let figure = elb::hourly(&pricing, &load_balancer.name).map(|(usd, arithmetic, basis)| Figure { usd, arithmetic, basis });
        tally.add(Kind::ElbLoadBalancer, &entries, Kind::ElbLoadBalancer.address(&load_balancer.name), figure);
    }
    let mut logging = 0;
    for trail in &inventory.cloudtrail.trails {
        let entries = selecting(&desired.cloudtrail.trail, |entry| entry.name() == trail.name);
        if trail.logging != Some(false) {
            tally.add(Kind::CloudTrailTrail, &entries, Kind::CloudTrailTrail.address(&trail.name), Ok(cloudtrail::run_rate(&pricing, logging)));
            logging += 1;
        }
    }
    for entry in desired.kms.key.iter().filter(|entry| entry.ensure == holdfast_desired::Ensure::Present) {
        let alias = entry.alias.get_ref();
        let key = inventory.kms.aliases.iter().find(|found| &found.name == alias).and_then(|found| found.target_key_id.as_deref());
        if let Some(key) = key {
            tally.add(Kind::KmsKey, &[entry.origin()], Kind::KmsKey.address(alias), kms::run_rate(&pricing, key));
        }
    }
    let region = &inventory.region;
    if let (Some(entry), true) = (&desired.config, inventory.config.recorders.iter().any(|recorder| recorder.recording)) {
        let daily = inventory.config.recorders.iter().any(|recorder| recorder.recording_frequency.as_deref() == Some("DAILY"));
        let figure = config::items(&pricing, daily).map(|(usd, arithmetic, basis)| Figure { usd, arithmetic, basis });
        tally.add(Kind::ConfigRecorder, &[entry.origin()], Kind::ConfigRecorder.address(region), figure);
    }
    if let (Some(entry), Some(detector)) = (&desired.guardduty, inventory.guardduty.detector.as_ref().filter(|detector| detector.enabled)) {
        let features: Vec<String> = detector.features.iter().filter(|(_, status)| *status == "ENABLED").map(|(name, _)| name.clone()).collect();
        let figure = guardduty::analysis(&pricing, &features).map(|(usd, arithmetic, basis)| Figure { usd, arithmetic, basis });
        tally.add(Kind::GuardDutyDetector, &[entry.origin()], Kind::GuardDutyDetector.address(region), figure);
    }
    if let (Some(entry), Some(_)) = (&desired.securityhub, &inventory.securityhub.hub) {
        let figure = securityhub::checks(&pricing).map(|(usd, arithmetic, basis)| Figure { usd, arithmetic, basis });
        tally.add(Kind::SecurityHub, &[entry.origin()], Kind::SecurityHub.address(region), figure);
    }
    let Tally { rows, not_priced, .. } = tally;
    let mut kinds: Vec<KindRate> = Vec::new();
    for kind in Kind::ALL {
        let mut entries: Vec<EntryRate> = Vec::new();
        for (_, source, resource) in rows.iter().filter(|(row_kind, _, _)| *row_kind == kind) {
            match entries.iter_mut().find(|entry| &entry.source == source) {
                Some(entry) => entry.resources.push(resource.clone()),
                None => entries.push(EntryRate { source: source.clone(), monthly_usd: 0.0, resources: vec![resource.clone()] }),
            }
        }
        if entries.is_empty() {
            continue;
        }
        for entry in &mut entries {
            entry.monthly_usd = cents(entry.resources.iter().map(|resource| resource.monthly_usd).sum());
            entry.resources.sort_by(|a, b| b.monthly_usd.total_cmp(&a.monthly_usd).then_with(|| a.address.cmp(&b.address)));
        }
        entries.sort_by(|a, b| b.monthly_usd.total_cmp(&a.monthly_usd).then_with(|| a.source.cmp(&b.source)));
        kinds.push(KindRate { kind, monthly_usd: cents(entries.iter().map(|entry| entry.monthly_usd).sum()), entries });
    }
    // Where the money goes first.
    kinds.sort_by(|a, b| b.monthly_usd.total_cmp(&a.monthly_usd));
    RunRate {
        account_id: inventory.account_id.clone(),
        region: inventory.region.clone(),
        taken_at: inventory.taken_at.clone(),
        prices: prices.origin.clone(),
        monthly_usd: cents(kinds.iter().map(|kind| kind.monthly_usd).sum()),
        kinds,
        not_priced,
    }
}
