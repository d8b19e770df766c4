//! The steps of an Aurora encryption migration. Each confirms, at the moment of acting,
//! what it rests on: the key is usable, the names are free or hold what this migration
//! made (its tag says so), the snapshot is the migration's own and available, the source
//! is configured as planned. A step whose resource already exists, made by an earlier
//! run, is waited for instead of made again. Nothing is ever deleted or modified.

use std::time::{Duration, Instant};

use holdfast_aws::{Aws, aurora};
use holdfast_inventory::aurora::{Cluster, ClusterSnapshot, MIGRATION_SOURCE_TAG};
use holdfast_planner::operation::{MigratedInstance, Operation};

use crate::execute::{Executed, key_is_enabled};
use crate::{Stop, Watch};

/// How long a step is waited for, how often AWS is asked, and what may cut the wait short.
pub(crate) struct Waiting<'a> {
    pub timeout: Duration,
    pub poll: Duration,
    pub stop: &'a Stop,
    pub watch: Option<&'a dyn Watch>,
}

pub(crate) async fn execute(aws: &Aws, operation: &Operation, waiting: &Waiting<'_>) -> Result<Executed, String> {
    let text = |error: holdfast_aws::AwsError| error.to_string();
    let mut said = Vec::new();
    match operation {
        Operation::SnapshotForEncryption { cluster, snapshot, kms_key, tags } => {
            key_is_usable(aws, kms_key).await?;
            match ours(aurora::describe_cluster_snapshot(aws, snapshot).await.map_err(text)?, cluster, "snapshot")? {
                Some(_) => said.push(format!("{snapshot} was made by an earlier run: waited for it, not made again")),
                None => {
                    let source = source_now(aws, cluster).await?;
                    if source.status.as_deref().is_some_and(|status| status != "available") {
                        return Err(format!(
                            "{cluster} is {}: a snapshot needs it available; nothing was made; run apply again when it is",
                            source.status.as_deref().unwrap_or_default()
                        ));
                    }
                    aurora::create_cluster_snapshot(aws, cluster, snapshot, tags).await.map_err(text)?;
                }
            }
            wait_for_snapshot(aws, snapshot, waiting, said).await
        }
        Operation::CopySnapshotForEncryption { cluster, snapshot, copy, kms_key, tags } => {
            key_is_usable(aws, kms_key).await?;
            match ours(aurora::describe_cluster_snapshot(aws, copy).await.map_err(text)?, cluster, "copy")? {
                Some(found) => {
                    let snapshot_arn = aurora::describe_cluster_snapshot(aws, snapshot).await.map_err(text)?.map(|found| found.arn);
                    if let (Some(origin), Some(expected)) = (&found.copied_from, &snapshot_arn)
                        && origin != expected
                    {
                        return Err(format!(
                            "{copy} was copied from {origin}, not from the migration's snapshot {expected}: nothing was restored from it; delete it by hand"
                        ));
                    }
                    said.push(format!("{copy} was made by an earlier run: waited for it, not made again"));
                }
                None => {
                    available_snapshot_of(aws, snapshot, cluster).await?;
                    aurora::copy_cluster_snapshot(aws, snapshot, copy, kms_key, tags).await.map_err(text)?;
                }
            }
            let result = wait_for_snapshot(aws, copy, waiting, said).await?;
            if matches!(result, Executed::Yes(_))
                && let Some(made) = aurora::describe_cluster_snapshot(aws, copy).await.map_err(text)?
                && !made.storage_encrypted
            {
                return Err(format!(
                    "RDS made the copy {copy} unencrypted, though it named {kms_key}: holdfast deletes nothing; delete it by hand, then apply again"
                ));
            }
            Ok(result)
        }
        Operation::RestoreEncryptedCluster { source, snapshot, cluster, kms_key, engine, engine_version, settings, scaling, tags } => {
            key_is_usable(aws, kms_key).await?;
            match aurora::describe_cluster(aws, cluster).await.map_err(text)? {
                Some(found) if found.migration_source() == Some(source.as_str()) => {
                    said.push(format!("{cluster} was restored by an earlier run: waited for it, not restored again"));
                }
                Some(_) => {
                    return Err(format!(
                        "a cluster named {cluster} exists that this migration did not make (no {MIGRATION_SOURCE_TAG} = {source} tag): nothing was restored; give the entry another new_name"
                    ));
                }
                None => {
                    available_snapshot_of(aws, snapshot, source).await?;
                    // The restore copies the settings the plan read: a source changed since
                    // then would be copied wrongly.
                    let now = source_now(aws, source).await?;
                    if now.settings.as_ref() != Some(settings) || &now.engine_version != engine_version {
                        return Err(format!("the settings of {source} changed since the plan: nothing was restored; plan again"));
                    }
                    let new =
                        aurora::NewCluster { identifier: cluster, snapshot, engine, engine_version, kms_key: Some(kms_key), settings, scaling: *scaling, tags };
                    aurora::restore_cluster(aws, &new).await.map_err(text)?;
                }
            }
            let what = format!("cluster {cluster}");
            let waited = wait(&what, waiting, || async {
                match aurora::describe_cluster(aws, cluster).await.map_err(text)? {
                    None => Err(format!("{cluster} is gone: RDS did not keep the restore; apply again")),
                    Some(found) => status_poll(&what, found.status.as_deref().unwrap_or("available"), None),
                }
            })
            .await?;
            if let Some(in_progress) = waited {
                return Ok(in_progress);
            }
            encrypted_as_asked(aws, cluster, kms_key).await?;
            Ok(Executed::Yes(said))
        }
        Operation::CreateMigratedInstances { source, cluster, kms_key, engine, instances } => {
            key_is_usable(aws, kms_key).await?;
            let target = encrypted_as_asked(aws, cluster, kms_key).await?;
            if target.migration_source() != Some(source.as_str()) {
                return Err(format!("{cluster} was not made by this migration (no {MIGRATION_SOURCE_TAG} = {source} tag): no instance was added"));
            }
            let existing = target.instances.unwrap_or_default();
            for instance in instances {
                if let Some(made) = existing.iter().find(|made| made.identifier == instance.identifier) {
                    if made.tags.get(MIGRATION_SOURCE_TAG) != Some(source) {
                        return Err(format!(
                            "the instance {} in {cluster} was not made by this migration (no {MIGRATION_SOURCE_TAG} = {source} tag): no instance was added; plan again",
                            made.identifier
                        ));
                    }
                    continue;
                }
                if let Some(elsewhere) = aurora::instance_cluster(aws, &instance.identifier).await.map_err(text)? {
                    return Err(format!(
                        "an instance named {} exists already, in {elsewhere}: it was left alone, and no more instances were added",
                        instance.identifier
                    ));
                }
                aurora::create_instance(aws, &new_instance(instance, cluster, engine)).await.map_err(text)?;
            }
            let what = format!("the instances of {cluster}");
            let waited = wait(&what, waiting, || async {
                let found = aurora::describe_cluster(aws, cluster).await.map_err(text)?.and_then(|found| found.instances).unwrap_or_default();
                let pending: Vec<String> = instances
                    .iter()
                    .map(|instance| match found.iter().find(|made| made.identifier == instance.identifier) {
                        Some(made) if made.status == "available" => Ok(None),
                        Some(made) if holdfast_planner::migration_is_settling(&made.status) => Ok(Some(format!("{} {}", made.identifier, made.status))),
                        Some(made) => Err(format!(
                            "the instance {} is {}: holdfast deletes nothing it made; look at its events, delete it by hand if it cannot be used, then apply again",
                            made.identifier, made.status
                        )),
                        None => Ok(Some(format!("{} not listed yet", instance.identifier))),
                    })
                    .collect::<Result<Vec<_>, String>>()?
                    .into_iter()
                    .flatten()
                    .collect();
                Ok(if pending.is_empty() { Poll::Ready } else { Poll::Pending(pending.join(", ")) })
            })
            .await?;
            Ok(waited.unwrap_or(Executed::Yes(said)))
        }
        _ => unreachable!("only Aurora migration steps are executed here"),
    }
}

