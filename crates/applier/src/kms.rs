//! KMS keys: created with their alias, restored, or scheduled for deletion, each after
//! confirming the alias still points where the plan saw it.

use holdfast_aws::{Aws, kms};
use holdfast_inventory::policy::Document;
use holdfast_planner::Plan;
use holdfast_planner::operation::Operation;

use crate::execute::Executed;

pub(crate) async fn execute(aws: &Aws, plan: &Plan, operation: &Operation) -> Result<Executed, String> {
    let text = |error: holdfast_aws::AwsError| error.to_string();
    let mut warnings = Vec::new();
    match operation {
        Operation::CreateKey { alias, description, rotation, adopt, services } => {
            if let Some(existing) = kms::alias_target(aws, alias).await.map_err(text)? {
                return Ok(Executed::Yes(vec![format!(
                    "{alias} exists now (key {}): adopted, not created again; plan again to compare its settings",
                    existing.id
                )]));
            }
            let id = match adopt {
                Some(id) => {
                    // Only the key the plan named, and only while it is still unnamed and ours.
                    if !kms::tagged_for(aws, id, alias).await.map_err(text)? {
                        return Err(format!("the key {id} no longer carries the tag naming {alias}: not adopted; plan again"));
                    }
                    let named = kms::aliases_of(aws, id).await.map_err(text)?;
                    if !named.is_empty() {
                        return Err(format!("the key {id} is named {} now: not adopted for {alias}; plan again", named.join(", ")));
                    }
                    let facts = kms::describe_key(aws, id).await.map_err(text)?;
                    if facts.state != "Enabled" {
                        kms::restore(aws, id, facts.state == "PendingDeletion").await.map_err(text)?;
                        warnings.push(format!("the key {id} was {}: enabled again", facts.state));
                    }
                    kms::create_alias(aws, alias, id).await.map_err(text)?;
                    if let Some(description) = description {
                        kms::set_description(aws, id, description).await.map_err(text)?;
                    }
                    id.clone()
                }
                None => kms::create_key(aws, &plan.account_id, alias, description.as_deref(), services).await.map_err(text)?,
            };
            if *rotation == Some(true) {
                kms::set_rotation(aws, &id, true).await.map_err(text)?;
            }
        }
        Operation::UpdateKey { alias, key_id, restore, description, rotation, policy } => {
            let facts = current(aws, alias, key_id).await?;
            if *restore && facts.state != "Enabled" {
                kms::restore(aws, key_id, facts.state == "PendingDeletion").await.map_err(text)?;
            }
            if let Some(description) = description {
                kms::set_description(aws, key_id, description).await.map_err(text)?;
            }
            if let Some(on) = rotation {
                kms::set_rotation(aws, key_id, *on).await.map_err(text)?;
            }
            if let Some(managed) = policy {
                // Merged into the policy as it is now: every statement not holdfast's stays.
                let live = kms::key_policy_text(aws, key_id).await.map_err(text)?;
                let document = Document::parse(&live)
                    .map_err(|problem| format!("the policy of key {key_id} does not read as a policy document ({problem}): left as it is"))?;
                let merged = document.with_managed(&managed.statements).ok_or_else(|| format!("the policy of key {key_id} would be empty: left as it is"))?;
                kms::put_key_policy(aws, key_id, &merged).await.map_err(text)?;
            }
        }
        Operation::ScheduleKeyDeletion { alias, key_id } => {
            let facts = current(aws, alias, key_id).await?;
            if !facts.customer_managed {
                return Err(format!("{alias} now names an AWS managed key, which holdfast never deletes"));
            }
            if facts.state == "PendingDeletion" {
                warnings.push(format!("{key_id} was already scheduled for deletion"));
            } else {
                let date = kms::schedule_deletion(aws, key_id).await.map_err(text)?;
                warnings.push(format!("{key_id} ({alias}) will be deleted on {date}; until then: aws kms cancel-key-deletion --key-id {key_id}"));
            }
        }
        _ => unreachable!("only KMS operations are sent here"),
    }
    Ok(Executed::Yes(warnings))
}

/// The key the alias points at now, which must be the one planned.
async fn current(aws: &Aws, alias: &str, key_id: &str) -> Result<kms::KeyFacts, String> {
    match kms::alias_target(aws, alias).await.map_err(|error| error.to_string())? {
        Some(facts) if facts.id == key_id => Ok(facts),
        Some(facts) => Err(format!("{alias} now points at key {}, not {key_id} as planned: left alone; plan again", facts.id)),
        None => Err(format!("{alias} no longer exists: left alone; plan again")),
    }
}
