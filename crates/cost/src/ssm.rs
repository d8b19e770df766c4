//! SSM parameters: standard parameters are free; holdfast writes standard ones.

use holdfast_planner::Change;
use holdfast_planner::operation::Operation;

use crate::{Estimated, Pricing, free};

pub(crate) fn change(change: &Change, _pricing: &Pricing<'_>) -> Option<Estimated> {
    Some(match &change.operation {
        Operation::PutParameter { .. } | Operation::TagParameter { .. } => {
            Ok(free("no charge: a standard parameter (SecureString included) is free, with the AWS managed key"))
        }
        _ => return None,
    })
}
