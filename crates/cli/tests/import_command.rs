//! `holdfast import` from the shipped example snapshot, offline: what it writes, what it
//! refuses, and the reference material generated from the clap definitions.

mod common;

use common::{holdfast, repo_root};

fn example() -> String {
    repo_root().join("examples/z360-before-sprint.json").display().to_string()
}

#[test]
fn an_import_plans_no_change_against_its_snapshot_and_says_how_compact_it_is() {
    let dir = tempfile::tempdir().expect("a folder");
    let out = dir.path().join("imported").display().to_string();
    let run = holdfast(&["import", "--snapshot", &example(), "--out", &out], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "files are written, nothing printed: {}", run.stdout);
    assert!(run.stderr.contains("Imported 23 resources as 10 entries, 2.3 resources an entry"), "{}", run.stderr);
    assert!(run.stderr.contains("Checked: planning these files against what was read shows no change."), "{}", run.stderr);
    let plan = holdfast(&["plan", "--desired", &out, "--snapshot", &example(), "--detailed-exitcode"], &[]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let account = std::fs::read_to_string(dir.path().join("imported/account.toml")).expect("account.toml");
    assert!(account.starts_with("# Imported by `holdfast import` from account 108782097218 (us-east-1), read at 2026-01-09T09:00:00Z"), "{account}");
}

#[test]
fn existing_files_are_kept_unless_forced_and_stdout_writes_nothing() {
    let dir = tempfile::tempdir().expect("a folder");
    let out = dir.path().display().to_string();
    std::fs::write(dir.path().join("ecs.toml"), "# mine\n").expect("a file of one's own");
    let refused = holdfast(&["import", "--snapshot", &example(), "--out", &out], &[]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("ecs.toml already exists: refusing to overwrite") && refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(std::fs::read_dir(dir.path()).expect("the folder").count(), 1, "nothing was written");
    let printed = holdfast(&["import", "--snapshot", &example(), "--out", &out, "--stdout"], &[]);
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("ecs.toml")).expect("ecs.toml"), "# mine\n");
    assert_eq!(printed.stdout.matches("# Imported by `holdfast import`").count(), 1, "one header for the one file:\n{}", printed.stdout);
    let forced = holdfast(&["import", "--snapshot", &example(), "--out", &out, "--force"], &[]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(std::fs::read_to_string(dir.path().join("ecs.toml")).expect("ecs.toml").contains("[[ecs.service]]"));
}

#[test]
fn a_folder_with_other_desired_state_files_or_a_file_for_a_folder_is_refused_before_reading() {
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::create_dir(dir.path().join("team")).expect("a subfolder");
    std::fs::write(dir.path().join("team/mine.toml"), "[account]\nid = \"108782097218\"\nregion = \"us-east-1\"\n").expect("a file of one's own");
    let out = dir.path().display().to_string();
    for extra in [vec![], vec!["--force"]] {
        let mut args = vec!["import", "--snapshot", "/nonexistent.json", "--out", out.as_str()];
        args.extend(extra);
        let refused = holdfast(&args, &[]);
        assert_eq!(refused.code, 1, "{}", refused.stderr);
        assert!(refused.stderr.contains("already holds desired-state files no import writes") && refused.stderr.contains("mine.toml"), "{}", refused.stderr);
    }
    let file = dir.path().join("team/mine.toml").display().to_string();
    let refused = holdfast(&["import", "--snapshot", "/nonexistent.json", "--out", &file], &[]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("is a file, not a folder"), "{}", refused.stderr);
}

#[test]
fn the_printed_file_is_one_valid_desired_state_and_kinds_limit_it() {
    let run = holdfast(&["import", "--snapshot", &example(), "--stdout", "--kinds", "ecs,s3"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("[[ecs.service]]") && run.stdout.contains("[[s3.bucket]]"), "{}", run.stdout);
    assert!(!run.stdout.contains("[[aurora.cluster]]") && !run.stdout.contains("[[kms.key]]"), "{}", run.stdout);
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::write(dir.path().join("all.toml"), &run.stdout).expect("write");
    let plan = holdfast(&["plan", "--desired", &dir.path().display().to_string(), "--snapshot", &example(), "--detailed-exitcode"], &[]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    let bad = holdfast(&["import", "--snapshot", &example(), "--stdout", "--kinds", "ecs,lambda"], &[]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("invalid value 'lambda'") && bad.stderr.contains("aurora"), "{}", bad.stderr);
}

#[test]
fn completions_and_the_man_page_come_from_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let run = holdfast(&["completions", shell], &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("import") && run.stdout.contains("detailed-exitcode"), "{shell}:\n{}", run.stdout);
    }
    let bash = holdfast(&["completions", "bash"], &[]);
    let checked = std::process::Command::new("bash")
        .args(["-n", "/dev/stdin"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(bash.stdout.as_bytes())?;
            child.wait()
        })
        .expect("bash runs");
    assert!(checked.success(), "the bash completion script parses");
    let man = holdfast(&["man"], &[]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(man.stdout.starts_with(".ie \\n(.g .ds Aq"), "roff: {}", &man.stdout[..80.min(man.stdout.len())]);
    assert!(!man.stdout.contains("holdfast\\-plan(1)"), "no reference to pages that do not exist");
    for section in ["HOLDFAST PLAN", "HOLDFAST IMPORT", "HOLDFAST DRIFT", "EXIT STATUS"] {
        assert!(man.stdout.contains(&format!(".SH \"{section}\"")), "{section}");
    }
    assert!(man.stdout.contains("\\-\\-detailed\\-exitcode"), "each command's options are in the page");
}
