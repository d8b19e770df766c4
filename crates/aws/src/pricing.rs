//! List prices from the AWS Price List Query API (`pricing:GetProducts`), which AWS serves
//! from us-east-1 whatever region the prices are for.
//!
//! Each price is asked for as its table names it ([`PriceQuery`]): the products of a
//! service in the region whose attributes match, then, on this side, the one whose
//! `usagetype` is the one wanted once its region prefix (`USE1-`, `EU-`, `us-east-1-`) is
//! set aside: a plain substring match would also take `Fargate-ARM-...` or `Outposts-...`.

use std::collections::BTreeMap;

use aws_sdk_pricing::Client;
use aws_sdk_pricing::types::{Filter, FilterType};
use serde::Deserialize;

use crate::Aws;
use crate::error::{AwsError, call_error};

/// The region the Price List Query API is served from.
const PRICING_REGION: &str = "us-east-1";

#[derive(Debug, Clone, PartialEq)]
pub struct PriceQuery {
    pub key: String,
    pub service: String,
    pub usagetype: String,
    pub attributes: BTreeMap<String, String>,
    /// What the price per unit is multiplied by (per event to per million events).
    pub scale: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReadPrice {
    pub key: String,
    pub usd: f64,
    /// AWS's own words for the price: `$0.04048 per hour per vCPU for Linux/X86 ...`.
    pub description: String,
}

/// The prices asked for, each read once; a price the API does not give is left out (the
/// caller says which, and falls back).
pub async fn read_prices(aws: &Aws, region: &str, queries: &[PriceQuery]) -> Result<Vec<ReadPrice>, AwsError> {
    // Prices are optional (the shipped table stands in): two attempts, not the reads' eight.
    let config = aws_sdk_pricing::config::Builder::from(&aws.sdk_config)
        .region(aws_sdk_pricing::config::Region::new(PRICING_REGION))
        .retry_config(aws_smithy_types::retry::RetryConfig::standard().with_max_attempts(2))
        .interceptor(aws.calls())
        .build();
    read_prices_with(&Client::from_conf(config), region, queries).await
}

pub(crate) async fn read_prices_with(client: &Client, region: &str, queries: &[PriceQuery]) -> Result<Vec<ReadPrice>, AwsError> {
    // One listing per service and attributes, shared by the prices asked of it.
    let mut groups: BTreeMap<(&str, &BTreeMap<String, String>), Vec<&PriceQuery>> = BTreeMap::new();
    for query in queries {
        groups.entry((query.service.as_str(), &query.attributes)).or_default().push(query);
    }
    let mut read = Vec::new();
    for ((service, attributes), wanted) in groups {
        let products = products(client, service, region, attributes).await?;
        for query in wanted {
            if let Some(found) = products.iter().find_map(|product| product.price_of(query, region)) {
                read.push(found);
            }
        }
    }
    read.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(read)
}

async fn products(client: &Client, service: &str, region: &str, attributes: &BTreeMap<String, String>) -> Result<Vec<Product>, AwsError> {
    let mut filters = vec![term("regionCode", region)?];
    for (field, value) in attributes {
        filters.push(term(field, value)?);
    }
    let mut products = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let output = client
            .get_products()
            .service_code(service)
            .set_filters(Some(filters.clone()))
            .format_version("aws_v1")
            .max_results(100)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|error| call_error("pricing:GetProducts", format!("service {service} in {region}"), error))?;
        for text in output.price_list() {
            // A product this build cannot read is skipped: the price it stands for is
            // then reported missing, and the shipped figure used.
            if let Ok(product) = serde_json::from_str::<Product>(text) {
                products.push(product);
            }
        }
        match output.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
            _ => break,
        }
    }
    Ok(products)
}

fn term(field: &str, value: &str) -> Result<Filter, AwsError> {
    Filter::builder()
        .r#type(FilterType::TermMatch)
        .field(field)
        .value(value)
        .build()
        .map_err(|error| AwsError::Setup(format!("a price filter is malformed: {error}")))
}

/// One element of `PriceList`: a JSON document of its own.
#[derive(Debug, Deserialize)]
struct Product {
    product: ProductInfo,
    #[serde(default)]
    terms: Terms,
}

