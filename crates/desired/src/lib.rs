//! The desired state of an AWS account, as written in a folder of TOML files.
//!
//! [`load_dir`] reads every `*.toml` under a folder, merges them and validates the
//! result; every error carries its file, line and column and a hint.

pub mod account;
pub mod audit;
pub mod aurora;
mod check;
pub mod cloudtrail;
pub mod config;
pub mod diagnostic;
pub mod drift;
pub mod ecs;
pub mod elb;
pub mod guardduty;
pub mod kms;
mod origin;
pub mod reads;
pub mod s3;
pub mod securityhub;
pub mod selector;
pub mod ssm;
pub mod toml_text;
pub mod vpc;

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;

pub use diagnostic::{Diagnostic, LoadError, Location, SourceFile};
pub use origin::{Ensure, Entries, HasOrigin, Origin, Single};
pub use reads::{Read, reads};
pub use selector::{NameGlob, TagSelector};

/// The whole desired state: every file merged.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Desired {
    pub account: Option<account::Account>,
    #[serde(default)]
    pub ecs: ecs::Ecs,
    #[serde(default)]
    pub aurora: aurora::Aurora,
    #[serde(default)]
    pub s3: s3::S3,
    #[serde(default)]
    pub ssm: ssm::Ssm,
    #[serde(default)]
    pub vpc: vpc::Vpc,
    #[serde(default)]
    pub kms: kms::Kms,
    #[serde(default)]
    pub cloudtrail: cloudtrail::CloudTrail,
    pub guardduty: Option<Single<guardduty::GuardDuty>>,
    pub securityhub: Option<Single<securityhub::SecurityHub>>,
    pub config: Option<Single<config::Config>>,
    #[serde(default)]
    pub elb: elb::Elb,
    /// What `holdfast drift` accepts for a while; plan and apply do not read it.
    #[serde(default)]
    pub drift: drift::Drift,
    /// What a person vouches for, for `holdfast audit`; plan and apply do not read it.
    #[serde(default)]
    pub audit: audit::Audit,
    /// The files this was read from, in load order; `Origin::file` indexes here.
    #[serde(skip)]
    pub files: Vec<SourceFile>,
}

/// The JSON Schema of a desired-state file, generated from the types that parse it: every
/// table and key, their doc comments as descriptions, unknown keys refused. Editors
/// (taplo, Even Better TOML) complete and check with it; `holdfast schema` prints it.
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(Desired);
    schema.insert("title".to_owned(), "holdfast desired state".into());
    schema.insert(
        "description".to_owned(),
        "One file of a holdfast desired-state folder (docs/desired-state.md). Every file of the folder is read and merged.".into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema always serialises");
    text.push('\n');
    text
}

/// Reads, merges and validates every `*.toml` file below `dir`, in path order.
pub fn load_dir(dir: &Path) -> Result<Desired, LoadError> {
    let paths = toml_files(dir).map_err(|message| single(dir, message))?;
    if paths.is_empty() {
        return Err(single(dir, format!("no .toml files in {}", dir.display())));
    }
    let mut files = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|error| single(&path, format!("cannot read {}: {error}", path.display())))?;
        files.push(SourceFile::new(path.display().to_string(), text));
    }
    load_sources(files)
}

/// Parses, merges and validates files already in memory.
pub fn load_sources(files: Vec<SourceFile>) -> Result<Desired, LoadError> {
    let mut diagnostics = Vec::new();
    let mut merged = Desired::default();
    for (index, file) in files.iter().enumerate() {
        match parse(file, index) {
            Ok(part) => merged.merge(part, &files, &mut diagnostics),
            Err(found) => diagnostics.extend(found),
        }
    }
    merged.files = files;
    if diagnostics.is_empty() {
        let mut checker = check::Checker::new(&merged);
        account::check(&mut checker);
        ecs::check(&mut checker);
        aurora::check(&mut checker);
        s3::check(&mut checker);
        ssm::check(&mut checker);
        vpc::check(&mut checker);
        kms::check(&mut checker);
        cloudtrail::check(&mut checker);
        guardduty::check(&mut checker);
        securityhub::check(&mut checker);
        config::check(&mut checker);
        elb::check(&mut checker);
        drift::check(&mut checker);
        audit::check(&mut checker);
        diagnostics = checker.diagnostics;
    }
    if diagnostics.is_empty() { Ok(merged) } else { Err(LoadError { diagnostics }) }
}

/// A file with this many errors is not worth reading further.
const ERRORS_PER_FILE: usize = 50;

