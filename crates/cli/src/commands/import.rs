//! `holdfast import`: the desired state of an existing account, read whole (or from a
//! snapshot taken with `holdfast snapshot --import`), written one file per kind and
//! checked to plan no change against what was read.

use std::path::Path;

use anyhow::{Context, bail};
use holdfast_import::{Imported, Kind, Options};
use holdfast_inventory::Inventory;

use crate::args::ImportArgs;
use crate::commands::live;
use crate::output::{self, Status};

pub fn run(args: &ImportArgs) -> anyhow::Result<Status> {
    let mut kinds: Vec<Kind> = if args.kinds.is_empty() { Kind::ALL.to_vec() } else { args.kinds.clone() };
    kinds.sort();
    kinds.dedup();
    if !args.stdout {
        refuse_overwrite(&args.out, &kinds, args.force)?;
        refuse_other_files(&args.out)?;
    }
    let (inventory, source) = match &args.snapshot {
        Some(path) => (snapshot(path, &kinds)?, format!("snapshot {}", path.display())),
        None => {
            let options = holdfast_aws::ReadOptions { import: true, kinds: Some(kinds.iter().map(|kind| kind.as_str()).collect()), ..Default::default() };
            (live::read_whole_account(&holdfast_desired::Desired::default(), &args.aws, options)?, "a live read".to_owned())
        }
    };
    // A kind that could not be read is left out, never written as empty; so, when what it
    // refers to could not be read (the keys, say), is a kind whose entries fail the check.
    let mut unread: Vec<(String, String)> = inventory.read_errors.iter().map(|(kind, error)| (kind.clone(), error.clone())).collect();
    kinds.retain(|kind| !inventory.read_errors.contains_key(kind.as_str()));
    let shown = if args.stdout { "<stdout>".to_owned() } else { args.out.display().to_string() };
    let mut imported = holdfast_import::import(&inventory, &Options { kinds: &kinds, source: &source });
    // Checked before anything is written: files that would plan a change are never left behind.
    let mut checked = holdfast_import::verify(&imported, &inventory, &shown);
    if let Err(problems) = &checked
        && !unread.is_empty()
    {
        let failing: Vec<Kind> = problems.iter().filter_map(holdfast_import::Problem::kind).collect();
        if !failing.is_empty() && problems.iter().all(|problem| problem.kind().is_some()) {
            let causes: Vec<&str> = unread.iter().map(|(kind, _)| kind.as_str()).collect();
            let because = format!("it refers to {}, which could not be read", causes.join(", "));
            unread.extend(failing.iter().map(|kind| (kind.as_str().to_owned(), because.clone())));
            kinds.retain(|kind| !failing.contains(kind));
            imported = holdfast_import::import(&inventory, &Options { kinds: &kinds, source: &source });
            checked = holdfast_import::verify(&imported, &inventory, &shown);
        }
    }
    let verified = match checked {
        Ok(verified) => verified,
        Err(problems) => {
            let listed: Vec<String> = problems.iter().map(|problem| format!("  {problem}")).collect();
            // Without a kind another refers to (the keys, the buckets), that one cannot be checked.
            let hint = if unread.is_empty() {
                "this is a holdfast bug; leave the kind out with --kinds, and report it".to_owned()
            } else {
                let names: Vec<&str> = unread.iter().map(|(kind, _)| kind.as_str()).collect();
                format!(
                    "reading {} failed, and what refers to it cannot be checked without it: grant what `holdfast iam-policy --read-only --import` prints",
                    names.join(", ")
                )
            };
            bail!(
                "nothing was written: the imported files would not plan as no change against the account they came from:\n{}\n  hint: {hint}",
                listed.join("\n")
            )
        }
    };
    if args.stdout {
        output::stdout(&imported.as_one_file());
    } else {
        refuse_another_account(&args.out, &inventory.account_id, &inventory.region)?;
        write(&args.out, &imported)?;
    }
    output::stderr(&summary(&imported, &args.out, args.stdout));
    output::stderr("Checked: planning these files against what was read shows no change.\n");
    for warning in &verified.warnings {
        output::stderr(&output::plain(&format!("warning: {warning}\n")));
    }
    if unread.is_empty() {
        return Ok(Status::Success);
    }
    let listed: Vec<String> = unread
        .iter()
        .map(|(kind, error)| {
            // A file of an earlier import is not this read's: say so, rather than let it pass for one.
            let earlier = args.out.join(format!("{kind}.toml"));
            let kept =
                if !args.stdout && earlier.exists() { format!(" ({} is an earlier import's, left as it was)", earlier.display()) } else { String::new() };
            format!("  {kind}: {}{kept}", error.lines().next().unwrap_or_default())
        })
        .collect();
    let names: Vec<&str> = unread.iter().map(|(kind, _)| kind.as_str()).filter(|kind| Kind::ALL.iter().any(|known| known.as_str() == *kind)).collect();
    bail!(
        "not imported, as reading failed (the other kinds were written):\n{}\n  hint: grant what `holdfast iam-policy --read-only --import` prints, then run `holdfast import --kinds {} --force` into the same folder",
        listed.join("\n"),
        names.join(",")
    )
}

