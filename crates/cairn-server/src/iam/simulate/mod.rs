//! Policy simulation: SimulatePrincipalPolicy and SimulateCustomPolicy answer, for a list of
//! actions and resources, what the policy engine decides and why (matched statements with their
//! positions, missing context values, boundary and cross-account details);
//! GetContextKeysForPrincipalPolicy / GetContextKeysForCustomPolicy list the keys to supply.
//! Services like Upsolver (seed 004) call these to check their own permissions.
//!
//! Every decision is [`crate::authz::simulation`]'s, which asks the engine exactly as a real
//! request does: simulated and real answers cannot differ for the same policies and keys.

mod error;
mod input;
mod render;
mod sources;

use super::{Ctx, IamResult};
use crate::authz::simulation::Simulation;
use cairn_meta::{EntityKind, IamEntity};
use cairn_policy::{PrincipalKind, RequestPrincipal};
use error::{SimError, SimResult};
use input::{Input, UserArn};
use render::PairResult;
use sources::Sources;

pub async fn simulate_principal_policy(cx: &Ctx<'_>) -> IamResult {
    let source_arn = cx.required("PolicySourceArn")?;
    if cx.params.list("ActionNames").is_empty() {
        return Err(SimError::missing("actionNames").into());
    }
    cx.authorize("SimulatePrincipalPolicy", source_arn).await?;
    Ok(Some(principal_simulation(cx, source_arn).await?))
}

pub async fn simulate_custom_policy(cx: &Ctx<'_>) -> IamResult {
    if cx.params.list("PolicyInputList").is_empty() {
        return Err(SimError::missing("policyInputList").into());
    }
    if cx.params.list("ActionNames").is_empty() {
        return Err(SimError::missing("actionNames").into());
    }
    cx.authorize("SimulateCustomPolicy", "*").await?;
    Ok(Some(custom_simulation(cx).await?))
}

pub async fn get_context_keys_for_principal_policy(cx: &Ctx<'_>) -> IamResult {
    let source_arn = cx.required("PolicySourceArn")?;
    cx.authorize("GetContextKeysForPrincipalPolicy", source_arn)
        .await?;
    let keys = async {
        let entity = policy_source(cx, source_arn).await?;
        let mut sources = entity_sources(cx, &entity).await?;
        sources.add_policy_inputs(cx.state, cx.params)?;
        Ok::<_, SimError>(cairn_policy::explain::referenced_keys_of(
            sources.policies(),
        ))
    }
    .await?;
    Ok(Some(render::context_keys(&keys)))
}

pub async fn get_context_keys_for_custom_policy(cx: &Ctx<'_>) -> IamResult {
    if cx.params.list("PolicyInputList").is_empty() {
        return Err(SimError::missing("policyInputList").into());
    }
    cx.authorize("GetContextKeysForCustomPolicy", "*").await?;
    let mut sources = Sources::default();
    sources.add_policy_inputs(cx.state, cx.params)?;
    let keys = cairn_policy::explain::referenced_keys_of(sources.policies());
    Ok(Some(render::context_keys(&keys)))
}

async fn principal_simulation(cx: &Ctx<'_>, source_arn: &str) -> SimResult<crate::query::xml::Xml> {
    let input = Input::parse(cx.params)?;
    let entity = policy_source(cx, source_arn).await?;
    let mut sources = entity_sources(cx, &entity).await?;
    sources.add_policy_inputs(cx.state, cx.params)?;
    sources.add_boundary_and_resource_inputs(cx.state, cx.params)?;
    let (principal, tags) = match (&input.caller, entity.kind) {
        (Some(caller), _) => caller_principal(cx, caller).await?,
        (None, EntityKind::User) => (
            RequestPrincipal::user(&entity.account_id, &entity.arn(), &entity.name, &entity.id),
            entity.attrs.tags.clone(),
        ),
        // A resource policy's Principal element needs a caller to compare with: AWS asks for
        // CallerArn unless the policy source is a user.
        (None, _) if sources.resource.is_some() => {
            return Err(SimError::InvalidInput(
                "CallerArn is required to simulate a ResourcePolicy when PolicySourceArn is not a user.".into(),
            ));
        }
        (None, EntityKind::Role) => (role_principal(&entity), entity.attrs.tags.clone()),
        (None, EntityKind::Group) => (nameless_user(&entity.account_id, &entity.arn()), vec![]),
    };
    run(cx, &input, &sources, &principal, &tags)
}

async fn custom_simulation(cx: &Ctx<'_>) -> SimResult<crate::query::xml::Xml> {
    let input = Input::parse(cx.params)?;
    let mut sources = Sources::default();
    sources.add_policy_inputs(cx.state, cx.params)?;
    sources.add_boundary_and_resource_inputs(cx.state, cx.params)?;
    let (principal, tags) = match &input.caller {
        Some(caller) => caller_principal(cx, caller).await?,
        None if sources.resource.is_some() => {
            return Err(SimError::InvalidInput(
                "CallerArn is required to simulate a ResourcePolicy.".into(),
            ));
        }
        None => (nameless_user(&cx.account_id, ""), vec![]),
    };
    run(cx, &input, &sources, &principal, &tags)
}