fn new_instance<'a>(instance: &'a MigratedInstance, cluster: &'a str, engine: &'a str) -> aurora::NewInstance<'a> {
    aurora::NewInstance {
        identifier: &instance.identifier,
        cluster,
        engine,
        class: &instance.class,
        promotion_tier: instance.promotion_tier,
        parameter_group: instance.parameter_group.as_deref(),
        availability_zone: instance.availability_zone.as_deref(),
        publicly_accessible: instance.publicly_accessible,
        tags: &instance.tags,
    }
}

/// A key the steps encrypt under must exist and be enabled: checked by every step, so a
/// missing key stops the chain before anything is made. An AWS managed alias exists once
/// RDS first uses it.
async fn key_is_usable(aws: &Aws, key: &str) -> Result<(), String> {
    key_is_enabled(aws, key).await.map_err(|error| format!("{error}; the migration stopped before this step"))
}

/// The snapshot of that name if this migration made it; an error if someone else did.
fn ours(found: Option<ClusterSnapshot>, source: &str, what: &str) -> Result<Option<ClusterSnapshot>, String> {
    match found {
        // A tag can be copied onto anything: the data's origin is checked too.
        Some(found) if found.tags.get(MIGRATION_SOURCE_TAG).map(String::as_str) == Some(source) && found.cluster != source => Err(format!(
            "the snapshot {} is tagged {MIGRATION_SOURCE_TAG} = {source} but was taken of {}: no {what} was made from another cluster's data; delete it by hand",
            found.identifier, found.cluster
        )),
        Some(found) if found.tags.get(MIGRATION_SOURCE_TAG).map(String::as_str) == Some(source) => Ok(Some(found)),
        Some(found) => Err(format!(
            "a snapshot named {} exists that this migration did not make (no {MIGRATION_SOURCE_TAG} = {source} tag): no {what} was made; rename or delete it by hand",
            found.identifier
        )),
        None => Ok(None),
    }
}

