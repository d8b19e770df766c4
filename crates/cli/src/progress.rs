//! A spinner per resource kind on stderr while the account is read.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use holdfast_aws::Progress;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Bars {
    multi: MultiProgress,
    bars: Mutex<BTreeMap<&'static str, ProgressBar>>,
}

impl Bars {
    pub fn new() -> Self {
        Self { multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()), bars: Mutex::new(BTreeMap::new()) }
    }

    fn bar(&self, kind: &'static str) -> ProgressBar {
        let mut bars = self.bars.lock().expect("the progress lock is never poisoned");
        bars.entry(kind)
            .or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new_spinner());
                bar.set_style(ProgressStyle::with_template("{spinner} {prefix:>6} {pos} read {msg}").expect("a valid template"));
                bar.set_prefix(kind);
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            })
            .clone()
    }
}

impl Progress for Bars {
    fn started(&self, kind: &'static str) {
        self.bar(kind);
    }

    fn advanced(&self, kind: &'static str, count: usize) {
        self.bar(kind).inc(count as u64);
    }

    fn finished(&self, kind: &'static str) {
        self.bar(kind).finish_with_message("done");
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        let _ = self.multi.clear();
    }
}

/// What apply waits for (an Aurora snapshot, a restore): a spinner per step on a terminal,
/// otherwise a line each time its state on AWS changes, so a log shows progress too.
pub struct Waits {
    multi: Option<MultiProgress>,
    bars: Mutex<BTreeMap<String, ProgressBar>>,
    last: Mutex<BTreeMap<String, String>>,
}

impl Waits {
    pub fn new(terminal: bool) -> Self {
        Self { multi: terminal.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())), bars: Mutex::default(), last: Mutex::default() }
    }
}

impl holdfast_applier::Watch for Waits {
    fn waiting(&self, what: &str, state: &str, elapsed: Duration, timeout: Duration) {
        let message = format!("{state} ({} of at most {})", clock(elapsed), clock(timeout));
        match &self.multi {
            Some(multi) => {
                let mut bars = self.bars.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let bar = bars.entry(what.to_owned()).or_insert_with(|| {
                    let bar = multi.add(ProgressBar::new_spinner());
                    bar.set_style(ProgressStyle::with_template("{spinner} waiting for {prefix}: {msg}").expect("a valid template"));
                    bar.set_prefix(what.to_owned());
                    bar.enable_steady_tick(Duration::from_millis(120));
                    bar
                });
                bar.set_message(message);
            }
            None => {
                let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if last.get(what).map(String::as_str) != Some(state) {
                    last.insert(what.to_owned(), state.to_owned());
                    crate::output::stderr(&crate::output::plain(&format!("waiting for {what}: {message}\n")));
                }
            }
        }
    }

    fn finished(&self, what: &str) {
        if let Some(bar) = self.bars.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(what) {
            bar.finish_and_clear();
        }
        if self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(what).is_some() {
            crate::output::stderr(&crate::output::plain(&format!("waiting for {what}: available\n")));
        }
    }
}

fn clock(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds >= 3600 { format!("{}h{:02}m", seconds / 3600, seconds % 3600 / 60) } else { format!("{}m{:02}s", seconds / 60, seconds % 60) }
}
