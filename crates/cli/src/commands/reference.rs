//! `holdfast schema`, `holdfast completions` and `holdfast man`: generated from the types
//! and the clap definitions, so they never fall behind them.

use clap::CommandFactory;

use crate::args::Args;
use crate::output::Status;

pub fn schema() -> anyhow::Result<Status> {
    crate::output::stdout(&holdfast_desired::json_schema());
    Ok(Status::Success)
}

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<Status> {
    let mut command = Args::command();
    clap_complete::generate(shell, &mut command, "holdfast", &mut std::io::stdout());
    Ok(Status::Success)
}

pub fn man() -> anyhow::Result<Status> {
    let command = Args::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    // Each subcommand's options, in the same page: `man holdfast` then says everything.
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let mut section = Vec::new();
        clap_mangen::Man::new(sub.clone()).render_options_section(&mut section)?;
        page.extend_from_slice(format!(".SH \"HOLDFAST {}\"\n", sub.get_name().to_uppercase()).as_bytes());
        if let Some(about) = sub.get_about() {
            page.extend_from_slice(format!("{}\n", roff_escape(&about.to_string())).as_bytes());
        }
        // A subsection of the command's section, not a second OPTIONS section.
        page.extend_from_slice(String::from_utf8_lossy(&section).replace(".SH OPTIONS", ".SS Options").as_bytes());
    }
    crate::output::stdout(&String::from_utf8_lossy(&page));
    Ok(Status::Success)
}

/// Text safe in a roff paragraph: a leading `.` or `'` would be read as a request.
fn roff_escape(text: &str) -> String {
    text.lines().map(|line| if line.starts_with(['.', '\'']) { format!("\\&{line}") } else { line.replace('\\', "\\e") }).collect::<Vec<_>>().join("\n")
}