#[derive(Debug, Deserialize)]
struct ProductInfo {
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
struct Terms {
    #[serde(rename = "OnDemand", default)]
    on_demand: BTreeMap<String, Term>,
}

#[derive(Debug, Deserialize)]
struct Term {
    #[serde(rename = "priceDimensions", default)]
    price_dimensions: BTreeMap<String, Dimension>,
}

#[derive(Debug, Deserialize)]
struct Dimension {
    #[serde(rename = "pricePerUnit", default)]
    price_per_unit: BTreeMap<String, String>,
    #[serde(rename = "beginRange", default)]
    begin_range: Option<String>,
    #[serde(default)]
    description: String,
}

impl Product {
    /// The on-demand price of the first tier, when this is the product `query` asks for.
    fn price_of(&self, query: &PriceQuery, region: &str) -> Option<ReadPrice> {
        let usagetype = self.product.attributes.get("usagetype")?;
        if !same_usage(usagetype, &query.usagetype, region) {
            return None;
        }
        let dimensions = self.terms.on_demand.values().flat_map(|term| term.price_dimensions.values());
        let first = dimensions.filter(|dimension| dimension.begin_range.as_deref().is_none_or(|begin| begin == "0")).find_map(|dimension| {
            // A free first tier, or a figure no list price reaches, is not the price wanted:
            // the shipped figure stands in, and the plan says which.
            let usd: f64 = dimension.price_per_unit.get("USD")?.parse().ok().filter(|usd: &f64| usd.is_finite() && *usd > 0.0 && *usd < 100_000.0)?;
            Some((usd, dimension.description.clone()))
        })?;
        Some(ReadPrice { key: query.key.clone(), usd: first.0 * query.scale, description: first.1 })
    }
}

/// Whether `usagetype` is `wanted` with, at most, a region prefix: `USE1-`, `EU-`,
/// `APS3-`, or the region's own code (KMS: `us-east-1-KMS-Keys`).
fn same_usage(usagetype: &str, wanted: &str, region: &str) -> bool {
    if usagetype == wanted {
        return true;
    }
    if usagetype.strip_prefix(region).and_then(|rest| rest.strip_prefix('-')) == Some(wanted) {
        return true;
    }
    match usagetype.split_once('-') {
        Some((prefix, rest)) => rest == wanted && !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    //! The emulator has no Price List API: these read responses in the shape the API
    //! returns (each `PriceList` element a JSON document), recorded from its reference.

    use aws_sdk_pricing::operation::get_products::GetProductsOutput;
    use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};

    use super::*;

    fn client(rules: &[&Rule]) -> Client {
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in rules {
            interceptor = interceptor.with_rule(rule);
        }
        let config = aws_sdk_pricing::Config::builder()
            .behavior_version(aws_sdk_pricing::config::BehaviorVersion::latest())
            .region(aws_sdk_pricing::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_pricing::config::Credentials::new("test", "test", None, None, "test"))
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        Client::from_conf(config)
    }

    /// A `PriceList` element as GetProducts returns it, with tiers `(begin, end, usd)`.
    fn product(sku: &str, usagetype: &str, extra: &str, tiers: &[(&str, &str, &str)]) -> String {
        let dimensions: Vec<String> = tiers
            .iter()
            .enumerate()
            .map(|(at, (begin, end, usd))| {
                format!(
                    r#""{sku}.JRTCKXETXF.RATE{at}":{{"unit":"Hrs","endRange":"{end}","description":"${usd} per unit for {usagetype}","appliesTo":[],"rateCode":"{sku}.JRTCKXETXF.RATE{at}","beginRange":"{begin}","pricePerUnit":{{"USD":"{usd}"}}}}"#
                )
            })
            .collect();
        format!(
            r#"{{"product":{{"productFamily":"Compute","attributes":{{"regionCode":"us-east-1","usagetype":"{usagetype}"{extra},"servicecode":"AmazonECS"}},"sku":"{sku}"}},"serviceCode":"AmazonECS","terms":{{"OnDemand":{{"{sku}.JRTCKXETXF":{{"priceDimensions":{{{}}},"sku":"{sku}","effectiveDate":"2026-11-01T00:00:00Z","offerTermCode":"JRTCKXETXF","termAttributes":{{}}}}}}}},"version":"20261101000000","publicationDate":"2026-11-01T00:00:00Z"}}"#,
            dimensions.join(",")
        )
    }

    fn query(key: &str, service: &str, usagetype: &str, scale: f64) -> PriceQuery {
        PriceQuery {
            key: key.into(),
            service: service.into(),
            usagetype: usagetype.into(),
            attributes: BTreeMap::from([("productFamily".into(), "Compute".into())]),
            scale,
        }
    }

    #[tokio::test]
    async fn reads_the_exact_usage_type_past_its_region_prefix_and_never_a_lookalike() {
        let listing = mock!(Client::get_products)
            .match_requests(|request| {
                request.service_code() == Some("AmazonECS")
                    && request.filters().iter().any(|filter| filter.field() == "regionCode" && filter.value() == "us-east-1")
                    && request.filters().iter().any(|filter| filter.field() == "productFamily" && filter.value() == "Compute")
            })
            .then_output(|| {
                GetProductsOutput::builder()
                    .format_version("aws_v1")
                    .price_list(product("ARM", "USE1-Fargate-ARM-vCPU-Hours:perCPU", "", &[("0", "Inf", "0.03238")]))
                    .price_list(product("WIN", "USE1-Fargate-Windows-vCPU-Hours:perCPU", "", &[("0", "Inf", "0.09148")]))
                    .price_list(product("X86", "USE1-Fargate-vCPU-Hours:perCPU", "", &[("0", "Inf", "0.0404800000")]))
                    .price_list(product("MEM", "USE1-Fargate-GB-Hours", "", &[("0", "Inf", "0.0044450000")]))
                    .build()
            });
        let queries =
            [query("fargate_vcpu_hour", "AmazonECS", "Fargate-vCPU-Hours:perCPU", 1.0), query("fargate_gb_hour", "AmazonECS", "Fargate-GB-Hours", 1.0)];
        let read = read_prices_with(&client(&[&listing]), "us-east-1", &queries).await.unwrap();
        assert_eq!(listing.num_calls(), 1, "one listing serves both prices of the service");
        assert_eq!(
            read.iter().map(|price| (price.key.as_str(), price.usd)).collect::<Vec<_>>(),
            [("fargate_gb_hour", 0.004445), ("fargate_vcpu_hour", 0.04048)]
        );
        assert!(read[1].description.contains("USE1-Fargate-vCPU-Hours:perCPU"), "{}", read[1].description);
    }

    #[tokio::test]
    async fn takes_the_first_tier_follows_pages_and_scales() {
        let first_page = mock!(Client::get_products).match_requests(|request| request.next_token().is_none()).then_output(|| {
            GetProductsOutput::builder().price_list(product("OTHER", "Requests-Tier1", "", &[("0", "Inf", "0.000005")])).next_token("page-2").build()
        });
        let second_page = mock!(Client::get_products).match_requests(|request| request.next_token() == Some("page-2")).then_output(|| {
            GetProductsOutput::builder()
                .price_list(product("STD", "TimedStorage-ByteHrs", "", &[("512000", "Inf", "0.021"), ("0", "51200", "0.023"), ("51200", "512000", "0.022")]))
                .price_list(product("EVT", "USE1-PaidEventsAnalyzed", "", &[("0", "Inf", "0.000004")]))
                .price_list(product("KMS", "us-east-1-KMS-Keys", "", &[("0", "Inf", "1.00")]))
                .build()
        });
        let queries = [
            query("s3_standard_gb_month", "AmazonS3", "TimedStorage-ByteHrs", 1.0),
            query("guardduty_events_million", "AmazonS3", "PaidEventsAnalyzed", 1_000_000.0),
            query("kms_key_month", "AmazonS3", "KMS-Keys", 1.0),
            query("missing", "AmazonS3", "Nothing-Like-It", 1.0),
        ];
        let read = read_prices_with(&client(&[&first_page, &second_page]), "us-east-1", &queries).await.unwrap();
        let found: BTreeMap<&str, f64> = read.iter().map(|price| (price.key.as_str(), price.usd)).collect();
        assert_eq!(found.get("s3_standard_gb_month"), Some(&0.023));
        assert!((found["guardduty_events_million"] - 4.0).abs() < 1e-9);
        assert_eq!(found.get("kms_key_month"), Some(&1.0));
        assert!(!found.contains_key("missing"), "a price the API does not give is left out");
        assert_eq!((first_page.num_calls(), second_page.num_calls()), (1, 1));
    }

    #[test]
    fn a_region_prefix_is_set_aside_but_a_lookalike_is_not() {
        assert!(same_usage("USE1-Fargate-GB-Hours", "Fargate-GB-Hours", "us-east-1"));
        assert!(same_usage("EU-Fargate-GB-Hours", "Fargate-GB-Hours", "eu-west-1"));
        assert!(same_usage("us-east-1-KMS-Keys", "KMS-Keys", "us-east-1"));
        assert!(same_usage("LCUUsage", "LCUUsage", "us-east-1"));
        assert!(!same_usage("Outposts-LCUUsage", "LCUUsage", "us-east-1"));
        assert!(!same_usage("USE1-Fargate-ARM-GB-Hours", "Fargate-GB-Hours", "us-east-1"));
        assert!(!same_usage("USE1-SpotUsage-Fargate-GB-Hours", "Fargate-GB-Hours", "us-east-1"));
    }
}
