//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "holdfast", version, about = "Keeps an AWS account where its owners declared it: plan the drift, apply the fix, check it on a schedule.")]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show how the account differs from the desired state, and what fixing it would do.
    Plan(PlanArgs),
    /// Check the desired-state files and report every error with its file, line and column.
    Validate(DesiredArgs),
    /// Read the account into a snapshot file, for planning later or elsewhere.
    Snapshot(SnapshotArgs),
    /// Converge the account to the desired state: plan, confirm, apply, verify.
    Apply(ApplyArgs),
    /// Check, read-only, where the account differs from the desired state: for a schedule.
    /// Exits 0 in sync, 2 drifted, 1 when the check (or telling someone) failed.
    Drift(DriftArgs),
    /// Print the least-privilege IAM policy for the calls holdfast makes for a desired state.
    IamPolicy(IamPolicyArgs),
    /// Write the HIPAA status report of the whole account, with evidence for every line.
    /// Exits 0, 2 when the score is under --fail-under, 1 on error.
    Audit(AuditArgs),
    /// Print the encryption migration of one Aurora cluster as a Markdown runbook: its
    /// steps with their state on AWS now, the cutover and the rollback.
    Runbook(RunbookArgs),
    /// Print what the resources the desired state selects cost a month as they run now,
    /// by kind and by entry, from list prices and the usage read.
    Cost(CostCommandArgs),
    /// Write the desired state of an existing account: one file per kind, resources that
    /// share a configuration as one entry with a glob, never a secret value; checked to
    /// plan no change against what was read.
    Import(ImportArgs),
    /// Print the JSON Schema of the desired-state files, for editors (docs/desired-state.md).
    Schema,
    /// Print the shell completion script for bash, zsh or fish.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `holdfast man > holdfast.1`.
    Man,
}