/// Parses one file, reporting every error it can find in one pass: every syntax error
/// (the parser recovers past each), then every unknown key and wrong value, each taken
/// out of a copy of the text (blanked, so offsets stay true) before parsing again.
fn parse(file: &SourceFile, index: usize) -> Result<Desired, Vec<Diagnostic>> {
    // A valid file parses once; only a failing one is looked at again, and copied.
    let first = match toml::from_str::<Desired>(&file.text) {
        Ok(desired) => return Ok(located(desired, file, index)),
        Err(error) => error,
    };
    let (_, syntax) = toml::de::DeTable::parse_recoverable(&file.text);
    if !syntax.is_empty() {
        let mut diagnostics: Vec<Diagnostic> = syntax.iter().take(ERRORS_PER_FILE).map(|error| diagnostic_for(file, error)).collect();
        diagnostics.sort_by(|a, b| a.location.cmp(&b.location));
        return Err(diagnostics);
    }
    drop(first);
    let mut text = file.text.clone();
    let mut diagnostics = Vec::new();
    let mut removed_keys: Vec<String> = Vec::new();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let error = match toml::from_str::<Desired>(&text) {
            Ok(desired) if diagnostics.is_empty() => return Ok(located(desired, file, index)),
            Ok(_) => return Err(diagnostics),
            Err(error) => error,
        };
        if attempts > 2 * ERRORS_PER_FILE {
            return Err(diagnostics);
        }
        // A required key taken out for being wrong, or misspelt (and suggested), is
        // missing now: no new error. The table it belongs to is taken out in turn, so
        // the tables after it are read too.
        let missing = error.message().strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
        if let Some(missing) = missing
            && (removed_keys.iter().any(|key| key == missing)
                || diagnostics.iter().any(|found| found.hint.as_deref().is_some_and(|hint| hint.contains(&format!("`{missing}`")))))
        {
            match error.span().and_then(|span| table_around(&text, span.start)) {
                Some(range) => {
                    blank(&mut text, range);
                    if toml::de::DeTable::parse(&text).is_err() {
                        return Err(diagnostics);
                    }
                    continue;
                }
                None => return Err(diagnostics),
            }
        }
        diagnostics.push(diagnostic_for(file, &error));
        let entry = error.span().and_then(|span| entry_around(&text, span.start));
        match entry {
            Some((range, key)) if diagnostics.len() < ERRORS_PER_FILE => {
                blank(&mut text, range);
                removed_keys.push(key);
                // Taking the entry out must leave valid TOML, or what follows would be noise.
                if toml::de::DeTable::parse(&text).is_err() {
                    return Err(diagnostics);
                }
            }
            _ => return Err(diagnostics),
        }
    }
}

/// Fills in where each entry was written.
fn located(mut desired: Desired, file: &SourceFile, index: usize) -> Desired {
    let locate = |origin: &mut Origin| {
        origin.file = index;
        origin.location = file.location(origin.span.start);
    };
    if let Some(account) = &mut desired.account {
        account.origin.span = account.id.span();
        locate(&mut account.origin);
    }
    for name in desired.ecs.strategies.keys() {
        desired.ecs.strategy_files.insert(name.clone(), index);
    }
    desired.ecs.service.0.iter_mut().for_each(|entry| locate(&mut entry.origin));
    desired.ecs.task_secrets.0.iter_mut().for_each(|entry| locate(&mut entry.origin));
    desired.aurora.cluster.0.iter_mut().for_each(|entry| locate(&mut entry.origin));
    desired.s3.bucket.0.iter_mut().for_each(|entry| locate(&mut entry.origin));
    desired.ssm.parameter.0.iter_mut().for_each(|entry| locate(&mut entry.origin));
    desired.vpc.flow_logs.0.iter_mut().for_each(|entry| locate(&mut entry.origin));
    desired.drift.ignore.0.iter_mut().for_each(|entry| locate(&mut entry.origin));
    desired.audit.attestation.0.iter_mut().for_each(|entry| locate(&mut entry.origin));
    desired.kms.key.0.iter_mut().for_each(|entry| locate(&mut entry.origin));
    desired.cloudtrail.trail.0.iter_mut().for_each(|entry| locate(&mut entry.origin));
    desired.elb.load_balancer.0.iter_mut().for_each(|entry| locate(&mut entry.origin));
    if let Some(single) = &mut desired.guardduty {
        locate(&mut single.0.origin);
    }
    if let Some(single) = &mut desired.securityhub {
        locate(&mut single.0.origin);
    }
    if let Some(single) = &mut desired.config {
        locate(&mut single.0.origin);
    }
    desired
}

