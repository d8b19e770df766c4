//! Numbers an alarm can page on: drifted resources per kind and severity, and whether
//! the check itself failed. CloudWatch (`--metrics cloudwatch:NAMESPACE`) or OpenMetrics
//! text for a Prometheus textfile collector (`--metrics-file PATH`).

use std::fmt::Write as _;
use std::path::Path;

use holdfast_aws::Aws;
use holdfast_aws::notify::Metric;
use holdfast_planner::drift::{Report, Severity};

use crate::DriftError;

/// The kinds metrics are published for, zeros included, so an alarm sees drift end.
const KINDS: [&str; 7] = ["ssm.parameter", "s3.bucket", "ecs.cluster", "ecs.service", "aurora.cluster", "vpc.flow_log", "error"];

/// The outcome of one check of one account and region, as metrics see it.
pub struct Sample<'a> {
    pub account_id: &'a str,
    pub region: &'a str,
    /// None when the check failed.
    pub report: Option<&'a Report>,
    /// The check was made but its history or a notification failed: people may not
    /// have been told.
    pub output_failed: bool,
    pub checked_epoch: u64,
}

impl Sample<'_> {
    fn drifted(&self, kind: Option<&str>, severity: Severity) -> usize {
        self.report
            .map_or(0, |report| report.drift.iter().filter(|finding| finding.severity == severity && kind.is_none_or(|kind| finding.kind == kind)).count())
    }

    /// CloudWatch data: `DriftedResources` by account, region, kind and severity, and by
    /// account, region and severity; `CheckFailed` by account and region. A failed check
    /// publishes only `CheckFailed`: no zero may pass for "in sync".
    pub fn cloudwatch(&self) -> Vec<Metric> {
        let base = vec![("Account".to_owned(), self.account_id.to_owned()), ("Region".to_owned(), self.region.to_owned())];
        let mut metrics = vec![
            Metric { name: "CheckFailed".to_owned(), dimensions: base.clone(), value: if self.report.is_some() { 0.0 } else { 1.0 } },
            Metric { name: "OutputFailed".to_owned(), dimensions: base.clone(), value: if self.output_failed { 1.0 } else { 0.0 } },
        ];
        if self.report.is_none() {
            return metrics;
        }
        for severity in Severity::ALL {
            let mut by_severity = base.clone();
            by_severity.push(("Severity".to_owned(), severity.as_str().to_owned()));
            metrics.push(Metric { name: "DriftedResources".to_owned(), dimensions: by_severity.clone(), value: self.drifted(None, severity) as f64 });
            for kind in KINDS {
                let mut dimensions = by_severity.clone();
                dimensions.insert(2, ("Kind".to_owned(), kind.to_owned()));
                metrics.push(Metric { name: "DriftedResources".to_owned(), dimensions, value: self.drifted(Some(kind), severity) as f64 });
            }
        }
        metrics
    }
}

/// OpenMetrics text for every sample (one per account and region). A failed check
/// repeats its account's drift series from `previous` (the file as the last run left it)
/// rather than dropping them, so an alert on critical drift does not resolve while the
/// checks fail; `last_success` tells how old they are.
pub fn openmetrics(samples: &[Sample<'_>], previous: &str) -> String {
    let labels = |sample: &Sample<'_>| format!("account=\"{}\",region=\"{}\"", sample.account_id, sample.region);
    let carried = |sample: &Sample<'_>, metric: &str| -> Vec<String> {
        let prefix = format!("{metric}{{{}", labels(sample));
        previous.lines().filter(|line| line.starts_with(&prefix)).map(str::to_owned).collect()
    };
    let mut out = String::new();
    let _ = writeln!(out, "# TYPE holdfast_drift_check_failed gauge\n# HELP holdfast_drift_check_failed 1 when the last drift check could not be made.");
    for sample in samples {
        let _ = writeln!(out, "holdfast_drift_check_failed{{{}}} {}", labels(sample), u8::from(sample.report.is_none()));
    }
    let _ = writeln!(
        out,
        "# TYPE holdfast_drift_output_failed gauge\n# HELP holdfast_drift_output_failed 1 when the check ran but its history or a notification failed."
    );
    for sample in samples {
        let _ = writeln!(out, "holdfast_drift_output_failed{{{}}} {}", labels(sample), u8::from(sample.output_failed));
    }
    let _ = writeln!(
        out,
        "# TYPE holdfast_drift_last_check_timestamp_seconds gauge\n# HELP holdfast_drift_last_check_timestamp_seconds When the last check was tried."
    );
    for sample in samples {
        let _ = writeln!(out, "holdfast_drift_last_check_timestamp_seconds{{{}}} {}", labels(sample), sample.checked_epoch);
    }
    let _ = writeln!(
        out,
        "# TYPE holdfast_drift_last_success_timestamp_seconds gauge\n# HELP holdfast_drift_last_success_timestamp_seconds When a check last succeeded: alert when it grows old."
    );
    for sample in samples {
        match sample.report {
            Some(_) => {
                let _ = writeln!(out, "holdfast_drift_last_success_timestamp_seconds{{{}}} {}", labels(sample), sample.checked_epoch);
            }
            None => carried(sample, "holdfast_drift_last_success_timestamp_seconds").iter().for_each(|line| {
                let _ = writeln!(out, "{line}");
            }),
        }
    }
    let _ = writeln!(
        out,
        "# TYPE holdfast_drifted_resources gauge\n# HELP holdfast_drifted_resources Resources that differ from the desired state, by kind and severity, as the last successful check found."
    );
    for sample in samples {
        if sample.report.is_none() {
            carried(sample, "holdfast_drifted_resources").iter().for_each(|line| {
                let _ = writeln!(out, "{line}");
            });
            continue;
        }
        for kind in KINDS {
            for severity in Severity::ALL {
                let _ = writeln!(
                    out,
                    "holdfast_drifted_resources{{{},kind=\"{kind}\",severity=\"{}\"}} {}",
                    labels(sample),
                    severity.as_str(),
                    sample.drifted(Some(kind), severity)
                );
            }
        }
    }
    out.push_str("# EOF\n");
    out
}

