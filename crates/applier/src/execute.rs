//! One executor per operation, each a direct translation into `crates/aws` calls.

use holdfast_aws::{Aws, aurora, ecs, iam, kms, s3, ssm, vpc};
use holdfast_desired::ecs::FARGATE_SPOT;
use holdfast_inventory::policy::Document;
use holdfast_planner::Plan;
use holdfast_planner::operation::{ManagedStatements, Operation, ValueToWrite};

use crate::Env;
use crate::aurora::Waiting;

pub(crate) enum Executed {
    /// Done, with anything the person applying should know.
    Yes(Vec<String>),
    /// Started, and still being made on AWS when the wait ended: a re-run continues.
    InProgress(String),
    /// A guard said no: the change is skipped, with the reason.
    Refused(String),
}

pub(crate) async fn operation(aws: &Aws, plan: &Plan, operation: &Operation, env: Env<'_>, waiting: &Waiting<'_>) -> Result<Executed, String> {
    let text = |error: holdfast_aws::AwsError| error.to_string();
    let mut warnings = Vec::new();
    match operation {
        Operation::PutParameter { name, parameter_type, kms_key, value, overwrite, description, tags } => {
            if let Some(key) = kms_key {
                key_is_enabled(aws, key).await?;
            }
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
        Operation::CreateBucket { bucket, encryption, lifecycle, transition_minimum_object_size, public_access_block, policy } => {
            s3::create_bucket(aws, bucket).await.map_err(text)?;
            configure_bucket(aws, bucket, encryption.as_ref(), lifecycle.as_deref(), transition_minimum_object_size.as_deref()).await?;
            protect_bucket(aws, bucket, *public_access_block, policy.as_ref()).await?;
        }
        Operation::UpdateBucket { bucket, encryption, lifecycle, transition_minimum_object_size, public_access_block, policy } => {
            configure_bucket(aws, bucket, encryption.as_ref(), lifecycle.as_deref(), transition_minimum_object_size.as_deref()).await?;
            protect_bucket(aws, bucket, *public_access_block, policy.as_ref()).await?;
        }
        Operation::DeleteBucket { bucket } => {
            // Only an empty bucket is deleted: confirmed here, not left to S3 to refuse.
            if !s3::is_empty(aws, bucket).await.map_err(text)? {
                return Err(format!("{bucket} holds objects now: it was not deleted; empty it by hand first, then run apply again"));
            }
            s3::delete_bucket(aws, bucket).await.map_err(text)?;
        }
        Operation::SetClusterCapacityProviders { cluster, capacity_providers, default_strategy } => {
            // The call replaces the whole list: a provider added since the plan, or a changed
            // default strategy, would be undone.
            let (providers_now, strategy_now) = ecs::cluster_capacity(aws, cluster).await.map_err(text)?;
            let mut default_now = strategy_now;
            let mut default_planned = default_strategy.clone();
            default_now.sort();
            default_planned.sort();
            if providers_now.iter().any(|provider| !capacity_providers.contains(provider)) || default_now != default_planned {
                return Err(format!("the capacity providers or default strategy of {cluster} changed since the plan: left as they are; plan again"));
            }
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
                let keys = check_parameters(aws, &secrets.from_task_definition, &secrets.moves).await?;
                check_execution_role(aws, &secrets.from_task_definition, &moves, &keys, &mut warnings).await?;
                task_definition = Some(ecs::register_with_secrets(aws, &secrets.from_task_definition, &moves).await.map_err(text)?);
            }
            ecs::update_service(aws, cluster, service, task_definition.as_deref(), strategy.as_deref(), *force_new_deployment).await.map_err(text)?;
        }
        Operation::ModifyAuroraCapacity { cluster, min_acu, max_acu } => aurora::modify_capacity(aws, cluster, *min_acu, *max_acu).await.map_err(text)?,
        Operation::SnapshotForEncryption { .. }
        | Operation::CopySnapshotForEncryption { .. }
        | Operation::RestoreEncryptedCluster { .. }
        | Operation::CreateMigratedInstances { .. } => return crate::aurora::execute(aws, operation, waiting).await,
        Operation::CreateFlowLog {
            vpc_id,
            destination_type,
            destination,
            traffic_type,
            max_aggregation_interval,
            log_format,
            deliver_logs_permission_arn,
            destination_options,
            tags,
            replaces,
        } => {
            let flow_log = vpc::NewFlowLog {
                vpc_id,
                destination_type,
                destination,
                traffic_type,
                max_aggregation_interval: *max_aggregation_interval,
                log_format: log_format.as_deref(),
                deliver_logs_permission_arn: deliver_logs_permission_arn.as_deref(),
                destination_options: destination_options.as_ref(),
                tags,
            };
            match replaces {
                None => match vpc::create_flow_log(aws, &flow_log).await.map_err(text)? {
                    vpc::Created::Yes(_) => {}
                    vpc::Created::AlreadyExists => return Err(format!("EC2 already has a flow log of VPC {vpc_id} to {destination}: plan again")),
                },
                Some(old) => replace_flow_log(aws, &flow_log, old, &mut warnings).await?,
            }
        }
        Operation::DeleteFlowLog { vpc_id, flow_log_id } => {
            // Confirm it is still the flow log of that VPC before deleting it.
            match vpc::describe_flow_log(aws, flow_log_id).await.map_err(text)? {
                Some(found) if &found.vpc_id == vpc_id => vpc::delete_flow_log(aws, flow_log_id).await.map_err(text)?,
                Some(found) => return Err(format!("{flow_log_id} now belongs to {}, not {vpc_id}: left alone; plan again", found.vpc_id)),
                None => warnings.push(format!("{flow_log_id} was already gone")),
            }
        }
        Operation::CreateKey { .. } | Operation::UpdateKey { .. } | Operation::ScheduleKeyDeletion { .. } => {
            return crate::kms::execute(aws, plan, operation).await;
        }
        Operation::CreateTrail { .. } | Operation::UpdateTrail { .. } | Operation::DeleteTrail { .. } => {
            return crate::cloudtrail::execute(aws, operation).await;
        }
        Operation::CreateDetector { .. } | Operation::UpdateDetector { .. } | Operation::DeleteDetector { .. } => {
            return crate::guardduty::execute(aws, operation).await;
        }
        Operation::EnableSecurityHub { .. } | Operation::EnableStandards { .. } | Operation::DisableSecurityHub => {
            return crate::securityhub::execute(aws, operation).await;
        }
        Operation::SetConfigRecorder { .. } | Operation::DeleteConfigRecorder { .. } => return crate::config::execute(aws, plan, operation).await,
        Operation::SetDeletionProtection { .. } | Operation::DeleteLoadBalancer { .. } => return crate::elb::execute(aws, operation).await,
        Operation::Manual => return Ok(Executed::Refused("a person must do this".to_owned())),
    }
    Ok(Executed::Yes(warnings))
}

