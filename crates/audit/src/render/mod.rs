//! The report's renderings. JSON is [`crate::report::Report::to_json`].

mod html;
mod junit;
mod markdown;
mod sarif;
mod text;

pub use html::html;
pub use junit::junit;
pub use markdown::markdown;
pub use sarif::sarif;
pub use text::text;

use crate::report::{CategoryScore, Finding, Fix, Status};

/// A score as people read it: `62.5%`, or `n/a`.
pub(crate) fn percent(score: Option<f64>) -> String {
    score.map_or_else(|| "n/a".to_owned(), |score| format!("{score:.1}%"))
}

/// The seeds' words for a category's state.
pub(crate) fn category_state(category: &CategoryScore) -> &'static str {
    match category.score {
        None => "NOT ASSESSED",
        Some(score) if score >= 100.0 => "COMPLETED",
        Some(score) if score <= 0.0 => "PENDING",
        Some(_) => "PARTIAL",
    }
}

pub(crate) fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::NotApplicable => "N/A",
        Status::NotAssessed => "NOT ASSESSED",
        Status::Attested => "ATTESTED",
        Status::NeedsAttestation => "NEEDS ATTESTATION",
    }
}

/// `resource: attribute = observed`.
pub(crate) fn evidence(finding: &Finding) -> String {
    format!("{}: {} = {}", finding.resource, finding.attribute, finding.observed)
}

/// The fix in one line, and the TOML to add where there is some.
pub(crate) fn fix_parts(fix: &Fix) -> (String, Option<&str>) {
    match fix {
        Fix::Declared { location, note } => (format!("{location}: {note}"), None),
        Fix::AddToEntry { location, toml } => (format!("add to the entry at {location}:"), Some(toml)),
        Fix::NewEntry { toml } => ("add to the desired state:".to_owned(), Some(toml)),
        Fix::Manual { text } => match text.split_once('\n') {
            Some((first, rest)) => (first.to_owned(), Some(rest)),
            None => (text.clone(), None),
        },
    }
}