async fn source_now(aws: &Aws, source: &str) -> Result<Cluster, String> {
    aurora::describe_cluster(aws, source)
        .await
        .map_err(|error| error.to_string())?
        .ok_or_else(|| format!("the source cluster {source} no longer exists: nothing was made; plan again"))
}

/// The step before made this snapshot, and it is available.
async fn available_snapshot_of(aws: &Aws, snapshot: &str, source: &str) -> Result<(), String> {
    let found = aurora::describe_cluster_snapshot(aws, snapshot).await.map_err(|error| error.to_string())?;
    match ours(found, source, "next step")? {
        Some(found) if found.status == "available" => Ok(()),
        Some(found) => Err(format!("{snapshot} is {}, not available: nothing was made from it; run apply again", found.status)),
        None => Err(format!("{snapshot} does not exist: nothing was made; plan again")),
    }
}

/// The new cluster is encrypted, under the key asked for where that can be told: never
/// trusted to the restore call, which an emulator (and any bug) may answer otherwise.
async fn encrypted_as_asked(aws: &Aws, cluster: &str, kms_key: &str) -> Result<Cluster, String> {
    let found =
        aurora::describe_cluster(aws, cluster).await.map_err(|error| error.to_string())?.ok_or_else(|| format!("{cluster} does not exist: plan again"))?;
    if !found.encrypted_at_rest() {
        return Err(format!(
            "RDS restored {cluster} unencrypted, though the restore named {kms_key}: holdfast deletes nothing it made and adds nothing to it; delete it by hand, then apply again (with migration = \"copy\" if this endpoint ignores the key on a direct restore)"
        ));
    }
    // Both are resolved to a key ARN (RDS may report an alias or an ARN); one that cannot
    // be resolved here cannot be compared, and is not taken as a mismatch. An AWS managed
    // alias is its service's one key in the account.
    if let Some(found_key) = &found.kms_key_id
        && found_key != kms_key
        && !kms_key.starts_with("alias/aws/")
        && let (Ok(asked), Ok(made)) = (holdfast_aws::kms::describe_key(aws, kms_key).await, holdfast_aws::kms::describe_key(aws, found_key).await)
        && asked.arn != made.arn
    {
        return Err(format!(
            "RDS restored {cluster} under {}, not {kms_key} ({}): holdfast deletes nothing; delete it by hand, then apply again",
            made.arn, asked.arn
        ));
    }
    Ok(found)
}

async fn wait_for_snapshot(aws: &Aws, snapshot: &str, waiting: &Waiting<'_>, said: Vec<String>) -> Result<Executed, String> {
    let what = format!("snapshot {snapshot}");
    let waited = wait(&what, waiting, || async {
        match aurora::describe_cluster_snapshot(aws, snapshot).await.map_err(|error| error.to_string())? {
            None => Err(format!("{snapshot} is gone: RDS did not keep it; apply again")),
            Some(found) => status_poll(&what, &found.status, found.percent_progress),
        }
    })
    .await?;
    Ok(waited.unwrap_or(Executed::Yes(said)))
}

pub(crate) enum Poll {
    Ready,
    Pending(String),
}

fn status_poll(what: &str, status: &str, percent: Option<i32>) -> Result<Poll, String> {
    match status {
        "available" => Ok(Poll::Ready),
        status if holdfast_planner::migration_is_settling(status) => {
            Ok(Poll::Pending(percent.map_or_else(|| status.to_owned(), |percent| format!("{status}, {percent}%"))))
        }
        status => Err(format!("{what} is {status}: holdfast deletes nothing it made; look at it in the RDS console, delete it by hand, then apply again")),
    }
}

