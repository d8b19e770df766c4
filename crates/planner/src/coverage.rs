//! A plan is only as good as what was read: a snapshot taken with another desired state
//! may not have read what this one selects, and "not read" must never pass for "absent".

use crate::context::Context;

/// Every read the desired state needs that the inventory did not make is a plan error.
pub(crate) fn plan(cx: &mut Context<'_>) {
    for read in holdfast_desired::reads(cx.desired) {
        if !cx.inventory.coverage.covers(&read.key) {
            cx.error(
                format!(
                    "the account state was read without `{}`, which this desired state needs: take a new snapshot with this desired state (holdfast snapshot), or plan against the live account",
                    read.key
                ),
                read.origin.as_ref(),
            );
        }
    }
}
