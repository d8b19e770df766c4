//! `holdfast import`: the desired state of an existing account, written from its
//! inventory as a person would write it. Resources that share a configuration become one
//! entry with a glob; only what holdfast manages is written, never a secret value; and
//! [`verify`] plans the result against the same inventory, which must give no change.
//!
//! Pure: an inventory in, TOML text out. Reading the account is `crates/aws`'s, writing
//! the files the CLI's.

mod aurora;
mod cloudtrail;
mod config;
mod ecs;
mod elb;
mod guardduty;
mod kms;
pub mod names;
mod s3;
mod securityhub;
mod ssm;
mod vpc;

use std::fmt::Write;

use holdfast_desired::toml_text::quoted;
use holdfast_desired::{Desired, SourceFile};
use holdfast_inventory::{Coverage, Inventory};

/// A kind of resource `holdfast import` writes, one file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Ecs,
    Aurora,
    S3,
    Ssm,
    Vpc,
    Kms,
    Cloudtrail,
    Guardduty,
    Securityhub,
    Config,
    Elb,
}

impl Kind {
    pub const ALL: [Kind; 11] =
        [Kind::Ecs, Kind::Aurora, Kind::S3, Kind::Ssm, Kind::Vpc, Kind::Kms, Kind::Cloudtrail, Kind::Guardduty, Kind::Securityhub, Kind::Config, Kind::Elb];

    /// The name on the command line, and of the file: `ecs` writes `ecs.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ecs => "ecs",
            Kind::Aurora => "aurora",
            Kind::S3 => "s3",
            Kind::Ssm => "ssm",
            Kind::Vpc => "vpc",
            Kind::Kms => "kms",
            Kind::Cloudtrail => "cloudtrail",
            Kind::Guardduty => "guardduty",
            Kind::Securityhub => "securityhub",
            Kind::Config => "config",
            Kind::Elb => "elb",
        }
    }

    /// A kind by name, or an error that lists the names.
    pub fn parse(text: &str) -> Result<Kind, String> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == text).ok_or_else(|| {
            let names: Vec<&str> = Kind::ALL.iter().map(|kind| kind.as_str()).collect();
            format!("not a kind holdfast imports; the kinds are {}", names.join(", "))
        })
    }

    fn write(self, inventory: &Inventory, out: &mut Section) {
        match self {
            Kind::Ecs => ecs::write(inventory, out),
            Kind::Aurora => aurora::write(inventory, out),
            Kind::S3 => s3::write(inventory, out),
            Kind::Ssm => ssm::write(inventory, out),
            Kind::Vpc => vpc::write(inventory, out),
            Kind::Kms => kms::write(inventory, out),
            Kind::Cloudtrail => cloudtrail::write(inventory, out),
            Kind::Guardduty => guardduty::write(inventory, out),
            Kind::Securityhub => securityhub::write(inventory, out),
            Kind::Config => config::write(inventory, out),
            Kind::Elb => elb::write(inventory, out),
        }
    }
}

/// What one import wrote.
#[derive(Debug, Clone)]
pub struct Imported {
    /// `account.toml` first, then one file per kind that has anything to declare.
    pub files: Vec<File>,
    /// The comment every file starts with: when, from which account, from what.
    pub header: String,
}

#[derive(Debug, Clone)]
pub struct File {
    /// The file name: `ecs.toml`.
    pub name: String,
    pub text: String,
    /// Entries written (an `[[ecs.service]]`, a `[guardduty]`), and the live resources
    /// they stand for.
    pub entries: usize,
    pub resources: usize,
    /// What a reviewer must look at, also written into the file as `# review:` comments.
    pub review: Vec<String>,
}

impl Imported {
    pub fn entries(&self) -> usize {
        self.files.iter().map(|file| file.entries).sum()
    }

    pub fn resources(&self) -> usize {
        self.files.iter().map(|file| file.resources).sum()
    }

    /// Every file as one desired-state file: the header once, then each file's body.
    pub fn as_one_file(&self) -> String {
        let mut text = self.header.clone();
        for file in &self.files {
            text.push_str(&file.text[self.header.len()..]);
        }
        text
    }

    /// The files as sources for [`holdfast_desired::load_sources`], named under `dir`.
    pub fn sources(&self, dir: &str) -> Vec<SourceFile> {
        self.files.iter().map(|file| SourceFile::new(format!("{dir}/{}", file.name), file.text.clone())).collect()
    }
}

/// One kind's file as it is written.
pub(crate) struct Section {
    pub text: String,
    pub entries: usize,
    pub resources: usize,
    pub review: Vec<String>,
}

impl Section {
    fn new() -> Self {
        Self { text: String::new(), entries: 0, resources: 0, review: Vec::new() }
    }

    /// A line of text (a `\n` is added).
    pub fn line(&mut self, text: impl AsRef<str>) {
        self.text.push_str(text.as_ref());
        self.text.push('\n');
    }

    /// `key = "value"`.
    pub fn string(&mut self, key: &str, value: &str) {
        let _ = writeln!(self.text, "{key} = {}", quoted(value));
    }

    /// Starts an entry: a blank line, its comment lines, its table header.
    pub fn entry(&mut self, header: &str, comments: &[String], resources: usize) {
        self.text.push('\n');
        for comment in comments {
            let _ = writeln!(self.text, "# {comment}");
        }
        self.line(header);
        self.entries += 1;
        self.resources += resources;
    }

