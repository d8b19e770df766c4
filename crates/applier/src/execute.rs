//! One executor per operation, each a direct translation into `crates/aws` calls.

use holdfast_aws::{Aws, aurora, ecs, iam, s3, ssm, vpc};
use holdfast_desired::ecs::FARGATE_SPOT;
use holdfast_planner::Plan;
use holdfast_planner::operation::{Operation, ValueToWrite};

use crate::Env;

pub(crate) enum Executed {
    /// Done, with anything the person applying should know.
    Yes(Vec<String>),
    /// A guard said no: the change is skipped, with the reason.
    Refused(String),
}

pub(crate) async fn operation(aws: &Aws, plan: &Plan, operation: &Operation, env: Env<'_>) -> Result<Executed, String> {
    let text = |error: holdfast_aws::AwsError| error.to_string();
    let mut warnings = Vec::new();
    match operation {
        Operation::PutParameter { name, parameter_type, kms_key, value, overwrite, description, tags } => {
            let value = match value {
                ValueToWrite::Env { variable } => {
                    env(variable).ok_or_else(|| format!("the environment variable {variable} is not set; set it and run apply again"))?
                }
                ValueToWrite::TaskDefinition { task_definition, container, variable } => {
                    ecs::read_plaintext_variable(aws, task_definition, container, variable).await.map_err(text)?
                }
                ValueToWrite::Literal { value } => value.clone(),
            };
            let parameter =
                ssm::NewParameter { name, parameter_type, kms_key: kms_key.as_deref(), description: description.as_deref(), overwrite: *overwrite, tags };
            ssm::put_parameter(aws, &parameter, value).await.map_err(text)?;
        }
        Operation::TagParameter { name, tags } => ssm::add_tags(aws, name, tags).await.map_err(text)?,
        Operation::CreateBucket { bucket, encryption, lifecycle, transition_minimum_object_size } => {
            s3::create_bucket(aws, bucket).await.map_err(text)?;
            configure_bucket(aws, bucket, encryption.as_ref(), lifecycle.as_deref(), transition_minimum_object_size.as_deref()).await?;
        }
        Operation::UpdateBucket { bucket, encryption, lifecycle, transition_minimum_object_size } => {
            configure_bucket(aws, bucket, encryption.as_ref(), lifecycle.as_deref(), transition_minimum_object_size.as_deref()).await?;
        }
        Operation::DeleteBucket { bucket } => s3::delete_bucket(aws, bucket).await.map_err(text)?,
        Operation::SetClusterCapacityProviders { cluster, capacity_providers, default_strategy } => {
            ecs::set_cluster_capacity_providers(aws, cluster, capacity_providers, default_strategy).await.map_err(text)?;
        }
        Operation::UpdateService { cluster, service, strategy, secrets, force_new_deployment, realtime } => {
            if *realtime && strategy.as_ref().is_some_and(|items| items.iter().any(|item| item.provider == FARGATE_SPOT && (item.weight > 0 || item.base > 0)))
            {
                return Ok(Executed::Refused(format!("{service} is realtime: holdfast never moves it to FARGATE_SPOT")));
            }
            let mut task_definition = None;
            if let Some(secrets) = secrets {
                let current = ecs::current_task_definition(aws, cluster, service).await.map_err(text)?;
                if current != secrets.from_task_definition {
                    return Err(format!("the service now runs {current}, not {} as planned: plan again", secrets.from_task_definition));
                }
                let moves: Vec<ecs::SecretMove<'_>> = secrets
                    .moves
                    .iter()
                    .map(|secret| ecs::SecretMove {
                        container: &secret.container,
                        variable: &secret.variable,
                        parameter_arn: ssm::parameter_arn(&plan.region, &plan.account_id, &secret.parameter),
                    })
                    .collect();
                check_execution_role(aws, &secrets.from_task_definition, &moves, &mut warnings).await?;
                task_definition = Some(ecs::register_with_secrets(aws, &secrets.from_task_definition, &moves).await.map_err(text)?);
            }
            ecs::update_service(aws, cluster, service, task_definition.as_deref(), strategy.as_deref(), *force_new_deployment).await.map_err(text)?;
        }
        Operation::ModifyAuroraCapacity { cluster, min_acu, max_acu } => aurora::modify_capacity(aws, cluster, *min_acu, *max_acu).await.map_err(text)?,
        Operation::ReplaceAuroraEncrypted { cluster, .. } => {
            return Ok(Executed::Refused(format!(
                "holdfast does not yet carry out the snapshot-restore that encrypts {cluster}; follow the encryption migration runbook, then plan again"
            )));
        }
        Operation::CreateFlowLog { vpc_id, destination_type, destination, traffic_type, max_aggregation_interval, log_format, replaces } => {
            if let Some(old) = replaces {
                vpc::delete_flow_log(aws, old).await.map_err(text)?;
            }
            let flow_log = vpc::NewFlowLog {
                vpc_id,
                destination_type,
                destination,
                traffic_type,
                max_aggregation_interval: *max_aggregation_interval,
                log_format: log_format.as_deref(),
            };
            vpc::create_flow_log(aws, &flow_log).await.map_err(text)?;
        }
        Operation::Manual => return Ok(Executed::Refused("a person must do this".to_owned())),
    }
    Ok(Executed::Yes(warnings))
}

/// ECS reads secrets with the task execution role: a revision whose role may not read
/// its parameters would start no task. A role that certainly may not is an error before
/// anything changes; one that cannot be checked is a warning.
async fn check_execution_role(aws: &Aws, task_definition: &str, moves: &[ecs::SecretMove<'_>], warnings: &mut Vec<String>) -> Result<(), String> {
    let Some(role) = ecs::execution_role(aws, task_definition).await.map_err(|error| error.to_string())? else {
        return Err(format!("{task_definition} has no task execution role, which ECS needs to read SSM secrets: give it one, then run apply again"));
    };
    for secret in moves {
        match iam::role_allows(aws, &role, "ssm:GetParameters", &secret.parameter_arn).await {
            Ok(iam::Verdict::Allowed) => {}
            Ok(verdict) => {
                let how = if verdict == iam::Verdict::Denied { "denies" } else { "has no statement allowing" };
                return Err(format!(
                    "the task execution role {role} {how} ssm:GetParameters on {}: new tasks could not start, so the service was left unchanged; grant it, then run apply again",
                    secret.parameter_arn
                ));
            }
            Err(error) => warnings.push(format!(
                "could not check that {role} may read {} ({}); if it may not, new tasks will not start",
                secret.parameter_arn,
                error.code().unwrap_or("no error code")
            )),
        }
    }
    Ok(())
}

async fn configure_bucket(
    aws: &Aws,
    bucket: &str,
    encryption: Option<&holdfast_inventory::s3::Encryption>,
    lifecycle: Option<&[holdfast_inventory::s3::LifecycleRule]>,
    minimum_object_size: Option<&str>,
) -> Result<(), String> {
    if let Some(encryption) = encryption {
        s3::put_encryption(aws, bucket, encryption).await.map_err(|error| error.to_string())?;
    }
    if let Some(rules) = lifecycle {
        s3::put_lifecycle(aws, bucket, rules, minimum_object_size).await.map_err(|error| error.to_string())?;
    }
    Ok(())
}