/// The public access block, then holdfast's own policy statements, merged into the
/// policy as it is at this moment so that a statement added since the plan is kept.
async fn protect_bucket(aws: &Aws, bucket: &str, public_access_block: Option<bool>, policy: Option<&ManagedStatements>) -> Result<(), String> {
    let text = |error: holdfast_aws::AwsError| error.to_string();
    if let Some(on) = public_access_block {
        s3::put_public_access_block(aws, bucket, on).await.map_err(text)?;
    }
    if let Some(managed) = policy {
        let live = s3::read_policy(aws, bucket).await.map_err(text)?;
        let document = match live.as_deref().map(Document::parse) {
            Some(Ok(document)) => document,
            Some(Err(problem)) => {
                return Err(format!("the policy of {bucket} no longer reads as a policy document ({problem}): left as it is; fix it by hand"));
            }
            None => Document::empty(),
        };
        let merged = document.with_managed(&managed.statements);
        if merged.as_deref() != live.as_deref() {
            s3::put_policy(aws, bucket, merged.as_deref()).await.map_err(text)?;
        }
    }
    Ok(())
}

/// Confirms, just before a task definition is registered to name them, that every
/// parameter exists and, where a plaintext variable moves, holds the very value the
/// service runs with now: otherwise new tasks would not start, or would start with
/// another secret. Returns the key of each parameter, for the execution-role check.
async fn check_parameters(aws: &Aws, task_definition: &str, moves: &[holdfast_planner::operation::SecretMove]) -> Result<Vec<Option<String>>, String> {
    let mut keys = Vec::new();
    for secret in moves {
        let text = |error: holdfast_aws::AwsError| error.to_string();
        let plaintext = ecs::plaintext_variable(aws, task_definition, &secret.container, &secret.variable).await.map_err(text)?;
        let source = match &plaintext {
            Some(_) => None,
            None => ecs::secret_source(aws, task_definition, &secret.container, &secret.variable).await.map_err(text)?,
        };
        if let Some(source) = source.as_deref().filter(|source| !is_ssm_parameter(source)) {
            return Err(format!(
                "{} of container {} reads {source} now, whose value holdfast cannot compare with {}: the service was left unchanged; move it by hand once they agree",
                secret.variable, secret.container, secret.parameter
            ));
        }
        let expected = match (&plaintext, &source) {
            (Some(plaintext), _) => ssm::Expected::Plaintext(plaintext),
            (None, Some(source)) => ssm::Expected::SameAs(source),
            (None, None) => ssm::Expected::Nothing,
        };
        let checked = ssm::check_parameter(aws, &secret.parameter, expected).await.map_err(text)?;
        drop(plaintext);
        match checked {
            ssm::Checked::Missing => {
                return Err(format!(
                    "{} does not exist, so a task definition naming it would start no task: the service was left unchanged; create the parameter (declare it in [[ssm.parameter]]), then run apply again",
                    secret.parameter
                ));
            }
            ssm::Checked::HoldsAnotherValue => {
                return Err(format!(
                    "{} holds a different value from the {} that container {} of {task_definition} runs with now: moving the service would change the secret it runs with, so it was left unchanged; decide which value is right",
                    secret.parameter, secret.variable, secret.container
                ));
            }
            ssm::Checked::Holds { key_id } => keys.push(key_id),
        }
    }
    Ok(keys)
}

