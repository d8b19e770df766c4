//! The price table: list prices by key, each with where and when it was read, and the
//! assumptions estimates make where usage cannot be read.
//!
//! The table for a region ships in `prices/REGION.toml`; `holdfast plan` replaces its
//! figures with those the AWS Price List API gives today (`crates/aws` reads them, by
//! each price's [`Query`]), and falls back to the shipped ones offline.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The regions a table ships for, with the table.
const SHIPPED: &[(&str, &str)] = &[("us-east-1", include_str!("../prices/us-east-1.toml"))];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    pub region: String,
    #[serde(default)]
    pub price: BTreeMap<String, Price>,
    #[serde(default)]
    pub assume: BTreeMap<String, Assumption>,
    /// Where the figures came from, as the plan says it: set when loaded, and written
    /// only in the day's cache (the shipped tables say it in each price's `source`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub usd: f64,
    /// What one `usd` buys: `vCPU-hour`, `GB-month`, ...
    pub per: String,
    pub source: String,
    /// The date the figure was read, `YYYY-MM-DD`.
    pub read: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<Query>,
}

/// How the AWS Price List API gives a price: `GetProducts` for `service` in the region,
/// the products whose `usagetype` is this one after its region prefix, and whose
/// `attributes` match too; the on-demand price of the first tier, times `scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    pub service: String,
    pub usagetype: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub scale: f64,
}

fn one() -> f64 {
    1.0
}

fn is_one(scale: &f64) -> bool {
    *scale == 1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assumption {
    pub value: f64,
    pub per: String,
    pub source: String,
    pub read: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PriceError {
    #[error(
        "holdfast has no prices for {region}: give a price table with --prices FILE (docs/cost.md says how to write one), or run once online with AWS credentials that may call pricing:GetProducts: the day's prices from the AWS Price List API are cached, and offline runs use the latest"
    )]
    NoPrices { region: String },
    #[error("the price table for {region} is not valid: {message}")]
    Invalid { region: String, message: String },
    #[error("the price table for {region} has no price `{key}`")]
    Missing { region: String, key: String },
}

impl Prices {
    /// The table shipped for `region`.
    pub fn shipped(region: &str) -> Result<Prices, PriceError> {
        let (_, text) = SHIPPED.iter().find(|(shipped, _)| *shipped == region).ok_or_else(|| PriceError::NoPrices { region: region.to_owned() })?;
        let mut prices = Prices::parse(region, text)?;
        prices.origin = format!("the price table shipped with holdfast ({region}, read {})", prices.oldest_read());
        Ok(prices)
    }

    /// A table from its TOML, checked: every price and assumption has a source and a date.
    pub fn parse(region: &str, text: &str) -> Result<Prices, PriceError> {
        // The parser's message, without the line it quotes: a file given by mistake (a
        // credentials file) must not reach a log.
        let prices: Prices = toml::from_str(text).map_err(|error| PriceError::Invalid { region: region.to_owned(), message: located(text, &error) })?;
        if prices.region != region {
            return Err(PriceError::Invalid { region: region.to_owned(), message: "it is for another region".to_owned() });
        }
        prices.check().map_err(|message| PriceError::Invalid { region: region.to_owned(), message })?;
        Ok(prices)
    }

