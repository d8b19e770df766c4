//! Which requests fail, and how: decided per request from a seed and its arrival number.

/// Rates between 0 and 1; their sum is the share of requests that fail.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Faults {
    /// Answered with the service's throttling error.
    pub throttle: f64,
    /// Answered with HTTP 500 in the service's error shape.
    pub server_error: f64,
    /// The connection is closed without an answer.
    pub drop: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Throttle,
    ServerError,
    Drop,
}

impl Fault {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Fault::Throttle => "throttle",
            Fault::ServerError => "server_error",
            Fault::Drop => "drop",
        }
    }
}

impl Faults {
    /// Each rate between 0 and 1, and together at most 1.
    pub fn check(&self) -> Result<(), String> {
        for (name, rate) in [("throttle", self.throttle), ("server error", self.server_error), ("drop", self.drop)] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("the {name} rate is {rate}: a rate is a share of requests, from 0 to 1"));
            }
        }
        let sum = self.throttle + self.server_error + self.drop;
        if sum > 1.0 {
            return Err(format!("the rates add up to {sum}: together they may fail at most every request (1)"));
        }
        Ok(())
    }

    pub(crate) fn decide(&self, seed: u64, arrival: u64) -> Option<Fault> {
        let draw = unit(splitmix64(seed ^ splitmix64(arrival)));
        let mut bound = self.throttle;
        if draw < bound {
            return Some(Fault::Throttle);
        }
        bound += self.server_error;
        if draw < bound {
            return Some(Fault::ServerError);
        }
        bound += self.drop;
        (draw < bound).then_some(Fault::Drop)
    }
}

/// SplitMix64: a small, well-mixed generator; good enough to spread faults, and no
/// dependency for it.
fn splitmix64(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A draw in [0, 1) from the top 53 bits.
fn unit(value: u64) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "53 bits fit an f64 exactly")]
    let top = (value >> 11) as f64;
    top / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_met_within_a_percent_over_many_requests() {
        let faults = Faults { throttle: 0.2, server_error: 0.05, drop: 0.01 };
        let mut seen = std::collections::BTreeMap::new();
        for arrival in 0..100_000 {
            if let Some(fault) = faults.decide(7, arrival) {
                *seen.entry(fault.name()).or_insert(0u32) += 1;
            }
        }
        let share = |name| f64::from(seen[name]) / 100_000.0;
        assert!((share("throttle") - 0.2).abs() < 0.01, "{seen:?}");
        assert!((share("server_error") - 0.05).abs() < 0.01, "{seen:?}");
        assert!((share("drop") - 0.01).abs() < 0.005, "{seen:?}");
    }

    #[test]
    fn the_same_seed_and_arrival_give_the_same_decision() {
        let faults = Faults { throttle: 0.5, ..Faults::default() };
        let first: Vec<_> = (0..64).map(|arrival| faults.decide(3, arrival)).collect();
        let again: Vec<_> = (0..64).map(|arrival| faults.decide(3, arrival)).collect();
        let other: Vec<_> = (0..64).map(|arrival| faults.decide(4, arrival)).collect();
        assert_eq!(first, again);
        assert_ne!(first, other);
    }

    #[test]
    fn rates_outside_zero_to_one_or_adding_up_past_one_are_refused() {
        assert!(Faults { throttle: 1.5, ..Faults::default() }.check().is_err());
        assert!(Faults { throttle: f64::NAN, ..Faults::default() }.check().is_err());
        assert!(Faults { drop: -0.1, ..Faults::default() }.check().is_err());
        assert!(Faults { throttle: 0.7, server_error: 0.7, drop: 0.0 }.check().is_err());
        assert!(Faults { throttle: 0.2, server_error: 0.05, drop: 0.01 }.check().is_ok());
    }

    #[test]
    fn no_rates_mean_no_faults() {
        assert!((0..10_000).all(|arrival| Faults::default().decide(1, arrival).is_none()));
    }
}
