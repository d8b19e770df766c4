//! Text for a terminal: the scores, then each check, failures with their evidence.

use std::fmt::Write;

use crate::catalogue::Category;
use crate::render::{evidence, fix_parts, percent, status_word};
use crate::report::{Report, Status};

pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "HIPAA audit of account {}, region {} (and IAM, which is global), read {}", report.account_id, report.region, report.read_at);
    let _ = writeln!(out, "\nOverall score: {}\n", percent(Some(report.score.overall)));
    for category in &report.score.categories {
        let _ = writeln!(
            out,
            "  {:<26} {:>7}   {} pass, {} fail{}{}",
            category.title,
            percent(category.score),
            category.passed,
            category.failed,
            if category.not_applicable > 0 { format!(", {} n/a", category.not_applicable) } else { String::new() },
            if category.not_assessed > 0 { format!(", {} not assessed", category.not_assessed) } else { String::new() },
        );
    }
    for category in Category::ALL {
        let _ = writeln!(out, "\n{}", category.title());
        for check in report.checks.iter().filter(|check| check.category == category) {
            let _ = writeln!(out, "  {:<17} {}  {} ({})", status_word(check.status), check.id, check.title, check.summary);
            if !matches!(check.status, Status::Fail | Status::NeedsAttestation) {
                continue;
            }
            let _ = writeln!(out, "{:<20}45 CFR {}", "", check.clauses.join(", "));
            for finding in check.findings.iter().filter(|finding| !finding.passed) {
                let _ = writeln!(out, "{:<20}✗ {}", "", evidence(finding));
                if let Some(note) = &finding.note {
                    let _ = writeln!(out, "{:<22}{note}", "");
                }
                if let Some(fix) = &finding.fix {
                    let (line, toml) = fix_parts(fix);
                    let _ = writeln!(out, "{:<22}fix: {line}", "");
                    for toml_line in toml.unwrap_or_default().lines() {
                        let _ = writeln!(out, "{:<27}{toml_line}", "");
                    }
                }
            }
        }
    }
    let not_assessed: Vec<_> = report.checks.iter().filter(|check| check.status == Status::NotAssessed).collect();
    if !not_assessed.is_empty() {
        let _ = writeln!(out, "\nNot assessed (each scores 0: what was not read earns no credit):");
        for check in not_assessed {
            let _ = writeln!(out, "  {}: {}", check.id, check.summary);
        }
    }
    out
}