/// An SSM parameter ARN or name; anything else (a Secrets Manager ARN) cannot be compared.
fn is_ssm_parameter(value_from: &str) -> bool {
    !value_from.starts_with("arn:") || value_from.starts_with("arn:aws:ssm:")
}

/// ECS reads secrets with the task execution role: a revision whose role may not read
/// its parameters would start no task. A role that certainly may not is an error before
/// anything changes; one that cannot be checked is a warning.
async fn check_execution_role(
    aws: &Aws,
    task_definition: &str,
    moves: &[ecs::SecretMove<'_>],
    keys: &[Option<String>],
    warnings: &mut Vec<String>,
) -> Result<(), String> {
    let Some(role) = ecs::execution_role(aws, task_definition).await.map_err(|error| error.to_string())? else {
        return Err(format!("{task_definition} has no task execution role, which ECS needs to read SSM secrets: give it one, then run apply again"));
    };
    let refuse = |how: &str, what: &str| {
        format!("the task execution role {role} {how} {what}: new tasks could not start, so the service was left unchanged; grant it, then run apply again")
    };
    for (secret, key) in moves.iter().zip(keys) {
        match iam::role_allows(aws, &role, "ssm:GetParameters", &secret.parameter_arn).await {
            Ok(iam::Verdict::Allowed) => {}
            Ok(verdict) => return Err(refuse(how(&verdict), &format!("ssm:GetParameters on {}", secret.parameter_arn))),
            Err(error) => warnings.push(format!(
                "could not check that {role} may read {} ({}); if it may not, new tasks will not start",
                secret.parameter_arn,
                error.code().unwrap_or("no error code")
            )),
        }
        // A SecureString under a customer managed key also needs kms:Decrypt on that key,
        // from the role's policies or from the key policy itself.
        let Some(key) = key else { continue };
        let facts = match kms::describe_key(aws, key).await {
            Ok(facts) => facts,
            Err(error) => {
                warnings.push(format!(
                    "could not check that {role} may decrypt with {key} ({}); if it may not, new tasks will not start",
                    error.code().unwrap_or("no error code")
                ));
                continue;
            }
        };
        // `alias/aws/ssm` names the AWS managed key, whatever DescribeKey reports of it
        // (moto calls every key customer managed).
        if !facts.customer_managed || key.starts_with("alias/aws/") {
            continue;
        }
        // KMS asks the key policy first: it must allow the role itself, or allow the account
        // and so let the role's own policies decide; a Deny in either wins.
        let grant = kms::key_policy(aws, &facts.arn).await.map(|policy| iam::key_grant(&policy, &role, "kms:Decrypt"));
        let verdict = match grant {
            Ok(iam::KeyGrant::Denied) => Ok(iam::Verdict::Denied),
            Ok(iam::KeyGrant::NotGranted) => Ok(iam::Verdict::NotAllowed),
            Ok(grant) => iam::role_allows(aws, &role, "kms:Decrypt", &facts.arn).await.map(|own| match (grant, own) {
                (_, iam::Verdict::Denied) => iam::Verdict::Denied,
                (iam::KeyGrant::Allowed, _) | (_, iam::Verdict::Allowed) => iam::Verdict::Allowed,
                _ => iam::Verdict::NotAllowed,
            }),
            Err(error) => Err(error),
        };
        match verdict {
            Ok(iam::Verdict::Allowed) => {}
            Ok(verdict) => {
                return Err(refuse(
                    how(&verdict),
                    &format!(
                        "kms:Decrypt on {} (the key of {}), counting the key policy, which must allow the role or let the account's IAM policies decide",
                        facts.arn, secret.parameter_arn
                    ),
                ));
            }
            Err(error) => warnings.push(format!(
                "could not check that {role} may decrypt with {} ({}); if it may not, new tasks will not start",
                facts.arn,
                error.code().unwrap_or("no error code")
            )),
        }
    }
    Ok(())
}

fn how(verdict: &iam::Verdict) -> &'static str {
    if *verdict == iam::Verdict::Denied { "denies" } else { "has no statement allowing" }
}

