//! Where a check keeps its memory: a JSON-lines file, an S3 object (for a scheduled job
//! with no disk), or, in watch mode without either, the process itself.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use holdfast_aws::Aws;
use holdfast_aws::objects::{self, Written};
use holdfast_planner::drift::{KEPT_RECORDS, Memory, Record};

use crate::DriftError;

/// Conditional writes that lose to another runner are retried this many times.
const ATTEMPTS: usize = 5;
/// How long a check waits for another runner's lock on a history file: well inside the
/// grace a signal gives a check under way.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Takes the file's lock, waiting at most `wait` for whoever holds it.
fn lock_within(file: &std::fs::File, wait: std::time::Duration) -> Result<(), String> {
    let started = std::time::Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => std::thread::sleep(std::time::Duration::from_millis(50)),
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!("is locked by another runner, still after {} s: is a check stuck? (flock shows who holds it)", wait.as_secs()));
            }
            Err(std::fs::TryLockError::Error(error)) => return Err(format!("cannot be locked: {error}")),
        }
    }
}

#[derive(Debug)]
pub enum History {
    File(PathBuf),
    S3 {
        bucket: String,
        key: String,
    },
    /// Only for as long as the process runs: `--every` without `--history`.
    Process(Mutex<Memory>),
}

/// The checks of one process (an accounts file) take turns at the shared history, so
/// only another process can ever make a conditional write lose.
static TURNS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl History {
    /// `s3://bucket/key` or a file path.
    pub fn parse(text: &str) -> Result<History, DriftError> {
        match text.strip_prefix("s3://") {
            Some(rest) => match rest.split_once('/') {
                Some((bucket, key)) if !bucket.is_empty() && !key.is_empty() && !key.ends_with('/') => {
                    Ok(History::S3 { bucket: bucket.to_owned(), key: key.to_owned() })
                }
                _ => Err(DriftError::Input(format!("--history {text}: write s3://BUCKET/KEY, naming the object (drift/history.jsonl)"))),
            },
            None => Ok(History::File(PathBuf::from(text))),
        }
    }

    pub fn place(&self) -> String {
        match self {
            History::File(path) => path.display().to_string(),
            History::S3 { bucket, key } => format!("s3://{bucket}/{key}"),
            History::Process(_) => "kept in memory".to_owned(),
        }
    }

    fn error(&self, message: impl Into<String>) -> DriftError {
        DriftError::History { place: self.place(), message: message.into() }
    }

    /// Reads the memory, lets `decide` make this check's record from it, and adds that
    /// record, as one step no other runner can interleave with: a file is locked for it,
    /// and an S3 object is replaced only if nobody wrote it since it was read (If-Match,
    /// or If-None-Match when new); a runner that loses reads again and decides again. So
    /// of two runners that see the same new drift, only the first claims its notification.
    /// Returns what `decide` returned, and the lines of the history that were skipped.
    pub async fn transact<T>(&self, aws: &Aws, mut decide: impl FnMut(&Memory) -> (Record, T)) -> Result<(T, Vec<String>), DriftError> {
        let _turn = TURNS.lock().await;
        match self {
            History::File(path) => {
                let path = path.clone();
                let place = self.place();
                // File locks block: taken off the async workers.
                let step = tokio::task::block_in_place(|| -> Result<(T, Vec<String>), String> {
                    let mut file = std::fs::OpenOptions::new().create(true).read(true).append(true).open(&path).map_err(|error| error.to_string())?;
                    if !file.metadata().map_err(|error| error.to_string())?.is_file() {
                        return Err("is not a regular file".to_owned());
                    }
                    lock_within(&file, LOCK_WAIT)?;
                    let mut bytes = Vec::new();
                    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(|error| format!("cannot be read: {error}"))?;
                    // A stray byte that is not UTF-8 spoils its line only, which is skipped.
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    let (mut memory, skipped) = Memory::parse(&text);
                    let (record, value) = decide(&memory);
                    let lines = text.lines().count();
                    memory.push(record.clone());
                    if lines + 1 > 2 * KEPT_RECORDS {
                        // Rewritten in place under the lock, which a rename would escape.
                        file.set_len(0).and_then(|()| file.write_all(memory.to_text().as_bytes())).map_err(|error| format!("cannot be rewritten: {error}"))?;
                    } else {
                        // One write of one line, on a line of its own even after a torn one.
                        let separator = if text.is_empty() || text.ends_with('\n') { "" } else { "\n" };
                        file.write_all(format!("{separator}{}", record.to_line()).as_bytes()).map_err(|error| format!("cannot be written: {error}"))?;
                    }
                    Ok((value, skipped))
                });
                step.map_err(|message| DriftError::History { place, message })
            }
            History::S3 { bucket, key } => {
                for _ in 0..ATTEMPTS {
                    let current = objects::read(aws, bucket, key).await?;
                    let (mut memory, skipped) = current.as_ref().map(|object| Memory::parse(&object.text)).unwrap_or_default();
                    let (record, value) = decide(&memory);
                    memory.push(record);
                    match objects::write_if(aws, bucket, key, memory.to_text(), current.as_ref().map(|object| object.etag.as_str())).await? {
                        Written::Yes => return Ok((value, skipped)),
                        Written::Conflict => continue,
                    }
                }
                Err(self.error(format!("another runner wrote it {ATTEMPTS} times while this one tried: the record of this check was not saved")))
            }
            History::Process(memory) => {
                let mut memory = memory.lock().expect("the memory lock is never poisoned");
                let (record, value) = decide(&memory);
                memory.push(record);
                Ok((value, Vec::new()))
            }
        }
    }
}
