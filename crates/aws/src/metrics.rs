//! CloudWatch metrics, read for cost estimates: `GetMetricData` in batches of as many
//! queries as one call takes, and `ListMetrics` to learn which series exist.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{Dimension, DimensionFilter, Metric, MetricDataQuery, MetricStat};
use aws_smithy_types::DateTime;

use crate::Aws;
use crate::error::{AwsError, call_error};

/// GetMetricData takes at most this many queries a call.
const QUERIES_PER_CALL: usize = 500;

pub(crate) fn client(aws: &Aws) -> Client {
    Client::from_conf(aws_sdk_cloudwatch::config::Builder::from(&aws.sdk_config).interceptor(aws.calls()).build())
}

/// One series to read: dimensions in the order the service publishes them (an emulator
/// matches them in order).
#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub namespace: &'static str,
    pub metric: &'static str,
    pub dimensions: Vec<(&'static str, String)>,
    pub stat: &'static str,
    pub period_seconds: i32,
}

/// The window `days` long ending at the last whole `period` (hour or day), so periods
/// fall on AWS's own boundaries.
pub(crate) fn window(days: u32, period_seconds: i64) -> (i64, i64) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs() as i64);
    let end = now - now.rem_euclid(period_seconds);
    (end - i64::from(days) * 86_400, end)
}

/// Each series' values, oldest first, by its position in `series`.
pub(crate) async fn read(aws: &Aws, client: &Client, series: &[Series], (start, end): (i64, i64)) -> Result<Vec<Vec<(i64, f64)>>, AwsError> {
    let mut values: Vec<Vec<(i64, f64)>> = vec![Vec::new(); series.len()];
    for (batch_index, batch) in series.chunks(QUERIES_PER_CALL).enumerate() {
        let queries: Vec<MetricDataQuery> = batch
            .iter()
            .enumerate()
            .map(|(at, one)| {
                let metric = Metric::builder()
                    .namespace(one.namespace)
                    .metric_name(one.metric)
                    .set_dimensions(Some(one.dimensions.iter().map(|(name, value)| Dimension::builder().name(*name).value(value).build()).collect()))
                    .build();
                MetricDataQuery::builder()
                    .id(format!("m{}", batch_index * QUERIES_PER_CALL + at))
                    .metric_stat(MetricStat::builder().metric(metric).period(one.period_seconds).stat(one.stat).build())
                    .return_data(true)
                    .build()
            })
            .collect();
        let mut next_token: Option<String> = None;
        loop {
            let _permit = aws.permit().await;
            let output = client
                .get_metric_data()
                .set_metric_data_queries(Some(queries.clone()))
                .start_time(DateTime::from_secs(start))
                .end_time(DateTime::from_secs(end))
                .set_next_token(next_token.take())
                .send()
                .await
                .map_err(|error| call_error("cloudwatch:GetMetricData", format!("{} metrics", queries.len()), error))?;
            for result in output.metric_data_results() {
                let Some(index) = result.id().and_then(|id| id.strip_prefix('m')).and_then(|number| number.parse::<usize>().ok()) else { continue };
                if let Some(slot) = values.get_mut(index) {
                    slot.extend(result.timestamps().iter().map(DateTime::secs).zip(result.values().iter().copied()));
                }
            }
            match output.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => break,
            }
        }
    }
    for slot in &mut values {
        slot.sort_by_key(|(at, _)| *at);
        slot.dedup_by_key(|(at, _)| *at);
    }
    Ok(values)
}

/// The values of one dimension (`StorageType`) of the series of `metric` that also have
/// `fixed` (`BucketName = x`), or of all series when `fixed` is None: by the other
/// dimension's value.
pub(crate) async fn list(
    aws: &Aws,
    client: &Client,
    namespace: &str,
    metric: &str,
    fixed: Option<(&str, &str)>,
) -> Result<Vec<Vec<(String, String)>>, AwsError> {
    let mut found: BTreeSet<Vec<(String, String)>> = BTreeSet::new();
    let mut next_token: Option<String> = None;
    loop {
        let mut request = client.list_metrics().namespace(namespace).metric_name(metric).set_next_token(next_token.take());
        if let Some((name, value)) = fixed {
            request = request.dimensions(DimensionFilter::builder().name(name).value(value).build());
        }
        let _permit = aws.permit().await;
        let output = request.send().await.map_err(|error| call_error("cloudwatch:ListMetrics", format!("{namespace} {metric}"), error))?;
        for listed in output.metrics() {
            let mut dimensions: Vec<(String, String)> =
                listed.dimensions().iter().filter_map(|dimension| Some((dimension.name()?.to_owned(), dimension.value()?.to_owned()))).collect();
            dimensions.sort();
            found.insert(dimensions);
        }
        match output.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
            _ => break,
        }
    }
    Ok(found.into_iter().collect())
}

/// The dimensions of a listed series, by name.
pub(crate) fn by_name(dimensions: &[(String, String)]) -> BTreeMap<&str, &str> {
    dimensions.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect()
}
