//! `holdfast drift`: the read-only check, once, for many accounts, or on an interval.

use std::io::IsTerminal;

use anyhow::bail;
use holdfast_aws::{Aws, ConnectOptions};
use holdfast_drift::check::{self, Check, CheckOutcome, Settings};
use holdfast_drift::history::History;
use holdfast_drift::notify::Target;
use holdfast_drift::{accounts, clock, watch};
use holdfast_planner::drift::{Memory, render};

use crate::args::{DriftArgs, Format};
use crate::commands::{live, load_desired};
use crate::output::{self, Status};

pub fn run(args: &DriftArgs) -> anyhow::Result<Status> {
    let result = check(args);
    if let Err(error) = &result {
        // Whatever failed (the desired state, the accounts file, an argument), a scheduler
        // reading JSON gets it as JSON, and a metrics file stops saying all is well.
        if args.format == Format::Json {
            output::stdout(&format!("{:#}\n", serde_json::json!({ "format_version": 1, "error": format!("{error:#}") })));
        }
        if let Some(path) = &args.metrics_file {
            let _ = holdfast_drift::metrics::mark_failed(path);
        }
    }
    result
}

fn check(args: &DriftArgs) -> anyhow::Result<Status> {
    let settings = settings(args)?;
    let runtime = live::runtime()?;
    let status = runtime.block_on(async {
        match (&args.accounts, args.every) {
            (Some(file), every) => {
                let list = accounts::load(file)?;
                let base = connect_options(args, None);
                let home = home(&settings, &base).await?;
                let parallel = usize::from(args.parallel);
                let run_all = || async {
                    let now = clock::now()?;
                    let outcomes = accounts::check_all(&list, &base, &settings, home.as_ref(), &now, parallel).await;
                    let metric_errors = check::publish_metrics(&settings, home.as_ref(), &outcomes).await;
                    Ok::<_, anyhow::Error>((outcomes, metric_errors))
                };
                match every {
                    None => {
                        let (outcomes, metric_errors) = run_all().await?;
                        output::stdout(&render_accounts(&outcomes, args));
                        Ok(report_errors(&outcomes, &metric_errors))
                    }
                    Some(every) => {
                        watching(every, || async {
                            match run_all().await {
                                Ok((outcomes, metric_errors)) => {
                                    for outcome in &outcomes {
                                        log_line(outcome, args);
                                    }
                                    report_errors(&outcomes, &metric_errors) == Status::Failure
                                }
                                Err(error) => {
                                    output::error(&error);
                                    true
                                }
                            }
                        })
                        .await
                    }
                }
            }
            (None, every) => {
                let desired = load_desired(&args.desired.desired)?;
                let region = args.aws.region.clone().or_else(|| desired.account.as_ref().map(|account| account.region().to_owned()));
                let options = connect_options(args, region);
                let home = home(&settings, &options).await?;
                let one = Check { desired, connect: options, account_id: None };
                let check_once = || async {
                    let now = clock::now()?;
                    let outcome = check::run(&one, &settings, home.as_ref(), &now).await;
                    let metric_errors = check::publish_metrics(&settings, home.as_ref(), std::slice::from_ref(&outcome)).await;
                    Ok::<_, anyhow::Error>((outcome, metric_errors))
                };
                match every {
                    None => {
                        let (outcome, metric_errors) = check_once().await?;
                        match (&outcome.report, args.format) {
                            (Some(report), format) => {
                                output::stdout(&match format {
                                    Format::Text => render::text(report, output::use_color(args.color)),
                                    Format::Json => report.to_json(),
                                    Format::Markdown => render::markdown(report),
                                });
                                output::stderr(&calls_line(&outcome, home.as_ref()));
                            }
                            // A scheduler parsing the output gets the failure as data too.
                            (None, Format::Json) => output::stdout(&format!("{:#}\n", failure_json(&outcome))),
                            (None, Format::Markdown) => output::stdout(&format!(
                                "## holdfast drift: account {} {}: check failed\n\n{}\n",
                                outcome.account_id,
                                outcome.region,
                                outcome.failure.as_ref().map(ToString::to_string).unwrap_or_default()
                            )),
                            (None, Format::Text) => {}
                        }
                        Ok(report_errors(std::slice::from_ref(&outcome), &metric_errors))
                    }
                    Some(every) => {
                        watching(every, || async {
                            match check_once().await {
                                Ok((outcome, metric_errors)) => {
                                    log_line(&outcome, args);
                                    report_errors(std::slice::from_ref(&outcome), &metric_errors) == Status::Failure
                                }
                                Err(error) => {
                                    output::error(&error);
                                    true
                                }
                            }
                        })
                        .await
                    }
                }
            }
        }
    });
    runtime.shutdown_background();
    status
}

