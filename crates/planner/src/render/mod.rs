//! The plan for people: text for terminals and logs, Markdown for pull requests.
//! JSON is [`crate::Plan::to_json`].

mod markdown;
pub mod money;
mod runbook;
mod text;

pub use markdown::markdown;
pub use runbook::runbook;
pub use text::{count, text};
