//! SSM parameters: values compared by salted hash, never shown.

mod support;

use holdfast_planner::operation::{Operation, ValueToWrite};
use holdfast_planner::{Action, Flag, Planner, plan};
use support::*;

const FROM_ENV: &str = "[[ssm.parameter]]\nname = \"/app/key\"\ntype = \"SecureString\"\nkms_key = \"alias/aws/ssm\"\nvalue = { env = \"APP_KEY\" }\n";

#[test]
fn missing_parameter_is_created_from_the_environment() {
    let desired = desired(FROM_ENV);
    let inventory = inventory();
    let plan = Planner::new(&desired, &inventory).with_env_hashes(env_hashes(&inventory, &[("APP_KEY", "v1")])).plan();
    let change = &plan.changes[0];
    assert_eq!((change.address.as_str(), change.action), ("ssm.parameter/app/key", Action::Create));
    assert_eq!(change.flags, vec![Flag::TouchesSecret]);
    let value = change.attributes.iter().find(|attribute| attribute.name == "value").expect("a value attribute");
    assert!(value.sensitive);
    assert_eq!(value.after.as_deref(), Some("(sensitive, from $APP_KEY)"));
    assert!(matches!(&change.operation, Operation::PutParameter { overwrite: false, value: ValueToWrite::Env { variable }, .. } if variable == "APP_KEY"));
}

#[test]
fn value_is_compared_by_hash() {
    let desired = desired(FROM_ENV);
    let mut inventory = inventory();
    add_parameter(&mut inventory, "/app/key", "SecureString", Some("alias/aws/ssm"), Ok("v1"));
    let same = Planner::new(&desired, &inventory).with_env_hashes(env_hashes(&inventory, &[("APP_KEY", "v1")])).plan();
    assert!(same.is_empty() && same.warnings.is_empty(), "{same:#?}");
    let differs = Planner::new(&desired, &inventory).with_env_hashes(env_hashes(&inventory, &[("APP_KEY", "v2")])).plan();
    assert_eq!(differs.changes[0].action, Action::Update);
    let value = &differs.changes[0].attributes[0];
    assert_eq!((value.before.as_deref(), value.after.as_deref()), (Some("(sensitive)"), Some("(sensitive, from $APP_KEY)")));
}

#[test]
fn unset_environment_variable_is_reported_not_guessed() {
    let desired = desired(FROM_ENV);
    let mut inventory = inventory();
    add_parameter(&mut inventory, "/app/key", "SecureString", Some("alias/aws/ssm"), Ok("v1"));
    let plan = plan(&desired, &inventory);
    assert!(plan.is_empty());
    assert!(plan.warnings.is_empty(), "nothing to compare with, nothing to say: {:?}", plan.warnings);
}

#[test]
fn unreadable_value_says_why_instead_of_failing() {
    let desired = desired(FROM_ENV);
    let mut inventory = inventory();
    add_parameter(&mut inventory, "/app/key", "SecureString", Some("alias/aws/ssm"), Err("kms:Decrypt was denied"));
    let plan = Planner::new(&desired, &inventory).with_env_hashes(env_hashes(&inventory, &[("APP_KEY", "v1")])).plan();
    assert!(plan.is_empty());
    assert_eq!(plan.warnings[0].message, "the value of /app/key could not be compared: kms:Decrypt was denied");
}

#[test]
fn key_by_alias_matches_key_arn_and_a_new_key_rewrites_the_value() {
    let desired = desired("[[ssm.parameter]]\nname = \"/app/key\"\ntype = \"SecureString\"\nkms_key = \"alias/z360-phi\"\n");
    let mut inventory = inventory();
    add_alias(&mut inventory, "alias/z360-phi", "k-1");
    add_parameter(&mut inventory, "/app/key", "SecureString", Some(&key_arn("k-1")), Ok("v"));
    assert!(plan(&desired, &inventory).is_empty());

    inventory.ssm.parameters[0].kms_key = Some("alias/aws/ssm".into());
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes[0].action, Action::Manual, "re-encrypting needs the value, which an existence-only entry does not give");
    assert!(plan.changes[0].reason.as_deref().is_some_and(|reason| reason.contains("give it value = { env = \"NAME\" }")));
}

#[test]
fn existence_only_parameter_that_is_missing_needs_a_person() {
    let desired = desired("[[ssm.parameter]]\nname = \"/app/key\"\ntype = \"SecureString\"\n");
    let plan = plan(&desired, &inventory());
    assert_eq!(plan.changes[0].action, Action::Manual);
    assert_eq!(plan.changes[0].operation, Operation::Manual);
    assert_eq!(plan.summary.manual, 1);
}

const MIGRATE: &str = r#"
[[ecs.task_secrets]]
service = "*"
secrets = { APP_KEY = "/app/key" }

[[ssm.parameter]]
name = "/app/key"
type = "SecureString"
value = { migrate_from_task_env = "APP_KEY" }
"#;

