//! The time a check runs at. `HOLDFAST_NOW` (RFC 3339) stands in for the clock, so tests
//! and replays can check ignore-rule expiry and reminder intervals at a chosen moment.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use holdfast_planner::drift::Now;

use crate::DriftError;

pub fn now() -> Result<Now, DriftError> {
    let time = match std::env::var("HOLDFAST_NOW") {
        Ok(text) => humantime::parse_rfc3339(&text).map_err(|error| DriftError::Input(format!("HOLDFAST_NOW=`{text}` is not an RFC 3339 time: {error}")))?,
        Err(_) => SystemTime::now(),
    };
    Ok(at(time))
}

pub fn at(time: SystemTime) -> Now {
    let epoch = time.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO).as_secs();
    let time = UNIX_EPOCH + Duration::from_secs(epoch);
    Now { rfc3339: humantime::format_rfc3339_seconds(time).to_string(), epoch }
}

/// `15m`, `24h`, `1h30m`: as systemd and Kubernetes write durations.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text).map_err(|error| format!("`{text}` is not a duration ({error}); write 30s, 15m, 24h or 1h30m"))?;
    if duration.is_zero() {
        return Err(format!("`{text}` is no time at all"));
    }
    Ok(duration)
}
