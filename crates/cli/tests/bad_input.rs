//! Malformed desired-state files: each gives its precise error with file:line:col, a
//! hint, exit code 1, and no panic.

mod common;

use common::{desired_dir, holdfast};

const ACCOUNT: &str = "[account]\nid = \"108782097218\"\nregion = \"us-east-1\"\n";
const STRATEGIES: &str = "[ecs.strategies]\nspot = [{ provider = \"FARGATE_SPOT\", weight = 1 }]\non-demand = [{ provider = \"FARGATE\", weight = 1 }]\n";

/// Validates a folder of files and returns stderr with the temporary path replaced.
fn validate(files: &[(&str, &str)]) -> String {
    let dir = desired_dir(files);
    let path = dir.path().display().to_string();
    let run = holdfast(&["validate", "--desired", &path], &[]);
    assert_eq!(run.code, 1, "expected exit 1; stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "nothing on stdout for an invalid desired state: {}", run.stdout);
    run.stderr.replace(&path, "DIR")
}

fn one(text: &str) -> String {
    validate(&[("main.toml", text)])
}

#[test]
fn misspelt_key_names_the_field_and_suggests_the_right_one() {
    let stderr = one(&format!("{STRATEGIES}[[ecs.service]]\ncluster = \"c-*\"\nservice = \"s-*\"\nstratgy = \"spot\"\n"));
    insta::assert_snapshot!(stderr);
}

#[test]
fn misspelt_section_suggests_the_right_one() {
    let stderr = one("[[ssm.paramter]]\nname = \"/a/b\"\ntype = \"String\"\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn number_written_as_a_string_is_a_type_error() {
    let stderr = one("[[aurora.cluster]]\nmatch = \"db-*\"\nmin_acu = 0.5\nmax_acu = \"4\"\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn unknown_strategy_name_suggests_a_defined_one() {
    let stderr = one(&format!("{STRATEGIES}[[ecs.service]]\ncluster = \"c-*\"\nservice = \"s-*\"\nstrategy = \"spto\"\n"));
    insta::assert_snapshot!(stderr);
}

#[test]
fn realtime_service_cannot_take_a_spot_strategy() {
    let stderr = one(&format!("{STRATEGIES}[[ecs.service]]\ncluster = \"c-*\"\nservice = \"reverb-*\"\nstrategy = \"spot\"\nrealtime = true\n"));
    insta::assert_snapshot!(stderr);
}

#[test]
fn min_acu_above_max_acu() {
    let stderr = one("[[aurora.cluster]]\nmatch = \"db-*\"\nmin_acu = 8\nmax_acu = 4\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn acu_outside_the_serverless_v2_range() {
    let stderr = one("[[aurora.cluster]]\nmatch = \"db-*\"\nmin_acu = 0.5\nmax_acu = 512\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn acu_off_the_half_step() {
    let stderr = one("[[aurora.cluster]]\nmatch = \"db-*\"\nmin_acu = 0.7\nmax_acu = 4\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn transition_to_standard_ia_before_30_days() {
    let stderr = one("[[s3.bucket]]\nname = \"logs\"\nlifecycle = [{ id = \"ia\", transitions = [{ days = 10, class = \"STANDARD_IA\" }] }]\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn transitions_that_climb_back_up_the_waterfall() {
    let stderr = one(
        "[[s3.bucket]]\nname = \"logs\"\nlifecycle = [{ id = \"t\", transitions = [{ days = 30, class = \"GLACIER\" }, { days = 90, class = \"INTELLIGENT_TIERING\" }] }]\n",
    );
    insta::assert_snapshot!(stderr);
}

#[test]
fn expiration_before_the_last_transition() {
    let stderr =
        one("[[s3.bucket]]\nname = \"logs\"\nlifecycle = [{ id = \"t\", transitions = [{ days = 90, class = \"GLACIER\" }], expiration_days = 60 }]\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn misspelt_storage_class_suggests_the_right_one() {
    let stderr = one("[[s3.bucket]]\nname = \"logs\"\nlifecycle = [{ id = \"t\", transitions = [{ days = 90, class = \"GLACEIR\" }] }]\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn kms_key_with_sse_s3() {
    let stderr = one("[[s3.bucket]]\nname = \"logs\"\nencryption = { algorithm = \"AES256\", kms_key = \"alias/x\" }\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn literal_secure_string_is_refused_and_never_echoed() {
    let canary = "CANARY-literal-7f3a9e";
    let stderr = one(&format!("[[ssm.parameter]]\nname = \"/app/key\"\ntype = \"SecureString\"\nvalue = \"{canary}\"\n"));
    assert!(!stderr.contains(canary), "the literal secret was echoed:\n{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn numeric_literal_secret_is_not_echoed_either() {
    let stderr = one("[[ssm.parameter]]\nname = \"/app/pin\"\ntype = \"SecureString\"\nvalue = 7314159265\n");
    assert!(!stderr.contains("7314159265"), "the literal secret was echoed:\n{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn misspelt_value_source() {
    let stderr = one("[[ssm.parameter]]\nname = \"/app/key\"\ntype = \"SecureString\"\nvalue = { envv = \"APP_KEY\" }\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn migration_without_a_task_secrets_mapping() {
    let stderr = one("[[ssm.parameter]]\nname = \"/app/key\"\ntype = \"SecureString\"\nvalue = { migrate_from_task_env = \"APP_KEY\" }\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn malformed_glob() {
    let stderr = one("[[aurora.cluster]]\nmatch = \"z360-[staging\"\nmax_acu = 4\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn toml_syntax_error() {
    let stderr = one("[[s3.bucket]]\nname = \"logs\nencryption = { algorithm = \"AES256\" }\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn account_id_that_is_not_twelve_digits() {
    let stderr = one("[account]\nid = \"10878209721\"\nregion = \"us-east-1\"\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn account_declared_in_two_files() {
    let stderr = validate(&[("a.toml", ACCOUNT), ("b.toml", ACCOUNT)]);
    insta::assert_snapshot!(stderr);
}

#[test]
fn same_parameter_defined_in_two_files_names_both_places() {
    let parameter = "[[ssm.parameter]]\nname = \"/app/key\"\ntype = \"SecureString\"\n";
    let stderr = validate(&[("a.toml", parameter), ("b.toml", &format!("# another file\n{parameter}"))]);
    insta::assert_snapshot!(stderr);
}

#[test]
fn flow_log_destination_that_is_not_a_destination() {
    let stderr = one("[[vpc.flow_logs]]\nvpc = \"*\"\ndestination = \"z360-logs/flow\"\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn several_errors_are_reported_together() {
    let stderr = one("[[aurora.cluster]]\nmatch = \"db-*\"\nmin_acu = 8\nmax_acu = 4\n\n[[aurora.cluster]]\nmatch = \"other-*\"\nmax_acu = 300\n");
    assert!(stderr.contains("2 errors"), "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn every_unknown_key_of_a_file_is_reported_at_once() {
    let stderr = one(&format!(
        "{STRATEGIES}[[ecs.service]]\ncluster = \"c-*\"\nservice = \"s-*\"\nstratgy = \"spot\"\n\n[[s3.bucket]]\nname = \"b\"\nencrytion = {{ algorithm = \"AES256\" }}\nlifecycle = [{{ id = \"r\", transitions = [{{ days = 30, clas = \"GLACIER\" }}] }}]\n"
    ));
    insta::assert_snapshot!(stderr);
}

#[test]
fn every_syntax_error_of_a_file_is_reported_at_once() {
    let stderr = one("[[aurora.cluster]]\nmatch = \"db-*\nmax_acu = 4\n\n[[s3.bucket]]\nname = = \"b\"\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_misspelt_fargate_provider_is_caught_before_any_plan() {
    let stderr = one("[ecs.strategies]\nspot = [{ provider = \"FARGATE_SPOTT\", weight = 1 }]\nlower = [{ provider = \"fargate_spot\", weight = 1 }]\n");
    insta::assert_snapshot!(stderr);
}

#[test]
fn empty_folder() {
    let stderr = validate(&[]);
    insta::assert_snapshot!(stderr);
}

#[test]
fn missing_folder() {
    let run = holdfast(&["validate", "--desired", "/nonexistent/holdfast-desired"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("cannot read the desired-state folder /nonexistent/holdfast-desired"), "{}", run.stderr);
}

#[test]
fn bad_input_applies_nothing_and_plans_nothing() {
    let dir = desired_dir(&[("main.toml", "[[aurora.cluster]]\nmatch = \"db-*\"\nmin_acu = 8\nmax_acu = 4\n")]);
    let path = dir.path().display().to_string();
    let run = holdfast(&["plan", "--desired", &path, "--snapshot", &common::example_snapshot()], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "no plan is printed: {}", run.stdout);
    assert!(run.stderr.contains("min_acu = 8 is above max_acu = 4"), "{}", run.stderr);
}

#[test]
fn shipped_desired_state_is_valid() {
    let run = holdfast(&["validate", "--desired", &common::shipped_desired_state()], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("is valid: 1 file"), "{}", run.stdout);
}

#[test]
fn the_lock_parameter_cannot_be_declared() {
    let stderr = one("[[ssm.parameter]]\nname = \"/holdfast/apply-lock\"\ntype = \"String\"\nvalue = \"mine\"\n");
    assert!(stderr.contains("`/holdfast/apply-lock` is under /holdfast/, which holdfast keeps for its own apply lock"), "{stderr}");
}

#[test]
fn a_literal_secret_behind_a_quoted_key_is_not_echoed_either() {
    for key in ["\"value\"", "'value'"] {
        let stderr = one(&format!("[[ssm.parameter]]\nname = \"/app/token\"\ntype = \"SecureString\"\n{key} = \"CANARY-quoted-4411\"\n"));
        assert!(stderr.contains("is a SecureString with a literal value"), "{stderr}");
        assert!(!stderr.contains("CANARY-quoted-4411"), "{stderr}");
    }
}

#[test]
fn a_secret_is_not_echoed_behind_a_dotted_or_misspelt_key_or_in_place_of_a_variable_name() {
    for line in ["value.literal = \"CANARY-pasted-5151\"", "valu = \"CANARY-pasted-5151\"", "value = { env = \"CANARY-pasted-5151\" }"] {
        let stderr = one(&format!("[[ssm.parameter]]\nname = \"/app/token\"\ntype = \"SecureString\"\n{line}\n"));
        assert!(!stderr.contains("CANARY-pasted-5151"), "{line}:\n{stderr}");
        assert!(stderr.contains("error:"), "{line} is refused:\n{stderr}");
    }
}

#[test]
fn drift_ignore_rule_without_a_reason_or_with_a_date_that_is_not_one() {
    let stderr = one(&format!(
        "{ACCOUNT}[[drift.ignore]]\naddress = \"ecs.service/z360-beta-*\"\nuntil = \"2026-02-30\"\nreason = \"load test\"\n\n[[drift.ignore]]\naddress = \"s3.bucket/*\"\nuntil = 2026-12-31\nreason = \"  \"\n\n[[drift.ignore]]\naddress = \"s3.bucket/logs\"\nuntil = \"2026-12-31\"\n"
    ));
    insta::assert_snapshot!(stderr);
}

#[test]
fn drift_ignore_rule_with_an_empty_reason() {
    let stderr = one(&format!("{ACCOUNT}[[drift.ignore]]\naddress = \"s3.bucket/*\"\nuntil = 2026-12-31\nreason = \"  \"\n"));
    insta::assert_snapshot!(stderr);
}

#[test]
fn attestation_of_a_check_that_takes_none_or_without_who() {
    let stderr = one(&format!(
        "{ACCOUNT}[[audit.attestation]]\ncheck = \"manual.bba\"\nby = \"Dana Reyes\"\ndate = 2026-01-20\nevidence = \"AWS Artifact\"\n\n[[audit.attestation]]\ncheck = \"manual.risk_assessment\"\nby = \" \"\ndate = 2026-01-20\nevidence = \"risk.pdf\"\n"
    ));
    insta::assert_snapshot!(stderr);
}

#[test]
fn attestation_with_a_date_that_is_not_one() {
    let stderr = one(&format!("{ACCOUNT}[[audit.attestation]]\ncheck = \"manual.baa\"\nby = \"Dana\"\ndate = \"last spring\"\nevidence = \"x\"\n"));
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_new_name_rds_would_refuse_and_an_unknown_migration_are_located() {
    let stderr = one("[[aurora.cluster]]\nmatch = \"db-*\"\nstorage_encrypted = true\nnew_name = \"{name}_encrypted\"\n");
    assert!(stderr.contains("DIR/main.toml:4:12"), "{stderr}");
    assert!(stderr.contains("new_name = \"{name}_encrypted\" is not a DB cluster identifier: it holds '_'"), "{stderr}");
    assert!(stderr.contains("`{name}` stands for the source's identifier"), "the hint: {stderr}");

    let stderr = one("[[aurora.cluster]]\nmatch = \"db-*\"\nstorage_encrypted = true\nmigration = \"snapshot\"\n");
    assert!(stderr.contains("DIR/main.toml:4:13"), "{stderr}");
    assert!(stderr.contains("direct") && stderr.contains("copy"), "the two ways are named: {stderr}");
}

#[test]
fn migration_values_and_new_name_without_encryption_say_what_is_right() {
    for value in ["true", "{}", "{ copy = {} }"] {
        let stderr = one(&format!("[[aurora.cluster]]\nmatch = \"db-*\"\nstorage_encrypted = true\nmigration = {value}\n"));
        assert!(stderr.contains("DIR/main.toml:4"), "{value}: {stderr}");
    }
    let stderr = one("[[aurora.cluster]]\nmatch = \"db-*\"\nmax_acu = 4\nnew_name = \"{name}-enc\"\n");
    assert!(stderr.contains("new_name and migration say how to encrypt, but the entry asks for no encryption"), "{stderr}");
    let stderr = one("[[aurora.cluster]]\nmatch = \"db-*\"\nstorage_encrypted = true\nnew_name = \"{name}\"\n");
    assert!(stderr.contains("gives the encrypted cluster its source's own name"), "{stderr}");
    let stderr = one("[[aurora.cluster]]\nmatch = \"db-*\"\nstorage_encrypted = true\nnew_name = \"é-enc\"\n");
    assert!(stderr.contains("it holds 'é', and only ASCII letters, digits and hyphens are allowed"), "{stderr}");
}
