//! The STS Query API (version 2011-06-15). For now: GetCallerIdentity, which tools use to check
//! that credentials work; AssumeRole and web identity come with their issue.

use crate::principal::Principal;
use crate::query::params::Params;
use crate::query::xml::{Xml, response};
use crate::query::{Caller, QueryError};
use crate::state::State;
use cairn_meta::EntityKind;

pub const STS_NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Dispatches one STS action.
pub async fn handle(state: &State, caller: &Caller, params: &Params) -> Result<String, QueryError> {
    let action = params
        .get("Action")
        .ok_or_else(|| QueryError::bad_request("MissingAction", "Missing Action"))?;
    let result = match action {
        "GetCallerIdentity" => get_caller_identity(state, caller).await?,
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
        Principal::Anonymous => {
            return Err(QueryError::forbidden(
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            ));
        }
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
    };
    let mut x = Xml::default();
    x.leaf("UserId", &user_id)
        .leaf("Account", &account)
        .leaf("Arn", &arn);
    Ok(x)
}