/// Replaces a flow log without leaving the VPC unlogged: the new one is created first and
/// the old one deleted after. Where EC2 keeps one flow log per destination and refuses
/// the new one, the old one is deleted first, and put back as it was should the new one
/// then fail.
async fn replace_flow_log(aws: &Aws, flow_log: &vpc::NewFlowLog<'_>, old: &str, warnings: &mut Vec<String>) -> Result<(), String> {
    let text = |error: holdfast_aws::AwsError| error.to_string();
    let Some(previous) = vpc::describe_flow_log(aws, old).await.map_err(text)? else {
        warnings.push(format!("{old} was already gone; the new flow log was created alone"));
        return match vpc::create_flow_log(aws, flow_log).await.map_err(text)? {
            vpc::Created::Yes(_) => Ok(()),
            vpc::Created::AlreadyExists => Err(format!("EC2 already has a flow log of VPC {} to {}: plan again", flow_log.vpc_id, flow_log.destination)),
        };
    };
    if vpc::create_flow_log(aws, flow_log).await.map_err(text)? == vpc::Created::AlreadyExists {
        vpc::delete_flow_log(aws, old).await.map_err(text)?;
        if let Err(error) = create_or_refuse(aws, flow_log).await {
            let restored = vpc::create_flow_log(aws, &previous.as_new()).await;
            let after = match restored {
                Ok(vpc::Created::Yes(id)) => format!("the old flow log was put back as {id}, with its settings"),
                _ => format!(
                    "putting the old flow log back failed too: VPC {} has no flow log to {} now; run apply again",
                    flow_log.vpc_id, flow_log.destination
                ),
            };
            return Err(format!("{error}; {after}"));
        }
        return Ok(());
    }
    vpc::delete_flow_log(aws, old).await.map_err(text)?;
    Ok(())
}

async fn create_or_refuse(aws: &Aws, flow_log: &vpc::NewFlowLog<'_>) -> Result<(), String> {
    match vpc::create_flow_log(aws, flow_log).await.map_err(|error| error.to_string())? {
        vpc::Created::Yes(_) => Ok(()),
        vpc::Created::AlreadyExists => Err(format!("EC2 refused the new flow log of VPC {} as a duplicate", flow_log.vpc_id)),
    }
}

/// A key is used only if it is enabled at the moment of use: S3 accepts a disabled key or
/// one pending deletion as a bucket's default, and every upload would then fail, or every
/// object be lost with the key.
pub(crate) async fn key_is_enabled(aws: &Aws, key: &str) -> Result<(), String> {
    if key.contains("alias/aws/") {
        return Ok(());
    }
    let facts = kms::describe_key(aws, key).await.map_err(|error| error.to_string())?;
    if facts.state != "Enabled" {
        return Err(format!(
            "the KMS key {key} ({}) is {}: nothing was changed with it; enable it, or name another key, then plan again",
            facts.arn, facts.state
        ));
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
        if let Some(key) = &encryption.kms_key {
            key_is_enabled(aws, key).await?;
        }
        s3::put_encryption(aws, bucket, encryption).await.map_err(|error| error.to_string())?;
    }
    if let Some(rules) = lifecycle {
        // A put replaces the whole configuration: confirm now that it holds nothing the
        // desired state cannot declare, which the put would delete.
        let live = s3::read_lifecycle(aws, bucket).await.map_err(|error| error.to_string())?;
        let unmodelled: Vec<String> = live
            .iter()
            .flat_map(|live| &live.rules)
            .filter(|rule| !rule.unmodelled.is_empty())
            .map(|rule| format!("`{}` ({})", rule.id, rule.unmodelled.join(", ")))
            .collect();
        if !unmodelled.is_empty() {
            return Err(format!(
                "the lifecycle rules {} of {bucket} now have settings the desired state cannot declare, which the put would delete: nothing was put; plan again",
                unmodelled.join(", ")
            ));
        }
        s3::put_lifecycle(aws, bucket, rules, minimum_object_size).await.map_err(|error| error.to_string())?;
    }
    Ok(())
}