/// Refuses a folder holding desired-state files this import would not write: `holdfast
/// plan` reads every `.toml` below a folder, so they would be merged with the import.
fn refuse_other_files(dir: &Path) -> anyhow::Result<()> {
    // An earlier import's files (of these kinds or others) are the import's own: --force
    // decides about the ones written now, and the others stay beside them.
    let ours: Vec<String> = std::iter::once("account").chain(Kind::ALL.iter().map(|kind| kind.as_str())).map(|name| format!("{name}.toml")).collect();
    let mut others = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "toml")
                && !(folder == dir && ours.iter().any(|name| path.file_name().is_some_and(|file| file == name.as_str())))
            {
                others.push(path.display().to_string());
            }
        }
    }
    if others.is_empty() {
        return Ok(());
    }
    others.sort();
    bail!(
        "{} already holds desired-state files no import writes ({}): `holdfast plan` reads every .toml below a folder, so they would be merged with it\n  hint: import into an empty folder with --out, or move those files",
        dir.display(),
        others.join(", ")
    )
}

/// A snapshot, refused unless it read all of each kind: the globs are checked against
/// the names it holds, and a name it did not read could be caught by one.
fn snapshot(path: &Path, kinds: &[Kind]) -> anyhow::Result<Inventory> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the snapshot {}", path.display()))?;
    let inventory = Inventory::from_snapshot(&text).with_context(|| format!("cannot use the snapshot {}", path.display()))?;
    let mut scope = holdfast_desired::Desired::default().with_import_scope();
    let names: Vec<&str> = kinds.iter().map(|kind| kind.as_str()).collect();
    scope.keep_kinds(&names);
    let unread: Vec<String> = holdfast_desired::reads(&scope).into_iter().map(|read| read.key).filter(|key| !inventory.coverage.covers(key)).collect();
    if !unread.is_empty() {
        bail!(
            "the snapshot {} did not read the whole account (it lacks {}), so an import of it could write globs that catch what it did not read\n  hint: take one with `holdfast snapshot --import --out FILE`, or import the live account",
            path.display(),
            unread.join(", ")
        );
    }
    Ok(inventory)
}

/// Refuses before reading anything when a file the import would write exists.
fn refuse_overwrite(dir: &Path, kinds: &[Kind], force: bool) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        bail!("--out {} is a file, not a folder\n  hint: --out names the folder to write the desired state into", dir.display());
    }
    if force {
        return Ok(());
    }
    let names = std::iter::once("account".to_owned()).chain(kinds.iter().map(|kind| kind.as_str().to_owned()));
    let existing: Vec<String> =
        names.map(|name| dir.join(format!("{name}.toml"))).filter(|path| path.exists()).map(|path| path.display().to_string()).collect();
    if !existing.is_empty() {
        bail!(
            "{} already {}: refusing to overwrite\n  hint: --force overwrites them, --out DIR writes elsewhere, --stdout prints instead",
            existing.join(", "),
            if existing.len() == 1 { "exists" } else { "exist" }
        );
    }
    Ok(())
}

/// Refuses to write beside an earlier import of another account or region: the two
/// would merge, and apply one's resources into the other.
fn refuse_another_account(dir: &Path, account_id: &str, region: &str) -> anyhow::Result<()> {
    let this = format!("{account_id} ({region})");
    for kind in std::iter::once("account").chain(Kind::ALL.iter().map(|kind| kind.as_str())) {
        let path = dir.join(format!("{kind}.toml"));
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        // `# Imported by `holdfast import` from account 108782097218 (us-east-1), read at ...`
        let earlier = text
            .lines()
            .next()
            .and_then(|line| line.split_once("from account "))
            .and_then(|(_, rest)| rest.split_once("),"))
            .map(|(earlier, _)| format!("{earlier})"));
        if let Some(earlier) = earlier.filter(|earlier| *earlier != this) {
            bail!(
                "nothing was written: {} is an import of account {earlier}, and this is account {this}: the two would be merged\n  hint: import into an empty folder with --out",
                path.display()
            );
        }
    }
    Ok(())
}

fn write(dir: &Path, imported: &Imported) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for file in &imported.files {
        let path = dir.join(&file.name);
        std::fs::write(&path, &file.text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn summary(imported: &Imported, dir: &Path, stdout: bool) -> String {
    let (entries, resources) = (imported.entries(), imported.resources());
    let ratio = if entries > 0 { format!(", {:.1} resources an entry", resources as f64 / entries as f64) } else { String::new() };
    let place = if stdout { "standard output".to_owned() } else { format!("{}/", dir.display()) };
    let mut text = format!("Imported {resources} resources as {entries} entries{ratio}, into {place}:\n");
    for file in imported.files.iter().filter(|file| file.name != "account.toml") {
        let entries = if file.entries == 1 { "entry" } else { "entries" };
        let resources = if file.resources == 1 { "resource" } else { "resources" };
        text.push_str(&format!("  {:<17} {} {entries}, {} {resources}\n", file.name, file.entries, file.resources));
    }
    let review: Vec<&String> = imported.files.iter().flat_map(|file| &file.review).collect();
    if !review.is_empty() {
        text.push_str(&format!("{} to review, marked `# review:` in the files:\n", review.len()));
        // A large account's notes are read in the files; the first few say what kind they are.
        const SHOWN: usize = 10;
        for note in review.iter().take(SHOWN) {
            text.push_str(&format!("  - {note}\n"));
        }
        if review.len() > SHOWN {
            text.push_str(&format!("  ... and {} more\n", review.len() - SHOWN));
        }
    }
    text
}
