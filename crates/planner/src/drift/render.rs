//! The drift report for people: a one-line summary (notifications use it as it is),
//! text for a terminal or a log, and Markdown for a pull request or a ticket.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::{Finding, Report, Severity, Status};
use crate::render::count;

/// `account 123456789012 us-east-1: 3 drifted (1 critical, 2 low), 1 new, 1 resolved, 1 ignored`.
pub fn summary(report: &Report) -> String {
    let counts = &report.counts;
    let mut line = format!("account {} {}: ", report.account_id, report.region);
    if report.in_sync() {
        line.push_str("in sync");
    } else {
        let by_severity: Vec<String> = Severity::ALL
            .into_iter()
            .filter(|severity| counts.of(*severity) > 0)
            .map(|severity| format!("{} {}", counts.of(severity), severity.as_str()))
            .collect();
        let _ = write!(line, "{} drifted ({})", counts.drifted(), by_severity.join(", "));
    }
    for (number, what) in [(counts.new, "new"), (counts.resolved, "resolved"), (counts.ignored, "ignored"), (counts.below_threshold, "below the threshold")] {
        if number > 0 {
            let _ = write!(line, ", {number} {what}");
        }
    }
    line
}

fn severity_style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Critical => AnsiColor::Red,
        Severity::High => AnsiColor::Magenta,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

fn paint(use_color: bool, style: Style, text: &str) -> String {
    if use_color { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_owned() }
}

fn status(finding: &Finding) -> String {
    match finding.status {
        Status::New => "new".to_owned(),
        Status::Persisting => format!("persisting since {}", finding.since),
    }
}

fn attribute_line(attribute: &crate::plan::AttributeChange) -> String {
    let show = |value: &Option<String>| value.clone().unwrap_or_else(|| "(none)".to_owned());
    format!("{}: {} -> {}", attribute.name, show(&attribute.before), show(&attribute.after))
}

pub fn text(report: &Report, use_color: bool) -> String {
    let dim = Style::new().dimmed();
    let mut out = String::new();
    let _ = writeln!(out, "Drift check of {}, at {}.", summary(report), report.checked_at);
    for finding in &report.drift {
        let severity = paint(use_color, severity_style(finding.severity), &format!("{:<8}", finding.severity.as_str()));
        let _ = writeln!(out, "\n{severity} {}  {}", finding.address, paint(use_color, dim, &status(finding)));
        let _ = writeln!(out, "         {}", finding.meaning);
        for attribute in &finding.attributes {
            let _ = writeln!(out, "         {}", attribute_line(attribute));
        }
        if let Some(reason) = &finding.reason {
            let _ = writeln!(out, "         {reason}");
        }
        let fix = match finding.action {
            crate::plan::Action::Manual => "holdfast apply cannot fix it by itself: a person must".to_owned(),
            action => format!("holdfast apply would {} it", action.as_str()),
        };
        let from = finding.source.as_ref().map(|source| format!(" · from {source}")).unwrap_or_default();
        let _ = writeln!(out, "         {}", paint(use_color, dim, &format!("{fix}{from}")));
    }
    if !report.ignored.is_empty() {
        let _ = writeln!(out, "\nIgnored until their rule's date (still drift):");
        for finding in &report.ignored {
            let ignored = finding.ignored.as_ref().expect("only ignored findings are listed here");
            let _ = writeln!(out, "  {:<8} {}  until {}: {} ({})", finding.severity.as_str(), finding.address, ignored.until, ignored.reason, ignored.source);
        }
    }
    for rule in &report.expired_rules {
        let _ = writeln!(
            out,
            "\nThe ignore rule `{}` at {} expired on {} and hides nothing now ({}): {}",
            rule.rule,
            rule.source,
            rule.until,
            rule.reason,
            rule.matches.join(", ")
        );
    }
    if !report.resolved.is_empty() {
        let _ = writeln!(out, "\nResolved since the last check:");
        for resolved in &report.resolved {
            let _ = writeln!(out, "  {:<8} {}  (seen since {})", resolved.severity.as_str(), resolved.address, resolved.since);
        }
    }
    if let Some(coverage) = &report.coverage {
        let _ = writeln!(out, "\nCoverage (resources of the kinds holdfast manages that an entry selects):");
        for kind in coverage {
            let _ = writeln!(out, "  {:<15} {:>6} of {:<6} {:>5.1}%", kind.kind, kind.managed, kind.total, kind.percent);
            if !kind.unmanaged.is_empty() {
                let more = kind.total - kind.managed - kind.unmanaged.len();
                let more = if more > 0 { format!(" and {more} more") } else { String::new() };
                let _ = writeln!(out, "    unmanaged: {}{more}", kind.unmanaged.join(", "));
            }
        }
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "\nwarning: {warning}");
    }
    if report.counts.below_threshold > 0 {
        let _ =
            writeln!(out, "\n{} below --min-severity {} not listed.", count(report.counts.below_threshold, "drifted resource"), report.min_severity.as_str());
    }
    out
}

pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## holdfast drift: {}\n", summary(report));
    let _ = writeln!(out, "Checked at {}.\n", report.checked_at);
    if !report.drift.is_empty() {
        let _ = writeln!(out, "| severity | resource | what it means | status | differs |\n|---|---|---|---|---|");
        for finding in &report.drift {
            let mut differs: Vec<String> = finding.attributes.iter().map(|attribute| format!("`{}`", attribute_line(attribute).replace('|', "\\|"))).collect();
            if let Some(reason) = finding.reason.as_ref().filter(|_| finding.action == crate::plan::Action::Manual) {
                differs.push(reason.replace('|', "\\|"));
            }
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                finding.severity.as_str(),
                finding.address,
                finding.meaning,
                status(finding),
                differs.join("<br>")
            );
        }
        out.push('\n');
    }
    if !report.ignored.is_empty() {
        let _ = writeln!(out, "**Ignored** (until the rule's date):\n");
        for finding in &report.ignored {
            let ignored = finding.ignored.as_ref().expect("only ignored findings are listed here");
            let _ = writeln!(out, "- `{}` ({}) until {}: {}", finding.address, finding.severity.as_str(), ignored.until, ignored.reason);
        }
        out.push('\n');
    }
    for rule in &report.expired_rules {
        let _ = writeln!(out, "**Expired ignore rule** `{}` ({}), ended {}: it hides nothing now.\n", rule.rule, rule.source, rule.until);
    }
    if !report.resolved.is_empty() {
        let _ = writeln!(out, "**Resolved** since the last check:\n");
        for resolved in &report.resolved {
            let _ = writeln!(out, "- `{}` ({})", resolved.address, resolved.severity.as_str());
        }
        out.push('\n');
    }
    if let Some(coverage) = &report.coverage {
        let _ = writeln!(out, "| kind | managed | total | coverage |\n|---|---|---|---|");
        for kind in coverage {
            let _ = writeln!(out, "| {} | {} | {} | {:.1}% |", kind.kind, kind.managed, kind.total, kind.percent);
        }
    }
    out
}
