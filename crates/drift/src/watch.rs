//! `holdfast drift --every 15m`: checks until stopped, for a process supervisor (systemd,
//! a Kubernetes Deployment) rather than a scheduler. Each wait has jitter, so hundreds of
//! watchers started together spread out; a failing check backs off exponentially, up to
//! eight intervals; SIGTERM or SIGINT stops it cleanly, between checks or during one.

use std::future::Future;
use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};

/// Why watching stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    pub signal: &'static str,
    /// A check was under way when the signal came.
    pub during_check: bool,
    /// That check finished within the grace period (its notifications and history too).
    pub finished: bool,
}

/// How long a check under way may take to finish after SIGTERM or SIGINT: less than the
/// 30 s Kubernetes and ECS wait before they kill.
pub const GRACE: Duration = Duration::from_secs(20);

/// The wait before the next check: the interval, doubled for each failure in a row up to
/// eight intervals, with up to ±10% of jitter.
pub fn next_wait(every: Duration, failures_in_a_row: u32, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(failures_in_a_row).min(8);
    let base = every.saturating_mul(factor);
    base.mul_f64(1.0 + 0.1 * jitter.clamp(-1.0, 1.0))
}

/// Uniform in [-1, 1], from the OS.
fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX) * 2.0 - 1.0,
        Err(_) => 0.0,
    }
}

/// Runs `check` (which says whether it failed) every `every` until a signal comes. A
/// check under way is given [`GRACE`] to finish, so a notification it claimed goes out.
pub async fn watch<F, Fut>(every: Duration, mut check: F) -> std::io::Result<Stopped>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut failures: u32 = 0;
    loop {
        let running = check();
        tokio::pin!(running);
        let signal = tokio::select! {
            failed = &mut running => {
                failures = if failed { failures.saturating_add(1) } else { 0 };
                None
            }
            _ = terminate.recv() => Some("SIGTERM"),
            _ = interrupt.recv() => Some("SIGINT"),
        };
        if let Some(signal) = signal {
            let finished = tokio::time::timeout(GRACE, running).await.is_ok();
            return Ok(Stopped { signal, during_check: true, finished });
        }
        tokio::select! {
            () = tokio::time::sleep(next_wait(every, failures, jitter())) => {}
            _ = terminate.recv() => return Ok(Stopped { signal: "SIGTERM", during_check: false, finished: true }),
            _ = interrupt.recv() => return Ok(Stopped { signal: "SIGINT", during_check: false, finished: true }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_back_off_exponentially_up_to_eight_intervals() {
        let every = Duration::from_secs(60);
        let waits: Vec<u64> = (0..6).map(|failures| next_wait(every, failures, 0.0).as_secs()).collect();
        assert_eq!(waits, [60, 120, 240, 480, 480, 480]);
    }

    #[test]
    fn jitter_stays_within_a_tenth() {
        let every = Duration::from_secs(900);
        assert_eq!(next_wait(every, 0, 1.0).as_secs(), 990);
        assert_eq!(next_wait(every, 0, -1.0).as_secs(), 810);
        for _ in 0..100 {
            let wait = next_wait(every, 0, jitter()).as_secs();
            assert!((810..=990).contains(&wait), "{wait}");
        }
    }
}