fn diagnostic_for(file: &SourceFile, error: &toml::de::Error) -> Diagnostic {
    let span = error.span().unwrap_or(0..0);
    let mut message = error.message().trim().to_owned();
    let hint = hint_for(&message);
    // serde echoes the offending value in these; on a `value` line it may be a secret.
    if file.sets_a_value(span.start) && (message.starts_with("invalid type") || message.starts_with("invalid value")) {
        message = diagnostic::redact_quoted(&message);
    }
    let unknown_key = message.starts_with("unknown field");
    let mut diagnostic = file.diagnostic(span, message, hint);
    if unknown_key {
        let column = diagnostic.location.column;
        diagnostic.source_line = diagnostic.source_line.map(|line| diagnostic::redact_assignment(&line, column));
    }
    diagnostic
}

/// The innermost `key = value` entry around `offset`: its byte range (with the comma
/// that separates it from a neighbour in an inline table) and its key.
fn entry_around(text: &str, offset: usize) -> Option<(std::ops::Range<usize>, String)> {
    use toml::de::{DeTable, DeValue};
    // Depth first: the innermost entry wins, so an inline table's own key is only taken
    // when no entry inside it holds the offset.
    fn in_table(table: &DeTable<'_>, offset: usize) -> Option<(std::ops::Range<usize>, String)> {
        for (key, value) in table.iter() {
            if let Some(found) = in_value(value.get_ref(), offset) {
                return Some(found);
            }
            let range = key.span().start..value.span().end;
            if key.span().start <= value.span().start && range.contains(&offset) {
                return Some((range, key.get_ref().to_string()));
            }
        }
        None
    }
    fn in_value(value: &DeValue<'_>, offset: usize) -> Option<(std::ops::Range<usize>, String)> {
        match value {
            DeValue::Table(table) => in_table(table, offset),
            DeValue::Array(items) => items.iter().find_map(|item| in_value(item.get_ref(), offset)),
            _ => None,
        }
    }
    let document = DeTable::parse(text).ok()?;
    let (mut range, key) = in_table(document.get_ref(), offset)?;
    let bytes = text.as_bytes();
    let mut after = range.end;
    while after < bytes.len() && (bytes[after] == b' ' || bytes[after] == b'\t') {
        after += 1;
    }
    if bytes.get(after) == Some(&b',') {
        range.end = after + 1;
    } else {
        let mut before = range.start;
        while before > 0 && (bytes[before - 1] == b' ' || bytes[before - 1] == b'\t') {
            before -= 1;
        }
        if before > 0 && bytes[before - 1] == b',' {
            range.start = before - 1;
        }
    }
    Some((range, key))
}

/// The innermost table of an array (`[[ecs.service]]`, or `{ ... }` in a list) around
/// `offset`, header and body, so a table left without a required key can be taken out.
fn table_around(text: &str, offset: usize) -> Option<std::ops::Range<usize>> {
    use toml::de::{DeTable, DeValue};
    fn in_table(table: &DeTable<'_>, offset: usize) -> Option<std::ops::Range<usize>> {
        table.iter().find_map(|(_, value)| in_value(value.get_ref(), offset))
    }
    fn in_value(value: &DeValue<'_>, offset: usize) -> Option<std::ops::Range<usize>> {
        match value {
            DeValue::Table(table) => in_table(table, offset),
            DeValue::Array(items) => items.iter().find_map(|item| {
                let DeValue::Table(table) = item.get_ref() else { return None };
                let end = table.iter().map(|(_, value)| value.span().end).max().unwrap_or(0).max(item.span().end);
                let extent = item.span().start..end;
                if !extent.contains(&offset) {
                    return None;
                }
                in_table(table, offset).or(Some(extent))
            }),
            _ => None,
        }
    }
    in_table(DeTable::parse(text).ok()?.get_ref(), offset)
}

/// Replaces a range with spaces, keeping line breaks, so every offset stays where it was.
fn blank(text: &mut String, range: std::ops::Range<usize>) {
    let blanked: String = text[range.clone()].chars().map(|c| if c == '\n' { '\n' } else { ' ' }).collect();
    // Multi-byte characters become one space each: pad to keep the byte length.
    let padded = format!("{blanked}{}", " ".repeat(range.len() - blanked.len()));
    text.replace_range(range, &padded);
}

