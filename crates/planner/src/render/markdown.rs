//! The plan as Markdown, for a pull request comment or a CI summary page.

use std::fmt::Write;

use crate::plan::{Change, Kind, Plan};
use crate::render::money;
use crate::render::text::{impact_line, risky, summary_line};

pub fn markdown(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### holdfast plan: account {} ({})\n", plan.account_id, plan.region);
    let _ = writeln!(out, "**{}**  \nState read at {}.", summary_line(plan), plan.snapshot_taken_at);
    if let Some(cost) = priced(plan) {
        let _ = writeln!(out, "\n**{}**  \nPrices: {}.", impact_line(cost), cost.prices);
    }

    if plan.has_errors() {
        let _ = writeln!(out, "\n> [!CAUTION]\n> Nothing can be applied until these are fixed:");
        for error in &plan.errors {
            let at = error.source.as_ref().map(|source| format!(" ({source})")).unwrap_or_default();
            let _ = writeln!(out, "> - {}{at}", error.message);
        }
    }

    let risky = risky(plan);
    if !risky.is_empty() {
        let _ = writeln!(out, "\n> [!WARNING]\n> Needs a second look:");
        for (action, address, risk) in risky {
            let _ = writeln!(out, "> - `{address}` ({}): {risk}", action.as_str());
        }
    }

    for kind in Kind::ALL {
        let changes: Vec<&Change> = plan.changes.iter().filter(|change| change.kind == kind).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n#### {}\n", kind.title());
        let costed = plan.cost.is_some();
        let _ = writeln!(
            out,
            "{}",
            if costed { "| | resource | flags | source | monthly |\n|---|---|---|---|---:|" } else { "| | resource | flags | source |\n|---|---|---|---|" }
        );
        for change in &changes {
            let flags: Vec<&str> = change.flags.iter().map(|flag| flag.describe()).collect();
            let name = kind.name_in(&change.address);
            let label = change.label.as_ref().map(|label| format!(" ({label})")).unwrap_or_default();
            let monthly = match (&change.cost, costed) {
                (Some(estimate), true) => format!(" {} |", money::monthly(estimate.monthly_usd)),
                (None, true) if change.action == crate::plan::Action::Manual => " |".to_owned(),
                (None, true) => " not estimated |".to_owned(),
                (_, false) => String::new(),
            };
            let _ = writeln!(out, "| `{}` | `{name}`{label} | {} | {} |{monthly}", change.action.marker(), flags.join(", "), change.source);
        }
        let _ = writeln!(out, "\n<details><summary>attribute changes</summary>\n\n```diff");
        for change in &changes {
            let _ = writeln!(out, "{} {}", change.action.marker(), change.address);
            for attribute in &change.attributes {
                let before = attribute.before.as_deref().unwrap_or_default();
                let after = attribute.after.as_deref().unwrap_or_default();
                if before.contains('\n') || after.contains('\n') {
                    // A document (a policy): its name once, then a line diff of it.
                    let _ = writeln!(out, "    {}:", attribute.name);
                    for line in similar::TextDiff::from_lines(before, after).iter_all_changes() {
                        let sign = match line.tag() {
                            similar::ChangeTag::Delete => '-',
                            similar::ChangeTag::Insert => '+',
                            similar::ChangeTag::Equal => ' ',
                        };
                        let _ = writeln!(out, "{sign}     {}", line.value().trim_end_matches('\n'));
                    }
                    continue;
                }
                for line in before.lines() {
                    let _ = writeln!(out, "-   {}: {line}", attribute.name);
                }
                for line in after.lines() {
                    let _ = writeln!(out, "+   {}: {line}", attribute.name);
                }
            }
            if let Some(reason) = &change.reason {
                let _ = writeln!(out, "    why: {reason}");
            }
            for note in &change.notes {
                let _ = writeln!(out, "    note: {note}");
            }
            if let Some(estimate) = change.cost.as_ref().filter(|estimate| estimate.monthly_usd != 0.0 || estimate.worst_case.is_some()) {
                let _ = writeln!(out, "    cost: {}: {}", money::monthly(estimate.monthly_usd), estimate.arithmetic);
                if let Some(bound) = &estimate.worst_case {
                    let _ = writeln!(out, "          worst case: {} -> {} a month", money::dollars(bound.before_usd), money::dollars(bound.after_usd));
                }
                for basis in &estimate.basis {
                    let _ = writeln!(out, "          {basis}");
                }
            }
        }
        let _ = writeln!(out, "```\n\n</details>");
    }

    if !plan.warnings.is_empty() {
        let _ = writeln!(out, "\n#### Warnings\n");
        for warning in &plan.warnings {
            let at = warning.source.as_ref().map(|source| format!(" ({source})")).unwrap_or_default();
            let _ = writeln!(out, "- {}{at}", warning.message);
        }
    }
    if let Some(cost) = plan.cost.as_ref().filter(|cost| !cost.not_estimated.is_empty()) {
        let _ = writeln!(out, "\n#### Not estimated\n");
        for reason in &cost.not_estimated {
            let _ = writeln!(out, "- {reason}");
        }
    }
    if let Some(cost) = priced(plan) {
        let _ = writeln!(out, "\n**{}**", impact_line(cost));
    }
    out
}

/// The cost summary, for a plan that changes something: "no change" costs nothing to say.
fn priced(plan: &Plan) -> Option<&crate::plan::CostSummary> {
    plan.cost.as_ref().filter(|_| !plan.changes.is_empty())
}
