//! Every input a fuzzer once crashed on (`fuzz/regressions/TARGET/`), replayed through the
//! same code the fuzz target runs: none may panic again. `scripts/fuzz` runs the fuzzers.

#[path = "fuzz/exercise.rs"]
mod exercise;

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions").join(target);
    let mut inputs: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_none_or(|extension| extension != "md"))
        .map(|path| {
            let data = std::fs::read(&path).expect("a regression input");
            (path, data)
        })
        .collect();
    inputs.sort();
    inputs
}

fn replay(target: &str, exercise: fn(&[u8])) {
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "fuzz/regressions/{target} holds at least the seed inputs");
    for (path, data) in inputs {
        if std::panic::catch_unwind(|| exercise(&data)).is_err() {
            panic!("{} panics again", path.display());
        }
    }
}

#[test]
fn desired_state_inputs_that_crashed_a_fuzzer_no_longer_panic() {
    replay("desired_state", exercise::desired_state);
}

#[test]
fn snapshot_inputs_that_crashed_a_fuzzer_no_longer_panic() {
    replay("snapshot", exercise::snapshot);
}

#[test]
fn plan_file_inputs_that_crashed_a_fuzzer_no_longer_panic() {
    replay("plan_file", exercise::plan_file);
}