#[test]
fn migration_takes_the_value_from_the_task_definition() {
    let desired = desired(MIGRATE);
    let mut inventory = inventory();
    let web = add_task_definition(&mut inventory, "web", 3, &[("APP_KEY", "same")], &[]);
    let queue = add_task_definition(&mut inventory, "queue", 5, &[("APP_KEY", "same")], &[]);
    add_service(&mut inventory, "c", "web", Ok("FARGATE"), &web);
    add_service(&mut inventory, "c", "queue", Ok("FARGATE"), &queue);
    let plan = plan(&desired, &inventory);
    let parameter = &plan.changes[0];
    assert_eq!(parameter.action, Action::Create);
    assert!(matches!(&parameter.operation, Operation::PutParameter { value: ValueToWrite::TaskDefinition { task_definition, container, variable }, .. }
            if task_definition == &queue && container == "app" && variable == "APP_KEY"));
    assert_eq!(
        parameter.attributes.iter().find(|attribute| attribute.name == "value").and_then(|attribute| attribute.after.as_deref()),
        Some("(sensitive, from the task definition: APP_KEY of container app in queue:5)")
    );
}

#[test]
fn migration_refuses_to_choose_between_different_values() {
    let desired = desired(MIGRATE);
    let mut inventory = inventory();
    let web = add_task_definition(&mut inventory, "web", 3, &[("APP_KEY", "one")], &[]);
    let queue = add_task_definition(&mut inventory, "queue", 5, &[("APP_KEY", "two")], &[]);
    add_service(&mut inventory, "c", "web", Ok("FARGATE"), &web);
    add_service(&mut inventory, "c", "queue", Ok("FARGATE"), &queue);
    let plan = plan(&desired, &inventory);
    let parameter = &plan.changes[0];
    assert_eq!(parameter.action, Action::Manual);
    assert!(
        parameter
            .reason
            .as_deref()
            .is_some_and(|reason| reason.starts_with("task definitions hold 2 different values of APP_KEY (value 1: queue:5; value 2: web:3)")
                && !reason.contains("hmac")),
        "{:?}",
        parameter.reason
    );
}

#[test]
fn tags_alone_change_without_touching_the_value() {
    let desired = desired("[[ssm.parameter]]\nname = \"/app/key\"\ntype = \"SecureString\"\ntags = { team = \"platform\" }\n");
    let mut inventory = inventory();
    add_parameter(&mut inventory, "/app/key", "SecureString", None, Ok("v"));
    let plan = plan(&desired, &inventory);
    assert_eq!(plan.changes[0].operation, Operation::TagParameter { name: "/app/key".into(), tags: vec![("team".into(), "platform".into())] });
}

#[test]
fn a_missing_parameter_is_recreated_from_the_revision_before_the_moves_however_many_back() {
    let desired = desired(MIGRATE);
    let mut inventory = inventory();
    // web:1 had APP_KEY and OTHER in plaintext; web:2 moved OTHER; web:3 moved APP_KEY.
    let first = add_task_definition(&mut inventory, "web", 1, &[("APP_KEY", "the-value"), ("OTHER", "x")], &[]);
    let second = add_task_definition(&mut inventory, "web", 2, &[("APP_KEY", "the-value")], &[("OTHER", "/app/other")]);
    let third = add_task_definition(&mut inventory, "web", 3, &[], &[("OTHER", "/app/other"), ("APP_KEY", &parameter_arn("/app/key"))]);
    let moved_from = [(second.clone(), first.clone()), (third.clone(), second.clone())];
    for definition in &mut inventory.ecs.task_definitions {
        definition.secrets_moved_from = moved_from.iter().find(|(arn, _)| *arn == definition.arn).map(|(_, from)| from.clone());
    }
    add_service(&mut inventory, "c", "web", Ok("FARGATE"), &third);
    let plan = plan(&desired, &inventory);
    let parameter = &plan.changes[0];
    assert_eq!(parameter.action, Action::Create, "{:#?}", plan);
    assert!(
        matches!(&parameter.operation, Operation::PutParameter { value: ValueToWrite::TaskDefinition { task_definition, .. }, .. } if task_definition == &second)
    );
    assert!(
        parameter.notes.iter().any(|note| note.contains("if the parameter was rotated before it went missing, this is the old value")),
        "{:#?}",
        parameter.notes
    );
}

#[test]
fn a_value_not_read_is_a_plan_error_not_a_silent_match() {
    // A snapshot whose coverage claims the value was read, but which holds `not_read`
    // (edited, or written by another tool), must not pass for "no change".
    let mut inventory = inventory();
    add_parameter(&mut inventory, "/app/exists", "String", None, Ok("unused"));
    inventory.ssm.parameters[0].value = holdfast_inventory::ssm::ParameterValue::NotRead;
    let desired = desired("[[ssm.parameter]]\nname = \"/app/exists\"\ntype = \"String\"\nvalue = \"a literal\"\n");
    let plan = plan(&desired, &inventory);
    assert!(plan.errors.iter().any(|error| error.message.contains("the value of /app/exists was not read")), "{:#?}", plan.errors);
}
