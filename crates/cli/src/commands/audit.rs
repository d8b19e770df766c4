//! `holdfast audit`: the HIPAA status report of the whole account.

use anyhow::Context;
use holdfast_audit::report::Report;

use crate::args::{AuditArgs, AuditFormat};
use crate::commands::{live, load_desired};
use crate::output::{self, Status};

pub fn run(args: &AuditArgs) -> anyhow::Result<Status> {
    let desired = load_desired(&args.desired.desired)?;
    // Read before anything is written, so a bad --compare file fails first and cheaply.
    let earlier = match &args.compare {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the earlier report {}", path.display()))?;
            Some(Report::from_json(&text).with_context(|| format!("cannot use the earlier report {}", path.display()))?)
        }
        None => None,
    };
    if earlier.is_some() && !matches!(args.format, AuditFormat::Text | AuditFormat::Markdown | AuditFormat::Json) {
        anyhow::bail!(
            "--compare prints the changes as text, markdown or json\n  hint: write the full report with --out, and the comparison with --format text"
        );
    }
    let inventory = match &args.snapshot {
        Some(snapshot) => super::load_snapshot(&desired, snapshot)?,
        None => live::read_for_audit(&desired, &args.aws)?,
    };
    let today = holdfast_aws::timestamp_now()?;
    let report = holdfast_audit::audit(&desired, &inventory, &today[..10]);
    // Refused (another account) before anything is written.
    let comparison = earlier.as_ref().map(|earlier| holdfast_audit::compare::compare(earlier, &report).map_err(anyhow::Error::msg)).transpose()?;
    let rendered = render(&report, args.format);
    match (&args.out, &comparison) {
        (Some(out), _) => {
            std::fs::write(out, &rendered).with_context(|| format!("cannot write the report {}", out.display()))?;
            output::stderr(&format!("Wrote {} (score {:.1}%).\n", out.display(), report.score.overall));
        }
        (None, None) => output::stdout(&rendered),
        (None, Some(_)) => {}
    }
    if let Some(comparison) = &comparison {
        output::stdout(&match args.format {
            AuditFormat::Json => comparison.to_json(),
            AuditFormat::Markdown => comparison.render(true),
            _ => comparison.render(false),
        });
    }
    match args.fail_under {
        Some(threshold) if report.score.overall < threshold => {
            output::stderr(&format!("The score {:.1}% is under --fail-under {threshold}.\n", report.score.overall));
            Ok(Status::ChangesPresent)
        }
        _ => Ok(Status::Success),
    }
}

fn render(report: &Report, format: AuditFormat) -> String {
    match format {
        AuditFormat::Text => holdfast_audit::render::text(report),
        AuditFormat::Markdown => holdfast_audit::render::markdown(report),
        AuditFormat::Json => report.to_json(),
        AuditFormat::Junit => holdfast_audit::render::junit(report),
        AuditFormat::Sarif => holdfast_audit::render::sarif(report),
        AuditFormat::Html => holdfast_audit::render::html(report),
    }
}