impl Desired {
    /// Adds another file's entries. Things that may be defined once (the account, a
    /// strategy name) are refused a second time, naming both places.
    fn merge(&mut self, other: Desired, files: &[SourceFile], diagnostics: &mut Vec<Diagnostic>) {
        match (&self.account, other.account) {
            (Some(first), Some(second)) => {
                let message = format!("[account] is defined twice: here and at {}", first.origin.location);
                diagnostics.push(files[second.origin.file].diagnostic(
                    second.origin.span.clone(),
                    message,
                    Some("keep one [account] table for the whole folder".to_owned()),
                ));
            }
            (None, second) => self.account = second,
            (Some(_), None) => {}
        }
        for (name, items) in other.ecs.strategies {
            let file = other.ecs.strategy_files[&name];
            if let Some(first) = self.ecs.strategies.get(&name) {
                let first_location = files[self.ecs.strategy_files[&name]].location(first.span().start);
                let message = format!("strategy `{name}` is defined twice: here and at {first_location}");
                diagnostics.push(files[file].diagnostic(items.span(), message, Some("give one of them another name".to_owned())));
                continue;
            }
            self.ecs.strategy_files.insert(name.clone(), file);
            self.ecs.strategies.insert(name, items);
        }
        self.ecs.service.0.extend(other.ecs.service.0);
        self.ecs.task_secrets.0.extend(other.ecs.task_secrets.0);
        self.aurora.cluster.0.extend(other.aurora.cluster.0);
        self.s3.bucket.0.extend(other.s3.bucket.0);
        self.ssm.parameter.0.extend(other.ssm.parameter.0);
        self.vpc.flow_logs.0.extend(other.vpc.flow_logs.0);
        self.drift.ignore.0.extend(other.drift.ignore.0);
        self.audit.attestation.0.extend(other.audit.attestation.0);
        self.kms.key.0.extend(other.kms.key.0);
        self.cloudtrail.trail.0.extend(other.cloudtrail.trail.0);
        self.elb.load_balancer.0.extend(other.elb.load_balancer.0);
        once("guardduty", &mut self.guardduty, other.guardduty, files, diagnostics);
        once("securityhub", &mut self.securityhub, other.securityhub, files, diagnostics);
        once("config", &mut self.config, other.config, files, diagnostics);
    }

    /// This desired state with the audit's whole-account scope added, for reading only:
    /// every resource the audit checks is then read, whatever the entries select. The
    /// singletons (`[guardduty]`, ...) declared here are kept; the scope adds the others.
    pub fn with_audit_scope(&self) -> Desired {
        let file = SourceFile::new(audit::AUDIT_SCOPE_FILE, audit::AUDIT_SCOPE);
        let scope: Desired = toml::from_str(audit::AUDIT_SCOPE).expect("the audit scope is valid desired state");
        let scope = located(scope, &file, self.files.len());
        let mut merged = self.clone();
        merged.files.push(file);
        merged.ecs.task_secrets.0.extend(scope.ecs.task_secrets.0);
        merged.aurora.cluster.0.extend(scope.aurora.cluster.0);
        merged.s3.bucket.0.extend(scope.s3.bucket.0);
        merged.vpc.flow_logs.0.extend(scope.vpc.flow_logs.0);
        merged.guardduty = merged.guardduty.or(scope.guardduty);
        // The standards are read only where some are declared: the audit checks them.
        merged.securityhub = match merged.securityhub {
            Some(hub) if !hub.standards.is_empty() => Some(hub),
            _ => scope.securityhub,
        };
        merged.config = merged.config.or(scope.config);
        merged
    }

    /// [`Desired::with_audit_scope`], and what `holdfast import` writes besides: every
    /// bucket's lifecycle rules and every load balancer. For reading only: never planned.
    pub fn with_import_scope(&self) -> Desired {
        let mut merged = self.with_audit_scope();
        let file = SourceFile::new(audit::AUDIT_SCOPE_FILE, audit::IMPORT_SCOPE);
        let scope: Desired = toml::from_str(audit::IMPORT_SCOPE).expect("the import scope is valid desired state");
        let scope = located(scope, &file, merged.files.len());
        merged.files.push(file);
        merged.s3.bucket.0.extend(scope.s3.bucket.0);
        merged.elb.load_balancer.0.extend(scope.elb.load_balancer.0);
        merged
    }

