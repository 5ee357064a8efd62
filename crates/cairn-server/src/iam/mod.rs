//! The IAM Query API (version 2010-05-08): one file per resource family, all authorized through
//! [`crate::authz`] like every S3 request.

mod account;
pub mod aws_managed;
mod groups;
pub mod login_profiles;
mod names;
mod oidc_providers;
pub use names::validation;
mod policies;
mod render;
mod roles;
mod simulate;
mod users;

use crate::authz::{AuthzRequest, check};
use crate::principal::Principal;
use crate::query::params::Params;
use crate::query::xml::{Xml, response};
use crate::query::{Caller, IAM_NAMESPACE, QueryError};
use crate::state::State;
use cairn_meta::{EntityKind, MetaError};
use http::StatusCode;

/// Result of an IAM handler: the `…Result` body, or nothing for actions that return none.
pub type IamResult = Result<Option<Xml>, QueryError>;

/// What a handler knows about the call.
pub struct Ctx<'a> {
    pub state: &'a State,
    pub caller: &'a Caller,
    pub params: &'a Params,
    /// The caller's account: every IAM call acts inside it.
    pub account_id: String,
}

impl Ctx<'_> {
    pub fn required(&self, name: &str) -> Result<&str, QueryError> {
        self.params.get(name).ok_or_else(|| {
            let field = lower_first(name);
            QueryError::bad_request(
                "ValidationError",
                format!("1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"),
            )
        })
    }

    pub fn optional(&self, name: &str) -> Option<&str> {
        self.params.get(name)
    }

    pub fn arn(&self, kind: EntityKind, path: &str, name: &str) -> String {
        format!(
            "arn:aws:iam::{}:{}{path}{name}",
            self.account_id,
            kind.as_str()
        )
    }

    /// Authorizes `iam:<action>` on `resource` for the caller.
    pub async fn authorize(&self, action: &str, resource: &str) -> Result<(), QueryError> {
        let full = format!("iam:{action}");
        check(
            self.state,
            AuthzRequest {
                principal: &self.caller.principal,
                action: &full,
                resource,
                resource_account: Some(&self.account_id),
                resource_policy: None,
                context: self.caller.context.clone(),
                object: None,
                resource_policy_required: false,
            },
        )
        .await
        .map(|_| ())
        .map_err(|d| QueryError::forbidden("AccessDenied", d.message))
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Metadata failures in IAM's words. `what` names the entity for NoSuchEntity/AlreadyExists.
pub fn meta_err(e: MetaError, what: &str) -> QueryError {
    match e {
        MetaError::NoSuchEntity | MetaError::NoSuchKey => QueryError::new(
            StatusCode::NOT_FOUND,
            "NoSuchEntity",
            format!("The {what} cannot be found."),
        ),
        MetaError::AlreadyExists => QueryError::new(
            StatusCode::CONFLICT,
            "EntityAlreadyExists",
            format!("{what} already exists."),
        ),
        MetaError::DeleteConflict(msg) => {
            QueryError::new(StatusCode::CONFLICT, "DeleteConflict", msg)
        }
        MetaError::LimitExceeded(msg) => {
            QueryError::new(StatusCode::CONFLICT, "LimitExceeded", msg)
        }
        MetaError::Backend(err) => {
            tracing::error!(%err, "metadata backend");
            QueryError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "Service is unavailable, please retry.",
            )
        }
        other => {
            tracing::error!(err = %other, "iam metadata");
            QueryError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "ServiceFailure",
                "Request processing has failed due to an internal error.",
            )
        }
    }
}

