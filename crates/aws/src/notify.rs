//! Telling someone: SNS messages with attributes subscribers can filter on, and
//! CloudWatch metrics an alarm can page on.

use aws_config::Region;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_sdk_sns::types::MessageAttributeValue;

use crate::Aws;
use crate::error::{AwsError, call_error};

/// Publishes to a topic, in the topic's own region (its ARN says which).
pub async fn publish(aws: &Aws, topic_arn: &str, subject: &str, message: &str, attributes: &[(&str, &str)]) -> Result<(), AwsError> {
    let region = topic_arn.split(':').nth(3).filter(|region| !region.is_empty()).unwrap_or(aws.region()).to_owned();
    let config = aws_sdk_sns::config::Builder::from(&aws.sdk_config).region(Region::new(region)).interceptor(aws.calls()).build();
    let client = aws_sdk_sns::Client::from_conf(config);
    let mut request = client.publish().topic_arn(topic_arn).subject(subject).message(message);
    for (name, value) in attributes {
        let value = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(*value)
            .build()
            .map_err(|error| AwsError::Setup(format!("SNS message attribute {name}: {error}")))?;
        request = request.message_attributes(*name, value);
    }
    let _permit = aws.permit().await;
    request.send().await.map_err(|error| call_error("sns:Publish", format!("topic {topic_arn}"), error))?;
    Ok(())
}

/// One metric value with its dimensions.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    pub dimensions: Vec<(String, String)>,
    pub value: f64,
}

/// PutMetricData, in batches of what one call takes.
pub async fn put_metrics(aws: &Aws, namespace: &str, metrics: &[Metric]) -> Result<(), AwsError> {
    let client = aws_sdk_cloudwatch::Client::from_conf(aws_sdk_cloudwatch::config::Builder::from(&aws.sdk_config).interceptor(aws.calls()).build());
    for batch in metrics.chunks(1000) {
        let data = batch
            .iter()
            .map(|metric| {
                MetricDatum::builder()
                    .metric_name(&metric.name)
                    .set_dimensions(Some(metric.dimensions.iter().map(|(name, value)| Dimension::builder().name(name).value(value).build()).collect()))
                    .value(metric.value)
                    .unit(StandardUnit::Count)
                    .build()
            })
            .collect();
        let _permit = aws.permit().await;
        client
            .put_metric_data()
            .namespace(namespace)
            .set_metric_data(Some(data))
            .send()
            .await
            .map_err(|error| call_error("cloudwatch:PutMetricData", format!("namespace {namespace}"), error))?;
    }
    Ok(())
}
