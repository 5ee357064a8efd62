//! AssumeRole: the caller's identity policies and the role's trust policy decide together (AWS's
//! rules: a trust policy naming the caller directly suffices within the account; naming the
//! account delegates to the caller's policies; across accounts both must allow).

use super::credentials::issue_role_session;
use super::request::{SessionRequest, denied, role_by_arn};
use crate::authz::{AuthzRequest, check};
use crate::principal::Principal;
use crate::query::xml::Xml;
use crate::query::{Caller, QueryError};
use crate::state::State;
use cairn_policy::PolicyKind;

/// AWS caps role chaining (a role session assuming a role) at one hour.
const CHAINED_MAX_SECS: i64 = 3600;

pub async fn assume_role(
    state: &State,
    caller: &Caller,
    params: &crate::query::params::Params,
) -> Result<Xml, QueryError> {
    let req = SessionRequest::parse(params)?;
    let role_arn = super::request::required(params, "RoleArn")?;
    let session_name = super::request::session_name(params, "RoleSessionName")?;
    if let Principal::Root { .. } = caller.principal {
        return Err(QueryError::forbidden(
            "AccessDenied",
            "Roles may not be assumed by root accounts.",
        ));
    }
    let mut context = caller.context.clone();
    context.push(("sts:RoleSessionName".into(), vec![session_name.clone()]));
    if let Some(ext) = params.get("ExternalId") {
        super::request::check_length(ext, "externalId", 2, 1224)?;
        context.push(("sts:ExternalId".into(), vec![ext.to_string()]));
    }
    req.push_context(&mut context);
    let role = role_by_arn(state, role_arn).await?;
    let Some(role) = role else {
        return Err(denied(&caller.principal, "sts:AssumeRole", role_arn));
    };
    let trust = role.attrs.trust_policy.clone().unwrap_or_default();
    let trust = state
        .policies
        .parse(&trust, PolicyKind::Trust)
        .map_err(|_| denied(&caller.principal, "sts:AssumeRole", role_arn))?;
    // Tagging and setting a source identity are separate permissions on the trust policy.
    let mut actions = vec!["sts:AssumeRole"];
    if req.sets_tags() {
        actions.push("sts:TagSession");
    }
    if req.source_identity.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    for action in actions {
        check(
            state,
            AuthzRequest {
                principal: &caller.principal,
                action,
                resource: role_arn,
                resource_account: Some(&role.account_id),
                resource_policy: Some(("role trust policy".into(), trust.clone())),
                context: context.clone(),
                object: None,
                resource_policy_required: true,
            },
        )
        .await
        .map_err(|_| denied(&caller.principal, action, role_arn))?;
    }
    let max = match caller.principal {
        Principal::Role(_) => CHAINED_MAX_SECS,
        _ => i64::from(role.attrs.max_session_duration.unwrap_or(3600)),
    };
    let duration = req.duration(3600, max, true)?;
    let mut attrs = req.into_attrs(state).await?;
    // Transitive tags of the calling session pass on to the chained one.
    if let Principal::Role(prev) = &caller.principal {
        for key in &prev.attrs.transitive_tag_keys {
            if let Some(t) = prev
                .attrs
                .tags
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                && !attrs.tags.iter().any(|(k, _)| k.eq_ignore_ascii_case(key))
            {
                attrs.tags.push(t.clone());
                attrs.transitive_tag_keys.push(key.clone());
            }
        }
    }
    issue_role_session(state, &role, &session_name, duration, &attrs).await
}