/// Dispatches one IAM action and wraps its result in AWS's response envelope.
pub async fn handle(state: &State, caller: &Caller, params: &Params) -> Result<String, QueryError> {
    let action = params
        .get("Action")
        .ok_or_else(|| QueryError::bad_request("MissingAction", "Missing Action"))?
        .to_string();
    let account_id = match &caller.principal {
        Principal::Anonymous => {
            return Err(QueryError::forbidden(
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            ));
        }
        // GetSessionToken credentials (without MFA, which Cairn does not have) cannot call IAM;
        // a console sign-in's session can.
        Principal::User { .. } | Principal::Root { .. } if caller.temporary && !caller.console => {
            return Err(QueryError::forbidden(
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            ));
        }
        p => p.account_id().unwrap_or_default().to_string(),
    };
    let cx = Ctx {
        state,
        caller,
        params,
        account_id,
    };
    let result = match action.as_str() {
        "CreateUser" => users::create_user(&cx).await,
        "GetUser" => users::get_user(&cx).await,
        "ListUsers" => users::list_users(&cx).await,
        "UpdateUser" => users::update_user(&cx).await,
        "DeleteUser" => users::delete_user(&cx).await,
        "TagUser" => users::tag_user(&cx).await,
        "UntagUser" => users::untag_user(&cx).await,
        "ListUserTags" => users::list_user_tags(&cx).await,
        "CreateAccessKey" => users::create_access_key(&cx).await,
        "ListAccessKeys" => users::list_access_keys(&cx).await,
        "UpdateAccessKey" => users::update_access_key(&cx).await,
        "DeleteAccessKey" => users::delete_access_key(&cx).await,
        "GetAccessKeyLastUsed" => users::get_access_key_last_used(&cx).await,
        "CreateLoginProfile" => login_profiles::create(&cx).await,
        "GetLoginProfile" => login_profiles::get(&cx).await,
        "UpdateLoginProfile" => login_profiles::update(&cx).await,
        "DeleteLoginProfile" => login_profiles::delete(&cx).await,
        "ChangePassword" => login_profiles::change_password(&cx).await,
        "CreateGroup" => groups::create_group(&cx).await,
        "GetGroup" => groups::get_group(&cx).await,
        "ListGroups" => groups::list_groups(&cx).await,
        "DeleteGroup" => groups::delete_group(&cx).await,
        "UpdateGroup" => groups::update_group(&cx).await,
        "AddUserToGroup" => groups::add_user_to_group(&cx).await,
        "RemoveUserFromGroup" => groups::remove_user_from_group(&cx).await,
        "ListGroupsForUser" => groups::list_groups_for_user(&cx).await,
        "PutUserPolicy" => policies::put_inline(&cx, EntityKind::User).await,
        "PutGroupPolicy" => policies::put_inline(&cx, EntityKind::Group).await,
        "PutRolePolicy" => policies::put_inline(&cx, EntityKind::Role).await,
        "GetUserPolicy" => policies::get_inline(&cx, EntityKind::User).await,
        "GetGroupPolicy" => policies::get_inline(&cx, EntityKind::Group).await,
        "GetRolePolicy" => policies::get_inline(&cx, EntityKind::Role).await,
        "ListUserPolicies" => policies::list_inline(&cx, EntityKind::User).await,
        "ListGroupPolicies" => policies::list_inline(&cx, EntityKind::Group).await,
        "ListRolePolicies" => policies::list_inline(&cx, EntityKind::Role).await,
        "DeleteUserPolicy" => policies::delete_inline(&cx, EntityKind::User).await,
        "DeleteGroupPolicy" => policies::delete_inline(&cx, EntityKind::Group).await,
        "DeleteRolePolicy" => policies::delete_inline(&cx, EntityKind::Role).await,
        "CreatePolicy" => policies::create_policy(&cx).await,
        "GetPolicy" => policies::get_policy(&cx).await,
        "ListPolicies" => policies::list_policies(&cx).await,
        "DeletePolicy" => policies::delete_policy(&cx).await,
        "CreatePolicyVersion" => policies::create_policy_version(&cx).await,
        "GetPolicyVersion" => policies::get_policy_version(&cx).await,
        "ListPolicyVersions" => policies::list_policy_versions(&cx).await,
        "DeletePolicyVersion" => policies::delete_policy_version(&cx).await,
        "SetDefaultPolicyVersion" => policies::set_default_policy_version(&cx).await,
        "AttachUserPolicy" => policies::attach(&cx, EntityKind::User).await,
        "AttachGroupPolicy" => policies::attach(&cx, EntityKind::Group).await,
        "AttachRolePolicy" => policies::attach(&cx, EntityKind::Role).await,
        "DetachUserPolicy" => policies::detach(&cx, EntityKind::User).await,
        "DetachGroupPolicy" => policies::detach(&cx, EntityKind::Group).await,
        "DetachRolePolicy" => policies::detach(&cx, EntityKind::Role).await,
        "ListAttachedUserPolicies" => policies::list_attached(&cx, EntityKind::User).await,
        "ListAttachedGroupPolicies" => policies::list_attached(&cx, EntityKind::Group).await,
        "ListAttachedRolePolicies" => policies::list_attached(&cx, EntityKind::Role).await,
        "ListEntitiesForPolicy" => policies::list_entities_for_policy(&cx).await,
        "PutUserPermissionsBoundary" => policies::put_boundary(&cx, EntityKind::User).await,
        "PutRolePermissionsBoundary" => policies::put_boundary(&cx, EntityKind::Role).await,
        "DeleteUserPermissionsBoundary" => policies::delete_boundary(&cx, EntityKind::User).await,
        "DeleteRolePermissionsBoundary" => policies::delete_boundary(&cx, EntityKind::Role).await,
        "CreateRole" => roles::create_role(&cx).await,
        "GetRole" => roles::get_role(&cx).await,
        "ListRoles" => roles::list_roles(&cx).await,
        "UpdateRole" => roles::update_role(&cx).await,
        "UpdateAssumeRolePolicy" => roles::update_assume_role_policy(&cx).await,
        "DeleteRole" => roles::delete_role(&cx).await,
        "TagRole" => roles::tag_role(&cx).await,
        "UntagRole" => roles::untag_role(&cx).await,
        "ListRoleTags" => roles::list_role_tags(&cx).await,
        "CreateOpenIDConnectProvider" => oidc_providers::create(&cx).await,
        "GetOpenIDConnectProvider" => oidc_providers::get(&cx).await,
        "ListOpenIDConnectProviders" => oidc_providers::list(&cx).await,
        "DeleteOpenIDConnectProvider" => oidc_providers::delete(&cx).await,
        "AddClientIDToOpenIDConnectProvider" => oidc_providers::add_client_id(&cx).await,
        "RemoveClientIDFromOpenIDConnectProvider" => oidc_providers::remove_client_id(&cx).await,
        "UpdateOpenIDConnectProviderThumbprint" => oidc_providers::update_thumbprint(&cx).await,
        "TagOpenIDConnectProvider" => oidc_providers::tag(&cx).await,
        "UntagOpenIDConnectProvider" => oidc_providers::untag(&cx).await,
        "ListOpenIDConnectProviderTags" => oidc_providers::list_tags(&cx).await,
        "GetAccountSummary" => account::get_account_summary(&cx).await,
        "SimulatePrincipalPolicy" => simulate::simulate_principal_policy(&cx).await,
        "SimulateCustomPolicy" => simulate::simulate_custom_policy(&cx).await,
        "GetContextKeysForPrincipalPolicy" => {
            simulate::get_context_keys_for_principal_policy(&cx).await
        }
        "GetContextKeysForCustomPolicy" => simulate::get_context_keys_for_custom_policy(&cx).await,
        "GetAccountAuthorizationDetails" => account::get_account_authorization_details(&cx).await,
        other => Err(QueryError::bad_request(
            "InvalidAction",
            format!(
                "Could not find operation {other} for version {}",
                params.get("Version").unwrap_or("")
            ),
        )),
    };
    // Any change to IAM state (even a failed call, to be safe) invalidates the caches of keys
    // and loaded policies.
    if !(action.starts_with("Get") || action.starts_with("List") || action.starts_with("Simulate"))
    {
        state.iam_changed().await;
    }
    let result = result?;
    Ok(response(&action, IAM_NAMESPACE, &caller.request_id, result))
}
