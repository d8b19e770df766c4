//! What the fuzz targets (`fuzz/`) do with one input, shared with the regression test
//! that replays every input a fuzzer once crashed on (`fuzz/regressions/`). Each must
//! end in a value or an error, never a panic.

use std::sync::OnceLock;

use holdfast_desired::{Desired, SourceFile};
use holdfast_inventory::Inventory;
use holdfast_planner::{Plan, render};

fn example_inventory() -> &'static Inventory {
    static INVENTORY: OnceLock<Inventory> = OnceLock::new();
    INVENTORY.get_or_init(|| Inventory::from_snapshot(include_str!("../../../../examples/z360-before-sprint.json")).expect("the shipped example reads"))
}

fn shipped_desired_state() -> &'static Desired {
    static DESIRED: OnceLock<Desired> = OnceLock::new();
    DESIRED.get_or_init(|| {
        holdfast_desired::load_sources(vec![SourceFile::new("z360.toml".to_owned(), include_str!("../../../../desired-state/z360.toml").to_owned())])
            .expect("the shipped desired state loads")
    })
}

fn render_all(plan: &Plan) {
    let _ = render::text(plan, true);
    let _ = render::markdown(plan);
    let _ = plan.to_json();
}

/// A desired-state file: loaded and validated; when valid, planned against the example
/// account; when not, its diagnostics rendered.
pub fn desired_state(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    match holdfast_desired::load_sources(vec![SourceFile::new("fuzz.toml".to_owned(), text)]) {
        Ok(desired) => {
            let _ = holdfast_desired::reads(&desired);
            render_all(&holdfast_planner::plan(&desired, example_inventory()));
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
}

/// A snapshot: read; when it parses, planned against the shipped desired state.
pub fn snapshot(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Inventory::from_snapshot(&text) {
        Ok(inventory) => {
            let _ = inventory.to_snapshot();
            render_all(&holdfast_planner::plan(shipped_desired_state(), &inventory));
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
}

/// A plan file, as `holdfast apply PLAN_FILE` reads it: parsed, rendered.
pub fn plan_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Plan::from_json(&text) {
        Ok(plan) => render_all(&plan),
        Err(error) => {
            let _ = error.to_string();
        }
    }
}
