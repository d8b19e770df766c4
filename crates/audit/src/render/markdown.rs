//! Markdown a compliance officer can read, in the seeds' shape: the summary table, a
//! section per category with the evidence of every check, the remaining work with its
//! fixes, manual evidence, and the method.

use std::fmt::Write;

use crate::catalogue::Category;
use crate::render::{category_state, evidence, fix_parts, percent, status_word};
use crate::report::{Report, Status};

pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# HIPAA Compliance Status Report\n");
    let _ = writeln!(out, "**Account:** {} | **Region:** {} (this region's resources, and IAM)  ", report.account_id, report.region);
    let _ = writeln!(out, "**Read:** {} | **Generated:** {} by `holdfast audit`\n", report.read_at, report.generated_on);
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(out, "### Overall compliance score: {}\n", percent(Some(report.score.overall)));
    let _ = writeln!(out, "| Category | Status | Score | Passed | Failed | Not assessed |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
    for category in &report.score.categories {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            category.title,
            category_state(category),
            percent(category.score),
            category.passed,
            category.failed,
            category.not_assessed
        );
    }
    for category in Category::ALL {
        let _ = writeln!(out, "\n## {}\n", category.title());
        let _ = writeln!(out, "| Check | Result | 45 CFR | Evidence |");
        let _ = writeln!(out, "|---|---|---|---|");
        for check in report.checks.iter().filter(|check| check.category == category) {
            let mut lines: Vec<String> =
                check.findings.iter().map(|finding| format!("{} {}", if finding.passed { "✓" } else { "✗" }, evidence(finding))).collect();
            if lines.is_empty() {
                lines.push(check.summary.clone());
            }
            let _ = writeln!(
                out,
                "| `{}` {} | {} | {} | {} |",
                check.id,
                check.title,
                status_word(check.status),
                check.clauses.join(", "),
                lines.iter().map(|line| cell(line)).collect::<Vec<_>>().join("<br>")
            );
        }
    }
    let _ = writeln!(out, "\n## Remaining work\n");
    let failures: Vec<_> = report.checks.iter().filter(|check| check.status == Status::Fail).collect();
    if failures.is_empty() {
        let _ = writeln!(out, "Every automated check passes.");
    }
    for (number, check) in failures.iter().enumerate() {
        let _ = writeln!(out, "{}. **{}** ({}): {}", number + 1, check.title, check.id, inline(&check.summary));
        for finding in check.findings.iter().filter(|finding| !finding.passed) {
            let _ = writeln!(out, "   - {}", inline(&evidence(finding)));
            if let Some(note) = &finding.note {
                let _ = writeln!(out, "     {}", inline(note));
            }
            if let Some(fix) = &finding.fix {
                let (line, toml) = fix_parts(fix);
                let _ = writeln!(out, "     Fix: {}", inline(&line));
                if let Some(toml) = toml {
                    let _ = writeln!(out, "\n     ```toml");
                    for toml_line in toml.lines() {
                        let _ = writeln!(out, "     {toml_line}");
                    }
                    let _ = writeln!(out, "     ```\n");
                }
            }
        }
    }
    let _ = writeln!(out, "\n## Manual evidence\n");
    let _ = writeln!(out, "What no API shows, vouched for in `[[audit.attestation]]` entries; an attestation counts for a year.\n");
    let _ = writeln!(out, "| Check | Status | By | Date | Age (days) | Evidence |");
    let _ = writeln!(out, "|---|---|---|---|---:|---|");
    for check in report.checks.iter().filter(|check| matches!(check.status, Status::Attested | Status::NeedsAttestation)) {
        match &check.attestation {
            Some(seen) => {
                let _ = writeln!(
                    out,
                    "| {} (`{}`) | {} | {} | {} | {} | {} |",
                    check.title,
                    check.id,
                    status_word(check.status),
                    cell(&seen.by),
                    seen.date,
                    seen.age_days,
                    cell(&seen.evidence)
                );
            }
            None => {
                let _ = writeln!(out, "| {} (`{}`) | {} | | | | |", check.title, check.id, status_word(check.status));
            }
        }
    }
    let not_assessed: Vec<_> = report.checks.iter().filter(|check| check.status == Status::NotAssessed).collect();
    if !not_assessed.is_empty() {
        let _ = writeln!(out, "\n## Not assessed\n");
        for check in not_assessed {
            let _ = writeln!(out, "- `{}` {}: {}", check.id, check.title, inline(&check.summary));
        }
    }
    let _ = writeln!(out, "\n## Method\n");
    let _ = writeln!(
        out,
        "A check scores the share of the resources it evaluated that pass; a manual check scores 1 when attested within a year. \
         A category scores the mean of its checks, and the overall score is the mean of the categories. A check whose data was not read scores 0. \
         Every check, its clauses and its peers are listed in holdfast's `docs/audit.md`."
    );
    out
}

/// Text safe inside a table cell: no column break, no HTML.
fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

/// Text from the account or a file, safe in Markdown prose: shown as written, never
/// rendered as HTML, a link, an image, code or `*` emphasis.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push(' '),
            // `_` only emphasises at a word's edge, and an identifier is read as written;
            // without `[` no link can form.
            '\\' | '`' | '*' | '[' | ']' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(character);
            }
            other => out.push(other),
        }
    }
    out
}
