//! `holdfast drift`: the read-only check a team schedules and trusts. One check reads the
//! account (never writing to it, never taking the apply lock), plans, and turns the plan
//! into a report with severities, ignore rules and memory; then it tells people, only
//! when there is something new to tell.
//!
//! The pure parts (severity, ignore rules, memory, coverage) live in
//! `holdfast_planner::drift`; this crate holds what has effects: the history store, the
//! notification targets, metrics, many accounts at once, and the watch loop.

pub mod accounts;
pub mod check;
pub mod clock;
pub mod history;
pub mod metrics;
pub mod notify;
pub mod watch;

pub use check::{Check, CheckOutcome, Settings};

/// What went wrong, said so a person knows what to do.
#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    #[error(transparent)]
    Aws(#[from] holdfast_aws::AwsError),
    /// The desired state or an argument; the message is complete.
    #[error("{0}")]
    Input(String),
    #[error("the drift history {place}: {message}")]
    History { place: String, message: String },
    #[error("notifying {target} failed: {message}")]
    Notify { target: String, message: String },
    #[error("publishing metrics to {target} failed: {message}")]
    Metrics { target: String, message: String },
}