fn settings(args: &DriftArgs) -> anyhow::Result<Settings> {
    let history = match (&args.history, args.every) {
        (Some(text), _) => Some(History::parse(text)?),
        // A watcher remembers in its own memory between checks.
        (None, Some(_)) => Some(History::Process(std::sync::Mutex::new(Memory::default()))),
        (None, None) => None,
    };
    if !args.notify.is_empty() && history.is_none() {
        bail!(
            "--notify needs --history FILE or s3://BUCKET/KEY: without a memory every run would notify the same drift again\n  hint: add --history drift-history.jsonl (or run with --every, which remembers between its checks)"
        );
    }
    let notify = args.notify.iter().map(|target| Target::parse(target)).collect::<Result<Vec<_>, _>>()?;
    for (index, target) in notify.iter().enumerate() {
        if notify[..index].iter().any(|earlier| earlier.key() == target.key()) {
            bail!("--notify {} is given twice: each target is told once", target.name());
        }
    }
    let metrics_namespace = match &args.metrics {
        Some(metrics) => match metrics.strip_prefix("cloudwatch:") {
            // AWS reserves the AWS/ namespaces for its own services and refuses them.
            Some(namespace) if namespace.starts_with("AWS/") => {
                bail!("--metrics {metrics}: namespaces starting AWS/ are AWS's own; use one of yours, such as Holdfast/Drift")
            }
            Some(namespace) if !namespace.is_empty() => Some(namespace.to_owned()),
            _ => bail!("--metrics {metrics}: write cloudwatch:NAMESPACE (and --metrics-file PATH for OpenMetrics text)"),
        },
        None => None,
    };
    Ok(Settings {
        min_severity: args.min_severity,
        remind_every: args.remind_every,
        history,
        notify,
        metrics_namespace,
        metrics_file: args.metrics_file.clone(),
    })
}

fn connect_options(args: &DriftArgs, region: Option<String>) -> ConnectOptions {
    ConnectOptions {
        profile: args.aws.profile.clone(),
        region: region.or_else(|| args.aws.region.clone()),
        endpoint_url: args.aws.endpoint_url.clone(),
        concurrency: usize::from(args.aws.concurrency),
        assume_role: None,
    }
}

/// The runner's own connection, for history, notifications and metrics that live in
/// AWS; None when none of them does.
async fn home(settings: &Settings, options: &ConnectOptions) -> anyhow::Result<Option<Aws>> {
    let needs_aws = matches!(settings.history, Some(History::S3 { .. }))
        || settings.notify.iter().any(|target| matches!(target, Target::Sns(_)))
        || settings.metrics_namespace.is_some();
    Ok(if needs_aws { Some(Aws::connect(options).await?) } else { None })
}

async fn watching<F, Fut>(every: std::time::Duration, check: F) -> anyhow::Result<Status>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let stopped = watch::watch(every, check).await?;
    let when = match (stopped.during_check, stopped.finished) {
        (false, _) => "between checks".to_owned(),
        (true, true) => "during a check, after letting it finish".to_owned(),
        (true, false) => format!(
            "during a check, abandoned after {} s (it wrote nothing to the account; a notification it had claimed may not have gone out)",
            watch::GRACE.as_secs()
        ),
    };
    output::stderr(&format!("Stopped by {} {when}.\n", stopped.signal));
    Ok(Status::Success)
}

/// One line per account and region per check: what a log collector keeps.
fn log_line(outcome: &CheckOutcome, args: &DriftArgs) {
    let now = clock::now().map(|now| now.rfc3339).unwrap_or_default();
    let line = match (&outcome.report, &outcome.failure, args.format) {
        (Some(report), _, Format::Json) => serde_line(report),
        (Some(report), _, _) => format!("{now} {} ({} API calls)", render::summary(report), outcome.api_calls),
        (None, Some(error), _) => format!("{now} account {} {}: check failed: {}", outcome.account_id, outcome.region, one_line(&error.to_string())),
        (None, None, _) => format!("{now} account {} {}: no report", outcome.account_id, outcome.region),
    };
    output::stdout(&format!("{line}\n"));
}

