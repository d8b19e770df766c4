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

    /// Everything remembered so far; empty when there is no history yet.
    pub async fn load(&self, aws: &Aws) -> Result<Memory, DriftError> {
        let text = match self {
            History::File(path) => match tokio::fs::read_to_string(path).await {
                Ok(text) => text,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(error) => return Err(self.error(format!("cannot be read: {error}"))),
            },
            History::S3 { bucket, key } => objects::read(aws, bucket, key).await?.map(|object| object.text).unwrap_or_default(),
            History::Process(memory) => return Ok(memory.lock().expect("the memory lock is never poisoned").clone()),
        };
        Memory::parse(&text).map_err(|message| self.error(message))
    }

    /// Adds one record. In S3 the object is replaced only if nobody wrote it since it was
    /// read (If-Match, or If-None-Match when new); a runner that loses reads and retries.
    pub async fn append(&self, aws: &Aws, record: &Record) -> Result<(), DriftError> {
        match self {
            History::File(path) => {
                let line = record.to_line();
                let mut file =
                    std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|error| self.error(format!("cannot be written: {error}")))?;
                // One write of one line: appends from two runners do not interleave.
                file.write_all(line.as_bytes()).map_err(|error| self.error(format!("cannot be written: {error}")))?;
                self.trim(path)
            }
            History::S3 { bucket, key } => {
                for _ in 0..ATTEMPTS {
                    let current = objects::read(aws, bucket, key).await?;
                    let mut memory = match &current {
                        Some(object) => Memory::parse(&object.text).map_err(|message| self.error(message))?,
                        None => Memory::default(),
                    };
                    memory.push(record.clone());
                    match objects::write_if(aws, bucket, key, memory.to_text(), current.as_ref().map(|object| object.etag.as_str())).await? {
                        Written::Yes => return Ok(()),
                        Written::Conflict => continue,
                    }
                }
                Err(self.error(format!("another runner wrote it {ATTEMPTS} times while this one tried: the record of this check was not saved")))
            }
            History::Process(memory) => {
                memory.lock().expect("the memory lock is never poisoned").push(record.clone());
                Ok(())
            }
        }
    }

    /// Keeps a history file from growing without end: past twice the records kept, it is
    /// rewritten (to a temporary file, then renamed over) with the newest.
    fn trim(&self, path: &std::path::Path) -> Result<(), DriftError> {
        let text = std::fs::read_to_string(path).map_err(|error| self.error(format!("cannot be read: {error}")))?;
        if text.lines().count() <= 2 * KEPT_RECORDS {
            return Ok(());
        }
        let mut memory = Memory::parse(&text).map_err(|message| self.error(message))?;
        let excess = memory.records.len().saturating_sub(KEPT_RECORDS);
        memory.records.drain(..excess);
        let temporary = path.with_extension("jsonl.tmp");
        std::fs::write(&temporary, memory.to_text())
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|error| self.error(format!("cannot be rewritten: {error}")))
    }
}
