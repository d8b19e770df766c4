//! All terminal output happens here.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use crate::args::ColorChoice;

/// Exit codes, as Terraform's `-detailed-exitcode` defines them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    Failure,
    ChangesPresent,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(match status {
            Status::Success => 0,
            Status::Failure => 1,
            Status::ChangesPresent => 2,
        })
    }
}

/// Writes to stdout; a closed pipe (`holdfast plan | head`) is not an error.
pub fn stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

pub fn stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// An error, with what came from outside (an endpoint's message) unable to drive the
/// terminal: control characters but line breaks are shown as U+FFFD.
pub fn error(error: &anyhow::Error) {
    stderr(&plain(&format!("{error:#}\n")));
}

/// Text with every control character but newlines and tabs replaced by U+FFFD.
pub fn plain(text: &str) -> String {
    text.chars().map(|c| if c.is_control() && c != '\n' && c != '\t' { '\u{FFFD}' } else { c }).collect()
}

pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()) && std::io::stdout().is_terminal(),
    }
}

pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}
