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
    // One page for every command: clap_mangen's list of subcommands would point at a page
    // per command (`holdfast-plan(1)`), which this page replaces, so it is left out.
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_version_section(&mut page)?;
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
    page.extend_from_slice(TRAILER.as_bytes());
    crate::output::stdout(&String::from_utf8_lossy(&page));
    Ok(Status::Success)
}

/// What no clap definition says: exit codes and the environment.
const TRAILER: &str = r#".SH "EXIT STATUS"
.TP
0
success; for plan \-\-detailed\-exitcode and drift, nothing to change
.TP
1
an error: bad input (nothing is applied), a failed read, apply or notification
.TP
2
changes present (plan \-\-detailed\-exitcode), drift found (drift), a score under \-\-fail\-under (audit)
.SH ENVIRONMENT
.TP
AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...
the AWS SDK's standard credential chain, region and endpoint
.TP
HOLDFAST_OFFLINE
price with the shipped table, without the AWS Price List API
.TP
NO_COLOR
no colour, even on a terminal
"#;

/// Text safe in a roff paragraph: a leading `.` or `'` would be read as a request.
fn roff_escape(text: &str) -> String {
    text.lines().map(|line| if line.starts_with(['.', '\'']) { format!("\\&{line}") } else { line.replace('\\', "\\e") }).collect::<Vec<_>>().join("\n")
}
