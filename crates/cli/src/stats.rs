//! `--stats`: where a command's time and AWS calls went, phase by phase and operation
//! by operation, printed on stderr so stdout stays the plan.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use holdfast_aws::{Aws, CallCount, Progress};

/// Shared by the phases it times: every method takes `&self`.
#[derive(Default)]
pub struct Stats {
    phases: Mutex<Vec<Phase>>,
    kinds: KindTimes,
    /// The connection's counts, as last seen, and its bound on calls in flight.
    operations: Mutex<(Operations, Option<usize>)>,
}

type Operations = BTreeMap<(String, String), CallCount>;

struct Phase {
    name: String,
    elapsed: Duration,
    /// Calls and HTTP requests made in the phase; None for a phase that makes none.
    calls: Option<CallCount>,
}

impl Stats {
    /// Times a phase that makes no AWS call.
    pub fn time<T>(&self, name: impl Into<String>, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = work();
        self.push(Phase { name: name.into(), elapsed: started.elapsed(), calls: None });
        result
    }

    fn push(&self, phase: Phase) {
        self.phases.lock().expect("the stats lock is never poisoned").push(phase);
    }

    /// Times a phase and counts the calls `aws` made in it.
    pub async fn time_calls<T>(&self, name: impl Into<String>, aws: &Aws, work: impl Future<Output = T>) -> T {
        let before = total(aws);
        let started = Instant::now();
        let result = work.await;
        let after = total(aws);
        let calls = CallCount { calls: after.calls - before.calls, attempts: after.attempts - before.attempts };
        self.push(Phase { name: name.into(), elapsed: started.elapsed(), calls: Some(calls) });
        *self.operations.lock().expect("the stats lock is never poisoned") = (aws.api_stats(), Some(aws.concurrency()));
        result
    }

    /// Records a phase that began at `started` and made every call `aws` has made: its
    /// connection.
    pub fn connected(&self, name: impl Into<String>, started: Instant, aws: &Aws) {
        self.push(Phase { name: name.into(), elapsed: started.elapsed(), calls: Some(total(aws)) });
        *self.operations.lock().expect("the stats lock is never poisoned") = (aws.api_stats(), Some(aws.concurrency()));
    }

    /// Records when each kind's read starts and ends, and tells `inner` too.
    pub fn progress<'a>(&'a self, inner: &'a dyn Progress) -> Timed<'a> {
        Timed { inner, times: &self.kinds }
    }

    pub fn render(&self) -> String {
        let phases = self.phases.lock().expect("the stats lock is never poisoned");
        let (operations, concurrency) = &*self.operations.lock().expect("the stats lock is never poisoned");
        let mut text = String::from("\nTime by phase:\n");
        let width = phases.iter().map(|phase| phase.name.len()).max().unwrap_or(0).max(12);
        let kinds = self.kinds.durations();
        for phase in phases.iter() {
            let calls = phase.calls.map(|calls| format!("  {:>6} {}{}", calls.calls, plural(calls.calls, "call"), retries_note(calls))).unwrap_or_default();
            text.push_str(&format!("  {:width$}  {:>8}{calls}\n", phase.name, seconds(phase.elapsed)));
            if phase.name == "read" {
                for (kind, elapsed) in &kinds {
                    text.push_str(&format!("    {:w$}  {:>8}\n", kind, seconds(*elapsed), w = width - 2));
                }
            }
        }
        let total: Duration = phases.iter().map(|phase| phase.elapsed).sum();
        text.push_str(&format!("  {:width$}  {:>8}\n", "total", seconds(total)));
        if operations.is_empty() {
            return text;
        }
        let calls: usize = operations.values().map(|count| count.calls).sum();
        let retries: usize = operations.values().map(CallCount::retries).sum();
        let in_flight = concurrency.map(|limit| format!(", at most {limit} in flight")).unwrap_or_default();
        text.push_str(&format!("\nAWS calls by operation: {calls} {}, {retries} {}{in_flight}:\n", plural(calls, "call"), plural(retries, "retry")));
        let service_width = operations.keys().map(|(service, _)| service.len()).max().unwrap_or(0).max(7);
        let operation_width = operations.keys().map(|(_, operation)| operation.len()).max().unwrap_or(0).max(9);
        text.push_str(&format!("  {:service_width$}  {:operation_width$}  {:>6}  {:>7}\n", "service", "operation", "calls", "retries"));
        for ((service, operation), count) in operations {
            text.push_str(&format!("  {service:service_width$}  {operation:operation_width$}  {:>6}  {:>7}\n", count.calls, count.retries()));
        }
        text
    }
}

fn total(aws: &Aws) -> CallCount {
    aws.api_stats().values().fold(CallCount::default(), |sum, count| CallCount { calls: sum.calls + count.calls, attempts: sum.attempts + count.attempts })
}

fn retries_note(calls: CallCount) -> String {
    match calls.retries() {
        0 => String::new(),
        retries => format!(" ({retries} {})", plural(retries, "retry")),
    }
}

fn plural(count: usize, word: &str) -> String {
    match (count, word) {
        (1, _) => word.to_owned(),
        (_, "retry") => "retries".to_owned(),
        _ => format!("{word}s"),
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.3} s", duration.as_secs_f64())
}

/// When each kind's read started and finished.
#[derive(Default)]
struct KindTimes(Mutex<BTreeMap<&'static str, (Instant, Option<Instant>)>>);

impl KindTimes {
    fn durations(&self) -> Vec<(&'static str, Duration)> {
        let times = self.0.lock().expect("the timing lock is never poisoned");
        times.iter().filter_map(|(kind, (started, finished))| Some((*kind, finished.as_ref()?.duration_since(*started)))).collect()
    }
}

pub struct Timed<'a> {
    inner: &'a dyn Progress,
    times: &'a KindTimes,
}

impl Progress for Timed<'_> {
    fn started(&self, kind: &'static str) {
        self.times.0.lock().expect("the timing lock is never poisoned").insert(kind, (Instant::now(), None));
        self.inner.started(kind);
    }

    fn advanced(&self, kind: &'static str, count: usize) {
        self.inner.advanced(kind, count);
    }

    fn finished(&self, kind: &'static str) {
        if let Some(entry) = self.times.0.lock().expect("the timing lock is never poisoned").get_mut(kind) {
            entry.1 = Some(Instant::now());
        }
        self.inner.finished(kind);
    }
}
