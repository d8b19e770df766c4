//! IAM, read-only: console users without MFA, access keys older than 90 days, and the
//! root user's MFA and keys. holdfast never changes IAM: every fix is a person's.

use holdfast_inventory::iam::Iam;

use crate::context::{ACCOUNT, Context, Outcome, days_between, finding};
use crate::report::{Finding, Fix};

/// The key age Config's `access-keys-rotated` and Prowler default to.
pub(crate) const MAX_KEY_AGE_DAYS: i64 = 90;

/// Rows of the credential report that could not be read are failures, not silence: a
/// user among them may lack MFA.
fn unreadable(iam: &Iam) -> Option<Finding> {
    (iam.unparsed_rows > 0).then(|| {
        crate::context::fail(
            "iam.credential_report",
            "rows",
            format!("{} row(s) could not be read as a user", iam.unparsed_rows),
            Fix::Manual { text: "check those users in the IAM console, and report the row's shape to holdfast".to_owned() },
        )
    })
}

pub(crate) fn evaluate(cx: &Context<'_>) -> Vec<Outcome> {
    let iam: Result<&Iam, String> = cx.read("iam.credentials").and_then(|()| {
        cx.inventory
            .iam
            .as_ref()
            .ok_or_else(|| "IAM was not read: audit the account live, or from a snapshot taken with `holdfast snapshot --audit`".to_owned())
    });
    let user_mfa = iam.clone().map(|iam| {
        iam.users
            .iter()
            .filter(|user| user.console_access)
            .map(|user| {
                finding(user.mfa_active, format!("iam.user/{}", user.name), "mfa_active", user.mfa_active.to_string(), || Fix::Manual {
                    text: format!(
                        "assign an MFA device to {} (IAM console, Users, Security credentials), and deny console actions without aws:MultiFactorAuthPresent",
                        user.name
                    ),
                })
            })
            .chain(unreadable(iam))
            .collect()
    });
    let key_age = iam.clone().map(|iam| {
        let read_at = &cx.inventory.taken_at;
        iam.users
            .iter()
            .flat_map(|user| user.access_keys.iter().filter(|key| key.active).map(move |key| (user, key)))
            .map(|(user, key)| {
                let age = key.last_rotated.as_deref().and_then(|rotated| days_between(rotated, read_at));
                let observed = match (age, &key.last_rotated) {
                    (Some(days), Some(rotated)) if days < 0 => format!("rotated {} (after the account was read)", &rotated[..rotated.len().min(10)]),
                    (Some(days), Some(rotated)) => format!("{days} days (created or rotated {})", &rotated[..rotated.len().min(10)]),
                    _ => "age unknown".to_owned(),
                };
                finding(
                    age.is_some_and(|days| (0..=MAX_KEY_AGE_DAYS).contains(&days)),
                    format!("iam.user/{}", user.name),
                    &format!("access key {}", key.slot),
                    observed,
                    || Fix::Manual {
                        text: format!("create a new key for {}, move its users to it, then deactivate and delete access key {}", user.name, key.slot),
                    },
                )
            })
            .chain(unreadable(iam))
            .collect()
    });
    let root = |check: fn(&holdfast_inventory::iam::Root) -> (bool, &'static str, String, &'static str)| -> Result<Vec<Finding>, String> {
        let iam = iam.clone()?;
        let root = iam.root.as_ref().ok_or_else(|| "neither the credential report nor the account summary described the root user".to_owned())?;
        let (passed, attribute, observed, fix) = check(root);
        Ok(vec![finding(passed, "iam.root".to_owned(), attribute, format!("{observed} (from the {})", root.source), || Fix::Manual { text: fix.to_owned() })])
    };
    vec![
        Outcome::new("iam.user_mfa", "console users", user_mfa),
        Outcome::new("iam.access_key_age", "active access keys", key_age),
        Outcome::new(
            "iam.root_mfa",
            ACCOUNT,
            root(|root| {
                (
                    root.mfa_active,
                    "mfa_active",
                    root.mfa_active.to_string(),
                    "sign in as root and assign an MFA device (a hardware key for an account holding ePHI)",
                )
            }),
        ),
        Outcome::new(
            "iam.root_access_keys",
            ACCOUNT,
            root(|root| {
                let observed = if root.access_keys_present { "present" } else { "none" };
                (!root.access_keys_present, "access keys", observed.to_owned(), "sign in as root and delete its access keys; use IAM roles instead")
            }),
        ),
    ]
}
