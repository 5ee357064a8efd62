//! The STS Query API (version 2011-06-15): who am I, and temporary credentials (AssumeRole,
//! AssumeRoleWithWebIdentity, GetSessionToken) stored as sessions in the metadata database.

mod assume_role;
pub mod credentials;
mod request;
pub mod session;
mod session_token;
pub mod web_identity;

use crate::principal::Principal;
use crate::query::params::Params;
use crate::query::xml::{Xml, response};
use crate::query::{Caller, QueryError};
use crate::state::State;
use cairn_meta::EntityKind;

pub const STS_NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

pub(crate) fn missing_authentication() -> QueryError {
    QueryError::forbidden(
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
    )
}

/// Dispatches one STS action.
pub async fn handle(state: &State, caller: &Caller, params: &Params) -> Result<String, QueryError> {
    let action = params
        .get("Action")
        .ok_or_else(|| QueryError::bad_request("MissingAction", "Missing Action"))?;
    // Everything but web identity needs a signature.
    if caller.principal == Principal::Anonymous && action != "AssumeRoleWithWebIdentity" {
        return Err(missing_authentication());
    }
    let result = match action {
        "GetCallerIdentity" => get_caller_identity(state, caller).await?,
        "AssumeRole" => assume_role::assume_role(state, caller, params).await?,
        "GetSessionToken" => session_token::get_session_token(state, caller, params).await?,
        "GetAccessKeyInfo" => get_access_key_info(state, params).await?,
        other => {
            return Err(QueryError::bad_request(
                "InvalidAction",
                format!("Could not find operation {other} for version 2011-06-15"),
            ));
        }
    };
    Ok(response(
        action,
        STS_NAMESPACE,
        &caller.request_id,
        Some(result),
    ))
}

/// Needs no permission (as on AWS); answers who the signed credentials belong to.
async fn get_caller_identity(state: &State, caller: &Caller) -> Result<Xml, QueryError> {
    let (user_id, account, arn) = match &caller.principal {
        Principal::Anonymous => return Err(missing_authentication()),
        Principal::Root { account_id } => (
            account_id.clone(),
            account_id.clone(),
            caller.principal.arn(),
        ),
        Principal::User { account_id, name } => {
            let user = state
                .meta
                .get_entity(account_id, EntityKind::User, name)
                .await
                .map_err(|e| crate::iam::meta_err(e, "user"))?;
            match user {
                Some(u) => (u.id.clone(), account_id.clone(), u.arn()),
                None => (String::new(), account_id.clone(), caller.principal.arn()),
            }
        }
        Principal::Role(s) => (s.user_id(), s.account_id.clone(), s.session_arn()),
    };
    let mut x = Xml::default();
    x.leaf("UserId", &user_id)
        .leaf("Account", &account)
        .leaf("Arn", &arn);
    Ok(x)
}

/// The account an access key id belongs to (long-term or temporary); needs no permission.
async fn get_access_key_info(state: &State, params: &Params) -> Result<Xml, QueryError> {
    let id = request::required(params, "AccessKeyId")?;
    request::check_length(id, "accessKeyId", 16, 128)?;
    let account = if id.starts_with("ASIA") {
        state
            .meta
            .get_session(id)
            .await
            .map_err(|e| crate::iam::meta_err(e, "session"))?
            .map(|s| s.account_id)
    } else {
        state
            .meta
            .get_access_key(id)
            .await
            .map_err(|e| crate::iam::meta_err(e, "access key"))?
            .map(|k| k.account_id)
    };
    let account = account.ok_or_else(|| {
        QueryError::bad_request(
            "InvalidParameterValue",
            "The specified access key is not valid.",
        )
    })?;
    let mut x = Xml::default();
    x.leaf("Account", &account);
    Ok(x)
}
