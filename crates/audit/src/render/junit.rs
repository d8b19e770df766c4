//! JUnit XML: one test case per check, grouped by category, for CI dashboards. A failure
//! (or a missing attestation) fails its case; a check that could not be assessed is an
//! error (it scores 0, and a dashboard must not show it green); not applicable skips.

use std::fmt::Write;

use crate::catalogue::Category;
use crate::render::{evidence, fix_parts};
use crate::report::{Report, Status};

pub fn junit(report: &Report) -> String {
    let failures = report.checks.iter().filter(|check| check.status.is_failure()).count();
    let skipped = report.checks.iter().filter(|check| check.status == Status::NotApplicable).count();
    let errors = report.checks.iter().filter(|check| check.status == Status::NotAssessed).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"holdfast audit {} {}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" timestamp=\"{}\">",
        escape(&report.account_id),
        escape(&report.region),
        report.checks.len(),
        escape(&report.read_at)
    );
    for category in Category::ALL {
        let checks: Vec<_> = report.checks.iter().filter(|check| check.category == category).collect();
        let failed = checks.iter().filter(|check| check.status.is_failure()).count();
        let skipped = checks.iter().filter(|check| check.status == Status::NotApplicable).count();
        let errors = checks.iter().filter(|check| check.status == Status::NotAssessed).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"{errors}\" skipped=\"{skipped}\">",
            category.id(),
            checks.len()
        );
        for check in checks {
            let _ = write!(out, "    <testcase classname=\"holdfast.audit.{}\" name=\"{}: {}\"", category.id(), escape(&check.id), escape(&check.title));
            match check.status {
                Status::Pass | Status::Attested => {
                    let _ = writeln!(out, "/>");
                }
                Status::NotApplicable => {
                    let _ = writeln!(out, ">\n      <skipped message=\"{}: {}\"/>\n    </testcase>", check.status.as_str(), escape(&check.summary));
                }
                Status::NotAssessed => {
                    let _ = writeln!(out, ">\n      <error message=\"not assessed: {}\" type=\"not_assessed\"/>\n    </testcase>", escape(&check.summary));
                }
                Status::Fail | Status::NeedsAttestation => {
                    let mut body = String::new();
                    for finding in check.findings.iter().filter(|finding| !finding.passed) {
                        let _ = writeln!(body, "{}", evidence(finding));
                        if let Some(fix) = &finding.fix {
                            let (line, toml) = fix_parts(fix);
                            let _ = writeln!(body, "  fix: {line}");
                            for toml_line in toml.unwrap_or_default().lines() {
                                let _ = writeln!(body, "    {toml_line}");
                            }
                        }
                    }
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        escape(&check.summary),
                        check.status.as_str(),
                        escape(&body)
                    );
                }
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    let _ = writeln!(out, "</testsuites>");
    out
}

/// XML text and attribute escaping.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(character),
            control if control.is_control() => {}
            other => out.push(other),
        }
    }
    out
}