/// What the check cost, and the proof it wrote nothing to the account; then what the
/// outputs (history, notifications, metrics) cost through the runner's own connection.
fn calls_line(outcome: &CheckOutcome, home: Option<&Aws>) -> String {
    let mut line = if outcome.writes.is_empty() {
        format!("Checked with {} API calls, every one a read", outcome.api_calls)
    } else {
        format!("Checked with {} API calls, of which these were not reads: {}", outcome.api_calls, outcome.writes.join(", "))
    };
    let calls = home.map(Aws::api_calls).unwrap_or_default();
    if !calls.is_empty() {
        let listed: Vec<String> = calls.iter().map(|((service, operation), count)| format!("{service} {operation} {count}")).collect();
        line.push_str(&format!("; the history, notifications and metrics took {} more ({})", calls.values().sum::<usize>(), listed.join(", ")));
    }
    line.push_str(".\n");
    line
}

fn failure_json(outcome: &CheckOutcome) -> serde_json::Value {
    serde_json::json!({
        "format_version": 1,
        "account_id": outcome.account_id,
        "region": outcome.region,
        "error": outcome.failure.as_ref().map(ToString::to_string),
    })
}

fn serde_line(report: &holdfast_planner::drift::Report) -> String {
    serde_json::to_string(report).expect("a report always serialises")
}

fn one_line(text: &str) -> String {
    text.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// Prints the errors (after the report, never instead of it) and gives the exit status:
/// 1 if any check or output failed, else 2 if anything drifted, else 0.
fn report_errors(outcomes: &[CheckOutcome], metric_errors: &[holdfast_drift::DriftError]) -> Status {
    for outcome in outcomes {
        for warning in &outcome.warnings {
            output::stderr(&format!("warning: account {} {}: {warning}\n", outcome.account_id, outcome.region));
        }
        if let Some(error) = &outcome.failure {
            output::stderr(&format!("error: the check of account {} {} failed: {error}\n", outcome.account_id, outcome.region));
        }
        for error in &outcome.output_errors {
            output::stderr(&format!("error: account {} {}: {error}\n", outcome.account_id, outcome.region));
        }
    }
    for error in metric_errors {
        output::stderr(&format!("error: {error}\n"));
    }
    if !metric_errors.is_empty() || outcomes.iter().any(CheckOutcome::failed) {
        Status::Failure
    } else if outcomes.iter().any(CheckOutcome::drifted) {
        Status::ChangesPresent
    } else {
        Status::Success
    }
}

/// One combined report: a row per account and region, then each drifted one's findings.
fn render_accounts(outcomes: &[CheckOutcome], args: &DriftArgs) -> String {
    let row_status = |outcome: &CheckOutcome| match (&outcome.report, outcome.failed()) {
        (None, _) => "failed",
        (Some(_), true) => "output failed",
        (Some(report), false) if report.in_sync() => "in sync",
        (Some(_), false) => "drifted",
    };
    match args.format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = outcomes
                .iter()
                .map(|outcome| {
                    serde_json::json!({
                        "account_id": outcome.account_id,
                        "region": outcome.region,
                        "status": row_status(outcome),
                        "error": outcome.failure.as_ref().map(ToString::to_string),
                        "output_errors": outcome.output_errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
                        "report": outcome.report,
                    })
                })
                .collect();
            format!("{:#}\n", serde_json::json!({ "format_version": 1, "accounts": rows }))
        }
        Format::Markdown => {
            let mut out = String::from("| account | region | status | detail |\n|---|---|---|---|\n");
            for outcome in outcomes {
                let detail = match (&outcome.report, &outcome.failure) {
                    (Some(report), _) => render::summary(report),
                    (None, Some(error)) => one_line(&error.to_string()),
                    (None, None) => String::new(),
                };
                out.push_str(&format!("| {} | {} | {} | {} |\n", outcome.account_id, outcome.region, row_status(outcome), detail.replace('|', "\\|")));
            }
            out
        }
        Format::Text => {
            let color = output::use_color(args.color) && std::io::stdout().is_terminal();
            let mut out = String::new();
            for outcome in outcomes {
                let detail = match (&outcome.report, &outcome.failure) {
                    (Some(report), _) => render::summary(report),
                    (None, Some(error)) => one_line(&error.to_string()),
                    (None, None) => String::new(),
                };
                out.push_str(&format!("{:<12} {:<14} {:<13} {detail}\n", outcome.account_id, outcome.region, row_status(outcome)));
            }
            for report in outcomes.iter().filter_map(|outcome| outcome.report.as_ref()).filter(|report| !report.in_sync()) {
                out.push('\n');
                out.push_str(&render::text(report, color));
            }
            out
        }
    }
}
