//! One self-contained HTML file, readable offline: no script, no font, no image to fetch.
//! The score chart is inline SVG; each failing check opens to its evidence and fixes.

use std::fmt::Write;

use crate::catalogue::Category;
use crate::render::junit::escape;
use crate::render::{category_state, evidence, fix_parts, percent, status_word};
use crate::report::{Report, Status};

const STYLE: &str = "
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1d2430; margin: 2rem auto; max-width: 64rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d8dde6; padding-bottom: .2rem; }
.meta { color: #5b6678; } .overall { font-size: 2.4rem; font-weight: 700; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e6e9ef; vertical-align: top; }
th { background: #f3f5f9; } code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .88em; }
pre { background: #f6f8fa; padding: .5rem .7rem; border-radius: 4px; overflow-x: auto; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: 3px; font-size: .8rem; font-weight: 600; white-space: nowrap; }
.pass, .attested { background: #dcf3e3; color: #13612e; } .fail, .needs-attestation { background: #fbe0e0; color: #8c1d1d; }
.not-applicable { background: #eceff4; color: #4a5568; } .not-assessed { background: #fff1cc; color: #7a5300; }
details { margin: .25rem 0; } summary { cursor: pointer; } ul.evidence { margin: .3rem 0; padding-left: 1.2rem; } .ok { color: #13612e; } .ko { color: #8c1d1d; }
";

pub fn html(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">");
    let _ = writeln!(out, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = writeln!(out, "<title>HIPAA audit {} {}</title>\n<style>{STYLE}</style>\n</head>\n<body>", escape(&report.account_id), escape(&report.region));
    let _ = writeln!(out, "<h1>HIPAA Compliance Status Report</h1>");
    let _ = writeln!(
        out,
        "<p class=\"meta\">Account {} · region {} (and IAM) · read {} · generated {} by <code>holdfast audit</code></p>",
        escape(&report.account_id),
        escape(&report.region),
        escape(&report.read_at),
        escape(&report.generated_on)
    );
    let _ = writeln!(out, "<p>Overall score <span class=\"overall\">{}</span></p>", percent(Some(report.score.overall)));
    out.push_str(&chart(report));
    let _ = writeln!(out, "<table>\n<tr><th>Category</th><th>Status</th><th>Score</th><th>Passed</th><th>Failed</th><th>Not assessed</th></tr>");
    for category in &report.score.categories {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&category.title),
            category_state(category),
            percent(category.score),
            category.passed,
            category.failed,
            category.not_assessed
        );
    }
    let _ = writeln!(out, "</table>");
    for category in Category::ALL {
        let _ = writeln!(out, "<h2 id=\"{}\">{}</h2>", category.id(), escape(category.title()));
        let _ = writeln!(out, "<table>\n<tr><th>Result</th><th>Check</th><th style=\"width: 22%\">45 CFR</th></tr>");
        for check in report.checks.iter().filter(|check| check.category == category) {
            let class = check.status.as_str().replace(' ', "-");
            let _ = write!(out, "<tr><td><span class=\"badge {class}\">{}</span></td><td>", status_word(check.status));
            let _ = write!(
                out,
                "<details{}><summary><code>{}</code> {} <span class=\"meta\">({})</span></summary>",
                if check.status.is_failure() { " open" } else { "" },
                escape(&check.id),
                escape(&check.title),
                escape(&check.summary)
            );
            let _ = write!(out, "<ul class=\"evidence\">");
            for finding in &check.findings {
                let mark = if finding.passed { "<span class=\"ok\">✓</span>" } else { "<span class=\"ko\">✗</span>" };
                let _ = write!(out, "<li>{mark} {}", escape(&evidence(finding)));
                if let Some(note) = &finding.note {
                    let _ = write!(out, "<br><span class=\"meta\">{}</span>", escape(note));
                }
                if let (false, Some(fix)) = (finding.passed, &finding.fix) {
                    let (line, toml) = fix_parts(fix);
                    let _ = write!(out, "<br>Fix: {}", escape(&line));
                    if let Some(toml) = toml {
                        let _ = write!(out, "<pre>{}</pre>", escape(toml));
                    }
                }
                let _ = write!(out, "</li>");
            }
            let _ = writeln!(out, "</ul></details></td><td>{}</td></tr>", escape(&check.clauses.join(", ")));
        }
        let _ = writeln!(out, "</table>");
    }
    let not_assessed: Vec<_> = report.checks.iter().filter(|check| check.status == Status::NotAssessed).collect();
    if !not_assessed.is_empty() {
        let _ = writeln!(out, "<h2>Not assessed</h2>\n<ul>");
        for check in not_assessed {
            let _ = writeln!(out, "<li><code>{}</code>: {}</li>", escape(&check.id), escape(&check.summary));
        }
        let _ = writeln!(out, "</ul>");
    }
    let _ = writeln!(
        out,
        "<h2>Method</h2>\n<p>A check scores the share of the resources it evaluated that pass; a manual check scores 1 when attested within a year. \
         A category scores the mean of its checks; the overall score is the mean of the categories. A check whose data was not read scores 0.</p>"
    );
    let _ = writeln!(out, "</body>\n</html>");
    out
}

/// A horizontal bar per category, 0 to 100%, in inline SVG.
fn chart(report: &Report) -> String {
    const ROW: usize = 30;
    const LABEL: usize = 210;
    const BAR: f64 = 420.0;
    let height = ROW * report.score.categories.len() + 10;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"Score per category\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui, sans-serif\" font-size=\"13\">\n",
        LABEL + BAR as usize + 70,
        LABEL + BAR as usize + 70
    );
    for (row, category) in report.score.categories.iter().enumerate() {
        let y = row * ROW + 5;
        let score = category.score.unwrap_or(0.0);
        let width = BAR * score / 100.0;
        let colour = match category.score {
            None => "#c9ced8",
            Some(score) if score >= 100.0 => "#2f9e55",
            Some(score) if score >= 50.0 => "#d9a21b",
            Some(_) => "#cf3d3d",
        };
        let _ = writeln!(svg, "<text x=\"0\" y=\"{}\">{}</text>", y + 15, escape(&category.title));
        let _ = writeln!(svg, "<rect x=\"{LABEL}\" y=\"{y}\" width=\"{BAR}\" height=\"20\" fill=\"#eef0f4\" rx=\"3\"/>");
        let _ = writeln!(svg, "<rect x=\"{LABEL}\" y=\"{y}\" width=\"{width:.1}\" height=\"20\" fill=\"{colour}\" rx=\"3\"/>");
        let _ = writeln!(svg, "<text x=\"{}\" y=\"{}\">{}</text>", LABEL + BAR as usize + 8, y + 15, percent(category.score));
    }
    svg.push_str("</svg>\n");
    svg
}
