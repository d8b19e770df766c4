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
