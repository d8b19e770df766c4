//! S3 encryption and lifecycle, with every equivalent spelling compared equal.

mod support;

use holdfast_inventory::s3::{Encryption, Lifecycle, LifecycleFilter, LifecycleRule, Transition};
use holdfast_planner::operation::Operation;
use holdfast_planner::{Action, Flag, plan};
use support::*;

const TIERING: &str = r#"
[[s3.bucket]]
name = "livkit-recordings"
lifecycle = [{ id = "tiering", transitions = [{ days = 30, class = "INTELLIGENT_TIERING" }, { days = 90, class = "GLACIER" }] }]
"#;

fn tiering_rule(filter: Option<LifecycleFilter>, legacy_prefix: Option<&str>, reversed: bool) -> LifecycleRule {
    let mut transitions =
        vec![Transition { days: Some(30), storage_class: "INTELLIGENT_TIERING".into() }, Transition { days: Some(90), storage_class: "GLACIER".into() }];
    if reversed {
        transitions.reverse();
    }
    LifecycleRule {
        id: "tiering".into(),
        status: "Enabled".into(),
        filter,
        legacy_prefix: legacy_prefix.map(str::to_owned),
        transitions,
        expiration_days: None,
        noncurrent_expiration_days: None,
        abort_incomplete_multipart_days: None,
        unmodelled: Vec::new(),
    }
}

fn lifecycle(rules: Vec<LifecycleRule>, minimum_size: Option<&str>) -> Option<Lifecycle> {
    Some(Lifecycle { rules, transition_minimum_object_size: minimum_size.map(str::to_owned) })
}

#[test]
fn missing_lifecycle_is_added() {
    let mut inventory = inventory();
    add_bucket(&mut inventory, "livkit-recordings", None, None, Some(false));
    let plan = plan(&desired(TIERING), &inventory);
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Update);
    assert_eq!(change.attributes[0].name, "lifecycle");
    assert_eq!(change.attributes[0].after.as_deref(), Some("tiering: whole bucket; day 30 -> INTELLIGENT_TIERING, day 90 -> GLACIER"));
    let Operation::UpdateBucket { lifecycle: Some(rules), encryption: None, .. } = &change.operation else { panic!("{:?}", change.operation) };
    assert_eq!(rules.len(), 1);
}

#[test]
fn empty_filter_empty_prefix_no_filter_and_legacy_prefix_are_one_rule() {
    let spellings = [
        (None, None),
        (Some(LifecycleFilter::default()), None),
        (Some(LifecycleFilter { prefix: Some(String::new()), ..LifecycleFilter::default() }), None),
        (None, Some("")),
    ];
    for (filter, legacy) in spellings {
        for reversed in [false, true] {
            let mut inventory = inventory();
            // AWS's 2024 default for the minimum object size must not show as drift either.
            add_bucket(
                &mut inventory,
                "livkit-recordings",
                None,
                lifecycle(vec![tiering_rule(filter.clone(), legacy, reversed)], Some("all_storage_classes_128K")),
                Some(false),
            );
            let plan = plan(&desired(TIERING), &inventory);
            assert!(plan.is_empty(), "filter {filter:?}, legacy prefix {legacy:?}, reversed {reversed}: {:#?}", plan.changes);
        }
    }
}

#[test]
fn rules_stored_in_another_order_are_the_same_rules() {
    let desired = desired(
        r#"
[[s3.bucket]]
name = "b"
lifecycle = [
  { id = "a-logs", prefix = "logs/", expiration_days = 30 },
  { id = "b-uploads", abort_incomplete_multipart_days = 7 },
]
"#,
    );
    let rule = |id: &str, prefix: &str, expiration: Option<u32>, abort: Option<u32>| LifecycleRule {
        id: id.into(),
        status: "Enabled".into(),
        filter: Some(LifecycleFilter { prefix: Some(prefix.into()), ..LifecycleFilter::default() }),
        legacy_prefix: None,
        transitions: Vec::new(),
        expiration_days: expiration,
        noncurrent_expiration_days: None,
        abort_incomplete_multipart_days: abort,
        unmodelled: Vec::new(),
    };
    let mut inventory = inventory();
    add_bucket(&mut inventory, "b", None, lifecycle(vec![rule("b-uploads", "", None, Some(7)), rule("a-logs", "logs/", Some(30), None)], None), None);
    assert!(plan(&desired, &inventory).is_empty());
}

