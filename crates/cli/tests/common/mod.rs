//! Runs the real `holdfast` binary, as a user would.

#![allow(dead_code)] // each test file uses a different part of this module

pub mod emulator;

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Everything the run printed, for "never appears anywhere" checks.
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

pub fn holdfast(args: &[&str], env: &[(&str, &str)]) -> Run {
    holdfast_without(args, env, &[])
}

/// Runs holdfast with `env` set and the variables in `remove` unset.
pub fn holdfast_without(args: &[&str], env: &[(&str, &str)], remove: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_holdfast"));
    command.args(args).env("NO_COLOR", "1");
    for key in remove {
        command.env_remove(key);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    run(command)
}

/// Runs a prepared holdfast command to its end; a panic fails the test whatever else.
pub fn run(mut command: Command) -> Run {
    let output = command.output().expect("the holdfast binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "holdfast panicked:\n{stderr}");
    Run { code: output.status.code().expect("holdfast exits, not killed"), stdout: String::from_utf8_lossy(&output.stdout).into_owned(), stderr }
}

/// A folder of desired-state files.
pub fn desired_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write a desired-state file");
    }
    dir
}

/// The repository root, for the shipped example and desired state.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository root")
}

pub fn example_snapshot() -> String {
    repo_root().join("examples/z360-before-sprint.json").display().to_string()
}

/// `holdfast plan` of the shipped example, with more arguments.
pub fn plan_example(extra: &[&str]) -> Run {
    let desired = shipped_desired_state();
    let snapshot = example_snapshot();
    let mut args = vec!["plan", "--desired", desired.as_str(), "--snapshot", snapshot.as_str()];
    args.extend_from_slice(extra);
    holdfast(&args, &[])
}

pub fn shipped_desired_state() -> String {
    repo_root().join("desired-state").display().to_string()
}

/// Whether a planned change waits for a flag or a person: a deletion, a step of an Aurora
/// encryption migration (`--allow-replace`), or its cutover.
pub fn needs_a_flag(change: &serde_json::Value) -> bool {
    let address = change["address"].as_str().unwrap_or_default();
    change["action"] == "delete"
        || change["action"] == "replace"
        || change["flags"].as_array().is_some_and(|flags| flags.iter().any(|flag| flag == "forces_replacement"))
        || (change["action"] == "manual" && address.ends_with("/encryption/cutover"))
}
