//! Security Hub in the region, and the standards it checks.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SecurityHub {
    /// None when Security Hub is not enabled in the region.
    pub hub: Option<Hub>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hub {
    pub arn: String,
    /// The standards subscribed to; None when they were not read.
    pub standards: Option<Vec<Standard>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standard {
    pub standards_arn: String,
    pub subscription_arn: String,
    /// `PENDING`, `READY`, `FAILED`, `DELETING`, `INCOMPLETE`.
    pub status: String,
}
