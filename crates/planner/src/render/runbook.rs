//! An Aurora encryption migration as a Markdown runbook a change-approval board can sign:
//! every step with its exact names, what it does and takes, its state on AWS now, then
//! the cutover and the rollback, which a person carries out.

use std::fmt::Write;

use crate::aurora::migration::{Migration, State};

/// `account`, `region` and `read_at` say where and when the state was read; `desired` is
/// the desired-state folder, for the commands it gives.
pub fn runbook(migration: &Migration, account: &str, region: &str, read_at: &str, desired: &str) -> String {
    let m = migration;
    let mut out = String::new();
    let _ = writeln!(out, "# Encrypting Aurora cluster `{}`\n", m.source);
    let _ = writeln!(out, "Account {account} ({region}), state read at {read_at}. Asked for by {}.\n", m.entry);
    let method = if m.via_copy {
        format!("a snapshot of the source, copied under `{}`, restored as a new cluster", m.kms_key)
    } else {
        format!("a snapshot of the source, restored straight into a new cluster under `{}` (no copy of the data is made)", m.kms_key)
    };
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| Source, kept and never changed by holdfast | `{}` ({}) |", m.source, m.engine);
    let _ = writeln!(out, "| New cluster | `{}`, encrypted under `{}` |", m.new_cluster, m.kms_key);
    let _ = writeln!(out, "| Method | {method} |");
    let _ = writeln!(out, "| Cost while both exist | {} |", m.cost.trim_start_matches("cost until the old cluster is deleted: "));
    let _ = writeln!(out, "| Data in the new cluster | as of the snapshot ({}) |", m.snapshot_taken.as_deref().unwrap_or("not taken yet"));

    let _ = writeln!(out, "\n## Steps holdfast carries out\n");
    let plan_file = format!("{}.plan.json", m.source);
    let desired = shell_word(desired);
    let _ = writeln!(
        out,
        "Plan this migration alone, review the plan, then apply that plan file:\n\n```sh\nholdfast plan --desired {desired} --target 'aurora.cluster/{}/encryption/*' --out {plan_file}\nholdfast apply {plan_file} --desired {desired} --allow-replace\n```\n\n\
         Each step waits for the one before (`--wait` sets how long, 1 hour by default). An apply stopped or timed out at any point continues from where AWS is when run again \
         (plan again, then apply), and never makes a step twice: progress is the `holdfast:encrypts` tag on what each step made.\n",
        m.source
    );
    let _ = writeln!(out, "| # | Step | Makes | State now |\n|---|---|---|---|");
    for (number, step) in m.steps.iter().enumerate() {
        let _ = writeln!(out, "| {} | {} | {} | {} |", number + 1, step.name, step.what, step.state.describe());
    }
    for (number, step) in m.steps.iter().enumerate() {
        let _ = writeln!(out, "\n### {}. {}\n\n{}", number + 1, step.name, step.explain);
        for note in &step.notes {
            let _ = writeln!(out, "\n- {note}");
        }
        if let State::InProgress(detail) = &step.state {
            let _ = writeln!(out, "\n- In progress on AWS now: {detail}.");
        }
    }

    let c = &m.cutover;
    let old_writer = c.old_writer.as_deref().unwrap_or("(the source has no writer endpoint listed)");
    let code = |host: &Option<String>, what: &str| {
        host.as_ref().map_or_else(|| format!("the {what} endpoint of `{}`, known once it is restored", m.new_cluster), |host| format!("`{host}`"))
    };
    let _ = writeln!(out, "\n## Cutover, by a person\n");
    let _ = writeln!(out, "Old writer endpoint: `{old_writer}`  \nNew writer endpoint: {}  ", code(&c.new_writer, "writer"));
    if let Some(old) = &c.old_reader {
        let _ = writeln!(out, "Old reader endpoint: `{old}`  \nNew reader endpoint: {}", code(&c.new_reader, "reader"));
    }
    let _ = writeln!(
        out,
        "\n1. Stop the writes to `{}` (a maintenance window), or accept that writes after the snapshot are not in `{}`.",
        m.source, m.new_cluster
    );
    let _ = writeln!(
        out,
        "2. Check the new cluster: connect to the new writer endpoint with the source's credentials, compare row counts of the main tables and the latest timestamps with the source."
    );
    let _ = writeln!(out, "3. Switch what holds the old address to the new one:");
    if c.services_read == 0 {
        let _ = writeln!(
            out,
            "   - holdfast read no ECS service for this desired state (no `[[ecs.service]]` or `[[ecs.task_secrets]]` entry selects one), so it looked nowhere: check everything that connects to the old cluster."
        );
    } else if c.references.is_empty() && c.unread.is_empty() {
        let _ = writeln!(
            out,
            "   - holdfast found nothing in the task definitions of the {} services it read that names the old cluster; check your secrets and other configuration.",
            c.services_read
        );
    }
    for reference in &c.references {
        let _ = writeln!(out, "   - {reference}");
    }
    for secret in &c.unread {
        let _ = writeln!(out, "   - check (holdfast does not read its value): {secret}");
    }
    if let Some(secret) = &c.master_user_secret {
        let _ = writeln!(
            out,
            "   - RDS manages the source's master password in Secrets Manager (`{secret}`); the new cluster starts with the snapshot's password: set its credentials as you want them before switching."
        );
    }
    let _ = writeln!(out, "4. Redeploy the services that read them (a new ECS deployment), and watch them start.");
    let _ = writeln!(
        out,
        "5. Confirm: the application works; `DatabaseConnections` of `{}` falls to zero and that of `{}` rises (CloudWatch, AWS/RDS).",
        m.source, m.new_cluster
    );
    let _ = writeln!(
        out,
        "6. Point the desired state at the new cluster, so `{}` is no longer selected (a `match` that names `{}`); the next plan then shows no migration.",
        m.source, m.new_cluster
    );

    let _ = writeln!(out, "\n## Rollback\n");
    let _ = writeln!(out, "- Before the switch: nothing to undo. `{}` was never changed.", m.source);
    let _ = writeln!(out, "- After the switch, before new writes: switch the references back to `{old_writer}` and redeploy.");
    let _ = writeln!(
        out,
        "- After writes reached `{}`: those writes are only there; switching back loses them unless they are copied back (pg_dump of the changed tables, or logical replication).",
        m.new_cluster
    );
    let _ = writeln!(
        out,
        "- holdfast deletes nothing of this migration: the snapshot{}, the new cluster and its instances stay until a person deletes them.",
        if m.via_copy { ", the copy" } else { "" }
    );

    let _ = writeln!(
        out,
        "\n## Approval\n\n| Role | Name | Date | Signature |\n|---|---|---|---|\n| Change owner | | | |\n| Approver | | | |\n| Database owner | | | |"
    );
    out
}

/// A word as a POSIX shell reads it back: quoted when it holds anything but the plainest
/// characters.
fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@+".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
