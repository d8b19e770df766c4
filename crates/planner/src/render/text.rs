//! The plan as a careful reviewer would write it: grouped by kind, Terraform's markers,
//! attribute diffs, the risky changes called out, and a summary line.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use similar::{ChangeTag, TextDiff};

use crate::plan::{Action, AttributeChange, Change, Flag, Kind, Plan};
use crate::render::money;

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_owned() }
    }
}

fn color(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(color.into()))
}

fn action_style(action: Action) -> Style {
    match action {
        Action::Create => color(AnsiColor::Green),
        Action::Update => color(AnsiColor::Yellow),
        Action::Replace | Action::Delete => color(AnsiColor::Red),
        Action::Manual => color(AnsiColor::Cyan),
    }
}

/// Renders the plan; `color` adds ANSI styles (the caller decides from the terminal
/// and `NO_COLOR`).
pub fn text(plan: &Plan, use_color: bool) -> String {
    let painter = Painter { color: use_color };
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let mut out = String::new();
    let _ = writeln!(out, "Plan for account {} in {}, from the state read at {}.", plan.account_id, plan.region, plan.snapshot_taken_at);

    for kind in Kind::ALL {
        let changes: Vec<&Change> = plan.changes.iter().filter(|change| change.kind == kind).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}", painter.paint(bold, kind.title()));
        let mut migrations_shown: Vec<&str> = Vec::new();
        for change in changes {
            if let Some((cluster, _)) = change.migration_step() {
                if !migrations_shown.contains(&cluster) {
                    migrations_shown.push(cluster);
                    write_migration(&mut out, &painter, plan, cluster);
                }
                continue;
            }
            let name = kind.name_in(&change.address);
            let marker = painter.paint(action_style(change.action), &format!("{:>3}", change.action.marker()));
            let label = change.label.as_ref().map(|label| format!(" ({label})")).unwrap_or_default();
            let _ = writeln!(out, "{marker} {}{label}  {}", painter.paint(bold, name), painter.paint(dim, change.action.outcome()));
            let mut facts = vec![format!("from {}", change.source)];
            facts.extend(change.flags.iter().map(|flag| flag.describe().to_owned()));
            let _ = writeln!(out, "      {}", painter.paint(dim, &facts.join(" · ")));
            for attribute in &change.attributes {
                write_attribute(&mut out, &painter, attribute);
            }
            if let Some(reason) = &change.reason {
                let _ = writeln!(out, "      why: {reason}");
            }
            for note in &change.notes {
                let _ = writeln!(out, "      note: {note}");
            }
            if !change.depends_on.is_empty() {
                let _ = writeln!(out, "      {}", painter.paint(dim, &format!("after: {}", change.depends_on.join(", "))));
            }
            write_cost(&mut out, &painter, change, "      ");
        }
    }

    if !plan.warnings.is_empty() {
        let _ = writeln!(out, "\n{}", painter.paint(bold, "Warnings"));
        for warning in &plan.warnings {
            let at = warning.source.as_ref().map(|source| format!(" ({source})")).unwrap_or_default();
            let _ = writeln!(out, "  {} {}{at}", painter.paint(color(AnsiColor::Yellow), "!"), warning.message);
        }
    }

    if plan.has_errors() {
        let _ = writeln!(out, "\n{}", painter.paint(bold, "Errors: nothing can be applied until they are fixed"));
        for error in &plan.errors {
            let at = error.source.as_ref().map(|source| format!(" ({source})")).unwrap_or_default();
            let _ = writeln!(out, "  {} {}{at}", painter.paint(color(AnsiColor::Red), "x"), error.message);
        }
    }

    let risky = risky(plan);
    if !risky.is_empty() {
        let _ = writeln!(out, "\n{}", painter.paint(bold, "Needs a second look"));
        for (action, address, risk) in risky {
            let _ = writeln!(out, "  {} {address}: {risk}", painter.paint(action_style(action), action.marker()));
        }
    }

    let _ = writeln!(out, "\n{}", painter.paint(bold, &summary_line(plan)));
    // "No changes" needs no price.
    if let Some(cost) = plan.cost.as_ref().filter(|_| !plan.changes.is_empty()) {
        if !cost.not_estimated.is_empty() {
            let _ = writeln!(out, "\n{}", painter.paint(bold, "Not estimated"));
            for reason in &cost.not_estimated {
                let _ = writeln!(out, "  - {reason}");
            }
        }
        let _ = writeln!(out, "\n{}", painter.paint(dim, &format!("Prices: {}.", cost.prices)));
        let _ = writeln!(out, "{}", painter.paint(bold, &impact_line(cost)));
    }
    out
}

