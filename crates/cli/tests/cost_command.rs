//! Cost estimates offline: `plan` and `holdfast cost` on the shipped z360 example, whose
//! usage scripts/z360_account.py states, with the shipped prices.

mod common;

use common::{desired_dir, example_snapshot, holdfast, shipped_desired_state};

fn plan(extra: &[&str]) -> common::Run {
    common::plan_example(extra)
}

#[test]
fn every_rendering_ends_with_the_estimated_monthly_impact() {
    let text = plan(&[]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    let last = text.stdout.trim_end().lines().last().expect("a last line");
    assert!(last.starts_with("Estimated monthly impact: +$") && last.contains("(from about $"), "{last}");
    assert!(
        text.stdout.contains("cost: -$12.61/mo: FARGATE -> FARGATE_SPOT: 1 task × (0.5 vCPU × $0.04048 + 1 GB × $0.004445) × 730 h × 70%"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("worst case: $700.80 -> $350.40 a month"), "{}", text.stdout);
    assert!(text.stdout.contains("Prices: the price table shipped with holdfast (us-east-1, read 2026-11-27)."), "{}", text.stdout);

    let markdown = plan(&["--format", "markdown"]);
    assert!(markdown.stdout.trim_end().lines().last().expect("a last line").starts_with("**Estimated monthly impact: +$"), "{}", markdown.stdout);
    assert!(markdown.stdout.contains("| source | monthly |") && markdown.stdout.contains("| -$12.61/mo |"), "{}", markdown.stdout);

    let json = plan(&["--format", "json"]);
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).expect("a JSON plan");
    let summary = &parsed["cost"];
    assert!(summary["monthly_usd"].as_f64().is_some_and(|usd| usd > 0.0), "{summary}");
    assert_eq!(
        summary["estimated"].as_u64(),
        Some(parsed["changes"].as_array().expect("changes").iter().filter(|change| change.get("cost").is_some()).count() as u64)
    );
}

#[test]
fn no_cost_leaves_every_estimate_out() {
    let run = plan(&["--no-cost", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("\"cost\"") && !run.stdout.contains("monthly_usd"), "{}", run.stdout);
    let text = plan(&["--no-cost"]);
    assert!(!text.stdout.contains("Estimated monthly impact") && !text.stdout.contains("cost: "), "{}", text.stdout);
}

#[test]
fn a_region_without_prices_is_an_error_that_says_how_to_add_them() {
    let desired = std::fs::read_to_string(common::repo_root().join("desired-state/z360.toml")).expect("the desired state").replace("us-east-1", "eu-west-1");
    let dir = desired_dir(&[("z360.toml", &desired)]);
    let snapshot = std::fs::read_to_string(example_snapshot()).expect("the example").replace("us-east-1", "eu-west-1");
    std::fs::write(dir.path().join("snapshot.json.txt"), snapshot).expect("write");
    let snapshot_path = dir.path().join("snapshot.json.txt").display().to_string();
    let desired_path = dir.path().display().to_string();
    let run = holdfast(&["plan", "--desired", &desired_path, "--snapshot", &snapshot_path], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.is_empty(), "nothing half-estimated is printed: {}", run.stdout);
    assert!(run.stderr.contains("holdfast has no prices for eu-west-1"), "{}", run.stderr);
    assert!(run.stderr.contains("--prices FILE") && run.stderr.contains("--no-cost"), "{}", run.stderr);
    let run = holdfast(&["plan", "--desired", &desired_path, "--snapshot", &snapshot_path, "--no-cost"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A table of the region's own, every figure with its source and date.
    let table = std::fs::read_to_string(common::repo_root().join("crates/cost/prices/us-east-1.toml"))
        .expect("the shipped table")
        .replace("region = \"us-east-1\"", "region = \"eu-west-1\"");
    std::fs::write(dir.path().join("eu-west-1.toml.txt"), &table).expect("write");
    let table_path = dir.path().join("eu-west-1.toml.txt").display().to_string();
    let run = holdfast(&["plan", "--desired", &desired_path, "--snapshot", &snapshot_path, "--prices", &table_path], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(&format!("Prices: the price table {table_path} (read 2026-11-27).")), "{}", run.stdout);
    // One without a source is refused, with the price it concerns.
    let source = r#"source = "Infracost golden test ecs_service_test (us-east-1); vantage.sh; AWS Price List AmazonECS USE1-Fargate-vCPU-Hours:perCPU""#;
    let unsourced = table.replacen(source, r#"source = """#, 1);
    std::fs::write(dir.path().join("eu-west-1.toml.txt"), &unsourced).expect("write");
    assert_ne!(unsourced, table);
    let run = holdfast(&["plan", "--desired", &desired_path, "--snapshot", &snapshot_path, "--prices", &table_path], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("cannot use the price table") && run.stderr.contains("price `fargate_vcpu_hour` has no source"), "{}", run.stderr);
}

#[test]
fn cost_prints_the_run_rate_by_kind_and_entry() {
    let run = holdfast(&["cost", "--desired", &shipped_desired_state(), "--snapshot", &example_snapshot()], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("ECS services                                          $216.24"), "{}", run.stdout);
    assert!(run.stdout.lines().any(|line| line.contains("desired-state/z360.toml:14 ") && line.ends_with(" $54.06")), "{}", run.stdout);
    assert!(run.stdout.contains("1 instance × 0.64 ACU (average, read) × 730 h × $0.12 + 2 GB × $0.10"), "{}", run.stdout);
    assert!(run.stdout.trim_end().ends_with("Estimated monthly run-rate: about $460"), "{}", run.stdout);
    assert!(
        run.stdout.contains("kms.key/alias/z360-phi") && run.stdout.contains("(1 task running (read); 0.5 vCPU and 1 GB a task (task definition, read))"),
        "{}",
        run.stdout
    );
    let json = holdfast(&["cost", "--desired", &shipped_desired_state(), "--snapshot", &example_snapshot(), "--format", "json"], &[]);
    let rate: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(rate["monthly_usd"], 460.49, "{}", json.stdout);
}

#[test]
fn a_price_table_of_ones_own_is_checked_and_a_wrong_file_is_never_quoted() {
    let dir = desired_dir(&[]);
    let table = std::fs::read_to_string(common::repo_root().join("crates/cost/prices/us-east-1.toml")).expect("the shipped table");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    };
    let misspelt = write("misspelt.toml", &table.replacen("[price.alb_hour]", "[price.alb_hours]", 1));
    let run = plan(&["--prices", &misspelt]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("holdfast prices nothing called alb_hours (a misspelt key?)"), "{}", run.stderr);
    let credentials = write("credentials", "[default]\naws_access_key_id = AKIACANARY\naws_secret_access_key = CANARY-SECRET-KEY-123\n");
    let run = plan(&["--prices", &credentials]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("cannot use the price table") && !run.stderr.contains("CANARY") && !run.stdout.contains("CANARY"), "{}", run.stderr);
}
