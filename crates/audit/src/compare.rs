//! `holdfast audit --compare OLD.json`: what changed since an earlier report. Findings
//! are matched by check, resource and attribute.

use std::fmt::Write;

use serde::Serialize;

use crate::render::percent;
use crate::report::{Report, Status};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub before: Snapshot,
    pub after: Snapshot,
    pub categories: Vec<CategoryMove>,
    /// Failing now, and not before (passing, or not there).
    pub new_failures: Vec<Moved>,
    /// Failing before, and passing now or gone.
    pub fixed: Vec<Moved>,
    /// Checks whose status changed.
    pub status_changes: Vec<StatusChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub read_at: String,
    pub overall: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryMove {
    pub title: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    pub check: String,
    pub resource: String,
    pub attribute: String,
    /// What is seen now; for a fixed finding whose resource is gone, what was seen before.
    pub observed: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub gone: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusChange {
    pub check: String,
    pub before: Status,
    pub after: Status,
}

/// The changes from `old` to `new`; refused when they are not of the same account and
/// region, where every finding would read as fixed or new.
pub fn compare(old: &Report, new: &Report) -> Result<Comparison, String> {
    if (old.account_id.as_str(), old.region.as_str()) != (new.account_id.as_str(), new.region.as_str()) {
        return Err(format!(
            "the earlier report is of account {} in {}, this one of account {} in {}: compare reports of the same account and region",
            old.account_id, old.region, new.account_id, new.region
        ));
    }
    fn findings(report: &Report) -> std::collections::BTreeMap<(String, String, String), &crate::report::Finding> {
        let key = |check: &str, resource: &str, attribute: &str| (check.to_owned(), resource.to_owned(), attribute.to_owned());
        report
            .checks
            .iter()
            .flat_map(|check| check.findings.iter().map(move |finding| (key(&check.id, &finding.resource, &finding.attribute), finding)))
            .collect()
    }
    let (before, after) = (findings(old), findings(new));
    let moved = |((check, resource, attribute), observed): ((String, String, String), String), gone: bool| Moved { check, resource, attribute, observed, gone };
    let new_failures = after
        .iter()
        .filter(|(id, finding)| !finding.passed && before.get(*id).is_none_or(|earlier| earlier.passed))
        .map(|(id, finding)| moved((id.clone(), finding.observed.clone()), false))
        .collect();
    let assessed_now = |check: &str| new.checks.iter().any(|result| result.id == check && result.status != Status::NotAssessed);
    let fixed = before
        .iter()
        .filter(|(_, finding)| !finding.passed)
        .filter_map(|(id, finding)| match after.get(id) {
            Some(now) if now.passed => Some(moved((id.clone(), now.observed.clone()), false)),
            None if assessed_now(&id.0) => Some(moved((id.clone(), finding.observed.clone()), true)),
            _ => None,
        })
        .collect();
    let status_changes = new
        .checks
        .iter()
        .filter_map(|check| {
            let earlier = old.checks.iter().find(|earlier| earlier.id == check.id)?;
            (earlier.status != check.status).then(|| StatusChange { check: check.id.clone(), before: earlier.status, after: check.status })
        })
        .collect();
    let categories = new
        .score
        .categories
        .iter()
        .map(|category| CategoryMove {
            title: category.title.clone(),
            before: old.score.categories.iter().find(|earlier| earlier.category == category.category).and_then(|earlier| earlier.score),
            after: category.score,
        })
        .collect();
    Ok(Comparison {
        before: Snapshot { read_at: old.read_at.clone(), overall: old.score.overall },
        after: Snapshot { read_at: new.read_at.clone(), overall: new.score.overall },
        categories,
        new_failures,
        fixed,
        status_changes,
    })
}

impl Comparison {
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a comparison always serialises");
        text.push('\n');
        text
    }

    /// Text, or Markdown with `markdown`: the score movement, then what failed and what was fixed.
    pub fn render(&self, markdown: bool) -> String {
        let mut out = String::new();
        let delta = self.after.overall - self.before.overall;
        let heading = if markdown { "## " } else { "" };
        let item = if markdown { "- " } else { "  " };
        let _ = writeln!(out, "{heading}Audit since {}", self.before.read_at);
        let _ = writeln!(out, "\nOverall score: {} -> {} ({delta:+.1} points)\n", percent(Some(self.before.overall)), percent(Some(self.after.overall)));
        for category in &self.categories {
            if category.before != category.after {
                let _ = writeln!(out, "{item}{}: {} -> {}", category.title, percent(category.before), percent(category.after));
            }
        }
        let mut section = |title: &str, entries: &[Moved]| {
            let _ = writeln!(out, "\n{heading}{title} ({})\n", entries.len());
            for entry in entries {
                let gone = if entry.gone { " (resource gone)" } else { "" };
                let _ = writeln!(out, "{item}{} {}: {} = {}{gone}", entry.check, entry.resource, entry.attribute, entry.observed);
            }
        };
        section("New failures", &self.new_failures);
        section("Fixed", &self.fixed);
        if !self.status_changes.is_empty() {
            let _ = writeln!(out, "\n{heading}Checks that changed\n");
            for change in &self.status_changes {
                let _ = writeln!(out, "{item}{}: {} -> {}", change.check, change.before.as_str(), change.after.as_str());
            }
        }
        out
    }
}
