#![no_main]

#[path = "../../crates/planner/tests/fuzz/exercise.rs"]
mod exercise;

libfuzzer_sys::fuzz_target!(|data: &[u8]| exercise::desired_state(data));