/// Writes the file whole (a temporary file renamed over it), so a collector never reads half.
pub fn write_file(path: &Path, samples: &[Sample<'_>]) -> Result<(), DriftError> {
    let previous = std::fs::read_to_string(path).unwrap_or_default();
    let temporary = path.with_extension("prom.tmp");
    std::fs::write(&temporary, openmetrics(samples, &previous))
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|error| DriftError::Metrics { target: path.display().to_string(), message: error.to_string() })
}

/// After a failure that left no account to name (a desired state that does not load),
/// marks every check in the file as failed, keeping the rest: an alert on
/// `check_failed` fires rather than the last good figures standing.
pub fn mark_failed(path: &Path) -> Result<(), DriftError> {
    let Ok(previous) = std::fs::read_to_string(path) else { return Ok(()) };
    let marked: String = previous
        .lines()
        .map(|line| match line.strip_prefix("holdfast_drift_check_failed{").and_then(|rest| rest.rsplit_once("} ")) {
            Some((labels, _)) => format!("holdfast_drift_check_failed{{{labels}}} 1\n"),
            None => format!("{line}\n"),
        })
        .collect();
    let temporary = path.with_extension("prom.tmp");
    std::fs::write(&temporary, marked)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|error| DriftError::Metrics { target: path.display().to_string(), message: error.to_string() })
}

pub async fn publish(aws: &Aws, namespace: &str, samples: &[Sample<'_>]) -> Result<(), DriftError> {
    let metrics: Vec<Metric> = samples.iter().flat_map(Sample::cloudwatch).collect();
    holdfast_aws::notify::put_metrics(aws, namespace, &metrics)
        .await
        .map_err(|error| DriftError::Metrics { target: format!("cloudwatch:{namespace}"), message: error.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_check_keeps_the_last_drift_figures_and_their_age_instead_of_dropping_them() {
        let failed = Sample { account_id: "108782097218", region: "us-east-1", report: None, output_failed: false, checked_epoch: 2_000 };
        let previous = "holdfast_drift_last_success_timestamp_seconds{account=\"108782097218\",region=\"us-east-1\"} 1000\n\
                        holdfast_drifted_resources{account=\"108782097218\",region=\"us-east-1\",kind=\"ecs.service\",severity=\"critical\"} 1\n\
                        holdfast_drifted_resources{account=\"210987654321\",region=\"us-east-1\",kind=\"ecs.service\",severity=\"critical\"} 7\n";
        let text = openmetrics(&[failed], previous);
        assert!(text.contains("holdfast_drift_check_failed{account=\"108782097218\",region=\"us-east-1\"} 1\n"), "{text}");
        assert!(
            text.contains("holdfast_drifted_resources{account=\"108782097218\",region=\"us-east-1\",kind=\"ecs.service\",severity=\"critical\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("holdfast_drift_last_success_timestamp_seconds{account=\"108782097218\",region=\"us-east-1\"} 1000\n"), "{text}");
        assert!(text.contains("holdfast_drift_last_check_timestamp_seconds{account=\"108782097218\",region=\"us-east-1\"} 2000\n"), "{text}");
        assert!(!text.contains("210987654321"), "another account's lines are its own run's business: {text}");
        assert!(text.contains("holdfast_drift_output_failed{account=\"108782097218\",region=\"us-east-1\"} 0\n"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