/// Simulates the requested page of (action, resource) pairs.
fn run(
    cx: &Ctx<'_>,
    input: &Input,
    sources: &Sources,
    principal: &RequestPrincipal,
    tags: &[(String, String)],
) -> SimResult<crate::query::xml::Xml> {
    let identity = sources.labelled(&sources.identity);
    let boundary = sources.labelled(sources.boundary.as_slice()).pop();
    let resource_policy = sources.labelled(sources.resource.as_slice()).pop();
    let mut context: Vec<(String, Vec<String>)> = tags
        .iter()
        .map(|(k, v)| (format!("aws:PrincipalTag/{k}"), vec![v.clone()]))
        .collect();
    context.extend(input.context.iter().cloned());
    let owner = input
        .resource_owner
        .clone()
        .or_else(|| principal.account.clone())
        .unwrap_or_else(|| cx.account_id.clone());
    let simulation = Simulation {
        principal,
        identity: &identity,
        boundary: boundary.as_ref(),
        resource_policy: resource_policy.as_ref(),
        resource_account: &owner,
        context: &context,
    };
    let total = input.pairs();
    let end = input
        .page
        .start
        .saturating_add(input.page.max_items)
        .min(total);
    let results: Vec<PairResult<'_>> = (input.page.start..end)
        .filter_map(|i| input.pair(i))
        .map(|(action, resource)| PairResult {
            action,
            resource,
            simulated: simulation.run(action, resource),
        })
        .collect();
    let next = (end < total).then_some(end);
    Ok(render::response(sources, &results, next))
}

/// The user, group or role PolicySourceArn names, in the caller's account.
async fn policy_source(cx: &Ctx<'_>, arn: &str) -> SimResult<IamEntity> {
    let invalid = || SimError::InvalidInput(format!("ARN {arn} is not valid."));
    let rest = arn.strip_prefix("arn:aws:iam::").ok_or_else(invalid)?;
    let (account, resource) = rest.split_once(':').ok_or_else(invalid)?;
    let (kind_word, path_name) = resource.split_once('/').ok_or_else(invalid)?;
    let kind = EntityKind::parse(kind_word).ok_or_else(invalid)?;
    let name = path_name.rsplit('/').next().unwrap_or_default();
    if name.is_empty() {
        return Err(invalid());
    }
    let missing = || SimError::NoSuchEntity(format!("{kind_word} with name {name}"));
    if account != cx.account_id {
        return Err(missing());
    }
    cx.state
        .meta
        .get_entity(&cx.account_id, kind, name)
        .await
        .map_err(SimError::Meta)?
        .ok_or_else(missing)
}

async fn entity_sources(cx: &Ctx<'_>, entity: &IamEntity) -> SimResult<Sources> {
    let docs =
        crate::authz::entity_documents(cx.state, &entity.account_id, entity.kind, &entity.name)
            .await
            .map_err(SimError::Meta)?;
    Sources::of_entity(cx.state, docs)
}

/// The CallerArn user, with its id and tags when it is a user of the caller's account.
async fn caller_principal(
    cx: &Ctx<'_>,
    caller: &UserArn,
) -> SimResult<(RequestPrincipal, Vec<(String, String)>)> {
    let user = if caller.account == cx.account_id {
        cx.state
            .meta
            .get_entity(&cx.account_id, EntityKind::User, &caller.name)
            .await
            .map_err(SimError::Meta)?
    } else {
        None
    };
    let mut principal = RequestPrincipal::user(&caller.account, &caller.arn, &caller.name, "");
    principal.user_id = user.as_ref().map(|u| u.id.clone());
    Ok((principal, user.map(|u| u.attrs.tags).unwrap_or_default()))
}

/// A role's policies with no session: the role itself as the caller (`aws:PrincipalArn` is the
/// role; no session name, so no `aws:userid`).
fn role_principal(role: &IamEntity) -> RequestPrincipal {
    let arn = role.arn();
    let mut p = RequestPrincipal::assumed_role(&role.account_id, &arn, &arn, "");
    p.user_id = None;
    p
}

/// A caller with identity policies but no name: a group's policies, or custom policies without
/// CallerArn. `aws:username` is then a missing context value.
fn nameless_user(account: &str, arn: &str) -> RequestPrincipal {
    RequestPrincipal {
        kind: PrincipalKind::User,
        arn: arn.to_string(),
        account: Some(account.to_string()),
        user_name: None,
        user_id: None,
        role_arn: None,
        canonical_user_id: None,
    }
}