    /// Every figure has a source and a read date (`YYYY-MM-DD`), and is a finite, non-negative number.
    pub fn check(&self) -> Result<(), String> {
        let figures = self.price.iter().map(|(key, price)| (key, price.usd, &price.source, &price.read, "price"));
        let assumptions = self.assume.iter().map(|(key, assumption)| (key, assumption.value, &assumption.source, &assumption.read, "assumption"));
        for (key, value, source, read, what) in figures.chain(assumptions) {
            if source.trim().is_empty() {
                return Err(format!("{what} `{key}` has no source"));
            }
            if !is_date(read) {
                return Err(format!("{what} `{key}` has no read date (YYYY-MM-DD), found {read:?}"));
            }
            if !value.is_finite() || value < 0.0 {
                return Err(format!("{what} `{key}` is not a price: {value}"));
            }
            if what == "price" && value > MOST_PLAUSIBLE_USD {
                return Err(format!("price `{key}` is {value} dollars a unit: not a plausible list price"));
            }
        }
        // Text that reaches a terminal: no control characters (escapes, new lines).
        let texts = self
            .price
            .iter()
            .flat_map(|(key, price)| [(key, &price.source), (key, &price.per)])
            .chain(self.assume.iter().flat_map(|(key, assumption)| [(key, &assumption.source), (key, &assumption.per)]));
        for (key, text) in texts.chain(std::iter::once((&self.region, &self.origin))) {
            if text.chars().any(char::is_control) {
                return Err(format!("`{key}` holds control characters"));
            }
        }
        // Figures an estimate divides by, or takes a share of.
        for (key, valid, range) in [
            ("hours_per_month", (|value: f64| value > 0.0 && value <= 744.0) as fn(f64) -> bool, "more than 0 and at most 744 (31 days)"),
            ("s3_months_of_data", |value| value > 0.0, "more than 0"),
            ("fargate_spot_discount", |value| value <= 100.0, "at most 100 (%)"),
        ] {
            if let Some(assumption) = self.assume.get(key).filter(|assumption| !valid(assumption.value)) {
                return Err(format!("assumption `{key}` must be {range}, found {}", assumption.value));
            }
        }
        Ok(())
    }

    pub fn usd(&self, key: &str) -> Result<f64, PriceError> {
        self.price.get(key).map(|price| price.usd).ok_or_else(|| PriceError::Missing { region: self.region.clone(), key: key.to_owned() })
    }

    pub fn assumed(&self, key: &str) -> Result<f64, PriceError> {
        self.assume.get(key).map(|assumption| assumption.value).ok_or_else(|| PriceError::Missing { region: self.region.clone(), key: key.to_owned() })
    }

    /// The earliest date a figure was read.
    pub fn oldest_read(&self) -> String {
        self.price.values().map(|price| price.read.as_str()).min().unwrap_or("never").to_owned()
    }

    /// The keys this table prices that `known` does not: a misspelt key in a table of one's
    /// own would otherwise vanish, and its price read as missing.
    pub fn unknown_keys(&self, known: &Prices) -> Vec<String> {
        let prices = self.price.keys().filter(|key| !known.price.contains_key(*key));
        let assumptions = self.assume.keys().filter(|key| !known.assume.contains_key(*key));
        prices.chain(assumptions).cloned().collect()
    }

    /// The table as TOML: what the price cache holds.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a price table always serialises")
    }
}

/// `YYYY-MM-DD`, a real month and day.
fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10 && bytes.iter().enumerate().all(|(at, byte)| if at == 4 || at == 7 { *byte == b'-' } else { byte.is_ascii_digit() });
    let month: u32 = text.get(5..7).and_then(|month| month.parse().ok()).unwrap_or(0);
    let day: u32 = text.get(8..10).and_then(|day| day.parse().ok()).unwrap_or(0);
    shaped && (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// A TOML error as `line L, column C: what`, never the text of the line.
fn located(text: &str, error: &toml::de::Error) -> String {
    match error.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |at| at + 1) + 1;
            format!("line {line}, column {column}: {}", unquoted(error.message()))
        }
        None => unquoted(error.message()),
    }
}

/// A parser message without the values it quotes (`invalid type: string "…"`): only the
/// keys and types a price table should hold are said.
fn unquoted(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for character in message.chars() {
        match (character, quoted) {
            ('"', false) => {
                quoted = true;
                out.push_str("\"…");
            }
            ('"', true) => {
                quoted = false;
                out.push('"');
            }
            (_, true) => {}
            (other, false) => out.push(other),
        }
    }
    out
}