/// The import crate's kinds, by name: listed in `--help` and completed by the shells.
fn import_kinds() -> impl clap::builder::TypedValueParser<Value = holdfast_import::Kind> {
    use clap::builder::TypedValueParser;
    let names = holdfast_import::Kind::ALL.map(holdfast_import::Kind::as_str);
    clap::builder::PossibleValuesParser::new(names).map(|name| holdfast_import::Kind::parse(&name).expect("every possible value is a kind"))
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The kinds to import, comma-separated; every kind when left out.
    #[arg(long, value_delimiter = ',', value_name = "KIND,...", value_parser = import_kinds())]
    pub kinds: Vec<holdfast_import::Kind>,
    /// The folder to write, one file per kind (created if missing).
    #[arg(long, default_value = "desired-state", value_name = "DIR")]
    pub out: PathBuf,
    /// Import a snapshot instead of the live account: one taken with `holdfast snapshot --import`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile", "region", "endpoint_url"])]
    pub snapshot: Option<PathBuf>,
    /// Print the files to standard output, as one desired-state file, instead of writing them.
    #[arg(long, conflicts_with = "force")]
    pub stdout: bool,
    /// Overwrite files that already exist in --out.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, clap::Args)]
pub struct CostCommandArgs {
    #[command(flatten)]
    pub desired: DesiredArgs,
    /// Price a saved snapshot (and the usage it holds) instead of the live account.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile", "region", "endpoint_url"])]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub prices: PricesArgs,
    #[arg(long, value_enum, default_value_t = CostFormat::Text)]
    pub format: CostFormat,
}

/// Where prices come from.
#[derive(Debug, Clone, clap::Args)]
pub struct PricesArgs {
    /// Price without calling the AWS Price List API (always so with --snapshot): with the
    /// shipped table, or, for a region none ships for, the latest prices an online run cached.
    #[arg(long, env = "HOLDFAST_OFFLINE", value_parser = clap::builder::FalseyValueParser::new())]
    pub offline: bool,
    /// Price with this table (the format of crates/cost/prices/us-east-1.toml, every figure
    /// with its source and date): for a region holdfast ships no prices for, or your own.
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CostFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct RunbookArgs {
    /// The cluster: `aurora.cluster/ID`, as the plan names it, or its identifier.
    #[arg(value_name = "ADDRESS")]
    pub address: String,
    #[command(flatten)]
    pub desired: DesiredArgs,
    /// Write the runbook from a saved snapshot instead of the live account.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile", "region", "endpoint_url"])]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Write the runbook to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub desired: DesiredArgs,
    /// Audit a snapshot taken with `holdfast snapshot --audit` instead of the live account.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile", "region", "endpoint_url"])]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 2 when the overall score (in percent) is below SCORE.
    #[arg(long, value_name = "SCORE", value_parser = parse_score)]
    pub fail_under: Option<f64>,
    /// Show what changed since an earlier `--format json` report: new failures, fixed
    /// ones, score movement (in text, markdown or json). With --out, the new report is
    /// still written there.
    #[arg(long, value_name = "OLD.json")]
    pub compare: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Text,
    Markdown,
    Json,
    Junit,
    Sarif,
    Html,
}

fn parse_score(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(score) if (0.0..=100.0).contains(&score) => Ok(score),
        _ => Err(format!("`{text}` is not a score: a percentage from 0 to 100, as 80")),
    }
}

#[derive(Debug, clap::Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub desired: DesiredArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Report and notify only drift this severe or worse: low, medium, high, critical.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_severity)]
    pub min_severity: holdfast_planner::drift::Severity,
    /// Remember each check, to say what is new, persisting and resolved: a JSON-lines
    /// FILE, or s3://BUCKET/KEY (written with a conditional put).
    #[arg(long, value_name = "FILE|s3://BUCKET/KEY")]
    pub history: Option<String>,
    /// Tell someone when drift appears or goes away: sns:TOPIC_ARN, webhook:URL or
    /// file:PATH. Repeatable. Needs --history (or --every) to know what changed.
    #[arg(long, value_name = "TARGET")]
    pub notify: Vec<String>,
    /// Notify drift that persists again only this often.
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
    pub remind_every: std::time::Duration,
    /// Publish drifted resources per kind and severity, and a check-failed metric: cloudwatch:NAMESPACE.
    #[arg(long, value_name = "cloudwatch:NAMESPACE")]
    pub metrics: Option<String>,
    /// Write the same metrics as OpenMetrics text, for a Prometheus textfile collector.
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,
    /// Check again every DURATION (15m, 1h; at least 1s) until SIGTERM or SIGINT.
    #[arg(long, value_name = "DURATION", value_parser = parse_interval)]
    pub every: Option<std::time::Duration>,
    /// Check the accounts and regions this TOML file lists, each through its own role.
    #[arg(long, value_name = "FILE")]
    pub accounts: Option<PathBuf>,
    /// With --accounts: at most this many account-regions checked at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    pub parallel: u16,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

fn parse_severity(text: &str) -> Result<holdfast_planner::drift::Severity, String> {
    holdfast_planner::drift::Severity::parse(text).ok_or_else(|| format!("`{text}` is not a severity: low, medium, high or critical"))
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    holdfast_drift::clock::parse_duration(text)
}

/// A check a millisecond after the last would only hammer the account.
/// A duration, or `0` (`0s`, `0m`) for none.
fn parse_wait(text: &str) -> Result<std::time::Duration, String> {
    let zero = text.trim().trim_start_matches('0').chars().all(|c| c.is_ascii_alphabetic()) && text.trim().starts_with('0');
    if zero { Ok(std::time::Duration::ZERO) } else { parse_duration(text) }
}

fn parse_interval(text: &str) -> Result<std::time::Duration, String> {
    let every = parse_duration(text)?;
    if every < std::time::Duration::from_secs(1) {
        return Err(format!("`{text}` is shorter than a second; a drift check every 15m is usual"));
    }
    Ok(every)
}

#[derive(Debug, clap::Args)]
pub struct IamPolicyArgs {
    #[command(flatten)]
    pub desired: DesiredArgs,
    /// Only what reading needs (plan, snapshot, drift): no apply statement.
    #[arg(long)]
    pub read_only: bool,
    /// Also allow what `holdfast audit` reads: the whole account, and IAM's credential report.
    #[arg(long)]
    pub audit: bool,
    /// Also allow what `holdfast import` reads: the whole account (without IAM).
    #[arg(long)]
    pub import: bool,
    /// Also allow the drift history object: s3://BUCKET/KEY.
    #[arg(long, value_name = "s3://BUCKET/KEY")]
    pub history: Option<String>,
    /// Also allow publishing to these notification targets (sns:TOPIC_ARN). Repeatable.
    #[arg(long, value_name = "TARGET")]
    pub notify: Vec<String>,
    /// Also allow publishing drift metrics (cloudwatch:NAMESPACE).
    #[arg(long, value_name = "cloudwatch:NAMESPACE")]
    pub metrics: Option<String>,
    /// Leave out what cost estimates read (CloudWatch metrics, the AWS Price List API):
    /// for a runner that only checks drift, or plans with --no-cost.
    #[arg(long)]
    pub no_cost: bool,
}

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// A plan saved with `holdfast plan --out`. It is applied only if the account has not
    /// changed since. Without one, apply plans now and asks before changing anything.
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: Option<PathBuf>,
    #[command(flatten)]
    pub desired: DesiredArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Apply without asking. Without a terminal, apply refuses unless this is given.
    #[arg(long)]
    pub auto_approve: bool,
    /// Carry out replacements (`-/+`). Without it they are skipped and listed.
    #[arg(long)]
    pub allow_replace: bool,
    /// Carry out deletions (`-`). Without it they are skipped and listed.
    #[arg(long)]
    pub allow_delete: bool,
    /// Remove the apply lock with this id, left by an apply that died, then apply. The
    /// lock is removed only if it has this id and its lease expired (nobody renews it).
    #[arg(long, value_name = "LOCK_ID")]
    pub force_unlock: Option<String>,
    /// With --force-unlock: remove the lock even though its lease is still being renewed.
    #[arg(long, requires = "force_unlock")]
    pub even_if_live: bool,
    /// How long to wait for each step of a long operation (an Aurora snapshot, copy,
    /// restore, new instances) before reporting it in progress; running apply again
    /// continues from there. `0` starts each step and waits for none.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_wait)]
    pub wait: std::time::Duration,
    /// How the apply report is printed.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

/// Where and how to reach AWS. Anything not given comes from the standard chain:
/// environment, profiles, SSO, IMDS.
#[derive(Debug, clap::Args)]
pub struct AwsArgs {
    /// A named profile from ~/.aws/config.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Defaults to [account] region in the desired state, else the standard chain
    /// (AWS_REGION, the profile's region).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Send every request to this endpoint (an emulator, a proxy); AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// At most this many AWS calls in flight at once (docs/reading.md says why 16).
    #[arg(long, default_value_t = 16, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
}

#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub desired: DesiredArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Where to write the snapshot.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also read what `holdfast audit` checks across the whole account (every bucket,
    /// cluster, VPC, task definition in use, trail and parameter, and IAM's credential report).
    #[arg(long)]
    pub audit: bool,
    /// Also read everything `holdfast import` writes, across the whole account, so the
    /// snapshot can be imported later (`holdfast import --snapshot`).
    #[arg(long)]
    pub import: bool,
    /// Also read the usage cost estimates price (ACU use, bucket sizes, flow-log volume,
    /// from CloudWatch), so plans and `holdfast cost` made from the snapshot can use it.
    #[arg(long)]
    pub usage: bool,
}

#[derive(Debug, clap::Args)]
pub struct DesiredArgs {
    /// The folder of desired-state TOML files; every *.toml below it is read.
    #[arg(long, default_value = "desired-state", value_name = "DIR")]
    pub desired: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub desired: DesiredArgs,
    /// Plan against a saved inventory snapshot instead of the live account.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile", "region", "endpoint_url"])]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also save the plan as JSON, for review or a later `holdfast apply PLAN_FILE`.
    #[arg(long, value_name = "PLAN_FILE")]
    pub out: Option<PathBuf>,
    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Only changes whose address matches this glob (and what they depend on). Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub target: Vec<String>,
    /// Leave out changes whose address matches this glob. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print on stderr the time of each phase and the AWS calls of each operation, with retries.
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub cost: CostArgs,
}

/// How costs are estimated: on by default in `plan`.
#[derive(Debug, Clone, clap::Args)]
pub struct CostArgs {
    /// Estimate nothing: no prices, and none of the usage reads estimates need.
    #[arg(long)]
    pub no_cost: bool,
    #[command(flatten)]
    pub prices: PricesArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}
