//! Many accounts and regions in one run: a TOML file lists them, each reached through a
//! role assumed with STS and checked against its own desired-state folder. One account
//! failing is reported in its row and never stops the others.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use holdfast_aws::{AssumeRole, Aws, ConnectOptions};
use holdfast_desired::{Diagnostic, SourceFile};
use holdfast_planner::drift::Now;
use serde::Deserialize;
use toml::Spanned;

use crate::DriftError;
use crate::check::{self, Check, CheckOutcome, Settings};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFile {
    account: Vec<Spanned<AccountEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountEntry {
    id: Spanned<String>,
    /// Omitted: the runner's own credentials (its own account).
    role_arn: Option<Spanned<String>>,
    external_id: Option<String>,
    regions: Spanned<Vec<String>>,
    /// Relative to the accounts file.
    desired: Spanned<String>,
}

/// One row of the file, ready to check.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub role: Option<AssumeRole>,
    pub regions: Vec<String>,
    pub desired: PathBuf,
}

/// Reads an accounts file; every error names its line and column.
pub fn load(path: &Path) -> Result<Vec<Account>, DriftError> {
    let text = std::fs::read_to_string(path).map_err(|error| DriftError::Input(format!("cannot read the accounts file {}: {error}", path.display())))?;
    let file = SourceFile::new(path.display().to_string(), text);
    let parsed: AccountsFile = toml::from_str(&file.text).map_err(|error| {
        let hint = Some("each [[account]] takes id, regions, desired, and optionally role_arn and external_id".to_owned());
        failure(vec![file.diagnostic(error.span().unwrap_or(0..0), error.message().trim(), hint)])
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut diagnostics = Vec::new();
    let mut accounts = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for entry in parsed.account {
        let entry = entry.into_inner();
        let id = entry.id.get_ref();
        if id.len() != 12 || !id.bytes().all(|byte| byte.is_ascii_digit()) {
            diagnostics.push(file.diagnostic(
                entry.id.span(),
                format!("account id `{id}` is not 12 digits"),
                Some("quote it: id = \"012345678901\"".to_owned()),
            ));
        }
        if entry.regions.get_ref().is_empty() {
            diagnostics.push(file.diagnostic(entry.regions.span(), "no regions to check", Some("regions = [\"us-east-1\"]".to_owned())));
        }
        for region in entry.regions.get_ref() {
            if !holdfast_desired::account::looks_like_region(region) {
                diagnostics.push(file.diagnostic(
                    entry.regions.span(),
                    format!("`{region}` is not an AWS region name"),
                    Some("regions look like `us-east-1`".to_owned()),
                ));
            } else if !seen.insert((id.clone(), region.clone())) {
                diagnostics.push(file.diagnostic(
                    entry.regions.span(),
                    format!("account {id} in {region} is listed twice"),
                    Some("list each account and region once".to_owned()),
                ));
            }
        }
        if let Some(role) = &entry.role_arn
            && !(role.get_ref().starts_with("arn:aws") && role.get_ref().contains(":role/"))
        {
            diagnostics.push(file.diagnostic(
                role.span(),
                format!("`{}` is not an IAM role ARN", role.get_ref()),
                Some(format!("role_arn = \"arn:aws:iam::{id}:role/holdfast-drift\"")),
            ));
        }
        let desired = base.join(entry.desired.get_ref());
        if !desired.is_dir() {
            diagnostics.push(file.diagnostic(
                entry.desired.span(),
                format!("no desired-state folder at {}", desired.display()),
                Some("desired is a folder, relative to the accounts file".to_owned()),
            ));
        }
        accounts.push(Account {
            id: id.clone(),
            role: entry.role_arn.map(|role_arn| AssumeRole { role_arn: role_arn.into_inner(), external_id: entry.external_id }),
            regions: entry.regions.into_inner(),
            desired,
        });
    }
    if diagnostics.is_empty() { Ok(accounts) } else { Err(failure(diagnostics)) }
}

fn failure(diagnostics: Vec<Diagnostic>) -> DriftError {
    let count = diagnostics.len();
    let listed: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    let noun = if count == 1 { "error" } else { "errors" };
    DriftError::Input(format!("{}\n{count} {noun} in the accounts file", listed.join("\n")))
}

/// Checks every account and region, `parallel` at a time. A desired state that does not
/// load fails the rows of that account only.
pub async fn check_all(accounts: &[Account], base: &ConnectOptions, settings: &Settings, home: Option<&Aws>, now: &Now, parallel: usize) -> Vec<CheckOutcome> {
    let mut pending = Vec::new();
    let mut outcomes = Vec::new();
    for account in accounts {
        let desired = holdfast_desired::load_dir(&account.desired);
        for region in &account.regions {
            match &desired {
                Ok(desired) => pending.push(Check {
                    desired: desired.clone(),
                    connect: ConnectOptions { region: Some(region.clone()), assume_role: account.role.clone(), ..base.clone() },
                    account_id: Some(account.id.clone()),
                }),
                Err(error) => {
                    let mut outcome = CheckOutcome::new(account.id.clone(), region.clone(), now.epoch);
                    outcome.failure = Some(DriftError::Input(error.to_string()));
                    outcomes.push(outcome);
                }
            }
        }
    }
    let checked: Vec<CheckOutcome> =
        futures_util::stream::iter(pending.iter()).map(|check| check::run(check, settings, home, now)).buffer_unordered(parallel.max(1)).collect().await;
    outcomes.extend(checked);
    outcomes.sort_by(|a, b| (&a.account_id, &a.region).cmp(&(&b.account_id, &b.region)));
    outcomes
}
