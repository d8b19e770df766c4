//! `holdfast audit`: the HIPAA status report, made from the account itself.
//!
//! A pure function from an inventory (read with the audit's whole-account scope) and a
//! desired state to a [`Report`]: every check in the [`catalogue`], each with its evidence
//! and, for a failure, the desired-state entry that fixes it; scores per category and
//! overall ([`score`]); and the renderings. No I/O and no clock: the day is given.

pub mod catalogue;
mod checks;
pub mod compare;
mod context;
pub mod render;
pub mod report;
pub mod score;

use holdfast_desired::Desired;
use holdfast_inventory::Inventory;

use crate::catalogue::{CHECKS, Check};
use crate::context::{ACCOUNT, Context, Outcome, days_between, location};
use crate::report::{AttestationSeen, CheckResult, Finding, Fix, Report, Status};

pub use report::FORMAT_VERSION;

/// An attestation counts for a year, as HIPAA's periodic evaluation asks (164.308(a)(8)).
pub const ATTESTATION_VALID_DAYS: i64 = 365;

/// The audit of `inventory`, as of `today` (`YYYY-MM-DD`, UTC).
pub fn audit(desired: &Desired, inventory: &Inventory, today: &str) -> Report {
    let cx = Context { desired, inventory, today };
    let mut outcomes = checks::evaluate(&cx);
    let checks: Vec<CheckResult> = CHECKS
        .iter()
        .map(|check| {
            if check.manual {
                return manual(&cx, check);
            }
            let index = outcomes.iter().position(|outcome| outcome.id == check.id).unwrap_or_else(|| panic!("check `{}` was not evaluated", check.id));
            automated(check, outcomes.swap_remove(index))
        })
        .collect();
    let checks: Vec<CheckResult> = checks.into_iter().map(cleaned).collect();
    let score = score::score(&checks);
    Report {
        format_version: FORMAT_VERSION,
        account_id: inventory.account_id.clone(),
        region: inventory.region.clone(),
        read_at: inventory.taken_at.clone(),
        generated_on: today.to_owned(),
        score,
        checks,
    }
}

/// Names, tags and policies come from the account, attestations from a file: a control
/// character in them (an escape sequence, a newline) never reaches a terminal or a
/// document as such.
fn cleaned(mut check: CheckResult) -> CheckResult {
    check.summary = clean(&check.summary);
    for finding in &mut check.findings {
        finding.resource = clean(&finding.resource);
        finding.attribute = clean(&finding.attribute);
        finding.observed = clean(&finding.observed);
        finding.note = finding.note.as_deref().map(clean);
        if let Some(Fix::Manual { text }) = &mut finding.fix {
            // A manual fix's lines are its own: only what came from outside is one line.
            *text = text.lines().map(clean).collect::<Vec<_>>().join("\n");
        }
    }
    if let Some(seen) = &mut check.attestation {
        seen.by = clean(&seen.by);
        seen.evidence = clean(&seen.evidence);
    }
    check
}

/// Control characters, and the invisible ones that reorder or break text (bidirectional
/// overrides and isolates, line and paragraph separators), replaced by U+FFFD.
fn clean(text: &str) -> String {
    let hidden = |c: char| matches!(c, '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    text.chars().map(|c| if c.is_control() || hidden(c) { '\u{FFFD}' } else { c }).collect()
}

fn result(check: &Check, status: Status, score: Option<f64>, summary: String, findings: Vec<Finding>) -> CheckResult {
    CheckResult {
        id: check.id.to_owned(),
        title: check.title.to_owned(),
        category: check.category,
        clauses: check.clauses.iter().map(|clause| (*clause).to_owned()).collect(),
        mapped_by: check.mapped_by,
        config_rules: check.config_rules.iter().map(|rule| (*rule).to_owned()).collect(),
        prowler: check.prowler.iter().map(|id| (*id).to_owned()).collect(),
        status,
        score,
        summary,
        findings,
        attestation: None,
    }
}

fn automated(check: &Check, outcome: Outcome) -> CheckResult {
    let findings = match outcome.evaluated {
        Ok(findings) => findings,
        Err(reason) => return result(check, Status::NotAssessed, None, reason, Vec::new()),
    };
    let total = findings.len();
    let failed = findings.iter().filter(|finding| !finding.passed).count();
    let noun = outcome.noun;
    let (status, score, summary) = match (total, failed) {
        (0, _) => (Status::NotApplicable, None, format!("no {noun} to check")),
        // An account-wide check has one finding: its value says it all.
        (1, _) if noun == ACCOUNT => (if failed == 0 { Status::Pass } else { Status::Fail }, Some((1 - failed) as f64), findings[0].observed.clone()),
        (_, 0) => (Status::Pass, Some(1.0), format!("{total} of {total} {noun} pass")),
        (_, _) => (Status::Fail, Some((total - failed) as f64 / total as f64), format!("{failed} of {total} {noun} fail")),
    };
    result(check, status, score, summary, findings)
}

fn manual(cx: &Context<'_>, check: &Check) -> CheckResult {
    let attestation = cx.desired.audit.attestation.iter().find(|attestation| attestation.check.get_ref() == check.id);
    let record = format!("[[audit.attestation]]\ncheck = \"{}\"\nby = \"NAME (ROLE)\"\ndate = {}\nevidence = \"WHERE THE PROOF IS KEPT\"", check.id, cx.today);
    let Some(attestation) = attestation else {
        let finding = Finding {
            resource: "account".to_owned(),
            passed: false,
            attribute: "attestation".to_owned(),
            observed: "none recorded".to_owned(),
            note: None,
            fix: Some(Fix::Manual { text: format!("when it is done, record it in the desired state:\n{record}") }),
        };
        return result(check, Status::NeedsAttestation, Some(0.0), "needs a person: no attestation recorded".to_owned(), vec![finding]);
    };
    let date = attestation.date.get_ref().as_str();
    let age = days_between(date, cx.today).unwrap_or(i64::MAX);
    let counted = (0..=ATTESTATION_VALID_DAYS).contains(&age);
    let seen = AttestationSeen {
        by: attestation.by.get_ref().clone(),
        date: date.to_owned(),
        evidence: attestation.evidence.get_ref().clone(),
        age_days: age,
        counted,
        location: location(&attestation.origin),
    };
    let observed = format!("attested by {} on {date} ({age} days ago): {}", seen.by, seen.evidence);
    let (status, summary, fix) = if counted {
        (Status::Attested, format!("attested {age} days ago by {}", seen.by), None)
    } else if age < 0 {
        (
            Status::NeedsAttestation,
            format!("the attestation is dated {date}, after the report's day"),
            Some(Fix::Manual { text: "correct the attestation's date".to_owned() }),
        )
    } else {
        (
            Status::NeedsAttestation,
            format!("the attestation is {age} days old; it counts for {ATTESTATION_VALID_DAYS}"),
            Some(Fix::Manual { text: format!("confirm it again and update the attestation at {}", seen.location) }),
        )
    };
    let finding = Finding { resource: "account".to_owned(), passed: counted, attribute: "attestation".to_owned(), observed, note: None, fix };
    let mut checked = result(check, status, Some(if counted { 1.0 } else { 0.0 }), summary, vec![finding]);
    checked.attestation = Some(seen);
    checked
}