#[test]
fn undeclared_rules_are_removed_and_the_diff_shows_each_rule() {
    let mut extra = tiering_rule(None, None, false);
    extra.id = "old".into();
    extra.transitions = vec![Transition { days: Some(60), storage_class: "STANDARD_IA".into() }];
    let mut inventory = inventory();
    add_bucket(&mut inventory, "livkit-recordings", None, lifecycle(vec![tiering_rule(None, None, false), extra], None), Some(false));
    let plan = plan(&desired(TIERING), &inventory);
    let attribute = &plan.changes[0].attributes[0];
    assert_eq!(
        attribute.before.as_deref(),
        Some("old: whole bucket; day 60 -> STANDARD_IA\ntiering: whole bucket; day 30 -> INTELLIGENT_TIERING, day 90 -> GLACIER")
    );
    assert_eq!(attribute.after.as_deref(), Some("tiering: whole bucket; day 30 -> INTELLIGENT_TIERING, day 90 -> GLACIER"));
}

#[test]
fn a_lifecycle_with_settings_holdfast_cannot_declare_is_never_put_over() {
    // The live rule also moves noncurrent versions to Glacier IR: a put of the declared
    // rules (tiering at 45 days) would delete that.
    let mut live = tiering_rule(None, None, false);
    live.transitions[0].days = Some(45);
    live.unmodelled = vec!["NoncurrentVersionTransitions".into()];
    let mut inventory = inventory();
    add_bucket(&mut inventory, "livkit-recordings", None, lifecycle(vec![live.clone()], None), Some(false));
    let first = plan(&desired(TIERING), &inventory);
    assert!(first.changes.is_empty(), "{:#?}", first.changes);
    assert!(
        first.warnings.iter().any(|warning| warning.message.contains("`tiering` (NoncurrentVersionTransitions)")
            && warning.message.contains("leaves the lifecycle configuration as it is")),
        "{:#?}",
        first.warnings
    );
    // What it models being equal, nothing is said: the other settings are not holdfast's.
    live.transitions[0].days = Some(30);
    let mut equal = support::inventory();
    add_bucket(&mut equal, "livkit-recordings", None, lifecycle(vec![live], None), Some(false));
    let second = plan(&desired(TIERING), &equal);
    assert!(second.changes.is_empty() && second.warnings.is_empty(), "{:#?} {:#?}", second.changes, second.warnings);
}

#[test]
fn declared_minimum_object_size_is_managed() {
    let desired = desired(&format!("{TIERING}transition_minimum_object_size = \"varies_by_storage_class\"\n"));
    let mut inventory = inventory();
    add_bucket(&mut inventory, "livkit-recordings", None, lifecycle(vec![tiering_rule(None, None, false)], Some("all_storage_classes_128K")), Some(false));
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes[0].attributes[0].name, "transition_minimum_object_size");
    assert!(matches!(&plan.changes[0].operation, Operation::UpdateBucket { lifecycle: Some(_), transition_minimum_object_size: Some(_), .. }));
}

#[test]
fn sse_kms_named_by_alias_matches_the_key_arn() {
    let desired = desired("[[s3.bucket]]\nname = \"z360-*-storage\"\nencryption = { algorithm = \"aws:kms\", kms_key = \"alias/z360-phi\" }\n");
    let mut inventory = inventory();
    add_alias(&mut inventory, "alias/z360-phi", "k-1");
    add_bucket(&mut inventory, "z360-staging-storage", Some(sse_kms(&key_arn("k-1"), true)), None, Some(false));
    add_bucket(&mut inventory, "z360-beta-storage", None, None, Some(false));
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes.len(), 1, "bucket_key is not declared, so it is not managed");
    assert_eq!(plan.changes[0].address, "s3.bucket/z360-beta-storage");
    assert_eq!(plan.changes[0].attributes[0].before.as_deref(), Some("AES256 (SSE-S3)"), "no configuration means AWS's SSE-S3 default");
    assert_eq!(plan.changes[0].attributes[0].after.as_deref(), Some("aws:kms with alias/z360-phi, bucket key off"));
}

