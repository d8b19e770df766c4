//! `holdfast`: keeps an AWS account where its owners declared it.

mod args;
mod commands;
mod output;
mod progress;
mod stats;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Usage errors exit 1 like every other error: 2 means "changes present" to
    // `--detailed-exitcode`, and a typo must never read as drift.
    let args = match args::Args::try_parse() {
        Ok(args) => args,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { output::Status::Failure.into() } else { output::Status::Success.into() };
        }
    };
    match commands::run(args) {
        Ok(status) => status.into(),
        Err(error) => {
            output::error(&error);
            output::Status::Failure.into()
        }
    }
}
