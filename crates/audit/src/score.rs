//! The score, computed the same way every time:
//!
//! - a check's score is the share of the resources it evaluated that pass (3 of 4
//!   clusters encrypted is 0.75); a manual check scores 1 when attested within a year,
//!   else 0; a check whose data was not read scores 0: no evidence, no credit, so
//!   reading less (a plan's snapshot, a missing permission) never raises the score.
//!   A check with nothing to evaluate (no trail to validate) has no score.
//! - a category's score is the mean of its checks' scores;
//! - the overall score is the mean of the categories' scores, so each category weighs
//!   the same however many checks or resources it has.

use crate::catalogue::Category;
use crate::report::{CategoryScore, CheckResult, Score, Status};

pub fn score(checks: &[CheckResult]) -> Score {
    let categories: Vec<CategoryScore> = Category::ALL
        .iter()
        .map(|category| {
            let of: Vec<&CheckResult> = checks.iter().filter(|check| check.category == *category).collect();
            let scores: Vec<f64> = of.iter().filter_map(|check| if check.status == Status::NotAssessed { Some(0.0) } else { check.score }).collect();
            let count = |wanted: &[Status]| of.iter().filter(|check| wanted.contains(&check.status)).count();
            CategoryScore {
                category: *category,
                title: category.title().to_owned(),
                score: (!scores.is_empty()).then(|| percent(scores.iter().sum::<f64>() / scores.len() as f64)),
                passed: count(&[Status::Pass, Status::Attested]),
                failed: count(&[Status::Fail, Status::NeedsAttestation]),
                not_applicable: count(&[Status::NotApplicable]),
                not_assessed: count(&[Status::NotAssessed]),
            }
        })
        .collect();
    let scored: Vec<f64> = categories.iter().filter_map(|category| category.score).collect();
    let overall = if scored.is_empty() { 0.0 } else { round(scored.iter().sum::<f64>() / scored.len() as f64) };
    Score { overall, categories }
}

fn percent(fraction: f64) -> f64 {
    round(fraction * 100.0)
}

/// One decimal, so the JSON is stable across platforms' float printing.
fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}