/// The largest unit price holdfast believes: a figure above it is a mistake, not a price.
const MOST_PLAUSIBLE_USD: f64 = 100_000.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_price_has_a_source_and_a_date() {
        for (region, text) in SHIPPED {
            let prices = Prices::parse(region, text).unwrap_or_else(|error| panic!("{error}"));
            assert!(prices.price.len() >= 20, "{region} has only {} prices", prices.price.len());
            for (key, price) in &prices.price {
                assert!(!price.source.trim().is_empty() && is_date(&price.read), "{region} {key}");
                assert!(price.query.is_some(), "{region} {key} cannot be read from the Price List API");
            }
        }
    }

    #[test]
    fn a_price_without_a_source_or_a_date_is_refused() {
        let without_source = "region = \"us-east-1\"\n[price.x]\nusd = 1.0\nper = \"thing\"\nsource = \" \"\nread = \"2026-11-27\"\n";
        let error = Prices::parse("us-east-1", without_source).unwrap_err();
        assert_eq!(error.to_string(), "the price table for us-east-1 is not valid: price `x` has no source");
        let without_date = "region = \"us-east-1\"\n[price.x]\nusd = 1.0\nper = \"thing\"\nsource = \"AWS\"\n";
        assert!(Prices::parse("us-east-1", without_date).unwrap_err().to_string().contains("missing field `read`"));
        let bad_date = "region = \"us-east-1\"\n[assume.y]\nvalue = 1.0\nper = \"thing\"\nsource = \"AWS\"\nread = \"late 2026\"\n";
        assert!(Prices::parse("us-east-1", bad_date).unwrap_err().to_string().contains("assumption `y` has no read date"));
    }

    #[test]
    fn a_region_without_prices_is_an_error_that_says_how_to_add_them() {
        let error = Prices::shipped("eu-west-1").unwrap_err().to_string();
        assert!(error.starts_with("holdfast has no prices for eu-west-1"), "{error}");
        assert!(error.contains("--prices FILE") && error.contains("pricing:GetProducts"), "{error}");
    }

    #[test]
    fn a_file_given_by_mistake_is_never_quoted_and_implausible_figures_are_refused() {
        let credentials = "[default]\naws_secret_access_key = CANARY-SECRET-123\n";
        let error = Prices::parse("us-east-1", credentials).unwrap_err().to_string();
        assert!(!error.contains("CANARY"), "{error}");
        assert!(error.contains("line "), "{error}");
        let huge = "region = \"us-east-1\"\n[price.x]\nusd = 1e300\nper = \"thing\"\nsource = \"me\"\nread = \"2026-11-27\"\n";
        assert!(Prices::parse("us-east-1", huge).unwrap_err().to_string().contains("not a plausible list price"));
        let escape = "region = \"us-east-1\"\n[price.x]\nusd = 1\nper = \"thing\"\nsource = \"\\u001b[2J\"\nread = \"2026-11-27\"\n";
        assert!(Prices::parse("us-east-1", escape).unwrap_err().to_string().contains("control characters"));
        let bad_day = "region = \"us-east-1\"\n[price.x]\nusd = 1\nper = \"thing\"\nsource = \"me\"\nread = \"2026-13-45\"\n";
        assert!(Prices::parse("us-east-1", bad_day).unwrap_err().to_string().contains("no read date"));
    }

    #[test]
    fn an_assumption_an_estimate_divides_by_must_make_sense() {
        let zero_months = "region = \"us-east-1\"\n[assume.s3_months_of_data]\nvalue = 0\nper = \"months\"\nsource = \"me\"\nread = \"2026-11-27\"\n";
        assert!(Prices::parse("us-east-1", zero_months).unwrap_err().to_string().contains("`s3_months_of_data` must be more than 0"));
        let discount = "region = \"us-east-1\"\n[assume.fargate_spot_discount]\nvalue = 150\nper = \"%\"\nsource = \"me\"\nread = \"2026-11-27\"\n";
        assert!(Prices::parse("us-east-1", discount).unwrap_err().to_string().contains("at most 100"));
    }

    #[test]
    fn the_table_round_trips_through_its_cache_form() {
        let prices = Prices::shipped("us-east-1").unwrap();
        let again = Prices::parse("us-east-1", &prices.to_toml()).unwrap();
        assert_eq!(again.price, prices.price);
        assert_eq!(again.assume, prices.assume);
    }
}