/// `Estimated monthly impact: -$144 (from about $1,020 to about $876)`: to the dollar,
/// or to the cent where the sums are under $100.
pub(crate) fn impact_line(cost: &crate::plan::CostSummary) -> String {
    if cost.estimated == 0 {
        return "Estimated monthly impact: none of these changes could be estimated".to_owned();
    }
    let small = cost.before_usd.abs().max(cost.after_usd.abs()) < 100.0;
    let change = if small { money::cents_change(cost.monthly_usd) } else { money::whole_change(cost.monthly_usd) };
    let amount = |usd: f64| if small { money::dollars(usd) } else { money::whole_dollars(usd) };
    format!(
        "Estimated monthly impact: {} (from about {} to about {}, for {} of these changes)",
        change,
        amount(cost.before_usd),
        amount(cost.after_usd),
        cost.estimated
    )
}

/// A change's estimate: the figure and its arithmetic, then what it rests on. A change
/// that costs nothing is left unsaid unless it bounds a cost (a cap).
fn write_cost(out: &mut String, painter: &Painter, change: &Change, indent: &str) {
    let Some(estimate) = &change.cost else { return };
    if estimate.monthly_usd == 0.0 && estimate.before_usd == 0.0 && estimate.after_usd == 0.0 && estimate.worst_case.is_none() {
        return;
    }
    let _ = writeln!(out, "{indent}cost: {}: {}", money::monthly(estimate.monthly_usd), estimate.arithmetic);
    if let Some(bound) = &estimate.worst_case {
        let _ = writeln!(out, "{indent}      worst case: {} -> {} a month", money::dollars(bound.before_usd), money::dollars(bound.after_usd));
    }
    if !estimate.basis.is_empty() {
        let _ = writeln!(out, "{indent}      {}", painter.paint(Style::new().dimmed(), &estimate.basis.join("; ")));
    }
}

fn write_attribute(out: &mut String, painter: &Painter, attribute: &AttributeChange) {
    let before = attribute.before.as_deref();
    let after = attribute.after.as_deref();
    let multiline = before.is_some_and(|text| text.contains('\n')) || after.is_some_and(|text| text.contains('\n'));
    if multiline {
        let _ = writeln!(out, "      {}:", attribute.name);
        let diff = TextDiff::from_lines(before.unwrap_or_default(), after.unwrap_or_default());
        for line in diff.iter_all_changes() {
            let (sign, style) = match line.tag() {
                ChangeTag::Delete => ("-", color(AnsiColor::Red)),
                ChangeTag::Insert => ("+", color(AnsiColor::Green)),
                ChangeTag::Equal => (" ", Style::new()),
            };
            let _ = writeln!(out, "        {}", painter.paint(style, &format!("{sign} {}", line.value().trim_end_matches('\n'))));
        }
        return;
    }
    let red = color(AnsiColor::Red);
    let green = color(AnsiColor::Green);
    let line = match (before, after) {
        (None, Some(after)) => painter.paint(green, after),
        (Some(before), None) => format!("{} -> (removed)", painter.paint(red, before)),
        (Some(before), Some(after)) => format!("{} -> {}", painter.paint(red, before), painter.paint(green, after)),
        (None, None) => "(none)".to_owned(),
    };
    let _ = writeln!(out, "      {}: {line}", attribute.name);
}

/// An Aurora encryption migration as one block: what changes, why, then one line per
/// step still to do, the cutover last.
fn write_migration(out: &mut String, painter: &Painter, plan: &Plan, cluster: &str) {
    let steps: Vec<&Change> = plan.changes.iter().filter(|change| change.migration_step().is_some_and(|(of, _)| of == cluster)).collect();
    let made = steps.iter().filter(|change| change.action != Action::Manual).count();
    let name = Kind::AuroraCluster.name_in(cluster);
    let outcome = if made == 0 {
        "is migrated: the cutover is left, for a person".to_owned()
    } else {
        format!("will be encrypted by a migration: {}, then a cutover by a person", count(made, "step"))
    };
    let action = if made == 0 { Action::Manual } else { Action::Replace };
    let marker = painter.paint(action_style(action), &format!("{:>3}", action.marker()));
    let _ = writeln!(out, "{marker} {}  {}", painter.paint(Style::new().bold(), name), painter.paint(Style::new().dimmed(), &outcome));
    let first = steps[0];
    let facts = if made > 0 { format!("from {} · forces replacement, never deletes", first.source) } else { format!("from {}", first.source) };
    let _ = writeln!(out, "      {}", painter.paint(Style::new().dimmed(), &facts));
    let restore = steps.iter().find(|change| change.migration_step().is_some_and(|(_, step)| step == "restore"));
    if let Some(restore) = restore {
        for attribute in restore.attributes.iter().filter(|attribute| attribute.name != "cluster") {
            write_attribute(out, painter, attribute);
        }
        if let Some(reason) = &restore.reason {
            let _ = writeln!(out, "      why: {reason}");
        }
    }
    for change in &steps {
        let step = change.migration_step().map(|(_, step)| step).unwrap_or_default();
        let summary: Vec<String> = change
            .attributes
            .iter()
            .filter(|attribute| change.action == Action::Manual || !matches!(attribute.name.as_str(), "storage_encrypted" | "kms_key") || step == "copy")
            .map(|attribute| match (&attribute.before, &attribute.after) {
                (Some(before), Some(after)) => format!("{}: {before} -> {after}", attribute.name),
                (_, Some(after)) if step == "copy" && attribute.name == "kms_key" => format!("under {after}"),
                (_, Some(after)) => after.clone(),
                _ => String::new(),
            })
            .collect();
        let marker = painter.paint(action_style(change.action), change.action.marker());
        let _ = writeln!(out, "      {marker} {step:<10}{}", summary.join(if step == "cutover" { "; " } else { " " }));
        for note in &change.notes {
            let _ = writeln!(out, "                   {note}");
        }
        write_cost(out, painter, change, "                   ");
    }
}