    /// Keeps only the entries of these kinds (`ecs`, `s3`, ...; the names of the tables),
    /// so reading it reads nothing of the others.
    pub fn keep_kinds(&mut self, kinds: &[&str]) {
        let keep = |kind: &str| kinds.contains(&kind);
        if !keep("ecs") {
            self.ecs = ecs::Ecs::default();
        }
        if !keep("aurora") {
            self.aurora = aurora::Aurora::default();
        }
        if !keep("s3") {
            self.s3 = s3::S3::default();
        }
        if !keep("ssm") {
            self.ssm = ssm::Ssm::default();
        }
        if !keep("vpc") {
            self.vpc = vpc::Vpc::default();
        }
        if !keep("kms") {
            self.kms = kms::Kms::default();
        }
        if !keep("cloudtrail") {
            self.cloudtrail = cloudtrail::CloudTrail::default();
        }
        if !keep("guardduty") {
            self.guardduty = None;
        }
        if !keep("securityhub") {
            self.securityhub = None;
        }
        if !keep("config") {
            self.config = None;
        }
        if !keep("elb") {
            self.elb = elb::Elb::default();
        }
    }

    /// Refuses an account or region other than `[account]` declares. `what` says where
    /// the id came from: "these credentials are for", "the snapshot is of".
    pub fn check_account(&self, account_id: &str, region: &str, what: &str) -> Result<(), String> {
        self.check_account_id(account_id, what)?;
        let Some(account) = &self.account else { return Ok(()) };
        if account.region() != region {
            return Err(format!(
                "the desired state is for region {} ({}), but {what} region {region}\n  hint: drop --region, or correct [account] region",
                account.region(),
                account.origin.location
            ));
        }
        Ok(())
    }

    /// Refuses an account other than `[account]` declares, whatever the region: a list of
    /// accounts may check one desired state in several regions.
    pub fn check_account_id(&self, account_id: &str, what: &str) -> Result<(), String> {
        let Some(account) = &self.account else { return Ok(()) };
        if account.id() != account_id {
            return Err(format!(
                "the desired state is for account {} ({}), but {what} account {account_id}: refusing to plan or change another account\n  hint: choose the account's profile with --profile or AWS_PROFILE, or the right snapshot",
                account.id(),
                account.origin.location
            ));
        }
        Ok(())
    }

    /// The account id, when `[account]` is given.
    pub fn account_id(&self) -> Option<&str> {
        self.account.as_ref().map(account::Account::id)
    }
}

/// Keeps the first of a table that may appear once in the whole folder, refusing another.
fn once<E: HasOrigin>(table: &str, first: &mut Option<Single<E>>, second: Option<Single<E>>, files: &[SourceFile], diagnostics: &mut Vec<Diagnostic>) {
    match (first.as_ref(), second) {
        (Some(first), Some(second)) => {
            let message = format!("[{table}] is defined twice: here and at {}", first.origin().location);
            let origin = second.origin();
            diagnostics.push(files[origin.file].diagnostic(origin.span.clone(), message, Some(format!("keep one [{table}] table for the whole folder"))));
        }
        (None, second) => *first = second,
        (Some(_), None) => {}
    }
}

/// Hints for the messages serde and toml give, which name the problem but not the fix.
fn hint_for(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `")) {
        let word = rest.split('`').next().unwrap_or_default();
        let expected = message.split_once("expected").map(|(_, tail)| tail).unwrap_or_default();
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return diagnostic::did_you_mean(word, candidates.iter().copied())
            .or_else(|| (!candidates.is_empty()).then(|| format!("accepted here: {}", candidates.join(", "))));
    }
    if message.starts_with("invalid type: string") && (message.contains("f64") || message.contains("u32") || message.contains("integer")) {
        return Some("write numbers without quotes: max_acu = 4".to_owned());
    }
    if message.starts_with("invalid type: integer") && message.contains("string") {
        return Some("quote it: account ids and names are strings".to_owned());
    }
    if message.starts_with("malformed glob") {
        return Some("globs take `*`, `?`, `[a-z]` and `{a,b}`; `\\` escapes one of them".to_owned());
    }
    if message.starts_with("invalid basic string") || message.starts_with("invalid literal string") {
        return Some("a string ends on the line it starts: close it with a quote, or use \"\"\"triple quotes\"\"\" for several lines".to_owned());
    }
    if message.starts_with("missing field") {
        return Some("add the field to this table".to_owned());
    }
    if message.starts_with("duplicate key") {
        return Some("each key may appear once in a table".to_owned());
    }
    None
}

fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|error| format!("cannot read the desired-state folder {}: {error}", folder.display()))?;
        for entry in entries {
            let path = entry.map_err(|error| format!("cannot list {}: {error}", folder.display()))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "toml") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn single(path: &Path, message: String) -> LoadError {
    let location = Location { file: path.display().to_string(), line: 0, column: 0 };
    LoadError {
        diagnostics: vec![Diagnostic {
            location,
            source_line: None,
            message,
            hint: Some("pass the folder that holds the desired-state .toml files with --desired".to_owned()),
        }],
    }
}
