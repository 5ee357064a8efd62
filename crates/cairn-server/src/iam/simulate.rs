//! SimulatePrincipalPolicy and SimulateCustomPolicy: the policy engine's answer for a list of
//! actions and resources, with the statements that decided — what services like Upsolver call to
//! check their own permissions.

use super::{Ctx, IamResult, meta_err};
use crate::authz::{Simulation, simulate};
use crate::query::QueryError;
use crate::query::xml::Xml;
use cairn_meta::EntityKind;
use cairn_policy::{Decision, PolicyKind, RequestPrincipal};
use std::sync::Arc;

/// `ContextEntries.member.N.ContextKeyName` / `.ContextKeyValues.member.M`.
fn context_entries(cx: &Ctx<'_>) -> Vec<(String, Vec<String>)> {
    (1..)
        .map_while(|i| {
            let name = cx
                .params
                .get(&format!("ContextEntries.member.{i}.ContextKeyName"))?;
            let values = cx
                .params
                .list(&format!("ContextEntries.member.{i}.ContextKeyValues"));
            Some((name.to_string(), values))
        })
        .collect()
}

fn parse(doc: &str, kind: PolicyKind) -> Result<Arc<cairn_policy::Policy>, QueryError> {
    cairn_policy::parse(doc, kind)
        .map(Arc::new)
        .map_err(|e| QueryError::bad_request("MalformedPolicyDocument", e.to_string()))
}

fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allowed",
        Decision::ExplicitDeny => "explicitDeny",
        Decision::ImplicitDeny => "implicitDeny",
    }
}

/// Runs every (action, resource) pair and renders `EvaluationResults`.
fn run(
    cx: &Ctx<'_>,
    principal: RequestPrincipal,
    identity: Vec<(String, Arc<cairn_policy::Policy>)>,
    boundary: Option<(String, Arc<cairn_policy::Policy>)>,
) -> IamResult {
    let actions = cx.params.list("ActionNames");
    if actions.is_empty() {
        return Err(super::names::validation(
            "null",
            "actionNames",
            "Member must not be null",
        ));
    }
    let mut resources = cx.params.list("ResourceArns");
    if resources.is_empty() {
        resources.push("*".to_string());
    }
    let resource_policy = match cx.optional("ResourcePolicy") {
        Some(doc) => Some(parse(doc, PolicyKind::Resource)?),
        None => None,
    };
    let context = context_entries(cx);
    let mut results = Vec::new();
    for action in &actions {
        for resource in &resources {
            let eval = simulate(&Simulation {
                principal: principal.clone(),
                identity: identity.clone(),
                boundary: boundary.clone(),
                resource_policy: resource_policy.clone(),
                action,
                resource,
                context: &context,
            });
            results.push((action.clone(), resource.clone(), eval));
        }
    }
    let mut x = Xml::default();
    x.members(
        "EvaluationResults",
        &results,
        |x, (action, resource, eval)| {
            x.leaf("EvalActionName", action)
                .leaf("EvalResourceName", resource)
                .leaf("EvalDecision", decision_name(eval.decision));
            x.members("MatchedStatements", &eval.matched, |x, m| {
                let source = match m.source {
                    cairn_policy::PolicySource::Resource => "resource",
                    cairn_policy::PolicySource::PermissionsBoundary => "aws-managed",
                    _ => "user",
                };
                x.leaf("SourcePolicyId", &m.policy)
                    .leaf("SourcePolicyType", source)
                    .open("StartPosition")
                    .leaf("Line", &(m.index + 1).to_string())
                    .leaf("Column", "1")
                    .close("StartPosition")
                    .open("EndPosition")
                    .leaf("Line", &(m.index + 1).to_string())
                    .leaf("Column", "1")
                    .close("EndPosition");
            });
            x.open("MissingContextValues").close("MissingContextValues");
        },
    );
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}

pub async fn simulate_principal_policy(cx: &Ctx<'_>) -> IamResult {
    let source = cx.required("PolicySourceArn")?.to_string();
    cx.authorize("SimulatePrincipalPolicy", &source).await?;
    let invalid = || QueryError::bad_request("InvalidInput", format!("Invalid ARN: {source}"));
    let rest = source
        .strip_prefix(&format!("arn:aws:iam::{}:", cx.account_id))
        .ok_or_else(invalid)?;
    let (kind_word, path_name) = rest.split_once('/').ok_or_else(invalid)?;
    let kind = EntityKind::parse(kind_word).ok_or_else(invalid)?;
    let name = path_name.rsplit('/').next().unwrap_or(path_name);
    let entity = cx
        .state
        .meta
        .get_entity(&cx.account_id, kind, name)
        .await
        .map_err(|e| meta_err(e, kind_word))?
        .ok_or_else(|| {
            meta_err(
                cairn_meta::MetaError::NoSuchEntity,
                &format!("{kind_word} with name {name}"),
            )
        })?;
    let (mut identity, boundary) =
        crate::authz::entity_policies(cx.state, &cx.account_id, kind, &entity.name)
            .await
            .map_err(|e| meta_err(e, kind_word))?;
    for (i, doc) in cx.params.list("PolicyInputList").iter().enumerate() {
        identity.push((
            format!("PolicyInputList.{}", i + 1),
            parse(doc, PolicyKind::Identity)?,
        ));
    }
    let principal = RequestPrincipal::user(&cx.account_id, &entity.arn(), &entity.name, &entity.id);
    run(cx, principal, identity, boundary)
}

pub async fn simulate_custom_policy(cx: &Ctx<'_>) -> IamResult {
    cx.authorize("SimulateCustomPolicy", "*").await?;
    let docs = cx.params.list("PolicyInputList");
    if docs.is_empty() {
        return Err(super::names::validation(
            "null",
            "policyInputList",
            "Member must not be null",
        ));
    }
    let mut identity = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        identity.push((
            format!("PolicyInputList.{}", i + 1),
            parse(doc, PolicyKind::Identity)?,
        ));
    }
    let caller = cx
        .optional("CallerArn")
        .unwrap_or("arn:aws:iam::000000000000:user/simulated")
        .to_string();
    let name = caller.rsplit('/').next().unwrap_or("simulated").to_string();
    let principal = RequestPrincipal::user(&cx.account_id, &caller, &name, "AIDASIMULATED");
    run(cx, principal, identity, None)
}
