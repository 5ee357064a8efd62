//! GetSessionToken: temporary credentials for an IAM user or the root user, with the same
//! permissions as the long-term key that asked (AWS requires no permission for it).

use super::credentials::{Subject, issue};
use super::request::SessionRequest;
use super::session::SessionAttrs;
use crate::principal::Principal;
use crate::query::xml::Xml;
use crate::query::{Caller, QueryError};
use crate::state::State;
use cairn_meta::{EntityKind, SessionKind};

/// Users may ask for up to 36 hours; the root user for one.
const USER_MAX_SECS: i64 = 129_600;
const ROOT_MAX_SECS: i64 = 3600;
const DEFAULT_SECS: i64 = 43_200;

pub async fn get_session_token(
    state: &State,
    caller: &Caller,
    params: &crate::query::params::Params,
) -> Result<Xml, QueryError> {
    let req = SessionRequest::parse(params)?;
    if caller.temporary {
        return Err(QueryError::forbidden(
            "AccessDenied",
            "Cannot call GetSessionToken with session credentials",
        ));
    }
    let (kind, name, id, account_id, max) = match &caller.principal {
        Principal::Root { account_id } => (
            SessionKind::Root,
            String::new(),
            account_id.clone(),
            account_id.clone(),
            ROOT_MAX_SECS,
        ),
        Principal::User { account_id, name } => {
            let user = state
                .meta
                .get_entity(account_id, EntityKind::User, name)
                .await
                .map_err(|e| crate::iam::meta_err(e, "user"))?
                .ok_or_else(|| {
                    QueryError::forbidden(
                        "InvalidClientTokenId",
                        "The security token included in the request is invalid.",
                    )
                })?;
            (
                SessionKind::User,
                user.name,
                user.id,
                account_id.clone(),
                USER_MAX_SECS,
            )
        }
        Principal::Role(_) => {
            return Err(QueryError::forbidden(
                "AccessDenied",
                "Cannot call GetSessionToken with session credentials",
            ));
        }
        Principal::Anonymous => return Err(super::missing_authentication()),
    };
    let duration = req.duration(DEFAULT_SECS.min(max), max, false)?;
    let attrs = SessionAttrs {
        issued: crate::time::now_ms() / 1000,
        ..Default::default()
    };
    let issued = issue(
        state,
        Subject {
            account_id: &account_id,
            kind,
            name: &name,
            id: &id,
            session_name: "",
        },
        duration,
        &attrs,
    )
    .await?;
    let mut x = Xml::default();
    issued.render(&mut x);
    Ok(x)
}