/// Asks until ready, for at most the timeout; None when ready, or the step still in
/// progress when time ran out or a stop was asked for (AWS goes on; a re-run continues).
async fn wait<F, Fut>(what: &str, waiting: &Waiting<'_>, mut check: F) -> Result<Option<Executed>, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Poll, String>>,
{
    let started = Instant::now();
    loop {
        let detail = match check().await? {
            Poll::Ready => {
                if let Some(watch) = waiting.watch {
                    watch.finished(what);
                }
                return Ok(None);
            }
            Poll::Pending(detail) => detail,
        };
        let elapsed = started.elapsed();
        if let Some(watch) = waiting.watch {
            watch.waiting(what, &detail, elapsed, waiting.timeout);
        }
        if elapsed >= waiting.timeout {
            return Ok(Some(Executed::InProgress(format!(
                "{what}: still {detail} after {}; AWS goes on with it; run apply again to continue from there (--wait sets how long a step is waited for)",
                minutes(elapsed)
            ))));
        }
        if waiting.stop.is_requested() {
            return Ok(Some(Executed::InProgress(format!(
                "{what}: still {detail}; the apply was stopped while waiting; AWS goes on with it; run apply again to continue"
            ))));
        }
        // Sleep in short slices, so a stop is heeded within a second.
        let until = started + waiting.timeout.min(elapsed + waiting.poll);
        while Instant::now() < until && !waiting.stop.is_requested() {
            tokio::time::sleep((until - Instant::now()).min(Duration::from_secs(1))).await;
        }
    }
}

fn minutes(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs();
    if seconds < 120 { format!("{seconds} s") } else { format!("{} min", seconds / 60) }
}

#[cfg(test)]
mod tests {
    //! The wait, whose in-progress paths the emulator never reaches: everything there is
    //! available at once.

    use std::cell::Cell;

    use super::*;

    fn waiting(stop: &Stop, timeout: Duration) -> Waiting<'_> {
        Waiting { timeout, poll: Duration::from_millis(5), stop, watch: None }
    }

    #[tokio::test]
    async fn a_step_that_becomes_available_is_waited_for_and_done() {
        let stop = Stop::default();
        let asked = Cell::new(0);
        let waited = wait("snapshot s", &waiting(&stop, Duration::from_secs(5)), || {
            asked.set(asked.get() + 1);
            let answer = if asked.get() < 3 { Poll::Pending("creating, 40%".to_owned()) } else { Poll::Ready };
            async move { Ok(answer) }
        })
        .await
        .expect("no error");
        assert!(waited.is_none(), "ready");
        assert_eq!(asked.get(), 3, "asked until it was available");
    }

    #[tokio::test]
    async fn a_step_still_in_progress_at_the_timeout_is_reported_so_and_a_rerun_continues() {
        let stop = Stop::default();
        let waited =
            wait("snapshot s", &waiting(&stop, Duration::from_millis(30)), || async { Ok(Poll::Pending("creating, 40%".to_owned())) }).await.expect("no error");
        let Some(Executed::InProgress(state)) = waited else { panic!("still in progress") };
        assert!(state.starts_with("snapshot s: still creating, 40% after"), "{state}");
        assert!(state.contains("run apply again to continue from there"), "{state}");

        // --wait 0: started, and not waited for.
        let waited = wait("snapshot s", &waiting(&stop, Duration::ZERO), || async { Ok(Poll::Pending("creating".to_owned())) }).await.expect("no error");
        assert!(matches!(waited, Some(Executed::InProgress(_))));
    }

    #[tokio::test]
    async fn a_stop_ends_the_wait_at_once_and_a_failed_state_is_an_error() {
        let stop = Stop::default();
        stop.request("interrupted");
        let started = Instant::now();
        let waited =
            wait("cluster c", &waiting(&stop, Duration::from_secs(600)), || async { Ok(Poll::Pending("creating".to_owned())) }).await.expect("no error");
        assert!(matches!(&waited, Some(Executed::InProgress(state)) if state.contains("the apply was stopped while waiting")));
        assert!(started.elapsed() < Duration::from_secs(5));

        let failed = status_poll("cluster c", "incompatible-restore", None).err().expect("an error");
        assert!(failed.contains("holdfast deletes nothing it made"), "{failed}");
        assert!(matches!(status_poll("snapshot s", "creating", Some(12)), Ok(Poll::Pending(state)) if state == "creating, 12%"));
    }
}