    /// A `# review:` note, in the file here and in the import's summary: one comment line,
    /// whatever the note holds (an AWS error's own hint line, say).
    pub fn review(&mut self, note: String) {
        let note: String = note.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>().join("; ");
        let note: String = note.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let _ = writeln!(self.text, "# review: {note}");
        self.review.push(note);
    }
}

/// Where the inventory came from, for each file's header: `snapshot z360.json`, `a live read`.
pub struct Options<'a> {
    pub kinds: &'a [Kind],
    pub source: &'a str,
}

/// The desired state of everything of `options.kinds` the inventory holds.
pub fn import(inventory: &Inventory, options: &Options<'_>) -> Imported {
    let header = format!(
        "# Imported by `holdfast import` from account {} ({}), read at {} from {}.\n# Review before committing: `holdfast plan` of this folder against that account shows no change.\n",
        inventory.account_id, inventory.region, inventory.taken_at, options.source
    );
    let mut files = vec![File {
        name: "account.toml".to_owned(),
        text: format!("{header}\n[account]\nid = {}\nregion = {}\n", quoted(&inventory.account_id), quoted(&inventory.region)),
        entries: 0,
        resources: 0,
        review: Vec::new(),
    }];
    for kind in Kind::ALL.into_iter().filter(|kind| options.kinds.contains(kind)) {
        let mut section = Section::new();
        kind.write(inventory, &mut section);
        // Every kind imported has its file, so importing again with --force replaces all of them.
        if section.text.is_empty() {
            section.line(format!("\n# No {} resources to declare in this account and region.", kind.as_str()));
        }
        files.push(File {
            name: format!("{}.toml", kind.as_str()),
            text: format!("{header}{}", section.text),
            entries: section.entries,
            resources: section.resources,
            review: section.review,
        });
    }
    Imported { files, header }
}

/// What planning an import against its own inventory found: nothing to change, and the
/// planner's warnings, which a reviewer should read (a bucket a service delivers to whose
/// policy holdfast does not manage, say).
#[derive(Debug)]
pub struct Verified {
    pub desired: Desired,
    pub warnings: Vec<String>,
}

/// Plans the imported folder (as if written to `dir`, which messages name) against the
/// inventory it came from: the changes and errors it would show, each a defect of the
/// import, or none. The inventory is taken as covering all of each kind, as the
/// whole-account read it came from does.
pub fn verify(imported: &Imported, inventory: &Inventory, dir: &str) -> Result<Verified, Vec<Problem>> {
    let desired = holdfast_desired::load_sources(imported.sources(dir)).map_err(|error| vec![Problem { source: None, message: error.to_string() }])?;
    let mut whole = inventory.clone();
    whole.coverage = Coverage::Everything;
    let plan = holdfast_planner::plan(&desired, &whole);
    let mut problems: Vec<Problem> =
        plan.changes.iter().map(|change| Problem { source: Some(change.source.clone()), message: format!("{} would change", change.address) }).collect();
    problems.extend(plan.errors.iter().map(|error| Problem { source: error.source.clone(), message: format!("error: {}", error.message) }));
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Verified { desired, warnings: plan.warnings.iter().map(|warning| warning.message.clone()).collect() })
}

/// What planning an import would show, and the entry (`file:line`) it comes from.
#[derive(Debug, Clone)]
pub struct Problem {
    pub source: Option<String>,
    pub message: String,
}

impl Problem {
    /// The kind whose file the entry is in.
    pub fn kind(&self) -> Option<Kind> {
        let file = self.source.as_deref()?.rsplit('/').next()?.split(':').next()?;
        Kind::ALL.into_iter().find(|kind| file == format!("{}.toml", kind.as_str()))
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Some(source) => write!(f, "{} ({source})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The names of `items`, for globs to be checked against.
pub(crate) fn names_of<'a, T>(items: &'a [T], name: impl Fn(&'a T) -> &'a str) -> Vec<&'a str> {
    items.iter().map(name).collect()
}

/// A short list for a comment: the first few, and how many more.
pub(crate) fn short_list(items: &[String]) -> String {
    const SHOWN: usize = 6;
    if items.len() <= SHOWN { items.join(", ") } else { format!("{} and {} more", items[..SHOWN].join(", "), items.len() - SHOWN) }
}

/// How the desired state names a key: its alias where it has one (the account's own
/// before AWS's), else the reference as read.
pub(crate) fn key_name(inventory: &Inventory, reference: &str) -> String {
    let Some(id) = inventory.kms.key_id(reference) else { return reference.to_owned() };
    let mut aliases: Vec<&str> =
        inventory.kms.aliases.iter().filter(|alias| alias.target_key_id.as_deref() == Some(id.as_str())).map(|alias| alias.name.as_str()).collect();
    aliases.sort_by_key(|alias| (alias.starts_with("alias/aws/"), *alias));
    aliases.first().map_or_else(|| reference.to_owned(), |alias| (*alias).to_owned())
}

/// A number as people write ACUs: `4`, `0.5`.
pub(crate) fn number(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value}") }
}

/// `a, b and c`.
pub(crate) fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