/// Replacements, deletions and manual steps are the changes a reviewer must not miss.
pub(crate) fn is_risky(change: &Change) -> bool {
    matches!(change.action, Action::Replace | Action::Delete | Action::Manual)
        || change.flags.contains(&Flag::DeletesData)
        || change.flags.contains(&Flag::StopsAudit)
        || change.flags.contains(&Flag::ForcesReplacement)
}

/// The risky changes, one line each, an encryption migration's steps as one line.
pub(crate) fn risky(plan: &Plan) -> Vec<(Action, String, String)> {
    let mut lines = Vec::new();
    let mut migrations: Vec<&str> = Vec::new();
    for change in plan.changes.iter().filter(|change| is_risky(change)) {
        if let Some((cluster, _)) = change.migration_step() {
            if migrations.contains(&cluster) {
                continue;
            }
            migrations.push(cluster);
            let steps: Vec<&str> = plan
                .changes
                .iter()
                .filter_map(|other| other.migration_step().filter(|(of, _)| *of == cluster).map(|(_, step)| step))
                .filter(|step| *step != "cutover")
                .collect();
            let risk = if steps.is_empty() {
                "the encryption migration is made: a person switches the application over (holdfast runbook prints how)".to_owned()
            } else {
                format!(
                    "encryption migration ({}): a new cluster beside the old, which stays; apply needs --allow-replace; then a person switches over",
                    steps.join(", ")
                )
            };
            lines.push((if steps.is_empty() { Action::Manual } else { Action::Replace }, format!("{cluster}/encryption"), risk));
            continue;
        }
        lines.push((change.action, change.address.clone(), risk(change)));
    }
    lines
}

pub(crate) fn risk(change: &Change) -> String {
    let mut parts: Vec<String> =
        change.flags.iter().filter(|flag| matches!(flag, Flag::ForcesReplacement | Flag::DeletesData)).map(|flag| flag.describe().to_owned()).collect();
    match change.action {
        Action::Replace => parts.push("apply needs --allow-replace".to_owned()),
        Action::Delete => parts.push("apply needs --allow-delete".to_owned()),
        _ if change.flags.contains(&Flag::StopsAudit) => parts.push("stops an audit log; apply needs --allow-delete".to_owned()),
        Action::Manual => parts.push(change.reason.clone().unwrap_or_else(|| "a person must act".to_owned())),
        _ => {}
    }
    parts.join("; ")
}

pub(crate) fn summary_line(plan: &Plan) -> String {
    let summary = &plan.summary;
    if summary.total() == 0 && plan.left_out > 0 {
        let (count, verb) = if plan.left_out == 1 { ("1 change", "is") } else { (&*format!("{} changes", plan.left_out), "are") };
        return format!("No change matched --target / --exclude; {count} outside them {verb} not shown.");
    }
    if summary.total() == 0 && plan.has_errors() {
        return format!("No changes planned, and {}.", count(plan.errors.len(), "error"));
    }
    if summary.total() == 0 {
        return "No changes. The account matches the desired state.".to_owned();
    }
    let mut line = format!("Plan: {} to create, {} to update, {} to replace, {} to delete", summary.create, summary.update, summary.replace, summary.delete);
    if summary.manual > 0 {
        let _ = write!(line, ", {} for a person", summary.manual);
    }
    if plan.left_out > 0 {
        let _ = write!(line, "; {} left out by --target / --exclude", count(plan.left_out, "change"));
    }
    line.push('.');
    line
}

/// "1 change", "3 changes", "2 entries".
pub fn count(number: usize, noun: &str) -> String {
    // "entry", "entries"; but "day", "days".
    match (number, noun.strip_suffix('y').filter(|stem| !stem.ends_with(['a', 'e', 'o', 'u']))) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{number} {stem}ies"),
        (_, None) => format!("{number} {noun}s"),
    }
}
