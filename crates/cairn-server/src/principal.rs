//! Who is making a request, as authorization sees it.

use std::sync::Arc;

/// The authenticated caller (or the lack of one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An unsigned request.
    Anonymous,
    /// The root user of an account.
    Root { account_id: String },
    /// An IAM user.
    User { account_id: String, name: String },
    /// A role session from AssumeRole or AssumeRoleWithWebIdentity.
    Role(Arc<RoleSession>),
}

/// What a role session carries from the call that created it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSession {
    pub account_id: String,
    pub role_name: String,
    pub role_path: String,
    /// `AROA…`: `aws:userid` is `ROLEID:SESSION`.
    pub role_id: String,
    pub session_name: String,
    /// The session's temporary access key id (its cache key).
    pub access_key_id: String,
    pub attrs: crate::sts::session::SessionAttrs,
}

impl RoleSession {
    /// `arn:aws:iam::ACCOUNT:role/PATH/NAME`: what policies name to admit every session.
    pub fn role_arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:role{}{}",
            self.account_id, self.role_path, self.role_name
        )
    }

    /// `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION` (the path is not part of it).
    pub fn session_arn(&self) -> String {
        format!(
            "arn:aws:sts::{}:assumed-role/{}/{}",
            self.account_id, self.role_name, self.session_name
        )
    }

    /// `aws:userid` of the session.
    pub fn user_id(&self) -> String {
        format!("{}:{}", self.role_id, self.session_name)
    }
}

impl Principal {
    pub fn account_id(&self) -> Option<&str> {
        match self {
            Principal::Anonymous => None,
            Principal::Root { account_id } | Principal::User { account_id, .. } => Some(account_id),
            Principal::Role(s) => Some(&s.account_id),
        }
    }

    /// The principal's ARN, as `aws:PrincipalArn` and S3 owner fields show it.
    pub fn arn(&self) -> String {
        match self {
            Principal::Anonymous => "*".to_string(),
            Principal::Root { account_id } => format!("arn:aws:iam::{account_id}:root"),
            Principal::User { account_id, name } => {
                format!("arn:aws:iam::{account_id}:user/{name}")
            }
            Principal::Role(s) => s.session_arn(),
        }
    }
}
