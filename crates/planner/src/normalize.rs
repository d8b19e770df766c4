//! Equivalent spellings made equal before comparing, so no perpetual diff appears.

use holdfast_inventory::kms::Kms;

/// Whether two references name the same KMS key: resolved through the inventory's
/// aliases where possible, otherwise compared as alias names or key ids.
pub(crate) fn same_kms_key(kms: &Kms, a: &str, b: &str) -> bool {
    match (kms.key_id(a), kms.key_id(b)) {
        (Some(a), Some(b)) => a == b,
        _ => alias_name(a) == alias_name(b),
    }
}

/// `arn:aws:kms:REGION:ACCOUNT:alias/x` to `alias/x`; anything else unchanged.
fn alias_name(reference: &str) -> &str {
    match reference.find(":alias/") {
        Some(position) => &reference[position + 1..],
        None => reference,
    }
}

/// An SSM parameter named by ARN or by name, reduced to the name without its
/// leading slash (an ARN cannot tell `/x` from `x`).
pub(crate) fn parameter_key(reference: &str) -> &str {
    let name = match reference.strip_prefix("arn:") {
        Some(_) => reference.split_once(":parameter").map_or(reference, |(_, rest)| rest),
        None => reference,
    };
    name.trim_start_matches('/')
}

/// ACUs as people write them: `4`, `0.5`.
pub(crate) fn acu(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use holdfast_inventory::kms::Alias;

    #[test]
    fn parameter_arn_and_name_reduce_to_one_key() {
        assert_eq!(parameter_key("arn:aws:ssm:us-east-1:108782097218:parameter/z360/beta/reverb/app-key"), "z360/beta/reverb/app-key");
        assert_eq!(parameter_key("/z360/beta/reverb/app-key"), "z360/beta/reverb/app-key");
    }

    #[test]
    fn unresolvable_aliases_compare_by_name() {
        let kms = Kms { aliases: vec![Alias { name: "alias/known".into(), target_key_id: Some("k1".into()) }], keys: Vec::new(), orphans: Vec::new() };
        assert!(same_kms_key(&kms, "alias/aws/ssm", "arn:aws:kms:us-east-1:1:alias/aws/ssm"));
        assert!(same_kms_key(&kms, "alias/known", "arn:aws:kms:us-east-1:1:key/k1"));
        assert!(!same_kms_key(&kms, "alias/known", "arn:aws:kms:us-east-1:1:key/k2"));
    }

    #[test]
    fn acu_reads_as_written() {
        assert_eq!(acu(4.0), "4");
        assert_eq!(acu(0.5), "0.5");
    }
}
