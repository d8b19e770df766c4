//! `holdfast`: keeps an AWS account where its owners declared it.

mod args;
mod commands;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = args::Args::parse();
    match commands::run(args) {
        Ok(status) => status.into(),
        Err(error) => {
            output::error(&error);
            output::Status::Failure.into()
        }
    }
}