#[test]
fn sse_s3_default_is_no_drift_from_aes256() {
    let desired = desired("[[s3.bucket]]\nname = \"logs\"\nencryption = { algorithm = \"AES256\" }\n");
    let mut inventory = inventory();
    add_bucket(&mut inventory, "logs", None, None, None);
    assert!(plan(&desired, &inventory).is_empty());
    inventory.s3.buckets[0].encryption = Some(Encryption { algorithm: "AES256".into(), kms_key: None, bucket_key: false });
    assert!(plan(&desired, &inventory).is_empty());
}

#[test]
fn missing_bucket_with_an_exact_name_is_created() {
    let desired = desired("[[s3.bucket]]\nname = \"z360-security-logs-123456789012\"\nencryption = { algorithm = \"AES256\" }\n");
    let plan = plan(&desired, &inventory());
    assert_eq!(plan.changes[0].action, Action::Create);
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
}

#[test]
fn absent_bucket_is_deleted_and_says_whether_data_goes_with_it() {
    let desired = desired("[[s3.bucket]]\nname = \"zscribe\"\nensure = \"absent\"\n");
    let mut inventory = inventory();
    add_bucket(&mut inventory, "zscribe", None, None, Some(true));
    let plan_empty = plan(&desired, &inventory);
    assert_eq!(plan_empty.changes[0].action, Action::Delete);
    assert!(plan_empty.changes[0].flags.is_empty(), "an empty bucket deletes no data");
    assert_eq!(plan_empty.changes[0].operation, Operation::DeleteBucket { bucket: "zscribe".into() });

    inventory.s3.buckets[0].empty = Some(false);
    let plan_full = plan(&desired, &inventory);
    assert_eq!(plan_full.changes[0].flags, vec![Flag::DeletesData]);

    inventory.s3.buckets.clear();
    let plan_gone = plan(&desired, &inventory);
    assert!(plan_gone.is_empty() && plan_gone.warnings.is_empty(), "an absent bucket that is gone is converged");
}

#[test]
fn glob_that_matches_no_bucket_is_a_warning_not_a_create() {
    let desired = desired("[[s3.bucket]]\nname = \"z360-*-storage\"\nencryption = { algorithm = \"AES256\" }\n");
    let plan = plan(&desired, &inventory());
    assert!(plan.is_empty());
    assert_eq!(plan.warnings[0].message, "[[s3.bucket]] name `z360-*-storage` matches nothing in the account");
}

#[test]
fn a_declared_bucket_that_lives_in_another_region_is_not_created_here() {
    let mut inventory = inventory();
    // Listed by an endpoint that lists every region's buckets (the fallback without
    // BucketRegion), but not in this region: not read.
    inventory.s3.names.push("livkit-recordings".to_owned());
    let plan = plan(&desired(TIERING), &inventory);
    assert!(plan.changes.is_empty(), "{:?}", plan.changes);
    assert!(plan.warnings.iter().any(|warning| warning.message.contains("it is in another region")), "{:?}", plan.warnings);
}

#[test]
fn a_bucket_named_exactly_that_exists_outside_this_regions_listing_is_not_created() {
    // The reader lists this region's buckets only; HeadBucket found this one elsewhere
    // (another region, or another account): creating it would fail half-way through an apply.
    let mut inventory = inventory();
    inventory.s3.elsewhere.push("west-only-bucket".into());
    let plan = plan(&desired("[[s3.bucket]]\nname = \"west-only-bucket\"\npublic_access_block = true\n"), &inventory);
    assert!(plan.changes.is_empty(), "{:#?}", plan.changes);
    assert!(
        plan.warnings.iter().any(|warning| warning.message.contains("`west-only-bucket` exists, but not among this account's buckets in us-east-1")),
        "{:#?}",
        plan.warnings
    );
}
