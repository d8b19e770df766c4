//! `[securityhub]`: Security Hub in the account's region, and the standards it checks.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::check::Checker;
use crate::origin::{Origin, impl_has_origin};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityHub {
    /// `false` disables Security Hub, and drops its findings, only with `--allow-delete`.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Standards that must be enabled, as `aws-foundational-security-best-practices/v/1.0.0`
    /// or a full standards ARN; standards left out are left as they are.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub standards: Vec<Spanned<String>>,
    #[serde(skip)]
    pub origin: Origin,
}

fn yes() -> bool {
    true
}

impl_has_origin!(SecurityHub);

/// The standards ARN of a declared standard in a region. CIS 1.2.0 is the one standard
/// that AWS names as a global ruleset.
pub fn standard_arn(standard: &str, region: &str) -> String {
    if standard.starts_with("arn:") {
        return standard.to_owned();
    }
    let standard = standard.trim_start_matches("standards/").trim_start_matches("ruleset/");
    if standard == "cis-aws-foundations-benchmark/v/1.2.0" {
        return format!("arn:aws:securityhub:::ruleset/{standard}");
    }
    format!("arn:aws:securityhub:{region}::standards/{standard}")
}

pub(crate) fn check(checker: &mut Checker<'_>) {
    let Some(hub) = checker.desired.securityhub.as_deref() else { return };
    for standard in &hub.standards {
        let text = standard.get_ref();
        let looks_right = if text.starts_with("arn:") { text.starts_with("arn:aws:securityhub:") } else { text.contains("/v/") };
        if !looks_right {
            checker.error(
                &hub.origin,
                standard.span(),
                format!("`{text}` is not a Security Hub standard"),
                Some(
                    "name it as AWS does: aws-foundational-security-best-practices/v/1.0.0, cis-aws-foundations-benchmark/v/1.4.0, or a standards ARN"
                        .to_owned(),
                ),
            );
        }
    }
    if !hub.enabled && !hub.standards.is_empty() {
        checker.entry_error(
            &hub.origin,
            "[securityhub] is `enabled = false` but also lists standards",
            Some("Security Hub off checks no standard: remove standards".to_owned()),
        );
    }
}
